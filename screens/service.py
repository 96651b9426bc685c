"""One service: what it is, who provides it, and one big button for each way it can be done here."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, StringProperty

from kiosk.i18n import N_
from screens.i18n import tr
from screens.widgets import KioskButton, KioskScreen, qr_texture

AUTHORISATION_NEEDS_CARD = N_("The authorisation needs your name and personal code: with your eID card they are "
                              "filled in for you.")
# For each way: the button's title and its one line saying what happens.
CHANNEL_TEXTS = {
    "self": (N_("Do it yourself on this computer"), N_("You need your eID card.")),
    "self_no_eid": (N_("Do it yourself on this computer"), N_("No login is needed.")),
    "authorised": (N_("A staff member does it for you"), N_("We print an authorisation for you to sign.")),
    "paper": (N_("Fill in a paper form"), N_("The centre sends it to the institution.")),
    "video": (N_("Book a video consultation"), N_("Talk to a specialist by video, here at the centre.")),
    "in_person": (N_("Take a queue ticket"), N_("A staff member at the desk helps you.")),
}


class ServiceScreen(KioskScreen):
    service = ObjectProperty(None, allownone=True)
    title = StringProperty("")
    institution = StringProperty("")
    description = StringProperty("")
    qr_texture = ObjectProperty(None, allownone=True)
    channels = ListProperty()

    def on_kv_post(self, base_widget):
        tr.fbind("_", self._refresh)

    def on_service(self, *args):
        self._refresh()
        if self.service is not None:
            self.core.count("service-viewed", service_id=self.service.id, language=self.app.language)
        self.qr_texture = None
        if self.service is not None and self.service.channels.self_service is not None:
            self.qr_texture = qr_texture(self.service.channels.self_service.url)
            # The browser starts while the resident reads: "Do it yourself" then shows the page at once.
            self.core.eservice.warm_up(self.app.language, self.app.screen("eservice").bounds())

    def _refresh(self, *args):
        box = self.ids.channel_buttons
        box.clear_widgets()
        if self.service is None:
            self.title = self.institution = self.description = ""
            return
        language = self.app.language
        self.title = self.service.name.get(language)
        self.institution = self.service.institution.name.get(language)
        self.description = self.service.description.get(language)
        for channel in self.core.ways_here(self.service):
            key = channel
            if channel == "self" and not self.service.channels.self_service.eid_required:
                key = "self_no_eid"
            heading, line = CHANNEL_TEXTS[key]
            # Each way is a choice of equal weight: the resident, not the kiosk, knows which one suits them.
            button = KioskButton(text=f"[b]{tr._(heading)}[/b]\n[size=18sp]{tr._(line)}[/size]", bold=False,
                                 role="secondary")
            button.bind(on_release=lambda _button, channel=channel: self.choose(channel))
            box.add_widget(button)

    def go_back(self) -> None:
        self.app.show("find_service")

    def choose(self, channel: str) -> None:
        """Start the way's flow here."""
        app = self.app
        if channel == "authorised":
            # The card fills in the resident's name and personal code; without it the form has lines for them.
            app.ask_for_card(AUTHORISATION_NEEDS_CARD, then=lambda: self.print_form("authorised"),
                             without=lambda: self.print_form("authorised"))
            return
        if channel == "paper":
            self.print_form("paper")
            return
        if channel == "in_person":
            app.show("queue_ticket")
            app.screen("queue_ticket").start_for(self.service)
            return
        if channel == "video":
            app.show("video")
            return
        if channel == "self":
            self.core.count("self-service-opened", service_id=self.service.id, language=app.language)
            app.screen("eservice").start(self.service.channels.self_service.url)
            app.show("eservice")

    def print_form(self, kind: str) -> None:
        """The form, then the print screen with its pages shown."""
        form = self.core.make_form(kind, self.service, self.app.language)
        self.app.show("print")
        self.app.screen("print").choose(form)

    def reset(self) -> None:
        self.service = None

    def holds_resident_data(self) -> bool:
        return self.service is not None or bool(self.title)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

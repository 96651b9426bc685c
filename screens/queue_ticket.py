"""Take a queue ticket: "Not sure" or a topic and its service (or come from a service's screen), the priority with
one tap, then the number."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from kiosk.catalog.service import GENERAL_MATTER
from kiosk.i18n import N_
from kiosk.keepsakes import ticket_keepsake
from screens.i18n import tr
from screens.stateful import FINISHED, StatefulScreen
from screens.theme import icon
from screens.widgets import ForgetsTouch, KioskButton

STATES = ["topics", "more_topics", "services", "priority", "taking", "ticket", "problem"]

TEXTS = {
    "topics": (N_("Take a queue ticket"), N_("What is your question about?")),
    "more_topics": (N_("Other topics"), N_("What is your question about?")),
    "services": ("", N_("Choose what you need help with.")),
    "priority": (N_("Take a queue ticket"), ""),
    "taking": (N_("Getting your number…"), ""),
    "ticket": (N_("Your number"), ""),
    "problem": (N_("No ticket could be given"), ""),
}
# Where the bottom bar's Back goes: the step before. From the priority it depends on the way there (see `_before`).
BACK = {"more_topics": "topics", "services": "topics_or_more", "priority": "before_priority", "taking": None,
        "problem": "topics"}
PRIORITIES = (("none", N_("Get my ticket"), "primary"), ("senior", N_("I am a senior (65 or older)"), "secondary"),
              ("disability", N_("I have a disability"), "secondary"),
              ("pregnancy", N_("I am pregnant"), "secondary"))
TICKET_PRINTED = N_("Take your ticket from the printer below the screen.")
TICKET_NOT_PRINTED = N_("The ticket could not be printed: please remember your number.")
TICKET_NO_PRINTER = N_("This kiosk does not print tickets: please remember your number.")
# Beside the QR code shown when no ticket came out: the follow page, or the number as text for the phone to keep.
FOLLOW_ON_PHONE = N_("Scan this code with your phone to follow the queue there.")
KEEP_ON_PHONE = N_("Or scan this code with your phone: it shows your number.")
LOCAL_SERIES = N_("The staff desk cannot be reached just now, so this number is from this kiosk's own series. "
                  "Staff will call it too.")
# Topic tiles: how many life situations (fewer at extra-large text, so that all fit without scrolling), and the
# picture of each (Material Design Icons 1.6 code points).
TOPIC_TILES, TOPIC_TILES_EXTRA_LARGE = 7, 5
TOPIC_ICONS = {
    "work": "\uf5b5", "retirement": "\uf583", "family": "\uf2e8", "disability": "\uf5a4", "pets": "\uf3e9",
    "from-ukraine": "\uf23b", "child-born": "\uf06c", "taxes": "\uf0ec", "illness": "\uf5f6", "death": "\uf24a",
    "property": "\uf2de", "health": "\uf4d9", "unemployment": "\uf0d6", "construction": "\uf5b7",
    "farming": "\uf073", "business": "\uf4dc", "moving": "\uf53d",
}
TOPIC_ICON = "\uf24b"  # a folder, for a life situation a later catalogue adds
OTHER_TOPICS_ICON = "\uf1d8"  # three dots
NOT_SURE_ICON = "\uf2d7"  # a question mark in a circle


class TopicTile(ForgetsTouch, ButtonBehavior, BoxLayout):
    """A topic to choose: a picture beside its words, outlined like every choice; `large` for "Not sure".

    `natural_height` is what its words need; `min_height` lets a grid give every tile the tallest one's height.
    """
    glyph = StringProperty("")
    text = StringProperty("")
    large = BooleanProperty(False)
    natural_height = NumericProperty(0)
    min_height = NumericProperty(0)


def even_out(tiles) -> None:
    """Tiles side by side in a grid are as tall as the tallest, whatever their words, at every text size."""
    def even(*_args):
        tallest = max((tile.natural_height for tile in tiles), default=0)
        for tile in tiles:
            tile.min_height = tallest
    for tile in tiles:
        tile.fbind("natural_height", even)
    even()


def _glyph(code_point: str) -> str:
    return code_point if icon("ticket") else ""  # no icon font: the words alone


class QueueTicketScreen(StatefulScreen):
    state = OptionProperty("topics", options=STATES)
    TEXTS, MESSAGE_STATES, BACK = TEXTS, ("ticket", "problem"), BACK
    number = StringProperty("")
    details = StringProperty("")
    keepsake = StringProperty("")  # the QR code's text when no ticket was printed
    keepsake_caption = StringProperty("")
    service = ObjectProperty(None, allownone=True)
    font_scale = NumericProperty(1.0)  # the theme's (kv keeps it current): fewer tiles at extra-large text

    def on_kv_post(self, base_widget):
        self._topic: str | None = None  # the life situation chosen, by id
        self._from_more = False                     # the topic came from "Other topics"
        self._before = "topics"                     # what Back on the priority step returns to
        super().on_kv_post(base_widget)

    def on_pre_enter(self, *args):
        if self.state not in ("taking", "ticket"):
            self.start_over()

    def start_over(self) -> None:
        self.service = None
        self._topic = None
        self.message = ""
        self.go("topics")

    def heading(self, heading: str) -> str:
        if self.state == "services" and self._topic is not None:
            return self._topic_name(self._topic)
        return super().heading(heading)

    def explanation(self, explanation: str) -> str:
        if self.state == "priority":
            matter = self.service.name.get(self.app.language) if self.service is not None else tr._(GENERAL_MATTER)
            return (tr._(N_("Your question: {matter}")).replace("{matter}", matter) + "\n"
                    + tr._(N_("Do you need to be served first? Choose the reason if one applies to you.")))
        return super().explanation(explanation)

    def on_state(self, *args):
        super().on_state()
        self.fill_choices()

    # ---- the choices of each step -----------------------------------------------------------------

    def fill_choices(self) -> None:
        """The big "Not sure" and the topic tiles, or a topic's services; rebuilt in the resident's language."""
        general, grid, services = self.ids.general, self.ids.topics, self.ids.services
        for box in (general, grid, services):
            box.clear_widgets()
        language = self.app.language
        if self.state == "topics":
            tile = TopicTile(glyph=_glyph(NOT_SURE_ICON), text=tr._(GENERAL_MATTER), large=True)
            tile.bind(on_release=lambda _tile: self.choose_service(None))
            general.add_widget(tile)
            shown, rest = self.core.catalog.queue_topics(language, self._topic_tiles())
            for ident, label in shown:
                self._add_topic(grid, ident, label)
            if rest:
                tile = TopicTile(glyph=_glyph(OTHER_TOPICS_ICON), text=tr._(N_("Other topics")))
                tile.bind(on_release=lambda _tile: self.show_more_topics())
                grid.add_widget(tile)
        elif self.state == "more_topics":
            for ident, label in self.core.catalog.queue_topics(language, self._topic_tiles())[1]:
                self._add_topic(grid, ident, label)
        elif self.state == "services" and self._topic is not None:
            for service in self.core.catalog.queue_services(language, self._topic):
                # The service in bold, and below it the institution, as on the service's own screen.
                text = (f"[b]{escape_markup(service.name.get(language))}[/b]\n"
                        f"[size=18sp]{escape_markup(service.institution.name.get(language))}[/size]")
                button = KioskButton(text=text, role="secondary", bold=False)
                button.bind(on_release=lambda _button, service=service: self.choose_service(service))
                services.add_widget(button)
            # None of them, or not sure which: staff sort it out, as from the first step.
            button = KioskButton(text=tr._(GENERAL_MATTER), role="secondary")
            button.bind(on_release=lambda _button: self.choose_service(None))
            services.add_widget(button)
        even_out(list(grid.children))

    def _topic_tiles(self) -> int:
        return TOPIC_TILES_EXTRA_LARGE if self.font_scale > 1.4 else TOPIC_TILES

    def on_font_scale(self, *args) -> None:
        if hasattr(self, "_topic") and self.state in ("topics", "more_topics"):
            self.fill_choices()

    def _add_topic(self, grid, ident: str, label: str) -> None:
        tile = TopicTile(glyph=_glyph(TOPIC_ICONS.get(ident, TOPIC_ICON)), text=label)
        tile.bind(on_release=lambda _tile: self.show_topic(ident))
        grid.add_widget(tile)

    def _topic_name(self, ident: str) -> str:
        return self.core.catalog.situation_name(ident, self.app.language)

    # ---- what the resident does -------------------------------------------------------------------

    def show_more_topics(self) -> None:
        self.state = "more_topics"

    def show_topic(self, ident: str) -> None:
        self._from_more = self.state == "more_topics"
        self._topic = ident
        self.go("services")

    def choose_service(self, service) -> None:
        """A service of a topic, or None for "Not sure": then the priority."""
        self._before = "services" if self.state == "services" else "topics"
        self.service = service
        self.go("priority")

    def start_for(self, service) -> None:
        """Come from a service's screen: its queue is known, only the priority is left to choose; Back returns
        to that service's screen."""
        self.service = service
        self._before = "service_screen" if service is not None else "topics"
        self.go("priority")

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = []
        if self.state == "priority":
            offered = [(label, role, priority) for priority, label, role in PRIORITIES]
        elif self.state == "ticket":
            offered = [(FINISHED, "primary", "finished"), (N_("Take another ticket"), "secondary", "another")]
        elif self.state == "problem":
            offered = [(N_("Call staff"), "primary", "call_staff")]
        return offered

    def act(self, action: str) -> None:
        if action == "topics_or_more":
            self.state = "more_topics" if self._from_more else "topics"
        elif action == "before_priority":
            self._back_from_priority()
        elif action in ("topics", "another"):
            self.start_over()
        elif action in ("none", "senior", "disability", "pregnancy"):
            self.state = "taking"
            self.core.errands.take_ticket(self.service, action, self.app.language, self.show_ticket, self.show_problem)

    def _back_from_priority(self) -> None:
        if self._before == "service_screen" and self.service is not None:
            self.app.show_service(self.service.id)
        elif self._before == "services" and self._topic is not None:
            self.service = None
            self.go("services")
        else:
            self.start_over()

    # ---- the answer -------------------------------------------------------------------------------

    def spoken_text(self) -> list[str]:
        """As shown, but the number read sign by sign ("A, 0 4 2"), as it will be called out."""
        from kiosk.speech import spoken_queue_number
        spoken = super().spoken_text()
        if self.state == "ticket" and self.number:
            said = spoken_queue_number(self.number, self.app.language)
            spoken = [said if text == self.number else text for text in spoken]
        return spoken

    def show_ticket(self, ticket, printed: bool | None) -> None:
        """`printed` is None when this kiosk has no ticket printer."""
        self.number = ticket.number
        lines = []
        if ticket.people_ahead is not None:
            lines.append(tr._(N_("People ahead of you: {count}")).replace("{count}", str(ticket.people_ahead)))
        if ticket.expected_wait_min is not None:
            lines.append(tr._(N_("Expected wait: about {minutes} minutes")).replace(
                "{minutes}", str(ticket.expected_wait_min)))
        if ticket.where_to_go:
            lines.append(tr._(N_("Where: {desks}")).replace("{desks}", ticket.where_to_go))
        if not ticket.from_desk:
            lines.append(tr._(LOCAL_SERIES))
        lines.append(tr._(TICKET_NO_PRINTER if printed is None else TICKET_PRINTED if printed else TICKET_NOT_PRINTED))
        self.details = "\n".join(lines)
        printed_ticket = bool(printed)
        self.keepsake = "" if printed_ticket else ticket_keepsake(ticket, self.core.settings.centre.name,
                                                                  self.app.language)
        self.keepsake_caption = "" if printed_ticket else tr._(FOLLOW_ON_PHONE if ticket.follow_url else KEEP_ON_PHONE)
        self.message = tr._(N_("Wait for your number on the screen. When it is called, go to the desk shown."))
        self.state = "ticket"

    def show_problem(self, _error) -> None:
        self.message = tr._(N_("Please ask at the desk. We are sorry."))
        self.state = "problem"

    def reset(self) -> None:
        self.number = self.details = self.keepsake = self.keepsake_caption = ""
        self._before, self._from_more = "topics", False
        self.start_over()

    def holds_resident_data(self) -> bool:
        return bool(self.number or self.details or self.keepsake) or self.service is not None or self._topic is not None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

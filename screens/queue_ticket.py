"""Take a queue ticket: choose the service (or come from its screen), priority with one tap, see and print the number."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty, OptionProperty, StringProperty

from kiosk.core import GENERAL_MATTER
from kiosk.i18n import N_
from screens.i18n import tr
from screens.stateful import StatefulScreen
from screens.widgets import KioskButton

STATES = ["choose", "priority", "taking", "ticket", "problem"]

TEXTS = {
    "choose": (N_("Take a queue ticket"), N_("What do you need help with?")),
    "priority": (N_("Take a queue ticket"), N_("Do you need to be served first? Choose the reason if one "
                                               "applies to you.")),
    "taking": (N_("Getting your number…"), ""),
    "ticket": (N_("Your number"), ""),
    "problem": (N_("No ticket could be given"), ""),
}
PRIORITIES = (("none", N_("Get my ticket"), "primary"), ("senior", N_("I am a senior (65 or older)"), "secondary"),
              ("disability", N_("I have a disability"), "secondary"),
              ("pregnancy", N_("I am pregnant"), "secondary"))
TICKET_PRINTED = N_("Take your ticket from the printer below the screen.")
TICKET_NOT_PRINTED = N_("The ticket could not be printed: please remember your number.")
TICKET_NO_PRINTER = N_("Please remember your number.")
LOCAL_SERIES = N_("The staff desk cannot be reached just now, so this number is from this kiosk's own series. "
                  "Staff will call it too.")


class QueueTicketScreen(StatefulScreen):
    state = OptionProperty("choose", options=STATES)
    TEXTS, MESSAGE_STATES = TEXTS, ("ticket", "problem")
    number = StringProperty("")
    details = StringProperty("")
    service = ObjectProperty(None, allownone=True)

    def on_pre_enter(self, *args):
        if self.state == "choose":
            self.show_services()

    def on_state(self, *args):
        super().on_state()
        if self.state != "choose":
            self.ids.services.clear_widgets()

    def start_for(self, service) -> None:
        """Come from a service's screen: its queue is known, only the priority is left to choose."""
        self.service = service
        self.state = "priority"
        self.on_state()

    def show_services(self) -> None:
        listing = self.ids.services
        listing.clear_widgets()
        # First, for the resident who does not know the service's name: staff will sort it out.
        general = KioskButton(text=tr._(GENERAL_MATTER), role="primary")
        general.bind(on_release=lambda _button: self.start_for(None))
        listing.add_widget(general)
        language = self.app.language
        for service in self.core.catalog.queue_services(language):
            button = KioskButton(text=service.name.get(language), role="secondary")
            button.bind(on_release=lambda _button, service=service: self.start_for(service))
            listing.add_widget(button)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = []
        if self.state == "priority":
            offered = [(label, role, priority) for priority, label, role in PRIORITIES]
        if self.state in ("choose", "priority", "ticket", "problem"):
            offered.append((N_("Back to the start"), "secondary", "home"))
        if self.state == "problem":
            offered.insert(0, (N_("Call staff"), "primary", "call_staff"))
        return offered

    def act(self, priority: str) -> None:
        self.state = "taking"
        self.core.take_ticket(self.service, priority, self.app.language, self.show_ticket, self.show_problem)

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
        self.message = tr._(N_("Wait for your number on the screen. When it is called, go to the desk shown."))
        self.state = "ticket"

    def show_problem(self, _error) -> None:
        self.message = tr._(N_("Please ask at the desk. We are sorry."))
        self.state = "problem"

    def reset(self) -> None:
        self.ids.services.clear_widgets()
        self.service = None
        self.number = self.details = self.message = ""
        self.state = "choose"
        self.on_state()

    def holds_resident_data(self) -> bool:
        return bool(self.number or self.details) or self.service is not None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

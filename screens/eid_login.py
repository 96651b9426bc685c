"""Log in with the eID card: insert it, see your name, prove it is you with PIN1; taking it out logs you out.

The card is asked for where a task needs it (`ask_for`: the authorisation form), saying why, with the task going on
once the resident is logged in, or without the card; a card put in at any time is read here too.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk import events
from kiosk.eid.card import Problem
from kiosk.eid.profiles import CardKind
from kiosk.i18n import N_
from screens.i18n import tr
from screens.stateful import StatefulScreen

STATES = ["waiting", "reading", "hello", "pin", "checking", "verified", "problem", "removed", "no_reader"]

PROBLEM_MESSAGES = {
    Problem.NOT_EID: N_("This card is not an eID card. Please insert your Latvian personal identity card (eID)."),
    Problem.CARD_REMOVED: N_("The card was taken out before it could be read. Please insert it again and leave it "
                             "in the reader."),
    Problem.NO_CARD: N_("The card was taken out before it could be read. Please insert it again and leave it "
                        "in the reader."),
    Problem.CARD_ERROR: N_("The card could not be read. Please take it out and insert it again. If it happens "
                           "again, please call staff."),
    Problem.NO_READER: N_("The card reader is not connected. Please call staff."),
    Problem.PIN_BLOCKED: N_("Your PIN1 is blocked. You can unblock it with the PUK code from your PIN envelope, or "
                            "at the Office of Citizenship and Migration Affairs (PMLP)."),
    Problem.NOT_TRUSTED: N_("Your card could not be confirmed. Please call staff."),
    Problem.SIGNATURE_INVALID: N_("Your card could not be confirmed. Please call staff."),
}
UNSUPPORTED_MESSAGES = {
    CardKind.LATVIAN_EID_2012: N_("This eID card of 2012 is not supported at this kiosk. Please use an eID card "
                                  "issued in 2018 or later, or ask at the desk."),
    CardKind.EPARAKSTS: N_("The eParaksts card is not supported at this kiosk. Please use your eID card, or ask at "
                           "the desk."),
}


# Each state's heading and its plain explanation.
TEXTS = {
    "waiting": (N_("Insert your eID card"), N_("Put the card into the card reader, chip first and facing up. "
                                               "Leave it there while you use this computer. Next, you will "
                                               "enter your PIN1.")),
    "reading": (N_("Reading your card…"), N_("Please leave the card in the reader.")),
    "hello": ("", N_("Some services need you to confirm that it is you, with your PIN1.")),
    "pin": (N_("Enter your PIN1"), N_("PIN1 has 4 to 12 digits. It is checked by your card, not stored here.")),
    "checking": (N_("Checking…"), N_("Please leave the card in the reader.")),
    "verified": ("", N_("You are logged in: your identity is confirmed.")),
    "problem": (N_("The card cannot be used"), ""),
    "removed": (N_("Your card was taken out"), N_("You have been logged out of everything that needed your card.")),
    "no_reader": (N_("The card reader is not working"), ""),
}
# The buttons each state offers: (message, role, what it does).
ACTIONS = {
    "hello": ((N_("Confirm with PIN1"), "primary", "ask_pin"),),
    "verified": ((N_("Continue"), "primary", "home"),),
    "problem": ((N_("Try again"), "primary", "retry"), (N_("Call staff"), "secondary", "call_staff")),
    "removed": ((N_("Continue"), "primary", "home"),),
    "no_reader": ((N_("Call staff"), "primary", "call_staff"),),
}
# Where Back goes: from the PIN pad back to the card's greeting; nowhere while the card is being talked to.
BACK = {"pin": "cancel_pin", "reading": None, "checking": None}
# Where the reader is, said before the resident looks for it ([eid] reader_place).
READER_PLACES = {
    "right": N_("The card reader is to the right of the screen."),
    "left": N_("The card reader is to the left of the screen."),
    "below": N_("The card reader is below the screen."),
}


class EidLoginScreen(StatefulScreen):
    state = OptionProperty("waiting", options=STATES)
    TEXTS, ACTIONS, BACK, MESSAGE_STATES = TEXTS, ACTIONS, BACK, ("problem", "no_reader")
    name_line = StringProperty("")
    code_line = StringProperty("")
    warning = StringProperty("")
    pin_length = NumericProperty(0)
    tries_left = NumericProperty(-1)
    photo = ObjectProperty(None, allownone=True)  # [eid] reader_picture: this kiosk's own reader

    def on_core(self, *args) -> None:
        self.photo = self.core.settings.eid.reader_picture if self.core is not None else None

    def on_kv_post(self, base_widget):
        # What the card is asked for, when a task asked: (why, untranslated; go on; go on without the card or None).
        self._purpose: tuple[str, object, object] | None = None
        # Kept here (kv ids are weak): out of the layout but for the PIN, so that its disabled keys, still where
        # they were laid out, cannot swallow a touch meant for what is shown in their place.
        section = self._pin_section = self.ids.pin_section.__self__
        self._pin_section_at = section.parent.children.index(section)
        section.parent.remove_widget(section)
        super().on_kv_post(base_widget)

    def on_pre_enter(self, *args):
        login = self.core.visit.card if self.core.visit is not None else None
        if not self.core.reader_present:
            self.message = tr._(PROBLEM_MESSAGES[Problem.NO_READER])
            self.state = "no_reader"
        elif login is not None and login.identity is not None:
            self.show_identity(login.identity, verified=login.verified)
        elif self.state not in ("reading", "problem"):
            self.state = "waiting"

    def on_core_event(self, event) -> None:
        if isinstance(event, events.CardReading):
            self.message = ""
            self.state = "reading"
        elif isinstance(event, events.IdentityRead):
            self.show_identity(event.identity, verified=self.core.visit is not None and self.core.visit.card.verified)
        elif isinstance(event, events.LoginSucceeded):
            self.show_identity(event.identity, verified=True)
        elif isinstance(event, events.PinTries):
            self.set_tries(event.tries_left)
        elif isinstance(event, events.CardProblem) and self.app.in_visit:
            self.show_problem(event)
        elif isinstance(event, events.CardTakenOut):
            if self.app.current_screen == "eid_login":
                self.card_taken_out()
            elif event.had_identity:
                self.reset()
        elif isinstance(event, events.ReaderMissing) and self.app.current_screen == "eid_login":
            self.show_problem(events.CardProblem(Problem.NO_READER))
        elif isinstance(event, events.ReaderFound) and self.state == "no_reader":
            self.state = "waiting"

    def on_state(self, *args) -> None:
        column = self.ids.body.parent
        section = self._pin_section
        if self.state == "pin" and section.parent is None:
            column.add_widget(section, index=self._pin_section_at)
        elif self.state != "pin" and section.parent is not None:
            column.remove_widget(section)
        super().on_state(*args)
        if self._purpose is not None and self.state in self.MESSAGE_STATES:
            self.body = tr._(self._purpose[0]) + " " + self.body  # why the card, then what stops it

    def heading(self, heading: str) -> str:
        return self.name_line if self.state in ("hello", "verified") else super().heading(heading)

    def explanation(self, explanation: str) -> str:
        said = super().explanation(explanation)
        if self.state == "waiting":
            said = tr._(READER_PLACES[self.core.settings.eid.reader_place]) + " " + said
        if self._purpose is not None and self.state in ("waiting", "hello"):
            said = tr._(self._purpose[0]) + " " + said  # why the card is asked for, first
        return said

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = super().offered_actions()
        if self._purpose is None:
            return offered
        if self.state in ("hello", "verified"):  # the card is read: the task needs no PIN, and goes on
            return [(N_("Continue"), "primary", "then")]
        if self.state in ("waiting", "problem", "no_reader") and self._purpose[2] is not None:
            offered.append((N_("Continue without the card"), "secondary", "without"))
        return offered

    def ask_for(self, why: str, then, without=None) -> None:
        """A task needs what the card says: say `why` (untranslated); `then()` once it is read, `without()` if the
        resident goes on without it (None: the task cannot)."""
        self._purpose = (why, then, without)
        self.on_state()

    def on_leave(self, *args) -> None:
        self._forget_purpose()  # the task is left (or goes on): a card put in later is just a login

    def _forget_purpose(self) -> None:
        if self._purpose is not None:
            self._purpose = None
            self.on_state()

    def on_name_line(self, *args):
        self.on_state()

    def on_message(self, *args):
        self.on_state()

    def act(self, action: str) -> None:
        if action == "ask_pin":
            self.ask_pin()
        elif action == "cancel_pin":
            self.clear_pin()
            self.state = "hello" if self.name_line else "waiting"
        elif action == "retry":
            self.message = ""
            self.state = "waiting"
            self.core.reread_card()
        elif action in ("then", "without") and self._purpose is not None:
            _why, then, without = self._purpose
            self._forget_purpose()
            (then if action == "then" else without)()

    # ---- what the card said ---------------------------------------------------------------------

    def show_identity(self, identity, verified: bool = False) -> None:
        self.name_line = tr._("Hello, {name}").format(name=f"{identity.given_name} {identity.surname}")
        self.code_line = tr._("Personal code: {code}").format(code=identity.masked_code)
        self.state = "verified" if verified else "hello"

    def show_problem(self, error: events.CardProblem) -> None:
        if error.problem is Problem.PIN_WRONG:
            self.state = "pin"
            self.set_tries(error.tries_left)
            self.message = tr._("Wrong PIN.")
            return
        if error.problem is Problem.PIN_FORMAT:
            self.state = "pin"
            self.message = tr._("PIN1 has 4 to 12 digits.")
            return
        if error.problem is Problem.UNSUPPORTED:
            self.message = tr._(UNSUPPORTED_MESSAGES.get(error.card_kind, UNSUPPORTED_MESSAGES[CardKind.EPARAKSTS]))
        else:
            self.message = tr._(PROBLEM_MESSAGES[error.problem])
        self.state = "no_reader" if error.problem is Problem.NO_READER else "problem"

    def set_tries(self, tries_left: int | None) -> None:
        self.tries_left = -1 if tries_left is None else tries_left
        if self.tries_left == 1:
            self.warning = tr._("Careful: one more wrong PIN blocks your card.")
        else:
            self.warning = ""

    def card_taken_out(self) -> None:
        self.clear_pin()
        self.name_line = self.code_line = ""
        self.state = "removed"

    # ---- the PIN pad ----------------------------------------------------------------------------

    def ask_pin(self) -> None:
        self.clear_pin()
        self.message = ""
        self.state = "pin"
        self.core.check_pin_tries()

    def press(self, key: str) -> None:
        """A key of the PIN pad, as the pad's own keys give it (and a physical keyboard's digits)."""
        self.ids.pin_pad.press(key)

    def send_pin(self, pin: str) -> None:
        """The pad's PIN, handed over once: to the card, and kept nowhere."""
        self.message = ""
        self.state = "checking"
        self.core.login(pin)

    def clear_pin(self) -> None:
        self.ids.pin_pad.clear()

    # ---- privacy -------------------------------------------------------------------------------

    def reset(self) -> None:
        self._purpose = None
        self.clear_pin()
        self.name_line = self.code_line = self.message = self.warning = ""
        self.tries_left = -1
        self.state = "waiting"

    def holds_resident_data(self) -> bool:
        return bool(self.pin_length or self.name_line or self.code_line)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

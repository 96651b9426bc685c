"""Book a video consultation: institution, topic, a free time, then the booking and its receipt."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from kiosk.i18n import N_, moment_in_words
from kiosk.keepsakes import booking_keepsake
from screens.i18n import tr
from screens.stateful import FINISHED, StatefulScreen
from screens.widgets import KioskButton

STATES = ["loading", "institution", "topic", "slot", "confirm", "booking", "booked", "problem"]

TEXTS = {
    "loading": (N_("Book a video consultation"), N_("Please wait…")),
    "institution": (N_("Book a video consultation"), N_("Talk to a specialist by video, here at the centre. "
                                                        "Which institution?")),
    "topic": (N_("Book a video consultation"), N_("What is it about?")),
    "slot": (N_("Choose a time"), N_("Free times at this centre:")),
    "confirm": (N_("Book this time?"), ""),  # what is to be booked, in words (see `explanation`)
    "booking": (N_("Booking…"), ""),  # what is being booked stays in view
    "booked": (N_("Your consultation is booked"), ""),  # the booking itself
    "problem": (N_("Booking is not possible just now"), ""),  # the problem's words
}
ACTIONS = {
    "confirm": ((N_("Book this time"), "primary", "book"),),
    "booked": ((FINISHED, "primary", "finished"),),
}
# Back goes to the step before; "before" is the step that led to a wait or a problem (see `_before`). None: no
# Back while the desk books the time.
BACK = {"loading": "before", "topic": "institutions", "slot": "topics", "confirm": "slots", "booking": None,
        "problem": "before"}
# The desk's topic codes, in words.
TOPICS = {
    "pension": N_("Pensions"), "benefits": N_("Benefits and allowances"),
    "parental-benefit": N_("Parental benefit"), "disability": N_("Disability"),
    "tax-return": N_("Annual income declaration"), "eds": N_("The EDS electronic declaration system"),
    "tax-debt": N_("Tax debts and payments"), "registration": N_("Registering as a taxpayer"),
    "cadastre": N_("Property in the cadastre"), "address": N_("Addresses"),
    "property-valuation": N_("Property valuation"),
}
SLOTS_SHOWN = 12  # the first free times: enough to choose from, few enough to read through
# Without the desk nothing can be booked here; a staff member at the desk can: the ticket is the way that works.
NEEDS_DESK = N_("Video consultations are booked through the centre's staff, and this kiosk cannot reach them "
                "just now. Take a queue ticket: a staff member at the desk will book a time with you.")
SLOT_TAKEN = N_("Somebody has just booked this time. Please choose another.")
NO_SLOTS = N_("There are no free times for this at the moment. Take a queue ticket: a staff member at the desk "
              "will help you.")
TAKE_TICKET = N_("Take a queue ticket")
# Where Back goes from each problem: home without the desk, else the step to choose again from.
BACK_FROM_PROBLEM = {NEEDS_DESK: "home", NO_SLOTS: "topics", SLOT_TAKEN: "slots"}
# What became of the booking's receipt; without one, the booking is shown as a QR code the phone can keep.
PRINTING = "printing"  # not known yet: nothing is said of the receipt
RECEIPT_WORDS = {
    True: N_("Take your receipt from the printer below the screen."),
    False: N_("The receipt could not be printed: please note your reference, or scan the code with your phone."),
    None: N_("This kiosk does not print receipts: please note your reference, or scan the code with your phone."),
}


class VideoScreen(StatefulScreen):
    state = OptionProperty("loading", options=STATES)
    TEXTS, ACTIONS, BACK, MESSAGE_STATES = TEXTS, ACTIONS, BACK, ()
    keepsake = StringProperty("")  # the booking as a QR code's text, when no receipt was printed

    def on_kv_post(self, base_widget):
        # What the desk answered and the resident chose, kept untranslated: each step is drawn from them again in
        # the resident's language whenever it changes.
        self._institutions: dict[str, tuple[str, ...]] = {}  # institution code -> its topic codes
        self._institution = self._topic = ""
        self._slots: list = []
        self._slot = None
        self._booking = None
        self._printed: bool | None | str = PRINTING
        self._asked = 0  # which question to the desk is the one waited for (a late answer to another is dropped)
        self._problem: str | None = None  # one of NEEDS_DESK, NO_SLOTS, SLOT_TAKEN
        super().on_kv_post(base_widget)

    def on_pre_enter(self, *args):
        if self.state in ("loading", "problem"):  # after a problem, the desk may answer again
            self.load_institutions()

    def _new_question(self):
        """A question to the desk: its answers (the callbacks the returned function wraps) are used only while
        this screen still waits for this very question. The resident may have gone Back meanwhile and asked
        another (the times of another topic), whose answer must not be shown under this one."""
        self._asked += 1
        asked = self._asked

        def when_waiting(callback):
            def answer(result) -> None:
                if self.state in ("loading", "booking") and asked == self._asked:
                    callback(result)
            return answer
        return when_waiting

    # ---- what each state shows ------------------------------------------------------------------

    def on_state(self, *args) -> None:
        # The choices and the code first: the state is read aloud (in super) as a whole.
        self._fill_choices()
        self.keepsake = self._keepsake()
        super().on_state()

    def explanation(self, explanation: str) -> str:
        if self.state in ("confirm", "booking"):
            return self._summary()
        if self.state == "booked":
            return self._booking_lines()
        if self.state == "problem":
            return tr._(self._problem) if self._problem else ""
        return super().explanation(explanation)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        if self.state != "problem":
            return super().offered_actions()
        if self._problem == SLOT_TAKEN:
            return [(N_("Choose another time"), "primary", "slots")]
        # What works without the desk: a queue ticket, and calling a staff member.
        return [(TAKE_TICKET, "primary", "queue_ticket"), (N_("Call staff"), "secondary", "call_staff")]

    def _fill_choices(self) -> None:
        """The institutions, a topic or a free time to choose, as buttons between the words and the others."""
        if self.state == "institution":
            choices = [(self._institution_name(code), lambda code=code: self.choose_institution(code))
                       for code in self._institutions]
        elif self.state == "topic":
            choices = [(self._topic_name(topic), lambda topic=topic: self.choose_topic(topic))
                       for topic in self._institutions.get(self._institution, ())]
        elif self.state == "slot":
            choices = [(self._when(slot.start, slot.duration_min), lambda slot=slot: self.choose_slot(slot))
                       for slot in self._slots]
        else:
            choices = []
        box = self.ids.choices
        box.clear_widgets()
        for label, choose in choices:
            button = KioskButton(text=label, role="secondary")
            button.bind(on_release=lambda _button, choose=choose: choose())
            box.add_widget(button)

    def _summary(self) -> str:
        """The time chosen: with whom, about what, when."""
        slot = self._slot
        if slot is None:
            return ""
        return (f"{self._institution_name(slot.institution)}\n{self._topic_name(self._topic)}\n"
                f"{self._when(slot.start, slot.duration_min)}")

    def _booking_lines(self) -> str:
        """The booking, and what became of its receipt once the printer has answered."""
        booking = self._booking
        if booking is None:
            return ""
        lines = [tr._(N_("Reference: {reference}")).replace("{reference}", booking.reference),
                 self._institution_name(booking.institution), self._when(booking.start, booking.duration_min)]
        if booking.room:
            lines.append(tr._(N_("Room: {room}")).replace("{room}", booking.room))
        lines.append(tr._(N_("Please come to the centre a few minutes before.")))
        if self._printed is not PRINTING:
            lines.append(tr._(RECEIPT_WORDS[self._printed]))
        return "\n".join(lines)

    def _keepsake(self) -> str:
        """The booking for the phone to keep, when it is booked and no receipt came out."""
        booking = self._booking
        if self.state != "booked" or booking is None or self._printed in (True, PRINTING):
            return ""
        return booking_keepsake(booking, self.core.settings.centre.name, self._institution_name(booking.institution),
                                self.app.language)

    # ---- what the resident does -----------------------------------------------------------------

    def act(self, action: str) -> None:
        if action == "before":
            self.do(self._before())
        elif action == "institutions":
            self.load_institutions()
        elif action == "topics":
            self.choose_institution(self._institution)
        elif action == "slots":
            self.choose_topic(self._topic)  # the free times asked for again: the one taken is gone
        elif action == "book":
            self.book()
        elif action == "queue_ticket":
            self.app.show("queue_ticket")

    def _before(self) -> str:
        """Back from a wait or a problem: the topics while their times load, else home; after a problem, the step
        to choose again from."""
        if self.state == "problem":
            return BACK_FROM_PROBLEM.get(self._problem, "home")
        return "topics" if self._topic else "home"

    def load_institutions(self) -> None:
        self._institution = self._topic = ""
        self._problem = None
        self.go("loading")
        when_waiting = self._new_question()
        self.core.errands.video_institutions(when_waiting(self._institutions_loaded), when_waiting(self.show_problem))

    def _institutions_loaded(self, institutions: dict) -> None:
        self._institutions = institutions
        self.go("institution")

    def choose_institution(self, code: str) -> None:
        self._institution = code
        self._topic = ""  # none yet: Back from the wait for its times goes home rather than here
        self.go("topic")

    def choose_topic(self, topic: str) -> None:
        self._topic = topic
        self.go("loading")
        when_waiting = self._new_question()
        self.core.errands.video_slots(self._institution, topic, when_waiting(self._slots_loaded),
                                      when_waiting(self.show_problem))

    def _slots_loaded(self, slots: list) -> None:
        self._slots = list(slots[:SLOTS_SHOWN])
        if not slots:
            self._problem = NO_SLOTS
            self.go("problem")
        else:
            self.go("slot")

    def choose_slot(self, slot) -> None:
        self._slot = slot
        self.go("confirm")

    def book(self) -> None:
        self.go("booking")  # no Back while the desk books the time
        self.core.errands.book_video(self._slot, self._topic, self._booked, self._book_failed)

    def _booked(self, booking) -> None:
        self.show_booking(booking)
        self.core.errands.print_booking_receipt(booking, self.app.language, self._receipt_printed)

    def show_booking(self, booking, printed: bool | None | str = PRINTING) -> None:
        """The booking; `printed`: whether its receipt came out (None: no receipt printer), PRINTING meanwhile."""
        self._booking = booking
        self._printed = printed
        self.go("booked")

    def _receipt_printed(self, printed: bool | None) -> None:
        if self.state == "booked":
            self.show_booking(self._booking, printed)

    def _book_failed(self, error) -> None:
        from kiosk.desk_link import SlotTaken
        if isinstance(error, SlotTaken):
            self._problem = SLOT_TAKEN
            self.go("problem")
        else:
            self.show_problem(error)

    def show_problem(self, _error) -> None:
        self._problem = NEEDS_DESK
        self.go("problem")

    def _institution_name(self, code: str) -> str:
        return self.core.catalog.institution_name(code, self.app.language)

    def _topic_name(self, code: str) -> str:
        """A topic in words; one this kiosk has no words for (a newer desk's) as the desk names it."""
        return tr._(TOPICS[code]) if code in TOPICS else code

    def _when(self, start, minutes: int) -> str:
        """The day in words, the time, how long: "trešdiena, 2026. gada 9. decembris, plkst. 9:30 (20 minūtes)"."""
        language = self.app.language
        length = tr.ngettext("{count} minute", "{count} minutes", minutes).replace("{count}", str(minutes))
        return f"{moment_in_words(start, language)} ({length})"

    # ---- privacy ---------------------------------------------------------------------------------

    def reset(self) -> None:
        self._asked += 1  # whatever was asked for the last resident is answered to nobody
        self._institutions = {}
        self._institution = self._topic = ""
        self._slots = []
        self._slot = self._booking = self._problem = None
        self._printed = PRINTING
        self.go("loading")

    def holds_resident_data(self) -> bool:
        return self._booking is not None or self._slot is not None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

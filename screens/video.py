"""Book a video consultation: institution, topic, a free time, then the booking and its receipt."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from kiosk.i18n import N_, moment_in_words
from kiosk.keepsakes import booking_keepsake
from screens.i18n import tr
from screens.stateful import FINISHED
from screens.widgets import KioskButton, KioskScreen

STATES = ["loading", "institution", "topic", "slot", "confirm", "booking", "booked", "problem"]

TEXTS = {
    "loading": (N_("Book a video consultation"), N_("Please wait…")),
    "institution": (N_("Book a video consultation"), N_("Talk to a specialist by video, here at the centre. "
                                                        "Which institution?")),
    "topic": (N_("Book a video consultation"), N_("What is it about?")),
    "slot": (N_("Choose a time"), ""),
    "confirm": (N_("Book this time?"), ""),
    "booking": (N_("Booking…"), ""),
    "booked": (N_("Your consultation is booked"), ""),
    "problem": (N_("Booking is not possible just now"), ""),
}
# The desk's topic codes, in words.
TOPICS = {
    "pension": N_("Pensions"), "benefits": N_("Benefits and allowances"),
    "parental-benefit": N_("Parental benefit"), "disability": N_("Disability"),
    "tax-return": N_("Annual income declaration"), "eds": N_("The EDS electronic declaration system"),
    "tax-debt": N_("Tax debts and payments"), "registration": N_("Registering as a taxpayer"),
    "cadastre": N_("Property in the cadastre"), "address": N_("Addresses"),
    "property-valuation": N_("Property valuation"),
}
# Without the desk nothing can be booked here; a staff member at the desk can: the ticket is the way that works.
NEEDS_DESK = N_("Video consultations are booked through the centre's staff, and this kiosk cannot reach them "
                "just now. Take a queue ticket: a staff member at the desk will book a time with you.")
SLOT_TAKEN = N_("Somebody has just booked this time. Please choose another.")
NO_SLOTS = N_("There are no free times for this at the moment. Take a queue ticket: a staff member at the desk "
              "will help you.")
TAKE_TICKET = N_("Take a queue ticket")
# What became of the booking's receipt; without one, the booking is shown as a QR code the phone can keep.
PRINTING = "printing"  # not known yet: nothing is said of the receipt
RECEIPT_WORDS = {
    True: N_("Take your receipt from the printer below the screen."),
    False: N_("The receipt could not be printed: please note your reference, or scan the code with your phone."),
    None: N_("This kiosk does not print receipts: please note your reference, or scan the code with your phone."),
}


class VideoScreen(KioskScreen):
    state = OptionProperty("loading", options=STATES)
    title = StringProperty("")
    body = StringProperty("")
    keepsake = StringProperty("")  # the booking as a QR code's text, when no receipt was printed

    def on_kv_post(self, base_widget):
        self._institution = self._topic = ""
        self._slot = None
        self._booking = None
        self._redisplay = None  # the current step drawn again when the language changes
        self._main = self._back = None  # what the bottom bar's main action and Back do
        tr.fbind("_", self._language_changed)

    def on_pre_enter(self, *args):
        if self.state in ("loading", "problem"):  # after a problem, the desk may answer again
            self.load_institutions()

    def _when_waiting(self, callback):
        """An answer of the desk, used only while this screen still waits for it (the resident may have gone
        Back meanwhile)."""
        def answer(result) -> None:
            if self.state in ("loading", "booking"):
                callback(result)
        return answer

    def _language_changed(self, *args):
        if self._redisplay is not None:
            self._redisplay()
        else:
            self._retranslate()

    def _retranslate(self, *args):
        heading, explanation = TEXTS[self.state]
        self.title = tr._(heading)
        if explanation:
            self.body = tr._(explanation)

    def _show(self, state: str, body: str = "", choices=(), actions=(), main=None, back=None) -> None:
        """Put the state's heading, its sentence, its choices and other buttons (label, callback) on screen; `main`
        (label, callback) is the bottom bar's one main action, `back` what its Back does (None: no Back)."""
        self.state = state
        self._retranslate()
        if body:
            self.body = body
        for box, items in ((self.ids.choices, choices), (self.ids.actions, actions)):
            box.clear_widgets()
            for label, callback in items:
                button = KioskButton(text=label, role="secondary")
                button.bind(on_release=lambda _button, callback=callback: callback())
                box.add_widget(button)
        self._main = main[1] if main else None
        self.main_label = main[0] if main else ""
        self._back = back
        self.back_shown = back is not None

    def main_action(self) -> None:
        if self._main is not None:
            self._main()

    def go_back(self) -> None:
        if self._back is not None:
            self._back()

    def _ways_that_work(self) -> dict:
        """What works without the desk: a queue ticket (the main action), and calling a staff member."""
        return {"main": (tr._(TAKE_TICKET), lambda: self.app.show("queue_ticket")),
                "actions": [(tr._(N_("Call staff")), self.app.call_staff)]}

    # ---- steps ----------------------------------------------------------------------------------

    def load_institutions(self) -> None:
        self._redisplay = None
        self._show("loading", back=self.app.go_home)
        self.core.video_institutions(self._when_waiting(self._institutions_loaded),
                                     self._when_waiting(self.show_problem))

    def _institutions_loaded(self, institutions: dict) -> None:
        self._redisplay = lambda: self._institutions_loaded(institutions)
        self._topics = institutions
        self._show("institution", choices=[(self._institution_name(code), lambda code=code: self.choose_institution(code))
                                           for code in institutions], back=self.app.go_home)

    def choose_institution(self, code: str) -> None:
        self._institution = code
        self._redisplay = lambda: self.choose_institution(code)
        topics = self._topics.get(code, ())
        self._show("topic", choices=[(tr._(TOPICS.get(topic, topic)), lambda topic=topic: self.choose_topic(topic))
                                     for topic in topics], back=self.load_institutions)

    def choose_topic(self, topic: str) -> None:
        self._topic = topic
        self._redisplay = None
        self._show("loading", back=lambda: self.choose_institution(self._institution))
        self.core.video_slots(self._institution, topic, self._when_waiting(self._slots_loaded),
                              self._when_waiting(self.show_problem))

    def _slots_loaded(self, slots: list) -> None:
        self._redisplay = lambda: self._slots_loaded(slots)
        back = lambda: self.choose_institution(self._institution)  # noqa: E731  (the topics, again)
        if not slots:
            self._show("problem", tr._(NO_SLOTS), back=back, **self._ways_that_work())
            return
        self._show("slot", tr._(N_("Free times at this centre:")),
                   choices=[(self._when(slot.start, slot.duration_min), lambda slot=slot: self.choose_slot(slot))
                            for slot in slots[:12]], back=back)

    def choose_slot(self, slot) -> None:
        self._slot = slot
        self._redisplay = lambda: self.choose_slot(slot)
        self._show("confirm", f"{self._institution_name(slot.institution)}\n{tr._(TOPICS.get(self._topic, ''))}\n"
                              f"{self._when(slot.start, slot.duration_min)}",
                   main=(tr._(N_("Book this time")), self.book), back=lambda: self.choose_topic(self._topic))

    def book(self) -> None:
        self._redisplay = None
        self._show("booking")  # no Back while the desk books the time
        self.core.book_video(self._slot, self._topic, self._booked, self._book_failed)

    def _booked(self, booking) -> None:
        self._booking = booking
        self.show_booking(booking)
        self.core.print_booking_receipt(booking, self.app.language, self._receipt_printed)

    def show_booking(self, booking, printed: bool | None | str = PRINTING) -> None:
        """The booking; `printed`: whether its receipt came out (None: no receipt printer), PRINTING meanwhile."""
        self._redisplay = lambda: self.show_booking(booking, printed)
        lines = [tr._(N_("Reference: {reference}")).replace("{reference}", booking.reference),
                 self._institution_name(booking.institution), self._when(booking.start, booking.duration_min)]
        if booking.room:
            lines.append(tr._(N_("Room: {room}")).replace("{room}", booking.room))
        lines.append(tr._(N_("Please come to the centre a few minutes before.")))
        if printed is not PRINTING:
            lines.append(tr._(RECEIPT_WORDS[printed]))
        self.keepsake = "" if printed in (True, PRINTING) else booking_keepsake(
            booking, self.core.settings.centre.name, self._institution_name(booking.institution), self.app.language)
        self._show("booked", "\n".join(lines), back=self.app.go_home,
                   main=(tr._(FINISHED), lambda: self.app.end_visit("resident")))

    def _receipt_printed(self, printed: bool | None) -> None:
        if self.state == "booked":
            self.show_booking(self._booking, printed)

    def _book_failed(self, error) -> None:
        from kiosk.staffdesk import SlotTaken
        if isinstance(error, SlotTaken):
            self._redisplay = lambda: self._book_failed(error)
            self._show("problem", tr._(SLOT_TAKEN), main=(tr._(N_("Choose another time")),
                                                          lambda: self.choose_topic(self._topic)),
                       back=lambda: self.choose_topic(self._topic))
        else:
            self.show_problem(error)

    def show_problem(self, _error) -> None:
        self._redisplay = lambda: self.show_problem(_error)
        self._show("problem", tr._(NEEDS_DESK), back=self.app.go_home, **self._ways_that_work())

    def _institution_name(self, code: str) -> str:
        return self.core.catalog.institution_name(code, self.app.language)

    def _when(self, start, minutes: int) -> str:
        """The day in words, the time, how long: "trešdiena, 2026. gada 9. decembris, plkst. 9:30 (20 minūtes)"."""
        language = self.app.language
        length = tr.ngettext("{count} minute", "{count} minutes", minutes).replace("{count}", str(minutes))
        return f"{moment_in_words(start, language)} ({length})"

    # ---- privacy ---------------------------------------------------------------------------------

    def reset(self) -> None:
        self._institution = self._topic = ""
        self._slot = self._booking = self._redisplay = None
        self.ids.choices.clear_widgets()
        self.ids.actions.clear_widgets()
        self._main = self._back = None
        self.main_label = ""
        self.back_shown = True
        self.body = self.keepsake = ""
        self.state = "loading"
        self._retranslate()

    def holds_resident_data(self) -> bool:
        return self._booking is not None or self._slot is not None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

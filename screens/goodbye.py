"""The end of a visit: what was deleted, and what this resident must not leave behind."""

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty

from kiosk import events
from screens.widgets import KioskScreen


class GoodbyeScreen(KioskScreen):
    # Set from the visit just before its wipe: only the reminders that apply to it are shown.
    scanned = BooleanProperty(False)
    printed = BooleanProperty(False)
    card_left = BooleanProperty(False)  # still in the reader: the screen stays until it is taken out
    # Counted down on screen, so that nobody wonders whether the kiosk is stuck or waiting for them.
    seconds_left = NumericProperty(0)
    _ticking = None

    def on_pre_enter(self, *args):
        if not self.card_left:
            self._count_down()

    def _count_down(self) -> None:
        self.seconds_left = self.core.timings.goodbye_s
        if self._ticking is None:
            self._ticking = Clock.schedule_interval(self._tick, 1)

    def on_leave(self, *args):
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None
        self.card_left = False

    def _tick(self, _dt) -> None:
        self.seconds_left = max(0, self.seconds_left - 1)

    def on_core_event(self, event) -> None:
        if isinstance(event, events.CardTakenOut) and self.card_left and self.app.current_screen == "goodbye":
            self.card_left = False
            self._count_down()
            self.app.finish_goodbye_after(self.core.timings.goodbye_s)

    def main_action(self) -> None:
        self.app.finish_goodbye()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""The end of a visit: what was deleted, and what not to leave behind."""

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty

from screens.widgets import KioskScreen


class GoodbyeScreen(KioskScreen):
    # Set from the session just before its wipe: whether to stress the scanner and printer reminders.
    scanned = BooleanProperty(False)
    printed = BooleanProperty(False)
    # Counted down on screen, so that nobody wonders whether the kiosk is stuck or waiting for them.
    seconds_left = NumericProperty(0)
    _ticking = None

    def on_pre_enter(self, *args):
        self.seconds_left = self.core.timings.goodbye_s
        self._ticking = Clock.schedule_interval(self._tick, 1)

    def on_leave(self, *args):
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None

    def _tick(self, _dt) -> None:
        self.seconds_left = max(0, self.seconds_left - 1)

    def main_action(self) -> None:
        self.app.finish_goodbye()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

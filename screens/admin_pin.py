"""The administrator's PIN pad, reached only by the hidden corner gesture."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.admin_pin import MAX_DIGITS, PinCheck
from screens.i18n import tr
from screens.widgets import KioskScreen


class AdminPinScreen(KioskScreen):
    message = StringProperty("")
    max_digits = MAX_DIGITS

    def press(self, key: str) -> None:
        """A key of the pad, as its own keys give it (and a physical keyboard's digits)."""
        self.ids.keypad.press(key)

    def check(self, pin: str) -> None:
        """The pad's PIN, handed over once."""
        answer = self.core.check_admin_pin(pin)
        if answer.result is PinCheck.ACCEPTED:
            self.message = ""
            self.app.admin.enter()
        elif answer.result is PinCheck.WRONG:
            self.message = tr._("Wrong PIN.")
        else:
            self.message = tr.ngettext("Too many wrong tries. Try again in {n} second.",
                                       "Too many wrong tries. Try again in {n} seconds.",
                                       answer.wait_s).format(n=answer.wait_s)

    def reset(self) -> None:
        self.ids.keypad.clear()
        self.message = ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

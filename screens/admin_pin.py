"""The administrator's PIN pad, reached only by the hidden corner gesture."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.admin_pin import MAX_DIGITS, PinCheck
from screens.i18n import tr
from screens.widgets import KioskButton, KioskScreen, pad_key_label


class AdminPinScreen(KioskScreen):
    entered = StringProperty("")
    message = StringProperty("")

    def on_kv_post(self, base_widget):
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "ok"):
            button = KioskButton(text=pad_key_label(key), font_size="32sp",
                                 role="secondary" if key.isdigit() else "primary")
            button.bind(on_release=lambda _button, key=key: self.press(key))
            self.ids.keypad.add_widget(button)

    def press(self, key: str) -> None:
        if key == "erase":
            self.entered = self.entered[:-1]
        elif key == "ok":
            self.submit()
        elif len(self.entered) < MAX_DIGITS:
            self.entered += key

    def submit(self) -> None:
        pin, self.entered = self.entered, ""
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
        self.entered = ""
        self.message = ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

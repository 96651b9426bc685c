"""The way to the administrator's screens: five taps in the top-left corner, the PIN, and back to the public."""

from __future__ import annotations

from kivy.metrics import dp

from kiosk.gesture import CornerTaps

ADMIN_SCREENS = ("admin_pin", "admin")


class AdminDoor:
    """Opens the PIN pad on the corner gesture; while it or the admin screen is shown, a card starts no visit."""

    def __init__(self, app):
        self.app = app
        admin = app.settings.admin
        self.corner_taps = CornerTaps(admin.corner_taps, admin.corner_window_s)
        self._came_from = "greeting"

    @property
    def is_open(self) -> bool:
        return self.app.current_screen in ADMIN_SCREENS

    def touched(self, window, touch) -> None:
        corner = dp(80)
        if touch.x < corner and touch.y > window.height - corner:
            if self.corner_taps.tap():
                self.open_pin()
        else:
            self.corner_taps.other_touch()

    def open_pin(self) -> None:
        if self.is_open:
            return
        self.app.dialogs.close_all()
        self._came_from = self.app.current_screen or "greeting"
        self.app.core.suspended = True
        self.app.show("admin_pin")

    def enter(self) -> None:
        """The PIN was right: the resident's visit (if any) is wiped before the admin screen shows."""
        if self.app.core.visit is not None:
            self.app.end_visit("administrator", farewell=False)
        self.app.reset_preferences()
        self.app.show("admin")

    def cancel_pin(self) -> None:
        self.app.screen("admin_pin").reset()
        self.app.core.suspended = False
        self.app.show(self._came_from)

    def leave(self) -> None:
        if self.app.current_screen == "admin_pin":
            self.cancel_pin()
        else:
            self.app.core.suspended = False
            self.app.reset_preferences()
            self.app.show("greeting")

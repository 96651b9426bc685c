"""Starts the kiosk window: Kivy's lock-down settings first, then the application."""

from __future__ import annotations

import os
import signal

from kiosk.config import Settings
from kiosk.core import KioskCore


def configure_kivy(settings: Settings, windowed: bool) -> None:
    """Kivy reads these when the window is created, so they are set before anything imports it."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    from kivy.config import Config
    full = settings.ui.fullscreen and not windowed
    Config.set("graphics", "fullscreen", "auto" if full else "0")
    Config.set("graphics", "borderless", "1" if full else "0")
    Config.set("graphics", "resizable", "0" if full else "1")
    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    Config.set("graphics", "show_cursor", "1" if settings.ui.show_cursor or windowed else "0")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("kivy", "exit_on_escape", "0")
    # One input path for the mouse; touch screens come through probesysfs. Right-click makes no red dots.
    Config.set("input", "mouse", "mouse,disable_on_activity,multitouch_on_demand")


def run_kiosk(core: KioskCore, windowed: bool = False) -> int:
    """The window for a core built from the settings (by `kiosk run`), until the app is stopped."""
    configure_kivy(core.settings, windowed)
    from kivy.clock import Clock
    from screens.app import KioskApp
    app = KioskApp(core)
    # systemd and shutdown send SIGTERM: stop through the app, so the open session is wiped first.
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.exit_app("SIGTERM")))
    app.run()
    return 0

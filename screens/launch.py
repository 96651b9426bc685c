"""Starts the kiosk window: Kivy's lock-down settings first, then the application."""

from __future__ import annotations

import signal

from kiosk.config import Settings
from kiosk.core import KioskCore
from kiosk.notify import ServiceNotifier
from screens.window_setup import configure_window


def configure_kivy(settings: Settings, windowed: bool) -> None:
    """Kivy reads these when the window is created, so they are set before anything imports it."""
    configure_window(settings.ui.fullscreen and not windowed, settings.ui.show_cursor or windowed)
    from kivy.config import Config
    # One input path for the mouse; touch screens come through probesysfs. Right-click makes no red dots.
    Config.set("input", "mouse", "mouse,disable_on_activity,multitouch_on_demand")


START_AGAIN = 75  # run_kiosk's answer when the app stopped to start again with new settings


def run_kiosk(core: KioskCore, windowed: bool = False) -> int:
    """The window for a core built from the settings (by `kiosk run`), until the app is stopped: 0, or START_AGAIN
    when new national or centre settings were taken (the caller starts the kiosk anew with them)."""
    configure_kivy(core.settings, windowed)
    from kivy.clock import Clock
    from screens.app import KioskApp
    app = KioskApp(core)
    # systemd and shutdown send SIGTERM: stop through the app, so the open visit is wiped first.
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.exit_app("SIGTERM")))
    notifier = ServiceNotifier.from_environment()
    if notifier is not None:
        tell_systemd(notifier)
    app.run()
    if notifier is not None and not app.start_again:
        notifier.stopping()
    return START_AGAIN if app.start_again else 0


def tell_systemd(notifier: ServiceNotifier) -> list:
    """READY=1 when the first frame is on screen, then WATCHDOG=1 from the UI thread's clock: a UI thread that
    hangs (a blocking call, a deadlock) stops the pings, and systemd restarts the kiosk. Returns the clock events
    (filled in at the first frame), for a caller that stops pinging."""
    from kivy.clock import Clock
    from kivy.core.window import Window
    pinging: list = []

    def first_frame(*_args):
        Window.unbind(on_flip=first_frame)
        notifier.ready("the greeting is on screen")
        notifier.watchdog()
        if notifier.ping_every_s is not None:  # no ping before READY=1: it would speak for a screen not yet there
            pinging.append(Clock.schedule_interval(lambda _dt: notifier.watchdog(), notifier.ping_every_s))
    Window.bind(on_flip=first_frame)
    return pinging

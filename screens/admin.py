"""The administrator's screen: version, health of every part, the last wipe, and closing the app."""

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from screens.widgets import KioskScreen


class AdminScreen(KioskScreen):
    checks = ListProperty()
    summary = StringProperty("")

    def on_pre_enter(self, *args):
        app = App.get_running_app()
        self.summary = app.admin_summary()
        self.checks = [check.line() for check in app.health_checks()]


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""The administrator's screen: version, health of every part, the last wipe, and closing the app."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from kiosk.i18n import N_
from screens.i18n import tr
from screens.widgets import KioskScreen


class AdminScreen(KioskScreen):
    checks = ListProperty()
    summary = StringProperty("")

    def on_pre_enter(self, *args):
        self.summary = self.summary_text()
        # The checks probe CUPS, PC/SC, SANE and the network: off the UI thread, shown when they are done.
        self.checks = [tr._(N_("Checking every part of the kiosk…"))]
        self.core.health_checks(lambda checks: setattr(self, "checks", [check.line() for check in checks]))

    def summary_text(self) -> str:
        core = self.core
        report = core.visits.last_report
        if report is None:
            wipe = tr._("no visit has ended yet")
        elif report.clean:
            wipe = tr._("clean")
        else:
            wipe = tr._("incomplete: {parts}").format(parts=", ".join(report.failed + report.leftovers))
        kiosk, centre = core.settings.kiosk, core.settings.centre
        return "\n".join([
            tr._("Kiosk: {id}, {name}").format(id=kiosk.id, name=kiosk.name),
            tr._("Centre: {name}, {address}").format(name=centre.name, address=centre.address),
            tr._("Version: {version}").format(version=self.app.version),
            tr._("Configuration: {path}").format(path=core.settings.path),
            tr._("Last visit's wipe: {result}").format(result=wipe),
            tr._("Visit folders removed at start-up after an unclean stop: {count}").format(
                count=core.leftovers_removed),
        ])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""Renders every screen, dialog and the steps that matter, in each language, at normal and extra-large text.

Beside each picture, `<name>.txt` holds what a resident reads on it (the screen's `resident_text`), for checking
the words without looking at pixels.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
from pathlib import Path

from tools.driver import AppDriver, prepare_environment

DIALOGS = ("idle_warning", "confirm_end", "call_staff", "language", "card_removed")
EXAMPLE_SERVICE = "vsaa-sickness-benefit"
SIZES = ((0, ""), (2, "-xl"))  # (text size step, file name suffix)
# SANE's test backend slowed down to a few seconds a page, so that scanning (step 2) can be seen.
SLOW_SCAN = {"read_limit": True, "read_limit_size": 65536, "read_delay": True, "read_delay_duration": 15000}


class Renderer:
    """One app, driven through each screen and step, writing a picture and its text for each."""

    def __init__(self, out_dir: Path, config: Path | None = None, languages: tuple[str, ...] | None = None,
                 sizes=SIZES):
        from kiosk.config import load_settings
        from kiosk.idle import Timings
        settings = load_settings(config)
        runtime = Path(tempfile.mkdtemp(prefix="kiosk-screenshots-"))
        # No desk and no ticket printer: the steps show what the kiosk does on its own.
        settings = dataclasses.replace(
            settings, visit=dataclasses.replace(settings.visit, runtime_dir=runtime),
            kiosk=dataclasses.replace(settings.kiosk, state_dir=runtime / "state"),
            staffdesk=dataclasses.replace(settings.staffdesk, url=""),
            printing=dataclasses.replace(settings.printing, receipt_printer=("none", "")),
            browser=dataclasses.replace(settings.browser, warm_up=False, require_policies=False))
        # Nothing times out while the pictures are taken; what the screens count down is shown as configured.
        self.driver = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600))
        self.visit_settings = settings.visit
        self.app = self.driver.app
        self.out_dir = out_dir
        self.languages = languages or settings.ui.languages
        self.sizes = sizes
        self.written: list[Path] = []

    def shot(self, language: str, name: str, suffix: str, texts_of=None) -> None:
        path = self.driver.screenshot(self.out_dir / language / f"{name}{suffix}.png")
        widget = texts_of or self.app.screen(self.app.current_screen)
        path.with_suffix(".txt").write_text("\n".join(widget.resident_text()) + "\n", encoding="utf-8")
        self.written.append(path)

    def render(self) -> list[Path]:
        from screens import SCREENS
        from screens.theme import theme  # imported once the window exists at its configured size
        app = self.app
        for language in self.languages:
            for step, suffix in self.sizes:
                app.start_visit(language)
                theme.text_size_step = step
                for name in SCREENS:
                    if name == "service":
                        app.show_service(EXAMPLE_SERVICE)
                    else:
                        app.show(name)
                    if name == "admin":
                        app.screen(name).dispatch("on_pre_enter")
                    if name == "goodbye":  # the countdown held at its start: a slow machine must not show 11
                        app.screen(name).on_leave()
                        app.screen(name).seconds_left = self.visit_settings.goodbye_s
                    self.shot(language, name, suffix)
                self.goodbye_with_reminders(language, suffix)
                self.pin_steps(language, suffix)
                self.search_steps(language, suffix)
                app.show("home")
                self.dialogs(language, suffix)
                self.scan_and_print_steps(language, suffix)
                self.print_steps(language, suffix)
                self.ticket_and_booking_steps(language, suffix)
                self.high_contrast(language, suffix)
                app.end_visit("screenshots", farewell=False)
        self.driver.close()
        return self.written

    def search_steps(self, language: str, suffix: str) -> None:
        self.app.show("find_service")
        search = self.app.screen("find_service")
        for query, name in (("slimibas", "find_service-results"), ("xyzzy", "find_service-nothing")):
            search.query = query
            self.shot(language, name, suffix)
        search.query = ""

    def dialogs(self, language: str, suffix: str) -> None:
        from kiosk.idle import IdlePolicy
        app, core = self.app, self.app.core
        for name in DIALOGS:
            if name == "idle_warning":
                # The warning shows only while the idle policy says so: one whose warning is due now.
                calm, core.idle = core.idle, IdlePolicy(0, self.visit_settings.idle_countdown_s - 0.1)
                self.driver.wait_until(lambda: app.dialog_is_open("idle_warning"), 2)
            else:
                app.open_dialog(name)
            self.shot(language, f"dialog-{name}", suffix, app.dialogs.built[name])
            if name == "idle_warning":
                core.idle = calm
            app.close_dialog(name)
        dialog = app.open_dialog("call_staff")
        before, dialog.state = dialog.state, "acknowledged"  # what the resident reads once staff answered the call
        self.shot(language, "dialog-call_staff-answered", suffix, dialog)
        dialog.state = before  # the next language's call starts unanswered
        app.close_dialog("call_staff")

    def goodbye_with_reminders(self, language: str, suffix: str) -> None:
        """The goodbye of a visit that printed, scanned and left its card in: every reminder, waiting for it."""
        app = self.app
        goodbye = app.screen("goodbye")
        app.show("goodbye")
        goodbye.card_left = goodbye.scanned = goodbye.printed = True
        self.shot(language, "goodbye-reminders", suffix)
        goodbye.card_left = goodbye.scanned = goodbye.printed = False
        app.show("home")

    def pin_steps(self, language: str, suffix: str) -> None:
        """Both PIN pads: the card's own login (and a wrong PIN with two tries left), and a page's login."""
        from kiosk.eid.card import Problem
        from kiosk.events import CardProblem
        from kiosk.eid.identity import Identity
        app = self.app
        login = app.screen("eid_login")
        app.show("eid_login")
        # A made-up resident, as the virtual card's: only the screen shows them.
        login.show_identity(Identity("Jānis", "Bērziņš", "010180-12347", "eID", dt.datetime(2030, 1, 1), "test", b""))
        login.state = "pin"
        self.shot(language, "eid_login-pin", suffix)
        login.show_problem(CardProblem(Problem.PIN_WRONG, tries_left=2))
        self.shot(language, "eid_login-wrong_pin", suffix)
        login.reset()
        page = app.screen("eservice")
        app.show("eservice")
        for kind in ("text", "number"):  # the page's field has focus: what the kiosk shows under the page
            page.state, page.keyboard_kind = "open", kind
            self.shot(language, f"eservice-keyboard_{kind}", suffix)
        page.message = ""
        page.state, page.keyboard_kind = "pin", "pin"
        self.shot(language, "eservice-pin", suffix)
        page.reset()
        app.show("home")

    def high_contrast(self, language: str, suffix: str) -> None:
        from screens.theme import theme
        app = self.app
        theme.high_contrast = True
        for name in ("home", "service", "scan_copy"):
            if name == "service":
                app.show_service(EXAMPLE_SERVICE)
            else:
                app.show(name)
            self.shot(language, f"{name}-contrast", suffix)
        app.show("home")
        dialog = app.open_dialog("call_staff")
        self.shot(language, "dialog-call_staff-contrast", suffix, dialog)
        app.close_dialog("call_staff")
        theme.high_contrast = False

    def scan_and_print_steps(self, language: str, suffix: str) -> None:
        """Scanning's four steps: the paper in (glass, feeder), scanning, the pages, "What now?" with each choice;
        then how printing, keeping and a jam end."""
        from kiosk.events import Printed
        app = self.app
        app.show("scan_copy")
        scan = app.screen("scan_copy")
        options = app.core.scanning.scanner.extra_options
        self.shot(language, "scan_copy-ready", suffix)
        scan.choose(source="feeder")
        self.shot(language, "scan_copy-ready_feeder", suffix)
        scan.choose(source="flatbed")
        options.update(SLOW_SCAN)  # step 2 lasts long enough to be seen
        scan.do("scan")
        self.shot(language, "scan_copy-scanning", suffix)
        if not self.driver.wait_until(lambda: scan.state == "pages", 60):
            return
        for key in SLOW_SCAN:  # full speed again: the sizes first, as SANE refuses them while their switch is off
            options.pop(key, None)
        options.update(read_limit=False, read_delay=False)
        self.shot(language, "scan_copy-pages", suffix)
        scan.do("more")
        self.shot(language, "scan_copy-next_page", suffix)
        scan.do("what_now")
        for goal in ("print", "usb", "keep"):
            scan.choose(goal=goal)
            self.shot(language, f"scan_copy-what_now_{goal}", suffix)
        # No printer needs to be here (nor paper used): the screen as the print service's answer leaves it.
        scan.state = "printing"
        self.shot(language, "scan_copy-printing", suffix)
        scan.on_core_event(Printed(1, app.core.pages_left() - 1))
        self.shot(language, "scan_copy-printed", suffix)
        scan.do("what_now")
        scan.do("keep")
        if self.driver.wait_until(lambda: scan.state == "kept", 30):
            self.shot(language, "scan_copy-kept", suffix)
        scan.do("new")
        options["read_return_value"] = "SANE_STATUS_JAMMED"
        scan.do("scan")
        if self.driver.wait_until(lambda: scan.state == "problem", 30):
            self.shot(language, "scan_copy-jammed", suffix)
        # SANE's test backend keeps the jam for the process, every later scanner included, until a scan clears it.
        options["read_return_value"] = "Default"
        scan.do("scan")
        self.driver.wait_until(lambda: scan.state == "pages", 60)
        scan.reset()
        app.core.visit.scans.kept_pdf = None

    def print_steps(self, language: str, suffix: str) -> None:
        """Where the document is, the USB port, this visit's documents, its pages, done and a problem."""
        from kiosk.events import Printed
        app = self.app
        visit = app.core.visit
        # A kept scan stands in for one: the service's paper form, made as the service screen makes it.
        kept = app.core.make_form("paper", app.core.catalog.service(EXAMPLE_SERVICE), language)
        visit.scans.kept_pdf = kept
        app.show("home")
        app.show("print")
        printing = app.screen("print")
        self.shot(language, "print-where", suffix)
        printing.do("usb")
        if printing.state == "usb":  # no stick in this machine's port
            self.shot(language, "print-usb", suffix)
        printing.do("where")
        printing.do("visit")
        self.shot(language, "print-choose", suffix)
        printing.choose(kept)
        if self.driver.wait_until(lambda: printing.state == "confirm", 30):
            self.shot(language, "print-confirm", suffix)
            # No printer needs to be here (nor paper used): the screen as the print service's answer leaves it.
            printing.state = "printing"
            printing.on_core_event(Printed(1, app.core.pages_left() - 1))
            self.shot(language, "print-done", suffix)
        not_a_document = visit.directory / "notes.pdf"
        not_a_document.write_text("not a PDF")
        printing.choose(not_a_document)
        if self.driver.wait_until(lambda: printing.state == "problem", 30):
            self.shot(language, "print-problem", suffix)
        visit.scans.kept_pdf = None

    def ticket_and_booking_steps(self, language: str, suffix: str) -> None:
        from kiosk.desk_link.wire import Booking
        app = self.app
        app.show("queue_ticket")
        ticket = app.screen("queue_ticket")
        self.shot(language, "queue_ticket-topics", suffix)
        ticket.show_more_topics()
        self.shot(language, "queue_ticket-other_topics", suffix)
        ticket.start_over()
        ticket.show_topic("from-ukraine")
        self.shot(language, "queue_ticket-services", suffix)
        ticket.choose_service(app.core.catalog.queue_services(language, "from-ukraine")[0])
        self.shot(language, "queue_ticket-priority", suffix)
        ticket.do("none")
        if self.driver.wait_until(lambda: ticket.state == "ticket", 15):
            self.shot(language, "queue_ticket-number", suffix)
        app.show("video")
        video = app.screen("video")
        # Without a desk (as here): what can be done instead.
        if self.driver.wait_until(lambda: video.state == "problem", 15):
            self.shot(language, "video-without_desk", suffix)
        start = dt.datetime.now(dt.timezone.utc).replace(hour=9, minute=30, second=0, microsecond=0) + dt.timedelta(
            days=2)
        # The desk that would have answered is not here: the booking it would return, as the screen shows one.
        video.show_booking(Booking("VK-4821", 17, "VSAA", "pension", start, 20, "2"), printed=None)
        self.shot(language, "video-booked", suffix)


def main() -> int:
    prepare_environment()
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots")
    files = Renderer(out_dir).render()
    print(f"{len(files)} screenshots in {out_dir}/<language>/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

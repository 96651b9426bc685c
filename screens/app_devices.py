"""The app's printing and scanning: services on their own threads, their events handed to screens on the UI thread."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock

from kiosk.i18n import N_
from screens.i18n import tr


class DevicesMixin:
    """Mixed into KioskApp: owns the print and scan services and what screens ask of them."""

    printing = None
    scanning = None

    def start_devices(self, demo: bool) -> None:
        from kiosk.printing import PrintService
        from kiosk.scanning.service import ScanService
        from kiosk.scanning.testbackend import use_test_backend
        self.printing = PrintService(self.settings.printing, self._on_ui_thread(self.on_print_event))
        options = use_test_backend(self.settings.kiosk.state_dir / "sane-test") if demo else {}
        scanning = self.settings.scanning
        self.scanning = ScanService(self._on_ui_thread(self.on_scan_event), scanning.device,
                                    scanning.usb_mount_root, options)
        self.scanning.start()

    def stop_devices(self) -> None:
        for service in (self.printing, self.scanning):
            if service is not None:
                service.stop()

    def attach_devices(self, session) -> None:
        """Each new resident's prints and scans belong to their session and go with it."""
        self.printing.attach(session)
        self.scanning.attach(session)

    @staticmethod
    def _on_ui_thread(handler):
        return lambda event: Clock.schedule_once(lambda _dt: handler(event))

    # ---- printing -------------------------------------------------------------------------------

    def print_documents(self) -> list[tuple[str, Path]]:
        """What the resident can print now, labelled for the list: their kept scan, then files on their stick."""
        from kiosk.printing import printable_files
        session = self.sessions.current
        if session is None:
            return []
        scan, on_sticks = printable_files(session, self.settings.scanning.usb_mount_root)
        scanned = [(tr._(N_("Your scanned document")), scan)] if scan else []
        return scanned + [(path.name, path) for path in on_sticks]

    def prepare_print(self, path: Path) -> None:
        self.printing.prepare(self.sessions.current, Path(path))

    def confirm_print(self, prepared) -> None:
        self.printing.print(self.sessions.current, prepared)

    def print_pdf(self, path: Path) -> None:
        """A document made here (a scan, a form) goes to the print screen, which shows its pages first."""
        self.show("print")
        self.screen("print").choose(Path(path))

    def print_form(self, kind: str, service) -> None:
        """The authorisation (named for the resident logged in with eID) or the paper form, to the print screen."""
        from kiosk.paperwork import authorisation_pdf, paper_form_pdf
        session = self.sessions.current
        if kind == "authorised":
            pdf = authorisation_pdf(self.settings, service, self.language, self.eid_identity())
        else:
            pdf = paper_form_pdf(self.settings, service, self.language)
        folder = session.directory / "forms"
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"{kind}.pdf"
        path.write_bytes(pdf)
        self.print_pdf(path)

    def on_print_event(self, event) -> None:
        from kiosk.printing import PrinterAlert
        from kiosk.printing import Printed, PrintFailed
        if isinstance(event, PrinterAlert):
            self.device_alert("printer", event.kind)
            return
        if isinstance(event, Printed):
            self.device_fine("printer")
        elif isinstance(event, PrintFailed):
            self.note_problem(event.problem.value)
        if self.sessions.current is not None:
            self.screen("print").on_print_event(event)

    # ---- scanning -------------------------------------------------------------------------------

    def on_scan_event(self, event) -> None:
        from kiosk.scanning.problems import Problem
        from kiosk.scanning.service import ScanFailed, ScanFinished
        if isinstance(event, ScanFailed):
            self.note_problem(event.problem.name.lower())
            if event.problem is Problem.NO_SCANNER:
                self.device_alert("scanner", "no_scanner")
        elif isinstance(event, ScanFinished):
            self.device_fine("scanner")
        if self.sessions.current is not None:
            self.screen("scan_copy").on_scan_event(event)

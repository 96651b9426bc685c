"""The app's staff desk: help calls from any screen, queue tickets, video bookings and the kiosk's health."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)

# Device faults that are part of the health picture (the desk alerts on a new one at once); others are alerts.
HEALTH = {("printer", "out of paper"): {"printer_paper": "out"}, ("printer", "media-low"): {"printer_paper": "low"},
          ("printer", "out of toner"): {"printer_toner": "out"}, ("printer", "toner-low"): {"printer_toner": "low"},
          ("printer", "marker-supply-low"): {"printer_toner": "low"},
          ("scanner", "no_scanner"): {"scanner_present": False}, ("reader", "missing"): {"reader_present": False}}
INSTITUTION_SITES = {"VSAA": "https://www.vsaa.gov.lv", "VID": "https://www.vid.gov.lv", "VZD": "https://www.vzd.gov.lv"}
FINE = {"printer": {"printer_paper": "ok"}, "scanner": {"scanner_present": True}, "reader": {"reader_present": True}}


class DeskMixin:
    """Mixed into KioskApp: owns the StaffDesk facade and the resident's one open help call."""

    desk = None
    last_error = ""
    _call = None

    def start_desk(self) -> None:
        from kiosk.staffdesk import StaffDesk
        self.desk = StaffDesk(self.settings)
        self.desk.start(heartbeats=True)
        self.sessions.add_standing_wiper("help call", self._cancel_call, lambda: self._call is None)
        # Staff should know the printer is out of paper before a resident tells them: ask CUPS every heartbeat.
        self._printer_answers = True
        self._clock_events.append(Clock.schedule_interval(lambda _dt: self.check_printer(),
                                                          self.settings.staffdesk.heartbeat_s))

    def stop_desk(self) -> None:
        if self.desk is not None:
            self.desk.stop()
            self.desk.close()

    def desk_request(self, work: Callable[[], object], done: Callable[[object], None],
                     failed: Callable[[Exception], None]) -> None:
        """Run a desk or printer call off the UI thread; its result comes back on the UI thread."""
        def run():
            try:
                result = work()
            except Exception as error:  # handed to the screen, which words it for the resident
                Clock.schedule_once(lambda _dt, error=error: failed(error))
                return
            Clock.schedule_once(lambda _dt: done(result))
        threading.Thread(target=run, name="desk-call", daemon=True).start()

    # ---- queue tickets and video bookings -----------------------------------------------------------

    def queue_services(self) -> list:
        """Services a staff member helps with at the desk, in the resident's alphabet order."""
        index = self.catalog_index()
        if index is None:
            return []
        services = [s for s in index.catalog.services if s.channels.in_person]
        return sorted(services, key=lambda service: service.name.get(self.language).casefold())

    def take_ticket(self, service, priority: str, done, failed) -> None:
        """A number from the desk (else the kiosk's own series), printed when there is a ticket printer."""
        from kiosk.i18n import translate
        from kiosk.paperwork import ticket_bytes
        from kiosk.staffdesk import Priority
        from printers.receipt_printer import receipt_printer
        from screens.queue_ticket import GENERAL
        language = self.language
        service_id = service.id if service else "general"
        name_lv = service.name.lv if service else translate("lv", GENERAL)
        name = service.name.get(language) if service else translate(language, GENERAL)

        def work():
            ticket = self.desk.take_ticket(service_id, name_lv, Priority(priority))
            printer = receipt_printer(self.settings.printing)
            if printer is None:
                return ticket, None
            data = ticket_bytes(self.settings, language, ticket.number, name, ticket.follow_url or "",
                                ticket.people_ahead, ticket.expected_wait_min)
            try:
                printer.send(data)
            except Exception as error:  # the number is on the screen: a printer fault must not hide it
                log.warning("the ticket was not printed: %s", error)
                Clock.schedule_once(lambda _dt: self.device_alert("receipt-printer", "not-printing"))
                return ticket, False
            return ticket, True
        self.desk_request(work, lambda result: done(*result), failed)

    def institution_name(self, code: str) -> str:
        index = self.catalog_index()
        for institution in (index.catalog.institutions if index else ()):
            if institution.code == code:
                return institution.name.get(self.language)
        return code

    def print_booking_receipt(self, booking, done) -> None:
        """The booking's receipt on the ticket printer: what, when, the reference, and a QR to the institution."""
        from kiosk.i18n import N_, translate
        from kiosk.paperwork import CENTRE_TIME, receipt_bytes
        from printers.receipt_printer import receipt_printer
        printer = receipt_printer(self.settings.printing)
        if printer is None:
            done(None)
            return
        language = self.language
        what = translate(language, N_("Video consultation: {institution}, {time}")).replace(
            "{institution}", self.institution_name(booking.institution)).replace(
            "{time}", f"{booking.start.astimezone(CENTRE_TIME):%d.%m.%Y %H:%M}")
        link = INSTITUTION_SITES.get(booking.institution, "https://www.latvija.gov.lv")
        data = receipt_bytes(self.settings, language, what, booking.reference, link,
                             N_("Scan to open the institution's website"))

        def work():
            printer.send(data)
            return True
        self.desk_request(work, done, lambda _error: done(False))

    # ---- calling staff ----------------------------------------------------------------------------

    def call_staff(self) -> None:
        """The top bar's button: a new call with where the resident is, or the state of the one under way."""
        from kiosk.staffdesk import CallState
        dialog = self.open_dialog("call_staff")
        if self._call is not None and not self._call.state.finished:
            dialog.state = self._call.state.value
            return
        screen = self.current_screen
        step = str(getattr(self.screen(screen), "state", "")) if screen else ""
        self._call = self.desk.call_staff(screen=screen, step=step, last_error=self.last_error,
                                          on_change=lambda handle: Clock.schedule_once(
                                              lambda _dt: self._call_changed(handle)))
        dialog.state = self._call.state.value
        if self._call.state is CallState.NO_DESK:
            self._call = None

    def _call_changed(self, handle) -> None:
        if handle is not self._call:
            return
        if self.dialog_is_open("call_staff") or handle.state.value == "acknowledged":
            self.open_dialog("call_staff").state = handle.state.value  # "A staff member is coming"
        if handle.state.finished:
            self._call = None

    def cancel_call(self) -> None:
        self._cancel_call()
        self.close_dialog("call_staff")

    def _cancel_call(self) -> None:
        """The resident cancelled, or left: staff should not walk to an empty kiosk."""
        if self._call is not None:
            self.desk.cancel_call(self._call)
            self._call = None

    def note_problem(self, problem: str) -> None:
        """What went wrong last for this resident, for the staff member who answers the call (no personal data)."""
        self.last_error = problem

    # ---- health ---------------------------------------------------------------------------------

    def device_alert(self, device: str, kind: str) -> None:
        """A device fault staff should hear of before a resident tells them: an alert now, health in heartbeats."""
        log.warning("%s: %s", device, kind)
        if self.desk is None:
            return
        if (device, kind) in HEALTH:
            self.desk.update_health(**HEALTH[(device, kind)])
        else:
            self.desk.alert(f"{device}-{kind.replace(' ', '-')}")

    def check_printer(self) -> None:
        """The A4 printer's state into the desk's health picture; CUPS not answering is an alert, once."""
        if self.printing is None or self.desk is None:
            return
        self.desk_request(self.printing.printer.status, self._printer_state, self._printer_silent)

    def _printer_state(self, status) -> None:
        from printers.problems import PrintProblem
        self._printer_answers = True
        problem, warnings = status.problem, status.warnings
        self.desk.update_health(
            printer_paper="out" if problem is PrintProblem.OUT_OF_PAPER else "low" if "media-low" in warnings else "ok",
            printer_toner="out" if problem is PrintProblem.TONER else
            "low" if {"toner-low", "marker-supply-low"} & set(warnings) else "ok")

    def _printer_silent(self, error) -> None:
        if self._printer_answers:
            self._printer_answers = False
            problem = getattr(error, "problem", None)
            self.device_alert("printer", problem.value if problem else "unreachable")

    def device_fine(self, device: str) -> None:
        """A device just worked: the next heartbeat says so (toner stays as last reported)."""
        if self.desk is not None:
            self.desk.update_health(**FINE[device])

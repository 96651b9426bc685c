"""What a resident asks of the staff desk: a help call, a queue ticket, a video booking, and their slips printed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from kiosk import events
from kiosk.catalog.service import GENERAL_MATTER, CatalogService
from kiosk.config import Settings
from kiosk.health import HealthReporter
from kiosk.usage import UsageRecorder
from kiosk.visit import Visit

if TYPE_CHECKING:  # made only when the desk is first needed (its HTTP client is not loaded at start)
    from kiosk.desk_link import DeskLink

log = logging.getLogger(__name__)


class DeskErrands:
    """Keeps the visit's call, ticket and booking (visit.errands) in step with the desk, on the core's posting
    thread. The desk's answers come back through the core's `request`; the desk link (kiosk/desk_link) itself
    knows nothing of visits.

    Given by the core: `desk()` the desk link, started if it was not yet; `visit()` the visit now (or None);
    `request`, `post` and `tell` as KioskCore has them.
    """

    def __init__(self, settings: Settings, catalog: CatalogService, usage: UsageRecorder, health: HealthReporter, *,
                 desk: Callable[[], DeskLink], visit: Callable[[], Visit | None], request: Callable,
                 post: Callable[[Callable[[], None]], None], tell: Callable[[object], None]):
        self.settings, self.catalog, self.usage, self.health = settings, catalog, usage, health
        self._desk, self._visit, self._request, self._post, self._tell = desk, visit, request, post, tell

    # ---- a help call ----------------------------------------------------------------------------

    def call_staff(self, screen: str, step: str) -> str:
        """A new help call with where the resident is, or the state of the one under way."""
        from kiosk.desk_link import CallState
        visit = self._visit()
        errands = visit.errands if visit is not None else None
        if errands is not None and errands.call is not None and not errands.call.state.finished:
            return errands.call.state.value
        call = self._desk().call_staff(screen=screen, step=step,
                                       last_error=errands.last_problem if errands is not None else "",
                                       on_change=lambda handle: self._post(lambda: self._call_changed(handle)))
        if errands is not None and call.state is not CallState.NO_DESK:
            errands.call = call
        return call.state.value

    def _call_changed(self, handle) -> None:
        visit = self._visit()
        if visit is None or handle is not visit.errands.call:
            return
        if handle.state.finished:
            visit.errands.call = None
        self._tell(events.CallStateChanged(handle.state.value))

    def cancel_call(self) -> None:
        visit = self._visit()
        if visit is not None:
            self.cancel_call_of(visit)

    def cancel_call_of(self, visit: Visit) -> None:
        """The resident cancelled, or left: staff should not walk to an empty kiosk."""
        if visit.errands.call is not None:
            self._desk().cancel_call(visit.errands.call)
            visit.errands.call = None

    # ---- a queue ticket -------------------------------------------------------------------------

    def take_ticket(self, service, priority: str, language: str, done, failed) -> None:
        """A number from the desk (else the kiosk's own series), printed when there is a ticket printer.

        `done(ticket, printed)`: printed is None without a ticket printer, False when it did not print.
        """
        from kiosk.i18n import translate
        from kiosk.printing.receipts import queue_ticket_slip
        from kiosk.desk_link import Priority
        from printers.receipt_printer import receipt_printer
        service_id = service.id if service else "general"
        name_lv = service.name.lv if service else translate("lv", GENERAL_MATTER)
        desk = self._desk()

        def work():
            ticket = desk.take_ticket(service_id, name_lv, Priority(priority))
            printer = receipt_printer(self.settings.printing)
            if printer is None:
                return ticket, None
            try:
                printer.send(queue_ticket_slip(self.settings, language, ticket, service))
            except Exception as error:  # the number is on the screen: a printer fault must not hide it
                log.warning("the ticket was not printed: %s", type(error).__name__)
                self._post(lambda: self.health.alert("receipt-printer", "not-printing"))
                return ticket, False
            return ticket, True

        def taken(result) -> None:
            visit = self._visit()
            if visit is not None:
                visit.errands.ticket = result[0]
            self.usage.count("ticket-taken", service, channel="in_person", language=language)
            done(*result)
        self._request(work, taken, failed)

    # ---- a video consultation -------------------------------------------------------------------

    def video_institutions(self, done, failed) -> None:
        self._request(self._desk().video_institutions, done, failed)

    def video_slots(self, institution: str, topic: str, done, failed) -> None:
        desk = self._desk()
        self._request(lambda: desk.video_slots(institution, topic), done, failed)

    def book_video(self, slot, topic: str, done, failed) -> None:
        desk = self._desk()

        def booked(booking) -> None:
            visit = self._visit()
            if visit is not None:
                visit.errands.booking = booking
            self.usage.count("video-booked", channel="video", institution=booking.institution)
            done(booking)
        self._request(lambda: desk.book(slot.id, topic), booked, failed)

    def print_booking_receipt(self, booking, language: str, done) -> None:
        """The booking's receipt on the ticket printer: what, when, the reference, and a QR to the institution.

        `done(printed)`: None without a ticket printer.
        """
        from kiosk.printing.receipts import booking_slip
        from printers.receipt_printer import receipt_printer
        printer = receipt_printer(self.settings.printing)
        if printer is None:
            done(None)
            return
        data = booking_slip(self.settings, language, booking, self.catalog.institution(booking.institution))

        def work():
            printer.send(data)
            return True
        self._request(work, done, lambda _error: done(False))

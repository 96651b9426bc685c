"""What a resident asks of the staff desk: a help call, a queue ticket, a video booking, and their slips printed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk import events
from kiosk.catalog.service import GENERAL_MATTER
from kiosk.visit import Visit

if TYPE_CHECKING:
    from kiosk.core import KioskCore

log = logging.getLogger(__name__)


class DeskErrands:
    """Keeps the visit's call, ticket and booking (visit.errands) in step with the desk, on the core's posting thread.

    The desk's answers come back through the core's `request`; the desk client itself (kiosk/desk_link) knows
    nothing of visits.
    """

    def __init__(self, core: KioskCore):
        self._core = core

    # ---- a help call ----------------------------------------------------------------------------

    def call_staff(self, screen: str, step: str) -> str:
        """A new help call with where the resident is, or the state of the one under way."""
        from kiosk.desk_link import CallState
        core = self._core
        desk_part = core.visit.errands if core.visit is not None else None
        if desk_part is not None and desk_part.call is not None and not desk_part.call.state.finished:
            return desk_part.call.state.value
        core.start_services()
        call = core.desk_link.call_staff(screen=screen, step=step,
                                    last_error=desk_part.last_problem if desk_part is not None else "",
                                    on_change=lambda handle: core.post(lambda: self._call_changed(handle)))
        if desk_part is not None and call.state is not CallState.NO_DESK:
            desk_part.call = call
        return call.state.value

    def _call_changed(self, handle) -> None:
        core = self._core
        desk_part = core.visit.errands if core.visit is not None else None
        if desk_part is None or handle is not desk_part.call:
            return
        if handle.state.finished:
            desk_part.call = None
        core.tell(events.CallStateChanged(handle.state.value))

    def cancel_call(self) -> None:
        if self._core.visit is not None:
            self.cancel_call_of(self._core.visit)

    def cancel_call_of(self, visit: Visit) -> None:
        """The resident cancelled, or left: staff should not walk to an empty kiosk."""
        if visit.errands.call is not None:
            self._core.desk_link.cancel_call(visit.errands.call)
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
        core = self._core
        service_id = service.id if service else "general"
        name_lv = service.name.lv if service else translate("lv", GENERAL_MATTER)

        def work():
            ticket = core.desk_link.take_ticket(service_id, name_lv, Priority(priority))
            printer = receipt_printer(core.settings.printing)
            if printer is None:
                return ticket, None
            try:
                printer.send(queue_ticket_slip(core.settings, language, ticket, service))
            except Exception as error:  # the number is on the screen: a printer fault must not hide it
                log.warning("the ticket was not printed: %s", type(error).__name__)
                core.post(lambda: core.health.alert("receipt-printer", "not-printing"))
                return ticket, False
            return ticket, True

        def taken(result) -> None:
            if core.visit is not None:
                core.visit.errands.ticket = result[0]
            core.usage.count("ticket-taken", service, channel="in_person", language=language)
            done(*result)
        core.start_services()
        core.request(work, taken, failed)

    # ---- a video consultation -------------------------------------------------------------------

    def video_institutions(self, done, failed) -> None:
        self._core.start_services()
        self._core.request(self._core.desk_link.video_institutions, done, failed)

    def video_slots(self, institution: str, topic: str, done, failed) -> None:
        self._core.request(lambda: self._core.desk_link.video_slots(institution, topic), done, failed)

    def book_video(self, slot, topic: str, done, failed) -> None:
        core = self._core

        def booked(booking) -> None:
            if core.visit is not None:
                core.visit.errands.booking = booking
            core.usage.count("video-booked", channel="video", institution=booking.institution)
            done(booking)
        core.request(lambda: core.desk_link.book(slot.id, topic), booked, failed)

    def print_booking_receipt(self, booking, language: str, done) -> None:
        """The booking's receipt on the ticket printer: what, when, the reference, and a QR to the institution.

        `done(printed)`: None without a ticket printer.
        """
        from kiosk.printing.receipts import booking_slip
        from printers.receipt_printer import receipt_printer
        core = self._core
        printer = receipt_printer(core.settings.printing)
        if printer is None:
            done(None)
            return
        data = booking_slip(core.settings, language, booking, core.catalog.institution(booking.institution))

        def work():
            printer.send(data)
            return True
        core.request(work, done, lambda _error: done(False))

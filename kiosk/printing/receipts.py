"""The slips the ticket printer gives a resident: a queue ticket and a booked consultation's receipt.

The kiosk's screens and `kiosk ticket` print them alike; what goes on them is decided here, their layout in
printers/layouts.py.
"""

from __future__ import annotations

from kiosk.catalog.service import GENERAL_MATTER
from kiosk.i18n import N_, moment_in_words, translate
from kiosk.printing.paperwork import receipt_bytes, ticket_bytes

# Where a receipt's QR code leads when the institution is not in the catalogue.
PORTAL = "https://www.latvija.gov.lv"


def queue_ticket_slip(settings, language: str, ticket, service=None) -> bytes:
    """The ticket in the resident's language: its number, the service (or "not sure"), the queue, a QR to follow."""
    name = service.name.get(language) if service is not None else translate(language, GENERAL_MATTER)
    return ticket_bytes(settings, language, ticket.number, name, ticket.follow_url or "", ticket.people_ahead,
                        ticket.expected_wait_min)


def booking_slip(settings, language: str, booking, institution) -> bytes:
    """The booking: with whom, when in words, its reference, and a QR code to the institution's site."""
    name = institution.name.get(language) if institution is not None else booking.institution
    what = translate(language, N_("Video consultation: {institution}, {time}")).replace(
        "{institution}", name).replace("{time}", moment_in_words(booking.start, language))
    return receipt_bytes(settings, language, what, booking.reference,
                         institution.site if institution is not None else PORTAL,
                         N_("Scan to open the institution's website"))

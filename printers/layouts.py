"""Queue ticket and receipt layouts: frozen data in, ESC/POS bytes out, the same bytes for the same data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from printers.escpos_text import DEFAULT_PROFILE, ReceiptBuilder
from printers.raster import qr_image

# The ticket number is printed this many times the normal size (4 x: 48 x 96 dots a character, about 12 mm tall).
NUMBER_SCALE = 4


@dataclass(frozen=True)
class TicketLabels:
    """The ticket's fixed words, already translated into the resident's language by the caller.

    "{count}" and "{minutes}" are replaced by the numbers; a colon style ("People ahead: 3") avoids plural forms.
    """

    people_ahead: str = "People ahead: {count}"
    expected_wait: str = "Expected wait: about {minutes} min"
    where_to_go: str = "Wait for your number on the screen"
    follow_hint: str = "Scan to follow the queue on your phone"
    instruction: str = "Keep this ticket until your number is called"
    # Numbers only, so the layout never depends on the machine's locale.
    date_format: str = "%d.%m.%Y %H:%M"


@dataclass(frozen=True)
class ReceiptLabels:
    """The receipt's fixed words, already translated into the resident's language by the caller."""

    title: str = "Receipt"
    reference: str = "Reference: {reference}"
    time: str = "Time: {time}"
    link_hint: str = "Scan to open the e-service"
    instruction: str = "Keep this receipt"
    date_format: str = "%d.%m.%Y %H:%M"


ENGLISH_TICKET_LABELS = TicketLabels()
ENGLISH_RECEIPT_LABELS = ReceiptLabels()


@dataclass(frozen=True)
class TicketData:
    """What a queue ticket shows. Deliberately no field for anything that identifies the resident."""

    centre_name: str
    number: str
    service_name: str
    issued_at: datetime
    follow_url: str
    people_ahead: int | None = None
    expected_wait_min: int | None = None
    labels: TicketLabels = field(default=ENGLISH_TICKET_LABELS)


@dataclass(frozen=True)
class ReceiptData:
    """What a receipt shows: what was done and where to follow it up. No field identifies the resident."""

    centre_name: str
    what_was_done: str
    reference: str
    done_at: datetime
    link_url: str
    labels: ReceiptLabels = field(default=ENGLISH_RECEIPT_LABELS)


def queue_ticket(ticket: TicketData, profile: str = DEFAULT_PROFILE) -> bytes:
    """The queue ticket: centre, big number, service, time, queue position, where to go, QR, instruction, cut."""
    labels = ticket.labels
    out = ReceiptBuilder(profile)
    out.text(ticket.centre_name, bold=True)
    out.rule()
    # A long series name still fits one line: shrink the number rather than wrap it.
    scale = max(1, min(NUMBER_SCALE, out.columns // max(1, len(ticket.number))))
    out.text(ticket.number, scale=scale, bold=True)
    out.feed()
    out.text(ticket.service_name, bold=True)
    out.text(ticket.issued_at.strftime(labels.date_format))
    if ticket.people_ahead is not None:
        out.text(labels.people_ahead.replace("{count}", str(ticket.people_ahead)))
    if ticket.expected_wait_min is not None:
        out.text(labels.expected_wait.replace("{minutes}", str(ticket.expected_wait_min)))
    out.feed()
    out.text(labels.where_to_go, bold=True)
    out.feed()
    # A ticket from the kiosk's own series (the desk was unreachable) has no queue page to follow.
    if ticket.follow_url:
        out.image(qr_image(ticket.follow_url, out.width_px))
        out.text(labels.follow_hint)
    out.rule()
    out.text(labels.instruction)
    out.cut()
    return out.output()


def receipt(receipt: ReceiptData, profile: str = DEFAULT_PROFILE) -> bytes:
    """The receipt: title, what was done, reference, time, centre, a QR to the e-service or booking, cut."""
    labels = receipt.labels
    out = ReceiptBuilder(profile)
    out.text(labels.title, scale=2, bold=True)
    out.rule()
    out.text(receipt.what_was_done, bold=True)
    out.feed()
    out.text(labels.reference.replace("{reference}", receipt.reference))
    out.text(labels.time.replace("{time}", receipt.done_at.strftime(labels.date_format)))
    out.text(receipt.centre_name)
    out.feed()
    out.image(qr_image(receipt.link_url, out.width_px))
    out.text(labels.link_hint)
    out.rule()
    out.text(labels.instruction)
    out.cut()
    return out.output()

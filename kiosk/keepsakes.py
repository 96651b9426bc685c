"""What a resident takes away when nothing is printed: the words a ticket's or booking's QR code holds.

A phone's camera shows the text of a QR code at once, with no app: the number, the place and the time are then on
the resident's phone. A ticket that the desk can follow is its follow page instead.
"""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import CENTRE_TIME, N_, moment_in_words, translate


def ticket_keepsake(ticket, centre_name: str, language: str, taken_at: dt.datetime | None = None) -> str:
    """The ticket's follow page, or its number, centre and time in words."""
    if ticket.follow_url:
        return ticket.follow_url
    when = moment_in_words(taken_at or dt.datetime.now(CENTRE_TIME), language)
    number = translate(language, N_("Queue number: {number}")).replace("{number}", ticket.number)
    return "\n".join(part for part in (number, centre_name, when) if part)


def booking_keepsake(booking, centre_name: str, institution_name: str, language: str) -> str:
    """The booking's reference, with whom, when in words and where."""
    lines = [translate(language, N_("Video consultation: {institution}, {time}")).replace(
                 "{institution}", institution_name).replace("{time}", moment_in_words(booking.start, language)),
             translate(language, N_("Reference: {reference}")).replace("{reference}", booking.reference),
             centre_name]
    if booking.room:
        lines.append(translate(language, N_("Room: {room}")).replace("{room}", booking.room))
    return "\n".join(part for part in lines if part)

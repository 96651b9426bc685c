"""What staff record in two taps when they finish with a resident: the service (so the institution), whether it was a
consultation or an application, and the way it was done; also a phone or e-mail matter with no ticket at all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from staffdesk import desk, queue, usage
from staffdesk.catalogue import DeskCatalogue
from staffdesk.models import Staff, UsageEvent, utcnow


class MatterRefused(ValueError):
    """What staff sent is not a matter the statistics know: which field, in a few words (never the value)."""


@dataclass(frozen=True)
class Matter:
    matter: str
    channel: str
    service_id: str = ""
    institution: str = ""
    desk: str = ""
    call_id: int | None = None
    ticket_id: int | None = None
    # The console's key for this one record: a second tap, or a resend, records nothing more.
    key: str | None = None


def checked(catalogue: DeskCatalogue, matter: Matter) -> Matter:
    """The matter with its institution taken from its service; MatterRefused for anything the reports cannot use."""
    if matter.matter not in usage.MATTERS:
        raise MatterRefused("matter: consultation or application")
    if matter.channel not in usage.STAFF_CHANNELS:
        raise MatterRefused("channel: one of " + ", ".join(usage.STAFF_CHANNELS))
    if matter.call_id is not None and matter.ticket_id is not None:
        raise MatterRefused("a matter closes a call or a ticket, not both")
    institution = matter.institution
    if matter.service_id:
        service = catalogue.service(matter.service_id)
        if service is None:
            raise MatterRefused("service_id: not in the catalogue")
        if institution and institution != service.institution:
            raise MatterRefused("institution: not the service's")
        institution = service.institution
    if catalogue.institution(institution) is None:
        raise MatterRefused("institution: not in the catalogue")
    return Matter(matter.matter, matter.channel, matter.service_id, institution, matter.desk, matter.call_id,
                  matter.ticket_id, matter.key)


def record(session: Session, staff: Staff, catalogue: DeskCatalogue, matter: Matter) -> bool:
    """Record the matter, and resolve its call or finish its ticket, in one transaction; True when it was new.

    The call or ticket may be over already (the resident left, and the kiosk cancelled the call; a colleague
    called the next number): the matter was still handled, so it still counts.
    """
    matter = checked(catalogue, matter)
    if matter.key and session.scalar(select(UsageEvent.id).where(
            UsageEvent.centre_id == staff.centre_id, UsageEvent.kind == usage.MATTER, UsageEvent.key == matter.key)):
        return False
    kiosk_id = None
    if matter.call_id is not None:
        call = desk.resolve_call(session, staff, matter.call_id, commit=False)
        kiosk_id = call.kiosk_id if call is not None else desk.kiosk_of_call(session, staff, matter.call_id)
        if kiosk_id is None:
            raise MatterRefused("call_id: no such call in this centre")
    elif matter.ticket_id is not None:
        found = queue.ticket_of_centre(session, staff, matter.ticket_id)
        if found is None:
            raise MatterRefused("ticket_id: no such ticket in this centre")
        queue.finish(session, staff, matter.ticket_id, commit=False)
        kiosk_id = found[0].kiosk_id
    usage.record(session, [usage.Event(centre_id=staff.centre_id, kind=usage.MATTER, occurred_at=utcnow(),
                                       kiosk_id=kiosk_id, desk=matter.desk, key=matter.key, matter=matter.matter,
                                       institution=matter.institution, service_id=matter.service_id,
                                       channel=matter.channel)])
    session.commit()
    return True

"""The centre's queue: one number series per service per day shared by every kiosk, and 'Call next'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from staffdesk import usage
from staffdesk.core.security import new_token, token_hash
from staffdesk.models import (Kiosk, Priority, QueueCounter, QueueService, QueueTicket, Staff, TicketState,
                              utcnow)

# Days, and so the number series, turn over at midnight in Latvia, not in UTC.
LOCAL_TIME = ZoneInfo("Europe/Riga")
# Letters that cannot be mistaken for digits on a ticket or a board (no I, O).
LETTERS = "ABCDEFGHJKLMNPRSTUVZ"
# A rough estimate for the resident; refined by staff experience, not promised.
MINUTES_PER_PERSON = 6
RETRIES = 5


@dataclass(frozen=True)
class IssuedTicket:
    number: str
    people_ahead: int
    expected_wait_min: int
    where_to_go: str
    follow_token: str | None


def local_day(moment: dt.datetime | None = None) -> dt.date:
    moment = moment or utcnow()
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME).date()


def _letter(index: int) -> str:
    return LETTERS[index] if index < len(LETTERS) else LETTERS[index // len(LETTERS) - 1] + LETTERS[index % len(LETTERS)]


def queue_service(session: Session, centre_id: int, service_id: str, name: str) -> QueueService:
    """The service's queue in this centre, made on its first ticket with the next free letter."""
    for _attempt in range(RETRIES):
        found = session.scalar(select(QueueService).where(QueueService.centre_id == centre_id,
                                                          QueueService.service_id == service_id))
        if found is not None:
            return found
        used = session.scalar(select(func.count()).select_from(QueueService)
                              .where(QueueService.centre_id == centre_id))
        row = QueueService(centre_id=centre_id, service_id=service_id, name=name, letter=_letter(used))
        session.add(row)
        try:
            session.commit()
            return row
        except IntegrityError:  # another desk process made it (or took the letter) just now
            session.rollback()
    raise RuntimeError("could not register the service's queue")


def _next_number(session: Session, service: QueueService, day: dt.date) -> int:
    """One atomic UPDATE ... RETURNING: concurrent kiosks each get their own number."""
    bump = (update(QueueCounter).where(QueueCounter.queue_service_id == service.id, QueueCounter.day == day)
            .values(last_number=QueueCounter.last_number + 1).returning(QueueCounter.last_number))
    number = session.scalar(bump)
    if number is None:
        session.execute(insert(QueueCounter).values(queue_service_id=service.id, day=day, last_number=1))
        number = 1
    return number


def waiting_ahead(session: Session, ticket: QueueTicket) -> int:
    return session.scalar(select(func.count()).select_from(QueueTicket)
                          .where(QueueTicket.queue_service_id == ticket.queue_service_id,
                                 QueueTicket.day == ticket.day, QueueTicket.state == TicketState.WAITING.value,
                                 QueueTicket.id < ticket.id))


def _desks_serving(session: Session, ticket: QueueTicket) -> str:
    desks = session.scalars(select(QueueTicket.desk).distinct()
                            .where(QueueTicket.queue_service_id == ticket.queue_service_id,
                                   QueueTicket.day == ticket.day, QueueTicket.desk != "")
                            .order_by(QueueTicket.desk)).all()
    return ", ".join(desks)


def _issued(session: Session, ticket: QueueTicket, follow_token: str | None) -> IssuedTicket:
    ahead = waiting_ahead(session, ticket)
    return IssuedTicket(ticket.number, ahead, ahead * MINUTES_PER_PERSON, _desks_serving(session, ticket),
                        follow_token)


def _mine(session: Session, kiosk: Kiosk, key: str) -> QueueTicket | None:
    """The ticket this kiosk took with this key (a resend): keys are unique per kiosk, never across kiosks."""
    return session.scalar(select(QueueTicket).where(QueueTicket.kiosk_id == kiosk.id,
                                                    QueueTicket.idempotency_key == key))


def take_ticket(session: Session, kiosk: Kiosk, key: str, service_id: str, service_name: str,
                priority: Priority) -> IssuedTicket:
    existing = _mine(session, kiosk, key)
    if existing is not None:  # the kiosk retried after a timeout: same ticket (its follow link was shown once)
        return _issued(session, existing, None)
    service = queue_service(session, kiosk.centre_id, service_id, service_name)
    day = local_day()
    for _attempt in range(RETRIES):
        follow = new_token()
        try:
            number = _next_number(session, service, day)
            ticket = QueueTicket(idempotency_key=key, queue_service_id=service.id, day=day, sequence=number,
                                 number=f"{service.letter}{number:03d}", priority=priority.value,
                                 kiosk_id=kiosk.id, follow_hash=token_hash(follow))
            session.add(ticket)
            session.commit()
            return _issued(session, ticket, follow)
        except IntegrityError:
            session.rollback()
            existing = _mine(session, kiosk, key)
            if existing is not None:
                return _issued(session, existing, None)
    raise RuntimeError("could not give a queue number")


def report_local_ticket(session: Session, kiosk: Kiosk, key: str, number: str, service_id: str,
                        service_name: str, priority: Priority, issued_at: dt.datetime,
                        earliest: dt.datetime, arrived: dt.datetime) -> QueueTicket:
    """A number the kiosk gave while the desk was away: it joins today's queue so that it can be called.

    Its place in the queue is its time, so the time is held between the earliest the desk can believe
    (Heartbeats.earliest_local_ticket) and its arrival: a kiosk cannot date a ticket back to jump the queue.
    """
    existing = _mine(session, kiosk, key)
    if existing is not None:
        return existing
    issued_at = min(max(issued_at, earliest), arrived)
    service = queue_service(session, kiosk.centre_id, service_id, service_name)
    day = local_day(issued_at)
    # A number from an earlier day is counted, but nobody from yesterday is waiting to be called today.
    state = TicketState.WAITING.value if day == local_day() else TicketState.DONE.value
    ticket = QueueTicket(idempotency_key=key, queue_service_id=service.id, day=day, sequence=None, number=number,
                         from_kiosk_series=True, priority=priority.value, kiosk_id=kiosk.id, state=state,
                         created_at=issued_at)
    session.add(ticket)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return _mine(session, kiosk, key)
    return ticket


def call_next(session: Session, staff: Staff, desk: str, service_id: str | None) -> QueueTicket | None:
    """The next waiting ticket (priority first, then oldest) is called to this desk; the desk's last is done."""
    now = utcnow()
    day = local_day(now)
    served = session.execute(update(QueueTicket)
                             .where(QueueTicket.desk == desk, QueueTicket.state == TicketState.CALLED.value,
                                    QueueTicket.queue_service_id.in_(select(QueueService.id)
                                                                     .where(QueueService.centre_id == staff.centre_id)))
                             .values(state=TicketState.DONE.value, finished_at=now)
                             .returning(*COUNTED).execution_options(synchronize_session=False)).all()
    _count(session, staff, served, usage.QUEUE_SERVE, now)
    query = (select(QueueTicket).join(QueueService, QueueService.id == QueueTicket.queue_service_id)
             .where(QueueService.centre_id == staff.centre_id, QueueTicket.day == day,
                    QueueTicket.state == TicketState.WAITING.value)
             .order_by(case((QueueTicket.priority == Priority.NONE.value, 1), else_=0), QueueTicket.created_at,
                       QueueTicket.id)
             .limit(1))
    if service_id:
        query = query.where(QueueService.service_id == service_id)
    if session.get_bind().dialect.name == "postgresql":
        # Two desks pressing at once must not call the same person: the second skips the locked row.
        query = query.with_for_update(skip_locked=True, of=QueueTicket)
    ticket = session.scalar(query)
    if ticket is not None:
        ticket.state, ticket.desk, ticket.called_at = TicketState.CALLED.value, desk, now
        session.flush()
        _count(session, staff, [(ticket.id, ticket.queue_service_id, ticket.kiosk_id, ticket.desk, ticket.created_at,
                                 ticket.called_at)], usage.QUEUE_WAIT, now)
    session.commit()
    return ticket


# What a ticket's counted events are made from (staffdesk.usage): its service, kiosk, desk and times.
COUNTED = (QueueTicket.id, QueueTicket.queue_service_id, QueueTicket.kiosk_id, QueueTicket.desk,
           QueueTicket.created_at, QueueTicket.called_at)


def _count(session: Session, staff: Staff, tickets, kind: str, now: dt.datetime) -> None:
    """Queue times for the statistics: how long a called ticket waited, how long a finished one was served."""
    if not tickets:
        return
    services = dict(session.execute(select(QueueService.id, QueueService.service_id)
                                    .where(QueueService.id.in_({ticket[1] for ticket in tickets}))).all())
    events = []
    for _ticket_id, queue_service_id, kiosk_id, desk, created_at, called_at in tickets:
        start = created_at if kind == usage.QUEUE_WAIT else called_at
        events.append(usage.Event(centre_id=staff.centre_id, kind=kind, occurred_at=now, kiosk_id=kiosk_id, desk=desk,
                                  service_id=services.get(queue_service_id, ""),
                                  duration_s=None if kind == usage.QUEUE_NO_SHOW else usage.seconds_between(start, now)))
    usage.record(session, events)


def finish(session: Session, staff: Staff, ticket_id: int, commit: bool = True) -> bool:
    """The resident at this desk has been served: the ticket is done, and its serving time counted."""
    now = utcnow()
    served = session.execute(update(QueueTicket).where(*_called_here(staff, ticket_id))
                             .values(state=TicketState.DONE.value, finished_at=now)
                             .returning(*COUNTED).execution_options(synchronize_session=False)).all()
    _count(session, staff, served, usage.QUEUE_SERVE, now)
    if commit:
        session.commit()
    return bool(served)


def ticket_of_centre(session: Session, staff: Staff, ticket_id: int) -> tuple[QueueTicket, str] | None:
    """A ticket of the staff member's centre and its service's id, or None."""
    row = session.execute(select(QueueTicket, QueueService.service_id)
                          .join(QueueService, QueueService.id == QueueTicket.queue_service_id)
                          .where(QueueTicket.id == ticket_id, QueueService.centre_id == staff.centre_id)).first()
    return tuple(row) if row is not None else None


def _called_here(staff: Staff, ticket_id: int):
    """The conditions for acting on a called ticket: this one, still called, of the staff member's own centre."""
    return (QueueTicket.id == ticket_id, QueueTicket.state == TicketState.CALLED.value,
            QueueTicket.queue_service_id.in_(select(QueueService.id).where(QueueService.centre_id == staff.centre_id)))


def recall(session: Session, staff: Staff, ticket_id: int) -> bool:
    """'Call again': a new call time puts the number back on top of the display board, which chimes again."""
    result = session.execute(update(QueueTicket).where(*_called_here(staff, ticket_id)).values(called_at=utcnow()))
    session.commit()
    return result.rowcount == 1


def no_show(session: Session, staff: Staff, ticket_id: int) -> bool:
    """Nobody came: the ticket leaves the queue unserved (the day's counts keep it apart from the served)."""
    now = utcnow()
    gone = session.execute(update(QueueTicket).where(*_called_here(staff, ticket_id))
                           .values(state=TicketState.NO_SHOW.value, finished_at=now)
                           .returning(*COUNTED).execution_options(synchronize_session=False)).all()
    _count(session, staff, gone, usage.QUEUE_NO_SHOW, now)
    session.commit()
    return bool(gone)


def ticket_for_follow_token(session: Session, token: str) -> QueueTicket | None:
    return session.scalar(select(QueueTicket).where(QueueTicket.follow_hash == token_hash(token))) if token else None

"""Counting: usage events stored once each, with the monthly sums the reports over every centre read kept in step.

An event is codes, catalogue ids, times and numbers (staffdesk.models.UsageEvent): what was done, where, when and
for how long, never by whom. Kiosks count what residents do (kiosk.usage); the desk counts help calls answered and
queue times itself; staff record each matter's institution, service, kind and way in two taps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.staffdesk import wire
from staffdesk.models import UsageEvent, UsageMonth, UsageMonthCentre, UsageMonthDuration

# Periods are Latvia's days and months (as the queue's days: staffdesk.queue imports this module).
LOCAL_TIME = ZoneInfo("Europe/Riga")

# What the desk counts itself, and what staff record.
HELP_CALL = "help-call"          # duration: how long staff took to answer; none when nobody answered
QUEUE_WAIT = "queue-wait"        # a ticket called: how long it waited
QUEUE_SERVE = "queue-serve"      # a ticket finished: how long it was served
QUEUE_NO_SHOW = "queue-no-show"
MATTER = "matter"                # a matter staff handled: institution, service, consultation or application, way
DESK_KINDS = (HELP_CALL, QUEUE_WAIT, QUEUE_SERVE, QUEUE_NO_SHOW, MATTER)
KINDS = wire.USAGE_KINDS + DESK_KINDS
# The kinds whose durations the reports give medians and 90th percentiles of.
TIMED_KINDS = ("visit", HELP_CALL, QUEUE_WAIT, QUEUE_SERVE)

CONSULTATION, APPLICATION = "consultation", "application"
MATTERS = (CONSULTATION, APPLICATION)
# The ways staff record, in the ministry's table's order: helped by staff, an authorised e-service done for the
# resident, a paper form, a video consultation, by phone, by e-mail.
STAFF_CHANNELS = ("staff", "authorised", "paper", "video", "phone", "email")
CHANNELS = STAFF_CHANNELS + tuple(channel for channel in wire.USAGE_CHANNELS if channel not in STAFF_CHANNELS)

ROLLUPS = ((UsageMonth, ("month", "kind", "matter", "institution", "service_id", "channel", "language")),
           (UsageMonthCentre, ("month", "centre_id", "kind", "matter")))
# Rows for one statement: SQLite allows 32,766 parameters in one, and an event has 16.
CHUNK = 1000


@dataclass(frozen=True)
class Event:
    centre_id: int
    kind: str
    occurred_at: dt.datetime  # naive UTC
    kiosk_id: int | None = None
    desk: str = ""
    key: str | None = None
    matter: str = ""
    institution: str = ""
    service_id: str = ""
    channel: str = ""
    language: str = ""
    duration_s: int | None = None
    amount: int = 1


def local_day(moment: dt.datetime) -> dt.date:
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME).date()


def _row(event: Event) -> dict:
    day = local_day(event.occurred_at)
    return {"centre_id": event.centre_id, "kiosk_id": event.kiosk_id, "desk": event.desk, "key": event.key,
            "kind": event.kind, "matter": event.matter, "institution": event.institution,
            "service_id": event.service_id, "channel": event.channel, "language": event.language,
            "occurred_at": event.occurred_at, "day": day, "month": day.replace(day=1),
            "duration_s": event.duration_s, "amount": event.amount}


def _dialect_insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# What the sums need of each event stored.
_RETURNED = ("month", "centre_id", "kind", "matter", "institution", "service_id", "channel", "language", "duration_s",
             "amount")


def record(session: Session, events: list[Event]) -> int:
    """Store the events not stored before and add them to the monthly sums, in the caller's transaction (which
    commits). Returns how many were new: a kiosk's resend of an event the desk has (same kiosk, same key) adds
    nothing, here or to any sum."""
    if not events:
        return 0
    insert_ = _dialect_insert(session)
    # One order for every writer: two deliveries that share keys then wait for each other, and never deadlock.
    rows = sorted((_row(event) for event in events), key=lambda row: (row["kiosk_id"] or 0, row["key"] or ""))
    # Core, on the table, not the ORM's bulk insert of the mapped class: that one leaves a row's None values out of
    # its parameters and so runs one executemany per stretch of rows with the same columns None (a visit's duration
    # among matters without one: thousands of statements for 20,000 events), then splices every stretch's RETURNING
    # rows onto all the ones before (quadratic). Here every row has every column: one executemany per chunk,
    # which SQLAlchemy sends as multi-row INSERTs (insertmanyvalues). NULL and a missing value are the same NULL.
    table = UsageEvent.__table__
    statement = (insert_(table).on_conflict_do_nothing(index_elements=["kiosk_id", "key"])
                 .returning(*(table.c[name] for name in _RETURNED)))
    new = []
    for start in range(0, len(rows), CHUNK):
        new += session.execute(statement, rows[start:start + CHUNK]).all()
    if new:
        _add_to_sums(session, insert_, new)
    return len(new)


def _add_to_sums(session: Session, insert_, new: list[tuple]) -> None:
    """Add the new events (rows of _RETURNED) to every monthly sum."""
    position = {name: index for index, name in enumerate(_RETURNED)}
    amount, kind, duration = position["amount"], position["kind"], position["duration_s"]
    for model, dimensions in ROLLUPS:
        at = [position[name] for name in dimensions]
        sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for row in new:
            found = sums[tuple([row[index] for index in at])]
            found[0] += 1
            found[1] += row[amount]
        _upsert(session, insert_, model, dimensions, {key: tuple(value) for key, value in sums.items()},
                ("events", "amount"))
    durations: dict[tuple, tuple[int]] = defaultdict(lambda: (0,))
    month = position["month"]
    for row in new:
        if row[kind] in TIMED_KINDS and row[duration] is not None:
            key = (row[month], row[kind], row[duration])
            durations[key] = (durations[key][0] + 1,)
    _upsert(session, insert_, UsageMonthDuration, ("month", "kind", "duration_s"), durations, ("events",))


def _upsert(session: Session, insert_, model, dimensions: tuple[str, ...], sums: dict[tuple, tuple[int, ...]],
            measures: tuple[str, ...]) -> None:
    """Add to each sum, making the rows not there yet; in key order, so that concurrent writers never deadlock."""
    rows = [dict(zip(dimensions + measures, key + value)) for key, value in sorted(sums.items())]
    # Core on the table, as the events: the ORM's bulk path adds nothing here but its own bookkeeping.
    table = model.__table__
    statement = insert_(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(dimensions),
        set_={name: table.c[name] + statement.excluded[name] for name in measures})
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start:start + CHUNK])


def rebuild_sums(session: Session) -> None:
    """Make every monthly sum again from the events, in one transaction (the caller's, which commits): for a
    database filled in bulk (the benchmark), or to check the sums against the events."""
    for model in (UsageMonth, UsageMonthCentre, UsageMonthDuration):
        session.execute(delete(model))
    for model, dimensions in ROLLUPS:
        columns = [getattr(UsageEvent, name) for name in dimensions]
        session.execute(insert(model).from_select(
            list(dimensions) + ["events", "amount"],
            select(*columns, func.count(), func.sum(UsageEvent.amount)).group_by(*columns)))
    session.execute(insert(UsageMonthDuration).from_select(
        ["month", "kind", "duration_s", "events"],
        select(UsageEvent.month, UsageEvent.kind, UsageEvent.duration_s, func.count())
        .where(UsageEvent.kind.in_(TIMED_KINDS), UsageEvent.duration_s.is_not(None))
        .group_by(UsageEvent.month, UsageEvent.kind, UsageEvent.duration_s)))


def seconds_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))

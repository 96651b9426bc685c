"""Counting: usage events stored once each, with the monthly sums the reports over every centre read kept in step.

An event is codes, catalogue ids, times and numbers (staffdesk.models.UsageEvent): what was done, where, when and
for how long, never by whom. Kiosks count what residents do (kiosk.usage); the desk counts help calls answered and
queue times itself; staff record each matter's institution, service, kind and way in two taps.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import String, bindparam, column, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.desk_link import wire
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


# An event's row, in this order.
_COLUMNS = ("centre_id", "kiosk_id", "desk", "key", "kind", "matter", "institution", "service_id", "channel", "language",
            "occurred_at", "day", "month", "duration_s", "amount")
# What the sums need of each event stored.
_RETURNED = ("month", "centre_id", "kind", "matter", "institution", "service_id", "channel", "language", "duration_s",
             "amount")


def _row(event: Event) -> tuple:
    day = local_day(event.occurred_at)
    return (event.centre_id, event.kiosk_id, event.desk, event.key, event.kind, event.matter, event.institution,
            event.service_id, event.channel, event.language, event.occurred_at, day, day.replace(day=1),
            event.duration_s, event.amount)


def _writer_order(row: tuple) -> tuple:
    return row[1] or 0, row[3] or ""  # kiosk_id, key


def record(session: Session, events: list[Event]) -> int:
    """Store the events not stored before and add them to the monthly sums, in the caller's transaction (which
    commits). Returns how many were new: a kiosk's resend of an event the desk has (same kiosk, same key) adds
    nothing, here or to any sum."""
    if not events:
        return 0
    # One order for every writer: two deliveries that share keys then wait for each other, and never deadlock.
    rows = sorted(map(_row, events), key=_writer_order)
    new = _insert(session, UsageEvent, _COLUMNS, rows, ("kiosk_id", "key"))
    if new:
        _add_to_sums(session, new)
    return len(new)


def _insert(session: Session, model, names: tuple[str, ...], rows: list[tuple], keys: tuple[str, ...],
            added: tuple[str, ...] = ()) -> list:
    """INSERT the rows (tuples in the order of `names`) in chunks, in their order. A row whose `keys` are there
    already adds its `added` columns to that row's; with none, it is left out, and the rows that went in come back
    (as _RETURNED)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _statement(postgres, model, names, keys, added)
    found = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if postgres:
            result = session.execute(statement, dict(zip(names, map(list, zip(*chunk)))))
        else:
            result = session.execute(statement, [dict(zip(names, row)) for row in chunk])
        if not added:
            found += result.all()
    return found


@functools.cache
def _statement(postgres: bool, model, names: tuple[str, ...], keys: tuple[str, ...], added: tuple[str, ...]):
    """The INSERT for _insert, made once (building it is most of the processor time of storing one event).

    Core, on the table, not the ORM's bulk insert of the mapped class: that one leaves a row's None values out of its
    parameters and so runs one executemany per stretch of rows with the same columns None (a visit's duration among
    matters without one: thousands of statements for 20,000 events), then splices every stretch's RETURNING rows onto
    all the ones before (quadratic).

    PostgreSQL gets each chunk as one array a column, unnested in FROM into rows in the arrays' order: fifteen
    parameters for a thousand events, where a multi-row VALUES (SQLAlchemy's insertmanyvalues) has 15,000, each of
    which psycopg finds in the statement's text with a regular expression and adapts alone (0.09 s of processor
    time a thousand rows, over again for every statement: their text differs). SQLite runs one multi-row INSERT a
    chunk, within its 32,766 parameters."""
    table = model.__table__
    if postgres:
        # Strings as unbounded VARCHAR: a cast to the column's VARCHAR(n) would cut a too long value silently,
        # where inserting it fails, as it does on the other road.
        types = [String() if isinstance(table.c[name].type, String) else table.c[name].type for name in names]
        source = (func.unnest(*(bindparam(name, type_=postgresql.ARRAY(type_)) for name, type_ in zip(names, types)))
                  .table_valued(*(column(name, type_) for name, type_ in zip(names, types)))
                  .render_derived(name="incoming"))
        statement = postgresql.insert(table).from_select(list(names), select(*source.c))
    else:
        statement = sqlite.insert(table)
    if added:
        return statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in added})
    return statement.on_conflict_do_nothing(index_elements=list(keys)).returning(
        *(table.c[name] for name in _RETURNED))


def _add_to_sums(session: Session, new: list[tuple]) -> None:
    """Add the new events (rows of _RETURNED) to every monthly sum."""
    position = {name: index for index, name in enumerate(_RETURNED)}
    amount, kind, duration, month = (position[name] for name in ("amount", "kind", "duration_s", "month"))
    for model, dimensions in ROLLUPS:
        key_of = itemgetter(*(position[name] for name in dimensions))
        events, amounts = Counter(), Counter()
        for row in new:
            key = key_of(row)
            events[key] += 1
            amounts[key] += row[amount]
        _upsert(session, model, dimensions, {key: (count, amounts[key]) for key, count in events.items()},
                ("events", "amount"))
    durations = Counter((row[month], row[kind], row[duration]) for row in new
                        if row[kind] in TIMED_KINDS and row[duration] is not None)
    _upsert(session, UsageMonthDuration, ("month", "kind", "duration_s"),
            {key: (count,) for key, count in durations.items()}, ("events",))


def _upsert(session: Session, model, dimensions: tuple[str, ...], sums: dict[tuple, tuple[int, ...]],
            measures: tuple[str, ...]) -> None:
    """Add to each sum, making the rows not there yet; in key order, so that concurrent writers never deadlock."""
    _insert(session, model, dimensions + measures, [key + value for key, value in sorted(sums.items())], dimensions,
            measures)


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

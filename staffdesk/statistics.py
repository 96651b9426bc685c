"""The centres' statistics: one period's figures for one centre, a few or all of them, added up in the database.

Every figure comes from a few GROUP BY queries. Over all centres, whole months are read from the monthly sums
(staffdesk.usage keeps them in step with the events) and only the period's partial months from the events
themselves; for chosen centres the events are read through their (centre, day) index. Either way the same
numbers come out: the tests compare both roads.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, cast, func, or_, select, union_all
from sqlalchemy.orm import Session

from staffdesk.models import Centre, UsageEvent, UsageMonth, UsageMonthCentre, UsageMonthDuration
from staffdesk.usage import (APPLICATION, CONSULTATION, HELP_CALL, MATTER, QUEUE_NO_SHOW, QUEUE_SERVE, QUEUE_WAIT,
                             STAFF_CHANNELS, TIMED_KINDS)

PERIOD_KINDS = ("month", "quarter", "year", "custom")
# A custom period longer than this is a typing mistake more often than a question.
LONGEST_PERIOD = dt.timedelta(days=366 * 10)
# The kinds the table of services counts.
SERVICE_KINDS = (MATTER, "service-viewed", "self-service-opened", "form-printed", "ticket-taken")
ROLLUPS = ((UsageMonth, {"month", "kind", "matter", "institution", "service_id", "channel", "language"}),
           (UsageMonthCentre, {"month", "centre_id", "kind", "matter"}))


class PeriodError(ValueError):
    """A period that cannot be read, worded for whoever typed it."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]),
                   f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if not 1 <= quarter <= 4:
            raise PeriodError("a quarter is 1, 2, 3 or 4")
        first, last = cls.month(year, 3 * quarter - 2), cls.month(year, 3 * quarter)
        return cls(first.start, last.end, f"{year}-Q{quarter}")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> "Period":
        if end < start:
            raise PeriodError("the period ends before it starts")
        if end - start > LONGEST_PERIOD:
            raise PeriodError("a period may be at most ten years long")
        # A month, a quarter or a year given by its days is named as one: the same figures, the same label.
        if start.year == end.year and start.day == 1 and end == _month_end(end):
            if start.month == end.month:
                return cls.month(start.year, start.month)
            if start.month % 3 == 1 and end.month == start.month + 2:
                return cls.quarter(start.year, (start.month + 2) // 3)
            if (start.month, end.month) == (1, 12):
                return cls.year(start.year)
        return cls(start, end, f"{start.isoformat()} – {end.isoformat()}")

    @classmethod
    def parse(cls, kind: str, value: str = "", start: str = "", end: str = "") -> "Period":
        """As the console's form and the command line give it: month 2021-03, quarter 2021-Q1, year 2021, or
        custom with start and end dates (YYYY-MM-DD)."""
        value = (value or "").strip()
        try:
            if kind == "month" and (found := re.fullmatch(r"(\d{4})-(\d{1,2})", value)):
                return cls.month(int(found[1]), int(found[2]))
            if kind == "quarter" and (found := re.fullmatch(r"(\d{4})-?Q([1-4])", value, re.IGNORECASE)):
                return cls.quarter(int(found[1]), int(found[2]))
            if kind == "year" and re.fullmatch(r"\d{4}", value):
                return cls.year(int(value))
            if kind == "custom":
                return cls.custom(dt.date.fromisoformat(start.strip()), dt.date.fromisoformat(end.strip()))
        except ValueError as error:
            if isinstance(error, PeriodError):
                raise
            raise PeriodError("the dates are written YYYY-MM-DD, e.g. 2021-03-15") from None
        raise PeriodError(f"a {kind} period is written like " + {
            "month": "2021-03", "quarter": "2021-Q1", "year": "2021"}.get(kind, "month, quarter, year or custom"))

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def whole_months(self) -> list[dt.date]:
        return [month for month in self.months()
                if month >= self.start and _month_end(month) <= self.end]

    def partial_ranges(self) -> list[tuple[dt.date, dt.date]]:
        """The days of the period outside its whole months: at most one stretch at each end."""
        whole = self.whole_months()
        if not whole:
            return [(self.start, self.end)]
        ranges = []
        if self.start < whole[0]:
            ranges.append((self.start, whole[0] - dt.timedelta(days=1)))
        if _month_end(whole[-1]) < self.end:
            ranges.append((_month_end(whole[-1]) + dt.timedelta(days=1), self.end))
        return ranges


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# ---- the queries ----------------------------------------------------------------------------------------------


def tally(session: Session, dimensions: tuple[str, ...], period: Period, centre_ids: list[int] | None,
          kinds: tuple[str, ...] | None = None) -> list[tuple]:
    """(dimension values..., events, amount) for every combination of the dimensions in the period, for the centres
    given (None: every centre) and the kinds given (None: all). Whole months come from a monthly sum where one has
    the dimensions; the rest from the events."""
    rollup = next((model for model, has in ROLLUPS if set(dimensions) <= has
                   and (centre_ids is None or "centre_id" in has)), None)
    whole = period.whole_months() if rollup is not None else []
    parts = []
    if whole:
        columns = [getattr(rollup, name).label(name) for name in dimensions]
        query = (select(*columns, _sum(rollup.events, "events"), _sum(rollup.amount, "amount"))
                 .where(rollup.month.between(whole[0], whole[-1])).group_by(*columns))
        if centre_ids is not None:
            query = query.where(rollup.centre_id.in_(centre_ids))
        if kinds is not None:
            query = query.where(rollup.kind.in_(kinds))
        parts.append(query)
    for start, end in (period.partial_ranges() if whole else [(period.start, period.end)]):
        columns = [getattr(UsageEvent, name).label(name) for name in dimensions]
        query = (select(*columns, cast(func.count(), BigInteger).label("events"), _sum(UsageEvent.amount, "amount"))
                 .where(UsageEvent.day.between(start, end)).group_by(*columns))
        if centre_ids is not None:
            query = query.where(UsageEvent.centre_id.in_(centre_ids))
        if kinds is not None:
            query = query.where(UsageEvent.kind.in_(kinds))
        parts.append(query)
    if len(parts) == 1:
        rows = session.execute(parts[0]).all()
    else:
        both = union_all(*parts).subquery()
        columns = [both.c[name] for name in dimensions]
        rows = session.execute(select(*columns, _sum(both.c.events, "events"), _sum(both.c.amount, "amount"))
                               .group_by(*columns)).all()
    return [(*row[:-2], row[-2] or 0, row[-1] or 0) for row in rows]


def _sum(column, name: str):
    """A sum as a whole number: PostgreSQL sums bigints as numeric, which Python would get as Decimal."""
    return cast(func.sum(column), BigInteger).label(name)


def _histogram(period: Period, centre_ids: list[int] | None):
    """(kind, duration_s, events): how many events of each timed kind lasted each whole number of seconds."""
    whole = period.whole_months() if centre_ids is None else []
    parts = []
    if whole:
        model = UsageMonthDuration
        parts.append(select(model.kind.label("kind"), model.duration_s.label("duration_s"),
                            cast(func.sum(model.events), BigInteger).label("events"))
                     .where(model.month.between(whole[0], whole[-1]), model.kind.in_(TIMED_KINDS))
                     .group_by(model.kind, model.duration_s))
    for start, end in (period.partial_ranges() if whole else [(period.start, period.end)]):
        query = (select(UsageEvent.kind.label("kind"), UsageEvent.duration_s.label("duration_s"),
                        cast(func.count(), BigInteger).label("events"))
                 .where(UsageEvent.day.between(start, end), UsageEvent.kind.in_(TIMED_KINDS),
                        UsageEvent.duration_s.is_not(None))
                 .group_by(UsageEvent.kind, UsageEvent.duration_s))
        if centre_ids is not None:
            query = query.where(UsageEvent.centre_id.in_(centre_ids))
        parts.append(query)
    if len(parts) == 1:
        return parts[0].subquery()
    both = union_all(*parts).subquery()
    return (select(both.c.kind, both.c.duration_s, cast(func.sum(both.c.events), BigInteger).label("events"))
            .group_by(both.c.kind, both.c.duration_s).subquery())


def durations(session: Session, period: Period, centre_ids: list[int] | None) -> dict[str, list[tuple[int, int]]]:
    """kind -> [(seconds, how many events lasted that long)], ascending, for the timed kinds."""
    histogram = _histogram(period, centre_ids)
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for kind, seconds, events in session.execute(select(histogram)).all():
        found[kind].append((int(seconds), int(events)))
    return {kind: sorted(values) for kind, values in found.items()}


# The percentiles reported, as whole tenths: integer arithmetic gives both databases the same ranks.
TENTHS = {"median": 5, "p90": 9}


def timings(session: Session, period: Period, centre_ids: list[int] | None) -> dict[str, "Timing"]:
    """kind -> how many timed events, their median and 90th percentile, all worked out in the database.

    The values are PostgreSQL's percentile_cont (between the two nearest ranks): each rank is found in the
    histogram's running totals, so only the few rows around the ranks come back, whatever the number of events.
    """
    histogram = _histogram(period, centre_ids)
    running = select(histogram.c.kind, histogram.c.duration_s, histogram.c.events,
                     cast(func.sum(histogram.c.events).over(partition_by=histogram.c.kind,
                                                            order_by=histogram.c.duration_s), BigInteger)
                     .label("upto"),
                     cast(func.sum(histogram.c.events).over(partition_by=histogram.c.kind), BigInteger)
                     .label("total")).subquery()
    before = running.c.upto - running.c.events
    ranks = [(running.c.total - 1) * tenths // 10 + extra for tenths in TENTHS.values() for extra in (0, 1)]
    rows = session.execute(select(running.c.kind, running.c.total, running.c.duration_s, before, running.c.upto)
                           .where(or_(*((before <= rank) & (rank < running.c.upto) for rank in ranks)))).all()
    found: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for kind, total, seconds, first, upto in rows:
        found[kind].append((int(total), int(seconds), int(first), int(upto)))
    result = {}
    for kind, spans in found.items():
        total = spans[0][0]

        def at(rank: int) -> int:
            rank = min(rank, total - 1)
            return next(seconds for _total, seconds, first, upto in spans if first <= rank < upto)

        values = {}
        for name, tenths in TENTHS.items():
            low = (total - 1) * tenths // 10
            fraction = (total - 1) * tenths / 10 - low
            values[name] = at(low) + (at(low + 1) - at(low)) * fraction
        result[kind] = Timing(total, values["median"], values["p90"])
    return result


def percentile(histogram: list[tuple[int, int]], fraction: float) -> float | None:
    """percentile_cont over the values a histogram stands for (the tests' reference for `timings`)."""
    total = sum(count for _value, count in histogram)
    if not total:
        return None
    rank = fraction * (total - 1)
    low_rank, high_rank = int(rank), min(int(rank) + 1, total - 1)
    low = high = None
    seen = 0
    for value, count in histogram:
        if low is None and seen + count > low_rank:
            low = value
        if seen + count > high_rank:
            high = value
            break
        seen += count
    return low + (high - low) * (rank - low_rank)


# ---- the report -----------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the ministry's table: a period's matters, by kind, institution and way."""
    label: str
    consultations: int = 0
    applications: int = 0
    institutions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    channels: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # "Do it yourself" opened at a kiosk: self-service, counted beside the matters, never in their total.
    self_service: int = 0

    @property
    def total(self) -> int:
        return self.consultations + self.applications


@dataclass
class Split:
    """Consultations and applications of one institution, service or way."""
    code: str
    consultations: int = 0
    applications: int = 0

    @property
    def total(self) -> int:
        return self.consultations + self.applications


@dataclass
class ServiceUse(Split):
    institution: str = ""
    viewed: int = 0
    self_service: int = 0
    forms: int = 0
    tickets: int = 0


@dataclass
class Timing:
    count: int = 0
    median_s: float | None = None
    p90_s: float | None = None



@dataclass
class CentreRow:
    name: str
    consultations: int = 0
    applications: int = 0
    visits: int = 0

    @property
    def total(self) -> int:
        return self.consultations + self.applications


@dataclass
class Report:
    period: Period
    # The centres' names; empty for every centre.
    centres: list[str]
    whole: Row
    months: list[Row]
    institutions: list[Split]
    services: list[ServiceUse]
    channels: list[Split]
    # language -> visits begun in it
    languages: dict[str, int]
    # kind -> events, and kind -> amount (pages), of everything counted
    counts: dict[str, int]
    amounts: dict[str, int]
    help_calls: int
    help_answered: Timing
    queue_wait: Timing
    queue_serve: Timing
    visits: Timing
    per_centre: list[CentreRow]

    @property
    def institution_codes(self) -> list[str]:
        return [split.code for split in self.institutions]


def build_report(session: Session, period: Period, centre_ids: list[int] | None = None,
                 institution_order: list[str] = ()) -> Report:
    """The period's figures for the centres given (None or every centre's id: all of them).

    institution_order: the institutions every table lists, in this order, even with nothing counted (the ministry's
    table keeps its columns); others that have figures follow.
    """
    names = dict(session.execute(select(Centre.id, Centre.name)).all())
    chosen = sorted(names[centre_id] for centre_id in centre_ids if centre_id in names) if centre_ids else []
    if centre_ids is not None and set(centre_ids) >= set(names):
        centre_ids = None  # every centre: the monthly sums serve, the same figures sooner

    months = {month: Row(month.strftime("%Y-%m")) for month in period.months()}
    whole = Row(period.label)
    institutions: dict[str, Split] = {code: Split(code) for code in institution_order}
    channels: dict[str, Split] = {code: Split(code) for code in STAFF_CHANNELS}
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, int] = defaultdict(int)
    for month, kind, matter, institution, channel, events, amount in tally(
            session, ("month", "kind", "matter", "institution", "channel"), period, centre_ids):
        counts[kind] += events
        amounts[kind] += amount
        row = months.get(_as_date(month))
        for target in (row, whole) if row is not None else (whole,):
            if kind == MATTER:
                _add_matter(target, matter, events)
                target.institutions[institution] += events
                target.channels[channel] += events
            elif kind == "self-service-opened":
                target.self_service += events
        if kind == MATTER:
            _add_matter(institutions.setdefault(institution, Split(institution)), matter, events)
            _add_matter(channels.setdefault(channel, Split(channel)), matter, events)

    services: dict[str, ServiceUse] = {}
    for kind, matter, service_id, institution, events, _amount in tally(
            session, ("kind", "matter", "service_id", "institution"), period, centre_ids, SERVICE_KINDS):
        if not service_id:
            continue
        use = services.setdefault(service_id, ServiceUse(service_id, institution=institution))
        use.institution = use.institution or institution
        if kind == MATTER:
            _add_matter(use, matter, events)
        else:
            attribute = {"service-viewed": "viewed", "self-service-opened": "self_service", "form-printed": "forms",
                         "ticket-taken": "tickets"}[kind]
            setattr(use, attribute, getattr(use, attribute) + events)

    languages: dict[str, int] = defaultdict(int)
    for kind, language, events, _amount in tally(session, ("kind", "language"), period, centre_ids, ("visit",)):
        languages[language or "?"] += events

    timed = timings(session, period, centre_ids)
    per_centre = []
    if centre_ids is None or len(centre_ids) > 1:
        rows: dict[int, CentreRow] = {}
        for centre_id, kind, matter, events, _amount in tally(session, ("centre_id", "kind", "matter"), period,
                                                              centre_ids, (MATTER, "visit")):
            row = rows.setdefault(centre_id, CentreRow(names.get(centre_id, str(centre_id))))
            if kind == MATTER:
                _add_matter(row, matter, events)
            elif kind == "visit":
                row.visits += events
        per_centre = sorted(rows.values(), key=lambda row: (-row.total, row.name))

    return Report(
        period=period, centres=chosen, whole=whole, months=list(months.values()),
        institutions=[split for split in institutions.values() if split.total or split.code in institution_order],
        services=sorted(services.values(), key=lambda use: (-use.total, -use.viewed, use.code)),
        channels=[split for split in channels.values() if split.total or split.code in STAFF_CHANNELS],
        languages=dict(sorted(languages.items(), key=lambda item: -item[1])),
        counts=dict(counts), amounts=dict(amounts),
        help_calls=counts.get(HELP_CALL, 0), help_answered=timed.get(HELP_CALL, Timing()),
        queue_wait=timed.get(QUEUE_WAIT, Timing()), queue_serve=timed.get(QUEUE_SERVE, Timing()),
        visits=timed.get("visit", Timing()), per_centre=per_centre)


def _add_matter(target, matter: str, events: int) -> None:
    if matter == CONSULTATION:
        target.consultations += events
    elif matter == APPLICATION:
        target.applications += events


def _as_date(value) -> dt.date:
    """SQLite hands a date from a UNION back as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def no_shows(report: Report) -> int:
    return report.counts.get(QUEUE_NO_SHOW, 0)


def centre_ids_named(session: Session, names: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the centres named, and the names no centre has."""
    found = dict(session.execute(select(Centre.name, Centre.id).where(Centre.name.in_(names))).all())
    return [found[name] for name in names if name in found], [name for name in names if name not in found]


def all_centres(session: Session) -> list[tuple[int, str]]:
    return [tuple(row) for row in session.execute(select(Centre.id, Centre.name).order_by(Centre.name)).all()]

"""The centres' statistics at national scale: a year of usage events over 538 centres, on PostgreSQL and SQLite.

One year (--events, 2,000,000 by default) of events over 538 centres and 2,400 kiosks, in realistic proportions: most
are the kiosks' (visits, services viewed, prints, tickets), about 12 % are the matters staff record, the rest the
desk's own help-call and queue times. Services are Zipf-distributed (a few are asked for most), and so are centres'
sizes. The events are loaded in bulk (COPY on PostgreSQL) and the monthly sums made from them in SQL
(staffdesk.usage.rebuild_sums), as the desk keeps them while events arrive one by one.

Prints, per backend (name=value lines):
  load_s                     loading the events and making the monthly sums
  national_year_p50_ms/_p99  the yearly report over every centre (staffdesk.statistics.build_report), repeated
  centre_month_p50_ms/_p99   a one-centre monthly report, a random centre and month each time
                             (goal on PostgreSQL: both p99 <= 500)
  ingest_events_per_s        usage events stored per second through the kiosk API (a running desk), from 2,400
                             kiosks' tokens, 32 requests in flight, each a visit's worth of events (8)
  ingest_p99_ms              a request's latency at that load
  year_total                 the year's matters the report counted (a check that it read the data)
Then load_1min: the machine's load average after the run (above ~2 on 2 cores, something else competed).
Run: .venv/bin/python bench/desk_statistics.py [--events 2000000] [--backends postgresql,sqlite] [--ingest-seconds 10]
  [--quick]  20,000 events, fewer reports, 1 s of ingest, on both backends: for the tests, which check that the bench
             still runs to its figures (which then say little).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Its folder holds staffdesk.py, named like the staffdesk package (loaded below as desk_bench): started as a script,
# the folder must not come first on the path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import random
import statistics as stats
import time
import uuid
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staffdesk import statistics, usage  # noqa: E402
from staffdesk.catalogue import desk_catalogue  # noqa: E402
from staffdesk.core.db import make_engine, make_sessionmaker  # noqa: E402
from staffdesk.core.settings import get_settings  # noqa: E402
from tools.pg_cluster import PgCluster, free_port  # noqa: E402

# The desk's load benchmark has the kiosks, the server and a lean HTTP client: the same ones here.
_spec = importlib.util.spec_from_file_location("desk_bench", ROOT / "bench" / "staffdesk.py")
desk_bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = desk_bench  # its dataclasses look their module up there while they are made
_spec.loader.exec_module(desk_bench)

CENTRES, KIOSKS = desk_bench.CENTRES, desk_bench.KIOSKS
# The year reported: the last whole one.
YEAR = dt.date.today().year - 1
# How the kinds share the events (about 12 % matters: 242,145 of 2,000,000 in 2021's proportions).
KIND_WEIGHTS = {"visit": 22, "service-viewed": 28, "self-service-opened": 7, "form-printed": 3, "ticket-taken": 8,
                "pages-printed": 5, "pages-scanned": 3, "video-booked": 0.5, usage.HELP_CALL: 3,
                usage.QUEUE_WAIT: 4.5, usage.QUEUE_SERVE: 4, usage.QUEUE_NO_SHOW: 0.5, usage.MATTER: 12}
DURATIONS = {"visit": (60, 1800), usage.HELP_CALL: (5, 600), usage.QUEUE_WAIT: (30, 3600),
             usage.QUEUE_SERVE: (60, 1800)}
NATIONAL_RUNS, CENTRE_RUNS = 30, 200
QUICK_EVENTS, QUICK_NATIONAL_RUNS, QUICK_CENTRE_RUNS, QUICK_INGEST_S = 20_000, 3, 20, 1.0
INGEST_CLIENTS, INGEST_BATCH = 32, 8
COLUMNS = ("centre_id", "kiosk_id", "desk", "kind", "matter", "institution", "service_id", "channel", "language",
           "occurred_at", "day", "month", "duration_s", "amount")


def make_events(count: int, seed: int = 2021) -> list[tuple]:
    """A year of events as rows of COLUMNS; kiosk ids 1..2,400 belong to centre (id - 1) % 538 + 1."""
    rng = random.Random(seed)
    catalogue = desk_catalogue(get_settings().catalog_path)
    services = [(entry.code, entry.institution) for entry in catalogue.services]
    service_weights = [1 / (rank + 1) for rank in range(len(services))]
    kiosk_weights = [1 / (rank % CENTRES + 1) ** 0.7 for rank in range(KIOSKS)]
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    chosen_kinds = rng.choices(kinds, kind_weights, k=count)
    chosen_services = rng.choices(services, service_weights, k=count)
    chosen_kiosks = rng.choices(range(1, KIOSKS + 1), kiosk_weights, k=count)
    start = dt.datetime(YEAR, 1, 1, tzinfo=usage.LOCAL_TIME)
    seconds = 365 * 86400
    rows = []
    for kind, (service_id, institution), kiosk_id in zip(chosen_kinds, chosen_services, chosen_kiosks):
        local = start + dt.timedelta(seconds=rng.randrange(seconds))
        day = local.date()
        occurred = local.astimezone(dt.timezone.utc).replace(tzinfo=None)
        matter = channel = ""
        language = rng.choices(("lv", "en", "uk"), (70, 12, 18))[0]
        amount, duration = 1, None
        if kind == usage.MATTER:
            matter = rng.choices(usage.MATTERS, (49, 51))[0]
            channel = rng.choices(usage.STAFF_CHANNELS, (40, 20, 15, 5, 12, 8))[0]
            language = ""
        elif kind in ("visit", "pages-printed", "pages-scanned", usage.HELP_CALL) or kind.startswith("queue-"):
            service_id = institution = ""
        if kind in ("pages-printed", "pages-scanned"):
            amount = rng.randint(1, 12)
        if kind in DURATIONS:
            low, high = DURATIONS[kind]
            duration = int(rng.lognormvariate(0, 0.6) * (low + high) / 4) + low
        centre_id = (kiosk_id - 1) % CENTRES + 1
        rows.append((centre_id, kiosk_id if kind != usage.MATTER else None, "", kind, matter, institution, service_id,
                     channel, language, occurred, day, day.replace(day=1), duration, amount))
    return rows


def load(url: str, rows: list[tuple]) -> None:
    """The events in bulk, then the monthly sums made from them, as one administrator's import would."""
    engine = make_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            if engine.dialect.name == "postgresql":
                with raw.driver_connection.cursor() as cursor:
                    with cursor.copy(f"COPY usage_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                raw.driver_connection.commit()
            else:
                # The text forms SQLAlchemy stores on SQLite, so that its queries compare like with like.
                cursor = raw.driver_connection.cursor()
                cursor.execute("BEGIN")
                cursor.executemany(
                    f"INSERT INTO usage_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    ((*row[:9], row[9].strftime("%Y-%m-%d %H:%M:%S.%f"), row[10].isoformat(), row[11].isoformat(),
                      row[12], row[13]) for row in rows))
                cursor.execute("COMMIT")
        finally:
            raw.close()
        with make_sessionmaker(engine)() as session:
            usage.rebuild_sums(session)
            session.commit()
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        engine.dispose()


def timed(work, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return stats.median(times), stats.quantiles(times, n=100, method="inclusive")[98]


def reports(url: str, national_runs: int, centre_runs: int) -> dict[str, float]:
    engine = make_engine(url)
    rng = random.Random(7)
    found = {}
    try:
        session = make_sessionmaker(engine, read_only=True)()
        order = [entry.code for entry in desk_catalogue(get_settings().catalog_path).institutions]
        year = statistics.Period.year(YEAR)
        found["year_total"] = statistics.build_report(session, year, None, order).whole.total  # and warm
        found["national_year_p50_ms"], found["national_year_p99_ms"] = timed(
            lambda: statistics.build_report(session, year, None, order), national_runs)
        found["centre_month_p50_ms"], found["centre_month_p99_ms"] = timed(
            lambda: statistics.build_report(session, statistics.Period.month(YEAR, rng.randint(1, 12)),
                                            [rng.randint(1, CENTRES)], order), centre_runs)
        session.close()
    finally:
        engine.dispose()
    return found


def visit_events(rng: random.Random) -> list[dict]:
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    kinds = rng.choices(list(usage.KINDS[:8]), k=INGEST_BATCH)
    return [{"key": str(uuid.uuid4()), "kind": kind, "occurred_at": now, "language": "lv",
             "service_id": "vsaa-old-age-pension", "institution": "VSAA"} for kind in kinds]


async def ingest(port: int, tokens: list[str], seconds: float) -> tuple[float, float]:
    """Closed loop: INGEST_CLIENTS requests in flight, each a kiosk's batch; (events stored per s, p99 ms)."""
    http = desk_bench.Http(port, INGEST_CLIENTS)
    rng = random.Random(11)
    stored, latencies = 0, []
    stop = time.perf_counter() + seconds

    async def worker():
        nonlocal stored
        while time.perf_counter() < stop:
            raw = desk_bench.request("/api/kiosk/usage", rng.choice(tokens), {"events": visit_events(rng)})
            began = time.perf_counter()
            try:
                ok = await http.post(raw) < 300
            except OSError:
                ok = False
            latencies.append((time.perf_counter() - began) * 1000 if ok else float("inf"))
            stored += INGEST_BATCH if ok else 0

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(INGEST_CLIENTS)))
    http.close()
    elapsed = time.perf_counter() - began
    return stored / elapsed, stats.quantiles(latencies, n=100, method="inclusive")[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--ingest-seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="a small year, briefly: does the bench still run?")
    args = parser.parse_args()
    national_runs, centre_runs = NATIONAL_RUNS, CENTRE_RUNS
    if args.quick:
        args.events, args.ingest_seconds = QUICK_EVENTS, QUICK_INGEST_S
        national_runs, centre_runs = QUICK_NATIONAL_RUNS, QUICK_CENTRE_RUNS
    began = time.perf_counter()
    rows = make_events(args.events)
    print(f"events={len(rows)} centres={CENTRES} kiosks={KIOSKS} year={YEAR} "
          f"generate_s={time.perf_counter() - began:.1f}", flush=True)
    cluster = None
    try:
        for backend in args.backends.split(","):
            folder = Path(mkdtemp(prefix="statistics-bench-"))
            if backend == "postgresql":
                cluster = cluster or PgCluster().start()
                url = cluster.new_database("statistics")
            else:
                url = f"sqlite:///{folder / 'desk.sqlite'}"
            tokens = desk_bench.make_kiosks(url)
            began = time.perf_counter()
            load(url, rows)
            print(f"backend={backend} load_s={time.perf_counter() - began:.1f}", flush=True)
            for name, value in reports(url, national_runs, centre_runs).items():
                print(f"backend={backend} {name}={value:.1f}" if isinstance(value, float)
                      else f"backend={backend} {name}={value}", flush=True)
            port = free_port()
            server = desk_bench.serve(["-m", "staffdesk", "serve", "--db", url, "--port", str(port)], port,
                                      {"STAFFDESK_DATA_DIR": str(folder), "STAFFDESK_COOKIE_SECURE": "no"})
            try:
                rate, p99 = asyncio.run(ingest(port, tokens, args.ingest_seconds))
            finally:
                server.terminate()
                server.wait(timeout=30)
            print(f"backend={backend} ingest_events_per_s={rate:.0f} ingest_p99_ms={p99:.1f}", flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    # Above ~2 on 2 cores, something else competed for the machine during the run.
    print(f"load_1min={os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

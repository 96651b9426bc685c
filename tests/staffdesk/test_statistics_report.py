"""The 2021 row the centres reported (242,145 = 118,427 consultations + 123,718 applications), seeded over
institutions, ways, centres and months: the report page in Chromium, the XLSX and CSV exports and the command
line all show exactly it, and the monthly sums give the same figures as the events themselves."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import DeskServer, PASSWORD, browser, new_database, pg_cluster  # noqa: F401
from staffdesk import accounts, statistics, usage
from staffdesk.catalogue import desk_catalogue
from staffdesk.cli import create_staff
from staffdesk.core.db import make_engine, make_sessionmaker
from staffdesk.models import UsageEvent
from staffdesk.queue import LOCAL_TIME
from staffdesk.core.settings import get_settings

CONSULTATIONS, APPLICATIONS = 118_427, 123_718
CENTRES = ("Cēsis", "Valka", "Rīga, Ziemeļi")
STAFFDESK = Path(sys.executable).parent / "staffdesk"


def moment(rng: random.Random, year: int) -> dt.datetime:
    """A random second of a year in Latvia, as the naive UTC the desk stores."""
    local = dt.datetime(year, 1, 1, tzinfo=LOCAL_TIME) + dt.timedelta(seconds=rng.randrange(365 * 86400))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def seed(url: str) -> dict:
    """The 2021 matters spread over the catalogue's institutions and services, the six ways, three centres and the
    months; kiosk visits beside them; and matters just outside the year, which no 2021 figure may count. Stored
    through the desk's own road (usage.record), in the batches a busy desk takes them in."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        centre_ids = tuple(accounts.centre(session, name).id for name in CENTRES)
        session.commit()
        events, expected = year_of_events(centre_ids)
        for start in range(0, len(events), 20_000):
            usage.record(session, events[start:start + 20_000])
            session.commit()
    # As PostgreSQL's autovacuum does a while after a load this size (and the benchmark after its own): the queries
    # are planned with the table's statistics. Storing used to take long enough for autovacuum to get there first.
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    engine.dispose()
    return {**{name: Counter(counts) for name, counts in expected.items()}, "centre_ids": dict(zip(CENTRES, centre_ids))}


@functools.cache
def year_of_events(centre_ids: tuple[int, ...]) -> tuple[list[usage.Event], dict[str, Counter]]:
    """The events seed() stores, and what each report must count of them: made once for both databases (the same
    seed gives the same events; the centres have the same ids in both)."""
    catalogue = desk_catalogue(get_settings().catalog_path)
    rng = random.Random(2021)
    expected = {"institutions": Counter(), "channels": Counter(), "centres": Counter(), "months": Counter(),
                "visits": Counter()}
    # The busiest institutions first, as in the centres' own figures. The cumulative weights and each
    # institution's services once, not for every event: the same draws from the same generator.
    institutions = catalogue.institutions
    cumulative = list(itertools.accumulate(max(1, 40 - 3 * index) for index in range(len(institutions))))
    services_of = {entry.code: [service.code for service in catalogue.services if service.institution == entry.code]
                   for entry in institutions}
    events = []
    for matter, count in ((usage.CONSULTATION, CONSULTATIONS), (usage.APPLICATION, APPLICATIONS)):
        for _ in range(count):
            institution = rng.choices(institutions, cum_weights=cumulative)[0].code
            services = services_of[institution]
            service_id = rng.choice(services + [""]) if services else ""
            channel = rng.choice(usage.STAFF_CHANNELS)
            centre = rng.randrange(len(CENTRES))
            occurred = moment(rng, 2021)
            events.append(usage.Event(centre_ids[centre], usage.MATTER, occurred, matter=matter,
                                      institution=institution, service_id=service_id, channel=channel))
            expected["institutions"][institution] += 1
            expected["channels"][channel] += 1
            expected["centres"][CENTRES[centre]] += 1
            expected["months"][usage.local_day(occurred).month] += 1
    for _ in range(3000):
        centre = rng.randrange(len(CENTRES))
        language = rng.choice(("lv", "lv", "en", "uk"))
        events.append(usage.Event(centre_ids[centre], "visit", moment(rng, 2021), language=language,
                                  duration_s=rng.randrange(30, 1800)))
        expected["visits"][language] += 1
    # A second either side of the year.
    for local in (dt.datetime(2020, 12, 31, 23, 59, 59, tzinfo=LOCAL_TIME),
                  dt.datetime(2022, 1, 1, 0, 0, 0, tzinfo=LOCAL_TIME)):
        occurred = local.astimezone(dt.timezone.utc).replace(tzinfo=None)
        events += [usage.Event(centre_ids[0], usage.MATTER, occurred, matter=usage.CONSULTATION,
                               institution="VSAA", channel="staff")] * 50
    rng.shuffle(events)
    return events, expected


class Seeded:
    """One seeded database per backend, made when a test first needs it and kept for the module."""

    def __init__(self, pg_cluster, tmp_path_factory):
        self.pg_cluster, self.tmp_path_factory, self.made = pg_cluster, tmp_path_factory, {}

    def get(self, backend: str) -> dict:
        if backend not in self.made:
            folder = self.tmp_path_factory.mktemp(f"statistics-{backend}")
            url = new_database(backend, self.pg_cluster, folder)
            self.made[backend] = {**seed(url), "backend": backend, "url": url, "folder": folder}
        return self.made[backend]


@pytest.fixture(scope="module")
def databases(pg_cluster, tmp_path_factory) -> Seeded:
    return Seeded(pg_cluster, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request, databases) -> dict:
    return databases.get(request.param)


def test_the_events_and_the_monthly_sums_give_the_same_figures(seeded):
    engine = make_engine(seeded["url"])
    everyone = list(seeded["centre_ids"].values())
    periods = [statistics.Period.year(2021), statistics.Period.month(2021, 6),
               statistics.Period.custom(dt.date(2021, 2, 10), dt.date(2021, 11, 3)),
               statistics.Period.custom(dt.date(2020, 12, 31), dt.date(2022, 1, 1))]
    dimension_sets = [("month", "kind", "matter", "institution", "channel"),
                      ("kind", "matter", "service_id", "institution"), ("kind", "language"),
                      ("centre_id", "kind", "matter")]
    try:
        with make_sessionmaker(engine)() as session:
            for period in periods:
                for dimensions in dimension_sets:
                    # None: whole months from the sums; every centre's id: the events through their index.
                    from_sums = statistics.tally(session, dimensions, period, None)
                    from_events = statistics.tally(session, dimensions, period, everyone)
                    assert sorted(map(str, from_sums)) == sorted(map(str, from_events)), (period, dimensions)
                    assert sum(row[-2] for row in from_sums) > 0
                histograms = statistics.durations(session, period, None)
                assert histograms == statistics.durations(session, period, everyone), period
                # The percentiles the database works out are the histogram's, on either road.
                for centres in (None, everyone):
                    timed = statistics.timings(session, period, centres)
                    assert {kind: (timing.count, timing.median_s, timing.p90_s) for kind, timing in timed.items()} == {
                        kind: (sum(count for _seconds, count in histogram), statistics.percentile(histogram, 0.5),
                               statistics.percentile(histogram, 0.9)) for kind, histogram in histograms.items()}
            whole_year = statistics.build_report(session, statistics.Period.year(2021))
            assert (whole_year.whole.total, whole_year.whole.consultations, whole_year.whole.applications) == (
                CONSULTATIONS + APPLICATIONS, CONSULTATIONS, APPLICATIONS)
            assert {code: split.total for code, split in ((s.code, s) for s in whole_year.institutions)
                    if split.total} == dict(seeded["institutions"])
            assert {row.name: row.total for row in whole_year.per_centre} == dict(seeded["centres"])
            assert whole_year.languages == dict(seeded["visits"].most_common())
            # The two boundary seconds, and only they, make the difference a day either side.
            wider = statistics.build_report(session, statistics.Period.custom(dt.date(2020, 12, 31),
                                                                              dt.date(2022, 1, 1)))
            assert wider.whole.consultations == CONSULTATIONS + 100
            # The percentiles are PostgreSQL's own percentile_cont over the events.
            visits = whole_year.visits
            if seeded["backend"] == "postgresql":
                median, p90 = session.execute(
                    select(func.percentile_cont(0.5).within_group(UsageEvent.duration_s),
                           func.percentile_cont(0.9).within_group(UsageEvent.duration_s))
                    .where(UsageEvent.kind == "visit", UsageEvent.day.between(dt.date(2021, 1, 1),
                                                                              dt.date(2021, 12, 31)))).one()
                assert (visits.median_s, visits.p90_s) == (pytest.approx(median), pytest.approx(p90))
            # Sums made again from the events alone are the ones kept while they came in.
            kept = [sorted(map(str, statistics.tally(session, dimensions, periods[0], None)))
                    for dimensions in dimension_sets] + [statistics.durations(session, periods[0], None)]
            usage.rebuild_sums(session)
            session.commit()
            assert [sorted(map(str, statistics.tally(session, dimensions, periods[0], None)))
                    for dimensions in dimension_sets] + [statistics.durations(session, periods[0], None)] == kept
    finally:
        engine.dispose()


def row_of(sheet_rows: list[list], label: str) -> list:
    return next(row for row in sheet_rows if str(row[0]) == label)


def test_the_command_line_exports_the_2021_row(seeded, tmp_path):
    url, out = seeded["url"], tmp_path / "2021.xlsx"
    done = subprocess.run([str(STAFFDESK), "report", "--db", url, "--from", "2021-01-01", "--to", "2021-12-31",
                           "--format", "xlsx", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "242145 matters (118427 consultations, 123718 applications)" in done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    header, whole = table[0], row_of(table, "2021")
    assert header[:4] == ["Periods", "Kopā", "Konsultācijas", "Iesniegumi"]
    assert whole[1:4] == [CONSULTATIONS + APPLICATIONS, CONSULTATIONS, APPLICATIONS]
    for code, count in seeded["institutions"].items():
        assert whole[header.index(code)] == count
    assert [whole[header.index(name)] for name in ("Darbinieka palīdzība", "Pa tālruni", "E-pastā")] == [
        seeded["channels"]["staff"], seeded["channels"]["phone"], seeded["channels"]["email"]]
    months = [row for row in table[1:] if re.fullmatch(r"2021-\d\d", str(row[0]))]
    assert [row[1] for row in months] == [seeded["months"][month] for month in range(1, 13)]
    centres = {row[0]: row[1] for row in book[book.sheetnames[-1]].iter_rows(min_row=2, values_only=True)}
    assert centres == dict(seeded["centres"])

    # CSV, one centre: its own figures; English headings.
    name = CENTRES[1]
    done = subprocess.run([str(STAFFDESK), "report", "--db", url, "--from", "2021-01-01", "--to", "2021-12-31",
                           "--centre", name, "--format", "csv", "--lang", "en", "--out", "-"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    assert table[0][:4] == ["Period", "Total", "Consultations", "Applications"]
    assert int(row_of(table, "2021")[1]) == seeded["centres"][name]

    unknown = subprocess.run([str(STAFFDESK), "report", "--db", url, "--from", "2021-01-01", "--to", "2021-12-31",
                              "--centre", "Nowhere", "--format", "csv", "--out", str(tmp_path / "x.csv")],
                             capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "'Nowhere'" in unknown.stderr and CENTRES[0] in unknown.stderr
    assert not (tmp_path / "x.csv").exists()


def log_in(page, url: str, name: str) -> None:
    page.goto(url + "/login?lang=en")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#live")).to_have_text("Live")


def test_the_report_page_and_its_xlsx_show_the_2021_row(databases, browser, tmp_path):
    seeded = databases.get("postgresql")  # as the other console tests; SQLite's figures are the command line's
    url, ids = seeded["url"], seeded["centre_ids"]
    create_staff(url, "ministry", PASSWORD, CENTRES[0], "national")
    create_staff(url, "valka-manager", PASSWORD, CENTRES[1], "manager")
    create_staff(url, "valka-staff", PASSWORD, CENTRES[1])
    server = DeskServer(url, seeded["folder"] / "desk").start()
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        log_in(page, server.url, "ministry")
        page.get_by_role("link", name="Reports").click()
        page.get_by_role("radio", name="Year").check()
        page.locator("input[name=year]").fill("2021")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#period-label")).to_contain_text("2021 · All centres")
        expect(page.locator("#total")).to_have_text("242,145")
        expect(page.locator("#consultations")).to_have_text("118,427")
        expect(page.locator("#applications")).to_have_text("123,718")
        for code, count in seeded["institutions"].items():
            expect(page.locator(f"#by-institution tr[data-code={code}] td.n")).to_have_text(f"{count:,}")
        for channel, count in seeded["channels"].items():
            expect(page.locator(f"#by-channel tr[data-code={channel}] td.n")).to_have_text(f"{count:,}")
        expect(page.locator("#ministry tr.whole td").first).to_have_text("242,145")
        expect(page.locator("#by-centre tbody tr")).to_have_count(3)
        expect(page.locator("#by-institution svg.bar").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

        with page.expect_download() as download:
            page.locator("#export-xlsx").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == "kac-statistics-2021.xlsx"
        table = [list(row) for row in openpyxl.load_workbook(saved, read_only=True).worksheets[0]
                 .iter_rows(values_only=True)]
        assert row_of(table, "2021")[1:4] == [242_145, 118_427, 123_718]
        assert table[0][:4] == ["Period", "Total", "Consultations", "Applications"]

        # One month, then two centres chosen.
        page.get_by_role("radio", name="Month").check()
        page.locator("input[name=month]").fill("2021-03")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#total")).to_have_text(f"{seeded['months'][3]:,}")
        page.get_by_role("radio", name="Year").check()
        page.get_by_label("Centres").select_option([str(ids[CENTRES[0]]), str(ids[CENTRES[2]])])
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#total")).to_have_text(f"{seeded['centres'][CENTRES[0]] + seeded['centres'][CENTRES[2]]:,}")

        # A centre's manager sees their own centre, whatever the address asks for; ordinary staff see no reports.
        manager = browser.new_context().new_page()
        log_in(manager, server.url, "valka-manager")
        manager.goto(f"{server.url}/reports?period=year&year=2021&centre={ids[CENTRES[0]]}&lang=en")
        expect(manager.locator("#period-label")).to_contain_text(f"2021 · {CENTRES[1]}")
        expect(manager.locator("#total")).to_have_text(f"{seeded['centres'][CENTRES[1]]:,}")
        expect(manager.locator("select[name=centre]")).to_have_count(0)
        manager.context.close()
        staff = browser.new_context().new_page()
        log_in(staff, server.url, "valka-staff")
        expect(staff.locator("#reports-link")).to_have_count(0)
        assert staff.goto(f"{server.url}/reports?period=year&year=2021").status == 403
        staff.context.close()
    finally:
        context.close()
        server.stop()

"""A kiosk visit through the real KioskCore against a real desk counts what the resident did, and nothing of the
resident; events that wait in the outbox while the desk is away land in the period they happened in, once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import queue
import sqlite3
import time

import pytest
from sqlalchemy import func, inspect, select, text

from conftest import CALM, Listener
# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, desk_settings, make_centre, new_database, pg_cluster, staff_of, wait_for)
from kiosk.core import KioskCore
from kiosk.eid.identity import Identity
from kiosk import events
from kiosk.scanning.modes import ScanMode, ScanRequest, Source
from staffdesk import statistics
from staffdesk.core.db import make_engine, make_sessionmaker
from staffdesk.models import UsageEvent
from staffdesk.queue import LOCAL_TIME

GIVEN_NAME, SURNAME, PERSONAL_CODE = "Jānis", "Bērziņš", "010180-12345"


def answer(work, *args):
    """A core request's answer (done or failed), waited for."""
    answers: queue.Queue = queue.Queue()
    work(*args, lambda *result: answers.put(result), lambda error: answers.put(error))
    found = answers.get(timeout=30)
    if isinstance(found, Exception):
        raise found
    return found


def stored(url: str, *columns) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(select(*columns).order_by(UsageEvent.id)).all()]
    finally:
        engine.dispose()


def every_value_in_the_database(url: str) -> str:
    """Every table's every row as text: what a copy of the desk's database would give away."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return "\n".join(str(tuple(row)) for table in inspect(connection).get_table_names()
                             for row in connection.execute(text(f'SELECT * FROM "{table}"')).all())
    finally:
        engine.dispose()


@pytest.fixture
def desk(tmp_path, pg_cluster):
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path / "desk").start()
    yield server
    server.stop()


def test_a_visit_counts_what_was_done_and_nothing_of_the_resident(print_settings, desk_settings, desk, staff_of,
                                                                  print_lab):
    centre = make_centre(desk)
    staff = staff_of(centre)
    starts = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    staff.act("/console/slots", {"institution": "VSAA", "topic": "pension", "starts": starts}).raise_for_status()
    settings = desk_settings(desk, centre.tokens[0])
    settings = dataclasses.replace(settings, printing=print_settings.printing)
    core = KioskCore(settings, CALM)
    heard = Listener(core)
    try:
        core.prepare()
        visit = core.start_visit()
        # As the screens do: the service's page shown, the language switched, "Do it yourself" tapped.
        core.count("service-viewed", service_id="vsaa-old-age-pension", language="lv")
        core.language_chosen("uk")
        core.count("self-service-opened", service_id="vsaa-old-age-pension")
        # The resident logged in with the card: the authorisation carries their name and personal code.
        visit.card.identity = Identity(GIVEN_NAME, SURNAME, PERSONAL_CODE, "PA0000000", dt.datetime(2030, 1, 1),
                                       "Test CA", b"not a certificate")
        service = core.catalog.service("vsaa-old-age-pension")
        form = core.make_form("authorised", service, "uk")
        core.prepare_print(form)
        prepared = heard.wait_for(events.PrintPrepared, events.PrintFailed)
        core.confirm_print(prepared)
        assert isinstance(heard.wait_for(events.Printed, events.PrintFailed), events.Printed)
        core.scanning.scan(ScanRequest(ScanMode.TEXT, Source.FLATBED, 75))
        assert isinstance(heard.wait_for(events.ScanFinished, events.ScanFailed), events.ScanFinished)
        ticket, _printed = answer(core.errands.take_ticket, service, "none", "uk")
        assert ticket.from_desk
        slot = answer(core.errands.video_slots, "VSAA", "pension")[0][0]
        answer(core.errands.book_video, slot, "pension")
        core.errands.call_staff("service", "ways")
        call = wait_for(lambda: staff.state()["calls"])[0]
        time.sleep(1.1)  # staff take a moment to answer
        staff.act(f"/console/calls/{call['id']}/ack").raise_for_status()
        # The outbox holds events, and nothing of the resident, while they wait.
        outbox = sqlite3.connect(core.desk_link.outbox.path)
        waiting = " ".join(payload for (payload,) in outbox.execute("SELECT payload FROM outbox"))
        outbox.close()
        assert core.end_visit("resident").clean
        assert core.desk_link.outbox.flush(30)
    finally:
        core.stop()

    kinds = stored(desk.db_url, UsageEvent.kind, UsageEvent.service_id, UsageEvent.institution, UsageEvent.channel,
                   UsageEvent.language, UsageEvent.amount)
    by_kind = {row[0]: row[1:] for row in kinds}
    assert sorted(row[0] for row in kinds) == sorted([
        "service-viewed", "self-service-opened", "pages-printed", "form-printed", "pages-scanned", "ticket-taken",
        "video-booked", "help-call", "visit"])
    assert by_kind["service-viewed"] == ("vsaa-old-age-pension", "VSAA", "", "lv", 1)
    assert by_kind["self-service-opened"] == ("vsaa-old-age-pension", "VSAA", "self", "uk", 1)
    assert by_kind["form-printed"] == ("vsaa-old-age-pension", "VSAA", "authorised", "uk", 1)
    assert by_kind["pages-printed"][-1] == prepared.pages and by_kind["pages-scanned"][-1] == 1
    assert by_kind["ticket-taken"][:3] == ("vsaa-old-age-pension", "VSAA", "in_person")
    assert by_kind["video-booked"][1:3] == ("VSAA", "video")
    assert by_kind["visit"][3] == "uk"
    durations = dict(stored(desk.db_url, UsageEvent.kind, UsageEvent.duration_s))
    answered, visit_length = durations["help-call"], durations["visit"]
    assert answered >= 1 and visit_length >= answered

    # The same figures reach the report of today's month.
    today = dt.datetime.now(LOCAL_TIME).date()
    engine = make_engine(desk.db_url)
    with make_sessionmaker(engine)() as session:
        report = statistics.build_report(session, statistics.Period.month(today.year, today.month))
    engine.dispose()
    assert report.counts["visit"] == 1 and report.help_answered.count == 1 and report.languages == {"uk": 1}
    assert [(use.code, use.viewed, use.self_service, use.forms, use.tickets) for use in report.services] == [
        ("vsaa-old-age-pension", 1, 1, 1, 1)]

    # Nothing of the resident anywhere in the desk's database, nor in what waited in the outbox.
    everything = every_value_in_the_database(desk.db_url) + waiting
    for personal in (GIVEN_NAME, SURNAME, PERSONAL_CODE, PERSONAL_CODE.replace("-", ""), "Berzins"):
        assert personal not in everything
    assert "vsaa-old-age-pension" in everything  # the scan did see the events


def test_events_delivered_late_land_in_the_period_they_happened_in_once(settings, desk_settings, tmp_path,
                                                                        pg_cluster):
    server = DeskServer(new_database("postgresql", pg_cluster, tmp_path), tmp_path / "desk")
    # The centre and its kiosk exist, but the desk is not running: the kiosk is on its own.
    centre = make_centre(server)
    core = KioskCore(desk_settings(server, centre.tokens[0]), CALM)
    # The kiosk's clock: the last seconds of last month in Latvia.
    first_of_this_month = dt.datetime.now(LOCAL_TIME).date().replace(day=1)
    last_month_end = dt.datetime.combine(first_of_this_month, dt.time(), LOCAL_TIME) - dt.timedelta(seconds=30)
    core.usage.clock = lambda: last_month_end.astimezone(dt.timezone.utc)
    try:
        core.prepare()
        core.start_visit()
        core.count("service-viewed", service_id="vsaa-old-age-pension", language="en")
        core.end_visit("resident")
        outbox = core.desk_link.outbox
        assert outbox.pending() == 2
        # What a crash between the desk storing and the kiosk forgetting would leave: the same messages again.
        kept = sqlite3.connect(outbox.path).execute("SELECT key, kind, payload FROM outbox").fetchall()
        server.start()
        assert outbox.flush(30)
        for key, kind, payload in kept:
            outbox.put(kind, json.loads(payload), key=key)
        assert outbox.flush(30)
    finally:
        core.stop()
        server.stop()

    engine = make_engine(server.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            assert session.scalar(select(func.count()).select_from(UsageEvent)) == 2
            last_month = statistics.Period.month(last_month_end.year, last_month_end.month)
            this_month = statistics.Period.month(first_of_this_month.year, first_of_this_month.month)
            for centres in (None, [session.scalar(select(UsageEvent.centre_id).limit(1))]):
                then = statistics.build_report(session, last_month, centres)
                now = statistics.build_report(session, this_month, centres)
                assert (then.counts, then.languages) == ({"visit": 1, "service-viewed": 1}, {"en": 1})
                assert now.counts == {}
    finally:
        engine.dispose()

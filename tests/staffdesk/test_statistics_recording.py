"""How the statistics are counted: the kiosks' usage events (once each, nothing personal accepted), the desk's own
help-call and queue times, and the matter staff record in two taps when they resolve a call or finish a ticket."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, PASSWORD, browser, centre, desk_server, desk_settings, kiosk_http, make_centre, new_database,
    pg_cluster, staff_of, wait_for)
from kiosk.desk_link import DeskLink
from staffdesk import statistics
from staffdesk.core.db import make_engine, make_sessionmaker
from staffdesk.models import Centre, HelpCall, QueueTicket, UsageEvent
from staffdesk.queue import LOCAL_TIME



def now_iso(**delta) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(**delta)).isoformat()


def event(**fields) -> dict:
    return {"key": str(uuid.uuid4()), "kind": "service-viewed", "occurred_at": now_iso(),
            "service_id": "vsaa-old-age-pension", "institution": "VSAA", "language": "lv", **fields}


def events_of(url: str, centre_name: str, *columns) -> list[tuple]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            centre_id = session.scalar(select(Centre.id).where(Centre.name == centre_name))
            return [tuple(row) for row in session.execute(select(*columns).where(UsageEvent.centre_id == centre_id)
                                                          .order_by(UsageEvent.id)).all()]
    finally:
        engine.dispose()


def report_of(url: str, centre_name: str) -> statistics.Report:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            centre_id = session.scalar(select(Centre.id).where(Centre.name == centre_name))
            today = dt.datetime.now(LOCAL_TIME).date()
            return statistics.build_report(session, statistics.Period.custom(
                today - dt.timedelta(days=1), today + dt.timedelta(days=1)), [centre_id])
    finally:
        engine.dispose()


def test_usage_events_are_stored_once_and_nothing_else_gets_in(centre):
    first, second = event(), event(kind="pages-printed", service_id="", institution="", amount=3)
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/usage", json={"events": [first, second]}).json() == {"received": 2,
                                                                                         "stored": 2}
        # The outbox's resend after a crash: the same keys add nothing.
        assert http.post("/api/kiosk/usage", json={"events": [second, first]}).json()["stored"] == 0
        refused = {
            "a field for a name": event(name="Jānis Bērziņš"),
            "a personal code for a service": event(service_id="010180-12345"),
            "free text for a service": event(service_id="I need help with my pension"),
            "an institution in small letters": event(institution="vsaa"),
            "an unknown kind": event(kind="typed-text"),
            "an unknown language": event(language="de"),
            "a day ahead": event(occurred_at=now_iso(days=2)),
            "longer ago than a report goes back": event(occurred_at=now_iso(days=-500)),
            "a negative duration": event(kind="visit", duration_s=-1),
        }
        for why, bad in refused.items():
            answer = http.post("/api/kiosk/usage", json={"events": [event(), bad]})
            assert answer.status_code == 422, why
            assert "Bērziņš" not in answer.text and "010180" not in answer.text
        assert http.post("/api/kiosk/usage", json={"events": [event() for _ in range(33)]}).status_code == 422
        assert http.post("/api/kiosk/usage", json={"events": [], "note": "x"}).status_code == 422
    # Another kiosk's same key is its own event.
    with kiosk_http(centre.server, centre.tokens[1]) as http:
        assert http.post("/api/kiosk/usage", json={"events": [first]}).json()["stored"] == 1
    kinds = events_of(centre.server.db_url, centre.name, UsageEvent.kind, UsageEvent.amount)
    assert sorted(kinds) == [("pages-printed", 3), ("service-viewed", 1), ("service-viewed", 1)]


def test_the_desk_counts_answer_waiting_and_serving_times(centre, staff_of):
    staff = staff_of(centre)
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        answered, given_up = str(uuid.uuid4()), str(uuid.uuid4())
        http.post("/api/kiosk/calls", json={"key": answered, "screen": "home"}).raise_for_status()
        for _ in range(3):
            http.post("/api/kiosk/tickets", json={"key": str(uuid.uuid4()), "service_id": "vsaa-old-age-pension",
                                                  "service_name": "Pensija"}).raise_for_status()
        time.sleep(1.2)
        call_id = staff.state()["calls"][0]["id"]
        staff.act(f"/console/calls/{call_id}/ack").raise_for_status()
        staff.act(f"/console/calls/{call_id}/resolve").raise_for_status()
        # Another resident gave up before anyone answered: counted, unanswered.
        http.post("/api/kiosk/calls", json={"key": given_up, "screen": "home"}).raise_for_status()
        http.post(f"/api/kiosk/calls/{given_up}/cancel").raise_for_status()
    first = staff.act("/console/queue/next", {"desk": "2"}).json()["number"]
    time.sleep(1.1)
    staff.act("/console/queue/next", {"desk": "2"}).raise_for_status()  # the first one served
    second_id = staff.state()["serving"][0]["id"]
    staff.act(f"/console/queue/tickets/{second_id}/no-show").raise_for_status()
    staff.act("/console/queue/next", {"desk": "2"}).raise_for_status()
    third_id = staff.state()["serving"][0]["id"]
    done = staff.act("/console/matters", {"key": uuid.uuid4().hex, "matter": "application", "channel": "authorised",
                                          "service_id": "vsaa-old-age-pension", "desk": "2",
                                          "ticket_id": third_id})
    assert done.json() == {"ok": True}
    assert first and staff.state()["serving"] == []

    report = report_of(centre.server.db_url, centre.name)
    assert report.help_calls == 2 and report.help_answered.count == 1 and report.help_answered.median_s >= 1
    assert report.queue_wait.count == 3 and report.queue_serve.count == 2 and report.counts["queue-no-show"] == 1
    assert report.queue_wait.p90_s >= 1 and report.queue_serve.median_s is not None
    assert (report.whole.applications, report.whole.channels["authorised"]) == (1, 1)
    engine = make_engine(centre.server.db_url)
    with make_sessionmaker(engine)() as session:
        finished = session.scalars(select(QueueTicket.finished_at).where(QueueTicket.desk == "2",
                                                                         QueueTicket.state != "called")).all()
    engine.dispose()
    assert len(finished) == 3 and all(finished)


def test_a_matter_is_checked_against_the_catalogue_and_recorded_once(centre, staff_of):
    staff = staff_of(centre)
    key = uuid.uuid4().hex
    body = {"key": key, "matter": "consultation", "channel": "phone", "institution": "VID"}
    assert staff.act("/console/matters", body).json() == {"ok": True}
    assert staff.act("/console/matters", body).json() == {"ok": False}  # a second tap
    for wrong in ({"institution": "NOPE"}, {"service_id": "no-such-service"},
                  {"service_id": "vsaa-old-age-pension", "institution": "VID"}, {"channel": "pigeon"},
                  {"matter": "complaint"}):
        assert staff.act("/console/matters", {**body, "key": uuid.uuid4().hex, **wrong}).status_code == 422, wrong
    assert staff.act("/console/matters", {**body, "key": uuid.uuid4().hex}, csrf=False).status_code == 403
    assert events_of(centre.server.db_url, centre.name, UsageEvent.kind, UsageEvent.matter, UsageEvent.institution,
                     UsageEvent.channel) == [("matter", "consultation", "VID", "phone")]


def test_a_refused_event_in_a_batch_is_set_aside_alone(tmp_path, pg_cluster, desk_settings):
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path / "desk").start()
    desk = None
    try:
        centre = make_centre(server)
        desk = DeskLink(desk_settings(server, centre.tokens[0]))
        # Forty events waiting (more than one batch), one of them something the desk refuses.
        for number in range(40):
            fields = event()
            del fields["key"]
            if number == 5:
                fields["service_id"] = "Not A Catalogue Id"
            desk.count(fields)
        desk.start(heartbeats=False)
        assert desk.outbox.flush(30)
        assert [(kind, why) for kind, _key, why in desk.outbox.dead()][0][0] == "usage"
        assert len(desk.outbox.dead()) == 1
        assert len(events_of(server.db_url, centre.name, UsageEvent.id)) == 39
    finally:
        if desk is not None:
            desk.close()
        server.stop()


def test_staff_record_what_was_done_in_two_taps(browser, tmp_path, pg_cluster, desk_settings):
    server = DeskServer(new_database("postgresql", pg_cluster, tmp_path), tmp_path / "desk").start()
    centre = make_centre(server)
    kiosk = DeskLink(desk_settings(server, centre.tokens[0]))
    kiosk.start(heartbeats=False)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/login?lang=en")
        page.get_by_label("User name").fill(centre.staff_name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#live")).to_have_text("Live")
        dialog = page.locator("#matter-dialog")

        # A help call resolved: tap the service, tap "application, paper form".
        kiosk.call_staff("service", "ways")
        page.locator("article.call").get_by_role("button", name="Resolved").click()
        expect(dialog).to_be_visible()
        dialog.locator("button[data-service=vsaa-old-age-pension]").click()
        dialog.locator("button[data-matter=application][data-channel=paper]").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#calls")).to_contain_text("Nobody is waiting for help.")

        # A ticket finished: its service is already chosen, one tap is enough.
        kiosk.take_ticket("vsaa-old-age-pension", "Vecuma pensija")
        page.get_by_label("Counter / room").fill("Desk 3")
        page.get_by_role("button", name="Call next").first.click()
        page.locator("#serving").get_by_role("button", name="Finished").click()
        expect(dialog.locator("button.chosen[data-service=vsaa-old-age-pension]")).to_be_visible()
        dialog.locator("button[data-matter=consultation][data-channel=staff]").click()
        expect(page.locator("#serving .now-serving-here")).to_have_count(0)

        # A phone matter with no ticket: only phone and e-mail are offered.
        page.get_by_role("button", name="Phone or e-mail matter").click()
        expect(dialog.locator("button[data-channel=paper]")).to_have_count(0)
        expect(dialog.locator("button[data-channel=phone]").first).to_be_disabled()
        dialog.get_by_placeholder("Find a service").fill("revenue")
        dialog.locator("div[data-institution=VID] button[data-service='']").click()
        dialog.locator("button[data-matter=consultation][data-channel=email]").click()
        expect(page.locator("#matter-done")).to_have_text("Recorded")
    finally:
        context.close()
        kiosk.close()
    try:
        recorded = events_of(server.db_url, centre.name, UsageEvent.kind, UsageEvent.matter,
                             UsageEvent.institution, UsageEvent.service_id, UsageEvent.channel, UsageEvent.desk)
        matters = [row[1:] for row in recorded if row[0] == "matter"]
        assert matters == [("application", "VSAA", "vsaa-old-age-pension", "paper", ""),
                           ("consultation", "VSAA", "vsaa-old-age-pension", "staff", "Desk 3"),
                           ("consultation", "VID", "", "email", "Desk 3")]
        assert [row[0] for row in recorded].count("help-call") == 1
        assert [row[0] for row in recorded].count("queue-serve") == 1
        engine = make_engine(server.db_url)
        with make_sessionmaker(engine)() as session:
            assert session.scalars(select(HelpCall.state)).all() == ["resolved"]
        engine.dispose()
    finally:
        server.stop()

"""The desk's HTTP API on SQLite and on PostgreSQL: kiosks, staff, the queue, bookings, health and refusals."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, centre, desk_server, kiosk_http, make_centre, new_database, pg_cluster, staff_of)
from staffdesk.core.db import make_engine
from staffdesk.models import Base
from staffdesk.queue import LOCAL_TIME


def key() -> str:
    return str(uuid.uuid4())


def test_kiosk_api_refuses_no_token_and_a_wrong_token(centre):
    body = {"key": key(), "screen": "print", "step": "choose"}
    for token in (None, "not-a-token", centre.tokens[0] + "x"):
        with kiosk_http(centre.server, token) as http:
            response = http.post("/api/kiosk/calls", json=body)
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert http.post("/api/kiosk/heartbeat", json={}).status_code == 401
            assert http.get("/api/kiosk/video/institutions").status_code == 401
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/calls", json=body).status_code == 201


def test_a_help_call_is_stored_once_and_the_kiosk_sees_staff_coming(centre, staff_of):
    call_key = key()
    body = {"key": call_key, "screen": "documents", "step": "scan page 2", "last_error": "scanner jammed"}
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        first = http.post("/api/kiosk/calls", json=body)
        resend = http.post("/api/kiosk/calls", json=body)  # the outbox after a lost answer
        assert first.status_code == resend.status_code == 201
        assert first.json()["state"] == resend.json()["state"] == "open"
        staff = staff_of(centre)
        calls = staff.state()["calls"]
        assert [(c["kiosk"], c["screen"], c["step"], c["last_error"]) for c in calls] == [
            (centre.kiosk_names[0], "documents", "scan page 2", "scanner jammed")]
        assert staff.act(f"/console/calls/{calls[0]['id']}/ack").json() == {"ok": True}
        assert http.get(f"/api/kiosk/calls/{call_key}").json()["state"] == "acknowledged"
        # Another kiosk cannot read this kiosk's call.
        with kiosk_http(centre.server, centre.tokens[1]) as other:
            assert other.get(f"/api/kiosk/calls/{call_key}").status_code == 404
        assert staff.act(f"/console/calls/{calls[0]['id']}/resolve").json() == {"ok": True}
        assert http.get(f"/api/kiosk/calls/{call_key}").json()["state"] == "resolved"
        assert staff.state()["calls"] == []


def test_staff_of_another_centre_cannot_touch_a_call(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        http.post("/api/kiosk/calls", json={"key": key(), "screen": "home"}).raise_for_status()
    call_id = staff_of(centre).state()["calls"][0]["id"]
    stranger = staff_of(make_centre(centre.server, kiosks=0))
    assert stranger.state()["calls"] == []
    assert stranger.act(f"/console/calls/{call_id}/ack").json() == {"ok": False}
    assert staff_of(centre).state()["calls"][0]["state"] == "open"


def test_console_refuses_actions_without_csrf_and_anything_without_login(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        http.post("/api/kiosk/calls", json={"key": key(), "screen": "home"}).raise_for_status()
    staff = staff_of(centre)
    call_id = staff.state()["calls"][0]["id"]
    assert staff.act(f"/console/calls/{call_id}/ack", csrf=False).status_code == 403
    assert staff.http.post(f"/console/calls/{call_id}/ack", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert staff.act("/console/queue/next", {"desk": "3"}, csrf=False).status_code == 403
    assert staff.state()["calls"][0]["state"] == "open"
    with httpx.Client(base_url=centre.server.url) as anonymous:
        assert anonymous.get("/console/state").status_code == 401
        assert anonymous.get("/console/events").status_code == 401
        assert anonymous.post(f"/console/calls/{call_id}/ack").status_code == 401
        page = anonymous.get("/console")
        assert page.status_code == 303 and page.headers["location"] == "/login"
        # The login form itself needs its CSRF token.
        login = anonymous.post("/login", data={"name": centre.staff_name, "password": "a long test password"})
        assert login.status_code == 403
        assert "sd_session" not in login.cookies


def test_a_wrong_password_is_refused(centre, staff_of):
    # Repeated failures are throttled: see test_desk_hardening.py.
    wrong = staff_of(centre, password="not the password")
    assert wrong.login_response.status_code == 401
    assert "sd_session" not in wrong.http.cookies
    assert wrong.http.get("/console/state").status_code == 401
    assert staff_of(centre).login_response.status_code == 303


def test_queue_numbers_are_shared_by_every_kiosk_of_the_centre(centre):
    token_a, token_b = centre.tokens

    def take(token):
        with kiosk_http(centre.server, token) as http:
            response = http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport",
                                                             "service_name": "Pase"})
            response.raise_for_status()
            return response.json()["number"]

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(take, [token_a, token_b] * 8))
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 17)]
    # A second service has its own letter and series; another centre starts its own series.
    with kiosk_http(centre.server, token_a) as http:
        other = http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "tax", "service_name": "Nodokļi",
                                                      "priority": "senior"}).json()
    assert other["number"] == "B001" and other["people_ahead"] == 0
    elsewhere = make_centre(centre.server, kiosks=1)
    with kiosk_http(centre.server, elsewhere.tokens[0]) as http:
        assert http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport",
                                                     "service_name": "Pase"}).json()["number"] == "A001"


def test_a_retried_ticket_request_gets_the_same_number(centre):
    body = {"key": key(), "service_id": "passport", "service_name": "Pase"}
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        first = http.post("/api/kiosk/tickets", json=body).json()
        again = http.post("/api/kiosk/tickets", json=body).json()
        then = http.post("/api/kiosk/tickets", json={**body, "key": key()}).json()
    assert first["number"] == again["number"] == "A001"
    assert first["follow_path"].startswith("/follow/") and again["follow_path"] is None
    assert then["number"] == "A002" and then["people_ahead"] == 1 and then["expected_wait_min"] > 0


def test_call_next_takes_priority_first_and_advances_the_board(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        for priority in ("none", "none", "pregnancy"):
            http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport", "service_name": "Pase",
                                                  "priority": priority}).raise_for_status()
        follow = http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport",
                                                       "service_name": "Pase"}).json()["follow_path"]
    staff = staff_of(centre)
    assert staff.state("board")["called"] == []
    called = [staff.act("/console/queue/next", {"desk": "Logs 2", "service_id": "passport"}).json()["number"]
              for _ in range(3)]
    assert called == ["A003", "A001", "A002"]
    board = staff.state("board")
    assert [(entry["number"], entry["desk"]) for entry in board["called"]] == [
        ("A002", "Logs 2"), ("A001", "Logs 2"), ("A003", "Logs 2")]
    assert board["services"] == [{"service_id": "passport", "letter": "A", "name": "Pase", "waiting": 1}]
    # The resident's phone follows its own ticket with the secret link from the ticket, and nothing else.
    with httpx.Client(base_url=centre.server.url) as phone:
        page = phone.get(follow)
        assert page.status_code == 200 and "A004" in page.text
        assert phone.get("/follow/guessed-token").status_code == 404
    assert staff.act("/console/queue/next", {"desk": "Logs 3"}).json()["number"] == "A004"
    assert staff.act("/console/queue/next", {"desk": "Logs 3"}).json()["number"] is None
    assert staff.state()["counts"]["tickets"] == 4


def _slot(staff, minutes_ahead: int = 60, **extra) -> int:
    # Staff type local time in Latvia, whatever the test machine's own zone.
    starts = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(minutes=minutes_ahead)).strftime("%Y-%m-%dT%H:%M")
    response = staff.act("/console/slots", {"institution": "VSAA", "topic": "", "starts": starts,
                                            "duration_min": 20, "room": "Video 1", **extra})
    response.raise_for_status()
    return response.json()["id"]


def test_two_kiosks_booking_one_slot_at_once_exactly_one_wins(centre, staff_of):
    staff = staff_of(centre)
    slot_id = _slot(staff)
    clients = [kiosk_http(centre.server, token) for token in centre.tokens * 4]
    start = threading.Barrier(len(clients))

    def book(http):
        start.wait()
        return http.post("/api/kiosk/video/bookings", json={"key": key(), "slot_id": slot_id, "topic": "pension"})

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(book, clients))
    for http in clients:
        http.close()
    assert sorted(response.status_code for response in responses) == [201] + [409] * (len(clients) - 1)
    winner = next(response.json() for response in responses if response.status_code == 201)
    assert len(winner["reference"]) == 6 and winner["institution"] == "VSAA" and winner["topic"] == "pension"
    slots = staff.state()["slots"]
    assert [(s["id"], s["booked"], s["reference"]) for s in slots] == [(slot_id, True, winner["reference"])]
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.get("/api/kiosk/video/slots", params={"institution": "VSAA"}).json() == []


def test_kiosks_see_free_slots_by_institution_and_topic_and_not_cancelled_ones(centre, staff_of):
    staff = staff_of(centre)
    any_topic = _slot(staff, 30)
    pension = _slot(staff, 90, topic="pension")
    cancelled = _slot(staff, 120)
    _slot(staff, 40, institution="VID")
    assert staff.act(f"/console/slots/{cancelled}/cancel").json() == {"ok": True}
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert set(http.get("/api/kiosk/video/institutions").json()) == {"VSAA", "VID", "VZD"}
        slots = http.get("/api/kiosk/video/slots", params={"institution": "VSAA", "topic": "pension"}).json()
        assert [slot["id"] for slot in slots] == [any_topic, pension]
        benefits = http.get("/api/kiosk/video/slots", params={"institution": "VSAA", "topic": "benefits"}).json()
        assert [slot["id"] for slot in benefits] == [any_topic]
        taken = http.post("/api/kiosk/video/bookings", json={"key": key(), "slot_id": cancelled})
        assert taken.status_code == 409


def test_heartbeats_and_alerts_reach_the_console(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/heartbeat", json={"printer_paper": "out", "printer_toner": "ok",
                                                       "reader_present": True, "scanner_present": False,
                                                       "screen": "home"}).status_code == 204
        alert_key = key()
        for _ in range(2):  # resent by the outbox: still one alert
            assert http.post("/api/kiosk/alerts", json={"key": alert_key, "kind": "printer-paper-out",
                                                        "detail": "A4 tray empty"}).status_code == 204
        assert http.post("/api/kiosk/heartbeat", json={"printer_paper": "wet"}).status_code == 422
    staff = staff_of(centre)
    state = staff.state()
    kiosks = {kiosk["name"]: kiosk for kiosk in state["kiosks"]}
    first = kiosks[centre.kiosk_names[0]]
    assert first["printer_paper"] == "out" and first["scanner_present"] is False and first["age_s"] < 30
    assert first["problems"] == ["printer_paper-out", "scanner-missing"]
    assert kiosks[centre.kiosk_names[1]]["problems"] == ["never-seen"]
    assert [(a["kiosk"], a["kind"], a["detail"]) for a in state["alerts"]] == [
        (centre.kiosk_names[0], "printer-paper-out", "A4 tray empty")]
    assert state["counts"]["alerts"] == 1
    assert staff.act(f"/console/alerts/{state['alerts'][0]['id']}/clear").json() == {"ok": True}
    assert staff.state()["alerts"] == []


def test_a_kiosk_series_ticket_reported_later_joins_the_queue_once(centre, staff_of):
    body = {"key": key(), "number": "K1-001", "service_id": "passport", "service_name": "Pase",
            "priority": "senior", "issued_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        for _ in range(2):
            assert http.post("/api/kiosk/local-tickets", json=body).status_code == 204
    staff = staff_of(centre)
    assert staff.state("board")["services"][0]["waiting"] == 1
    assert staff.act("/console/queue/next", {"desk": "Logs 1"}).json()["number"] == "K1-001"


def test_the_live_stream_pushes_a_new_call_without_a_reload(centre, staff_of):
    staff = staff_of(centre)
    with staff.http.stream("GET", "/console/events", timeout=15) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        states = (json.loads(line[len("data: "):]) for line in lines if line.startswith("data: "))
        assert next(states)["calls"] == []
        with kiosk_http(centre.server, centre.tokens[1]) as http:
            http.post("/api/kiosk/calls", json={"key": key(), "screen": "video", "step": "slots"}).raise_for_status()
        pushed = next(states)
        assert [(c["kiosk"], c["screen"]) for c in pushed["calls"]] == [(centre.kiosk_names[1], "video")]


def test_the_migrated_schema_is_exactly_the_models(desk_server):
    engine = make_engine(desk_server.db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                           Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_session_cookies_are_secure_httponly_and_strict(pg_cluster, tmp_path):
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path, cookie_secure=True).start()
    try:
        centre = make_centre(server, kiosks=0)
        with httpx.Client(base_url=server.url) as http:
            form = http.get("/login")
            assert "Secure" in form.headers["set-cookie"] and "HttpOnly" in form.headers["set-cookie"]
            token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            # An http client keeps Secure cookies to itself over http, so the login CSRF cookie goes by hand.
            http.cookies.set("sd_login_csrf", token)
            response = http.post("/login", data={"name": centre.staff_name, "password": "a long test password",
                                                 "csrf_token": token})
        assert response.status_code == 303
        cookie = next(value for name, value in response.headers.multi_items()
                      if name == "set-cookie" and value.startswith("sd_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    finally:
        server.stop()


def test_staff_recall_the_called_ticket_or_mark_it_a_no_show(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        follows = [http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport",
                                                         "service_name": "Pase"}).json()["follow_path"]
                   for _ in range(3)]
    staff = staff_of(centre)
    assert staff.act("/console/queue/next", {"desk": "Logs 1"}).json()["number"] == "A001"
    assert staff.act("/console/queue/next", {"desk": "Logs 2"}).json()["number"] == "A002"
    serving = {ticket["number"]: ticket for ticket in staff.state()["serving"]}
    assert [(t["number"], t["desk"]) for t in serving.values()] == [("A001", "Logs 1"), ("A002", "Logs 2")]
    first = serving["A001"]["id"]
    assert staff.state("board")["called"][0]["number"] == "A002"

    # "Call again": the number goes back on top of the board, still called to its desk.
    assert staff.act(f"/console/queue/tickets/{first}/recall", csrf=False).status_code == 403
    assert staff.act(f"/console/queue/tickets/{first}/recall").json() == {"ok": True}
    board = staff.state("board")["called"]
    assert [(c["number"], c["desk"]) for c in board] == [("A001", "Logs 1"), ("A002", "Logs 2")]
    assert [t["number"] for t in staff.state()["serving"]] == ["A001", "A002"]
    # Staff of another centre can neither call it again nor end it.
    stranger = staff_of(make_centre(centre.server, kiosks=0))
    assert stranger.act(f"/console/queue/tickets/{first}/recall").json() == {"ok": False}
    assert stranger.act(f"/console/queue/tickets/{first}/no-show").json() == {"ok": False}

    # Nobody came: out of the queue, counted apart from the served, and the resident's phone says so.
    assert staff.act(f"/console/queue/tickets/{first}/no-show").json() == {"ok": True}
    state = staff.state()
    assert [t["number"] for t in state["serving"]] == ["A002"]
    assert (state["counts"]["tickets"], state["counts"]["served"], state["counts"]["no_shows"]) == (3, 1, 1)
    assert staff.act(f"/console/queue/tickets/{first}/recall").json() == {"ok": False}
    assert staff.act(f"/console/queue/tickets/{first}/no-show").json() == {"ok": False}
    with httpx.Client(base_url=centre.server.url) as phone:
        gone = phone.get(follows[0] + "/state", params={"lang": "en"}).json()
        assert (gone["state"], gone["finished"]) == ("no-show", True) and "did not come" in gone["status"]
    # The next call at that desk takes the next waiting ticket and leaves the no-show as it is.
    assert staff.act("/console/queue/next", {"desk": "Logs 1"}).json()["number"] == "A003"
    counts = staff.state()["counts"]
    assert (counts["served"], counts["no_shows"]) == (2, 1)


def test_the_follow_state_tells_the_phone_each_change(centre, staff_of):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        paths = [http.post("/api/kiosk/tickets", json={"key": key(), "service_id": "tax",
                                                       "service_name": "Nodokļi"}).json()["follow_path"]
                 for _ in range(2)]
    staff = staff_of(centre)
    with httpx.Client(base_url=centre.server.url) as phone:
        def seen():
            response = phone.get(paths[1] + "/state", params={"lang": "en"})
            assert response.headers["cache-control"] == "no-store"
            state = response.json()
            return state["state"], state["ahead"], state["status"]

        assert seen() == ("waiting", 1, "People ahead of you: 1")
        staff.act("/console/queue/next", {"desk": "Logs 7"}).raise_for_status()
        assert seen() == ("waiting", 0, "People ahead of you: 0")
        staff.act("/console/queue/next", {"desk": "Logs 7"}).raise_for_status()
        assert seen() == ("called", 0, "It is your turn! Go to: Logs 7")
        staff.act("/console/queue/next", {"desk": "Logs 7"}).raise_for_status()
        assert seen() == ("done", 0, "This number has been served. Thank you!")
        latvian = phone.get(paths[1] + "/state").json()["status"]
        assert latvian == "Šis numurs ir apkalpots. Paldies!"
        assert phone.get("/follow/guessed-token/state").status_code == 404

"""The desk against an outsider, a kiosk and staff of another centre: logins, streams, bodies, input and keys."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    PASSWORD, DeskServer, StaffBrowser, centre, desk_server, kiosk_http, make_centre, new_database, pg_cluster,
    staff_of)
from staffdesk.core.db import make_engine, make_sessionmaker
from staffdesk.core.migrate import alembic_config, upgrade
from staffdesk.heartbeats import QUIET_S, Heartbeats
from staffdesk.models import Kiosk, QueueTicket, utcnow
from staffdesk.queue import LOCAL_TIME

MB = 1024 * 1024


def key() -> str:
    return str(uuid.uuid4())


def login_form(http: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text).group(1)


def log_in(http: httpx.Client, name: str, password: str, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return http.post("/login", data={"name": name, "password": password, "csrf_token": login_form(http)},
                     headers=headers)


@pytest.fixture(scope="module")
def strict_desk(request, pg_cluster, tmp_path_factory):
    """A desk per database whose first wait after failed logins is long: no burst can outlast it."""
    servers = []

    def start(backend: str) -> DeskServer:
        folder = tmp_path_factory.mktemp(f"strict-{backend}")
        server = DeskServer(new_database(backend, pg_cluster, folder), folder,
                            STAFFDESK_LOGIN_FIRST_WAIT_S="60").start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# ---- 1. failed logins slow one name from one address down, and lock nobody out ---------------------------------

def test_failed_logins_wait_longer_each_time_and_never_lock_out_the_right_password(centre):
    server = centre.server
    colleague = make_centre(server, kiosks=0)
    retry_afters = []
    with httpx.Client(base_url=server.url, timeout=20) as http:
        for cycle in range(3):
            # Each try claims another address: had the desk believed X-Forwarded-For from 127.0.0.1, no try
            # would ever wait.
            for attempt in range(8):
                response = log_in(http, centre.staff_name, "a wrong password", f"10.9.{cycle}.{attempt}")
                if response.status_code == 429:
                    break
                assert response.status_code == 401
            assert response.status_code == 429
            retry_afters.append(int(response.headers["Retry-After"]))
            # Meanwhile a colleague behind the same address logs in at once.
            assert log_in(http, colleague.staff_name, PASSWORD).status_code == 303
            http.cookies.clear()
            time.sleep(retry_afters[-1])
        assert retry_afters == sorted(retry_afters) and retry_afters[0] < retry_afters[-1], retry_afters
        # After the wait the right password is taken, and the count starts again.
        assert log_in(http, centre.staff_name, PASSWORD).status_code == 303
        http.cookies.clear()
        assert log_in(http, centre.staff_name, "a wrong password").status_code == 401
        # About 20 failures under any names (the old limit per address) lock nobody else out.
        for number in range(25):
            assert log_in(http, f"nobody-{uuid.uuid4().hex[:8]}", "a wrong password").status_code == 401
        assert log_in(http, colleague.staff_name, PASSWORD).status_code == 303
    log = (server.data_dir / "server.log").read_text()
    assert f"failed attempts for the name '{centre.staff_name}' from 127.0.0.1" in log
    assert re.search(r"failed attempts under \d+ names from 127\.0\.0\.1", log)


# ---- 2. the limit holds against parallel attempts ---------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_thirty_parallel_wrong_logins_get_only_five_password_checks(strict_desk, backend):
    server = strict_desk(backend)
    centre = make_centre(server, kiosks=0)
    clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(30)]
    forms = [login_form(http) for http in clients]
    start = threading.Barrier(len(clients))

    def guess(pair):
        http, token = pair
        start.wait()
        return http.post("/login", data={"name": centre.staff_name, "password": "a wrong password",
                                         "csrf_token": token}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(guess, zip(clients, forms)))
    for http in clients:
        http.close()
    # 401 is a password checked and found wrong; 429 a try refused before its password was looked at.
    assert sorted(statuses) == [401] * 5 + [429] * 25


# ---- 3. a live stream ends with its session ---------------------------------------------------------------------

def test_an_open_stream_is_closed_when_its_session_logs_out(centre, staff_of):
    staff = staff_of(centre)
    events = []
    with httpx.Client(base_url=centre.server.url, cookies=staff.http.cookies, timeout=20) as streaming:
        with streaming.stream("GET", "/console/events") as stream:
            lines = stream.iter_lines()
            first = next(line for line in lines if line.startswith("data: "))
            assert json.loads(first[len("data: "):])["calls"] == []
            logout = staff.http.post("/logout", data={"csrf_token": staff.csrf})
            assert logout.status_code == 303
            with kiosk_http(centre.server, centre.tokens[0]) as kiosk:
                kiosk.post("/api/kiosk/calls", json={"key": key(), "screen": "after-logout"}).raise_for_status()
            # The stream must end by itself (iter_lines stops), with nothing of the call opened after logout.
            events = list(lines)
    assert "event: ended" in events
    assert not any("after-logout" in line for line in events)
    assert staff.http.get("/console/state").status_code == 401


# ---- 4. bodies: refused before they are read ---------------------------------------------------------------------

def _rss_kb(server: DeskServer) -> int:
    status = open(f"/proc/{server.process.pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def _post_raw(server: DeskServer, path: str, headers: str, body_chunks) -> bytes:
    """Send a request's head, then its body as long as the desk reads it; the start of the desk's answer.

    The answer is read alongside: a desk that answers early and closes resets the connection, and the reset
    could take the unread answer with it."""
    answer = bytearray()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        def read():
            try:
                while len(answer) < 12 and (part := sock.recv(4096)):
                    answer.extend(part)
            except OSError:
                pass

        reader = threading.Thread(target=read)
        reader.start()
        try:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n{headers}"
                         "\r\n".encode())
            for chunk in body_chunks:
                if answer:
                    break  # answered: the rest would never be read
                sock.sendall(chunk)
        except OSError:
            pass  # the desk answered and closed
        reader.join(timeout=20)
    return bytes(answer)


def _status(answer: bytes) -> int:
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0


def _send_large(server: DeskServer, path: str, size: int, headers: str = "") -> int:
    """A declared body of `size` bytes, sent 1 MiB at a time; the status the desk answered with."""
    return _status(_post_raw(server, path, f"{headers}Content-Length: {size}\r\n",
                             (b" " * MB for _ in range(size // MB))))


def _send_chunked(server: DeskServer, path: str, headers: str = "") -> int:
    """A body without a length, in 1 MiB chunks, up to 100 MiB; the status the desk answered with."""
    return _status(_post_raw(server, path, f"{headers}Transfer-Encoding: chunked\r\n",
                             (b"%x\r\n" % MB + b" " * MB + b"\r\n" for _ in range(100))))


def test_a_large_body_is_refused_with_413_before_it_is_read(centre):
    server = centre.server
    token = f"Authorization: Bearer {centre.tokens[0]}\r\n"
    before = _rss_kb(server)
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _: _send_large(server, "/api/kiosk/calls", 100 * MB), range(5)))
    assert statuses == [413] * 5
    assert _send_large(server, "/api/kiosk/calls", 100 * MB, token) == 413
    assert _send_large(server, "/console/slots", 100 * MB) == 413
    assert _send_large(server, "/login", 100 * MB) == 413
    # Without a length: no token, refused before a byte is read; with one, refused once past the limit.
    assert _send_chunked(server, "/api/kiosk/calls") == 401
    assert _send_chunked(server, "/api/kiosk/calls", token) == 413
    assert _send_chunked(server, "/console/slots") == 413
    grown_mb = (_rss_kb(server) - before) / 1024
    assert grown_mb < 20, f"the desk grew by {grown_mb:.0f} MB"
    # A body within the limit still works.
    with kiosk_http(server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/calls", json={"key": key(), "reason": "x" * 300}).status_code == 201


# ---- 5. many streams: one state per change for all of them, and a cap per session -------------------------------

def test_many_open_streams_all_get_each_change_and_a_session_holds_at_most_four(centre):
    server = centre.server
    browsers = [StaffBrowser(server, centre.staff_name) for _ in range(10)]
    clients = [httpx.Client(base_url=server.url, cookies=browser.http.cookies, timeout=30)
               for browser in browsers for _ in range(4)]
    screen = f"burst-{uuid.uuid4().hex[:6]}"
    opened = threading.Barrier(len(clients) + 1)
    seen: list[str] = []
    lock = threading.Lock()

    def watch(http: httpx.Client):
        with http.stream("GET", "/console/events") as stream:
            assert stream.status_code == 200
            lines = (line for line in stream.iter_lines() if line.startswith("data: "))
            next(lines)
            opened.wait()
            for line in lines:
                if screen in line:
                    with lock:
                        seen.append(line)
                    return

    with ThreadPoolExecutor(len(clients)) as pool:
        watchers = [pool.submit(watch, http) for http in clients]
        opened.wait(timeout=30)
        # A fifth stream of one session is refused.
        assert browsers[0].http.get("/console/events").status_code == 429
        with kiosk_http(server, centre.tokens[0]) as kiosk:
            assert kiosk.post("/api/kiosk/calls", json={"key": key(), "screen": screen}).status_code == 201
        for watcher in watchers:
            watcher.result(timeout=30)
    # Every stream got the change, and all of them the very same state (built once, sent to all).
    assert len(seen) == len(clients) and len(set(seen)) == 1
    for http in clients:
        http.close()
    for browser in browsers:
        browser.http.close()


# ---- 6. out-of-range input: 422, never 500 --------------------------------------------------------------------------

def test_out_of_range_input_is_refused_with_422_and_not_echoed(centre, staff_of):
    staff = staff_of(centre)
    for number in (2**63, 2**31, 0):
        for path in (f"/console/calls/{number}/ack", f"/console/queue/tickets/{number}/recall",
                     f"/console/slots/{number}/cancel", f"/console/alerts/{number}/clear"):
            assert staff.act(path).status_code == 422, path
    now = dt.datetime.now(LOCAL_TIME)
    for starts in ("0001-01-01T00:00", "9999-12-31T23:59", (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")):
        response = staff.act("/console/slots", {"institution": "VSAA", "starts": starts})
        assert response.status_code == 422, starts
    secret = "<script>" + "s" * 40
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/video/bookings", json={"key": key(), "slot_id": 2**63}).status_code == 422
        for issued_at in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+02:00", "0001-01-01T00:00:00"):
            response = http.post("/api/kiosk/local-tickets", json={
                "key": key(), "number": "K1-001", "service_id": "passport", "service_name": "Pase",
                "issued_at": issued_at})
            assert response.status_code == 422, issued_at
        assert http.get("/api/kiosk/calls/" + "x" * 100).status_code == 422
        refused = http.post("/api/kiosk/calls", json={"key": key(), "screen": secret * 3})
        assert refused.status_code == 422
        assert secret not in refused.text and "input" not in refused.json()["detail"][0]
        assert refused.json()["detail"][0]["loc"] == ["body", "screen"]
    assert staff.http.get("/console/state").headers["cache-control"] == "no-store"


# ---- 7. idempotency keys are the kiosk's own -----------------------------------------------------------------------

def test_another_kiosks_key_neither_clashes_nor_reveals_anything(centre, staff_of):
    other = make_centre(centre.server, kiosks=1)
    mine, theirs = kiosk_http(centre.server, centre.tokens[0]), kiosk_http(centre.server, other.tokens[0])
    shared = key()
    try:
        # A help call with a key another kiosk used: a call of its own, not a 500.
        assert mine.post("/api/kiosk/calls", json={"key": shared, "screen": "mine"}).status_code == 201
        assert theirs.post("/api/kiosk/calls", json={"key": shared, "screen": "theirs"}).status_code == 201
        assert [call["screen"] for call in staff_of(other).state()["calls"]] == ["theirs"]
        assert [call["screen"] for call in staff_of(centre).state()["calls"]] == ["mine"]
        # A ticket: its own centre's number and follow link, not the other kiosk's ticket.
        for _ in range(2):
            mine.post("/api/kiosk/tickets", json={"key": key(), "service_id": "passport",
                                                  "service_name": "Pase"}).raise_for_status()
        first = mine.post("/api/kiosk/tickets", json={"key": shared, "service_id": "passport",
                                                      "service_name": "Pase"}).json()
        second = theirs.post("/api/kiosk/tickets", json={"key": shared, "service_id": "passport",
                                                         "service_name": "Pase"}).json()
        assert first["number"] == "A003" and second["number"] == "A001" and second["follow_path"]
        # A booking: this kiosk's own slot, not the other's time and room.
        starts = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        slots = []
        for owner, room in ((centre, "Room mine"), (other, "Room theirs")):
            slots.append(staff_of(owner).act("/console/slots", {"institution": "VSAA", "starts": starts,
                                                                "room": room}).json()["id"])
        assert mine.post("/api/kiosk/video/bookings", json={"key": shared, "slot_id": slots[0]}).status_code == 201
        booked = theirs.post("/api/kiosk/video/bookings", json={"key": shared, "slot_id": slots[1]})
        assert booked.status_code == 201 and booked.json()["room"] == "Room theirs"
        # An alert: kept, not dropped because the key was seen elsewhere.
        for http in (mine, theirs):
            assert http.post("/api/kiosk/alerts", json={"key": shared, "kind": "printer-jam"}).status_code == 204
        assert [alert["kind"] for alert in staff_of(other).state()["alerts"]] == ["printer-jam"]
    finally:
        mine.close()
        theirs.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_to_keys_per_kiosk_keeps_the_rows(backend, pg_cluster, tmp_path):
    url = pg_cluster.new_database() if backend == "postgresql" else f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO centre (id, name) VALUES (1, 'KAC')"))
            connection.execute(text("INSERT INTO kiosk (id, centre_id, name, token_hash, created_at) "
                                    "VALUES (1, 1, 'k1', 'h1', '2026-01-01'), (2, 1, 'k2', 'h2', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO help_call (idempotency_key, kiosk_id, centre_id, screen, step, last_error, reason, "
                "state, created_at) VALUES ('key-00001', 1, 1, 'home', '', '', '', 'open', '2026-01-01')"))
            connection.execute(text("INSERT INTO alert (idempotency_key, kiosk_id, kind, detail, created_at) "
                                    "VALUES ('key-00002', 1, 'printer-jam', '', '2026-01-01')"))
        upgrade(url)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT idempotency_key, kiosk_id, screen FROM help_call")).all() == [
                ("key-00001", 1, "home")]
            assert connection.execute(text("SELECT kind FROM alert")).all() == [("printer-jam",)]
            # Now another kiosk may use the key...
            connection.execute(text(
                "INSERT INTO help_call (idempotency_key, kiosk_id, centre_id, screen, step, last_error, reason, "
                "state, created_at) VALUES ('key-00001', 2, 1, 'other', '', '', '', 'open', '2026-01-01')"))
        # ...and the same kiosk still may not.
        with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO help_call (idempotency_key, kiosk_id, centre_id, screen, step, last_error, reason, "
                "state, created_at) VALUES ('key-00001', 1, 1, :reason, '', '', '', 'open', '2026-01-01')"),
                {"reason": "a private reason"})
        # A failed insert's error (and so a logged traceback) names no value that was sent.
        assert "a private reason" not in str(refused.value)
    finally:
        engine.dispose()


# ---- 8. a kiosk's own ticket cannot be dated back to jump the queue ----------------------------------------------

def test_a_local_ticket_is_held_between_the_kiosks_last_contact_and_its_arrival(centre):
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/heartbeat", json={"printer_paper": "ok"}).status_code == 204
        before = utcnow()
        for number, shift in (("K1-001", dt.timedelta(hours=-3)), ("K1-002", dt.timedelta(hours=2)),
                              ("K1-003", dt.timedelta(seconds=-20))):
            issued_at = (dt.datetime.now(dt.timezone.utc) + shift).isoformat()
            assert http.post("/api/kiosk/local-tickets", json={
                "key": key(), "number": number, "service_id": "passport", "service_name": "Pase",
                "issued_at": issued_at}).status_code == 204
        after = utcnow()
    engine = make_engine(centre.server.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            kiosk_tickets = dict(session.execute(
                select(QueueTicket.number, QueueTicket.created_at).join(Kiosk, Kiosk.id == QueueTicket.kiosk_id)
                .where(Kiosk.name == centre.kiosk_names[0], QueueTicket.from_kiosk_series.is_(True))).all())
    finally:
        engine.dispose()
    # Three hours back while the kiosk was beating: no further back than QUIET_S before it arrived.
    assert before - dt.timedelta(seconds=QUIET_S + 1) <= kiosk_tickets["K1-001"] <= after
    # From the future: the time it arrived.
    assert before <= kiosk_tickets["K1-002"] <= after
    # A plausible time is kept as the kiosk gave it.
    assert abs((kiosk_tickets["K1-003"] - (before - dt.timedelta(seconds=20))).total_seconds()) < 5


def test_a_silent_kiosk_may_date_its_tickets_back_to_its_last_beat_and_no_further():
    heartbeats = Heartbeats(sessions=None)
    start = dt.datetime(2026, 3, 2, 9, 0)
    for minute in range(0, 10):
        heartbeats.heard(7, start + dt.timedelta(minutes=minute))
    last = start + dt.timedelta(minutes=9)
    # The desk went away at 09:09 for 20 minutes: a ticket reported at 09:25 may date from 09:09 on.
    assert heartbeats.earliest_local_ticket(7, last + dt.timedelta(minutes=16), None) == last
    # The kiosk's first beat after the silence came before its report: still from 09:09 on.
    heartbeats.heard(7, last + dt.timedelta(minutes=20))
    assert heartbeats.earliest_local_ticket(7, last + dt.timedelta(minutes=20, seconds=10), None) == last
    # Long after the silence, only the last QUIET_S.
    later = last + dt.timedelta(hours=2)
    for minute in range(0, 40, 1):
        heartbeats.heard(7, last + dt.timedelta(minutes=81 + minute))
    assert heartbeats.earliest_local_ticket(7, later, None) == later - dt.timedelta(seconds=QUIET_S)
    # A kiosk never heard of: only the last QUIET_S either.
    assert heartbeats.earliest_local_ticket(8, later, None) == later - dt.timedelta(seconds=QUIET_S)

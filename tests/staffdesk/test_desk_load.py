"""Heartbeats kept in memory and written in batches, and many writers at once on SQLite: nothing locked or lost."""

from __future__ import annotations

import math
import threading
import time
import uuid

from sqlalchemy import func, select

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, centre, desk_server, kiosk_http, make_centre, new_database, pg_cluster, staff_of)
from staffdesk.accounts import kiosk_for_token
from staffdesk.cli import create_kiosk
from staffdesk.core.db import make_engine, make_sessionmaker
from staffdesk.heartbeats import FLUSH_EVERY_S, Heartbeats
from staffdesk.models import HelpCall, Kiosk, KioskHealth

DEVICES = {"printer_paper": "ok", "printer_toner": "ok", "receipt_paper": "ok", "reader_present": True,
           "scanner_present": True, "version": "0.1.0"}


def stored_health(url: str, kiosk_name: str) -> KioskHealth | None:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(KioskHealth).join(Kiosk, Kiosk.id == KioskHealth.kiosk_id)
                                  .where(Kiosk.name == kiosk_name))
    finally:
        engine.dispose()


def wait_for(condition, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)
    return found


def test_a_kept_heartbeat_shows_on_the_console_at_once_and_is_written_within_seconds(centre, staff_of):
    name, url = centre.kiosk_names[0], centre.server.db_url
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/heartbeat", json={**DEVICES, "screen": "home"}).status_code == 204
        # The first heartbeat since the desk started is written at once.
        assert stored_health(url, name).screen == "home"
        # The same devices on another screen: kept in memory for the next batch...
        assert http.post("/api/kiosk/heartbeat", json={**DEVICES, "screen": "payment"}).status_code == 204
    kiosk = {kiosk["name"]: kiosk for kiosk in staff_of(centre).state()["kiosks"]}[name]
    # ...yet the console's health view already shows it.
    assert (kiosk["screen"], kiosk["problems"]) == ("payment", []) and kiosk["age_s"] <= 2
    assert wait_for(lambda: stored_health(url, name).screen == "payment", FLUSH_EVERY_S + 5)


def test_a_device_changing_state_is_written_at_once(centre, staff_of):
    name, url = centre.kiosk_names[0], centre.server.db_url
    with kiosk_http(centre.server, centre.tokens[0]) as http:
        assert http.post("/api/kiosk/heartbeat", json=DEVICES).status_code == 204
        assert http.post("/api/kiosk/heartbeat", json={**DEVICES, "printer_paper": "out"}).status_code == 204
        assert stored_health(url, name).printer_paper == "out"
    kiosk = {kiosk["name"]: kiosk for kiosk in staff_of(centre).state()["kiosks"]}[name]
    assert kiosk["problems"] == ["printer_paper-out"]


def test_a_desk_stopping_writes_the_heartbeats_it_kept(pg_cluster, tmp_path):
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path / "desk").start()
    try:
        centre = make_centre(server)
        with kiosk_http(server, centre.tokens[0]) as http:
            assert http.post("/api/kiosk/heartbeat", json={**DEVICES, "screen": "home"}).status_code == 204
            assert http.post("/api/kiosk/heartbeat", json={**DEVICES, "screen": "eid"}).status_code == 204
    finally:
        server.stop()  # SIGTERM, as systemd stops it
    assert stored_health(server.db_url, centre.kiosk_names[0]).screen == "eid"


def test_a_batch_never_puts_back_an_older_heartbeat(pg_cluster, tmp_path):
    """Two desk processes on one database: the batch of one must not undo what the other wrote later."""
    url = new_database("sqlite", pg_cluster, tmp_path)
    token = create_kiosk(url, "kiosk-batch", "Centre batch")
    engine = make_engine(url, single_writer=True)
    try:
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            kiosk = kiosk_for_token(session, token)
        first, second = Heartbeats(sessions), Heartbeats(sessions)
        first.record_now(kiosk, {**DEVICES, "screen": "home"})
        assert first.keep(kiosk, {**DEVICES, "screen": "older"})
        time.sleep(0.01)
        second.record_now(kiosk, {**DEVICES, "printer_paper": "out", "screen": "newer"})
        assert first.flush() == 1
        row = stored_health(url, "kiosk-batch")
        assert (row.screen, row.printer_paper) == ("newer", "out")
    finally:
        engine.dispose()


def test_many_writers_at_once_on_sqlite_never_find_the_database_locked(pg_cluster, tmp_path, staff_of):
    """64 kiosks at once: first heartbeats, help calls, a printer running out, alerts; staff answering meanwhile."""
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path / "desk").start()
    try:
        centre = make_centre(server, kiosks=64)
        statuses: list[int] = []
        calls_each = 5

        def kiosk_at_work(token: str) -> None:
            with kiosk_http(server, token) as http:
                answers = [http.post("/api/kiosk/heartbeat", json=DEVICES)]
                for step in range(calls_each):
                    answers.append(http.post("/api/kiosk/calls", json={"key": str(uuid.uuid4()), "screen": "load",
                                                                       "step": str(step)}))
                answers.append(http.post("/api/kiosk/heartbeat", json={**DEVICES, "printer_paper": "out"}))
                answers.append(http.post("/api/kiosk/alerts", json={"key": str(uuid.uuid4()),
                                                                    "kind": "printer-paper-out"}))
                statuses.extend(answer.status_code for answer in answers)

        staff = staff_of(centre)
        kiosks = [threading.Thread(target=kiosk_at_work, args=(token,)) for token in centre.tokens]
        for thread in kiosks:
            thread.start()
        acknowledged = 0
        while any(thread.is_alive() for thread in kiosks):
            for call in staff.state()["calls"][:5]:
                if call["state"] == "open":
                    acknowledged += staff.act(f"/console/calls/{call['id']}/ack").json()["ok"]
        for thread in kiosks:
            thread.join()
        assert len(statuses) == 64 * (calls_each + 3) and set(statuses) <= {201, 204}, sorted(set(statuses))
        assert acknowledged > 0
        engine = make_engine(server.db_url)
        try:
            with make_sessionmaker(engine)() as session:
                stored = session.scalars(select(HelpCall.step).where(HelpCall.screen == "load")).all()
        finally:
            engine.dispose()
        assert len(stored) == 64 * calls_each
    finally:
        server.stop()
    assert "database is locked" not in (tmp_path / "desk" / "server.log").read_text(encoding="utf-8")


def next_transaction_id(url: str) -> int:
    """PostgreSQL's next transaction id: only a transaction that writes takes one (reading, this one included, not)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").scalar())
    finally:
        engine.dispose()


def test_a_restarted_desk_writes_the_kiosks_first_heartbeats_in_a_few_transactions(pg_cluster, tmp_path):
    """A desk coming back with its kiosks: their first heartbeats wait for the batch, not one transaction each."""
    url = new_database("postgresql", pg_cluster, tmp_path)
    server = DeskServer(url, tmp_path / "desk").start()
    kiosks = 150
    try:
        centre = make_centre(server, kiosks=kiosks)
        with kiosk_http(server, None) as http:
            def beat(token: str, health: dict) -> None:
                response = http.post("/api/kiosk/heartbeat", json=health, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 204

            for token in centre.tokens:
                beat(token, {**DEVICES, "screen": "before"})
            server.stop()  # SIGTERM, an update or a reboot
            server.start()
            before, started = next_transaction_id(url), time.monotonic()
            for token in centre.tokens[1:]:
                beat(token, {**DEVICES, "screen": "after"})
            # A device that changed while the desk was away is still written at once.
            beat(centre.tokens[0], {**DEVICES, "printer_paper": "out", "screen": "after"})
            assert stored_health(url, centre.kiosk_names[0]).printer_paper == "out"

            def all_stored() -> bool:
                engine = make_engine(url)
                try:
                    with make_sessionmaker(engine)() as session:
                        return session.scalar(select(func.count()).select_from(KioskHealth)
                                              .where(KioskHealth.screen == "after")) == kiosks
                finally:
                    engine.dispose()

            wait_for(all_stored, FLUSH_EVERY_S + 10)
            writes, took = next_transaction_id(url) - before, time.monotonic() - started
    finally:
        server.stop()
    # One for the changed kiosk, one per flush (FLUSH_EVERY_S apart, however long a busy machine took to send the
    # beats), and a few to spare: a handful, where each kiosk used to take its own. On a machine busy with other
    # tests the flushes take a share of the beats each, and PostgreSQL's own work may take an id or two: up to a
    # tenth of the kiosks is still a batch, not one each.
    flushes = math.ceil(took / FLUSH_EVERY_S)
    assert writes <= max(flushes + 5, kiosks // 10), \
        f"{writes} write transactions for {kiosks} kiosks' first heartbeats after a restart, in {took:.1f} s"

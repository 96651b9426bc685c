"""The kiosk's DeskLink against a real desk: calls and their answers, tickets online and offline, health."""

from __future__ import annotations

import argparse
import json
import threading
import time

import pytest

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, ROOT, centre, desk_settings, kiosk_http, make_centre, new_database, pg_cluster,
    staff_of, wait_for)
from kiosk.desk_link import CallState, DeskUnavailable, Priority, Reason, SlotTaken, DeskLink
from kiosk.desk_link.commands import add_call_staff_parser, cmd_call_staff, take_ticket_for_cli
from tools.pg_cluster import free_port


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory, pg_cluster):
    folder = tmp_path_factory.mktemp("kiosk-side")
    server = DeskServer(new_database("sqlite", pg_cluster, folder), folder).start()
    yield server
    server.stop()


@pytest.fixture
def desks():
    made = []

    def make(settings) -> DeskLink:
        desk = DeskLink(settings)
        made.append(desk)
        return desk

    yield make
    for desk in made:
        desk.close()


def test_a_resident_sees_staff_coming_when_staff_acknowledge(sqlite_desk, desk_settings, desks, staff_of):
    centre = make_centre(sqlite_desk)
    desk = desks(desk_settings(sqlite_desk, centre.tokens[0]))
    desk.start()
    seen, changed = [], threading.Event()
    handle = desk.call_staff("print", "preview", "printer offline",
                             on_change=lambda h: (seen.append(h.state), changed.set()))
    staff = staff_of(centre)
    call = wait_for(lambda: staff.state()["calls"])[0]
    assert (call["screen"], call["step"], call["last_error"]) == ("print", "preview", "printer offline")
    staff.act(f"/console/calls/{call['id']}/ack")
    wait_for(lambda: handle.state is CallState.ACKNOWLEDGED)
    assert seen[-1] is CallState.ACKNOWLEDGED and CallState.QUEUED not in seen[-1:]


def test_a_resident_can_cancel_a_call(sqlite_desk, desk_settings, desks, staff_of):
    centre = make_centre(sqlite_desk)
    desk = desks(desk_settings(sqlite_desk, centre.tokens[0]))
    desk.start()
    handle = desk.call_staff("home", "greeting")
    staff = staff_of(centre)
    wait_for(lambda: staff.state()["calls"])
    desk.cancel_call(handle)
    assert handle.state is CallState.CANCELLED
    wait_for(lambda: staff.state()["calls"] == [])
    with kiosk_http(sqlite_desk, centre.tokens[0]) as http:
        assert http.get(f"/api/kiosk/calls/{handle.key}").json()["state"] == "cancelled"


def test_tickets_come_from_the_desk_and_from_the_kiosk_series_while_it_is_away(tmp_path, pg_cluster, desk_settings,
                                                                             desks, staff_of):
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path).start()
    try:
        centre = make_centre(server)
        desk = desks(desk_settings(server, centre.tokens[0]))
        desk.start()
        online = desk.take_ticket("passport", "Pase", Priority.SENIOR)
        assert (online.number, online.people_ahead, online.from_desk) == ("A001", 0, True)
        assert online.follow_url.startswith(server.url + "/follow/")
        server.kill9()
        offline = [desk.take_ticket("passport", "Pase") for _ in range(2)]
        assert [(t.number, t.from_desk, t.people_ahead) for t in offline] == [("K1-001", False, None),
                                                                            ("K1-002", False, None)]
        with pytest.raises(DeskUnavailable) as problem:
            desk.video_slots("VSAA")
        assert problem.value.reason is Reason.UNREACHABLE
        server.start()
        assert desk.outbox.flush(30)
        staff = staff_of(centre)
        assert staff.state("board")["services"][0]["waiting"] == 3
        called = [staff.act("/console/queue/next", {"desk": "1"}).json()["number"] for _ in range(3)]
        assert called == ["A001", "K1-001", "K1-002"]
    finally:
        server.stop()


def test_without_a_desk_the_kiosk_still_gives_tickets_and_says_to_go_to_the_desk(desk_settings, desks):
    desk = desks(desk_settings(None, url=""))
    desk.start()
    assert desk.call_staff("home", "greeting").state is CallState.NO_DESK
    assert [desk.take_ticket("tax", "Nodokļi").number for _ in range(2)] == ["K1-001", "K1-002"]
    with pytest.raises(DeskUnavailable) as problem:
        desk.book(1)
    assert problem.value.reason is Reason.NO_DESK
    assert desk.alert("printer-paper-out") is None and desk.outbox.pending() == 0


def test_local_numbers_never_repeat_after_a_restart(desk_settings, desks):
    settings = desk_settings(None, url="")
    first = desks(settings)
    assert first.take_ticket("tax", "Nodokļi").number == "K1-001"
    first.close()
    assert desks(settings).take_ticket("tax", "Nodokļi").number == "K1-002"


def test_booking_through_the_facade_and_a_lost_race(sqlite_desk, desk_settings, desks, staff_of):
    import datetime as dt
    from staffdesk.queue import LOCAL_TIME
    centre = make_centre(sqlite_desk, kiosks=2)
    staff = staff_of(centre)
    starts = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    staff.act("/console/slots", {"institution": "VZD", "starts": starts, "room": "Video 2"}).raise_for_status()
    first, second = (desks(desk_settings(sqlite_desk, token)) for token in centre.tokens)
    assert "cadastre" in first.video_institutions()["VZD"]
    slot = first.video_slots("VZD", "cadastre")[0]
    booking = first.book(slot.id, "cadastre")
    assert booking.room == "Video 2" and booking.start == slot.start and booking.start.tzinfo is not None
    with pytest.raises(SlotTaken):
        second.book(slot.id, "address")
    assert second.video_slots("VZD") == []


def test_faults_are_alerted_at_once_and_heartbeats_carry_health(sqlite_desk, desk_settings, desks, staff_of):
    centre = make_centre(sqlite_desk)
    desk = desks(desk_settings(sqlite_desk, centre.tokens[0], heartbeat_s=5))
    desk.update_health(printer_paper="ok", reader_present=True, scanner_present=True)
    desk.start()
    desk.update_health(printer_paper="out")
    desk.update_health(printer_paper="out")  # no change: no second alert
    staff = staff_of(centre)
    alerts = wait_for(lambda: staff.state()["alerts"])
    assert [(a["kind"], a["kiosk"]) for a in alerts] == [("printer-paper-out", centre.kiosk_names[0])]
    assert desk.heartbeat()
    kiosk = staff.state()["kiosks"][0]
    assert (kiosk["printer_paper"], kiosk["reader_present"], kiosk["problems"]) == ("out", True, ["printer_paper-out"])


def test_kiosk_call_staff_command(sqlite_desk, tmp_path, staff_of, capsys):
    centre = make_centre(sqlite_desk)
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    text = text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
    text = text.replace("url =\ntoken =", f"url = {sqlite_desk.url}\ntoken = {centre.tokens[0]}")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(text, encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_call_staff_parser(parser.add_subparsers())
    args = parser.parse_args(["call-staff", "--reason", "the screen froze", "--json", "--config", str(ini)])
    assert cmd_call_staff(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["state"] == "open"
    assert [c["reason"] for c in staff_of(centre).state()["calls"]] == ["the screen froze"]
    ticket = take_ticket_for_cli(__import__("kiosk.config", fromlist=["load_settings"]).load_settings(ini), "passport",
                                 "Pase")
    assert ticket.from_desk and ticket.number == "A001"
    # The desk gone: the command says so with exit status 1, and the call waits in the outbox.
    ini.write_text(text.replace(sqlite_desk.url, f"http://127.0.0.1:{free_port()}"), encoding="utf-8")
    args = parser.parse_args(["call-staff", "--json", "--config", str(ini)])
    assert cmd_call_staff(args) == 1
    assert json.loads(capsys.readouterr().out)["state"] == "queued"

"""`kiosk doctor`'s staff desk outbox line: messages the desk refused, or that wait for ever, against a real desk."""

from __future__ import annotations

import dataclasses
import time

import pytest

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, desk_settings, make_centre, new_database, pg_cluster, staff_of, wait_for)
from kiosk.doctor import CHECKS, check_staffdesk_outbox
from kiosk.desk_link import DeskLink
from kiosk.desk_link.outbox import STUCK_AFTER_S, undeliverable
from tools.pg_cluster import free_port


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory, pg_cluster):
    folder = tmp_path_factory.mktemp("doctor-desk")
    server = DeskServer(new_database("sqlite", pg_cluster, folder), folder).start()
    yield server
    server.stop()


@pytest.fixture
def kiosks():
    made = []

    def make(settings) -> DeskLink:
        desk = DeskLink(settings)
        made.append(desk)
        desk.start(heartbeats=False)
        return desk

    yield make
    for desk in made:
        desk.close()


def outbox_of(settings):
    return settings.kiosk.state_dir / "outbox.sqlite"


def test_the_check_is_one_of_the_doctors_and_all_is_well_without_an_outbox(desk_settings):
    assert check_staffdesk_outbox in CHECKS
    settings = desk_settings(None, url="")
    check = check_staffdesk_outbox(settings)
    assert check.ok and check.name == "staff desk outbox", check
    # Looking made nothing: no folder, no file.
    assert not settings.kiosk.state_dir.exists()


def test_a_message_the_desk_refused_for_good_is_reported(sqlite_desk, desk_settings, kiosks, staff_of):
    centre = make_centre(sqlite_desk)
    settings = desk_settings(sqlite_desk, centre.tokens[0])
    kiosk = kiosks(settings)
    kiosk.alert("printer-paper-out", "A4 tray empty")
    wait_for(lambda: staff_of(centre).state()["alerts"])
    assert kiosk.outbox.flush(10)
    delivered = check_staffdesk_outbox(settings)
    assert delivered.ok, delivered
    # A kind the desk's API does not accept: 422, set aside so that it cannot block the rest.
    kiosk.alert("Printer Paper OUT!", "typed by hand")
    kiosk.alert("receipt-paper-low")
    wait_for(lambda: kiosk.outbox.dead() and not kiosk.outbox.pending())
    check = check_staffdesk_outbox(settings)
    assert not check.ok
    assert check.detail.startswith("1 message(s) cannot be delivered: 1 refused by the desk for good "
                                   "(the oldest, alert: 422 "), check.detail
    # What came after it was delivered all the same.
    assert {alert["kind"] for alert in staff_of(centre).state()["alerts"]} == {"printer-paper-out",
                                                                              "receipt-paper-low"}


def test_messages_waiting_on_a_refused_token_are_reported_at_once(sqlite_desk, desk_settings, kiosks):
    settings = desk_settings(sqlite_desk, "a-token-the-desk-never-gave")
    kiosk = kiosks(settings)
    kiosk.call_staff("print", "preview", "printer offline")
    kiosk.alert("scanner-missing")
    wait_for(lambda: undeliverable(outbox_of(settings)))
    check = check_staffdesk_outbox(settings)
    assert not check.ok
    # The outbox delivers in order: the call waits at the head, the alert behind it.
    assert check.detail.startswith("1 message(s) cannot be delivered: 1 waiting because the desk refuses this "
                                   "kiosk's token"), check.detail


def test_messages_stuck_for_long_or_with_no_desk_to_go_to_are_reported(desk_settings, kiosks):
    # A desk that is not there: nothing listens on this port.
    settings = desk_settings(None, "token", url=f"http://127.0.0.1:{free_port()}")
    kiosk = kiosks(settings)
    kiosk.call_staff("home", "greeting")
    wait_for(lambda: kiosk.outbox.last_problem is not None)
    # Minutes, not hours: the desk may be back soon, so a young message is no failure yet.
    assert check_staffdesk_outbox(settings).ok
    later = undeliverable(outbox_of(settings), now=time.time() + STUCK_AFTER_S + 1)
    assert [(m.kind, m.why, m.problem.split(":")[0]) for m in later] == [("call", "stuck", "unreachable")]
    assert later[0].attempts >= 1
    kiosk.close()
    # kiosk.ini no longer names a desk: whatever is left will never be sent.
    no_desk = dataclasses.replace(settings, staffdesk=dataclasses.replace(settings.staffdesk, url="", token=""))
    check = check_staffdesk_outbox(no_desk)
    assert not check.ok
    assert check.detail == ("1 message(s) cannot be delivered: 1 waiting, but [staffdesk] url names no desk "
                            "any more"), check.detail
    # The kiosk is stopped and its outbox closed: reading it left no side files (root's would lock the kiosk out).
    assert sorted(path.name for path in settings.kiosk.state_dir.iterdir()
                  if path.name.startswith("outbox")) == ["outbox.sqlite"]

"""The desk through the real app: Call staff from a screen, a queue ticket shown and printed, a video booking."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from babel.dates import format_date

from tests.support.desk_fixtures import (  # noqa: F401  (fixtures come in by import, see test_desk_kiosk_side.py)
    DeskServer, centre, desk_settings, make_centre, new_database, pg_cluster, staff_of, wait_for)
from tests.support.printed_output import text_outside_rasters


@pytest.fixture(scope="module")
def desk(tmp_path_factory, pg_cluster):
    folder = tmp_path_factory.mktemp("desk-screens")
    server = DeskServer(new_database("sqlite", pg_cluster, folder), folder).start()
    yield server
    server.stop()


def kiosk_at(make_driver, settings, screen: str = "home"):
    kiosk = make_driver(settings=settings)
    kiosk.app.start_visit("en")
    kiosk.app.show(screen)
    kiosk.frames(2)
    return kiosk


def test_call_staff_tells_where_the_resident_is_and_shows_staff_coming(make_driver, desk, desk_settings, staff_of):
    centre = make_centre(desk)
    kiosk = kiosk_at(make_driver, desk_settings(desk, centre.tokens[0]), "scan_copy")
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    assert kiosk.find_text("Staff have been called")
    staff = staff_of(centre)
    call = wait_for(lambda: staff.state()["calls"])[0]
    assert call["screen"] == "scan_copy" and call["step"] == "ready"
    kiosk.tap(kiosk.find_text("OK"))
    staff.act(f"/console/calls/{call['id']}/ack")
    # The resident sees it even with the dialog closed: the dialog comes back with the news.
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("call_staff")
                            and kiosk.find_text("A staff member is coming") is not None, timeout_s=10)
    kiosk.tap(kiosk.find_text("Cancel the call"))
    assert wait_for(lambda: staff.state()["calls"] == [])


def test_the_visit_end_cancels_an_open_call(make_driver, desk, desk_settings, staff_of):
    centre = make_centre(desk)
    kiosk = kiosk_at(make_driver, desk_settings(desk, centre.tokens[0]))
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    staff = staff_of(centre)
    wait_for(lambda: staff.state()["calls"])
    report = kiosk.app.end_visit("test")
    assert report.clean, report
    assert wait_for(lambda: staff.state()["calls"] == [])  # nobody walks to an empty kiosk


def test_call_staff_without_a_desk_says_to_ask_at_the_desk(make_driver, desk_settings):
    kiosk = kiosk_at(make_driver, desk_settings(None, url=""))
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    assert kiosk.find_text("Please ask at the desk")
    assert "Cancel the call" not in kiosk.visible_texts()


def test_a_queue_ticket_from_the_desk_is_shown_and_printed(make_driver, desk, desk_settings, staff_of,
                                                           print_settings, print_lab, tmp_path):
    centre = make_centre(desk)
    settings = dataclasses.replace(desk_settings(desk, centre.tokens[0]), printing=print_settings.printing)
    kiosk = kiosk_at(make_driver, settings)
    kiosk.app.show_service("vsaa-paternity-benefit")
    kiosk.frames(2)
    kiosk.tap(kiosk.find_text("A staff member at the desk helps you."))  # the service's "queue ticket" way
    screen = kiosk.app.screen("queue_ticket")
    assert screen.state == "priority"
    kiosk.tap(kiosk.find_text("I am a senior (65 or older)"))  # one tap: a priority ticket
    assert kiosk.wait_until(lambda: screen.state == "ticket", timeout_s=15), screen.body
    assert screen.number.startswith("A")
    assert "Take your ticket from the printer" in screen.details
    assert screen.keepsake == "" and screen.ids.keepsake.height == 0  # the paper carries the QR code
    [printed] = wait_for(lambda: print_lab.receipts.received)
    text = text_outside_rasters(printed).decode("cp1257")
    assert screen.number in text and "Paternity benefit" in text  # the resident reads English
    waiting = staff_of(centre).state("board")
    assert any(service["waiting"] == 1 for service in waiting["services"])


def test_with_the_desk_down_the_ticket_comes_from_the_kiosk_series(make_driver, desk_settings):
    from tools.pg_cluster import free_port
    kiosk = kiosk_at(make_driver, desk_settings(None, token="t", url=f"http://127.0.0.1:{free_port()}"),
                     "queue_ticket")
    screen = kiosk.app.screen("queue_ticket")
    kiosk.tap(kiosk.find_text("Something else, or I am not sure"))
    kiosk.tap(kiosk.find_text("Get my ticket"))
    assert kiosk.wait_until(lambda: screen.state == "ticket", timeout_s=15), screen.body
    assert screen.number.startswith("K1-")
    assert "this kiosk's own series" in screen.details and "please remember your number" in screen.details
    # No ticket printer: the number goes with the resident as a QR code's text, with the centre and the time in words.
    assert screen.number in screen.keepsake and kiosk.core.settings.centre.name in screen.keepsake
    assert screen.ids.keepsake.height > 0 and "scan this code" in screen.ids.keepsake.caption
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    assert kiosk.wait_until(lambda: kiosk.app.dialogs.built["call_staff"].state == "queued", timeout_s=10)
    assert "cannot be reached just now" in kiosk.app.dialogs.built["call_staff"].ids.body.text


def test_a_video_consultation_is_booked_and_the_receipt_printed(make_driver, desk, desk_settings, staff_of,
                                                                print_settings, print_lab):
    from staffdesk.queue import LOCAL_TIME
    centre = make_centre(desk)
    starts = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(hours=3)).replace(minute=0)
    staff_of(centre).act("/console/slots", {"institution": "VZD", "starts": starts.strftime("%Y-%m-%dT%H:%M"),
                                            "room": "Video 2"}).raise_for_status()
    settings = dataclasses.replace(desk_settings(desk, centre.tokens[0]), printing=print_settings.printing)
    kiosk = kiosk_at(make_driver, settings, "video")
    screen = kiosk.app.screen("video")
    assert kiosk.wait_until(lambda: screen.state == "institution", timeout_s=10), screen.body
    kiosk.tap(kiosk.find_text("State Land Service"))
    kiosk.tap(kiosk.find_text("Property in the cadastre"))
    assert kiosk.wait_until(lambda: screen.state == "slot", timeout_s=10), screen.body
    [slot] = screen.ids.choices.children
    assert slot.text.startswith(format_date(starts, "full", locale="en_GB"))  # the day in words
    assert f"{starts.hour}:00" in slot.text and "(20 minutes)" in slot.text
    kiosk.tap(slot)
    kiosk.tap(kiosk.find_text("Book this time"))
    assert kiosk.wait_until(lambda: screen.state == "booked", timeout_s=10), screen.body
    assert "Room: Video 2" in screen.body and "Reference:" in screen.body
    assert kiosk.wait_until(lambda: "Take your receipt from the printer" in screen.body, timeout_s=15)
    [receipt] = print_lab.receipts.received
    assert screen._booking.reference.encode() in receipt
    assert kiosk.app.main_label == "I'm finished"
    kiosk.tap(kiosk.root_widget("main_button"))
    assert kiosk.app.current_screen == "goodbye" and kiosk.core.visit is None


def test_a_video_consultation_is_booked_step_by_step_and_back_goes_one_step_back(make_driver, desk, desk_settings,
                                                                                    staff_of):
    """Every step and its Back, in the longest language at the largest text, drawn again on a language switch; a
    time another kiosk books meanwhile; the booking with a code for the phone when no receipt came out (no ticket
    printer here); and nothing of it left after the visit."""
    from kiosk.desk_link import DeskLink
    from screens.i18n import tr
    from screens.theme import theme
    from screens.video import SLOT_TAKEN, SLOTS_SHOWN
    from staffdesk.queue import LOCAL_TIME
    from tools.layout_check import app_problems
    centre = make_centre(desk, kiosks=2)
    first = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    for hour in range(SLOTS_SHOWN + 2):
        starts = first + dt.timedelta(hours=hour)
        staff_of(centre).act("/console/slots", {"institution": "VZD", "starts": starts.strftime("%Y-%m-%dT%H:%M"),
                                                "room": "Video 2"}).raise_for_status()
    kiosk = make_driver(settings=desk_settings(desk, centre.tokens[0]))
    app, screen = kiosk.app, kiosk.app.screen("video")
    app.start_visit("uk")
    theme.text_size_step = 2
    problems = []

    def step(state):
        assert kiosk.wait_until(lambda: screen.state == state, timeout_s=10), (screen.state, screen.body)
        kiosk.frames(3)
        # Rows moved by a language switch: the "more below" band follows them at its next look (every 0.5 s).
        kiosk.wait_until(lambda: not app_problems(app, "", 2), timeout_s=1.5)
        problems.extend(app_problems(app, f"video[{state}]", 2))
        return [button.text for button in reversed(screen.ids.choices.children)]

    try:
        app.show("video")
        assert step("institution") and app.back_shown and not app.main_label
        screen.choose_institution("VZD")
        topics = step("topic")
        assert topics
        topic = _first_topic(screen)
        screen.choose_topic(topic)
        ukrainian = step("slot")
        assert len(ukrainian) == SLOTS_SHOWN  # the first free times only
        app.set_language("lv")  # the step drawn again in the new language, its times too
        latvian = step("slot")
        assert len(latvian) == SLOTS_SHOWN and latvian != ukrainian
        app.set_language("uk")
        screen.go_back()
        assert step("topic") == topics
        screen.choose_topic(topic)
        step("slot")
        taken = screen._slots[1]
        screen.choose_slot(taken)
        step("confirm")
        assert screen.holds_resident_data()
        other_kiosk = DeskLink(desk_settings(desk, centre.tokens[1]))
        try:
            other_kiosk.book(taken.id, topic)  # somebody else books it first
        finally:
            other_kiosk.close()
        screen.main_action()
        step("problem")
        assert screen.body == tr._(SLOT_TAKEN) and app.main_label == tr._("Choose another time")
        screen.main_action()  # the times asked for anew: the one taken is gone
        step("slot")
        assert taken.id not in [slot.id for slot in screen._slots]
        screen.choose_slot(screen._slots[0])
        screen.main_action()
        step("booked")
        reference = screen._booking.reference
        assert reference in screen.body and reference in screen.keepsake  # no receipt: the phone keeps a code
        assert app.main_label == tr._("I'm finished")
        screen.go_back()
        assert app.current_screen == "home"
    finally:
        theme.text_size_step = 0
    assert problems == [], "\n".join(problems)
    app.end_visit("resident")
    kiosk.frames(3)
    assert not screen.holds_resident_data() and screen.state == "loading" and not screen.keepsake


def _first_topic(screen) -> str:
    """The code of the first topic the video screen offers for its institution."""
    return screen._institutions[screen._institution][0]


def test_without_a_desk_booking_says_plainly_that_it_needs_the_desk(make_driver, desk_settings):
    kiosk = kiosk_at(make_driver, desk_settings(None, url=""), "video")
    screen = kiosk.app.screen("video")
    assert kiosk.wait_until(lambda: screen.state == "problem", timeout_s=10)
    assert "this kiosk cannot reach them just now" in screen.body
    assert kiosk.app.main_label == "Take a queue ticket"  # the way that works without the desk


def test_the_printer_is_watched_for_staff_and_cups_going_silent_is_alerted_once(
        make_driver, desk, desk_settings, staff_of, print_settings, print_lab):
    centre = make_centre(desk)
    settings = dataclasses.replace(desk_settings(desk, centre.tokens[0]), printing=print_settings.printing)
    kiosk = kiosk_at(make_driver, settings)
    staff = staff_of(centre)
    kiosk.core.health.check_printer()  # what the kiosk does every heartbeat_s
    assert kiosk.wait_until(lambda: kiosk.core.desk_link.heartbeat() and staff.state()["kiosks"][0]["printer_paper"] == "ok",
                            timeout_s=10)
    print_lab.stop_cupsd()
    kiosk.core.health.check_printer()
    kiosk.core.health.check_printer()
    assert kiosk.wait_until(lambda: staff.state()["alerts"], timeout_s=10)  # frames carry the answers back
    kiosk.wait(1)
    assert [alert["kind"] for alert in staff.state()["alerts"]] == ["printer-print-service-down"]

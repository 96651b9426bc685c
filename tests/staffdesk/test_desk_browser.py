"""The console and the follow page in a real browser (Debian's chromium): calls, the queue, a phone following."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, PASSWORD, StaffBrowser, browser, centre, desk_settings, kiosk_http, make_centre, new_database,
    pg_cluster)
from kiosk.desk_link import CallState, DeskLink



@pytest.fixture
def desk(tmp_path, pg_cluster):
    server = DeskServer(new_database("postgresql", pg_cluster, tmp_path), tmp_path).start()
    yield server
    server.stop()


def test_staff_answer_a_kiosk_call_and_call_the_next_ticket_live(browser, desk, desk_settings):
    centre = make_centre(desk)
    kiosk = DeskLink(desk_settings(desk, centre.tokens[0]))
    kiosk.start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(desk.url + "/console")
        expect(page).to_have_url(re.compile(r"/login$"))
        page.get_by_label("Lietotājvārds").fill(centre.staff_name)
        page.get_by_label("Parole").fill(PASSWORD)
        page.get_by_role("button", name="Pieteikties").click()
        expect(page.locator("#live")).to_have_text("Tiešsaistē")
        expect(page.locator("#calls")).to_contain_text("Neviens negaida palīdzību.")

        # The call appears without a reload, with where the resident is and what went wrong.
        handle = kiosk.call_staff("documents", "scan page 2", "the scanner does not answer")
        card = page.locator("article.call")
        expect(card).to_contain_text(centre.kiosk_names[0])
        expect(card).to_contain_text("scan page 2")
        expect(card).to_contain_text("the scanner does not answer")
        card.get_by_role("button", name="Es nāku").click()
        expect(card).to_contain_text("Darbinieks ceļā")
        deadline = time.monotonic() + 10
        while handle.state is not CallState.ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert handle.state is CallState.ACKNOWLEDGED

        # English, and the display board on a second tab advancing with "Call next".
        page.goto(desk.url + "/console?lang=en")
        expect(page.locator("#live")).to_have_text("Live")
        board = context.new_page()  # the same browser profile: the TV logged in as staff
        board.goto(desk.url + "/board")
        expect(board.locator("#live")).to_have_text("Live")
        expect(board.locator("#current-number")).to_have_text("—")
        first = kiosk.take_ticket("passport", "Passport")
        second = kiosk.take_ticket("passport", "Passport")
        expect(page.locator(".service[data-service=passport] .count")).to_have_text("2 waiting")
        page.get_by_label("Counter / room").fill("Desk 4")
        page.locator(".service[data-service=passport]").get_by_role("button", name="Call next").click()
        expect(board.locator("#current-number")).to_have_text(first.number)
        expect(board.locator("#current-desk")).to_contain_text("Desk 4")
        page.locator(".service[data-service=passport]").get_by_role("button", name="Call next").click()
        expect(board.locator("#current-number")).to_have_text(second.number)
        expect(board.locator("#board-called")).to_contain_text(first.number)
        expect(page.locator("#counts")).to_contain_text("2 tickets")
        context.close()
    finally:
        kiosk.close()


def log_in(page, desk: DeskServer, centre) -> None:
    page.goto(desk.url + "/login?lang=en")
    page.get_by_label("User name").fill(centre.staff_name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#live")).to_have_text("Live")


def test_staff_call_the_ticket_at_their_desk_again_or_mark_a_no_show(browser, desk):
    centre = make_centre(desk)
    other = StaffBrowser(desk, centre.staff_name)  # a colleague at another desk, over plain HTTP
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, desk, centre)
        board = context.new_page()
        board.goto(desk.url + "/board")
        expect(board.locator("#live")).to_have_text("Live")
        with kiosk_http(desk, centre.tokens[0]) as http:
            numbers = [http.post("/api/kiosk/tickets", json={"key": str(uuid.uuid4()), "service_id": "passport",
                                                             "service_name": "Passport"}).json()["number"]
                       for _ in range(2)]
        page.get_by_label("Counter / room").fill("Desk 4")
        page.locator(".service[data-service=passport]").get_by_role("button", name="Call next").click()
        here = page.locator("#serving")
        expect(here).to_contain_text("Called to your desk: " + numbers[0])
        # Another desk calls the next number: the board moves on.
        assert other.act("/console/queue/next", {"desk": "Desk 9"}).json()["number"] == numbers[1]
        expect(board.locator("#current-number")).to_have_text(numbers[1])
        # Only this desk's number is offered here, and "Call again" puts it back on the board.
        expect(here.locator(".now-serving-here")).to_have_count(1)
        here.get_by_role("button", name="Call again").click()
        expect(board.locator("#current-number")).to_have_text(numbers[0])
        expect(board.locator("#current-desk")).to_contain_text("Desk 4")
        # Nobody came: the number leaves this desk and the day's counts say so.
        here.get_by_role("button", name="No-show").click()
        expect(here.locator(".now-serving-here")).to_have_count(0)
        expect(page.locator("#counts")).to_contain_text("1 no-shows")
        expect(page.locator("#counts")).to_contain_text("1 served")
    finally:
        context.close()
        other.http.close()


def test_the_follow_page_on_a_phone_shows_each_change_without_a_reload(browser, desk):
    centre = make_centre(desk)
    with kiosk_http(desk, centre.tokens[0]) as http:
        tickets = [http.post("/api/kiosk/tickets", json={"key": str(uuid.uuid4()), "service_id": "tax",
                                                         "service_name": "Tax"}).json() for _ in range(2)]
    staff = StaffBrowser(desk, centre.staff_name)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(desk.url + tickets[1]["follow_path"] + "?lang=en")
        status = phone.locator("#status")
        expect(phone.locator(".big-number")).to_have_text(tickets[1]["number"])
        expect(status).to_have_text("People ahead of you: 1")
        # A mark on the page itself: a reload would wipe it.
        phone.evaluate("window.notReloaded = true")
        staff.act("/console/queue/next", {"desk": "Desk 2"}).raise_for_status()
        expect(status).to_have_text("People ahead of you: 0", timeout=15_000)
        staff.act("/console/queue/next", {"desk": "Desk 2"}).raise_for_status()
        expect(status).to_have_text("It is your turn! Go to: Desk 2", timeout=15_000)
        assert phone.evaluate("window.notReloaded") is True
    finally:
        context.close()
        staff.http.close()

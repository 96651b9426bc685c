"""The console in a real browser (Debian's chromium): log in, answer a kiosk's call, call the next ticket."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect, sync_playwright

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from desk_fixtures import (  # noqa: F401
    DeskServer, PASSWORD, centre, desk_settings, make_centre, new_database, pg_cluster)
from kiosk.staffdesk import CallState, StaffDesk

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desk(tmp_path, pg_cluster):
    server = DeskServer(new_database("postgresql", pg_cluster, tmp_path), tmp_path).start()
    yield server
    server.stop()


def test_staff_answer_a_kiosk_call_and_call_the_next_ticket_live(browser, desk, desk_settings):
    centre = make_centre(desk)
    kiosk = StaffDesk(desk_settings(desk, centre.tokens[0]))
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

"""A whole visit (card login with PIN, search, scan, print, the authorisation form), then nothing of it is left."""

from __future__ import annotations

import random
import signal
import string
import subprocess
import sys

from conftest import ROOT, _wait_for_no_card
from kiosk.eid.identity import personal_code_is_valid
from kiosk.visit import Visit
from resident_memory import live_objects_of, places_holding
from tools.virtual_card import save_ca_key


def made_up_resident() -> tuple[str, str, str, str]:
    """Names, a personal code and a PIN nobody else in this process has: found later, they are the visit's."""
    rng = random.SystemRandom()
    letters = string.ascii_lowercase

    def name(first: str) -> str:
        return first + "".join(rng.choice(letters) for _ in range(7))
    while True:
        birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99):02d}"
        code = f"{birth}-{rng.randint(0, 2)}{rng.randint(0, 9999):04d}"
        if personal_code_is_valid(code):
            return name("Ģ"), name("Ž"), code, "".join(rng.choice("0123456789") for _ in range(6))


def typed_word() -> str:
    return "vakc" + "".join(random.SystemRandom().choice("qxzjw") for _ in range(6))


def print_shown_document(kiosk, printing) -> None:
    assert kiosk.wait_until(lambda: printing.state == "confirm", 30), printing.state
    kiosk.tap(kiosk.find_text("Print 1 page"))
    assert kiosk.wait_until(lambda: printing.state == "done", 30), (printing.state, printing.body)


def visit_with_card(kiosk, print_lab, pcscd, ca_dir, resident, word) -> None:
    """A resident's whole visit, card taken out at the end; its locals go when it returns."""
    app = kiosk.app
    given, surname, code, pin = resident
    # The card runs in its own process: what this process holds of the resident, the kiosk took from the card.
    card = subprocess.Popen([sys.executable, "-m", "tools.virtual_card", "--given", given, "--surname", surname,
                             "--code", code, "--pin", pin, "--ca-dir", str(ca_dir)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert "inserted" in card.stdout.readline()
        login = app.screen("eid_login")
        assert kiosk.wait_until(lambda: login.state == "hello", 10), login.state
        app.set_language("en")
        login.ask_pin()
        for digit in pin:
            login.press(digit)
        login.press("ok")
        assert kiosk.wait_until(lambda: login.state == "verified", 10), (login.state, login.message)

        app.show("find_service")
        search = app.screen("find_service")
        for letter in word + " pensija":
            search.type_text(letter)
            kiosk.frames(1)

        app.show("scan_copy")
        kiosk.frames(2)
        kiosk.tap(kiosk.find_text("Scan"))
        assert kiosk.wait_until(lambda: app.screen("scan_copy").state == "pages", 30)
        kiosk.tap(kiosk.find_text("Print a copy"))
        printing = app.screen("print")
        print_shown_document(kiosk, printing)
        # The authorisation names the resident and their personal code.
        form = kiosk.core.make_form("authorised", kiosk.core.catalog.service("vsaa-sickness-benefit"), "en")
        app.show("print")
        printing.choose(form)
        print_shown_document(kiosk, printing)
        assert len(print_lab.received_documents()) == 2
    finally:
        card.send_signal(signal.SIGINT)  # the resident takes the card
        card.wait(timeout=10)
        _wait_for_no_card(pcscd)


def test_after_a_whole_visit_nothing_of_the_resident_is_in_memory(make_driver, print_settings, print_lab, pcscd,
                                                                   test_ca, tmp_path):
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    (ca_dir / "ca.pem").write_bytes(test_ca.pem())
    save_ca_key(test_ca, ca_dir)
    kiosk = make_driver(settings=print_settings)
    given, surname, code, pin = resident = made_up_resident()
    word = typed_word()
    visit_with_card(kiosk, print_lab, pcscd, ca_dir, resident, word)
    kiosk.frames(5)
    report = kiosk.app.end_session("resident")
    assert report.clean, report
    kiosk.frames(5)

    assert live_objects_of(Visit) == []
    assert places_holding([given, surname, code, code[:6], word, word[:5]]) == []
    assert print_lab.spool_files() == []

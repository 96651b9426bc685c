"""eID cards through a real pcscd and vpcd, with our virtual card: reading, PIN proof, faults, removal, recovery."""

import dataclasses
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.eid.card import EidCard, EidError, Problem
from kiosk.eid.identity import personal_code_is_valid
from kiosk.eid.pcsc import connect
from kiosk.eid.proof import prove_pin, verify_token
from conftest import _wait_for_no_card, card_identity
from kiosk.idle import Timings
from tools.virtual_card import CardSpec, make_ca

KIOSK = str(Path(sys.executable).parent / "kiosk")
ORIGIN = "https://kiosk.test.kac.lv"
OLD_CODE, NEW_CODE = "010180-12347", "328519-12345"
ATR_2012 = "3BDD18008131FE45904C41545649412D65494490008C"
ATR_EPARAKSTS = "3BDF960080B1FE451F838073BC9180F9A00000007780080201A4"


def open_card():
    transport, atr, _ = connect("Virtual PCD 00 00")
    return EidCard(transport, "test card"), transport


def read_with_card():
    card, transport = open_card()
    try:
        return card.read_identity(), card.apdus_sent
    finally:
        transport.close()


def login_with_card(pin, test_ca):
    card, transport = open_card()
    try:
        identity = card.read_identity()
        token = prove_pin(card, identity, pin, ORIGIN)
    finally:
        transport.close()
    verify_token(token, [test_ca.certificate])
    return identity, token


@pytest.mark.parametrize("key_type, code, prefix", [("rsa", OLD_CODE, True), ("ec", NEW_CODE, False)])
def test_reads_names_with_diacritics_and_both_code_forms(insert_card, key_type, code, prefix):
    insert_card(CardSpec("Ģirts", "Ķēniņš-Žūriņa", code, key_type, serial_prefix=prefix))
    identity, apdus = read_with_card()
    assert (identity.given_name, identity.surname, identity.personal_code) == ("Ģirts", "Ķēniņš-Žūriņa", code)
    assert identity.masked_code == code[:6] + "-*****"
    assert apdus <= 20


def test_the_certificate_and_key_are_found_by_walking_pkcs15_not_by_fixed_ids(insert_card, test_ca):
    insert_card(CardSpec(certificate_file=b"\x34\x02", key_reference=0x82))
    identity, _ = login_with_card("1234", test_ca)
    assert identity.personal_code == OLD_CODE


@pytest.mark.parametrize("key_type, algorithm", [("rsa", "RS256"), ("ec", "ES384")])
def test_pin_proof_signs_a_fresh_challenge_that_verifies(insert_card, test_ca, key_type, algorithm):
    insert_card(CardSpec(key_type=key_type))
    _, first = login_with_card("1234", test_ca)
    _, second = login_with_card("1234", test_ca)
    assert first.algorithm == algorithm and first.nonce != second.nonce
    assert json.loads(json.dumps(first.as_json()))["format"] == "web-eid:1.0"


def test_a_forged_signature_is_rejected(insert_card, test_ca):
    insert_card(CardSpec(forge_signature=True))
    with pytest.raises(EidError) as caught:
        login_with_card("1234", test_ca)
    assert caught.value.problem is Problem.SIGNATURE_INVALID


def test_a_card_from_an_untrusted_issuer_is_refused(insert_card, test_ca):
    insert_card(CardSpec(), ca=make_ca())
    with pytest.raises(EidError) as caught:
        login_with_card("1234", test_ca)
    assert caught.value.problem is Problem.NOT_TRUSTED


def test_wrong_pins_count_down_then_block(insert_card, test_ca):
    insert_card(CardSpec(tries_left=3))
    for left in (2, 1):
        with pytest.raises(EidError) as caught:
            login_with_card("9999", test_ca)
        assert caught.value.problem is Problem.PIN_WRONG and caught.value.tries_left == left
    with pytest.raises(EidError) as caught:
        login_with_card("9999", test_ca)
    assert caught.value.problem is Problem.PIN_BLOCKED
    with pytest.raises(EidError) as caught:
        login_with_card("1234", test_ca)  # the right PIN no longer helps
    assert caught.value.problem is Problem.PIN_BLOCKED


def test_cli_read_and_login_exit_codes(insert_card, test_ca, tmp_path):
    ini = tmp_path / "kiosk.ini"
    text = (Path(__file__).resolve().parent.parent / "kiosk.ini").read_text(encoding="utf-8")
    ini.write_text(text.replace("trusted_ca = build/demo-ca/ca.pem", f"trusted_ca = {test_ca.pem_path}"),
                   encoding="utf-8")
    card = insert_card(CardSpec(pin="482916", tries_left=2))
    read = subprocess.run([KIOSK, "eid", "read", "--json"], capture_output=True, text=True, timeout=30)
    assert read.returncode == 0
    assert json.loads(read.stdout) == {"given_name": "Jānis", "surname": "Bērziņš", "personal_code": OLD_CODE,
                                       "card": "Latvian eID (IDEMIA Cosmo 8)",
                                       "not_after": json.loads(read.stdout)["not_after"]}

    def login(pin):
        return subprocess.run([KIOSK, "eid", "login", "--json", "--config", str(ini)], input=pin + "\n",
                              capture_output=True, text=True, timeout=30)
    good = login("482916")
    assert good.returncode == 0 and json.loads(good.stdout)["verified"] is True
    wrong = login("0000")
    assert wrong.returncode == 5 and "2 tries left" in wrong.stderr
    login("0000")
    blocked = login("0000")
    assert blocked.returncode == 6 and "PUK" in blocked.stderr
    for result in (good, wrong, blocked):
        assert "482916" not in result.stdout + result.stderr and "0000" not in result.stdout + result.stderr
    card.remove()
    _wait_for_no_card("Virtual PCD 00 00")
    absent = subprocess.run([KIOSK, "eid", "read"], capture_output=True, text=True, timeout=30)
    assert absent.returncode == 3 and "no card" in absent.stderr


@pytest.mark.parametrize("atr, problem, exit_code", [
    (ATR_2012, Problem.UNSUPPORTED, 4), (ATR_EPARAKSTS, Problem.UNSUPPORTED, 4),
    ("3B8F8001804F0CA000000306030001000000006A", Problem.NOT_EID, 4)])
def test_cards_of_other_kinds_are_named_and_refused(insert_card, atr, problem, exit_code):
    insert_card(CardSpec(atr=atr))
    result = subprocess.run([KIOSK, "eid", "read"], capture_output=True, text=True, timeout=30)
    assert result.returncode == exit_code
    assert ("2012" in result.stderr or "eParaksts" in result.stderr or "unknown card" in result.stderr)


def count_apdus(insert_card, test_ca, login: bool):
    """How many APDUs a whole read (or login) sends; and the card, taken out again, for the cases that follow."""
    card = insert_card(CardSpec())
    if login:
        login_with_card("1234", test_ca)
    else:
        read_with_card()
    card.remove()
    _wait_for_no_card("Virtual PCD 00 00")
    return card.apdus, card


@pytest.mark.parametrize("login", [False, True], ids=["read", "login"])
def test_pulling_the_card_after_any_single_apdu_ends_cleanly(insert_card, test_ca, login):
    total, card = count_apdus(insert_card, test_ca, login)
    assert total >= 8
    for at in range(1, total + 1):
        # The same card put in again, pulled at the next APDU: a fresh card's PIN counter, without a new key.
        card = insert_card(CardSpec(disconnect_at=at), settle_s=5.0, card=card)
        with pytest.raises(EidError) as caught:
            login_with_card("1234", test_ca) if login else read_with_card()
        assert caught.value.problem in (Problem.CARD_REMOVED, Problem.NO_CARD, Problem.CARD_ERROR), at
        assert card.apdus == at and not card.inserted, at  # pulled at exactly that APDU, by itself
        card.remove()
        _wait_for_no_card("Virtual PCD 00 00")
    # The card's PIN counter was never touched by a half-done login, and a whole card reads again.
    insert_card(CardSpec())
    assert read_with_card()[0].personal_code == OLD_CODE


@pytest.mark.parametrize("fault", ["garbage_at", "truncate_at", "wrong_status_at"])
def test_garbage_and_broken_answers_give_a_card_error_or_a_correct_result(insert_card, test_ca, fault):
    total, card = count_apdus(insert_card, test_ca, login=True)
    card = insert_card(CardSpec(), card=card)
    for at in range(1, total + 1):
        # The card stays in: each login connects anew, which powers the card up from off (the last one's
        # disconnect powered it down), as after an insertion; the card takes this case's fault and a fresh PIN
        # counter. Taking it out and in between cases only waited out pcscd's polling twice.
        card.rearm(CardSpec(**{fault: at}))
        try:
            identity, _ = login_with_card("1234", test_ca)
            assert identity.personal_code == OLD_CODE  # a harmless fault: the answer is still right
        except EidError as error:
            assert error.problem in (Problem.CARD_ERROR, Problem.SIGNATURE_INVALID, Problem.PIN_WRONG), (at, error)
        assert card.apdus >= at, at  # the fault was met, not a login cut short before it
    card.remove()
    _wait_for_no_card("Virtual PCD 00 00")


def test_personal_code_checksums():
    assert personal_code_is_valid("010180-12347") and not personal_code_is_valid("010180-12345")
    assert personal_code_is_valid("328519-12345")   # the new form carries no birth date and no check digit
    assert not personal_code_is_valid("310280-12347")  # 31 February


# ---- the kiosk app with a card -------------------------------------------------------------------

def enter_pin(kiosk, pin):
    screen = kiosk.app.screen("eid_login")
    for digit in pin:
        screen.press(digit)
    screen.press("ok")


def test_inserting_a_card_greets_the_resident_and_pin_logs_in(make_driver, insert_card, caplog):
    kiosk = make_driver()
    assert kiosk.wait_until(lambda: kiosk.core.reader_present, 5)
    with caplog.at_level(logging.DEBUG):
        card = insert_card(CardSpec(pin="482916"))
        assert kiosk.wait_until(lambda: kiosk.app.screen("eid_login").state == "hello", 5)
        assert kiosk.app.in_visit and kiosk.app.current_screen == "eid_login"
        assert kiosk.find_text("Sveiki, Jānis Bērziņš")
        assert kiosk.find_text("010180-*****")
        kiosk.tap(kiosk.find_text("Apstiprināt ar PIN1"))
        screen = kiosk.app.screen("eid_login")
        assert kiosk.wait_until(lambda: screen.tries_left == 3, 5)
        enter_pin(kiosk, "111111")
        assert kiosk.wait_until(lambda: screen.state == "pin" and screen.message, 5)
        assert screen.tries_left == 2
        enter_pin(kiosk, "482916")
        assert kiosk.wait_until(lambda: screen.state == "verified", 5)
        assert kiosk.core.visit.card.verified
        card.remove()
        assert kiosk.wait_until(lambda: screen.state == "removed", 5)
        assert card_identity(kiosk) is None and not kiosk.core.visit.card.verified
        assert kiosk.find_text("Jūsu karte tika izņemta")
    for secret in ("482916", "111111", "Jānis", "Bērziņš", "12347"):
        assert secret not in caplog.text


def test_one_try_left_warns_strongly(make_driver, insert_card):
    kiosk = make_driver()
    insert_card(CardSpec(tries_left=1))
    screen = kiosk.app.screen("eid_login")
    assert kiosk.wait_until(lambda: screen.state == "hello", 5)
    kiosk.app.set_language("en")
    screen.ask_pin()
    assert kiosk.wait_until(lambda: screen.tries_left == 1, 5)
    assert kiosk.find_text("Careful: one more wrong PIN blocks your card.")
    assert kiosk.find_text("You have 1 try left.")


def test_taking_the_card_out_elsewhere_logs_out_with_a_message(make_driver, insert_card):
    kiosk = make_driver()
    card = insert_card(CardSpec())
    assert kiosk.wait_until(lambda: card_identity(kiosk) is not None, 5)
    kiosk.app.show("home")
    card.remove()
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("card_removed"), 5)
    assert card_identity(kiosk) is None


def test_an_unsupported_card_gets_a_plain_sentence(make_driver, insert_card):
    kiosk = make_driver()
    insert_card(CardSpec(atr=ATR_2012))
    screen = kiosk.app.screen("eid_login")
    assert kiosk.wait_until(lambda: screen.state == "problem", 5)
    assert "2012" in screen.message and "2018" in screen.message


def test_no_reader_says_call_staff(make_driver, settings, pcscd):
    missing = dataclasses.replace(settings, eid=dataclasses.replace(settings.eid, reader="Reader that is not there"))
    kiosk = make_driver(settings=missing)
    kiosk.app.start_visit("en")
    kiosk.app.show("eid_login")
    kiosk.frames(2)
    assert kiosk.app.screen("eid_login").state == "no_reader"
    assert kiosk.find_text("The card reader is not working")


def test_the_visit_end_forgets_the_identity(make_driver, insert_card):
    kiosk = make_driver()
    insert_card(CardSpec())
    assert kiosk.wait_until(lambda: card_identity(kiosk) is not None, 5)
    report = kiosk.app.end_visit("resident")
    assert report.clean and "screen eid_login" in report.wipers_run
    assert card_identity(kiosk) is None
    assert not kiosk.app.screen("eid_login").holds_resident_data()
    kiosk.frames(2)
    assert not any("Jānis" in text for text in kiosk.visible_texts())


def test_the_monitor_finds_the_reader_after_pcscd_restarts(pcscd, insert_card):
    from kiosk.eid.pcsc import CardInserted, ReaderAdded, ReaderMonitor, ServiceLost, connect, reader_names
    events = []
    monitor = ReaderMonitor(events.append)
    monitor.start()
    try:
        deadline = time.monotonic() + 5
        while not any(isinstance(e, ReaderAdded) for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ReaderAdded(pcscd) in events
        # This machine's pcscd, not the ones the install tests (tests/deploy) run in their roots at the same time.
        subprocess.run(["pkill", "--ns", str(os.getpid()), "--nslist", "mnt", "-x", "pcscd"], check=True)
        deadline = time.monotonic() + 10
        while not any(isinstance(e, ServiceLost) for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(isinstance(e, ServiceLost) for e in events)
        # With no service at all, listing reads as "no reader" and connecting names the same problem.
        assert reader_names() == []
        with pytest.raises(EidError) as refused:
            connect()
        assert refused.value.problem is Problem.NO_READER
        events.clear()
        # pcscd comes back (as systemd would restart it); the reader reappears without restarting anything.
        subprocess.Popen(["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        deadline = time.monotonic() + 15
        while ReaderAdded(pcscd) not in events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ReaderAdded(pcscd) in events
        insert_card(CardSpec())
        deadline = time.monotonic() + 5
        while not any(isinstance(e, CardInserted) for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(isinstance(e, CardInserted) and e.reader == pcscd for e in events)
    finally:
        monitor.stop()


def test_pcscd_is_never_run_with_apdu_logging():
    """pcscd -a logs every APDU, PINs included: no part of the project may start it that way."""
    root = Path(__file__).resolve().parent.parent
    for path in list(root.glob("Makefile")) + list(root.glob("tools/*")) + list(root.glob("tests/*.py")):
        text = path.read_text(encoding="utf-8", errors="ignore")
        for flag in ("-a", "--apdu"):
            assert f"pcscd {flag}" not in text or path.name == "test_eid.py", path
    for line in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines():
        if line.split()[:1] == ["pcscd"]:
            assert "-a" not in line.split() and "--apdu" not in line.split()


def test_the_goodbye_keeps_every_reminder_in_sight_and_waits_for_the_card_to_be_taken(make_driver, insert_card):
    from screens.theme import theme
    from tools.layout_check import window_rect
    kiosk = make_driver(Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=0.5, tick_s=0.05))
    card = insert_card(CardSpec())
    assert kiosk.wait_until(lambda: card_identity(kiosk) is not None, 10)
    kiosk.app.set_language("uk")
    theme.text_size_step = 2  # extra-large text, where the reminders used to go under the "more below" band
    try:
        visit = kiosk.core.visit
        visit.scans.pages_scanned, visit.prints.pages_printed = True, 2  # as a visit that scanned and printed
        del visit
        kiosk.app.end_visit("resident")
        kiosk.wait(2)  # four times the goodbye's time: the card is still in, so it stays
        goodbye = kiosk.app.screen("goodbye")
        assert kiosk.app.current_screen == "goodbye" and kiosk.app.main_label == ""
        area = window_rect(goodbye.children[0])
        for name in ("card", "originals", "printouts"):
            x, y, right, top = window_rect(goodbye.ids[name])
            assert goodbye.ids[name].opacity == 1 and area[1] <= y and top <= area[3], name  # no scrolling needed
        assert "Вийміть свою eID-картку" in goodbye.ids.card.text
        card.remove()
        assert kiosk.wait_until(lambda: kiosk.app.current_screen == "greeting", 10)
    finally:
        theme.text_size_step = 0


def test_the_authorisation_asks_for_the_card_saying_why_and_goes_on_once_it_is_read(make_driver, insert_card,
                                                                                      tmp_path):
    from tests.support.printed_output import pdf_text
    kiosk = make_driver()
    assert kiosk.wait_until(lambda: kiosk.core.reader_present, 5)
    kiosk.app.start_visit("en")
    kiosk.app.show_service("vsaa-sickness-benefit")
    kiosk.tap(kiosk.find_text("A staff member does it for you"))
    screen = kiosk.app.screen("eid_login")
    assert kiosk.app.current_screen == "eid_login"
    assert screen.body.startswith("The authorisation needs your name and personal code")  # why, first
    assert kiosk.find_text("Continue without the card")
    insert_card(CardSpec())
    assert kiosk.wait_until(lambda: screen.state == "hello", 5)
    # The form needs what the card says, not its PIN: no PIN asked, no try of it spent.
    assert kiosk.app.main_label == "Continue" and "Confirm with PIN1" not in kiosk.visible_texts()
    kiosk.tap(kiosk.root_widget("main_button"))
    printing = kiosk.app.screen("print")
    assert kiosk.app.current_screen == "print"
    assert kiosk.wait_until(lambda: printing.state == "confirm", 30), (printing.state, printing.body)
    form = (kiosk.core.visit.directory / "forms" / "authorised.pdf").read_bytes()
    assert "Bērziņš" in pdf_text(form, tmp_path)  # the card filled in the name
    # Asked again with the card in, the task goes straight on.
    kiosk.app.show_service("vsaa-sickness-benefit")
    kiosk.tap(kiosk.find_text("A staff member does it for you"))
    assert kiosk.app.current_screen == "print"

"""Scan and print through the real app: SANE's test backend, the print lab's cupsd, taps on the screens."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import card_identity
from printed_output import pdf_pages


def start(make_driver, settings):
    kiosk = make_driver(settings=settings)
    kiosk.app.start_session("en")
    kiosk.app.show("scan_copy")
    kiosk.frames(2)
    return kiosk


def scan_one_page(kiosk):
    screen = kiosk.app.screen("scan_copy")
    kiosk.tap(kiosk.find_text("Scan"))
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30), screen.state
    assert len(screen.ids.pages.children) == 1  # the page's thumbnail
    return screen


def test_scan_a_page_then_print_a_copy_after_seeing_it(make_driver, print_settings, print_lab, tmp_path):
    kiosk = start(make_driver, print_settings)
    scan_one_page(kiosk)
    kiosk.tap(kiosk.find_text("Print a copy"))
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), printing.state
    assert kiosk.app.current_screen == "print"
    assert printing.ids.preview.children  # the page as it will come out
    assert kiosk.find_text("This document has 1 page. You can print 20 more pages free today.")
    kiosk.tap(kiosk.find_text("Print 1 page"))
    assert kiosk.wait_until(lambda: printing.state == "done", timeout_s=30), (printing.state, printing.message)
    assert kiosk.find_text("1 page printed. You can print 19 more pages free today.")
    [received] = print_lab.received_documents()
    assert pdf_pages(received.read_bytes(), tmp_path) == 1

    report = kiosk.app.end_session("test")
    assert report.clean, report
    goodbye = kiosk.app.screen("goodbye")
    assert goodbye.scanned and goodbye.printed  # "your originals on the scanner" and "your printouts" stand out
    assert not printing.holds_resident_data() and not kiosk.app.screen("scan_copy").holds_resident_data()
    assert print_lab.spool_files() == []


def test_the_quota_is_shown_before_printing_and_no_print_button_is_offered(make_driver, print_settings, print_lab):
    settings = dataclasses.replace(print_settings, printing=dataclasses.replace(print_settings.printing,
                                                                                page_quota=0))
    kiosk = start(make_driver, settings)
    scan_one_page(kiosk)
    kiosk.tap(kiosk.find_text("Print a copy"))
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30)
    assert "You have used all the free pages for this visit." in printing.body
    assert not any("Print 1 page" in text for text in kiosk.visible_texts())
    assert print_lab.received_documents() == []


def test_a_printer_out_of_paper_is_told_in_plain_words_with_call_staff(make_driver, print_settings, print_lab):
    kiosk = start(make_driver, print_settings)
    scan_one_page(kiosk)
    print_lab.set_fault("media-empty")
    kiosk.tap(kiosk.find_text("Print a copy"))
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30)
    kiosk.tap(kiosk.find_text("Print 1 page"))
    assert kiosk.wait_until(lambda: "out of paper" in printing.body, timeout_s=15), printing.body
    assert kiosk.wait_until(lambda: printing.state == "problem", timeout_s=20), printing.state
    assert kiosk.find_text("Call staff") and kiosk.find_text("Try again")
    print_lab.set_fault("none")  # staff add paper; the printer needs a moment to drop the cancelled job
    kiosk.wait(1.5)
    kiosk.tap(kiosk.find_text("Try again"))
    assert kiosk.wait_until(lambda: printing.state == "done", timeout_s=30), printing.body


def test_a_scanner_jam_keeps_the_pages_and_says_what_to_do(make_driver, settings):
    kiosk = start(make_driver, settings)
    kiosk.core.scanning.scanner.extra_options["read_return_value"] = "SANE_STATUS_JAMMED"
    screen = kiosk.app.screen("scan_copy")
    kiosk.tap(kiosk.find_text("Scan"))
    assert kiosk.wait_until(lambda: screen.state == "problem", timeout_s=30), screen.state
    assert "stuck" in screen.body
    # The paper taken out, "Try again" scans. (SANE's test backend also keeps the jam until told otherwise.)
    kiosk.core.scanning.scanner.extra_options["read_return_value"] = "Default"
    kiosk.tap(kiosk.find_text("Try again"))
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30), screen.state


def test_a_staff_member_does_it_prints_the_authorisation_named_from_the_eid_card(
        make_driver, print_settings, print_lab, insert_card, tmp_path):
    from printed_output import pdf_text
    from tools.virtual_card import CardSpec
    kiosk = make_driver(settings=print_settings)
    kiosk.app.start_session("en")
    insert_card(CardSpec())
    assert kiosk.wait_until(lambda: card_identity(kiosk) is not None, timeout_s=10)
    kiosk.app.show_service("vsaa-paternity-benefit")
    kiosk.frames(2)
    kiosk.tap(kiosk.find_text("A staff member does it for you"))
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), printing.state
    kiosk.tap(kiosk.find_text("Print 1 page"))
    assert kiosk.wait_until(lambda: printing.state == "done", timeout_s=30), printing.body
    text = pdf_text(print_lab.received_documents()[0].read_bytes(), tmp_path)
    identity = card_identity(kiosk)
    assert identity.surname in text and identity.personal_code in text and "Paternitātes pabalsts" in text


@pytest.mark.parametrize("language", ["lv", "uk"])
def test_the_scan_print_and_ticket_steps_fit_at_extra_large_text(make_driver, print_settings, print_lab, language):
    from screens.theme import theme
    from test_accessibility import problems_on_screen
    kiosk = make_driver(settings=print_settings)
    kiosk.app.start_session(language)
    theme.text_size_step = 2
    kiosk.app.show("scan_copy")
    kiosk.frames(2)
    scanning = kiosk.app.screen("scan_copy")
    scanning.act("scan")
    assert kiosk.wait_until(lambda: scanning.state == "pages", timeout_s=30)
    kiosk.frames(3)
    problems = problems_on_screen(kiosk, f"{language}/scan pages")
    scanning.act("print")
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30)
    kiosk.frames(3)
    problems += problems_on_screen(kiosk, f"{language}/print confirm")
    kiosk.app.show("queue_ticket")
    kiosk.app.screen("queue_ticket").start_for(None)
    kiosk.frames(3)
    problems += problems_on_screen(kiosk, f"{language}/ticket priority")
    theme.text_size_step = 0
    assert problems == []


def test_a_file_that_is_not_a_document_says_so_and_try_again_offers_the_list(make_driver, print_settings, print_lab,
                                                                              tmp_path):
    notes = tmp_path / "notes.pdf"
    notes.write_text("not really a PDF")
    kiosk = start(make_driver, print_settings)
    kiosk.app.show("print")
    kiosk.app.screen("print").choose(notes)
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "problem", timeout_s=15), printing.state
    assert "This file cannot be printed here." in printing.body
    kiosk.tap(kiosk.find_text("Try again"))
    assert printing.state == "choose" and kiosk.app.current_screen == "print"
    assert print_lab.received_documents() == []

"""Scan and print through the real app: SANE's test backend, the print lab's cupsd, taps on the screens.

Scanning and copying go in four steps, as on a good copier: 1 the paper in (and one big Start), 2 scanning with the
page count, 3 the pages, 4 "What now?": print copies, save to a USB stick, or keep the scan.
"""

from __future__ import annotations

import dataclasses

import pytest

from conftest import card_identity
from tests.support.printed_output import pdf_pages

GLASS = ("Lift the lid and put your page on the glass, text facing down, in the corner the arrow shows. "
         "Then close the lid.")
FEEDER = "Put your pages in the automatic feeder on top of the scanner, text facing up, the first page on top."
# The test backend, slowed down so that a page takes a few seconds: step 2 can be seen while it runs.
SLOW_PAGES = {"read_limit": True, "read_limit_size": 65536, "read_delay": True, "read_delay_duration": 15000}


def fast_again(kiosk) -> None:
    """The test backend at full speed again; the sizes go first, as SANE refuses them while their switch is off."""
    options = kiosk.core.scanning.scanner.extra_options
    for key in ("read_limit_size", "read_delay_duration"):
        options.pop(key, None)
    options.update(read_limit=False, read_delay=False)


def start(make_driver, settings, language="en"):
    kiosk = make_driver(settings=settings)
    kiosk.app.start_visit(language)
    kiosk.app.show("scan_copy")
    kiosk.frames(2)
    return kiosk


def bottom(kiosk, name):
    """The bottom bar's Back or main button, when it is shown."""
    button = kiosk.root_widget(name)
    assert button.opacity == 1 and not button.disabled, f"the bottom bar's {name} is not shown"
    return button


def solid_buttons(kiosk) -> list:
    """Buttons drawn solid (an action, not a choice) on the screen and its bars."""
    from screens.widgets import ChoiceButton, KioskButton
    return [widget for widget in kiosk.widgets() if isinstance(widget, KioskButton)
            and not isinstance(widget, ChoiceButton) and widget.role == "primary" and widget.width > 0]


def scan_one_page(kiosk):
    screen = kiosk.app.screen("scan_copy")
    assert kiosk.app.main_label == "Start scanning"
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30), (screen.state, screen.body)
    return screen


def page_cards(screen):
    from screens.scan_copy import PageCard
    return [card for card in screen.pages_panel.children if isinstance(card, PageCard)]


def to_what_now(kiosk):
    screen = kiosk.app.screen("scan_copy")
    assert kiosk.app.main_label == "That's all"
    kiosk.tap(bottom(kiosk, "main_button"))
    assert screen.state == "what_now" and kiosk.find_text("Step 4 of 4")
    return screen


def test_scan_a_page_then_print_a_copy_after_seeing_it(make_driver, print_settings, print_lab, tmp_path):
    kiosk = start(make_driver, print_settings)
    screen = scan_one_page(kiosk)
    assert len(page_cards(screen)) == 1  # the page's picture
    to_what_now(kiosk)
    # Printing a copy is chosen already (the home tile promises copying); the pages it costs are said first.
    assert kiosk.find_text("That is 1 page in all. You can print 20 more pages free on this visit.")
    assert kiosk.app.main_label == "Print 1 copy"
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: screen.state == "printed", timeout_s=30), (screen.state, screen.body)
    assert kiosk.find_text("1 page printed. You can print 19 more pages free on this visit.")
    assert kiosk.app.current_screen == "scan_copy"
    [received] = print_lab.received_documents()
    assert pdf_pages(received.read_bytes(), tmp_path) == 1

    report = kiosk.app.end_visit("test")
    assert report.clean, report
    goodbye = kiosk.app.screen("goodbye")
    assert goodbye.scanned and goodbye.printed  # "your originals on the scanner" and "your printouts" stand out
    assert not kiosk.app.screen("scan_copy").holds_resident_data()
    assert print_lab.spool_files() == []


def test_copies_are_one_job_counted_page_by_page_against_the_quota(make_driver, print_settings, print_lab):
    kiosk = start(make_driver, print_settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    panel = screen.what_now_panel
    assert panel.ids.fewer.disabled  # not fewer than one copy
    kiosk.tap(panel.ids.more)
    kiosk.tap(panel.ids.more)
    assert kiosk.app.main_label == "Print 3 copies"
    assert kiosk.find_text("That is 3 pages in all. You can print 20 more pages free on this visit.")
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: screen.state == "printed", timeout_s=30), (screen.state, screen.body)
    assert kiosk.find_text("3 pages printed. You can print 17 more pages free on this visit.")
    assert kiosk.core.visit.prints.pages_printed == 3
    # One document went to the printer, with three copies asked of it; CUPS counted three pages.
    assert len(print_lab.received_documents()) == 1
    assert " total 3 " in (print_lab.root / "log" / "page_log").read_text()
    # Back to "What now?": more copies are offered within what is left.
    kiosk.tap(bottom(kiosk, "back_button"))
    assert screen.state == "what_now" and kiosk.app.main_label == "Print 3 copies"


def test_no_more_copies_are_offered_than_the_free_pages_allow(make_driver, print_settings, print_lab):
    from kiosk import events
    from printers.problems import PrintProblem
    settings = dataclasses.replace(print_settings, printing=dataclasses.replace(print_settings.printing,
                                                                                page_quota=2))
    kiosk = start(make_driver, settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    more = screen.what_now_panel.ids.more
    kiosk.tap(more)
    assert kiosk.app.main_label == "Print 2 copies" and more.disabled
    kiosk.tap(more)  # at the limit: nothing changes
    assert kiosk.app.main_label == "Print 2 copies"
    # The print service keeps to the quota whatever a screen asks: 3 copies of a page are 3 pages.
    heard = []
    kiosk.core.subscribe(heard.append)
    kiosk.core.confirm_print(events.PrintPrepared(kiosk.core.visit.directory / "any.pdf", 1, (), 2), copies=3)
    assert kiosk.wait_until(lambda: any(isinstance(e, events.PrintFailed) for e in heard), timeout_s=10)
    assert [e.problem for e in heard if isinstance(e, events.PrintFailed)] == [PrintProblem.QUOTA]
    assert screen.state == "what_now"  # not this screen's job: it goes on as it was
    assert print_lab.received_documents() == []


def test_the_quota_is_shown_before_printing_and_no_print_button_is_offered(make_driver, print_settings, print_lab):
    settings = dataclasses.replace(print_settings, printing=dataclasses.replace(print_settings.printing,
                                                                                page_quota=0))
    kiosk = start(make_driver, settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    assert "You have used all the free pages for this visit." in " ".join(kiosk.visible_texts())
    assert kiosk.app.main_label == "" and screen.what_now_panel.copies_box.parent is None
    assert not any("Print 1" in text for text in kiosk.visible_texts())
    assert print_lab.received_documents() == []


def test_a_printer_out_of_paper_is_told_in_plain_words_with_call_staff(make_driver, print_settings, print_lab):
    kiosk = start(make_driver, print_settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    print_lab.set_fault("media-empty")
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: "out of paper" in screen.body, timeout_s=15), screen.body
    assert kiosk.wait_until(lambda: screen.state == "print_problem", timeout_s=20), screen.state
    assert kiosk.app.main_label == "Call staff"  # only staff can add paper: calling them is the main button
    print_lab.set_fault("none")  # staff add paper; the printer needs a moment to drop the cancelled job
    kiosk.wait(1.5)
    kiosk.tap(kiosk.find_text("Try again"))
    assert kiosk.wait_until(lambda: screen.state == "printed", timeout_s=30), screen.body


def test_a_scanner_jam_keeps_the_pages_and_says_what_to_do(make_driver, settings):
    kiosk = start(make_driver, settings)
    kiosk.core.scanning.scanner.extra_options["read_return_value"] = "SANE_STATUS_JAMMED"
    screen = kiosk.app.screen("scan_copy")
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: screen.state == "problem", timeout_s=30), screen.state
    assert "stuck" in screen.body and "call staff" in screen.body
    # A jam is staff's to clear: calling them is the main button, scanning again the lesser one.
    assert kiosk.app.main_label == "Call staff"
    # The paper taken out by staff, "Scan again" scans. (SANE's test backend keeps the jam until told otherwise.)
    kiosk.core.scanning.scanner.extra_options["read_return_value"] = "Default"
    kiosk.tap(kiosk.find_text("Scan again"))
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30), screen.state


def test_step_one_explains_only_the_chosen_way_and_has_one_solid_button(make_driver, settings):
    from screens.scanner_picture import ScannerPicture
    from screens.widgets import ChoiceButton
    kiosk = start(make_driver, settings)
    screen = kiosk.app.screen("scan_copy")
    assert kiosk.find_text("Step 1 of 4") and kiosk.find_text("Put your paper in the scanner")
    texts = kiosk.visible_texts()
    # Sensible defaults: the glass and black-and-white text are chosen; each group says what it chooses.
    assert GLASS in texts and FEEDER not in texts
    assert "Where will you put the paper?" in texts and "What is on the paper?" in texts
    chosen = {w.text for w in kiosk.widgets() if isinstance(w, ChoiceButton) and w.selected}
    assert chosen == {"On the glass", "Black and white text"}
    # Choices are outlined; the only solid button is the action, Start, in the bottom bar.
    assert solid_buttons(kiosk) == [kiosk.root_widget("main_button")]
    assert kiosk.app.main_label == "Start scanning" and kiosk.app.back_shown
    assert [w.kind for w in kiosk.widgets() if isinstance(w, ScannerPicture)] == ["flatbed"]

    kiosk.tap(kiosk.find_text("In the automatic feeder"))
    texts = kiosk.visible_texts()
    assert FEEDER in texts and GLASS not in texts
    assert screen.source == "feeder"
    assert [w.kind for w in kiosk.widgets() if isinstance(w, ScannerPicture)] == ["feeder"]
    assert solid_buttons(kiosk) == [kiosk.root_widget("main_button")]
    kiosk.tap(bottom(kiosk, "back_button"))
    assert kiosk.app.current_screen == "home"


def test_the_feeder_is_named_plainly_in_latvian_and_ukrainian(make_driver, settings):
    kiosk = start(make_driver, settings, "uk")
    kiosk.app.screen("scan_copy").choose(source="feeder")
    kiosk.frames(2)
    texts = " ".join(kiosk.visible_texts()).lower()
    assert "в автоподавач" in texts and "у подавачі" not in texts
    kiosk.app.set_language("lv")
    kiosk.frames(2)
    assert "automātiskajā padevējā" in " ".join(kiosk.visible_texts()).lower()


def test_step_two_shows_the_page_count_while_the_feeder_runs_and_stop_keeps_what_is_in(make_driver, settings):
    kiosk = start(make_driver, settings)
    screen = kiosk.app.screen("scan_copy")
    kiosk.core.scanning.scanner.extra_options.update(SLOW_PAGES)
    kiosk.tap(kiosk.find_text("In the automatic feeder"))
    kiosk.tap(bottom(kiosk, "main_button"))
    assert screen.state == "scanning" and kiosk.find_text("Step 2 of 4")
    assert kiosk.find_text("Scanning page 1…") and kiosk.find_text("The pages go through the feeder one by one.")
    assert not kiosk.app.back_shown and kiosk.app.main_label == ""  # nothing to leave by while paper moves
    assert screen.progress_panel.ids.drawing.sweep >= 0  # the scanning light runs
    assert kiosk.wait_until(lambda: screen.page_count >= 1, timeout_s=30)
    assert kiosk.wait_until(lambda: "page scanned so far" in " ".join(kiosk.visible_texts()), timeout_s=5)
    assert kiosk.find_text("Scanning page 2…")
    kiosk.tap(kiosk.find_text("Stop"))
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30), screen.state
    assert 1 <= len(page_cards(screen)) < 10  # stopped before the feeder ran out; what was in is kept
    assert screen.progress_panel.ids.drawing.sweep == -1


def test_step_three_shows_whole_a4_pages_beside_their_buttons_and_scans_another(make_driver, settings):
    from tools.layout_check import intersect, window_rect
    kiosk = start(make_driver, settings)
    screen = scan_one_page(kiosk)
    assert kiosk.find_text("Step 3 of 4") and kiosk.find_text("Your scanned pages")
    [card] = page_cards(screen)
    sheet = card.ids.picture
    assert abs(sheet.width / sheet.height - 210 / 297) < 0.01  # the shape of A4
    [image] = sheet.children
    shown_w, shown_h = image.norm_image_size
    assert shown_w <= image.width + 1 and shown_h <= image.height + 1  # the whole page, not cropped
    for button in card.ids.buttons.children:
        assert intersect(window_rect(button), window_rect(sheet)) is None  # beside the page, never over it
    assert [b.text for b in reversed(card.ids.buttons.children)] == ["Turn", "Remove"]  # the first page stays first

    kiosk.tap(kiosk.find_text("Scan another page"))
    assert screen.state == "ready" and kiosk.find_text("Page 2: put it in the scanner")
    assert screen.ids.step.opacity == 0  # not "Step 1 of 4" again
    # Back from here returns to the pages, which are kept.
    kiosk.tap(bottom(kiosk, "back_button"))
    assert screen.state == "pages" and len(page_cards(screen)) == 1
    kiosk.tap(kiosk.find_text("Scan another page"))
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: len(page_cards(screen)) == 2 and screen.state == "pages", timeout_s=30)
    second = page_cards(screen)[0]  # a layout lists its children last first
    assert [b.text for b in reversed(second.ids.buttons.children)] == ["Turn", "Move left", "Remove"]
    kiosk.tap(kiosk.find_text("Move left"))
    assert len(page_cards(screen)) == 2
    kiosk.tap(page_cards(screen)[-1].ids.buttons.children[0])  # Remove, on the first page
    assert len(page_cards(screen)) == 1 and len(kiosk.core.scanning.pages) == 1
    kiosk.tap(page_cards(screen)[0].ids.buttons.children[0])  # and on the last one
    assert screen.state == "ready" and not screen.holds_resident_data()


def test_keep_for_the_staff_member_makes_the_pdf_of_the_visit(make_driver, settings):
    kiosk = start(make_driver, settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    kiosk.tap(kiosk.find_text("Keep for staff or e-service"))
    assert kiosk.app.main_label == "Keep my scan"
    kiosk.tap(bottom(kiosk, "main_button"))
    assert kiosk.wait_until(lambda: screen.state == "kept", timeout_s=30), (screen.state, screen.body)
    kept = kiosk.core.visit.scans.kept_pdf
    assert kept is not None and kept.read_bytes().startswith(b"%PDF")
    assert kept in kiosk.core.visit_files()  # offered to the e-service and to printing
    assert kiosk.app.main_label == "Done"
    kiosk.tap(kiosk.find_text("Scan another document"))
    assert screen.state == "ready" and kiosk.core.scanning.pages == ()


def test_save_to_usb_waits_for_the_stick_and_goes_on_by_itself(make_driver, settings, tmp_path):
    import os
    from scanning.helpers import LoopStick
    if os.geteuid() != 0:
        pytest.fail("USB tests need root (losetup, mount): run them through 'make test'")
    settings = dataclasses.replace(settings, scanning=dataclasses.replace(settings.scanning,
                                                                          usb_mount_root=tmp_path / "media"))
    kiosk = start(make_driver, settings)
    screen = scan_one_page(kiosk)
    to_what_now(kiosk)
    kiosk.tap(kiosk.find_text("Save to my USB stick"))
    assert kiosk.find_text("No USB stick was found. Please put your USB stick into the port next to the screen.")
    assert kiosk.app.main_label == ""  # nothing to press until there is a stick
    stick = LoopStick(tmp_path / "stick.img", tmp_path / "media").create(8).mount()
    try:
        assert kiosk.wait_until(lambda: kiosk.app.main_label == "Save to my USB stick", timeout_s=10)
        kiosk.tap(bottom(kiosk, "main_button"))
        assert kiosk.wait_until(lambda: screen.state == "usb_saved", timeout_s=30), (screen.state, screen.body)
        assert kiosk.find_text("You can take it out now.")
        assert not stick.is_mounted()
        stick.mount()
        [saved] = list(stick.mount_point.glob("scan-*.pdf"))
        assert saved.read_bytes().startswith(b"%PDF")
    finally:
        stick.remove()


def test_the_configured_picture_of_this_kiosks_scanner_is_shown_for_the_glass(make_driver, settings, tmp_path):
    from kivy.uix.image import Image
    from PIL import Image as Picture
    from screens.scanner_picture import ScannerPicture
    photo = tmp_path / "our-scanner.png"
    Picture.new("RGB", (400, 300), "#336699").save(photo)
    settings = dataclasses.replace(settings, scanning=dataclasses.replace(settings.scanning, picture=photo))
    kiosk = start(make_driver, settings)
    screen = kiosk.app.screen("scan_copy")
    [shown] = screen.ready_panel.ids.picture.children
    assert isinstance(shown, Image) and shown.source == str(photo) and shown.texture is not None
    screen.choose(source="feeder")  # the photo is of the glass: the feeder is drawn
    [shown] = screen.ready_panel.ids.picture.children
    assert isinstance(shown, ScannerPicture) and shown.kind == "feeder"


def test_a_staff_member_does_it_prints_the_authorisation_named_from_the_eid_card(
        make_driver, print_settings, print_lab, insert_card, tmp_path):
    from tests.support.printed_output import pdf_text
    from tools.virtual_card import CardSpec
    kiosk = make_driver(settings=print_settings)
    kiosk.app.start_visit("en")
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
def test_every_scan_step_fits_at_extra_large_text(make_driver, print_settings, print_lab, language):
    from screens.theme import theme
    from tools.layout_check import app_problems
    kiosk = make_driver(settings=print_settings)
    kiosk.app.start_visit(language)
    theme.text_size_step = 2
    kiosk.app.show("scan_copy")
    screen = kiosk.app.screen("scan_copy")
    problems = []

    def check(where):
        kiosk.frames(3)
        problems.extend(app_problems(kiosk.app, f"{language}/{where}", 2))

    check("step 1 glass")
    screen.choose(source="feeder")
    check("step 1 feeder")
    screen.choose(source="flatbed")
    kiosk.core.scanning.scanner.extra_options.update(SLOW_PAGES)
    screen.act("scan")
    check("step 2")
    assert kiosk.wait_until(lambda: screen.state == "pages", timeout_s=30)
    fast_again(kiosk)
    screen.act("more")
    check("step 1 another page")
    screen.act("scan")
    assert kiosk.wait_until(lambda: screen.state == "pages" and screen.page_count == 2, timeout_s=30)
    check("step 3")
    screen.act("what_now")
    for goal in ("print", "usb", "keep"):
        screen.choose(goal=goal)
        check(f"step 4 {goal}")
    screen.choose(goal="print")
    screen.act("print")
    assert kiosk.wait_until(lambda: screen.state == "printed", timeout_s=30), screen.body
    check("printed")
    screen.act("what_now")
    screen.choose(goal="keep")
    screen.act("keep")
    assert kiosk.wait_until(lambda: screen.state == "kept", timeout_s=30)
    check("kept")
    theme.text_size_step = 0
    assert problems == [], "\n".join(problems)


def test_a_file_that_is_not_a_document_says_so_and_offers_another(make_driver, print_settings, print_lab,
                                                                   tmp_path):
    notes = tmp_path / "notes.pdf"
    notes.write_text("not really a PDF")
    kiosk = start(make_driver, print_settings)
    kiosk.app.show("home")
    kiosk.app.show("print")
    kiosk.app.screen("print").choose(notes)
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "problem", timeout_s=15), printing.state
    assert "This file cannot be printed here:" in printing.body
    kiosk.tap(kiosk.root_widget("main_button"))  # "Choose another document": where it is
    assert printing.state == "where" and kiosk.app.current_screen == "print"
    assert print_lab.received_documents() == []

"""The print screen's steps through the real app: where the document is, a USB stick (a real file system on a loop
device) that is noticed by itself, the visit's files, the free pages before printing, the print lab's cupsd; and
every step fits at extra-large text."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
from fpdf import FPDF

from tests.support.printed_output import pdf_pages
from scanning.helpers import LoopStick


def write_pdf(path, pages: int):
    document = FPDF()
    for number in range(pages):
        document.add_page()
        document.set_font("helvetica", size=24)
        document.cell(text=f"Page {number + 1}")
    document.output(str(path))
    return path


@pytest.fixture
def stick(tmp_path):
    """An 8 MB stick with a two-page letter.pdf, mounted under tmp_path/media as udisks would; taken out after."""
    if os.geteuid() != 0 or not shutil.which("losetup"):
        pytest.fail("USB tests need root and losetup: run them through 'make test'")
    stick = LoopStick(tmp_path / "stick.img", tmp_path / "media")
    try:
        stick.create(8).mount()
        write_pdf(stick.mount_point / "letter.pdf", 2)
        yield stick
    finally:
        stick.remove()


@pytest.fixture
def usb_settings(print_settings, tmp_path):
    """The print lab's printers, and sticks looked for under tmp_path/media."""
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    return dataclasses.replace(print_settings, scanning=dataclasses.replace(print_settings.scanning,
                                                                            usb_mount_root=media))


def open_print(make_driver, settings, language: str = "en"):
    kiosk = make_driver(settings=settings)
    kiosk.app.start_visit(language)
    kiosk.app.show("print")
    kiosk.frames(3)  # the stick watcher starts the frame after the screen is shown
    return kiosk


def main_button(kiosk):
    return kiosk.root_widget("main_button")


def back(kiosk):
    kiosk.tap(kiosk.root_widget("back_button"))


def test_a_stick_put_in_at_the_picture_is_read_by_itself_and_its_document_printed_after_the_free_pages_are_shown(
        make_driver, usb_settings, stick, print_lab, tmp_path):
    stick.unmount()
    kiosk = open_print(make_driver, usb_settings)
    printing = kiosk.app.screen("print")
    assert printing.state == "where" and kiosk.find_text("Where is your document?")
    assert kiosk.find_text("On a USB stick") and kiosk.find_text("On paper")
    assert "Scanned or downloaded here" not in kiosk.visible_texts()  # nothing of this visit to print yet
    assert kiosk.app.main_label == ""  # a question, no action yet: the choices are the way on
    kiosk.tap(kiosk.find_text("On a USB stick"))
    assert printing.state == "usb" and printing.ids.picture.height > 0  # where the port is, drawn
    assert kiosk.find_text("Put in your USB stick")

    stick.mount()  # no tap: the list comes by itself
    assert kiosk.wait_until(lambda: printing.state == "choose", timeout_s=10), printing.state
    kiosk.tap(kiosk.find_text("letter.pdf"))
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), (printing.state, printing.body)
    # The free pages are said before anything is printed, and the pages are shown as they will come out.
    assert "This document has 2 pages. You can print 20 more pages free on this visit." in printing.body
    assert len(printing.ids.preview.children) == 2
    assert kiosk.app.main_label == "Print 2 pages"
    kiosk.tap(main_button(kiosk))
    assert kiosk.wait_until(lambda: printing.state == "done", timeout_s=30), (printing.state, printing.body)
    assert "2 pages printed. You can print 18 more pages free on this visit." in printing.body
    [received] = print_lab.received_documents()
    assert pdf_pages(received.read_bytes(), tmp_path) == 2
    assert kiosk.app.main_label == "I'm finished"  # the task's end; "Print something else" beside it
    assert kiosk.find_text("Print something else")
    kiosk.tap(main_button(kiosk))
    assert kiosk.app.current_screen == "goodbye" and kiosk.core.visit is None
    report = kiosk.core.visits.last_report
    assert report.clean, report
    assert not printing.holds_resident_data()  # the names of the files on the stick are forgotten
    assert print_lab.spool_files() == []


def test_a_stick_put_in_at_the_question_is_the_answer_and_taking_it_out_shows_the_picture_again(
        make_driver, usb_settings, stick):
    stick.unmount()
    kiosk = open_print(make_driver, usb_settings)
    printing = kiosk.app.screen("print")
    assert printing.state == "where"
    stick.mount()
    assert kiosk.wait_until(lambda: printing.state == "choose", timeout_s=10), printing.state
    assert kiosk.find_text("letter.pdf")
    stick.unmount()
    assert kiosk.wait_until(lambda: printing.state == "usb", timeout_s=10), printing.state
    assert printing.ids.documents.children == [] and "letter.pdf" not in kiosk.visible_texts()
    back(kiosk)
    assert printing.state == "where"
    back(kiosk)
    assert kiosk.app.current_screen == "home"


def test_a_stick_already_in_goes_straight_to_its_list_and_one_without_documents_says_what_can_be_printed(
        make_driver, usb_settings, stick):
    (stick.mount_point / "letter.pdf").unlink()
    (stick.mount_point / "notes.txt").write_text("shopping list")
    kiosk = open_print(make_driver, usb_settings)
    printing = kiosk.app.screen("print")
    kiosk.tap(kiosk.find_text("On a USB stick"))
    assert printing.state == "choose"
    assert "There is no document on your USB stick that can be printed here:" in printing.body
    assert "notes.txt" not in kiosk.visible_texts()
    back(kiosk)  # never a dead end: the question again, with paper as another way
    assert printing.state == "where"


def test_the_scan_of_this_visit_is_offered_and_back_goes_one_step_at_a_time(make_driver, usb_settings):
    kiosk = open_print(make_driver, usb_settings)
    visit = kiosk.core.visit
    visit.scans.kept_pdf = write_pdf(visit.directory / "kept.pdf", 1)
    kiosk.app.show("home")
    kiosk.app.show("print")
    printing = kiosk.app.screen("print")
    kiosk.tap(kiosk.find_text("Scanned or downloaded here"))
    assert printing.state == "choose"
    kiosk.tap(kiosk.find_text("Your scanned document"))
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), printing.state
    assert printing.steps_shown and printing.step == 3
    back(kiosk)
    assert printing.state == "choose" and printing.ids.preview.children == []
    back(kiosk)
    assert printing.state == "where"


def test_on_paper_leads_to_the_scanner(make_driver, usb_settings):
    kiosk = open_print(make_driver, usb_settings)
    kiosk.tap(kiosk.find_text("On paper"))
    assert kiosk.app.current_screen == "scan_copy"


def test_a_form_handed_over_skips_the_question_and_back_returns_to_its_service(make_driver, usb_settings):
    kiosk = make_driver(settings=usb_settings)
    app = kiosk.app
    app.start_visit("en")
    app.show_service("vsaa-paternity-benefit")
    form = kiosk.core.make_form("paper", app.screen("service").service, "en")
    app.show("print")
    printing = app.screen("print")
    printing.choose(form)
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), printing.state
    assert not printing.steps_shown  # "Step 3 of 4" would puzzle someone who never saw steps 1 and 2
    back(kiosk)
    assert app.current_screen == "service"


def test_without_free_pages_left_nothing_is_offered_to_print_but_staff(make_driver, usb_settings, print_lab, stick):
    settings = dataclasses.replace(usb_settings, printing=dataclasses.replace(usb_settings.printing, page_quota=1))
    kiosk = open_print(make_driver, settings)
    printing = kiosk.app.screen("print")
    kiosk.tap(kiosk.find_text("On a USB stick"))
    kiosk.tap(kiosk.find_text("letter.pdf"))
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), printing.state
    assert "You have used all the free pages for this visit." in printing.body
    assert kiosk.app.main_label == "Call staff"
    assert not any("Print 2 pages" in text for text in kiosk.visible_texts())
    assert print_lab.received_documents() == []


def test_a_file_that_is_not_a_document_offers_another_one_from_the_list(make_driver, usb_settings, stick):
    (stick.mount_point / "broken.pdf").write_text("not really a PDF")
    kiosk = open_print(make_driver, usb_settings)
    printing = kiosk.app.screen("print")
    kiosk.tap(kiosk.find_text("On a USB stick"))
    kiosk.tap(kiosk.find_text("broken.pdf"))
    assert kiosk.wait_until(lambda: printing.state == "problem", timeout_s=15), printing.state
    assert "This file cannot be printed here:" in printing.body
    assert kiosk.app.main_label == "Choose another document"
    kiosk.tap(main_button(kiosk))
    assert printing.state == "choose" and kiosk.find_text("letter.pdf")


def layout_problems(kiosk, where: str) -> list[str]:
    """Clipped or broken words, small or unreachable buttons, content under the bottom bar."""
    from kivy.uix.behaviors import ButtonBehavior
    from test_accessibility import problems_on_screen
    found = problems_on_screen(kiosk, where)
    screen = kiosk.app.screen(kiosk.app.current_screen)
    bar = kiosk.root_widget("bottom_bar")
    if screen.y < bar.top - 1:
        found.append(f"{where}: the screen reaches under the bottom bar")
    for widget in kiosk.widgets():
        if isinstance(widget, ButtonBehavior) and not widget.disabled and (widget.width < 44 or widget.height < 44):
            found.append(f"{where}: {getattr(widget, 'text', widget)!r} is {widget.width:.0f}x{widget.height:.0f}")
    for button in (kiosk.root_widget("back_button"), main_button(kiosk)):
        x, y = button.to_window(button.x, button.y)
        outside = y < 0 or y + button.height > kiosk.window.height or x + button.width > kiosk.window.width + 1
        if button.opacity > 0 and outside:
            found.append(f"{where}: {button.text!r} is outside the window")
    return found


@pytest.mark.parametrize("language", ["lv", "uk"])
def test_every_print_step_fits_at_extra_large_text(make_driver, usb_settings, stick, language):
    from screens.theme import theme
    (stick.mount_point / "broken.pdf").write_text("not really a PDF")
    kiosk = make_driver(settings=usb_settings)
    app = kiosk.app
    app.start_visit(language)
    visit = kiosk.core.visit
    visit.scans.kept_pdf = write_pdf(visit.directory / "kept.pdf", 1)
    theme.text_size_step = 2
    try:
        app.show("print")
        kiosk.frames(3)
        printing = app.screen("print")
        problems = layout_problems(kiosk, f"{language}/print where")
        assert len(printing.ids.sources.children) == 3
        printing.act("usb")
        kiosk.frames(3)
        problems += layout_problems(kiosk, f"{language}/print choose")
        printing._source = "usb"
        printing.go("usb")
        kiosk.frames(3)
        problems += layout_problems(kiosk, f"{language}/print usb")
        printing.choose(stick.mount_point / "letter.pdf")
        assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30)
        kiosk.frames(3)
        problems += layout_problems(kiosk, f"{language}/print confirm")
        printing.choose(stick.mount_point / "broken.pdf")
        assert kiosk.wait_until(lambda: printing.state == "problem", timeout_s=30)
        kiosk.frames(3)
        problems += layout_problems(kiosk, f"{language}/print problem")
    finally:
        theme.text_size_step = 0
    assert problems == []


def test_while_pages_print_the_resident_is_told_where_they_come_out(make_driver, usb_settings):
    settings = dataclasses.replace(usb_settings, printing=dataclasses.replace(usb_settings.printing,
                                                                              printer_place="desk"))
    kiosk = open_print(make_driver, settings, language="uk")
    printing = kiosk.app.screen("print")
    printing.state = "printing"  # as the print service leaves it while the printer works
    assert "на стійці працівників" in printing.body
    printing.reset()


def test_a_page_tapped_is_shown_as_tall_as_the_screen_and_paged_through(make_driver, usb_settings):
    from screens.theme import theme
    kiosk = open_print(make_driver, usb_settings)
    theme.text_size_step = 2  # where a 170-px picture cannot be read at all
    printing = kiosk.app.screen("print")
    document = write_pdf(kiosk.core.visit.directory / "letter.pdf", 2)
    printing.choose(document)
    assert kiosk.wait_until(lambda: printing.state == "confirm", timeout_s=30), (printing.state, printing.body)
    assert "Tap a page to see it larger." in printing.body
    first = list(reversed(printing.ids.preview.children))[0]
    kiosk.tap(first)
    assert printing.state == "page" and printing.title == "Page 1 of 2"
    kiosk.frames(3)
    view = printing.ids.page_view
    assert view.height >= 300 and view.norm_image_size[1] > 240  # larger than the small pictures
    assert kiosk.app.main_label == "Print 2 pages"  # printing stays one tap away
    kiosk.tap(kiosk.find_text("Next page"))
    assert printing.title == "Page 2 of 2" and "Next page" not in kiosk.visible_texts()
    kiosk.tap(kiosk.find_text("Previous page"))
    assert printing.title == "Page 1 of 2"
    back(kiosk)  # all the pages again
    assert printing.state == "confirm" and len(printing.ids.preview.children) == 2
    printing.reset()
    assert not printing.holds_resident_data() and printing.page_picture == ""

"""Scanning through the real SANE test backend: pages, feeder, faults, the PDF, and the wipe at visit end."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from kiosk.scanning import pages as page_ops
from kiosk.scanning.modes import ScanMode, ScanRequest, Source
from kiosk.scanning.problems import Problem
from kiosk.events import DeliveryFailed, PageScanned, PdfReady, ScanFailed, ScanFinished
from scanning.helpers import pdf_info, tmp_entries

LOW_DPI = 75  # enough to see the page's shape; the tests that need 300 dpi say so
A4_INCH = (210 / 25.4, 297 / 25.4)


def scan(service, events, **request):
    service.scan(ScanRequest(**request))
    return events.until(ScanFinished, ScanFailed)


def test_one_page_from_the_glass_becomes_an_a4_pdf(make_service, events, visit):
    service = make_service()
    service.attach(visit)
    got = scan(service, events, mode=ScanMode.TEXT, dpi=LOW_DPI)
    scanned = [event for event in got if isinstance(event, PageScanned)]
    assert len(scanned) == 1 and got[-1] == ScanFinished(added=1, count=1)
    assert visit.scans.pages_scanned is True

    page = service.pages[0]
    assert page.image.parent.parent == visit.directory
    with Image.open(page.image) as image:
        # Grey, the whole A4 width and height at the asked resolution (SANE rounds to whole pixels).
        assert image.mode == "L"
        assert abs(image.width - A4_INCH[0] * LOW_DPI) <= 2 and abs(image.height - A4_INCH[1] * LOW_DPI) <= 2
    with Image.open(page.thumbnail) as preview:
        assert max(preview.size) <= page_ops.THUMBNAIL_PX

    service.make_pdf()
    ready = events.until(PdfReady, DeliveryFailed)[-1]
    assert isinstance(ready, PdfReady) and ready.pages == 1 and not ready.searchable
    assert ready.path.parent.parent == visit.directory and visit.scans.kept_pdf == ready.path
    info = pdf_info(ready.path)
    assert info["Pages"] == "1"
    assert info["Page    1 size"].startswith("595.276 x 841.89 pts (A4)")


def test_a_second_document_in_a_visit_is_kept_beside_the_first_not_over_it(make_service, events, visit):
    service = make_service()
    service.attach(visit)
    scan(service, events, mode=ScanMode.TEXT, dpi=LOW_DPI)
    service.make_pdf()
    first = events.until(PdfReady, DeliveryFailed)[-1].path
    service.clear()  # "Scan another document"
    scan(service, events, mode=ScanMode.TEXT, dpi=LOW_DPI)
    scan(service, events, mode=ScanMode.TEXT, dpi=LOW_DPI)
    service.make_pdf()
    second = events.until(PdfReady, DeliveryFailed)[-1].path
    assert first != second and visit.scans.kept == (first, second) and visit.scans.kept_pdf == second
    assert pdf_info(first)["Pages"] == "1" and pdf_info(second)["Pages"] == "2"


def test_photo_mode_scans_in_colour_and_keeps_it_as_jpeg(make_service, events, visit):
    service = make_service({"test_picture": "Color pattern"})
    service.attach(visit)
    scan(service, events, mode=ScanMode.PHOTO, dpi=LOW_DPI)
    with Image.open(service.pages[0].image) as image:
        assert image.mode == "RGB" and image.format == "JPEG"
    service.make_pdf()
    pdf = events.until(PdfReady, DeliveryFailed)[-1].path
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    image_line = listing.splitlines()[2].split()
    # One colour image, embedded as the JPEG the page was stored as (img2pdf does not re-encode it).
    assert image_line[5:7] == ["rgb", "3"] and image_line[8] == "jpeg"


def test_feeder_pages_edited_then_assembled_in_the_new_order(make_service, events, visit):
    service = make_service({"test_picture": "Color pattern"})
    service.attach(visit)
    got = scan(service, events, mode=ScanMode.TEXT, source=Source.FEEDER, dpi=LOW_DPI)
    scanned = [event for event in got if isinstance(event, PageScanned)]
    finished = got[-1]
    # The test backend's feeder holds ten sheets; all of them came, then it reported itself empty.
    assert isinstance(finished, ScanFinished) and finished.added == len(scanned) == 10
    assert [event.count for event in scanned] == list(range(1, 11))

    original = service.pages
    service.rotate(2)            # the third page was upside down...
    service.rotate(2)
    service.rotate(0, 90)        # ...and the first one a landscape table
    service.delete(5)            # a blank back side
    service.move(3, 0)           # the fourth page belongs in front
    edited = service.pages
    assert len(edited) == 9
    assert edited[0].image == original[3].image and edited[1].image == original[0].image
    assert original[5].image not in {page.image for page in edited} and not original[5].image.exists()
    assert edited[1].rotation == 90 and edited[3].rotation == 180

    service.make_pdf()
    ready = events.until(PdfReady, DeliveryFailed)[-1]
    assert isinstance(ready, PdfReady) and ready.pages == 9
    info = pdf_info(ready.path, 1, 9)
    assert info["Pages"] == "9"
    assert [info[f"Page    {n} rot"] for n in range(1, 10)] == ["0", "90", "0", "180", "0", "0", "0", "0", "0"]
    assert all("(A4)" in info[f"Page    {n} size"] for n in range(1, 10))


def test_feeder_limited_to_the_pages_asked_for(make_service, events, visit):
    service = make_service()
    service.attach(visit)
    got = scan(service, events, source=Source.FEEDER, dpi=LOW_DPI, max_pages=3)
    assert got[-1] == ScanFinished(added=3, count=3)


def test_empty_feeder_is_told_in_plain_words(make_service, events, visit):
    # The test backend answers the first read with "Document feeder out of documents", as an empty feeder does.
    service = make_service({"read_return_value": "SANE_STATUS_NO_DOCS"})
    service.attach(visit)
    failed = scan(service, events, source=Source.FEEDER, dpi=LOW_DPI)[-1]
    assert failed == ScanFailed(Problem.FEEDER_EMPTY, 0)
    assert service.pages == () and not visit.scans.pages_scanned


@pytest.mark.parametrize("status, problem", [("SANE_STATUS_JAMMED", Problem.JAMMED),
                                             ("SANE_STATUS_COVER_OPEN", Problem.COVER_OPEN),
                                             ("SANE_STATUS_DEVICE_BUSY", Problem.SCANNER_BUSY),
                                             ("SANE_STATUS_IO_ERROR", Problem.NO_SCANNER)])
def test_scanner_faults_and_the_next_try_after_they_are_cleared(make_service, events, visit, status, problem):
    service = make_service({"read_return_value": status})
    service.attach(visit)
    failed = scan(service, events, source=Source.FEEDER, dpi=LOW_DPI)[-1]
    assert failed == ScanFailed(problem, 0)
    assert not service.scanner.is_open  # closed on the fault, so the next try opens it afresh

    # Staff cleared the jam / closed the lid (the test backend keeps its options across opens: reset it).
    service.scanner.extra_options["read_return_value"] = "Default"
    assert scan(service, events, dpi=LOW_DPI)[-1] == ScanFinished(added=1, count=1)


def test_no_scanner_then_one_plugged_in_is_found_without_a_restart(make_service, events, visit, sane_dir):
    (sane_dir / "dll.conf").write_text("")  # SANE with no backend: no scanner at all
    service = make_service()
    service.attach(visit)
    assert scan(service, events, dpi=LOW_DPI)[-1] == ScanFailed(Problem.NO_SCANNER, 0)

    (sane_dir / "dll.conf").write_text("test\n")  # the scanner is connected
    assert scan(service, events, dpi=LOW_DPI)[-1] == ScanFinished(added=1, count=1)
    assert service.scanner.name == "test:0"


def test_a_named_device_that_is_not_there(make_service, events, visit):
    service = make_service(device_name="epson2:net:192.0.2.1")
    service.attach(visit)
    assert scan(service, events, dpi=LOW_DPI)[-1] == ScanFailed(Problem.NO_SCANNER, 0)


def test_no_pdf_without_pages(make_service, events, visit):
    service = make_service()
    service.attach(visit)
    service.make_pdf()
    assert events.until(PdfReady, DeliveryFailed)[-1] == DeliveryFailed(Problem.NO_PAGES)


def test_a4_at_300_dpi(make_service, events, visit):
    service = make_service()
    service.attach(visit)
    scan(service, events, mode=ScanMode.TEXT)
    with Image.open(service.pages[0].image) as image:
        assert image.info["dpi"][0] == pytest.approx(300, abs=0.5)
        assert abs(image.width - A4_INCH[0] * 300) <= 2 and abs(image.height - A4_INCH[1] * 300) <= 2


def test_visit_end_leaves_nothing(make_service, events, visits):
    before = tmp_entries()
    visit = visits.start()
    service = make_service()
    service.attach(visit)
    scan(service, events, source=Source.FEEDER, dpi=LOW_DPI, max_pages=2)
    service.make_pdf()
    pdf = events.until(PdfReady, DeliveryFailed)[-1].path
    files = [page.image for page in service.pages] + [page.thumbnail for page in service.pages] + [pdf]
    assert all(path.exists() for path in files)

    report = visits.end("resident left")
    assert report.clean and "scans" in report.wipers_run
    assert not any(path.exists() for path in files) and not visit.directory.exists()
    assert service.pages == ()
    assert tmp_entries() <= before

    # Work asked for by the resident who left is dropped, not done in the next resident's visit.
    service.make_pdf()
    nxt = visits.start()
    service.attach(nxt)
    after = scan(service, events, dpi=LOW_DPI)
    assert not any(isinstance(event, (PdfReady, DeliveryFailed)) for event in after)
    assert len(service.pages) == 1 and service.pages[0].image.parent.parent == nxt.directory


def test_visit_end_during_a_feeder_scan_stops_it(make_service, events, visits):
    visit = visits.start()
    service = make_service({"read_delay": True, "read_delay_duration": 20000})
    service.attach(visit)
    service.scan(ScanRequest(source=Source.FEEDER, dpi=LOW_DPI))
    events.until(PageScanned)
    report = visits.end("resident left")
    assert report.clean and not visit.directory.exists()
    # The worker does one thing at a time: the next resident's scan finishing proves the old one stopped.
    nxt = visits.start()
    service.attach(nxt)
    after = scan(service, events, dpi=LOW_DPI)
    assert after[-1] == ScanFinished(added=1, count=1)
    old_pages = sum(isinstance(event, PageScanned) and event.page.image.parent.parent == visit.directory
                    for event in events.seen)
    assert old_pages < 10  # the resident's feeder scan stopped well before the feeder ran dry
    assert not visit.directory.exists()


def sigpipe_ignored() -> bool:
    with open("/proc/self/status", encoding="ascii") as status:
        mask = next(int(line.split()[1], 16) for line in status if line.startswith("SigIgn:"))
    return bool(mask & (1 << 12))  # SIGPIPE is signal 13


def test_a_scan_leaves_broken_pipes_an_error_not_the_end_of_the_kiosk(make_service, events, visit):
    # SANE's reader sets SIGPIPE back to its default: a later write to a closed connection (the desk, CUPS,
    # the browser's driver) would then kill the whole kiosk process instead of raising BrokenPipeError.
    service = make_service()
    service.attach(visit)
    got = scan(service, events, mode=ScanMode.TEXT, dpi=LOW_DPI)
    assert got[-1] == ScanFinished(added=1, count=1)
    assert sigpipe_ignored()

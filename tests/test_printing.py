"""Printing through a real cupsd: A4 documents with faults, the quota, the receipt printer, and the purge."""

from __future__ import annotations

import dataclasses
import queue
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from kiosk.events import PrinterAlert, PrintFailed, PrintPrepared as Prepared, PrintProgress, Printed
from kiosk.printing.service import PrintService
from printers.cups_printer import DocumentPrinter
from kiosk.visits import Visits
from tests.support.printed_output import decoded_qr_codes, pdf_text, text_outside_rasters
from printers.forms import AuthorisationData, authorisation_form
from printers.layouts import TicketData, queue_ticket
from printers.problems import PrintError, PrintProblem
from printers.receipt_printer import receipt_printer

TERMINAL = (Prepared, Printed, PrintFailed)


def authorisation_pdf(folder: Path) -> Path:
    path = folder / "pilnvarojums.pdf"
    path.write_bytes(authorisation_form(AuthorisationData(
        service_name="Slimības pabalsts", institution="Valsts sociālās apdrošināšanas aģentūra",
        centre_name="Rīgas Teikas KAC", centre_address="Brīvības gatve 214", issued_at=datetime(2026, 11, 23, 10, 0),
        given_name="Jānis", surname="Bērziņš", personal_code="010180-12345")))
    return path


def pages_pdf(folder: Path, pages: int) -> Path:
    document = FPDF()
    for number in range(pages):
        document.add_page()
        document.set_font("helvetica", size=24)
        document.cell(text=f"Page {number + 1}")
    path = folder / f"{pages}-pages.pdf"
    document.output(str(path))
    return path


class Resident:
    """One visit with the print service, and the events it got, as the app would see them."""

    def __init__(self, settings):
        self.visits = Visits(settings.visit.runtime_dir)
        self.visits.prepare()
        self.visit = self.visits.start()
        self.events: queue.Queue = queue.Queue()
        self.seen: list = []
        self.service = PrintService(settings.printing, lambda event, visit=None: self.events.put((event, visit)))
        self.service.attach(self.visit)

    def take(self, timeout: float):
        """The next event (queue.Empty if none comes): recorded in the visit as the core does on its thread."""
        event, visit = self.events.get(timeout=timeout)
        if visit is not None:
            visit.record(event)
        self.seen.append(event)
        return event

    def next_outcome(self, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.take(max(0.01, deadline - time.monotonic()))
            if isinstance(event, TERMINAL):
                return event
        raise AssertionError(f"no outcome within {timeout} s; saw {self.seen}")

    def prepare(self, path: Path) -> Prepared:
        self.service.prepare(path)
        return self.next_outcome()

    def print(self, path: Path):
        prepared = self.prepare(path)
        assert isinstance(prepared, Prepared), prepared
        self.service.print(prepared)
        return self.next_outcome()

    def alerts(self) -> set[str]:
        return {event.kind for event in self.seen if isinstance(event, PrinterAlert)}

    def end(self):
        report = self.visits.end("test")
        self.service.stop()
        return report


@pytest.fixture
def resident(print_settings):
    visitor = Resident(print_settings)
    yield visitor
    if not visitor.visit.ended:
        visitor.end()


def cups_jobs(lab, which: str = "all") -> str:
    return subprocess.run(["lpstat", "-h", lab.socket, "-W", which, "-o"], capture_output=True, text=True).stdout


# ---- A4 documents ----------------------------------------------------------------------------------

def test_a_document_prints_and_the_printer_receives_its_text_then_nothing_stays(resident, print_lab, tmp_path):
    prepared = resident.prepare(authorisation_pdf(tmp_path))
    assert prepared.pages == 1 and prepared.pages_left == 20 and prepared.within_quota
    assert prepared.thumbnails and all(resident.visit.directory in t.parents for t in prepared.thumbnails)
    resident.service.print(prepared)
    outcome = resident.next_outcome()
    assert outcome == Printed(pages=1, pages_left=19)

    [received] = print_lab.received_documents()
    text = pdf_text(received.read_bytes(), tmp_path)
    assert "Jānis Bērziņš" in text or ("Jānis" in text and "Bērziņš" in text)
    assert "010180-12345" in text and "Slimības pabalsts" in text

    report = resident.end()
    assert report.clean, report
    assert not resident.visit.directory.exists()
    assert print_lab.spool_files() == []
    assert cups_jobs(print_lab) == ""  # no history either: PreserveJobHistory No


def test_a_photo_is_printed_as_one_a4_page(resident, print_lab, tmp_path):
    from PIL import Image
    photo = tmp_path / "photo.png"
    Image.new("RGBA", (600, 800), (30, 90, 200, 255)).save(photo)
    assert resident.print(photo) == Printed(pages=1, pages_left=19)
    [received] = print_lab.received_documents()
    info = subprocess.run(["pdfinfo", str(received)], capture_output=True, text=True).stdout
    assert "A4" in info


@pytest.mark.parametrize("fault, problem", [("media-empty", PrintProblem.OUT_OF_PAPER),
                                            ("media-jam", PrintProblem.JAM)])
def test_a_printer_fault_is_shown_while_waiting_and_staff_fixing_it_lets_the_job_finish(
        resident, print_lab, tmp_path, fault, problem):
    print_lab.set_fault(fault)
    prepared = resident.prepare(authorisation_pdf(tmp_path))
    resident.service.print(prepared)
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and not any(
            isinstance(e, PrintProgress) and e.problem is problem for e in resident.seen):
        try:
            resident.take(0.1)
        except queue.Empty:
            pass
    assert PrintProgress("printing", problem) in resident.seen  # what the resident reads while it waits
    assert problem.value in resident.alerts()  # and staff hear of it at once
    print_lab.set_fault("none")
    assert resident.next_outcome() == Printed(pages=1, pages_left=19)
    assert len(print_lab.received_documents()) == 1


def test_a_fault_nobody_fixes_ends_the_job_which_never_comes_out_later(resident, print_lab, tmp_path):
    print_lab.set_fault("media-empty")
    assert resident.print(authorisation_pdf(tmp_path)) == PrintFailed(PrintProblem.OUT_OF_PAPER)
    assert resident.service.pages_left() == 20  # a failed job costs no pages
    assert cups_jobs(print_lab, "not-completed") == ""
    print_lab.set_fault("none")  # paper added after the resident left
    time.sleep(2)
    assert print_lab.received_documents() == []
    assert resident.print(authorisation_pdf(tmp_path)) == Printed(pages=1, pages_left=19)


def test_toner_low_still_prints_and_tells_staff(resident, print_lab, tmp_path):
    print_lab.set_fault("toner-low")
    assert resident.print(authorisation_pdf(tmp_path)) == Printed(pages=1, pages_left=19)
    assert "toner-low" in resident.alerts()


def test_an_unreachable_printer_is_named_and_the_job_never_comes_out_later(resident, print_lab, tmp_path):
    print_lab.stop_a4_printer()
    started = time.monotonic()
    assert resident.print(authorisation_pdf(tmp_path)) == PrintFailed(PrintProblem.UNREACHABLE)
    assert time.monotonic() - started < 20  # job_timeout_s is 8 in the tests
    assert cups_jobs(print_lab, "not-completed") == ""
    print_lab.start_a4_printer()  # switched on again: the cancelled job must not print for the next person
    time.sleep(3)
    assert print_lab.received_documents() == []
    assert print_lab.spool_files() == []


def test_the_page_quota_is_kept_across_jobs(print_settings, print_lab, tmp_path):
    settings = dataclasses.replace(print_settings, printing=dataclasses.replace(print_settings.printing,
                                                                                page_quota=3))
    visitor = Resident(settings)
    try:
        three = visitor.prepare(pages_pdf(tmp_path, 3))
        assert three.pages == 3 and three.within_quota
        visitor.service.print(three)
        assert visitor.next_outcome() == Printed(pages=3, pages_left=0)
        one = visitor.prepare(pages_pdf(tmp_path, 1))
        assert not one.within_quota
        visitor.service.print(one)  # the screen would not offer it; the service refuses anyway
        assert visitor.next_outcome() == PrintFailed(PrintProblem.QUOTA)
        assert len(print_lab.received_documents()) == 1
    finally:
        visitor.end()


@pytest.mark.parametrize("content", [b"just some words\n", b"%PDF-1.4 broken beyond repair", b"\x00" * 2000, b""])
def test_a_file_that_is_not_a_document_is_refused_plainly(resident, print_lab, tmp_path, content):
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    assert resident.prepare(path) == PrintFailed(PrintProblem.NOT_A_DOCUMENT)


def test_a_printer_missing_from_cups(print_settings, print_lab, tmp_path):
    settings = dataclasses.replace(print_settings, printing=dataclasses.replace(print_settings.printing,
                                                                                a4_queue="no-such-queue"))
    visitor = Resident(settings)
    try:
        assert visitor.print(authorisation_pdf(tmp_path)) == PrintFailed(PrintProblem.NO_PRINTER)
    finally:
        visitor.end()


def test_cupsd_down_is_named_and_nothing_prints_when_it_returns(resident, print_lab, tmp_path):
    print_lab.stop_cupsd()
    assert resident.print(authorisation_pdf(tmp_path)) == PrintFailed(PrintProblem.CUPS_DOWN)
    print_lab.start_cupsd()
    time.sleep(1)
    assert print_lab.received_documents() == []


def test_ending_the_visit_cancels_and_purges_a_job_in_progress(resident, print_lab, tmp_path):
    print_lab.set_fault("slow")  # the printer takes 5 s: the resident walks away meanwhile
    prepared = resident.prepare(authorisation_pdf(tmp_path))
    resident.service.print(prepared)
    deadline = time.monotonic() + 10
    while "kac-a4" not in cups_jobs(print_lab, "not-completed") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "kac-a4" in cups_jobs(print_lab, "not-completed")
    report = resident.end()
    assert report.clean, report
    assert cups_jobs(print_lab) == ""
    assert print_lab.spool_files() == []


def test_the_printer_check_reports_state_and_reasons(print_lab):
    printer = DocumentPrinter("kac-a4", print_lab.socket)
    status = printer.check()
    assert status.as_dict()["state"] == "idle" and status.accepting and status.problem is None
    print_lab.stop_cupsd()
    with pytest.raises(PrintError) as down:
        printer.check()
    assert down.value.problem is PrintProblem.CUPS_DOWN


# ---- the receipt printer ---------------------------------------------------------------------------

def ticket_bytes() -> bytes:
    return queue_ticket(TicketData(centre_name="Rīgas Teikas KAC", number="A-042", service_name="Slimības pabalsts",
                                   issued_at=datetime(2026, 11, 23, 11, 38),
                                   follow_url="https://rinda.example.lv/q/teika/A-042", people_ahead=3))


def test_a_ticket_through_the_cups_raw_queue_arrives_byte_for_byte(print_settings, print_lab, tmp_path):
    data = ticket_bytes()
    receipt_printer(print_settings.printing).send(data)
    deadline = time.monotonic() + 5
    while not print_lab.receipts.received and time.monotonic() < deadline:
        time.sleep(0.05)
    [arrived] = print_lab.receipts.received
    assert arrived == data
    text = text_outside_rasters(arrived).decode("cp1257", errors="replace")
    assert "Rīgas Teikas KAC" in text and "Slimības pabalsts" in text and "A-042" in text
    assert decoded_qr_codes(arrived, tmp_path) == ["https://rinda.example.lv/q/teika/A-042"]
    assert print_lab.spool_files() == []


def test_a_ticket_over_tcp_and_to_a_file(print_settings, print_lab, tmp_path):
    data = ticket_bytes()
    tcp = dataclasses.replace(print_settings.printing, receipt_printer=("tcp", f"127.0.0.1:{print_lab.receipts.port}"))
    receipt_printer(tcp).send(data)
    deadline = time.monotonic() + 5
    while not print_lab.receipts.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert print_lab.receipts.received == [data]
    device = tmp_path / "lp0"
    device.touch()
    receipt_printer(dataclasses.replace(tcp, receipt_printer=("file", str(device)))).send(data)
    assert device.read_bytes() == data


def test_a_receipt_printer_that_does_not_answer(print_settings, tmp_path):
    from tools.print_lab import free_port
    closed = dataclasses.replace(print_settings.printing, receipt_printer=("tcp", f"127.0.0.1:{free_port()}"))
    with pytest.raises(PrintError) as refused:
        receipt_printer(closed).send(ticket_bytes())
    assert refused.value.problem is PrintProblem.UNREACHABLE
    missing = dataclasses.replace(closed, receipt_printer=("file", str(tmp_path / "no" / "lp0")))
    with pytest.raises(PrintError):
        receipt_printer(missing).send(ticket_bytes())


# ---- what the kiosk tells CUPS ---------------------------------------------------------------------

def test_a_resident_file_name_with_spaces_prints_keeps_cupsd_alive_and_is_never_told_to_cups(
        resident, print_settings, print_lab, tmp_path):
    # Debian's cupsd 2.4.2-3+deb12u10 died on a document-name with a space; and a file's name is the resident's.
    named = tmp_path / "Mans iesniegums ģimenei.pdf"
    named.write_bytes(authorisation_pdf(tmp_path).read_bytes())
    assert resident.print(named) == Printed(pages=1, pages_left=19)
    receipt_printer(print_settings.printing).send(ticket_bytes())
    deadline = time.monotonic() + 5
    while not print_lab.receipts.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert print_lab.receipts.received == [ticket_bytes()]
    assert len(print_lab.received_documents()) == 1
    assert print_lab.cupsd_running()
    assert DocumentPrinter("kac-a4", print_lab.socket).check().problem is None  # and still answers
    for needle in ("iesniegums", "ģimenei", "Mans"):
        for path in print_lab.root.rglob("*"):
            assert needle not in path.name
            if path.is_file() and not path.is_socket():
                assert needle.encode() not in path.read_bytes(), path

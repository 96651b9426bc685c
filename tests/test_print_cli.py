"""`kiosk printers`, `print`, `ticket` and `authorisation` against the print lab, as an administrator runs them."""

from __future__ import annotations

import json

from tests.support.printed_output import decoded_qr_codes, pdf_text, text_outside_rasters
from test_cli import ini_with, kiosk
from tools.print_lab import A4_QUEUE, RECEIPT_QUEUE

SERVICE = "vsaa-paternity-benefit"


def lab_ini(tmp_path, lab, receipt=f"cups:{RECEIPT_QUEUE}", a4=A4_QUEUE):
    path = ini_with(tmp_path, "cups_server =", f"cups_server = {lab.socket}")
    text = path.read_text(encoding="utf-8").replace("a4_queue =", f"a4_queue = {a4}")
    text = text.replace("receipt_printer = none", f"receipt_printer = {receipt}").replace("job_timeout_s = 90",
                                                                                          "job_timeout_s = 8")
    path.write_text(text, encoding="utf-8")
    return path


def test_printers_lists_each_queue_with_state_and_role(tmp_path, print_lab):
    result = kiosk("printers", "--json", "--config", str(lab_ini(tmp_path, print_lab)))
    assert result.returncode == 0, result.stderr
    rows = {row["queue"]: row for row in json.loads(result.stdout)}
    assert rows[A4_QUEUE]["role"] == "A4 documents" and rows[A4_QUEUE]["state"] == "idle"
    assert rows[RECEIPT_QUEUE]["role"] == "tickets and receipts"


def test_printers_exits_1_naming_a_configured_queue_that_is_missing(tmp_path, print_lab):
    result = kiosk("printers", "--config", str(lab_ini(tmp_path, print_lab, a4="upstairs")))
    assert result.returncode == 1
    assert "upstairs: missing" in result.stdout


def test_print_follows_the_job_to_the_end(tmp_path, print_lab):
    source = tmp_path / "form.pdf"
    assert kiosk("authorisation", "--service", SERVICE, "--out", str(source)).returncode == 0
    ini = lab_ini(tmp_path, print_lab)
    printed = kiosk("print", str(source), "--config", str(ini))
    assert printed.returncode == 0, printed.stderr
    assert "Printed 1 page(s)" in printed.stdout
    assert "Paternitātes pabalsts" in pdf_text(print_lab.received_documents()[0].read_bytes(), tmp_path)

    print_lab.set_fault("media-empty")  # nobody adds paper: the job ends after job_timeout_s
    empty = kiosk("print", str(source), "--config", str(ini))
    assert empty.returncode == 1 and "out of paper" in empty.stderr
    print_lab.set_fault("none")

    not_a_document = tmp_path / "notes.txt"
    not_a_document.write_text("hello")
    refused = kiosk("print", str(not_a_document), "--config", str(ini))
    assert refused.returncode == 1 and "cannot be printed here" in refused.stderr

    print_lab.stop_cupsd()
    down = kiosk("print", str(source), "--config", str(ini))
    assert down.returncode == 1 and "Printing is not working" in down.stderr
    assert "Traceback" not in down.stderr


def test_ticket_prints_through_the_receipt_queue_or_writes_the_bytes(tmp_path, print_lab):
    ini = lab_ini(tmp_path, print_lab)
    out = tmp_path / "ticket.escpos"
    written = kiosk("ticket", "--service", SERVICE, "--number", "A-042", "--out", str(out), "--config", str(ini))
    assert written.returncode == 0, written.stderr
    text = text_outside_rasters(out.read_bytes()).decode("cp1257")
    assert "A-042" in text and "Paternitātes pabalsts" in text and "Demo KAC" in text
    assert "Gaidiet savu numuru uz ekrāna" in text  # the Latvian words, not the English source

    printed = kiosk("ticket", "--service", SERVICE, "--number", "A-043", "--config", str(ini))
    assert printed.returncode == 0, printed.stderr
    [arrived] = print_lab.receipts.received
    assert b"A-043" in arrived
    assert decoded_qr_codes(arrived, tmp_path) == []  # a number given by hand has no queue page to follow


def test_ticket_without_a_receipt_printer_says_how_to_set_one(tmp_path, print_lab):
    result = kiosk("ticket", "--service", SERVICE, "--number", "A-001", "--config",
                   str(lab_ini(tmp_path, print_lab, receipt="none")))
    assert result.returncode == 1 and "receipt_printer" in result.stderr


def test_authorisation_names_the_resident_with_diacritics(tmp_path):
    out = tmp_path / "pilnvara.pdf"
    result = kiosk("authorisation", "--service", SERVICE, "--given-name", "Jānis", "--surname", "Bērziņš",
                   "--personal-code", "010180-12345", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Jānis" in text and "Bērziņš" in text and "010180-12345" in text and "Paternitātes pabalsts" in text
    unknown = kiosk("authorisation", "--service", "no-such-service", "--out", str(out))
    assert unknown.returncode == 1 and "no service 'no-such-service'" in unknown.stderr

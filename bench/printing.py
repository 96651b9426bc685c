"""Printing speed: "Print" tapped until CUPS accepted the job, against `lp` on the same file; and the layouts.

Prints print_ms and lp_ms (median of 21 each, alternating, against the print lab's cupsd) and print_ratio
(goal <= 1.2); ticket_ms (a Latvian ticket to ESC/POS bytes, goal <= 50 ms), ticket_uk_ms (Ukrainian, so most
lines are pictures), receipt_ms and authorisation_ms (median of 50). Run as root: `.venv/bin/python bench/printing.py`.
--quick: 3 jobs each and 5 layouts each, for the tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import datetime

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from printers.forms import AuthorisationData, authorisation_form  # noqa: E402
from printers.cups_printer import DocumentPrinter  # noqa: E402
from printers.layouts import ReceiptData, TicketData, TicketLabels, queue_ticket, receipt  # noqa: E402
from tools.print_lab import A4_QUEUE, PrintLab  # noqa: E402

RUNS, QUICK_RUNS = 50, 5
PRINT_RUNS, QUICK_PRINT_RUNS = 21, 3
WHEN = datetime(2025, 11, 23, 11, 38)
CENTRE = "Valsts un pašvaldības vienotais klientu apkalpošanas centrs, Rīga"
TICKET = TicketData(centre_name=CENTRE, number="A-042", service_name="Slimības pabalsts", issued_at=WHEN,
                    follow_url="https://rinda.example.lv/q/riga/A-042", people_ahead=3, expected_wait_min=12)
TICKET_UK = TicketData(
    centre_name=TICKET.centre_name, number="A-042", service_name="Допомога у зв’язку з хворобою", issued_at=WHEN,
    follow_url=TICKET.follow_url, people_ahead=3, expected_wait_min=12,
    labels=TicketLabels(people_ahead="Перед вами: {count}", expected_wait="Очікування: близько {minutes} хв",
                        where_to_go="Чекайте свій номер на екрані", follow_hint="Скануйте, щоб стежити за чергою",
                        instruction="Зберігайте талон, доки вас не викличуть"))
RECEIPT = ReceiptData(centre_name=TICKET.centre_name, what_was_done="Iesniegts pieteikums: Slimības pabalsts",
                      reference="VSAA-2025-000123", done_at=WHEN, link_url="https://www.latvija.gov.lv/")
AUTHORISATION = AuthorisationData(
    service_name="Slimības pabalsts", institution="Valsts sociālās apdrošināšanas aģentūra", centre_name="Demo KAC",
    centre_address="Brīvības iela 1, Rīga", issued_at=WHEN, language="uk", given_name="Jānis", surname="Bērziņš",
    personal_code="010180-12345")


def median_ms(build, runs: int) -> float:
    """Median wall time of `runs` calls, in milliseconds (the first call, which loads fonts, included)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def print_against_lp(pdf: Path, runs: int) -> tuple[float, float]:
    """What the kiosk does when "Print" is tapped (check the printer, then send the job), and `lp` on the same file.

    Jobs are cancelled as they go so the queue never grows; the fake printer is held on a fault so nothing prints.
    """
    root = Path(tempfile.mkdtemp(prefix="kac-bench-print-"))
    lab = PrintLab(root).start()
    try:
        lab.set_fault("media-empty")  # jobs wait at the printer: we measure acceptance, not paper
        printer = DocumentPrinter(A4_QUEUE, lab.socket)
        ours, theirs = [], []
        for _ in range(runs):
            start = time.perf_counter()
            printer.check()
            job = printer.submit(pdf)
            ours.append((time.perf_counter() - start) * 1000)
            printer.cancel(job.job_id)
            start = time.perf_counter()
            subprocess.run(["lp", "-h", lab.socket, "-d", A4_QUEUE, "-t", "KAC kiosk document", str(pdf)],
                           check=True, capture_output=True)
            theirs.append((time.perf_counter() - start) * 1000)
            subprocess.run(["cancel", "-h", lab.socket, "-a", "-x", A4_QUEUE], capture_output=True)
        return statistics.median(ours), statistics.median(theirs)
    finally:
        lab.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer jobs and layouts: does the bench still run?")
    quick = parser.parse_args().quick
    runs, print_runs = (QUICK_RUNS, QUICK_PRINT_RUNS) if quick else (RUNS, PRINT_RUNS)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "form.pdf"
        pdf.write_bytes(authorisation_form(AUTHORISATION))
        ours, lp = print_against_lp(pdf, print_runs)
    print(f"print_ms={ours:.2f}")
    print(f"lp_ms={lp:.2f}")
    print(f"print_ratio={ours / lp:.2f}")
    print(f"ticket_ms={median_ms(lambda: queue_ticket(TICKET), runs):.2f}")
    print(f"ticket_uk_ms={median_ms(lambda: queue_ticket(TICKET_UK), runs):.2f}")
    print(f"receipt_ms={median_ms(lambda: receipt(RECEIPT), runs):.2f}")
    print(f"authorisation_ms={median_ms(lambda: authorisation_form(AUTHORISATION), runs):.2f}")


if __name__ == "__main__":
    main()

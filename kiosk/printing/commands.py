"""`kiosk printers`, `kiosk print`, `kiosk ticket` and `kiosk authorisation`: printing from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from kiosk.config import load_settings
from kiosk.i18n import LANGUAGES, translate
from kiosk.printing.messages import RESIDENT_MESSAGES
from printers.problems import PrintError

EXIT_OK, EXIT_FAILED = 0, 1


def _fail(error: PrintError) -> int:
    # The administrator reads the resident's plain sentence, then the technical detail.
    print(f"{translate('en', RESIDENT_MESSAGES[error.problem])} ({error})", file=sys.stderr)
    return EXIT_FAILED


def _service(settings, service_id: str):
    from kiosk.catalog import load_configured
    service = load_configured(settings).catalog.by_id.get(service_id)
    if service is None:
        print(f"The catalogue has no service '{service_id}'; 'kiosk catalog search' finds ids.", file=sys.stderr)
    return service


def cmd_printers(args: argparse.Namespace) -> int:
    from printers.cups_printer import DocumentPrinter
    settings = load_settings(args.config)
    printing = settings.printing
    printer = DocumentPrinter(printing.a4_queue, printing.cups_server)
    try:
        queues = printer.queues()
        a4 = printer.queue()
    except PrintError as error:
        if not printing.a4_queue or error.problem.value != "printer missing":
            return _fail(error)
        a4 = None
    receipt_kind, receipt_target = printing.receipt_printer
    rows = []
    for status in queues:
        role = ("A4 documents" if status.queue == a4 else
                "tickets and receipts" if receipt_kind == "cups" and status.queue == receipt_target else "")
        rows.append({**status.as_dict(), "role": role})
    for queue, role in ((printing.a4_queue, "A4 documents"),
                        (receipt_target if receipt_kind == "cups" else "", "tickets and receipts")):
        if queue and queue not in [row["queue"] for row in rows]:
            rows.append({"queue": queue, "state": "missing", "accepting": False, "reasons": [], "message": "",
                         "problem": "printer missing", "warnings": [], "markers": {}, "role": role})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            problem = f", problem: {row['problem']}" if row["problem"] else ""
            print(f"{row['queue']}: {row['state']}{', accepting' if row['accepting'] else ', not accepting'}"
                  f"{problem}; reasons: {', '.join(row['reasons']) or 'none'}"
                  f"{' (' + row['role'] + ')' if row['role'] else ''}")
    problems = [row for row in rows if row["role"] and row["problem"]]
    return EXIT_FAILED if problems else EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    from printers.cups_printer import DocumentPrinter
    from printers.documents import prepare
    settings = load_settings(args.config)
    printing = settings.printing
    printer = DocumentPrinter(args.printer or printing.a4_queue, printing.cups_server,
                              timeout_s=printing.job_timeout_s)
    with tempfile.TemporaryDirectory(prefix="kiosk-print-") as work:
        try:
            document = prepare(Path(args.file), Path(work))
            printer.check()
            job = printer.submit(document.pdf)
            outcome = printer.follow(job, lambda update: print(f"job {update.job_id}: {update.state}"
                                                               + (f", {update.problem.value}" if update.problem else ""),
                                                               file=sys.stderr))
        except PrintError as error:
            return _fail(error)
    if not outcome.printed:
        return _fail(PrintError(outcome.problem, f"job {outcome.job_id} did not print"))
    print(f"Printed {document.pages} page(s) on {job.queue} (job {job.job_id})"
          + (f"; the printer reports {', '.join(outcome.warnings)}" if outcome.warnings else "") + ".")
    return EXIT_OK


def cmd_ticket(args: argparse.Namespace) -> int:
    from kiosk.printing.receipts import queue_ticket_slip
    from kiosk.desk_link.facade import Ticket
    from printers.receipt_printer import receipt_printer
    settings = load_settings(args.config)
    service = _service(settings, args.service)
    if service is None:
        return EXIT_FAILED
    if args.number is None:
        from kiosk.desk_link.commands import take_ticket_for_cli
        ticket = take_ticket_for_cli(settings, service.id, service.name.lv)
    else:  # a number given by hand: nothing is known of the queue
        ticket = Ticket(args.number, None, None, "", None, from_desk=False)
    number = ticket.number
    data = queue_ticket_slip(settings, args.lang, ticket, service)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"Ticket {number}: {len(data)} bytes of ESC/POS written to {args.out}.")
        return EXIT_OK
    printer = receipt_printer(settings.printing)
    if printer is None:
        print("No receipt printer is configured: set [printing] receipt_printer in kiosk.ini, "
              "or write the ticket to a file with --out.", file=sys.stderr)
        return EXIT_FAILED
    try:
        printer.send(data)
    except PrintError as error:
        return _fail(error)
    print(f"Ticket {number} printed on {printer.description}.")
    return EXIT_OK


def cmd_authorisation(args: argparse.Namespace) -> int:
    from types import SimpleNamespace
    from kiosk.printing.paperwork import authorisation_pdf
    settings = load_settings(args.config)
    service = _service(settings, args.service)
    if service is None:
        return EXIT_FAILED
    given = [args.given_name, args.surname, args.personal_code]
    identity = SimpleNamespace(given_name=args.given_name, surname=args.surname,
                               personal_code=args.personal_code) if any(given) else None
    Path(args.out).write_bytes(authorisation_pdf(settings, service, args.lang, identity))
    print(f"The authorisation for '{service.name.lv}' is in {args.out}.")
    return EXIT_OK


def add_printing_commands(commands) -> None:
    printers = commands.add_parser("printers", help="each CUPS queue with its state and reasons; "
                                                    "exit 1 when a configured printer has a problem")
    printers.add_argument("--json", action="store_true")
    printers.add_argument("--config", help="path of kiosk.ini")
    printers.set_defaults(handler=cmd_printers)

    print_ = commands.add_parser("print", help="print a PDF or photo on the A4 printer and follow the job; "
                                               "exit 0 when printed, 1 with a sentence")
    print_.add_argument("file")
    print_.add_argument("--printer", help="the CUPS queue (default: [printing] a4_queue, else CUPS's default)")
    print_.add_argument("--config", help="path of kiosk.ini")
    print_.set_defaults(handler=cmd_print)

    ticket = commands.add_parser("ticket", help="print a queue ticket for a service (number from the staff "
                                                "desk, else the kiosk's own series)")
    ticket.add_argument("--service", required=True, help="the catalogue id of the service")
    ticket.add_argument("--number", help="print this number instead of taking one, e.g. A-042")
    ticket.add_argument("--lang", choices=list(LANGUAGES), default="lv")
    ticket.add_argument("--out", help="write the ESC/POS bytes to this file instead of printing")
    ticket.add_argument("--config", help="path of kiosk.ini")
    ticket.set_defaults(handler=cmd_ticket)

    authorisation = commands.add_parser("authorisation", help="write the authorisation form for a service as PDF")
    authorisation.add_argument("--service", required=True, help="the catalogue id of the service")
    authorisation.add_argument("--given-name")
    authorisation.add_argument("--surname")
    authorisation.add_argument("--personal-code")
    authorisation.add_argument("--lang", choices=list(LANGUAGES), default="lv")
    authorisation.add_argument("--out", required=True, help="the PDF file to write")
    authorisation.add_argument("--config", help="path of kiosk.ini")
    authorisation.set_defaults(handler=cmd_authorisation)

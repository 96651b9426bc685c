"""`kiosk scan`: scan pages into a PDF from the command line, through the same service the kiosk uses."""

from __future__ import annotations

import argparse
import queue
import shutil
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1
WAIT_S = 600  # a long feeder job with OCR; the service reports every page, so this is only a last resort


def add_scan_parser(subparsers) -> argparse.ArgumentParser:
    scan = subparsers.add_parser("scan", help="scan pages into a PDF; exit 1 with a sentence when it fails")
    scan.add_argument("--device", help="the SANE device, as 'scanimage -L' names it (default: [scanning] device, "
                                       "else the first found)")
    scan.add_argument("--pages", type=int, default=0,
                      help="how many pages (default: 1 from the glass; with --source feeder, all it holds)")
    scan.add_argument("--source", choices=["flatbed", "feeder"],
                      help="where the paper is (default: feeder when --pages is above 1, else flatbed)")
    scan.add_argument("--mode", choices=["text", "photo"], default="text",
                      help="text: grey at 300 dpi; photo: colour at 300 dpi")
    scan.add_argument("--dpi", type=int, default=0, help="another resolution than the mode's")
    scan.add_argument("--ocr", action="store_true", help="make the text searchable (tesseract, Latvian + English)")
    scan.add_argument("--out", required=True, help="the PDF to write")
    scan.add_argument("--config", help="path of kiosk.ini")
    scan.set_defaults(handler=cmd_scan)
    return scan


def cmd_scan(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from kiosk.scanning.modes import ScanMode, ScanRequest, Source
    from kiosk.scanning.service import DeliveryFailed, PdfReady, ScanFailed, ScanFinished, ScanService
    from kiosk.visits import Visits

    settings = load_settings(args.config)
    absent = _absent_device(args, settings)
    if absent:
        print(absent, file=sys.stderr)
        return EXIT_FAILED
    source = Source(args.source) if args.source else (Source.FEEDER if args.pages > 1 else Source.FLATBED)
    request = ScanRequest(ScanMode(args.mode), source, args.dpi, max(args.pages, 0))
    # The pages live in a visit folder of their own, wiped at the end, exactly as at the kiosk. No prepare():
    # that would remove the folders of a kiosk running with the same runtime_dir.
    settings.visit.runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    visits = Visits(settings.visit.runtime_dir)
    visit = visits.start()
    events: queue.Queue = queue.Queue()
    service = ScanService(lambda event, visit=None: events.put(event), args.device or settings.scanning.device)
    service.start()
    try:
        service.attach(visit)
        service.scan(request)
        outcome = _wait(events, (ScanFinished, ScanFailed))
        if isinstance(outcome, ScanFailed):
            return _fail(outcome.problem)
        service.make_pdf(searchable=args.ocr)
        while True:
            outcome = _wait(events, (PdfReady, DeliveryFailed))
            if isinstance(outcome, PdfReady):
                break
            if outcome.problem.name != "OCR_FAILED":
                return _fail(outcome.problem)
            print(outcome.problem.value, file=sys.stderr)  # a warning: the PDF follows without text
        out = Path(args.out)
        try:
            shutil.copyfile(outcome.path, out)
        except OSError as error:
            print(f"{out}: the PDF cannot be written ({error.strerror}).", file=sys.stderr)
            return EXIT_FAILED
        print(f"{out}: {outcome.pages} page(s){', searchable' if outcome.searchable else ''}")
        return EXIT_OK
    finally:
        service.stop()
        visits.end("kiosk scan finished")


def _absent_device(args: argparse.Namespace, settings) -> str | None:
    """A named scanner that SANE lacks, said at once: the service would search twice, then only say
    "not answering", which sends an administrator to the hardware instead of the name. One listing is enough:
    SANE starts afresh in this process, so the service's second look would find nothing new."""
    from kiosk.scanning.device import absent_device
    wanted = args.device or settings.scanning.device
    if not wanted:
        return None
    return absent_device(wanted, "given with --device" if args.device else f"[scanning] device in {settings.path}")


def _wait(events: queue.Queue, kinds: tuple[type, ...]):
    while True:
        try:
            event = events.get(timeout=WAIT_S)
        except queue.Empty:
            from kiosk.scanning.problems import Problem
            from kiosk.scanning.service import ScanFailed
            return ScanFailed(Problem.NO_SCANNER)
        if isinstance(event, kinds):
            return event


def _fail(problem) -> int:
    print(problem.value, file=sys.stderr)
    return EXIT_FAILED

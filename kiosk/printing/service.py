"""Printing for one resident: prepare a document, keep to the page quota, print, follow, and purge at the end."""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Callable

from kiosk.events import PrinterAlert, PrintFailed, PrintPrepared, PrintProgress, Printed
from kiosk.visit import Visit
from kiosk.worker import Worker
from printers.cups_printer import DocumentPrinter, JobOutcome, JobUpdate, connect
from printers.documents import prepare, thumbnails
from printers.problems import PrintError, PrintProblem

log = logging.getLogger(__name__)

# The most copies one job may ask for: a resident who wants more is better served by staff.
MAX_COPIES = 10


class PrintService:
    """Does the slow work on one worker thread; every outcome arrives through `on_event(event, visit)` from that
    thread, with the visit the work was for (None for the printer's own alerts). The visit itself is not changed
    here: the core does that on its thread.

    CUPS's job updates stop here: what leaves is kiosk.events.
    """

    def __init__(self, printing, on_event: Callable[..., None]):
        self.quota = printing.page_quota
        self.printer = DocumentPrinter(printing.a4_queue, printing.cups_server, timeout_s=printing.job_timeout_s)
        self.on_event = on_event
        self._jobs: set[int] = set()          # CUPS jobs of the attached visit not yet ended
        self._visit: Visit | None = None
        self._cancel = threading.Event()
        self._worker = Worker("printing")

    # ---- what the app asks for ---------------------------------------------------------------------

    def attach(self, visit: Visit) -> None:
        """Print for this visit from now on; its end cancels and purges its unfinished jobs, and checks that CUPS
        holds none."""
        self._cancel.clear()
        self._visit = visit
        visit.add_wiper("print jobs", self._purge_jobs, self._no_jobs_left)

    def pages_left(self) -> int:
        """Free pages the attached visit has left (the visit's count is changed by the core, from Printed)."""
        return self._left(self._visit) if self._visit is not None else 0

    def copies_possible(self, pages: int) -> int:
        """How many copies of `pages` pages the free pages left allow, at most MAX_COPIES in one job."""
        return min(MAX_COPIES, self.pages_left() // pages) if pages > 0 else 0

    def prepare(self, source: Path) -> None:
        self._submit(self._prepare, source)

    def print(self, prepared: PrintPrepared, copies: int = 1) -> None:
        """`copies` of the document as one job; all of them count against the quota."""
        if copies < 1:
            raise ValueError(f"copies must be 1 or more, not {copies}")
        self._submit(self._print, prepared, copies)

    def _submit(self, work: Callable, *args) -> None:
        # The task is the attached visit's: what it reports is for that visit, dropped if it has ended meanwhile.
        self._worker.post(functools.partial(self._run, self._visit, work, args))

    def stop(self) -> None:
        self._cancel.set()
        self._worker.stop()

    # ---- on the worker thread ----------------------------------------------------------------------

    def _run(self, visit: Visit | None, work: Callable, args: tuple) -> None:
        if visit is None or visit.ended:
            return
        try:
            work(visit, *args)
        except PrintError as error:
            log.warning("printing: %s", error)  # the detail names queues and states, never a document
            self.on_event(PrintFailed(error.problem), visit)
        except Exception as error:
            # The kind only: a traceback can name the resident's file.
            log.error("printing failed unexpectedly: %s", type(error).__name__)
            self.on_event(PrintFailed(PrintProblem.FAILED), visit)

    def _prepare(self, visit: Visit, source: Path) -> None:
        work = visit.directory / "print"
        document = prepare(source, work)
        pictures = thumbnails(document.pdf, work / "thumbnails")
        self.on_event(PrintPrepared(document.pdf, document.pages, tuple(pictures), self._left(visit)), visit)

    def _print(self, visit: Visit, prepared: PrintPrepared, copies: int) -> None:
        pages = prepared.pages * copies
        if pages > self._left(visit):
            raise PrintError(PrintProblem.QUOTA, f"{pages} pages asked, {self._left(visit)} left")
        try:
            self.printer.check()
        except PrintError as error:
            self._alert(error.problem)
            raise
        job = self.printer.submit(prepared.pdf, copies)
        self._jobs.add(job.job_id)
        try:
            outcome = self.printer.follow(job, lambda update: self._progress(update, visit), self._cancel)
        finally:
            self._jobs.discard(job.job_id)
        if not visit.ended:  # a visit that ended meanwhile had its job cancelled: nobody to tell
            self._finish(visit, pages, outcome)

    def _left(self, visit: Visit) -> int:
        return max(0, self.quota - visit.prints.pages_printed)

    def _progress(self, update: JobUpdate, visit: Visit) -> None:
        if update.problem is not None:
            self._alert(update.problem)
        self.on_event(PrintProgress(update.state, update.problem), visit)

    def _finish(self, visit: Visit, pages: int, outcome: JobOutcome) -> None:
        for warning in outcome.warnings:
            self.on_event(PrinterAlert(warning))
        if not outcome.printed:
            self._alert(outcome.problem)
            raise PrintError(outcome.problem or PrintProblem.FAILED, f"job {outcome.job_id} did not print")
        # Pages count against the quota only once they are out (a jam costs the resident nothing): the core adds
        # them to the visit's count when it hears of them. The UI asks for the next job only after that.
        self.on_event(Printed(pages, max(0, self._left(visit) - pages)), visit)

    def _alert(self, problem: PrintProblem | None) -> None:
        if problem not in (None, PrintProblem.QUOTA, PrintProblem.NOT_A_DOCUMENT):
            self.on_event(PrinterAlert(problem.value))

    # ---- the visit's end -------------------------------------------------------------------------

    def _purge_jobs(self) -> None:
        self._cancel.set()  # a follow in progress cancels its job and returns
        self._visit = None
        for job_id in list(self._jobs):
            self.printer.cancel(job_id)

    def _no_jobs_left(self) -> bool:
        if not self._jobs:
            return True
        try:
            unfinished = connect(self.printer.server).getJobs(which_jobs="not-completed")
        except (PrintError, RuntimeError):
            return False
        return not (set(unfinished) & self._jobs)


PRINTABLE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


def printable_files(visit: Visit, sticks) -> tuple[Path | None, list[Path]]:
    """The resident's kept scan (or None), and the PDFs and photos on the USB sticks (kiosk.usb.UsbStick)."""
    scan = visit.scans.kept_pdf
    scan = scan if scan is not None and scan.exists() else None
    return scan, documents_on_sticks([stick.mount_point for stick in sticks])


def documents_on_sticks(mount_points: list[Path], limit: int = 40) -> list[Path]:
    """PDFs and photos on the resident's USB sticks (top folder and one below), newest first."""
    found: list[Path] = []
    for root in mount_points:
        for pattern in ("*", "*/*"):
            try:
                found += [path for path in Path(root).glob(pattern)
                          if path.suffix.lower() in PRINTABLE_SUFFIXES and path.is_file()
                          and not any(part.startswith(".") for part in path.relative_to(root).parts)]
            except OSError:
                continue  # a stick pulled out while we looked
    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0
    return sorted(found, key=modified, reverse=True)[:limit]

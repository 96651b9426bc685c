"""The scanning service the app uses: scans in one worker thread, keeps the visit's pages, makes and hands on PDFs."""

from __future__ import annotations

import functools
import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Callable

from kiosk.events import DeliveryFailed, PageScanned, PdfReady, SavedToStick, ScanFailed, ScanFinished, ScanStarted
from kiosk.scanning import ocr, pages as page_ops
from kiosk.scanning.device import Scanner
from kiosk.scanning.modes import ScanRequest
from kiosk.scanning.pages import Page, Pages
from kiosk.scanning.pdf import write_pdf
from kiosk.scanning.problems import Problem, ScanError
from kiosk.usb import UsbError, UsbProblem, UsbStick, unmount, write_to_stick
from kiosk.worker import Worker

log = logging.getLogger(__name__)

SCANS_FOLDER = "scans"
PDF_NAME = "scan-{document}.pdf"  # one per document: a second one scanned in the visit keeps the first
WIPE_WAIT_S = 30.0
# A stick's failure in the words of a scan saved on it.
USB_PROBLEMS = {UsbProblem.NO_STICK: Problem.NO_USB, UsbProblem.FULL: Problem.USB_FULL,
                UsbProblem.WRITE_FAILED: Problem.USB_WRITE_FAILED, UsbProblem.STILL_IN_USE: Problem.USB_STILL_IN_USE}


class _Stale(Exception):
    """The visit this work was for has ended: drop it silently."""


class ScanService:
    """Owns the scanner (used only from its worker thread) and the current visit's pages.

    Every outcome arrives through `on_event(event, visit)` with the visit the work was for (None for the USB
    sticks, which are the kiosk's); the visit itself is changed by the core, on its thread (Visit.record).
    """

    def __init__(self, on_event: Callable[..., None], device: str = "", extra_options: dict[str, object] | None = None):
        self.on_event = on_event
        self.scanner = Scanner(device, extra_options)
        self._worker: Worker | None = None
        self._lock = threading.Lock()        # the page list and the visit it belongs to
        self._files = threading.Lock()       # held while the worker writes into the visit folder
        self._cancel = threading.Event()     # set by cancel() and by the visit's wipe
        self._visit = None
        self._folder: Path | None = None
        self._pages: Pages = ()
        self._edits = 0                      # bumped on every change, so a PDF knows whether it is current
        self._document = 1                   # which document of the visit the pages are: its PDF's name
        self._pdf: tuple[int, bool, Path] | None = None

    # ---- life cycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        if self._worker is None:
            # The scanner is opened and closed on this one thread only: SANE handles are not shared.
            self._worker = Worker("scan-work", at_end=self.scanner.close)

    def stop(self) -> None:
        self._cancel.set()
        if self._worker is not None:
            self._worker.stop(timeout_s=30)
            self._worker = None

    def attach(self, visit) -> None:
        """Keep pages for this visit (kiosk.visit.Visit) in its folder; its end wipes them."""
        with self._lock:
            if self._visit is visit:
                return
            folder = visit.directory / SCANS_FOLDER
            folder.mkdir(mode=0o700, exist_ok=True)
            self._visit, self._folder, self._pages, self._pdf = visit, folder, (), None
            self._edits += 1
            self._document = 1
            self._cancel.clear()
        visit.add_wiper("scans", lambda: self._wipe(visit, folder), lambda: not folder.exists())

    def _wipe(self, visit, folder: Path) -> None:
        self._cancel.set()  # a scan stops after its page, tesseract is stopped
        with self._lock:
            if self._visit is visit:
                self._visit, self._folder, self._pages, self._pdf = None, None, (), None
                self._edits += 1
        # Wait for a file the worker is writing, so that nothing appears in the folder after it is gone.
        acquired = self._files.acquire(timeout=WIPE_WAIT_S)
        try:
            if folder.exists():
                shutil.rmtree(folder)
        finally:
            if acquired:
                self._files.release()

    # ---- the resident's page list (called on the UI thread; quick) ---------------------------------------

    @property
    def pages(self) -> Pages:
        return self._pages

    def rotate(self, index: int, degrees: int = 90) -> Pages:
        with self._lock:
            self._pages = page_ops.rotate(self._pages, index, degrees)
            self._edits += 1
            return self._pages

    def move(self, index: int, to: int) -> Pages:
        with self._lock:
            self._pages = page_ops.move(self._pages, index, to)
            self._edits += 1
            return self._pages

    def delete(self, index: int) -> Pages:
        with self._lock:
            self._pages, removed = page_ops.delete(self._pages, index)
            self._edits += 1
        page_ops.remove_files(removed)
        return self._pages

    def clear(self) -> None:
        """Start a new document: every page goes (the PDF made of them, if any, stays kept for the visit)."""
        with self._lock:
            removed, self._pages = self._pages, ()
            self._edits += 1
            self._document += 1
        for page in removed:
            page_ops.remove_files(page)

    @staticmethod
    def thumbnail(page: Page) -> bytes:
        return page_ops.thumbnail_png(page)

    # ---- work for the worker thread ---------------------------------------------------------------------

    def scan(self, request: ScanRequest) -> None:
        """Scan in the background: ScanStarted, PageScanned per page, then ScanFinished or ScanFailed."""
        self._submit(self._scan, request)

    def cancel(self) -> None:
        """Stop a feeder scan after the page under way."""
        self._cancel.set()

    def make_pdf(self, searchable: bool = False) -> None:
        """The pages as one PDF in the visit folder ("Keep for the e-service", "Print a copy"): PdfReady."""
        self._submit(self._make_pdf, searchable)

    def save_to_stick(self, stick: UsbStick, searchable: bool = False, stem: str = "") -> None:
        """The PDF onto the stick, then unmount it: SavedToStick or DeliveryFailed."""
        self._submit(self._save_to_stick, stick, searchable, stem)

    def _submit(self, work, *args) -> None:
        with self._lock:
            visit = self._visit
        self._worker.post(functools.partial(self._run, visit, work, args))

    def _run(self, visit, work, args) -> None:
        try:
            if visit is None or visit is not self._visit:
                raise _Stale
            work(visit, *args)
        except _Stale:
            pass
        except Exception as error:  # the resident gets a message; the log the kind of error, no content
            if visit is not self._visit:
                return  # the visit ended under the work (its folder is gone): nobody is waiting
            log.error("scan work failed: %s", type(error).__name__)
            self.on_event(ScanFailed(Problem.SCAN_FAILED) if work == self._scan
                          else DeliveryFailed(Problem.PDF_FAILED), visit)

    def _current(self, visit) -> tuple[Path, Pages, int]:
        with self._lock:
            if visit is not self._visit or self._folder is None:
                raise _Stale
            return self._folder, self._pages, self._edits

    def _scan(self, visit, request: ScanRequest) -> None:
        folder, _, _ = self._current(visit)
        self._cancel.clear()
        self.on_event(ScanStarted(request), visit)
        added = 0

        def keep(image) -> None:
            nonlocal added
            with self._files:
                self._current(visit)  # still this resident's?
                page = page_ops.store_page(image, folder, request.resolution)
            with self._lock:
                if visit is not self._visit:
                    raise _Stale
                self._pages += (page,)
                self._edits += 1
                count = len(self._pages)
            added += 1
            self.on_event(PageScanned(page, count), visit)

        try:
            self.scanner.scan(request, keep, self._cancel.is_set)
        except ScanError as error:
            # The detail is SANE's status or an option name: nothing of the resident's pages.
            log.info("scan: %s after %d page(s): %s", error.problem.name, added, error)
            self.on_event(ScanFailed(error.problem, added), visit)
            return
        self.on_event(ScanFinished(added, len(self._pages)), visit)

    def _pdf_for(self, visit, searchable: bool) -> tuple[Path, bool]:
        """The current PDF of the pages, made now unless the pages are unchanged since the last one."""
        folder, pages, edits = self._current(visit)
        if self._pdf is not None and self._pdf[:2] == (edits, searchable) and self._pdf[2].exists():
            return self._pdf[2], searchable
        out = folder / PDF_NAME.format(document=self._document)
        began = time.perf_counter()
        with self._files:
            self._current(visit)
            if searchable:
                try:
                    ocr.write_searchable_pdf(pages, out, folder / "ocr", cancelled=self._cancel)
                except ScanError as error:
                    if error.problem is not Problem.OCR_FAILED or self._cancel.is_set():
                        raise
                    # The scan is still worth having without its text layer: say so, and carry on.
                    self.on_event(DeliveryFailed(Problem.OCR_FAILED), visit)
                    searchable = False
                    write_pdf(pages, out)
            else:
                write_pdf(pages, out)
        log.info("PDF of %d page(s) made in %.0f ms", len(pages), (time.perf_counter() - began) * 1000)
        with self._lock:
            if visit is not self._visit:
                raise _Stale
            self._pdf = (edits, searchable, out)
        return out, searchable

    def _make_pdf(self, visit, searchable: bool) -> None:
        try:
            out, searchable = self._pdf_for(visit, searchable)
        except ScanError as error:
            self.on_event(DeliveryFailed(error.problem), visit)
            return
        self.on_event(PdfReady(out, len(self._current(visit)[1]), searchable), visit)

    def _save_to_stick(self, visit, stick: UsbStick, searchable: bool, stem: str) -> None:
        try:
            pdf, _ = self._pdf_for(visit, searchable)
            with self._files:
                name = write_to_stick(pdf, stick, stem or time.strftime("scan-%Y-%m-%d-%H%M"))
            unmount(stick)
        except (ScanError, UsbError) as error:
            problem = USB_PROBLEMS[error.problem] if isinstance(error, UsbError) else error.problem
            log.info("USB delivery: %s", problem.name)
            self.on_event(DeliveryFailed(problem), visit)
            return
        self.on_event(SavedToStick(stick, name, pdf), visit)

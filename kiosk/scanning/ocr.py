"""Searchable PDFs: tesseract reads the pages (Latvian and English) and lays its text under the images."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Sequence

from PIL import Image

from kiosk.scanning.pages import Page, upright
from kiosk.scanning.pdf import A4_PT
from kiosk.scanning.problems import Problem, ScanError

log = logging.getLogger(__name__)

LANGUAGES = "lav+eng"
TIMEOUT_PER_PAGE_S = 60


def available() -> bool:
    return shutil.which("tesseract") is not None


def write_searchable_pdf(pages: Sequence[Page], out: Path, workdir: Path, languages: str = LANGUAGES,
                         cancelled: threading.Event | None = None) -> Path:
    """Write `out` with each page's image and an invisible text layer, on A4 pages.

    Everything tesseract writes, its temporary files included (TMPDIR), stays in `workdir`, which must be in
    the visit folder: the pages are personal data. `workdir` is emptied again afterwards."""
    if not pages:
        raise ScanError(Problem.NO_PAGES, "no pages to read")
    if not available():
        raise ScanError(Problem.OCR_FAILED, "tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-lav)")
    workdir.mkdir(mode=0o700, exist_ok=True)
    try:
        listing = workdir / "pages.txt"
        inputs = [_upright_copy(page, workdir, number) for number, page in enumerate(pages)]
        listing.write_text("".join(f"{path}\n" for path in inputs), encoding="utf-8")
        environment = {**os.environ, "TMPDIR": str(workdir), "TMP": str(workdir), "TEMP": str(workdir)}
        command = ["tesseract", str(listing), str(workdir / "ocr"), "-l", languages, "pdf"]
        _run(command, workdir, environment, TIMEOUT_PER_PAGE_S * len(pages), cancelled)
        partial = out.with_name(f".{out.name}.partial")
        _onto_a4(workdir / "ocr.pdf", partial, [page.rotation for page in pages])
        os.replace(partial, out)
        return out
    finally:
        if workdir.is_dir():  # gone already when the visit was wiped meanwhile
            for leftover in workdir.iterdir():
                leftover.unlink(missing_ok=True)


def _run(command: list[str], workdir: Path, environment: dict, timeout_s: float,
         cancelled: threading.Event | None) -> None:
    """Run tesseract, stopping it when the visit ends meanwhile (the resident left: nothing is wanted)."""
    # Its messages go to a file, not a pipe: a pipe nobody reads while we poll could fill and stall it.
    messages = workdir / "tesseract.log"
    with open(messages, "wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=subprocess.DEVNULL,
                                   stderr=log_file)
    deadline = time.monotonic() + timeout_s
    try:
        while process.poll() is None:
            if cancelled is not None and cancelled.is_set():
                raise ScanError(Problem.OCR_FAILED, "stopped: the visit ended")
            if time.monotonic() > deadline:
                raise ScanError(Problem.OCR_FAILED, "tesseract took too long")
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        errors = messages.read_text(errors="replace")
    if process.returncode != 0:
        # tesseract's message names files (random page names) and language data, never the page's text.
        log.error("tesseract failed (exit %d): %s", process.returncode, errors.strip()[-300:])
        raise ScanError(Problem.OCR_FAILED, "tesseract failed")


def _upright_copy(page: Page, workdir: Path, number: int) -> Path:
    """Tesseract reads upright text best: a turned page is read from a turned copy."""
    if not page.rotation:
        return page.image
    copy = workdir / f"upright-{number:03d}.png"
    with Image.open(page.image) as image:
        upright(image, page.rotation).save(copy, dpi=(page.dpi, page.dpi), compress_level=1)
    return copy


def _onto_a4(source: Path, out: Path, rotations: list[int]) -> None:
    """Tesseract sizes each page from the image's pixels and dpi; put each on an A4 page (landscape if turned)."""
    import pikepdf  # img2pdf's own dependency
    with pikepdf.open(source) as read, pikepdf.new() as pdf:
        for page, degrees in zip(read.pages, rotations):
            width, height = A4_PT if degrees in (0, 180) else A4_PT[::-1]
            pdf.add_blank_page(page_size=(width, height))
            pdf.pages[-1].add_overlay(page, pikepdf.Rectangle(0, 0, width, height))
        pdf.save(out)

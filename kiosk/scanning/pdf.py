"""Scanned pages into one PDF of A4 pages with img2pdf: the scanner's pixels unchanged, so small and sharp."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import img2pdf

from kiosk.scanning.pages import Page
from kiosk.scanning.problems import Problem, ScanError

A4_PT = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
# Each image is scaled to fit an A4 page, so a page prints at its real size whatever the scan's dpi was.
A4_LAYOUT = img2pdf.get_layout_fun(A4_PT, fit=img2pdf.FitMode.into)


def write_pdf(pages: Sequence[Page], out: Path) -> Path:
    """Write `out` (replaced whole, never half-written) from the pages in their order and turns."""
    if not pages:
        raise ScanError(Problem.NO_PAGES, "no pages to put into a PDF")
    partial = out.with_name(f".{out.name}.partial")
    try:
        with open(partial, "wb") as handle:
            img2pdf.convert([str(page.image) for page in pages], layout_fun=A4_LAYOUT, outputstream=handle)
        if any(page.rotation for page in pages):
            _turn_pages(partial, [page.rotation for page in pages])
        os.replace(partial, out)
    except ScanError:
        raise
    except Exception as error:
        partial.unlink(missing_ok=True)
        raise ScanError(Problem.PDF_FAILED, f"img2pdf failed: {type(error).__name__}") from None
    return out


def _turn_pages(path: Path, rotations: list[int]) -> None:
    """The resident's turns as each page's /Rotate: no pixel is decoded or re-encoded."""
    import pikepdf  # img2pdf's own dependency
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page, degrees in zip(pdf.pages, rotations):
            if degrees:
                page.Rotate = degrees
        pdf.save(path)

"""Searchable PDFs: Latvian text rendered into a page image reads back through tesseract with its diacritics."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont

from kiosk.scanning import ocr
from kiosk.scanning.pages import rotate, store_page
from scanning.helpers import pdf_info, tmp_entries

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200  # the smallest resolution at which tesseract reads 12 pt text reliably; keeps the test quick
LINES = ["Rīgas Pašvaldība", "iesniegums par dzīvesvietas deklarēšanu", "Ģimenes ārsts, šķūnis, žurnāls"]
WORDS = ["Rīgas", "Pašvaldība", "iesniegums", "dzīvesvietas", "deklarēšanu", "Ģimenes", "ārsts", "šķūnis",
         "žurnāls"]

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (make test installs it)")


def rendered_page(quarter_turns: int = 0) -> Image.Image:
    """Half an A4 page of 14 pt text at DPI, as a scanner would deliver it (grey)."""
    width, height = int(210 / 25.4 * DPI), int(148 / 25.4 * DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, int(14 / 72 * DPI))
    for number, line in enumerate(LINES):
        draw.text((int(0.8 * DPI), int((0.8 + 0.45 * number) * DPI)), line, font=font, fill=0)
    # Scanned the wrong way round: counter-clockwise turns, which the resident then turns back clockwise.
    return image.rotate(90 * quarter_turns, expand=True)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_latvian_text_reads_back_with_its_diacritics(visit):
    before = tmp_entries()
    folder = visit.directory / "scans"
    folder.mkdir()
    upright_page = store_page(rendered_page(), folder, DPI)
    turned_page = store_page(rendered_page(quarter_turns=1), folder, DPI)
    # The resident turned the second page the right way up: OCR must read the turned page, not the scan.
    pages = rotate((upright_page, turned_page), 1, 90)
    out = folder / "scan.pdf"

    ocr.write_searchable_pdf(pages, out, folder / "ocr")

    info = pdf_info(out, 1, 2)
    assert info["Pages"] == "2"
    assert info["Page    1 size"].startswith("595.276 x 841.89 pts (A4)")
    assert info["Page    2 size"].startswith("841.89 x 595.276 pts (A4)")  # turned: landscape A4
    for page in (1, 2):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(out), "-"], capture_output=True,
                              text=True, check=True).stdout
        missing = [word for word in WORDS if word not in text]
        assert not missing, f"page {page} lacks {missing}; tesseract read: {text!r}"
    # tesseract's own files went into the visit folder and were cleared; /tmp got nothing.
    assert list((folder / "ocr").iterdir()) == []
    assert tmp_entries() <= before


def test_ocr_without_the_language_data_fails_in_plain_words(visit):
    from kiosk.scanning.problems import Problem, ScanError
    folder = visit.directory / "scans"
    folder.mkdir()
    page = store_page(rendered_page(), folder, DPI)
    with pytest.raises(ScanError) as failure:
        ocr.write_searchable_pdf((page,), folder / "scan.pdf", folder / "ocr", languages="xxx")
    assert failure.value.problem is Problem.OCR_FAILED
    assert not (folder / "scan.pdf").exists() and list((folder / "ocr").iterdir()) == []

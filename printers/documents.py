"""A resident's file made ready to print: checked to be a document, counted, turned into A4 PDF, thumbnailed."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from printers.problems import PrintError, PrintProblem

A4_POINTS = (595.28, 841.89)
PDF_MAGIC = b"%PDF-"
# Files larger than this are not documents a resident prints at a kiosk; refusing them keeps poppler quick.
MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class PrintableDocument:
    """A PDF ready for CUPS, and its page count (what the quota is counted in)."""
    pdf: Path
    pages: int


def prepare(source: Path, work_dir: Path) -> PrintableDocument:
    """Check `source` and return a PDF of it in `work_dir` (the session's folder); PrintError if it is not one."""
    source = Path(source)
    try:
        size = source.stat().st_size
        with open(source, "rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise PrintError(PrintProblem.NOT_A_DOCUMENT, f"cannot read the file ({error.strerror})") from None
    if size == 0 or size > MAX_BYTES:
        raise PrintError(PrintProblem.NOT_A_DOCUMENT, f"the file has {size} bytes")
    if PDF_MAGIC in head:
        return PrintableDocument(source, count_pages(source))
    return _image_to_pdf(source, work_dir)


def count_pages(pdf: Path) -> int:
    """Pages in a PDF by poppler's pdfinfo; a damaged or encrypted-without-permission file is not a document."""
    try:
        result = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise PrintError(PrintProblem.NOT_A_DOCUMENT, "pdfinfo took too long") from None
    pages = [line.split(":", 1)[1].strip() for line in result.stdout.splitlines() if line.startswith("Pages:")]
    if result.returncode != 0 or not pages or not pages[0].isdigit() or int(pages[0]) < 1:
        raise PrintError(PrintProblem.NOT_A_DOCUMENT, "the PDF cannot be read")
    return int(pages[0])


def _image_to_pdf(source: Path, work_dir: Path) -> PrintableDocument:
    """A photo becomes one A4 page, fitted inside the margins with its proportions kept."""
    import img2pdf
    try:
        with Image.open(source) as picture:
            picture.load()
            frames = getattr(picture, "n_frames", 1)
            if frames != 1:
                raise PrintError(PrintProblem.NOT_A_DOCUMENT, "animated or multi-frame images are not printed")
            # img2pdf refuses transparency; white is what the paper shows anyway.
            if picture.mode not in ("RGB", "L", "1", "CMYK"):
                picture = picture.convert("RGB")
            work_dir.mkdir(parents=True, exist_ok=True)
            flat = work_dir / "print-image.png"
            picture.save(flat, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PrintError(PrintProblem.NOT_A_DOCUMENT, "neither a PDF nor an image") from None
    margin = img2pdf.mm_to_pt(10)
    layout = img2pdf.get_layout_fun(A4_POINTS, None, (margin, margin), img2pdf.FitMode.into, auto_orient=True)
    pdf = work_dir / "print-image.pdf"
    pdf.write_bytes(img2pdf.convert(str(flat), layout_fun=layout))
    flat.unlink()
    return PrintableDocument(pdf, 1)


def thumbnails(pdf: Path, out_dir: Path, first_pages: int = 6, height_px: int = 720) -> list[Path]:
    """PNG pictures of the first pages, for the resident to see what will come out: small in a row, and one at a
    time as tall as the screen (hence the height)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / "thumb"
    for old in out_dir.glob("thumb-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-f", "1", "-l", str(first_pages), "-scale-to-y", str(height_px),
                    "-scale-to-x", "-1", str(pdf), str(prefix)], capture_output=True, timeout=60, check=False)
    return sorted(out_dir.glob("thumb-*.png"))


def first_page_pictures(paths: list[Path], folder: Path) -> dict[Path, Path]:
    """A picture of each file's first page (a photo is its own), made in `folder`: {file: picture}; a file whose
    page cannot be drawn has none."""
    pictures = {}
    for number, path in enumerate(paths):
        if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
            pictures[path] = path
        else:
            made = thumbnails(path, folder / str(number), first_pages=1, height_px=360)
            if made:
                pictures[path] = made[0]
    return pictures

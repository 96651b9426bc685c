"""Scanned pages as files in the visit folder, and the resident's edits to them as pure list operations."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

THUMBNAIL_PX = 240
# img2pdf copies these bytes into the PDF unchanged, so the page file's format is the PDF's. Grey text pages:
# lossless PNG; zlib level 3 writes a 300 dpi page as fast as level 1 and often far smaller (bench/scan.py).
PNG_LEVEL = 3
# Colour photos: JPEG, as cameras and every scanning program store them; a lossless colour A4 page at
# 300 dpi is 10-25 MB, too big for an e-service upload. Quality 90 shows no visible loss.
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Page:
    """One scanned page: the image as scanned, a small preview, and the turn the resident asked for."""
    image: Path
    thumbnail: Path
    dpi: int
    rotation: int = 0  # degrees clockwise: 0, 90, 180 or 270


Pages = tuple[Page, ...]


def store_page(image: Image.Image, directory: Path, dpi: int) -> Page:
    """Write a scanned image and its preview into the visit's scan folder (which must already exist)."""
    stem = directory / f"page-{secrets.token_hex(6)}"
    colour = image.mode == "RGB"
    page = Page(stem.with_suffix(".jpg" if colour else ".png"), stem.with_suffix(".thumb.png"), dpi)
    # 'x': never overwrite, and never create the folder: once the visit is wiped nothing may reappear.
    with open(page.image, "xb") as handle:
        if colour:
            image.save(handle, "JPEG", dpi=(dpi, dpi), quality=JPEG_QUALITY)
        else:
            image.save(handle, "PNG", dpi=(dpi, dpi), compress_level=PNG_LEVEL)
    # A cheap box reduction first (to about twice the size), then a good filter: a third of the time.
    preview = image.reduce(max(1, max(image.size) // (2 * THUMBNAIL_PX)))
    preview.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    with open(page.thumbnail, "xb") as handle:
        preview.save(handle, "PNG")
    return page


def rotate(pages: Pages, index: int, degrees: int = 90) -> Pages:
    """Turn one page clockwise; the image is turned only when it is shown or put into the PDF."""
    turned = replace(pages[index], rotation=(pages[index].rotation + degrees) % 360)
    return pages[:index] + (turned,) + pages[index + 1:]


def delete(pages: Pages, index: int) -> tuple[Pages, Page]:
    """The pages without one, and the removed page (whose files the caller deletes)."""
    return pages[:index] + pages[index + 1:], pages[index]


def move(pages: Pages, index: int, to: int) -> Pages:
    """Put one page at another place in the order."""
    remaining = list(pages)
    page = remaining.pop(index)
    remaining.insert(max(0, min(to, len(remaining))), page)
    return tuple(remaining)


def remove_files(page: Page) -> None:
    for path in (page.image, page.thumbnail):
        path.unlink(missing_ok=True)


# PIL's transpose turns counter-clockwise for ROTATE_90: map the resident's clockwise turn onto it.
_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def upright(image: Image.Image, rotation: int) -> Image.Image:
    return image.transpose(_TURN[rotation]) if rotation in _TURN else image


def thumbnail_png(page: Page) -> bytes:
    """The page's preview as PNG bytes, turned as the resident asked."""
    with Image.open(page.thumbnail) as preview:
        buffer = io.BytesIO()
        upright(preview, page.rotation).save(buffer, "PNG")
    return buffer.getvalue()

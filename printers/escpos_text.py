"""ESC/POS bytes for an 80 mm receipt printer, built in memory: CP1257 text where it fits, pictures elsewhere."""

from __future__ import annotations

import textwrap
import unicodedata

from escpos.printer import Dummy
from PIL import Image

from printers.raster import text_image

# 80 mm paper, 576 dots (72 mm printable) at 203 dpi; its code page table maps CP1257 to ESC t 51 (WPC1257).
DEFAULT_PROFILE = "TM-T20II"
# Windows-1257 (Baltic) holds every Latvian letter; python-escpos's name for it and Python's codec name.
CODE_PAGE = "CP1257"
PYTHON_CODEC = "cp1257"
# Font A is 12 x 24 dots; DejaVu Sans at 24 px matches its letter height, so pictures sit well beside text.
TEXT_PX = 24


def printable(text: str) -> str:
    """Text with control and formatting characters removed, so data can never smuggle in a printer command."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in str(text))
    return " ".join(cleaned.split())


def fits_code_page(text: str) -> bool:
    """True when every character of text exists in CP1257 and can go to the printer as text."""
    try:
        text.encode(PYTHON_CODEC)
    except UnicodeEncodeError:
        return False
    return True


class ReceiptBuilder:
    """Collects one ticket or receipt as ESC/POS bytes; layouts call it, no printer is involved.

    Each call prints one logical line: as CP1257 text when the whole line fits the code page, otherwise as a
    raster picture (GS v 0) drawn with DejaVu Sans, so a line never mixes code pages or shows '?'.
    """

    def __init__(self, profile: str = DEFAULT_PROFILE) -> None:
        self._printer = Dummy(profile=profile)
        media = self._printer.profile.profile_data["media"]["width"]
        try:
            self.width_px = int(media["pixels"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"printer profile {profile!r} does not give its paper width in dots") from None
        self.columns = int(self._printer.profile.profile_data["fonts"]["0"]["columns"])
        # ESC @ first: whatever a previous job left (double size, another code page) is reset.
        self._printer.hw("INIT")
        # A fixed code page, sent now as ESC t n; it also switches off python-escpos's per-character guessing,
        # which changed code pages mid-word.
        self._printer.charcode(CODE_PAGE)

    def text(self, text: str, *, scale: int = 1, bold: bool = False, align: str = "center") -> None:
        """One line (wrapped to the paper), scale 1-8 times the normal size, as text or as a picture."""
        line = printable(text)
        if not fits_code_page(line):
            self.image(text_image(line, self.width_px, TEXT_PX * scale, bold=bold, align=align))
            return
        self._printer.set(align=align, bold=bold, custom_size=True, width=scale, height=scale)
        rows = textwrap.wrap(line, max(1, self.columns // scale), break_on_hyphens=False) or [""]
        for row in rows:
            self._printer.textln(row)
        # Back to normal so the next line does not inherit the size or weight.
        self._printer.set(bold=False, custom_size=True, width=1, height=1)

    def image(self, picture: Image.Image) -> None:
        """A 1-bit picture no wider than the paper, as one or more GS v 0 raster blocks."""
        self._printer.image(picture, impl="bitImageRaster")

    def rule(self) -> None:
        """A thin dashed line across the paper."""
        self.text("-" * self.columns)

    def feed(self, lines: int = 1) -> None:
        """Blank paper, in text lines."""
        self._printer.ln(lines)

    def cut(self) -> None:
        """Feed the last lines past the cutter, then a full cut so the slip drops free."""
        self._printer.cut(mode="FULL")

    def output(self) -> bytes:
        """Everything collected so far."""
        return self._printer.output

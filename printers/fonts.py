"""Where the DejaVu Sans fonts live: the one face that has Latvian, Ukrainian and ₴ glyphs on Debian."""

from __future__ import annotations

from pathlib import Path

# Debian package fonts-dejavu-core installs both files here.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


class FontMissing(RuntimeError):
    """A font file the layouts need is not installed."""


def font_path(bold: bool = False) -> Path:
    """The regular or bold face, or FontMissing with a sentence saying what to install."""
    path = BOLD if bold else REGULAR
    if not path.is_file():
        raise FontMissing(f"{path} is missing: install the Debian package fonts-dejavu-core")
    return path

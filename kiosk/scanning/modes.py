"""What a resident chooses (text or photo, glass or feeder) and the SANE option values that give it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

A4_MM = (210.0, 297.0)


class ScanMode(enum.Enum):
    TEXT = "text"    # black and white text: grey keeps stamps and signatures readable and OCR accurate
    PHOTO = "photo"  # colour photo


class Source(enum.Enum):
    FLATBED = "flatbed"
    FEEDER = "feeder"


# Resolutions behind the two choices: 300 dpi is what OCR and e-services expect of text; colour at 300 dpi
# is three times the data of grey, so photos may be asked for at 200.
DEFAULT_DPI = {ScanMode.TEXT: 300, ScanMode.PHOTO: 300}
ALLOWED_DPI = {ScanMode.TEXT: (150, 200, 300), ScanMode.PHOTO: (150, 200, 300)}

# Backends name the same thing differently ('Gray', 'Grey', 'Gray8', 'True Gray'...); the first offered wins.
MODE_NAMES = {ScanMode.TEXT: ("Gray", "Grey", "Gray8", "True Gray", "Lineart", "Binary"),
              ScanMode.PHOTO: ("Color", "Colour", "Color24", "24bit Color", "RGB")}
SOURCE_WORDS = {Source.FLATBED: ("flatbed", "platen", "glass", "normal"),
                Source.FEEDER: ("adf", "feeder", "automatic document")}


@dataclass(frozen=True)
class ScanRequest:
    """One press of Scan: mode, resolution, where the paper is, and at most how many pages to take."""
    mode: ScanMode = ScanMode.TEXT
    source: Source = Source.FLATBED
    dpi: int = 0  # 0: the mode's default
    max_pages: int = 0  # 0: one from the glass, everything in the feeder

    @property
    def resolution(self) -> int:
        return self.dpi or DEFAULT_DPI[self.mode]

    @property
    def page_limit(self) -> int:
        if self.max_pages:
            return self.max_pages
        return 1 if self.source is Source.FLATBED else 100


def pick_mode(mode: ScanMode, offered: list[str] | None) -> str | None:
    """The backend's name for a mode, or None when it offers no list (then its default is kept)."""
    if not offered:
        return None
    lowered = {name.lower(): name for name in offered}
    for wanted in MODE_NAMES[mode]:
        if wanted.lower() in lowered:
            return lowered[wanted.lower()]
    return None


def pick_source(source: Source, offered: list[str] | None) -> str | None:
    """The backend's name for the glass or the feeder; None when the scanner has no such source."""
    if not offered:
        return None
    for name in offered:
        if any(word in name.lower() for word in SOURCE_WORDS[source]):
            # 'ADF Duplex' is a feeder too, but two-sided scanning is not offered: prefer the simplex one.
            if source is Source.FEEDER and "duplex" in name.lower():
                continue
            return name
    return None


def pick_resolution(wanted: int, constraint) -> int:
    """The nearest resolution the scanner accepts: a (min, max, step) range or a list of values."""
    if isinstance(constraint, tuple) and len(constraint) == 3:
        low, high, _step = constraint
        return int(min(max(wanted, low), high))
    if isinstance(constraint, list) and constraint:
        return int(min(constraint, key=lambda value: (abs(value - wanted), -value)))
    return wanted

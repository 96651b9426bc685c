"""What can go wrong while scanning or handing scans on, in the words a resident reads."""

from __future__ import annotations

import enum

from kiosk.i18n import N_


class Problem(enum.Enum):
    """Each value is the English msgid shown to the resident; screens translate it at display time."""
    NO_SCANNER = N_("The scanner is not answering. Please call staff.")
    JAMMED = N_("The paper is stuck in the scanner. Please call staff to take it out; do not pull it yourself.")
    FEEDER_EMPTY = N_("There is no paper in the feeder. Put your pages in the feeder, text facing up, "
                      "and press Scan again.")
    NO_FEEDER = N_("This scanner has no feeder. Please put your pages on the glass, one at a time.")
    COVER_OPEN = N_("The scanner lid is open. Please close it and press Scan again.")
    SCANNER_BUSY = N_("The scanner is busy. Please wait a moment and press Scan again.")
    SCAN_FAILED = N_("The scan did not work. Please press Scan again. If it happens again, please call staff.")
    NO_PAGES = N_("There are no scanned pages yet. Please scan your document first.")
    PDF_FAILED = N_("Your scan could not be put together. Please call staff.")
    OCR_FAILED = N_("The text of your scan could not be made searchable. Your scan is kept without it.")
    NO_USB = N_("No USB stick was found. Please put your USB stick into the port next to the screen.")
    USB_FULL = N_("Your USB stick is full. Please use another USB stick, or delete something from it first.")
    USB_WRITE_FAILED = N_("Your scan could not be saved on the USB stick. Please try another USB stick, "
                          "or call staff.")
    USB_STILL_IN_USE = N_("Your scan is saved, but the USB stick is still in use. Please wait a moment "
                          "before you take it out, or call staff.")


# What only staff can put right: "Call staff" is then the main button, and scanning again the lesser one.
NEEDS_STAFF = frozenset({Problem.NO_SCANNER, Problem.JAMMED, Problem.PDF_FAILED})


class ScanError(Exception):
    """A failure whose `problem` picks the resident's message; the text is for the log and carries no scan data."""

    def __init__(self, problem: Problem, detail: str = "", pages: int = 0):
        super().__init__(detail or problem.name)
        self.problem = problem
        self.pages = pages  # pages taken before the fault; they are kept

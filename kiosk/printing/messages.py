"""The plain words a resident reads for each printing problem (translated at display time)."""

from __future__ import annotations

from kiosk.i18n import N_
from printers.problems import PrintProblem

# Each message says what happened and what to do; "Call staff" is the button beside it.
RESIDENT_MESSAGES = {
    PrintProblem.NOT_A_DOCUMENT: N_("This file cannot be printed here: only documents saved as PDF, and photos, "
                                    "can be. A staff member can help."),
    PrintProblem.QUOTA: N_("You have used all the free pages for this visit. Please ask staff if you need more."),
    PrintProblem.NO_PRINTER: N_("The printer is not set up. Please call staff."),
    PrintProblem.CUPS_DOWN: N_("Printing is not working at the moment. Please call staff."),
    PrintProblem.UNREACHABLE: N_("The printer does not answer. It may be switched off. Please call staff. "
                                 "Nothing will be printed later without you."),
    PrintProblem.OUT_OF_PAPER: N_("The printer is out of paper. Please call staff to add paper, then try again."),
    PrintProblem.JAM: N_("Paper is stuck in the printer. Please call staff; do not open the printer yourself."),
    PrintProblem.TONER: N_("The printer has run out of ink. Please call staff."),
    PrintProblem.DOOR_OPEN: N_("A cover of the printer is open. Please call staff."),
    PrintProblem.PAUSED: N_("The printer is paused. Please call staff."),
    PrintProblem.FAILED: N_("The printing did not finish. Please call staff."),
}

# Where the pages come out ([printing] printer_place), said while they print: a resident looks there.
PRINTER_PLACES = {
    "nearby": N_("Your pages come out of the printer next to this computer."),
    "right": N_("Your pages come out of the printer to the right of this computer."),
    "left": N_("Your pages come out of the printer to the left of this computer."),
    "below": N_("Your pages come out of the printer below the screen."),
    "desk": N_("Your pages come out of the printer at the staff desk: please collect them there."),
}

# What only staff can put right (paper, toner, a jam, the printer's setup): "Call staff" is then the main button,
# and trying again the lesser one.
NEEDS_STAFF = frozenset({PrintProblem.OUT_OF_PAPER, PrintProblem.JAM, PrintProblem.TONER, PrintProblem.DOOR_OPEN,
                         PrintProblem.PAUSED, PrintProblem.NO_PRINTER, PrintProblem.CUPS_DOWN,
                         PrintProblem.UNREACHABLE, PrintProblem.FAILED})

"""How printing reads on screen, the same on every screen that prints: free pages left, pages printed, a fault."""

from __future__ import annotations

from kiosk.printing.messages import RESIDENT_MESSAGES
from screens.i18n import tr


def free_pages_line(left: int) -> str:
    return tr.ngettext("You can print {count} more page free on this visit.",
                       "You can print {count} more pages free on this visit.", left).replace("{count}", str(left))


def printed_line(pages: int, left: int) -> str:
    return tr.ngettext("{count} page printed. You can print {left} more pages free on this visit.",
                       "{count} pages printed. You can print {left} more pages free on this visit.",
                       pages).replace("{count}", str(pages)).replace("{left}", str(left))


def progress_line(problem) -> str:
    """While a job waits on something staff can fix (paper, toner), what it is; nothing while all is well."""
    return tr._(RESIDENT_MESSAGES[problem]) if problem else ""


def problem_line(problem) -> str:
    return tr._(RESIDENT_MESSAGES[problem])

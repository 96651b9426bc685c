"""What can go wrong when printing: the problems, and how a printer's state reasons map to them."""

from __future__ import annotations

import enum


class PrintProblem(enum.Enum):
    NOT_A_DOCUMENT = "not a document"
    QUOTA = "page quota reached"
    NO_PRINTER = "printer missing"
    CUPS_DOWN = "print service down"
    UNREACHABLE = "printer unreachable"
    OUT_OF_PAPER = "out of paper"
    JAM = "paper jam"
    TONER = "out of toner"
    DOOR_OPEN = "cover open"
    PAUSED = "printer paused"
    FAILED = "job failed"


class PrintError(Exception):
    """A printing failure; `problem` picks the resident's message, the text is for logs and administrators."""

    def __init__(self, problem: PrintProblem, detail: str = ""):
        super().__init__(detail or problem.value)
        self.problem = problem


# Printer state reasons (RFC 8011, suffix removed) that stop printing, and the problem each means.
BLOCKING_REASONS = {
    "media-empty": PrintProblem.OUT_OF_PAPER,
    "media-needed": PrintProblem.OUT_OF_PAPER,
    "input-tray-missing": PrintProblem.OUT_OF_PAPER,
    "media-jam": PrintProblem.JAM,
    "toner-empty": PrintProblem.TONER,
    "marker-supply-empty": PrintProblem.TONER,
    "door-open": PrintProblem.DOOR_OPEN,
    "cover-open": PrintProblem.DOOR_OPEN,
    "paused": PrintProblem.PAUSED,
    "offline": PrintProblem.UNREACHABLE,
    "shutdown": PrintProblem.UNREACHABLE,
}

# Reasons staff should hear about although printing goes on.
WARNING_REASONS = ("toner-low", "marker-supply-low", "media-low")


def split_reason(reason: str) -> tuple[str, str]:
    """'media-empty-warning' -> ('media-empty', 'warning'); a reason without a suffix is an error (RFC 8011)."""
    for severity in ("report", "warning", "error"):
        if reason.endswith("-" + severity):
            return reason[: -len(severity) - 1], severity
    return reason, "error"


def blocking_problem(reasons: list[str], *, severities: tuple[str, ...] = ("error", "warning")) -> PrintProblem | None:
    """The first reason of the given severities that stops printing.

    Between jobs CUPS keeps the last job's reasons as -warning or -report: history, not the printer's state now.
    """
    for reason in reasons:
        keyword, severity = split_reason(reason)
        if severity not in severities:
            continue
        if keyword in BLOCKING_REASONS:
            return BLOCKING_REASONS[keyword]
    return None


def warnings(reasons: list[str]) -> list[str]:
    return [keyword for keyword, _ in map(split_reason, reasons) if keyword in WARNING_REASONS]

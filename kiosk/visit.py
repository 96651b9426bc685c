"""One resident's visit: a private folder and typed parts (card, scans, prints, desk errands, browser), each wiped by name."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kiosk import events

if TYPE_CHECKING:
    from kiosk.eid.identity import Identity
    from kiosk.eid.proof import AuthToken


@dataclass(frozen=True)
class Wiper:
    """A holder of personal data: `wipe` forgets it, `is_clean` says whether anything is left."""
    name: str
    wipe: Callable[[], None]
    is_clean: Callable[[], bool] = lambda: True


class VisitPart:
    """A typed part of the visit: its fields start empty, and wiping sets them back."""

    def wipe(self) -> None:
        for spec in fields(self):
            setattr(self, spec.name, spec.default_factory() if callable(spec.default_factory) else spec.default)

    def is_clean(self) -> bool:
        return all(getattr(self, spec.name) == (spec.default_factory() if callable(spec.default_factory)
                                                 else spec.default) for spec in fields(self))


@dataclass
class CardLogin(VisitPart):
    """Who the card says the resident is, and the proof that they know its PIN1 (never the PIN itself)."""
    identity: Identity | None = None
    proof: AuthToken | None = None

    @property
    def verified(self) -> bool:
        return self.proof is not None


@dataclass
class Scans(VisitPart):
    """Whether pages were scanned (the goodbye reminds of the originals), and the PDFs kept for printing or staff:
    one per document scanned, the latest last."""
    pages_scanned: bool = False
    kept: tuple[Path, ...] = ()

    @property
    def kept_pdf(self) -> Path | None:
        """The latest document's PDF."""
        return self.kept[-1] if self.kept else None

    @kept_pdf.setter
    def kept_pdf(self, path: Path | None) -> None:
        # The same document made again (a page turned since) keeps its place; a new one joins the others; None
        # forgets them all.
        if path is None:
            self.kept = ()
        elif path not in self.kept:
            self.kept += (path,)


@dataclass
class Prints(VisitPart):
    """Pages printed, against the visit's page quota (the jobs themselves are the print service's)."""
    pages_printed: int = 0


@dataclass
class Errands(VisitPart):
    """The resident's help call, their queue ticket or booking, and what went wrong last (for the staff member)."""
    call: Any = None
    ticket: Any = None
    booking: Any = None
    last_problem: str = ""


@dataclass
class EService(VisitPart):
    """Files the resident's browser gave them (downloads, pages printed from the page): offered to print or upload."""
    files: tuple[Path, ...] = ()


class Visit:
    """Everything of one resident: a private folder, typed parts, and the services' wipers for what they hold."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started = time.monotonic()
        self.ended = False
        self.card = CardLogin()
        self.scans = Scans()
        self.prints = Prints()
        self.errands = Errands()
        self.eservice = EService()
        self.wipers: list[Wiper] = []

    def record(self, event: object) -> None:
        """What a service's event for this visit changes in it. Only ever called on the core's thread, so the
        visit has one writer; services report, they do not write it."""
        if isinstance(event, events.Printed):
            self.prints.pages_printed += event.pages
        elif isinstance(event, events.PageScanned):
            self.scans.pages_scanned = True
        elif isinstance(event, events.PdfReady):
            self.scans.kept_pdf = event.path
        elif isinstance(event, events.SavedToStick):
            self.scans.kept_pdf = event.pdf
        elif isinstance(event, events.DownloadReady):
            self.eservice.files += (event.path,)

    def files(self) -> list[Path]:
        """What the resident may upload or print from this visit: the kept scans, then the browser's files."""
        return [path for path in self.scans.kept + self.eservice.files if path.exists()]

    def add_wiper(self, name: str, wipe: Callable[[], None], is_clean: Callable[[], bool] = lambda: True) -> None:
        """A service's wiper for what it holds of this visit outside the parts (print jobs in CUPS, scanner pages)."""
        self.wipers.append(Wiper(name, wipe, is_clean))

    def parts(self) -> list[Wiper]:
        """The visit's own parts, each by name, for the wipe and its report."""
        return [Wiper(name, part.wipe, part.is_clean) for name, part in
                (("card login", self.card), ("scan record", self.scans), ("print count", self.prints),
                 ("desk errands", self.errands), ("e-service files", self.eservice))]

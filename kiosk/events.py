"""Every event the kiosk's core reports to the app: the one vocabulary screens listen to, with no library types.

Services emit these from their own threads; the app hands them to screens on the UI thread. A PC/SC event, a CUPS
job update or a SANE error is translated into one of these at the edge, in kiosk/, never passed up as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named here: importing them would make every importer pay for PIL, numpy, pyscard
    from pathlib import Path

    from kiosk.eid.card import Problem as CardProblemKind
    from kiosk.eid.identity import Identity
    from kiosk.eid.profiles import CardKind
    from kiosk.scanning.modes import ScanRequest
    from kiosk.scanning.pages import Page
    from kiosk.scanning.problems import Problem as ScanProblem
    from kiosk.usb import UsbStick
    from printers.problems import PrintProblem

# ---- the visit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitStarted:
    """A resident's visit began (a touch on the greeting, or a card put in)."""


@dataclass(frozen=True)
class VisitEnded:
    """The visit is over and wiped; `clean` says whether the wipe checked out."""
    reason: str
    clean: bool


@dataclass(frozen=True)
class SettingsChanged:
    """New national or centre settings were taken while no visit is on: the app starts again with them."""


@dataclass(frozen=True)
class ResidentActivity:
    """The resident did something (a touch, a key, a card, later a page in the browser): the visit is alive."""
    source: str


# ---- the eID card ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderFound:
    """A card reader is connected."""


@dataclass(frozen=True)
class ReaderMissing:
    """No card reader is connected (or pcscd is not running)."""


@dataclass(frozen=True)
class CardReading:
    """A supported card went in and is being read."""


@dataclass(frozen=True)
class IdentityRead:
    identity: Identity


@dataclass(frozen=True)
class LoginSucceeded:
    """PIN1 proved on the card and the card's certificate checked: the identity is confirmed."""
    identity: Identity


@dataclass(frozen=True)
class PinTries:
    tries_left: int


@dataclass(frozen=True)
class CardProblem:
    """The card could not be read or the PIN not proved; `card_kind` says which card it was when it is known."""
    problem: CardProblemKind
    tries_left: int | None = None
    card_kind: CardKind | None = None


@dataclass(frozen=True)
class CardTakenOut:
    """The card left the reader; `had_identity` when a resident's identity went with it."""
    had_identity: bool = False


# ---- printing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintPrepared:
    """A document checked and ready: what the resident confirms before anything is sent."""
    pdf: Path
    pages: int
    thumbnails: tuple[Path, ...]
    pages_left: int

    @property
    def within_quota(self) -> bool:
        return self.pages <= self.pages_left


@dataclass(frozen=True)
class PrintProgress:
    """While a job runs: 'waiting' or 'printing', and the problem the printer is waiting on, if any."""
    state: str
    problem: PrintProblem | None = None


@dataclass(frozen=True)
class Printed:
    pages: int
    pages_left: int


@dataclass(frozen=True)
class PrintFailed:
    problem: PrintProblem


@dataclass(frozen=True)
class PrinterAlert:
    """For staff, not the resident: a fault (out of paper, jam...) or a warning (toner low)."""
    kind: str


# ---- scanning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanStarted:
    request: ScanRequest


@dataclass(frozen=True)
class PageScanned:
    page: Page
    count: int  # pages in the list now


@dataclass(frozen=True)
class ScanFinished:
    added: int
    count: int


@dataclass(frozen=True)
class ScanFailed:
    """A fault; pages taken before it (`added`) are kept in the list."""
    problem: ScanProblem
    added: int = 0


@dataclass(frozen=True)
class PdfReady:
    path: Path
    pages: int
    searchable: bool


@dataclass(frozen=True)
class SticksChanged:
    sticks: tuple[UsbStick, ...]


@dataclass(frozen=True)
class SavedToStick:
    """Written, flushed and unmounted: the resident can take the stick out now."""
    stick: UsbStick
    file_name: str
    pdf: Path  # the PDF written, kept for the visit as PdfReady's is


@dataclass(frozen=True)
class DeliveryFailed:
    problem: ScanProblem


# ---- the staff desk and the devices' health --------------------------------------------------------


@dataclass(frozen=True)
class CallStateChanged:
    """The resident's help call: 'queued', 'open', 'acknowledged' ("a staff member is coming"), 'resolved'..."""
    state: str


@dataclass(frozen=True)
class DeviceHealth:
    """A device's fault as staff should hear of it (`kind` empty when it works again)."""
    device: str
    kind: str = ""


# ---- the resident's browser ----------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserOpened:
    """The e-service's page is on its way, in the browser below the top bar."""


@dataclass(frozen=True)
class BrowserClosed:
    """The browser is gone with its profile: 'resident', 'card' (taken out), 'visit ended' or 'crashed'."""
    reason: str


@dataclass(frozen=True)
class PageField:
    """A text field in the page got focus ('text', or 'number' for digits only), or lost it ('')."""
    kind: str


@dataclass(frozen=True)
class FileWanted:
    """The page asks for a file to upload: the kiosk offers this visit's files, never the disk."""
    multiple: bool = False


@dataclass(frozen=True)
class DownloadReady:
    """A file the page gave the resident (or the page itself, printed from it), kept in the visit's folder."""
    path: Path
    printed_from_page: bool = False


@dataclass(frozen=True)
class PinWanted:
    """The card's login in the page asks for PIN1 (again, after a wrong one, with `retry`); `done` when it no
    longer does. The resident types it on the kiosk's PIN pad; it goes to the card and is kept nowhere. `site`
    is the host of the page that asks (a portal may ask on its first page, before the resident wanted to log in)."""
    retry: bool = False
    done: bool = False
    site: str = ""


# ---- reading aloud -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechStarted:
    """The first sound of an utterance went to the speakers."""
    language: str


@dataclass(frozen=True)
class SpeechStopped:
    """An utterance is over: said to its end, or `interrupted` (a newer one, the speaker button, the visit's end)."""
    interrupted: bool = False


@dataclass(frozen=True)
class SpeechFailed:
    """Nothing is heard: 'no voice' (the engine or model for `language` is missing) or 'no sound output' (no aplay,
    no sound card); the kiosk carries on silently and the log says why, once."""
    problem: str
    language: str = ""
    detail: str = ""  # the sentence the log has, for an administrator (never the text that was to be spoken)

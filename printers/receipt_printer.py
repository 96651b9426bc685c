"""The 80 mm ticket and receipt printer: one `send(bytes)` over whichever connection kiosk.ini names."""

from __future__ import annotations

import logging
from typing import Protocol

from printers.problems import PrintError, PrintProblem

log = logging.getLogger(__name__)


class ReceiptPrinter(Protocol):
    """Anything that takes a finished ESC/POS layout; the layouts never know which connection it is."""

    description: str

    def send(self, data: bytes) -> None: ...


class EscposConnection:
    """A printer reached through python-escpos: the network (port 9100), USB, or a device file."""

    def __init__(self, kind: str, target: str):
        self.kind = kind
        self.target = target
        self.description = f"{kind}:{target}"

    def _open(self):
        from escpos import printer
        if self.kind == "tcp":
            host, _, port = self.target.rpartition(":")
            return printer.Network(host, int(port), timeout=10)
        if self.kind == "usb":
            vendor, _, product = self.target.partition(":")
            return printer.Usb(int(vendor, 16), int(product, 16))
        return printer.File(self.target)

    def send(self, data: bytes) -> None:
        from escpos.exceptions import Error as EscposError
        try:
            device = self._open()
            device.open()
        except (EscposError, OSError) as error:
            raise PrintError(PrintProblem.UNREACHABLE, f"the receipt printer {self.description} "
                                                       f"cannot be opened ({type(error).__name__})") from None
        try:
            device._raw(data)  # the layout is complete ESC/POS already: no re-encoding on the way
        except OSError as error:
            raise PrintError(PrintProblem.UNREACHABLE, f"the receipt printer {self.description} "
                                                       f"stopped taking data ({error})") from None
        finally:
            device.close()


class CupsRawQueue:
    """A CUPS raw queue (socket://, usb://): CUPS queues the bytes and we wait until they are out."""

    def __init__(self, queue: str, server: str = "", timeout_s: float = 20):
        from printers.cups_printer import DocumentPrinter
        self.printer = DocumentPrinter(queue, server, timeout_s=timeout_s)
        self.description = f"cups:{queue}"

    def send(self, data: bytes) -> None:
        job = self.printer.submit_raw(data)
        outcome = self.printer.follow(job)
        if not outcome.printed:
            raise PrintError(outcome.problem or PrintProblem.FAILED,
                             f"the receipt printer {self.description} did not print")


def receipt_printer(printing) -> ReceiptPrinter | None:
    """The receipt printer kiosk.ini's [printing] section names, or None when it says 'none'."""
    kind, target = printing.receipt_printer
    if kind == "none":
        return None
    if kind == "cups":
        return CupsRawQueue(target, printing.cups_server)
    return EscposConnection(kind, target)

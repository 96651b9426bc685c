"""PC/SC through pyscard: connecting to a card, and one monitor thread turning reader changes into events."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from smartcard import scard
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as list_readers

from kiosk.eid.card import EidError, Problem

log = logging.getLogger(__name__)
SERVICE_GONE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}
# pyscard raises its own context errors (pcscd not running) outside the SmartcardException tree
PCSC_ERRORS = (SmartcardException, BaseSCardException)


class PcscTransport:
    """APDUs over an open pyscard connection; a card pulled out becomes EidError(CARD_REMOVED)."""

    def __init__(self, connection):
        self.connection = connection

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            data, sw1, sw2 = self.connection.transmit(list(apdu))
        except (CardConnectionException, NoCardException) as error:
            raise EidError(Problem.CARD_REMOVED, f"the card went away ({type(error).__name__})") from None
        return bytes(data), (sw1 << 8) | sw2

    def close(self) -> None:
        try:
            self.connection.disconnect()
        except SmartcardException:
            pass


def reader_names() -> list[str]:
    try:
        return [str(reader) for reader in list_readers()]
    except PCSC_ERRORS:
        return []


def connect(reader_name: str | None = None) -> tuple[PcscTransport, bytes, str]:
    """Open the card in the named (or first) reader: (transport, ATR, reader name)."""
    try:
        available = list_readers()
    except PCSC_ERRORS:
        raise EidError(Problem.NO_READER, "the PC/SC service does not answer") from None
    chosen = [r for r in available if reader_name is None or str(r) == reader_name]
    if not chosen:
        raise EidError(Problem.NO_READER, f"no card reader{' called ' + reader_name if reader_name else ''}")
    connection = chosen[0].createConnection()
    try:
        connection.connect()
    except (NoCardException, CardConnectionException):
        raise EidError(Problem.NO_CARD, "no card in the reader") from None
    return PcscTransport(connection), bytes(connection.getATR()), str(chosen[0])


# ---- events --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True)
class ReaderRemoved:
    reader: str


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes


@dataclass(frozen=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True)
class ServiceLost:
    """pcscd stopped answering; the monitor keeps trying and reports readers again when it is back."""


class ReaderMonitor:
    """One thread per process watching every reader; `on_event` is called from that thread."""

    WAIT_MS = 400       # how long one status wait may block, so stopping is quick
    RETRY_S = 0.5       # pause before reconnecting to a pcscd that went away

    def __init__(self, on_event: Callable[[object], None]):
        self.on_event = on_event
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._readers: dict[str, int] = {}  # reader -> last event state
        self._service_up = True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _emit(self, event) -> None:
        try:
            self.on_event(event)
        except Exception as error:  # a consumer's bug must not kill the one thread that watches the readers
            # The kind only: an event (an identity read, say) could show up in a message.
            log.error("an eID event handler failed: %s", type(error).__name__)

    def _run(self) -> None:
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                self._service_lost()
                self._stop.wait(self.RETRY_S)
                continue
            try:
                self._watch(context)
            finally:
                scard.SCardReleaseContext(context)
            if not self._stop.is_set():
                self._service_lost()
                self._stop.wait(self.RETRY_S)

    def _service_lost(self) -> None:
        if self._readers:
            for reader in list(self._readers):
                self._forget(reader)
        if self._service_up:
            self._service_up = False
            log.warning("the PC/SC service is not answering; retrying")
            self._emit(ServiceLost())

    def _forget(self, reader: str) -> None:
        state = self._readers.pop(reader)
        if state & scard.SCARD_STATE_PRESENT:
            self._emit(CardRemoved(reader))
        self._emit(ReaderRemoved(reader))

    def _watch(self, context) -> None:
        """Wait for changes until pcscd goes away or stop() is called."""
        while not self._stop.is_set():
            hresult, names = scard.SCardListReaders(context, [])
            if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                names = []
            elif hresult != scard.SCARD_S_SUCCESS:
                return
            self._service_up = True
            for reader in [r for r in self._readers if r not in names]:
                self._forget(reader)
            for reader in names:
                if reader not in self._readers:
                    self._readers[reader] = scard.SCARD_STATE_UNAWARE
                    self._emit(ReaderAdded(reader))
            states = [(reader, state) for reader, state in self._readers.items()]
            states.append(("\\\\?PnP?\\Notification", len(names) << 16))
            hresult, changed = scard.SCardGetStatusChange(context, self.WAIT_MS, states)
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                if hresult in SERVICE_GONE:
                    return
                time.sleep(0.1)  # e.g. a reader unplugged while waiting: list the readers again
                continue
            for reader, event_state, atr in changed:
                if reader not in self._readers:
                    continue
                was_present = self._readers[reader] & scard.SCARD_STATE_PRESENT
                present = event_state & scard.SCARD_STATE_PRESENT
                self._readers[reader] = event_state & ~scard.SCARD_STATE_CHANGED
                if present and not was_present:
                    self._emit(CardInserted(reader, bytes(atr)))
                elif was_present and not present:
                    self._emit(CardRemoved(reader))

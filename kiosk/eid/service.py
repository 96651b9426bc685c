"""The eID service the app uses: watches readers, reads a card when it goes in, proves the PIN, reports events."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.eid.card import EidCard, EidError, Problem, refusal
from kiosk.eid.identity import Identity
from kiosk.events import CardProblem, CardReading, CardTakenOut, IdentityRead, PinTries, ReaderFound, ReaderMissing
from kiosk.eid.pcsc import (CardInserted, CardRemoved, ReaderAdded, ReaderMonitor, ReaderRemoved, ServiceLost,
                            connect)
from kiosk.eid.profiles import CardProfile, profile_for
from kiosk.eid.proof import AuthToken, load_trust, prove_pin, verify_token

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginDone:
    """Inside the core only: the proof token stays in the visit and never travels to a screen."""
    identity: Identity
    token: AuthToken


class EidService:
    """Runs the monitor and the card work off the UI thread; every outcome arrives through `on_event`.

    PC/SC's own events stop here: what leaves is kiosk.events (and LoginDone, for the core alone).
    """

    def __init__(self, on_event: Callable[[object], None], reader: str | None, origin: str,
                 trusted_ca: tuple[Path, ...]):
        self.on_event = on_event
        self.reader = reader
        self.origin = origin
        self.trusted_ca = trusted_ca
        self.readers: set[str] = set()
        self.card_reader: str | None = None
        self.card_profile: CardProfile | None = None
        self._work = threading.Lock()
        self._monitor = ReaderMonitor(self._on_pcsc)

    def start(self) -> None:
        self._monitor.start()

    def stop(self) -> None:
        self._monitor.stop()

    @property
    def reader_present(self) -> bool:
        return self.reader in self.readers if self.reader else bool(self.readers)

    def _watched(self, reader: str) -> bool:
        return self.reader is None or reader == self.reader

    def _on_pcsc(self, event) -> None:
        if isinstance(event, ServiceLost):
            self.readers.clear()
            self.on_event(ReaderMissing())
        elif isinstance(event, ReaderRemoved):
            self.readers.discard(event.reader)
            if not self.readers:
                self.on_event(ReaderMissing())
        elif isinstance(event, CardInserted) and self._watched(event.reader):
            self.readers.add(event.reader)
            self.card_reader, self.card_profile = event.reader, profile_for(event.atr)
            if not self.card_profile.supported:
                self.on_event(self._problem(refusal(self.card_profile)))
                return
            self.on_event(CardReading())
            self._in_background(self._read, event.reader)
        elif isinstance(event, CardRemoved) and self._watched(event.reader):
            if event.reader == self.card_reader:
                self.card_reader = self.card_profile = None
            self.on_event(CardTakenOut())
        elif isinstance(event, ReaderAdded):
            self.readers.add(event.reader)
            self.on_event(ReaderFound())

    def _in_background(self, work, *args) -> None:
        threading.Thread(target=self._guarded, args=(work, *args), name="eid-work", daemon=True).start()

    def _guarded(self, work, *args) -> None:
        with self._work:
            try:
                self.on_event(work(*args))
            except EidError as error:
                log.info("eID: %s", error.problem.value)
                self.on_event(self._problem(error))
            except Exception as error:  # the resident gets a message; the administrator the kind of error
                log.error("eID work failed: %s", type(error).__name__)
                self.on_event(self._problem(EidError(Problem.CARD_ERROR, type(error).__name__)))

    def _problem(self, error: EidError) -> CardProblem:
        kind = self.card_profile.kind if self.card_profile is not None else None
        return CardProblem(error.problem, error.tries_left, kind)

    def _open(self, reader: str | None) -> tuple[EidCard, object]:
        transport, atr, name = connect(reader)
        profile = profile_for(atr)
        if not profile.supported:
            transport.close()
            raise refusal(profile)
        return EidCard(transport, profile.name), transport

    def _read(self, reader: str) -> IdentityRead:
        card, transport = self._open(reader)
        try:
            return IdentityRead(card.read_identity())
        finally:
            transport.close()

    def reread(self) -> None:
        """Read the inserted card again (after a problem the resident chose to retry)."""
        if self.card_reader is not None:
            self.on_event(CardReading())
            self._in_background(self._read, self.card_reader)

    def check_tries(self) -> None:
        """Ask the card how many PIN1 tries are left; PinTries or CardProblem follows."""
        self._in_background(self._tries)

    def _tries(self) -> PinTries:
        card, transport = self._open(self.card_reader or self.reader)
        try:
            return PinTries(card.pin_tries_left())
        finally:
            transport.close()

    def login(self, pin: str) -> None:
        """Prove the PIN in the background; LoginDone or CardProblem follows."""
        self._in_background(self._login, pin)

    def _login(self, pin: str) -> LoginDone:
        card, transport = self._open(self.card_reader or self.reader)
        try:
            identity = card.read_identity()
            token = prove_pin(card, identity, pin, self.origin)
        finally:
            transport.close()
        try:
            trusted = load_trust(self.trusted_ca)
        except (OSError, ValueError):
            raise EidError(Problem.NOT_TRUSTED, "the trusted CA file cannot be read") from None
        verify_token(token, trusted)
        return LoginDone(identity, token)

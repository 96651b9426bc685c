"""What residents do at the kiosk, counted for the centres' statistics with nothing of the resident in it.

The core tells the recorder what happened (a visit began or ended, a service was looked at, a form printed...);
the recorder makes each into a usage event of the staff desk's protocol (kiosk.desk_link.wire): a kind, a catalogue
id and its institution, a way, the visit's language, the kiosk's own time, a duration or a page count. No name, no
personal code, no typed word, no file name: the fields have no room for them, and the desk refuses anything else.
Events go through the desk's durable outbox, so a kiosk away from its desk delivers them later, once each.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable

from kiosk.desk_link import wire

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UsageRecorder:
    """Called on the core's posting thread; `send(event)` hands a finished event to the desk (its outbox)."""

    def __init__(self, send: Callable[[dict], None], default_language: str,
                 service_of: Callable[[str], object | None] = lambda _id: None, clock: Clock = utc_now):
        self._send = send
        self._service_of = service_of
        # The kiosk's clock (a test sets it to a moment near a period's end).
        self.clock = clock
        self.language = default_language
        self._visit_began: tuple[dt.datetime, float] | None = None
        # The forms made in this visit (their file -> kind and service), and the form the next print is of.
        self._forms: dict[Path, tuple[str, object]] = {}
        self._printing_form: tuple[str, object] | None = None

    # ---- the visit -----------------------------------------------------------------------------------

    def visit_started(self) -> None:
        # The language stays the kiosk's current one: a resident may choose it on the greeting, before the visit.
        self._visit_began = (self.clock(), time.monotonic())
        self._forms.clear()
        self._printing_form = None

    def visit_ended(self) -> None:
        """One event for the visit: when it began, how long it lasted, the language it was in at the end."""
        if self._visit_began is None:
            return
        began, monotonic = self._visit_began
        self._visit_began = None
        self._forms.clear()
        self._printing_form = None
        self._emit("visit", at=began, duration_s=round(time.monotonic() - monotonic))

    def language_chosen(self, language: str) -> None:
        if language in wire.USAGE_LANGUAGES:
            self.language = language

    # ---- what was done -------------------------------------------------------------------------------

    def count(self, kind: str, service=None, channel: str = "", institution: str = "", amount: int = 1,
              language: str | None = None) -> None:
        """kind: one of wire.USAGE_KINDS; service: a catalogue Service or its id."""
        if kind not in wire.USAGE_KINDS:
            raise ValueError(f"'{kind}' is not a usage event the desk counts ({', '.join(wire.USAGE_KINDS)})")
        if language is not None:
            self.language_chosen(language)
        service = self._service_of(service) if isinstance(service, str) else service
        self._emit(kind, service=service, channel=channel, institution=institution, amount=amount)

    def form_made(self, path: Path, kind: str, service) -> None:
        """An authorisation or paper form ready to print: counted when it is printed."""
        self._forms[Path(path)] = (kind, service)

    def print_chosen(self, path: Path) -> None:
        """The document the resident is about to print (the next pages printed are of it)."""
        self._printing_form = self._forms.get(Path(path))

    def printed(self, pages: int) -> None:
        if pages > 0:
            self._emit("pages-printed", amount=pages)
        if self._printing_form is not None:
            kind, service = self._printing_form
            self._printing_form = None
            self._emit("form-printed", service=service, channel=kind)

    def print_failed(self) -> None:
        self._printing_form = None

    def scanned(self, pages: int) -> None:
        if pages > 0:
            self._emit("pages-scanned", amount=pages)

    # ---- the event -----------------------------------------------------------------------------------

    def _emit(self, kind: str, service=None, channel: str = "", institution: str = "", amount: int = 1,
              at: dt.datetime | None = None, duration_s: int | None = None) -> None:
        event = {"kind": kind, "occurred_at": (at or self.clock()).isoformat(), "language": self.language,
                 "amount": min(max(1, amount), wire.USAGE_AMOUNT_MAX)}
        if service is not None:
            event["service_id"] = service.id
            event["institution"] = service.institution.code
        elif institution:
            event["institution"] = institution
        if channel in wire.USAGE_CHANNELS:
            event["channel"] = channel
        if duration_s is not None:
            event["duration_s"] = min(max(0, duration_s), wire.USAGE_DURATION_MAX_S)
        self._send(event)

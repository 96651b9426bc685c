"""DeskLink: what the kiosk app uses to call staff, take tickets, book video consultations and report health."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable

from kiosk.health import new_alerts
from kiosk.desk_link import wire
from kiosk.desk_link.client import (Booking, DeskClient, DeskRejected, DeskUnavailable, Reason, Slot,
                                    SlotTaken)
from kiosk.desk_link.local_tickets import LocalTicketSeries, series_prefix
from kiosk.desk_link.outbox import FILE_NAME as OUTBOX_FILE, Outbox

log = logging.getLogger(__name__)

CALL_POLL_S = 2.0


class CallState(str, enum.Enum):
    NO_DESK = "no-desk"            # no desk configured: the resident is asked to go to the desk
    QUEUED = "queued"              # kept in the outbox: the desk is unreachable right now
    OPEN = "open"                  # the desk has it; staff have not answered yet
    ACKNOWLEDGED = "acknowledged"  # "A staff member is coming"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (CallState.NO_DESK, CallState.RESOLVED, CallState.CANCELLED)


class Priority(str, enum.Enum):
    NONE = "none"
    SENIOR = "senior"
    DISABILITY = "disability"
    PREGNANCY = "pregnancy"


@dataclass
class CallHandle:
    """One help call; `state` changes as staff answer, `on_change(handle)` is called from a worker thread."""
    key: str
    state: CallState
    on_change: Callable[["CallHandle"], None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Ticket:
    number: str
    # None for a kiosk-series ticket: only the desk knows the queue.
    people_ahead: int | None
    expected_wait_min: int | None
    where_to_go: str
    follow_url: str | None
    from_desk: bool


class DeskLink:
    def __init__(self, settings):
        desk = settings.staffdesk
        self.heartbeat_s = desk.heartbeat_s
        self.client = DeskClient(desk.url, desk.token, desk.timeout_s, desk.ca_file) if desk.url else None
        state_dir = settings.kiosk.state_dir
        # Usage events go many to a request: a kiosk back after a day away has hundreds waiting.
        self.outbox = Outbox(state_dir / OUTBOX_FILE, self._deliver,
                             batches={"usage": (self._deliver_usage, wire.USAGE_BATCH_MAX)})
        self.local_series = LocalTicketSeries(state_dir / "local_tickets.sqlite", series_prefix(settings.kiosk.id))
        self._health: dict = {}
        self._health_lock = threading.Lock()
        self._calls: dict[str, CallHandle] = {}
        self._calls_lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._before_beats: list[Callable[[DeskClient], None]] = []

    @property
    def has_desk(self) -> bool:
        return self.client is not None

    # ---- life ----------------------------------------------------------------------------------

    def start(self, heartbeats: bool = True) -> None:
        """Start delivering the outbox (whatever an earlier run left too), watching calls, and heartbeats
        (a command-line process sends none: it is not the kiosk being alive)."""
        if not self.has_desk or self._threads:
            return
        self._stopping.clear()
        self.outbox.start()
        workers = [("staffdesk-calls", self._watch_calls)] + ([("staffdesk-heartbeat", self._beat)] if heartbeats else [])
        for name, target in workers:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        self.outbox.stop()

    def close(self) -> None:
        self.stop()
        self.outbox.close()
        self.local_series.close()

    # ---- help calls ----------------------------------------------------------------------------

    def call_staff(self, screen: str, step: str, last_error: str = "", reason: str = "",
                   on_change: Callable[[CallHandle], None] | None = None) -> CallHandle:
        """Send a help call with where the resident is; no personal data goes in screen, step or error."""
        if not self.has_desk:
            return CallHandle(str(uuid.uuid4()), CallState.NO_DESK, on_change)
        key = self.outbox.put("call", {"screen": screen, "step": step, "last_error": last_error, "reason": reason})
        handle = CallHandle(key, CallState.QUEUED, on_change)
        with self._calls_lock:
            self._calls[key] = handle
        return handle

    def refresh_call(self, handle: CallHandle) -> CallState:
        """Ask the desk now (the watcher does this every few seconds by itself)."""
        if handle.state.finished or not self.has_desk:
            return handle.state
        if self.outbox.is_pending(handle.key):
            self._set(handle, CallState.QUEUED)
            return handle.state
        try:
            status = self.client.call_status(handle.key)
        except (DeskUnavailable, DeskRejected):
            return handle.state  # keep what the resident was last told
        self._set(handle, CallState(status.state))
        return handle.state

    def cancel_call(self, handle: CallHandle) -> None:
        if handle.state.finished:
            return
        if self.has_desk:
            # Through the outbox, after the call itself: the desk always sees the call before its cancel.
            self.outbox.put("cancel-call", {"call_key": handle.key})
        self._set(handle, CallState.CANCELLED)

    def _set(self, handle: CallHandle, state: CallState) -> None:
        if handle.state is state:
            return
        handle.state = state
        if state.finished:
            with self._calls_lock:
                self._calls.pop(handle.key, None)
        if handle.on_change is not None:
            try:
                handle.on_change(handle)
            except Exception:
                log.exception("a help call's on_change callback failed")

    def _watch_calls(self) -> None:
        while not self._stopping.wait(CALL_POLL_S):
            with self._calls_lock:
                handles = list(self._calls.values())
            for handle in handles:
                self.refresh_call(handle)

    # ---- queue tickets -------------------------------------------------------------------------

    def take_ticket(self, service_id: str, service_name: str, priority: Priority = Priority.NONE) -> Ticket:
        """A number from the centre's queue; from the kiosk's own series when the desk cannot be reached."""
        key = str(uuid.uuid4())
        if self.has_desk:
            try:
                issued = self.client.take_ticket(key, service_id, service_name, Priority(priority).value)
                return Ticket(issued.number, issued.people_ahead, issued.expected_wait_min, issued.where_to_go,
                              self.client.follow_url(issued), from_desk=True)
            except (DeskUnavailable, DeskRejected) as problem:
                log.warning("the desk gave no ticket (%s); using the kiosk's own series", problem)
        number = self.local_series.next_number()
        if self.has_desk:
            # The desk learns of it later, so staff can call it and the day's counts stay right.
            self.outbox.put("local-ticket", {"number": number, "service_id": service_id,
                                             "service_name": service_name, "priority": Priority(priority).value,
                                             "issued_at": dt.datetime.now(dt.timezone.utc).isoformat()}, key=key)
        return Ticket(number, None, None, "", None, from_desk=False)

    # ---- video consultations -------------------------------------------------------------------

    def _online(self) -> DeskClient:
        if self.client is None:
            raise DeskUnavailable(Reason.NO_DESK)
        return self.client

    def video_institutions(self) -> dict[str, tuple[str, ...]]:
        """Institution code -> topic codes; DeskUnavailable when offline (booking needs the desk)."""
        return self._online().video_institutions()

    def video_slots(self, institution: str, topic: str = "") -> list[Slot]:
        return self._online().video_slots(institution, topic)

    def book(self, slot_id: int, topic: str = "") -> Booking:
        """Raises SlotTaken when another kiosk was first, DeskUnavailable when the desk cannot be reached."""
        return self._online().book(str(uuid.uuid4()), slot_id, topic)

    # ---- health --------------------------------------------------------------------------------

    def update_health(self, **parts) -> None:
        """Device monitors report here (printer_paper='out', reader_present=False...); a new fault is sent
        at once as an alert, and the next heartbeat carries the whole picture."""
        with self._health_lock:
            new_faults = new_alerts(self._health, parts)
            self._health.update(parts)
        for kind in new_faults:
            self.alert(kind)

    def health(self) -> dict:
        with self._health_lock:
            return dict(self._health)

    def heartbeat(self, health: dict | None = None) -> bool:
        """Send one heartbeat now; False when the desk did not get it (heartbeats are never queued)."""
        if self.client is None:
            return False
        try:
            self.client.heartbeat(self.health() if health is None else health)
            return True
        except (DeskUnavailable, DeskRejected):
            return False

    def before_each_heartbeat(self, work: Callable[[DeskClient], None]) -> None:
        """Work for the heartbeat's thread before each beat, with the desk's client (asking for a newer catalogue
        bundle): what it reports through update_health goes out with that beat."""
        self._before_beats.append(work)

    def beat(self) -> bool:
        """What the heartbeat's thread does every heartbeat_s: the work before it, then the heartbeat."""
        for work in list(self._before_beats):
            try:
                work(self.client)
            except Exception as error:  # the heartbeat still goes; the work says its own problems
                log.error("work before a heartbeat failed: %s", type(error).__name__)
        return self.heartbeat()

    def _beat(self) -> None:
        self.beat()
        while not self._stopping.wait(self.heartbeat_s):
            self.beat()

    def alert(self, kind: str, detail: str = "") -> str | None:
        """A fault staff should know of now (kind: lower-case words with dashes); kept until delivered."""
        if not self.has_desk:
            return None
        return self.outbox.put("alert", {"kind": kind, "detail": detail})

    # ---- usage, for the centres' statistics ----------------------------------------------------------------

    def count(self, event: dict) -> str | None:
        """A usage event (kiosk.usage: codes, ids, times, numbers) kept until the desk has it; None without a desk."""
        if not self.has_desk:
            return None
        return self.outbox.put("usage", event)

    def _deliver_usage(self, messages: list[tuple[str, dict]]) -> None:
        if self.client is None:
            raise DeskUnavailable(Reason.NO_DESK)
        self.client.record_usage([{"key": key, **payload} for key, payload in messages])

    # ---- the outbox's delivery -----------------------------------------------------------------

    def _deliver(self, kind: str, key: str, payload: dict) -> None:
        if self.client is None:
            raise DeskUnavailable(Reason.NO_DESK)
        if kind == "call":
            self.client.open_call(key, payload["screen"], payload["step"], payload["last_error"], payload["reason"])
        elif kind == "cancel-call":
            self.client.cancel_call(payload["call_key"])
        elif kind == "alert":
            self.client.alert(key, payload["kind"], payload["detail"])
        elif kind == "local-ticket":
            self.client.report_local_ticket({"key": key, **payload})
        elif kind == "usage":
            self.client.record_usage([{"key": key, **payload}])
        else:
            raise DeskRejected(f"unknown outbox message kind '{kind}'")


__all__ = ["DeskLink", "CallHandle", "CallState", "Priority", "Ticket", "Slot", "Booking", "DeskUnavailable",
           "SlotTaken", "Reason"]

"""The staff desk's kiosk API over HTTP (requests): typed results, and plain reasons when it fails."""

from __future__ import annotations

import datetime as dt
import enum
import threading
from dataclasses import dataclass

import requests


class Reason(str, enum.Enum):
    NO_DESK = "no-desk"              # kiosk.ini names no desk
    UNREACHABLE = "unreachable"      # no connection (network down, desk stopped)
    TIMEOUT = "timeout"              # connected, but no answer within [staffdesk] timeout_s
    TOKEN_REFUSED = "token-refused"  # the desk does not know this kiosk's token: an administrator must fix it
    DESK_ERROR = "desk-error"        # the desk answered with a server error


class DeskUnavailable(Exception):
    """The desk cannot be used right now; `reason` says why in one word the app can act on."""

    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(f"{reason.value}{': ' + detail if detail else ''}")
        self.reason = reason


class DeskRejected(Exception):
    """The desk refused this request for good (it is malformed): resending it would not help."""


class SlotTaken(Exception):
    """Another kiosk booked the slot first, or staff cancelled it."""


@dataclass(frozen=True)
class CallStatus:
    key: str
    state: str
    waiting_s: int


@dataclass(frozen=True)
class IssuedTicket:
    number: str
    people_ahead: int
    expected_wait_min: int
    where_to_go: str
    follow_url: str | None


@dataclass(frozen=True)
class Slot:
    id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int


@dataclass(frozen=True)
class Booking:
    reference: str
    slot_id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int
    room: str


class DeskClient:
    def __init__(self, url: str, token: str, timeout_s: float):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._token = token
        # One requests.Session per thread: the outbox, the heartbeat and the app each keep their own connection.
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self._token}"
        return session

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self._session().request(method, self.url + path, timeout=self.timeout_s, **kwargs)
        except requests.Timeout:
            raise DeskUnavailable(Reason.TIMEOUT) from None
        except requests.RequestException as error:
            raise DeskUnavailable(Reason.UNREACHABLE, type(error).__name__) from None
        if response.status_code in (401, 403):
            raise DeskUnavailable(Reason.TOKEN_REFUSED)
        if response.status_code >= 500:
            raise DeskUnavailable(Reason.DESK_ERROR, str(response.status_code))
        return response

    def _ok(self, response: requests.Response) -> requests.Response:
        if response.status_code >= 400:
            raise DeskRejected(f"{response.status_code} {response.text[:200]}")
        return response

    def open_call(self, key: str, screen: str, step: str, last_error: str, reason: str) -> CallStatus:
        body = {"key": key, "screen": screen[:80], "step": step[:80], "last_error": last_error[:300],
                "reason": reason[:300]}
        return CallStatus(**self._ok(self._request("POST", "/api/kiosk/calls", json=body)).json())

    def call_status(self, key: str) -> CallStatus:
        return CallStatus(**self._ok(self._request("GET", f"/api/kiosk/calls/{key}")).json())

    def cancel_call(self, key: str) -> CallStatus:
        return CallStatus(**self._ok(self._request("POST", f"/api/kiosk/calls/{key}/cancel")).json())

    def take_ticket(self, key: str, service_id: str, service_name: str, priority: str) -> IssuedTicket:
        body = {"key": key, "service_id": service_id, "service_name": service_name, "priority": priority}
        data = self._ok(self._request("POST", "/api/kiosk/tickets", json=body)).json()
        follow = data.pop("follow_path")
        return IssuedTicket(**data, follow_url=self.url + follow if follow else None)

    def report_local_ticket(self, payload: dict) -> None:
        self._ok(self._request("POST", "/api/kiosk/local-tickets", json=payload))

    def video_institutions(self) -> dict[str, tuple[str, ...]]:
        data = self._ok(self._request("GET", "/api/kiosk/video/institutions")).json()
        return {code: tuple(topics) for code, topics in data.items()}

    def video_slots(self, institution: str, topic: str = "") -> list[Slot]:
        data = self._ok(self._request("GET", "/api/kiosk/video/slots",
                                      params={"institution": institution, "topic": topic})).json()
        return [Slot(**{**slot, "start": dt.datetime.fromisoformat(slot["start"])}) for slot in data]

    def book(self, key: str, slot_id: int, topic: str) -> Booking:
        response = self._request("POST", "/api/kiosk/video/bookings",
                                 json={"key": key, "slot_id": slot_id, "topic": topic})
        if response.status_code == 409:
            raise SlotTaken
        data = self._ok(response).json()
        return Booking(**{**data, "start": dt.datetime.fromisoformat(data["start"])})

    def heartbeat(self, health: dict) -> None:
        self._ok(self._request("POST", "/api/kiosk/heartbeat", json=health))

    def alert(self, key: str, kind: str, detail: str) -> None:
        self._ok(self._request("POST", "/api/kiosk/alerts", json={"key": key, "kind": kind, "detail": detail[:300]}))

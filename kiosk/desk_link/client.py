"""The staff desk's kiosk API over HTTP (requests): typed results, and plain reasons when it fails."""

from __future__ import annotations

import enum
import threading
from pathlib import Path
import requests

from kiosk.desk_link import wire
from kiosk.desk_link.wire import Booking, CallStatus, IssuedTicket, Slot


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


class DeskClient:
    def __init__(self, url: str, token: str, timeout_s: float, ca_file: Path | None = None):
        self.url = url.rstrip("/")
        # A centre's desk on its own network usually has a certificate from the centre's private authority.
        self._verify = str(ca_file) if ca_file else True
        self._api = self.url + wire.PREFIX
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
            # verify on each request: a session's own would give way to $REQUESTS_CA_BUNDLE.
            response = self._session().request(method, self._api + path, timeout=self.timeout_s,
                                               verify=self._verify, **kwargs)
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
        body = {"key": key, "screen": screen[:wire.SCREEN_MAX], "step": step[:wire.STEP_MAX],
                "last_error": last_error[:wire.TEXT_MAX], "reason": reason[:wire.TEXT_MAX]}
        return CallStatus.from_json(self._ok(self._request("POST", wire.CALLS, json=body)).json())

    def call_status(self, key: str) -> CallStatus:
        return CallStatus.from_json(self._ok(self._request("GET", f"{wire.CALLS}/{key}")).json())

    def cancel_call(self, key: str) -> CallStatus:
        return CallStatus.from_json(self._ok(self._request("POST", f"{wire.CALLS}/{key}/cancel")).json())

    def take_ticket(self, key: str, service_id: str, service_name: str, priority: str) -> IssuedTicket:
        body = {"key": key, "service_id": service_id, "service_name": service_name, "priority": priority}
        return IssuedTicket.from_json(self._ok(self._request("POST", wire.TICKETS, json=body)).json())

    def follow_url(self, ticket: IssuedTicket) -> str | None:
        """Where a phone follows the ticket: the desk's own address and the ticket's page on it."""
        return self.url + ticket.follow_path if ticket.follow_path else None

    def report_local_ticket(self, payload: dict) -> None:
        self._ok(self._request("POST", wire.LOCAL_TICKETS, json=payload))

    def video_institutions(self) -> dict[str, tuple[str, ...]]:
        data = self._ok(self._request("GET", wire.VIDEO_INSTITUTIONS)).json()
        return {code: tuple(topics) for code, topics in data.items()}

    def video_slots(self, institution: str, topic: str = "") -> list[Slot]:
        data = self._ok(self._request("GET", wire.VIDEO_SLOTS, params={"institution": institution,
                                                                        "topic": topic})).json()
        return [Slot.from_json(slot) for slot in data]

    def book(self, key: str, slot_id: int, topic: str) -> Booking:
        response = self._request("POST", wire.VIDEO_BOOKINGS, json={"key": key, "slot_id": slot_id, "topic": topic})
        if response.status_code == 409:
            raise SlotTaken
        return Booking.from_json(self._ok(response).json())

    def heartbeat(self, health: dict) -> None:
        self._ok(self._request("POST", wire.HEARTBEAT, json=health))

    def newest_bundle(self, have: int) -> bytes | None:
        """The newest catalogue bundle for this kiosk's ring, as sent (unverified: kiosk/fleet/store.py checks it);
        None when the kiosk has it already (version `have` or newer) or none is released."""
        response = self._ok(self._request("GET", wire.BUNDLE, headers={"If-None-Match": f'"{have}"'}))
        return response.content if response.status_code == 200 else None

    def centre_settings(self, have: int) -> dict | None:
        """The centre's layer of the settings ({"revision": N, "values": {...}}, unchecked: kiosk/fleet checks it);
        None when the kiosk has revision `have` already, or the centre has set none."""
        response = self._ok(self._request("GET", wire.CENTRE_SETTINGS, headers={"If-None-Match": f'"{have}"'}))
        return response.json() if response.status_code == 200 else None

    def alert(self, key: str, kind: str, detail: str) -> None:
        self._ok(self._request("POST", wire.ALERTS, json={"key": key, "kind": kind, "detail": detail[:wire.TEXT_MAX]}))

    def record_usage(self, events: list[dict]) -> int:
        """Usage events, each with its key (kiosk.usage makes them): how many the desk had not stored before."""
        return self._ok(self._request("POST", wire.USAGE, json={"events": events})).json()["stored"]

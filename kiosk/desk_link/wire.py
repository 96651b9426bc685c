"""The staff desk's kiosk protocol, defined once for both ends: paths, field limits and the answers' shapes.

The kiosk's client and the desk's server both import this module; it holds no server code and needs nothing
beyond the standard library, so a kiosk never carries the desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

PREFIX = "/api/kiosk"
CALLS = "/calls"
TICKETS = "/tickets"
LOCAL_TICKETS = "/local-tickets"
VIDEO_INSTITUTIONS = "/video/institutions"
VIDEO_SLOTS = "/video/slots"
VIDEO_BOOKINGS = "/video/bookings"
HEARTBEAT = "/heartbeat"
# The newest catalogue bundle for this kiosk's ring: GET with If-None-Match: "VERSION" (the newest the kiosk has);
# 304 when it has it already, 204 when none is released, else the bundle (kiosk/fleet/bundle.py) with its ETag.
BUNDLE = "/bundle"
# The centre's own settings (kiosk/fleet/layers.py), the same way: {"revision": N, "values": {section: {key: text}}}.
CENTRE_SETTINGS = "/centre-settings"
ALERTS = "/alerts"
USAGE = "/usage"

# Limits that match the desk's columns: the kiosk trims to them, the desk refuses what is longer.
KEY_PATTERN = r"^[A-Za-z0-9-]+$"
KEY_LENGTH = (8, 64)
SCREEN_MAX = STEP_MAX = 80
TEXT_MAX = 300              # a call's last error or reason, an alert's detail
SERVICE_ID_MAX, SERVICE_NAME_MAX = 120, 200
TICKET_NUMBER_MAX = 20
TOPIC_MAX = 40
ALERT_KIND_PATTERN, ALERT_KIND_MAX = r"^[a-z0-9-]+$", 40
VERSION_MAX = 40
LEVELS = ("ok", "low", "out", "unknown")  # paper and toner in a heartbeat
ID_MAX = 2**31 - 1          # a slot's id, as the desk's integer columns hold it
# Usage events (what is counted for the centres' statistics): codes, catalogue ids, times and numbers only, so that
# nothing a resident typed, and no name or personal code, can travel in one. A service id starts with a letter: a
# personal code (digits and a dash) can never pass for one.
USAGE_KINDS = ("visit", "service-viewed", "self-service-opened", "form-printed", "video-booked", "ticket-taken",
               "pages-printed", "pages-scanned")
USAGE_CHANNELS = ("self", "authorised", "paper", "video", "in_person")
USAGE_LANGUAGES = ("lv", "en", "uk")
USAGE_SERVICE_PATTERN = r"^([a-z][a-z0-9]*(-[a-z0-9]+)*)?$"
USAGE_INSTITUTION_PATTERN = r"^([A-Z]{2,10})?$"
USAGE_DURATION_MAX_S = 7 * 86400
USAGE_AMOUNT_MAX = 10_000
# Events in one request: the longest legal event is under 400 bytes of JSON, so a full batch stays under BODY_MAX.
USAGE_BATCH_MAX = 32
# The largest request body the desk reads (413 beyond): the longest legal one, every field at its limit in
# escaped JSON, is about 4 KiB.
BODY_MAX = 16 * 1024


class Answer:
    """An answer's shape; `from_json` reads it as the desk sent it (times as ISO 8601 text)."""

    @classmethod
    def from_json(cls, data: dict):
        values = {}
        for spec in fields(cls):
            value = data[spec.name]
            if spec.type in ("dt.datetime", dt.datetime) and isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            values[spec.name] = value
        return cls(**values)


@dataclass(frozen=True)
class CallStatus(Answer):
    key: str
    state: str
    waiting_s: int


@dataclass(frozen=True)
class IssuedTicket(Answer):
    number: str
    people_ahead: int
    expected_wait_min: int
    where_to_go: str
    follow_path: str | None  # on the desk: the page that follows this ticket on a phone


@dataclass(frozen=True)
class Slot(Answer):
    id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int


@dataclass(frozen=True)
class Booking(Answer):
    reference: str
    slot_id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int
    room: str

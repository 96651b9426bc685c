"""What the kiosk API accepts and answers: validated shapes, with limits that match the columns."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from staffdesk.models import Priority

Key = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
Level = Literal["ok", "low", "out", "unknown"]


class CallIn(BaseModel):
    key: str = Key
    screen: str = Field("", max_length=80)
    step: str = Field("", max_length=80)
    last_error: str = Field("", max_length=300)
    reason: str = Field("", max_length=300)


class CallOut(BaseModel):
    key: str
    state: str
    waiting_s: int


class TicketIn(BaseModel):
    key: str = Key
    service_id: str = Field(min_length=1, max_length=120)
    service_name: str = Field(min_length=1, max_length=200)
    priority: Priority = Priority.NONE


class TicketOut(BaseModel):
    number: str
    people_ahead: int
    expected_wait_min: int
    where_to_go: str
    follow_path: str | None


class LocalTicketIn(TicketIn):
    number: str = Field(min_length=1, max_length=20)
    issued_at: dt.datetime


class SlotOut(BaseModel):
    id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int


class BookingIn(BaseModel):
    key: str = Key
    slot_id: int
    topic: str = Field("", max_length=40)


class BookingOut(BaseModel):
    reference: str
    slot_id: int
    institution: str
    topic: str
    start: dt.datetime
    duration_min: int
    room: str


class HealthIn(BaseModel):
    printer_paper: Level | None = None
    printer_toner: Level | None = None
    receipt_paper: Level | None = None
    reader_present: bool | None = None
    scanner_present: bool | None = None
    screen: str | None = Field(None, max_length=80)
    version: str | None = Field(None, max_length=40)


class AlertIn(BaseModel):
    key: str = Key
    kind: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    detail: str = Field("", max_length=300)

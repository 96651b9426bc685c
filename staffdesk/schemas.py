"""What the kiosk API accepts and answers: validated shapes, with the limits of the protocol (kiosk.staffdesk.wire)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from kiosk.staffdesk import wire
from kiosk.staffdesk.wire import Booking as BookingOut, CallStatus as CallOut, IssuedTicket as TicketOut
from kiosk.staffdesk.wire import Slot as SlotOut
from staffdesk.models import Priority

Key = Field(min_length=wire.KEY_LENGTH[0], max_length=wire.KEY_LENGTH[1], pattern=wire.KEY_PATTERN)
Level = Literal[wire.LEVELS]

__all__ = ["CallIn", "CallOut", "TicketIn", "TicketOut", "LocalTicketIn", "SlotOut", "BookingIn", "BookingOut",
           "HealthIn", "AlertIn"]


class CallIn(BaseModel):
    key: str = Key
    screen: str = Field("", max_length=wire.SCREEN_MAX)
    step: str = Field("", max_length=wire.STEP_MAX)
    last_error: str = Field("", max_length=wire.TEXT_MAX)
    reason: str = Field("", max_length=wire.TEXT_MAX)


class TicketIn(BaseModel):
    key: str = Key
    service_id: str = Field(min_length=1, max_length=wire.SERVICE_ID_MAX)
    service_name: str = Field(min_length=1, max_length=wire.SERVICE_NAME_MAX)
    priority: Priority = Priority.NONE


class LocalTicketIn(TicketIn):
    number: str = Field(min_length=1, max_length=wire.TICKET_NUMBER_MAX)
    issued_at: dt.datetime


class BookingIn(BaseModel):
    key: str = Key
    slot_id: int
    topic: str = Field("", max_length=wire.TOPIC_MAX)


class HealthIn(BaseModel):
    printer_paper: Level | None = None
    printer_toner: Level | None = None
    receipt_paper: Level | None = None
    reader_present: bool | None = None
    scanner_present: bool | None = None
    screen: str | None = Field(None, max_length=wire.SCREEN_MAX)
    version: str | None = Field(None, max_length=wire.VERSION_MAX)


class AlertIn(BaseModel):
    key: str = Key
    kind: str = Field(min_length=1, max_length=wire.ALERT_KIND_MAX, pattern=wire.ALERT_KIND_PATTERN)
    detail: str = Field("", max_length=wire.TEXT_MAX)

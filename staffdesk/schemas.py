"""What the kiosk API accepts and answers: validated shapes, with the limits of the protocol (kiosk.staffdesk.wire)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from kiosk.staffdesk import wire
from kiosk.staffdesk.wire import Booking as BookingOut, CallStatus as CallOut, IssuedTicket as TicketOut
from kiosk.staffdesk.wire import Slot as SlotOut
from staffdesk.models import Priority, utcnow
from staffdesk.queue import LOCAL_TIME

Key = Field(min_length=wire.KEY_LENGTH[0], max_length=wire.KEY_LENGTH[1], pattern=wire.KEY_PATTERN)
Level = Literal[wire.LEVELS]
LOCAL_TICKET_SKEW_MAX = dt.timedelta(days=31)

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
    # Naive UTC once read (a naive time is taken as UTC); the desk then bounds it (queue.report_local_ticket).
    issued_at: dt.datetime

    @field_validator("issued_at")
    @classmethod
    def as_utc(cls, issued_at: dt.datetime) -> dt.datetime:
        try:
            if issued_at.tzinfo is not None:
                issued_at = issued_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
            # The day is then taken in Latvia's zone: the years at either end cannot be moved there.
            issued_at.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME)
        except (OverflowError, ValueError):
            raise ValueError("not a usable time") from None
        # Within that, the desk clamps the time to what it can believe; a month off is no clock, only a mistake.
        if abs(issued_at - utcnow()) > LOCAL_TICKET_SKEW_MAX:
            raise ValueError("too far from the desk's time")
        return issued_at


class BookingIn(BaseModel):
    key: str = Key
    slot_id: int = Field(ge=1, le=wire.ID_MAX)
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

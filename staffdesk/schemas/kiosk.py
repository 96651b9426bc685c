"""What the kiosk API accepts and answers: validated shapes, with the limits of the protocol (kiosk.desk_link.wire)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.desk_link import wire
from kiosk.desk_link.wire import Booking as BookingOut, CallStatus as CallOut, IssuedTicket as TicketOut
from kiosk.desk_link.wire import Slot as SlotOut
from staffdesk.models import Priority, utcnow
from staffdesk.queue import LOCAL_TIME

Key = Field(min_length=wire.KEY_LENGTH[0], max_length=wire.KEY_LENGTH[1], pattern=wire.KEY_PATTERN)
Level = Literal[wire.LEVELS]
LOCAL_TICKET_SKEW_MAX = dt.timedelta(days=31)
# A kiosk's clock may run a little ahead (its event is then dated at its arrival); a day ahead is a wrong clock.
USAGE_AHEAD_MAX = dt.timedelta(days=1)
# A kiosk away for months still delivers what it counted; older than this, the period was reported long ago.
USAGE_AGE_MAX = dt.timedelta(days=400)

__all__ = ["CallIn", "CallOut", "TicketIn", "TicketOut", "LocalTicketIn", "SlotOut", "BookingIn", "BookingOut",
           "HealthIn", "AlertIn", "UsageIn", "UsageBatchIn"]


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
    # The catalogue bundle the kiosk runs (kiosk/fleet), when it last asked for a newer one, and the last it refused.
    bundle_version: int | None = Field(None, ge=0, le=wire.ID_MAX)
    bundle_checked: dt.datetime | None = None
    bundle_refused: str | None = Field(None, max_length=wire.TEXT_MAX)

    @field_validator("bundle_checked")
    @classmethod
    def _naive_utc(cls, moment: dt.datetime | None) -> dt.datetime | None:
        # Stored as every other time of the desk's: naive UTC.
        if moment is None or moment.tzinfo is None:
            return moment
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


class AlertIn(BaseModel):
    key: str = Key
    kind: str = Field(min_length=1, max_length=wire.ALERT_KIND_MAX, pattern=wire.ALERT_KIND_PATTERN)
    detail: str = Field("", max_length=wire.TEXT_MAX)


class UsageIn(BaseModel):
    """One counted thing from a kiosk: only these fields, each a code, an id from the catalogue or a number, so that
    no text of a resident's can come in with it (any other field is refused)."""
    model_config = ConfigDict(extra="forbid")
    key: str = Key
    kind: Literal[wire.USAGE_KINDS]
    # The kiosk's own time of it, kept as it was (a late delivery still counts in the period it happened in).
    occurred_at: dt.datetime
    service_id: str = Field("", max_length=wire.SERVICE_ID_MAX, pattern=wire.USAGE_SERVICE_PATTERN)
    institution: str = Field("", max_length=10, pattern=wire.USAGE_INSTITUTION_PATTERN)
    channel: Literal[("",) + wire.USAGE_CHANNELS] = ""
    language: Literal[("",) + wire.USAGE_LANGUAGES] = ""
    duration_s: int | None = Field(None, ge=0, le=wire.USAGE_DURATION_MAX_S)
    amount: int = Field(1, ge=1, le=wire.USAGE_AMOUNT_MAX)

    @field_validator("occurred_at")
    @classmethod
    def as_utc(cls, occurred_at: dt.datetime) -> dt.datetime:
        try:
            if occurred_at.tzinfo is not None:
                occurred_at = occurred_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
            occurred_at.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME)
        except (OverflowError, ValueError):
            raise ValueError("not a usable time") from None
        now = utcnow()
        if occurred_at > now + USAGE_AHEAD_MAX:
            raise ValueError("ahead of the desk's time")
        if occurred_at < now - USAGE_AGE_MAX:
            raise ValueError("too long ago")
        return min(occurred_at, now)


class UsageBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[UsageIn] = Field(min_length=1, max_length=wire.USAGE_BATCH_MAX)

"""What the staff console sends: validated bodies of its actions (calling the next ticket, a slot, a matter)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from kiosk.desk_link import wire
from staffdesk import queue, usage
from staffdesk.models import utcnow

# Staff open consultation times for the months ahead, not years.
SLOT_AHEAD_MAX = dt.timedelta(days=400)

__all__ = ["CallNext", "NewSlot", "MatterIn"]


class CallNext(BaseModel):
    desk: str = Field(min_length=1, max_length=60)
    service_id: str = Field("", max_length=120)


class NewSlot(BaseModel):
    institution: str = Field(max_length=10)
    topic: str = Field("", max_length=wire.TOPIC_MAX)
    # As staff type it in the page: local time in Latvia, e.g. 2025-03-04T10:30. Read as naive UTC, and only a
    # time ahead (within SLOT_AHEAD_MAX) is taken: year 1 or 9999 cannot even be moved between zones.
    starts: dt.datetime
    duration_min: int = Field(20, ge=5, le=180)
    room: str = Field("", max_length=60)

    @field_validator("starts")
    @classmethod
    def ahead(cls, starts: dt.datetime) -> dt.datetime:
        now = utcnow()
        try:
            starts = (starts if starts.tzinfo else starts.replace(tzinfo=queue.LOCAL_TIME))
            starts = starts.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise ValueError("the start is not a usable time") from None
        if starts <= now:
            raise ValueError("the start has passed")
        if starts > now + SLOT_AHEAD_MAX:
            raise ValueError("the start is too far ahead")
        return starts


class MatterIn(BaseModel):
    # Made by the console when the panel opens: a second tap or a resend records nothing more.
    key: str = Field(min_length=wire.KEY_LENGTH[0], max_length=wire.KEY_LENGTH[1], pattern=wire.KEY_PATTERN)
    matter: Literal[usage.MATTERS]
    channel: Literal[usage.STAFF_CHANNELS]
    service_id: str = Field("", max_length=wire.SERVICE_ID_MAX, pattern=wire.USAGE_SERVICE_PATTERN)
    institution: str = Field("", max_length=10, pattern=wire.USAGE_INSTITUTION_PATTERN)
    desk: str = Field("", max_length=60)
    call_id: int | None = Field(None, ge=1, le=wire.ID_MAX)
    ticket_id: int | None = Field(None, ge=1, le=wire.ID_MAX)

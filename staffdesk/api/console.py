"""The staff console: its pages, its live stream (server-sent events) and the actions staff take."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from kiosk.staffdesk import wire
from staffdesk import desk, matters, queue, snapshot, streams, usage, video
from staffdesk.api.deps import StaffContext, database, staff, staff_action, staff_page, staff_streaming
from staffdesk.api.pages import language, render
from staffdesk.models import Role, TicketState, utcnow

router = APIRouter()
View = Literal[streams.VIEWS]
# A row's id as the database's columns hold it: a larger number is refused (422), not sent to the database.
RowId = Annotated[int, Path(ge=1, le=wire.ID_MAX)]
# Staff open consultation times for the months ahead, not years.
SLOT_AHEAD_MAX = dt.timedelta(days=400)


@router.get("/")
def home():
    return RedirectResponse("/console", status_code=303)


@router.get("/console")
def console_page(request: Request, context: StaffContext = Depends(staff_page)):
    return render(request, "console.html", {
        "staff": context.staff, "csrf_token": context.session.csrf_token, "institutions": video.INSTITUTIONS,
        "reports": context.staff.role in (Role.MANAGER.value, Role.NATIONAL.value),
        # The services and the ways staff record a matter under, in two taps (console.js).
        "matters_json": json.dumps({"institutions": request.app.state.catalogue.for_console(language(request)),
                                    "matters": usage.MATTERS, "channels": usage.STAFF_CHANNELS},
                                   ensure_ascii=False).replace("</", "<\\/")})


@router.get("/board")
def board_page(request: Request, _context: StaffContext = Depends(staff_page)):
    return render(request, "board.html", {})


@router.get("/console/state")
def state(request: Request, view: View = "console", context: StaffContext = Depends(staff)):
    with request.app.state.read_sessions() as session:
        if view == "board":
            data = snapshot.board(session, context.staff.centre_id)
        else:
            data = snapshot.console(session, context.staff.centre_id, request.app.state.heartbeats.fresher())
    # Names of kiosks, calls and bookings: no cache, shared or the browser's, keeps a copy.
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.get("/console/events")
async def events(request: Request, view: View = "console", context: StaffContext = Depends(staff_streaming)):
    centre_id, hub = context.staff.centre_id, request.app.state.streams
    try:
        subscriber = hub.subscribe(centre_id, view, context.session.id)
    except streams.TooManyStreams:
        raise HTTPException(429, "too many open streams for this session") from None
    return StreamingResponse(streams.stream(hub, centre_id, view, subscriber), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _done(request: Request, context: StaffContext, changed: bool) -> dict:
    request.app.state.changes.bump(context.staff.centre_id)
    return {"ok": changed}


@router.post("/console/calls/{call_id}/ack")
def acknowledge(call_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, desk.acknowledge_call(session, context.staff, call_id))


@router.post("/console/calls/{call_id}/resolve")
def resolve(call_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
            session: Session = Depends(database)):
    return _done(request, context, desk.resolve_call(session, context.staff, call_id) is not None)


class CallNext(BaseModel):
    desk: str = Field(min_length=1, max_length=60)
    service_id: str = Field("", max_length=120)


@router.post("/console/queue/next")
def call_next(body: CallNext, request: Request, context: StaffContext = Depends(staff_action),
              session: Session = Depends(database)):
    ticket = queue.call_next(session, context.staff, body.desk.strip(), body.service_id or None)
    request.app.state.changes.bump(context.staff.centre_id)
    return {"number": ticket.number if ticket else None, "desk": body.desk.strip(),
            "state": ticket.state if ticket else TicketState.WAITING.value}


@router.post("/console/queue/tickets/{ticket_id}/recall")
def recall(ticket_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
           session: Session = Depends(database)):
    return _done(request, context, queue.recall(session, context.staff, ticket_id))


@router.post("/console/queue/tickets/{ticket_id}/no-show")
def no_show(ticket_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
            session: Session = Depends(database)):
    return _done(request, context, queue.no_show(session, context.staff, ticket_id))


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


@router.post("/console/slots")
def add_slot(body: NewSlot, request: Request, context: StaffContext = Depends(staff_action),
             session: Session = Depends(database)):
    try:
        slot = video.add_slot(session, context.staff, body.institution, body.topic, body.starts,
                              body.duration_min, body.room)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    request.app.state.changes.bump(context.staff.centre_id)
    return {"id": slot.id}


@router.post("/console/slots/{slot_id}/cancel")
def cancel_slot(slot_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, video.cancel_slot(session, context.staff, slot_id))


@router.post("/console/alerts/{alert_id}/clear")
def clear_alert(alert_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, desk.clear_alert(session, context.staff, alert_id))


@router.post("/console/queue/tickets/{ticket_id}/finish")
def finish(ticket_id: RowId, request: Request, context: StaffContext = Depends(staff_action),
           session: Session = Depends(database)):
    """Served, with nothing to record: the ticket is done and its serving time counted."""
    return _done(request, context, queue.finish(session, context.staff, ticket_id))


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


@router.post("/console/matters")
def record_matter(body: MatterIn, request: Request, context: StaffContext = Depends(staff_action),
                  session: Session = Depends(database)):
    """The second tap: the matter is counted, and the call it answered resolved or the ticket finished."""
    try:
        recorded = matters.record(session, context.staff, request.app.state.catalogue, matters.Matter(
            body.matter, body.channel, body.service_id, body.institution, body.desk.strip(), body.call_id,
            body.ticket_id, body.key))
    except matters.MatterRefused as error:
        raise HTTPException(422, str(error)) from None
    return _done(request, context, recorded)

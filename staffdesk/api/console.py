"""The staff console: its pages, its live stream (server-sent events) and the actions staff take."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session

from kiosk.desk_link import wire
from staffdesk import desk, matters, queue, snapshot, streams, usage, video
from staffdesk.api.deps import StaffContext, database, staff, staff_action, staff_page, staff_streaming
from staffdesk.api.pages import language, render
from staffdesk.models import Role, TicketState
from staffdesk.schemas.console import CallNext, MatterIn, NewSlot

router = APIRouter()
View = Literal[streams.VIEWS]
# A row's id as the database's columns hold it: a larger number is refused (422), not sent to the database.
RowId = Annotated[int, Path(ge=1, le=wire.ID_MAX)]


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

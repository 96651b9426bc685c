"""The staff console: its pages, its live stream (server-sent events) and the actions staff take."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from staffdesk import desk, queue, snapshot, video
from staffdesk.api.deps import StaffContext, database, staff, staff_action, staff_page, staff_streaming
from staffdesk.api.pages import render
from staffdesk.models import TicketState

router = APIRouter()
# How often the stream looks at the change counter, and the longest it stays silent (it then re-reads the
# database, which also catches changes made by another desk process and keeps waiting times fresh).
WATCH_EVERY_S = 0.25
REFRESH_EVERY_S = 5.0


@router.get("/")
def home():
    return RedirectResponse("/console", status_code=303)


@router.get("/console")
def console_page(request: Request, context: StaffContext = Depends(staff_page)):
    return render(request, "console.html", {"staff": context.staff, "csrf_token": context.session.csrf_token,
                                            "institutions": video.INSTITUTIONS})


@router.get("/board")
def board_page(request: Request, _context: StaffContext = Depends(staff_page)):
    return render(request, "board.html", {})


def _read(request: Request, centre_id: int, view: str) -> dict:
    with request.app.state.read_sessions() as session:
        if view == "board":
            return snapshot.board(session, centre_id)
        return snapshot.console(session, centre_id, request.app.state.heartbeats.fresher())


@router.get("/console/state")
def state(request: Request, view: str = "console", context: StaffContext = Depends(staff)):
    return _read(request, context.staff.centre_id, view)


@router.get("/console/events")
async def events(request: Request, view: str = "console", context: StaffContext = Depends(staff_streaming)):
    centre_id = context.staff.centre_id
    changes = request.app.state.changes

    async def stream():
        sent, seen, quiet = None, None, 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            version = changes.version(centre_id)
            if version != seen or quiet >= REFRESH_EVERY_S:
                seen, quiet = version, 0.0
                data = json.dumps(await run_in_threadpool(_read, request, centre_id, view), ensure_ascii=False)
                if data != sent:
                    sent = data
                    yield f"event: state\ndata: {data}\n\n"
                else:
                    yield ": still here\n\n"  # keeps proxies from closing an idle stream
            await asyncio.sleep(WATCH_EVERY_S)
            quiet += WATCH_EVERY_S

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _done(request: Request, context: StaffContext, changed: bool) -> dict:
    request.app.state.changes.bump(context.staff.centre_id)
    return {"ok": changed}


@router.post("/console/calls/{call_id}/ack")
def acknowledge(call_id: int, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, desk.acknowledge_call(session, context.staff, call_id))


@router.post("/console/calls/{call_id}/resolve")
def resolve(call_id: int, request: Request, context: StaffContext = Depends(staff_action),
            session: Session = Depends(database)):
    return _done(request, context, desk.resolve_call(session, context.staff, call_id))


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
def recall(ticket_id: int, request: Request, context: StaffContext = Depends(staff_action),
           session: Session = Depends(database)):
    return _done(request, context, queue.recall(session, context.staff, ticket_id))


@router.post("/console/queue/tickets/{ticket_id}/no-show")
def no_show(ticket_id: int, request: Request, context: StaffContext = Depends(staff_action),
            session: Session = Depends(database)):
    return _done(request, context, queue.no_show(session, context.staff, ticket_id))


class NewSlot(BaseModel):
    institution: str
    topic: str = ""
    # As staff type it in the page: local time in Latvia, e.g. 2025-03-04T10:30.
    starts: dt.datetime
    duration_min: int = Field(20, ge=5, le=180)
    room: str = Field("", max_length=60)


@router.post("/console/slots")
def add_slot(body: NewSlot, request: Request, context: StaffContext = Depends(staff_action),
             session: Session = Depends(database)):
    starts = body.starts if body.starts.tzinfo else body.starts.replace(tzinfo=queue.LOCAL_TIME)
    try:
        slot = video.add_slot(session, context.staff, body.institution, body.topic,
                              starts.astimezone(dt.timezone.utc).replace(tzinfo=None), body.duration_min, body.room)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    request.app.state.changes.bump(context.staff.centre_id)
    return {"id": slot.id}


@router.post("/console/slots/{slot_id}/cancel")
def cancel_slot(slot_id: int, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, video.cancel_slot(session, context.staff, slot_id))


@router.post("/console/alerts/{alert_id}/clear")
def clear_alert(alert_id: int, request: Request, context: StaffContext = Depends(staff_action),
                session: Session = Depends(database)):
    return _done(request, context, desk.clear_alert(session, context.staff, alert_id))

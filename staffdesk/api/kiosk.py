"""The kiosk API under /api/kiosk: help calls, tickets, video bookings, heartbeats, alerts and usage events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from staffdesk import desk, fleet, queue, usage, video
from staffdesk.api.deps import database, kiosk, read_database
from staffdesk.models import Centre, Kiosk, KioskHealth, utcnow
from kiosk.desk_link import wire
from staffdesk.schemas.kiosk import (AlertIn, BookingIn, BookingOut, CallIn, CallOut, HealthIn, LocalTicketIn, SlotOut,
                               TicketIn, TicketOut, UsageBatchIn)

router = APIRouter(prefix=wire.PREFIX, tags=["kiosk"])


def _changed(request: Request, centre_id: int) -> None:
    request.app.state.changes.bump(centre_id)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc)


def _call_out(call) -> CallOut:
    return CallOut(key=call.idempotency_key, state=call.state,
                   waiting_s=int((utcnow() - call.created_at).total_seconds()))


# First: the router tries its routes in order, and 2,400 kiosks send this one 80 times a second.
@router.post(wire.HEARTBEAT, status_code=204)
async def heartbeat(body: HealthIn, request: Request, me: Kiosk = Depends(kiosk)):
    # On the event loop: a heartbeat like the last one is only kept in memory, with no thread and no database.
    health, heartbeats = body.model_dump(exclude_none=True), request.app.state.heartbeats
    # Only a change of a device's state wakes the consoles; the heartbeat's age they refresh on their own.
    if not heartbeats.keep(me, health) and await run_in_threadpool(heartbeats.record_now, me, health):
        _changed(request, me.centre_id)
    return Response(status_code=204)


@router.get(wire.BUNDLE)
async def newest_bundle(request: Request, me: Kiosk = Depends(kiosk)):
    # Every kiosk asks every few minutes, nearly always for nothing: answered from memory (fleet.Offers), which
    # reads the rings again, in a worker thread, at most every OFFERS_TTL_S.
    offers = request.app.state.offers
    if offers.stale:
        await run_in_threadpool(offers.refresh)
    offer = offers.for_centre(me.centre_id)
    if offer is None:
        return Response(status_code=204)
    etag = f'"{offer.version}"'
    have = request.headers.get("if-none-match", "").strip().strip('"')
    if have.isdigit() and int(have) >= offer.version:  # a kiosk that left the pilot ring keeps its newer one
        return Response(status_code=304, headers={"ETag": etag})
    return Response(offer.envelope, media_type="application/json", headers={"ETag": etag})


@router.get(wire.CENTRE_SETTINGS)
def centre_settings(request: Request, me: Kiosk = Depends(kiosk), session: Session = Depends(read_database)):
    centre = session.get(Centre, me.centre_id)
    if centre is None or centre.settings_revision == 0:
        return Response(status_code=204)
    etag = f'"{centre.settings_revision}"'
    if request.headers.get("if-none-match", "").strip() == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(fleet.centre_layer(centre), headers={"ETag": etag})


# The help-call routes are async and do their database work in one worker thread, in a session opened and closed
# there: one thread hop per call, where a sync route with a response model takes two, and a burst of calls is
# where that counts.
async def _in_session(sessions: sessionmaker[Session], work, *args):
    def run():
        with sessions() as session:
            return work(session, *args)
    return await run_in_threadpool(run)


@router.post(wire.CALLS, response_model=CallOut, status_code=201)
async def open_call(body: CallIn, request: Request, me: Kiosk = Depends(kiosk)):
    call = await _in_session(request.app.state.sessions, desk.open_call, me, body.key, body.screen, body.step,
                             body.last_error, body.reason)
    _changed(request, me.centre_id)
    return _call_out(call)


CallKey = Annotated[str, Path(min_length=wire.KEY_LENGTH[0], max_length=wire.KEY_LENGTH[1],
                              pattern=wire.KEY_PATTERN)]


@router.get(wire.CALLS + "/{key}", response_model=CallOut)
async def call_state(key: CallKey, request: Request, me: Kiosk = Depends(kiosk)):
    call = await _in_session(request.app.state.read_sessions, desk.call_by_key, me, key)
    if call is None:
        raise HTTPException(404, "no call with this key from this kiosk")
    return _call_out(call)


@router.post(wire.CALLS + "/{key}/cancel", response_model=CallOut)
async def cancel_call(key: CallKey, request: Request, me: Kiosk = Depends(kiosk)):
    call = await _in_session(request.app.state.sessions, desk.cancel_call, me, key)
    if call is None:
        raise HTTPException(404, "no call with this key from this kiosk")
    _changed(request, me.centre_id)
    return _call_out(call)


@router.post(wire.TICKETS, response_model=TicketOut, status_code=201)
def take_ticket(body: TicketIn, request: Request, me: Kiosk = Depends(kiosk), session: Session = Depends(database)):
    issued = queue.take_ticket(session, me, body.key, body.service_id, body.service_name, body.priority)
    _changed(request, me.centre_id)
    return TicketOut(number=issued.number, people_ahead=issued.people_ahead,
                     expected_wait_min=issued.expected_wait_min, where_to_go=issued.where_to_go,
                     follow_path=f"/follow/{issued.follow_token}" if issued.follow_token else None)


@router.post(wire.LOCAL_TICKETS, status_code=204)
def report_local_ticket(body: LocalTicketIn, request: Request, me: Kiosk = Depends(kiosk),
                        session: Session = Depends(database)):
    arrived = utcnow()
    stored = session.get(KioskHealth, me.id)
    earliest = request.app.state.heartbeats.earliest_local_ticket(
        me.id, arrived, stored.last_heartbeat if stored is not None else None)
    queue.report_local_ticket(session, me, body.key, body.number, body.service_id, body.service_name,
                              body.priority, body.issued_at, earliest, arrived)
    _changed(request, me.centre_id)
    return Response(status_code=204)


@router.get(wire.VIDEO_INSTITUTIONS)
def institutions(_me: Kiosk = Depends(kiosk)) -> dict[str, list[str]]:
    return {code: list(topics) for code, topics in video.INSTITUTIONS.items()}


@router.get(wire.VIDEO_SLOTS, response_model=list[SlotOut])
def free_slots(institution: str, topic: str = "", me: Kiosk = Depends(kiosk),
               session: Session = Depends(read_database)):
    return [SlotOut(id=slot.id, institution=slot.institution, topic=slot.topic, start=_utc(slot.starts_at),
                    duration_min=slot.duration_min) for slot in video.free_slots(session, me, institution, topic)]


@router.post(wire.VIDEO_BOOKINGS, response_model=BookingOut, status_code=201)
def book(body: BookingIn, request: Request, me: Kiosk = Depends(kiosk), session: Session = Depends(database)):
    try:
        booking, slot = video.book(session, me, body.key, body.slot_id, body.topic)
    except video.SlotTaken:
        raise HTTPException(409, "the slot is no longer free") from None
    _changed(request, me.centre_id)
    return BookingOut(reference=booking.reference, slot_id=slot.id, institution=slot.institution,
                      topic=booking.topic, start=_utc(slot.starts_at), duration_min=slot.duration_min, room=slot.room)


@router.post(wire.ALERTS, status_code=204)
def alert(body: AlertIn, request: Request, me: Kiosk = Depends(kiosk), session: Session = Depends(database)):
    desk.raise_alert(session, me, body.key, body.kind, body.detail)
    _changed(request, me.centre_id)
    return Response(status_code=204)


def _store_usage(session: Session, events: list[usage.Event]) -> int:
    stored = usage.record(session, events)
    session.commit()
    return stored


@router.post(wire.USAGE)
async def usage_events(body: UsageBatchIn, request: Request, me: Kiosk = Depends(kiosk)) -> dict[str, int]:
    """What the kiosk counted, delivered by its outbox (maybe days later, with its own times): each event is
    stored once however often it comes (the kiosk's key), and the statistics count it in the period it happened."""
    catalogue = request.app.state.catalogue
    events = [usage.Event(centre_id=me.centre_id, kiosk_id=me.id, key=event.key, kind=event.kind,
                          occurred_at=event.occurred_at, service_id=event.service_id,
                          institution=event.institution or catalogue.institution_of(event.service_id),
                          channel=event.channel, language=event.language, duration_s=event.duration_s,
                          amount=event.amount)
              for event in body.events]
    stored = await _in_session(request.app.state.sessions, _store_usage, events)
    return {"received": len(events), "stored": stored}

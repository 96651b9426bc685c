"""What a centre's console and display board show, as one JSON-ready dict read in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from staffdesk.desk import HEALTH_FIELDS
from staffdesk.heartbeats import Beat
from staffdesk.models import (Alert, CallState, HelpCall, Kiosk, KioskHealth, QueueService, QueueTicket,
                              SlotState, TicketState, VideoBooking, VideoSlot, utcnow)
from staffdesk.queue import LOCAL_TIME, local_day

# A kiosk silent for this long is reported offline (three missed heartbeats at the default 30 s).
OFFLINE_AFTER = dt.timedelta(seconds=100)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def local(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def board(session: Session, centre_id: int) -> dict:
    """The display board: the last numbers called, and how many wait per service."""
    day = local_day()
    called = session.execute(
        select(QueueTicket.number, QueueTicket.desk, QueueTicket.called_at, QueueService.name)
        .join(QueueService, QueueService.id == QueueTicket.queue_service_id)
        .where(QueueService.centre_id == centre_id, QueueTicket.day == day, QueueTicket.called_at.is_not(None))
        .order_by(QueueTicket.called_at.desc(), QueueTicket.id.desc()).limit(8)).all()
    waiting = session.execute(
        select(QueueService.service_id, QueueService.letter, QueueService.name, func.count(QueueTicket.id))
        .join(QueueTicket, (QueueTicket.queue_service_id == QueueService.id) & (QueueTicket.day == day)
              & (QueueTicket.state == TicketState.WAITING.value), isouter=True)
        .where(QueueService.centre_id == centre_id)
        .group_by(QueueService.service_id, QueueService.letter, QueueService.name)
        .order_by(QueueService.letter)).all()
    return {
        "called": [{"number": number, "desk": desk, "service": name, "at": iso(at)}
                   for number, desk, at, name in called],
        "services": [{"service_id": service_id, "letter": letter, "name": name, "waiting": count}
                     for service_id, letter, name, count in waiting],
    }


def console(session: Session, centre_id: int, fresher: Mapping[int, Beat] | None = None) -> dict:
    """fresher: heartbeats received but not written yet (Heartbeats.fresher()); they win over the stored ones."""
    now = utcnow()
    day = local_day(now)
    kiosks = {kiosk.id: kiosk.name for kiosk in session.scalars(select(Kiosk).where(Kiosk.centre_id == centre_id))}
    calls = session.scalars(select(HelpCall).where(HelpCall.centre_id == centre_id, HelpCall.state.in_(
        [CallState.OPEN.value, CallState.ACKNOWLEDGED.value])).order_by(HelpCall.created_at)).all()
    health = {row.kiosk_id: _with_fresher(row, (fresher or {}).get(row.kiosk_id)) for row in session.scalars(
        select(KioskHealth).where(KioskHealth.kiosk_id.in_(list(kiosks))))}
    alerts = session.scalars(select(Alert).where(Alert.kiosk_id.in_(list(kiosks)), Alert.cleared_at.is_(None))
                             .order_by(Alert.created_at.desc()).limit(100)).all()
    # The tickets standing called at a desk: the console offers "Call again" and "No-show" for its own desk's.
    serving = session.execute(
        select(QueueTicket.id, QueueTicket.number, QueueTicket.desk, QueueTicket.called_at, QueueService.name,
               QueueService.service_id)
        .join(QueueService, QueueService.id == QueueTicket.queue_service_id)
        .where(QueueService.centre_id == centre_id, QueueTicket.day == day,
               QueueTicket.state == TicketState.CALLED.value)
        .order_by(QueueTicket.desk, QueueTicket.called_at)).all()
    since = now - dt.timedelta(days=1)
    slots = session.execute(
        select(VideoSlot, VideoBooking).join(VideoBooking, VideoBooking.slot_id == VideoSlot.id, isouter=True)
        .where(VideoSlot.centre_id == centre_id, VideoSlot.starts_at > since)
        .order_by(VideoSlot.starts_at).limit(200)).all()
    return {
        "now": iso(now),
        "calls": [{"id": call.id, "kiosk": kiosks.get(call.kiosk_id, "?"), "screen": call.screen, "step": call.step,
                   "last_error": call.last_error, "reason": call.reason, "state": call.state,
                   "created_at": iso(call.created_at), "waiting_s": int((now - call.created_at).total_seconds())}
                  for call in calls],
        **board(session, centre_id),
        "serving": [{"id": ticket_id, "number": number, "desk": desk, "service": name, "service_id": service_id,
                     "called_at": iso(at)} for ticket_id, number, desk, at, name, service_id in serving],
        "kiosks": [_kiosk_health(kiosk_id, name, health.get(kiosk_id), now) for kiosk_id, name in
                   sorted(kiosks.items(), key=lambda item: item[1])],
        "alerts": [{"id": alert.id, "kiosk": kiosks.get(alert.kiosk_id, "?"), "kind": alert.kind,
                    "detail": alert.detail, "created_at": iso(alert.created_at)} for alert in alerts],
        "slots": [{"id": slot.id, "institution": slot.institution, "topic": slot.topic, "starts": local(slot.starts_at),
                   "duration_min": slot.duration_min, "room": slot.room, "state": slot.state,
                   "booked": booking is not None and slot.state == SlotState.OPEN.value,
                   "reference": booking.reference if booking else None,
                   "booking_topic": booking.topic if booking else None} for slot, booking in slots],
        "counts": _counts(session, centre_id, day, list(kiosks)),
    }


def _with_fresher(row: KioskHealth, beat: Beat | None) -> dict:
    health = {name: getattr(row, name) for name in HEALTH_FIELDS} | {"last_heartbeat": row.last_heartbeat}
    if beat is not None and beat.at > row.last_heartbeat:
        health |= {name: value for name, value in beat.health.items() if value is not None}
        health["last_heartbeat"] = beat.at
    return health


def _kiosk_health(kiosk_id: int, name: str, row: dict | None, now: dt.datetime) -> dict:
    if row is None:
        return {"id": kiosk_id, "name": name, "last_heartbeat": None, "age_s": None, "problems": ["never-seen"]}
    problems = []
    if now - row["last_heartbeat"] > OFFLINE_AFTER:
        problems.append("offline")
    for part in ("printer_paper", "printer_toner", "receipt_paper"):
        if row[part] in ("low", "out"):
            problems.append(f"{part}-{row[part]}")
    if row["reader_present"] is False:
        problems.append("reader-missing")
    if row["scanner_present"] is False:
        problems.append("scanner-missing")
    if row["bundle_refused"]:
        problems.append("catalogue-refused")
    return {"id": kiosk_id, "name": name, "last_heartbeat": iso(row["last_heartbeat"]),
            "age_s": int((now - row["last_heartbeat"]).total_seconds()), "printer_paper": row["printer_paper"],
            "printer_toner": row["printer_toner"], "receipt_paper": row["receipt_paper"],
            "reader_present": row["reader_present"], "scanner_present": row["scanner_present"],
            "screen": row["screen"], "bundle_version": row["bundle_version"],
            "bundle_checked": iso(row["bundle_checked"]), "bundle_refused": row["bundle_refused"],
            "problems": problems}


def _counts(session: Session, centre_id: int, day: dt.date, kiosk_ids: list[int]) -> dict:
    start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TIME).astimezone(dt.timezone.utc).replace(tzinfo=None)
    tickets = session.execute(
        select(QueueTicket.state, func.count()).join(QueueService, QueueService.id == QueueTicket.queue_service_id)
        .where(QueueService.centre_id == centre_id, QueueTicket.day == day).group_by(QueueTicket.state)).all()
    by_state = dict(tickets)
    return {
        "calls": session.scalar(select(func.count()).select_from(HelpCall)
                                .where(HelpCall.centre_id == centre_id, HelpCall.created_at >= start)),
        "tickets": sum(by_state.values()),
        "served": by_state.get(TicketState.CALLED.value, 0) + by_state.get(TicketState.DONE.value, 0),
        "no_shows": by_state.get(TicketState.NO_SHOW.value, 0),
        "bookings": session.scalar(select(func.count()).select_from(VideoBooking)
                                   .where(VideoBooking.kiosk_id.in_(kiosk_ids), VideoBooking.created_at >= start)),
        "alerts": session.scalar(select(func.count()).select_from(Alert)
                                 .where(Alert.kiosk_id.in_(kiosk_ids), Alert.created_at >= start)),
    }

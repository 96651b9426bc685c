"""Video consultations: slots staff open per institution, and bookings that can never be doubled."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from staffdesk.models import Kiosk, SlotState, Staff, VideoBooking, VideoSlot, utcnow

# The institutions that consult by video from a KAC, and the topics a resident chooses from (codes: the
# kiosk and the console translate them).
INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "VSAA": ("pension", "benefits", "parental-benefit", "disability"),
    "VID": ("tax-return", "eds", "tax-debt", "registration"),
    "VZD": ("cadastre", "address", "property-valuation"),
}
# Letters and digits that read the same aloud and on paper.
REFERENCE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"


class SlotTaken(Exception):
    """Somebody booked the slot first (or it was cancelled, or it has passed)."""


def add_slot(session: Session, staff: Staff, institution: str, topic: str, starts_at: dt.datetime,
             duration_min: int, room: str) -> VideoSlot:
    if institution not in INSTITUTIONS or (topic and topic not in INSTITUTIONS[institution]):
        raise ValueError("unknown institution or topic")
    slot = VideoSlot(centre_id=staff.centre_id, institution=institution, topic=topic, starts_at=starts_at,
                     duration_min=duration_min, room=room)
    session.add(slot)
    session.commit()
    return slot


def cancel_slot(session: Session, staff: Staff, slot_id: int) -> bool:
    slot = session.get(VideoSlot, slot_id)
    if slot is None or slot.centre_id != staff.centre_id or slot.state != SlotState.OPEN.value:
        return False
    slot.state = SlotState.CANCELLED.value
    session.commit()
    return True


def free_slots(session: Session, kiosk: Kiosk, institution: str, topic: str) -> list[VideoSlot]:
    booked = select(VideoBooking.slot_id)
    query = (select(VideoSlot).where(VideoSlot.centre_id == kiosk.centre_id, VideoSlot.institution == institution,
                                     VideoSlot.state == SlotState.OPEN.value, VideoSlot.starts_at > utcnow(),
                                     VideoSlot.id.not_in(booked))
             .order_by(VideoSlot.starts_at).limit(50))
    if topic:
        query = query.where(VideoSlot.topic.in_(["", topic]))
    return list(session.scalars(query))


def book(session: Session, kiosk: Kiosk, key: str, slot_id: int, topic: str) -> tuple[VideoBooking, VideoSlot]:
    """Book a free slot of the kiosk's centre; the UNIQUE slot_id decides between two kiosks booking at once."""
    existing = _mine(session, kiosk, key)
    if existing is not None:
        return existing, session.get(VideoSlot, existing.slot_id)
    slot = session.get(VideoSlot, slot_id)
    if (slot is None or slot.centre_id != kiosk.centre_id or slot.state != SlotState.OPEN.value
            or slot.starts_at <= utcnow()):
        raise SlotTaken
    for _attempt in range(3):
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        booking = VideoBooking(slot_id=slot.id, idempotency_key=key, reference=reference,
                               topic=topic or slot.topic, kiosk_id=kiosk.id)
        session.add(booking)
        try:
            session.commit()
            return booking, slot
        except IntegrityError:
            session.rollback()
            mine = _mine(session, kiosk, key)
            if mine is not None:
                return mine, session.get(VideoSlot, mine.slot_id)
            if session.scalar(select(VideoBooking).where(VideoBooking.slot_id == slot_id)) is not None:
                raise SlotTaken from None
            # Otherwise the reference collided with another booking's: draw a new one.
    raise SlotTaken


def _mine(session: Session, kiosk: Kiosk, key: str) -> VideoBooking | None:
    """The booking this kiosk made with this key (a resend); another kiosk's key is not this kiosk's business."""
    return session.scalar(select(VideoBooking).where(VideoBooking.kiosk_id == kiosk.id,
                                                     VideoBooking.idempotency_key == key))

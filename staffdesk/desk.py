"""Help calls, kiosk health and alerts: what a kiosk reports and what staff answer."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from staffdesk import usage
from staffdesk.models import Alert, CallState, HelpCall, Kiosk, KioskHealth, Staff, utcnow

HEALTH_FIELDS = ("printer_paper", "printer_toner", "receipt_paper", "reader_present", "scanner_present",
                 "screen", "version", "bundle_version", "bundle_checked", "bundle_refused")
# What changes from one heartbeat to the next without any state changing: the screen shown, and when the kiosk
# last asked for a newer catalogue bundle. Kept for the next batch, and no reason to refresh the consoles.
PASSING_FIELDS = ("screen", "bundle_checked")


def _insert_once(session: Session, row, model, kiosk: Kiosk, key: str):
    """Insert a row carrying this kiosk's idempotency key, or return the one a first delivery already made."""
    session.add(row)
    try:
        session.commit()
        return row
    except IntegrityError:
        session.rollback()
        existing = _by_key(session, model, kiosk, key)
        if existing is None:
            raise
        return existing


def _by_key(session: Session, model, kiosk: Kiosk, key: str):
    """Keys are the kiosk's own: another kiosk's key finds nothing here, and reveals nothing."""
    return session.scalar(select(model).where(model.kiosk_id == kiosk.id, model.idempotency_key == key))


def open_call(session: Session, kiosk: Kiosk, key: str, screen: str, step: str, last_error: str,
              reason: str) -> HelpCall:
    # Insert first, look only when the key is taken: a resend from the kiosk's outbox is rare, a new call is not.
    call = HelpCall(idempotency_key=key, kiosk_id=kiosk.id, centre_id=kiosk.centre_id, screen=screen, step=step,
                    last_error=last_error, reason=reason)
    session.add(call)
    try:
        session.commit()
        return call
    except IntegrityError:
        session.rollback()
        existing = call_by_key(session, kiosk, key)
        if existing is None:  # not the key (keys are unique per kiosk): let the error tell what it was
            raise
        return existing


def call_by_key(session: Session, kiosk: Kiosk, key: str) -> HelpCall | None:
    return _by_key(session, HelpCall, kiosk, key)


def cancel_call(session: Session, kiosk: Kiosk, key: str) -> HelpCall | None:
    call = call_by_key(session, kiosk, key)
    if call is not None and call.state in (CallState.OPEN.value, CallState.ACKNOWLEDGED.value):
        # Conditional: staff may be answering this very moment, and a call is counted once, answered or not.
        unanswered = _move(session, call.id, CallState.OPEN, state=CallState.CANCELLED.value, closed_at=utcnow())
        if unanswered is not None:
            _count_call(session, unanswered, None)
        else:
            _move(session, call.id, CallState.ACKNOWLEDGED, state=CallState.CANCELLED.value, closed_at=utcnow())
        session.commit()
        session.refresh(call)
    return call


def _move(session: Session, call_id: int, from_state: CallState, **values):
    """One call from one state to the next, only if it is still in it: the moved call's row, else None."""
    return session.execute(update(HelpCall).where(HelpCall.id == call_id, HelpCall.state == from_state.value)
                           .values(**values)
                           .returning(HelpCall.centre_id, HelpCall.kiosk_id, HelpCall.created_at)
                           .execution_options(synchronize_session=False)).first()


def _count_call(session: Session, call, answered_at) -> None:
    """Every call is counted once: when staff first answer it (how long that took), or when it ends unanswered."""
    usage.record(session, [usage.Event(centre_id=call.centre_id, kiosk_id=call.kiosk_id, kind=usage.HELP_CALL,
                                       occurred_at=call.created_at,
                                       duration_s=usage.seconds_between(call.created_at, answered_at))])


def acknowledge_call(session: Session, staff: Staff, call_id: int) -> bool:
    """'I'm coming': only an open call of the staff member's own centre moves on."""
    now = utcnow()
    call = session.execute(update(HelpCall)
                           .where(HelpCall.id == call_id, HelpCall.centre_id == staff.centre_id,
                                  HelpCall.state == CallState.OPEN.value)
                           .values(state=CallState.ACKNOWLEDGED.value, acknowledged_at=now, acknowledged_by=staff.id)
                           .returning(HelpCall.centre_id, HelpCall.kiosk_id, HelpCall.created_at)
                           .execution_options(synchronize_session=False)).first()
    if call is not None:
        _count_call(session, call, now)
    session.commit()
    return call is not None


def resolve_call(session: Session, staff: Staff, call_id: int, commit: bool = True):
    """Resolved: the call's (centre, kiosk, created) row, or None when it was no open call of this centre. A call
    resolved without "I'm coming" first was answered now."""
    now = utcnow()
    mine = (HelpCall.id == call_id, HelpCall.centre_id == staff.centre_id)
    returning = (HelpCall.centre_id, HelpCall.kiosk_id, HelpCall.created_at)
    call = session.execute(update(HelpCall).where(*mine, HelpCall.state == CallState.OPEN.value)
                           .values(state=CallState.RESOLVED.value, closed_at=now).returning(*returning)
                           .execution_options(synchronize_session=False)).first()
    if call is not None:
        _count_call(session, call, now)
    else:
        call = session.execute(update(HelpCall).where(*mine, HelpCall.state == CallState.ACKNOWLEDGED.value)
                               .values(state=CallState.RESOLVED.value, closed_at=now).returning(*returning)
                               .execution_options(synchronize_session=False)).first()
    if commit:
        session.commit()
    return call


def kiosk_of_call(session: Session, staff: Staff, call_id: int) -> int | None:
    """The kiosk a call of the staff member's centre came from; None for no such call there."""
    return session.scalar(select(HelpCall.kiosk_id).where(HelpCall.id == call_id,
                                                          HelpCall.centre_id == staff.centre_id))


def record_heartbeat(session: Session, kiosk: Kiosk, health: dict) -> bool:
    """Store the kiosk's latest health; True when a device's state changed (the console then refreshes)."""
    values = {name: health[name] for name in HEALTH_FIELDS if health.get(name) is not None}
    row = session.get(KioskHealth, kiosk.id)
    if row is None:
        session.add(KioskHealth(kiosk_id=kiosk.id, last_heartbeat=utcnow(), **values))
        try:
            session.commit()
        except IntegrityError:  # a second heartbeat of a new kiosk raced this one: it has done the work
            session.rollback()
        return True
    changed = any(getattr(row, name) != value for name, value in values.items() if name not in PASSING_FIELDS)
    row.last_heartbeat = utcnow()
    for name, value in values.items():
        setattr(row, name, value)
    session.commit()
    return changed


def raise_alert(session: Session, kiosk: Kiosk, key: str, kind: str, detail: str) -> Alert:
    existing = _by_key(session, Alert, kiosk, key)
    if existing is not None:
        return existing
    return _insert_once(session, Alert(idempotency_key=key, kiosk_id=kiosk.id, kind=kind, detail=detail),
                        Alert, kiosk, key)


def clear_alert(session: Session, staff: Staff, alert_id: int) -> bool:
    alert = session.scalar(select(Alert).join(Kiosk, Kiosk.id == Alert.kiosk_id)
                           .where(Alert.id == alert_id, Kiosk.centre_id == staff.centre_id,
                                  Alert.cleared_at.is_(None)))
    if alert is None:
        return False
    alert.cleared_at = utcnow()
    session.commit()
    return True

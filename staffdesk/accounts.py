"""Accounts: centres, staff and their sessions, kiosks and their tokens, and throttled logins."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from staffdesk.core import throttle
from staffdesk.core.security import hash_password, new_token, same_secret, token_hash, verify_password
from staffdesk.models import Centre, Kiosk, Staff, StaffSession, utcnow

DEFAULT_CENTRE = "KAC"
# A session's last-use time is written at most this often: a busy console should not write on every poll.
TOUCH_EVERY = dt.timedelta(minutes=1)
# Kiosks are never removed or given new tokens while the desk runs; should that come, this bounds how long a
# removed kiosk would still be let in.
KIOSK_TOKEN_KEEP_S = 300


class NameTaken(ValueError):
    """A staff member or kiosk of that name exists already."""


@dataclass(frozen=True)
class LoggedIn:
    cookie: str
    csrf_token: str


def centre(session: Session, name: str) -> Centre:
    """The centre of that name, made on first use (a desk for one centre never needs to name it)."""
    found = session.scalar(select(Centre).where(Centre.name == name))
    if found is None:
        found = Centre(name=name)
        session.add(found)
        session.flush()
    return found


def add_staff(session: Session, name: str, password: str, centre_name: str = DEFAULT_CENTRE,
              role: str = "staff") -> Staff:
    staff = Staff(name=name.strip(), password_hash=hash_password(password),
                  centre_id=centre(session, centre_name).id, role=role)
    session.add(staff)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise NameTaken(f"a staff member named '{name}' exists already") from None
    return staff


def add_kiosk(session: Session, name: str, centre_name: str = DEFAULT_CENTRE) -> str:
    """Register a kiosk and return its token: shown once, kept only as a hash."""
    token = new_token()
    session.add(Kiosk(name=name.strip(), token_hash=token_hash(token), centre_id=centre(session, centre_name).id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise NameTaken(f"a kiosk named '{name}' exists already") from None
    return token


def kiosk_for_token(session: Session, token: str) -> Kiosk | None:
    return session.scalar(select(Kiosk).where(Kiosk.token_hash == token_hash(token))) if token else None


class KioskTokens:
    """Kiosks by token, remembered for a while: every heartbeat would otherwise read the kiosk table first.

    Only tokens that opened a kiosk are kept (by hash, like the table); an unknown token is looked up every time,
    so a kiosk added by `staffdesk add-kiosk` while the desk runs works at once.
    """

    def __init__(self, read_sessions: sessionmaker[Session], keep_s: float = KIOSK_TOKEN_KEEP_S):
        self._read_sessions = read_sessions
        self._keep_s = keep_s
        self._known: dict[str, tuple[Kiosk, float]] = {}

    def remembered(self, token: str) -> Kiosk | None:
        """Without the database: for the event loop."""
        found = self._known.get(token_hash(token))
        return found[0] if found is not None and found[1] > time.monotonic() else None

    def look_up(self, token: str) -> Kiosk | None:
        with self._read_sessions() as session:
            found = kiosk_for_token(session, token)
        if found is not None:
            # Detached, with every column loaded (expire_on_commit=False): readable from any session or thread.
            self._known[found.token_hash] = (found, time.monotonic() + self._keep_s)
        return found


def log_in(session: Session, name: str, password: str, client: str, policy: throttle.Policy) -> LoggedIn | None:
    """A new session for a right password; None for a wrong one; throttle.Throttled while this address must
    wait before trying this name again. Failures under other names, or from other addresses, never refuse it."""
    attempt = throttle.claim(session, name, client, policy)
    staff = session.scalar(select(Staff).where(Staff.name == attempt.name))
    # End the transaction before the deliberately slow hash: on SQLite it holds the one write connection.
    session.commit()
    if not verify_password(staff.password_hash if staff else None, password):
        throttle.failed(session, attempt, policy)
        return None
    throttle.succeeded(session, attempt)
    cookie, csrf = new_token(), new_token()
    session.add(StaffSession(token_hash=token_hash(cookie), staff_id=staff.id, csrf_token=csrf,
                             last_used=utcnow()))
    session.commit()
    return LoggedIn(cookie, csrf)


def staff_for_cookie(session: Session, cookie: str | None, idle_h: int) -> tuple[Staff, StaffSession] | None:
    if not cookie:
        return None
    row = session.execute(select(Staff, StaffSession).join(StaffSession, StaffSession.staff_id == Staff.id)
                          .where(StaffSession.token_hash == token_hash(cookie))).first()
    if row is None:
        return None
    staff, staff_session = row
    now = utcnow()
    if now - staff_session.last_used > dt.timedelta(hours=idle_h):
        session.delete(staff_session)
        session.commit()
        return None
    if now - staff_session.last_used > TOUCH_EVERY:
        staff_session.last_used = now
        session.commit()
    return staff, staff_session


def log_out(session: Session, staff_session: StaffSession) -> None:
    session.delete(staff_session)
    session.commit()


def csrf_ok(staff_session: StaffSession, given: str | None) -> bool:
    return same_secret(given, staff_session.csrf_token)

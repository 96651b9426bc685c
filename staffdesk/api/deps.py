"""Who is asking: a kiosk by its bearer token, a staff member by session cookie plus CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from staffdesk import accounts
from staffdesk.models import Kiosk, Staff, StaffSession

SESSION_COOKIE = "sd_session"
LOGIN_CSRF_COOKIE = "sd_login_csrf"
LANGUAGE_COOKIE = "sd_lang"
CSRF_HEADER = "X-CSRF-Token"


async def database(request: Request) -> AsyncIterator[Session]:
    """A session for writing. Closed here, on the event loop, not in a worker thread: on SQLite its transaction
    holds the one write connection, and a close that had to wait for a free thread could wait for ever when every
    thread waits for that connection."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


def read_database(request: Request) -> Iterator[Session]:
    """A session for reading only: on SQLite it never waits for, nor holds, the write connection."""
    with request.app.state.read_sessions() as session:
        yield session


async def kiosk(request: Request) -> Kiosk:
    """Async, so no worker thread: the kiosk that staffdesk.core.guard.Guard found for the request's token before
    its body was read."""
    found = request.scope.get("state", {}).get("kiosk")
    if found is None:  # only a route outside the guarded prefix could get here
        raise HTTPException(401, "a valid kiosk token is required", headers={"WWW-Authenticate": "Bearer"})
    return found


@dataclass(frozen=True)
class StaffContext:
    staff: Staff
    session: StaffSession


class LoginRequired(Exception):
    """Raised for a page without a valid session: the app answers with a redirect to /login."""


def _staff(request: Request, session: Session) -> StaffContext | None:
    found = accounts.staff_for_cookie(session, request.cookies.get(SESSION_COOKIE),
                                  request.app.state.settings.session_idle_h)
    # End the transaction now: on SQLite it holds the write lock, and the route may run for long.
    session.commit()
    return StaffContext(*found) if found else None


def staff_page(request: Request, session: Session = Depends(database)) -> StaffContext:
    found = _staff(request, session)
    if found is None:
        raise LoginRequired
    return found


def staff(request: Request, session: Session = Depends(database)) -> StaffContext:
    found = _staff(request, session)
    if found is None:
        raise HTTPException(401, "log in first")
    return found


def staff_streaming(request: Request) -> StaffContext:
    """For the live stream: a session of its own, closed at once, so that an open stream holds no connection."""
    with request.app.state.sessions() as session:
        found = _staff(request, session)
    if found is None:
        raise HTTPException(401, "log in first")
    return found


def staff_action(request: Request, context: StaffContext = Depends(staff)) -> StaffContext:
    """A change made by staff: the CSRF token must come back in the header the console's script sets."""
    if not accounts.csrf_ok(context.session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, "the CSRF token is missing or wrong")
    return context

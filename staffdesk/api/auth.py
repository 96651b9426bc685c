"""Staff login and logout: a form with its own CSRF cookie, throttled, answered with a session cookie."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kiosk.i18n import N_
from staffdesk import accounts
from staffdesk.api.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, StaffContext, database, staff
from staffdesk.api.pages import language, render
from staffdesk.core import throttle
from staffdesk.core.security import new_token, same_secret

log = logging.getLogger(__name__)
router = APIRouter()


def _set_cookie(request: Request, response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.app.state.settings.cookie_secure)


def _login_page(request: Request, problem: str = "", status: int = 200):
    """`problem` is an English message (N_), which the page says in its own language."""
    token = new_token()
    response = render(request, "login.html", {"csrf_token": token, "problem": problem}, status)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request):
    return _login_page(request)


@router.post("/login")
def log_in(request: Request, name: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
           session: Session = Depends(database)):
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        raise HTTPException(403, "the CSRF token is missing or wrong")
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    try:
        logged_in = accounts.log_in(session, name, password, client, throttle.Policy(
            settings.login_failures, settings.login_first_wait_s, settings.login_window_s))
    except throttle.Throttled as wait:
        response = _login_page(request, N_("Too many failed attempts. Wait a moment and try again."), 429)
        response.headers["Retry-After"] = str(wait.retry_after_s)
        return response
    if logged_in is None:
        log.info("login failed")
        return _login_page(request, N_("Wrong user name or password."), 401)
    response = RedirectResponse(f"/console?lang={language(request)}", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, logged_in.cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def log_out(request: Request, csrf_token: str = Form(""), context: StaffContext = Depends(staff),
            session: Session = Depends(database)):
    if not accounts.csrf_ok(context.session, csrf_token):
        raise HTTPException(403, "the CSRF token is missing or wrong")
    accounts.log_out(session, context.session)
    # The centre's live streams check their sessions on this change and close this one's (staffdesk.streams).
    request.app.state.changes.bump(context.staff.centre_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

"""The desk's FastAPI application, built from one settings object."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from staffdesk.accounts import KioskTokens
from staffdesk.api import auth, console, fleet_pages, follow, kiosk, reports
from staffdesk.api.deps import LoginRequired
from staffdesk.catalogue import desk_catalogue
from staffdesk.core.changes import Changes
from staffdesk.core.db import is_sqlite, make_engine, make_sessionmaker
from staffdesk.core.guard import Guard
from staffdesk.core.settings import DeskSettings
from staffdesk.fleet import Offers
from staffdesk.heartbeats import FLUSH_EVERY_S, Heartbeats
from staffdesk.streams import Streams

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# Everything is served from here: no CDN, no inline script, no framing by another site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# A refused request is told where and why, never given its own input back (a 422 could otherwise repeat
# whatever was sent, up to the body limit), and at most this many problems.
PROBLEMS_SHOWN = 10


def create_app(settings: DeskSettings) -> FastAPI:
    engine = make_engine(settings.url)
    # SQLite: every write goes through one connection of its own, in turn (see make_engine); reads stay many.
    writer = make_engine(settings.url, single_writer=True) if is_sqlite(settings.url) else engine
    sessions = make_sessionmaker(writer)
    read_sessions = make_sessionmaker(engine, read_only=True)
    heartbeats = Heartbeats(sessions)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        try:
            await run_in_threadpool(heartbeats.remember_stored, read_sessions)
        except Exception:  # the desk still serves; each kiosk's first heartbeat is then written on its own
            log.exception("could not read the kiosks' stored health")
        flusher = asyncio.create_task(_flush_heartbeats(heartbeats))
        try:
            yield
        finally:
            await streams.close_all()
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            try:
                # What waits in memory is written before the desk stops: a graceful stop loses no heartbeat.
                await run_in_threadpool(heartbeats.flush)
            finally:
                writer.dispose()
                engine.dispose()

    # No public API documentation: nothing on this server is for anonymous eyes.
    app = FastAPI(title="KAC staff desk", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.read_sessions = read_sessions
    app.state.heartbeats = heartbeats
    app.state.offers = Offers(read_sessions)
    app.state.catalogue = desk_catalogue(settings.catalog_path)
    app.state.kiosk_tokens = KioskTokens(app.state.read_sessions)
    app.state.changes = Changes()
    app.state.streams = streams = Streams(sessions, read_sessions, app.state.changes, heartbeats,
                                          settings.session_idle_h)
    app.include_router(kiosk.router)
    app.include_router(auth.router)
    app.include_router(console.router)
    app.include_router(follow.router)
    app.include_router(reports.router)
    app.include_router(fleet_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _error: LoginRequired):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError):
        problems = [{"loc": list(problem.get("loc", ())), "msg": problem.get("msg", ""), "type": problem.get("type")}
                    for problem in error.errors()[:PROBLEMS_SHOWN]]
        return JSONResponse({"detail": problems}, status_code=422)

    # Outermost last: the headers go on the guard's refusals too.
    app.add_middleware(Guard, kiosk_tokens=app.state.kiosk_tokens)
    app.add_middleware(SecurityHeaders)
    return app


async def _flush_heartbeats(heartbeats: Heartbeats) -> None:
    while True:
        await asyncio.sleep(FLUSH_EVERY_S)
        try:
            await run_in_threadpool(heartbeats.flush)
        except Exception:  # the database is away for a moment: the beats wait for the next try
            log.exception("could not write the kiosks' heartbeats; trying again in %s s", FLUSH_EVERY_S)


class SecurityHeaders:
    """Plain ASGI, not BaseHTTPMiddleware: it must not buffer the console's event stream."""

    def __init__(self, app):
        self.app = app
        self.headers = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        # What the desk answers is live and often personal: no cache keeps it unless a route says otherwise (the
        # static files, which Starlette marks with their own validators, may be kept).
        static = scope["path"].startswith("/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.headers
                if not static and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)

"""The desk's FastAPI application, built from one settings object."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from staffdesk.api import auth, console, follow, kiosk
from staffdesk.api.deps import LoginRequired
from staffdesk.changes import Changes
from staffdesk.crud import KioskTokens
from staffdesk.db import is_sqlite, make_engine, make_sessionmaker
from staffdesk.heartbeats import FLUSH_EVERY_S, Heartbeats
from staffdesk.settings import DeskSettings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# Everything is served from here: no CDN, no inline script, no framing by another site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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
    app.state.kiosk_tokens = KioskTokens(app.state.read_sessions)
    app.state.changes = Changes()
    app.include_router(kiosk.router)
    app.include_router(auth.router)
    app.include_router(console.router)
    app.include_router(follow.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _error: LoginRequired):
        return RedirectResponse("/login", status_code=303)

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

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)

"""Requests refused before their body is read: too large (413), or on the kiosk API without a known token (401)."""

from __future__ import annotations

import json

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from kiosk.desk_link import wire
from staffdesk.accounts import KioskTokens

# The console sends a few short fields (a desk's name, a slot); the login form two more.
CONSOLE_BODY_MAX = 16 * 1024
# The national team's uploads: a catalogue (about 110 kB today) or a signed bundle of one.
FLEET_UPLOADS = ("/fleet/export", "/fleet/publish")
FLEET_UPLOAD_MAX = 4 * 1024 * 1024
KIOSK_PREFIX = wire.PREFIX + "/"


def _answer(status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    body = json.dumps({"detail": detail}).encode()
    # Connection: close, since the body the client may still be sending is never read.
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close"), *extra]},
            {"type": "http.response.body", "body": body})


class Guard:
    """Plain ASGI around the app: FastAPI reads and parses a body before any dependency runs, so a token check
    there would come after a 100 MB body had been read into memory."""

    def __init__(self, app, kiosk_tokens: KioskTokens):
        self.app = app
        self.kiosk_tokens = kiosk_tokens

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        kiosk_api = scope["path"].startswith(KIOSK_PREFIX)
        limit = (wire.BODY_MAX if kiosk_api else
                 FLEET_UPLOAD_MAX if scope["path"] in FLEET_UPLOADS else CONSOLE_BODY_MAX)
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await self._refuse(send, 413, f"the body may have at most {limit} bytes")
        if kiosk_api:
            kiosk = await self._kiosk(headers.get("authorization", ""))
            if kiosk is None:
                return await self._refuse(send, 401, "a valid kiosk token is required",
                                          [(b"www-authenticate", b"Bearer")])
            # The route's dependency takes the kiosk from here instead of looking the token up again.
            scope.setdefault("state", {})["kiosk"] = kiosk
        await self._app_with_limit(scope, receive, send, limit)

    async def _kiosk(self, authorization: str):
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        # A kiosk seen before is known from memory, on the event loop, without a worker thread.
        return self.kiosk_tokens.remembered(token) or await run_in_threadpool(self.kiosk_tokens.look_up, token)

    async def _app_with_limit(self, scope, receive, send, limit: int) -> None:
        """A body without a length (chunked) is counted as it arrives; past the limit the app is told the client
        left, and the client gets 413 instead of whatever the app then answers."""
        received, refused, started = 0, False, False

        async def counted_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not refused and not started:
                        await self._refuse(send, 413, f"the body may have at most {limit} bytes")
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if not refused:
                started = True
                await send(message)

        await self.app(scope, counted_receive, guarded_send)

    @staticmethod
    async def _refuse(send, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
        start, body = _answer(status, detail, extra)
        await send(start)
        await send(body)

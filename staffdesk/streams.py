"""The consoles' live streams: each change's state built once per centre and view, sent to every open stream."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import AsyncIterator

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from staffdesk import snapshot
from staffdesk.accounts import TOUCH_EVERY
from staffdesk.core.changes import Changes
from staffdesk.heartbeats import Heartbeats
from staffdesk.models import StaffSession, utcnow

log = logging.getLogger(__name__)
# How often a hub looks at the change counter, and the longest it stays silent (it then re-reads the database,
# which also catches changes made by another desk process, sessions ended there, and keeps waiting times fresh).
WATCH_EVERY_S = 0.25
REFRESH_EVERY_S = 5.0
# A console and a display board, each open in a few tabs, are far below this; a script opening streams without
# end is not.
STREAMS_PER_SESSION = 4
VIEWS = ("console", "board")


class TooManyStreams(Exception):
    """This staff session has its allowance of open streams already."""


@dataclass(eq=False)
class Subscriber:
    """One open stream: it is handed the newest state (older ones unsent are dropped), or told its session ended."""
    session_id: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    latest: bytes | None = None
    ended: bool = False
    closed: bool = False

    def offer(self, payload: bytes) -> None:
        self.latest = payload
        self.wake.set()

    def end(self) -> None:
        """The session ended: the page is told so, and goes to the login form."""
        self.ended = True
        self.wake.set()

    def close(self) -> None:
        """The desk stops: the stream closes without a word, and the page reconnects to the desk started again."""
        self.closed = True
        self.wake.set()


class Hub:
    """One centre's view: a task reads the state once per change and hands the same bytes to every subscriber."""

    def __init__(self, streams: "Streams", centre_id: int, view: str):
        self.streams, self.centre_id, self.view = streams, centre_id, view
        self.subscribers: set[Subscriber] = set()
        self.newcomers = False
        self.task: asyncio.Task | None = None

    async def run(self) -> None:
        seen, quiet = None, 0.0
        try:
            while self.subscribers:
                version = self.streams.changes.version(self.centre_id)
                if version != seen or quiet >= REFRESH_EVERY_S or self.newcomers:
                    seen, quiet, self.newcomers = version, 0.0, False
                    try:
                        await self._send_state()
                    except Exception:  # the database is away: the streams wait for the next change or refresh
                        log.exception("could not read the state for the consoles' live streams")
                await asyncio.sleep(WATCH_EVERY_S)
                quiet += WATCH_EVERY_S
        finally:
            self.streams.forget(self)

    async def _send_state(self) -> None:
        subscribers = list(self.subscribers)
        session_ids = {subscriber.session_id for subscriber in subscribers}
        data, alive = await run_in_threadpool(self.streams.read, self.centre_id, self.view, session_ids)
        payload = f"event: state\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
        for subscriber in subscribers:
            # The session is checked on every send: a stream whose staff member logged out (or whose session
            # ran out) gets nothing more, whatever changed since.
            if subscriber.session_id in alive:
                subscriber.offer(payload)
            else:
                subscriber.end()


class Streams:
    """Every open stream of this process, by centre and view, and how many each staff session holds."""

    def __init__(self, sessions: sessionmaker[Session], read_sessions: sessionmaker[Session], changes: Changes,
                 heartbeats: Heartbeats, idle_h: int, per_session: int = STREAMS_PER_SESSION):
        self.sessions, self.read_sessions = sessions, read_sessions
        self.changes, self.heartbeats = changes, heartbeats
        self.idle_h, self.per_session = idle_h, per_session
        self._hubs: dict[tuple[int, str], Hub] = {}
        self._per_session: dict[int, int] = {}

    def read(self, centre_id: int, view: str, session_ids: set[int]) -> tuple[dict, set[int]]:
        """In a worker thread: which of these sessions still live, and the view's state, in one transaction."""
        now = utcnow()
        idle_since = now - dt.timedelta(hours=self.idle_h)
        with self.read_sessions() as session:
            rows = session.execute(select(StaffSession.id, StaffSession.last_used)
                                   .where(StaffSession.id.in_(list(session_ids)),
                                          StaffSession.last_used > idle_since)).all()
            data = (snapshot.board(session, centre_id) if view == "board"
                    else snapshot.console(session, centre_id, self.heartbeats.fresher()))
        # An open stream is the page in use (a display board makes no other request): its session does not run
        # out while it is open. Written as seldom as any other use (accounts.TOUCH_EVERY).
        stale = [session_id for session_id, last_used in rows if now - last_used > TOUCH_EVERY]
        if stale:
            with self.sessions() as session:
                session.execute(update(StaffSession).where(StaffSession.id.in_(stale)).values(last_used=now))
                session.commit()
        return data, {session_id for session_id, _ in rows}

    def subscribe(self, centre_id: int, view: str, session_id: int) -> Subscriber:
        """Raises TooManyStreams; on the event loop only (no lock: nothing else touches these dicts)."""
        if self._per_session.get(session_id, 0) >= self.per_session:
            raise TooManyStreams
        self._per_session[session_id] = self._per_session.get(session_id, 0) + 1
        subscriber = Subscriber(session_id)
        hub = self._hubs.get((centre_id, view))
        if hub is None:
            hub = self._hubs[(centre_id, view)] = Hub(self, centre_id, view)
        hub.subscribers.add(subscriber)
        hub.newcomers = True
        if hub.task is None or hub.task.done():
            hub.task = asyncio.create_task(hub.run())
        return subscriber

    def unsubscribe(self, centre_id: int, view: str, subscriber: Subscriber) -> None:
        hub = self._hubs.get((centre_id, view))
        if hub is not None:
            hub.subscribers.discard(subscriber)
        left = self._per_session.get(subscriber.session_id, 1) - 1
        if left > 0:
            self._per_session[subscriber.session_id] = left
        else:
            self._per_session.pop(subscriber.session_id, None)

    def forget(self, hub: Hub) -> None:
        # A hub whose last stream closed stops; a stream opened meanwhile starts a new task on it.
        if not hub.subscribers and self._hubs.get((hub.centre_id, hub.view)) is hub:
            del self._hubs[(hub.centre_id, hub.view)]

    def count(self) -> int:
        return sum(len(hub.subscribers) for hub in self._hubs.values())

    async def close_all(self) -> None:
        """At shutdown: every stream ends, so that uvicorn's graceful stop does not wait for them."""
        for hub in list(self._hubs.values()):
            for subscriber in list(hub.subscribers):
                subscriber.close()
        tasks = [hub.task for hub in self._hubs.values() if hub.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# Sent once a stream's session has ended: the page goes to the login form instead of reconnecting.
ENDED = b"event: ended\ndata: {}\n\n"


async def stream(streams: Streams, centre_id: int, view: str, subscriber: Subscriber) -> AsyncIterator[bytes]:
    """The bytes of one open stream: states as they come, a comment when quiet (keeps proxies from closing it)."""
    try:
        yield b"retry: 2000\n\n"
        sent = None
        while True:
            try:
                await asyncio.wait_for(subscriber.wake.wait(), REFRESH_EVERY_S * 2)
            except asyncio.TimeoutError:
                yield b": still here\n\n"
                continue
            subscriber.wake.clear()
            if subscriber.closed:
                return
            if subscriber.ended:
                yield ENDED
                return
            payload = subscriber.latest
            if payload is not None and payload is not sent and payload != sent:
                sent = payload
                yield payload
            else:
                yield b": still here\n\n"
    finally:
        streams.unsubscribe(centre_id, view, subscriber)

"""A durable outbox (SQLite): desk messages survive a crash and go in order, once; what cannot go is reported."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.desk_link.client import DeskRejected, DeskUnavailable, Reason

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0,
    -- Why the desk refused a dead message; for one still waiting, what went wrong at its last try.
    problem TEXT NOT NULL DEFAULT ''
)
"""
FILE_NAME = "outbox.sqlite"
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 15.0
# A message still waiting after this long has failed someone: a call staff never saw, an alert nobody heard.
STUCK_AFTER_S = 15 * 60

Deliver = Callable[[str, str, dict], None]
# Delivers several messages of one kind, oldest first, as [(key, payload)], in one go.
DeliverMany = Callable[[list[tuple[str, dict]]], None]


class Outbox:
    """`put` returns only once the message is on disk; a thread hands messages to `deliver` oldest first.

    `deliver(kind, key, payload)` raises DeskUnavailable to be retried later (with backoff), or DeskRejected
    for a message the desk will never accept, which is set aside so that it cannot block the rest.
    The key goes with every resend: the desk stores each key once, so a resend after a crash duplicates nothing.

    `batches` maps a kind to (deliver_many, most): consecutive messages of that kind go together, up to `most`. A
    batch the desk refuses is tried again one message at a time, so that only the bad message is set aside.
    """

    def __init__(self, path: Path, deliver: Deliver, batches: dict[str, tuple[DeliverMany, int]] | None = None):
        self._batches = batches or {}
        # Messages up to this seq go one by one: their batch was refused, and one of them is why.
        self._singly_through = 0
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._deliver = deliver
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a kiosk is unplugged, not shut down; a call staff promised must outlive a power cut.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_problem: DeskUnavailable | None = None

    def put(self, kind: str, payload: dict, key: str | None = None) -> str:
        key = key or str(uuid.uuid4())
        with self._lock:
            self._db.execute("INSERT INTO outbox (key, kind, payload, created_at) VALUES (?, ?, ?, ?)",
                             (key, kind, json.dumps(payload, ensure_ascii=False), time.time()))
        self._wake.set()
        return key

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox WHERE dead = 0").fetchone()[0]

    def is_pending(self, key: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM outbox WHERE key = ? AND dead = 0", (key,)).fetchone() is not None

    def dead(self) -> list[tuple[str, str, str]]:
        """Messages the desk refused for good: (kind, key, problem), for 'kiosk doctor' and the admin screen."""
        with self._lock:
            return self._db.execute("SELECT kind, key, problem FROM outbox WHERE dead = 1 ORDER BY seq").fetchall()

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="staffdesk-outbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._db.close()

    def flush(self, timeout_s: float) -> bool:
        """Wait until everything is delivered (True) or the time is up (False); the thread keeps trying."""
        deadline = time.monotonic() + timeout_s
        self._wake.set()
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _oldest(self):
        with self._lock:
            return self._db.execute("SELECT seq, key, kind, payload FROM outbox WHERE dead = 0 "
                                    "ORDER BY seq LIMIT 1").fetchone()

    def _next(self) -> list[tuple]:
        """The oldest message, with the ones of its kind right after it when that kind goes in batches."""
        row = self._oldest()
        if row is None or row[2] not in self._batches or row[0] <= self._singly_through:
            return [row] if row is not None else []
        with self._lock:
            rows = self._db.execute("SELECT seq, key, kind, payload FROM outbox WHERE dead = 0 ORDER BY seq LIMIT ?",
                                    (self._batches[row[2]][1],)).fetchall()
        batch = []
        for found in rows:
            if found[2] != row[2]:  # order is kept across kinds: a cancel never overtakes its call
                break
            batch.append(found)
        return batch

    def _run(self) -> None:
        # Not a kiosk.worker.Worker: its work is not pieces posted in memory but the durable table, tried again
        # with backoff until the desk takes it.
        backoff = FIRST_BACKOFF_S
        while not self._stopping.is_set():
            rows = self._next()
            if not rows:
                self._wake.wait(timeout=5)
                self._wake.clear()
                continue
            seq, key, kind, payload = rows[0]
            try:
                if len(rows) == 1:
                    self._deliver(kind, key, json.loads(payload))
                else:
                    self._batches[kind][0]([(found[1], json.loads(found[3])) for found in rows])
            except DeskUnavailable as problem:
                self._tried(seq, str(problem))  # first: whoever sees last_problem finds the outbox saying it too
                self.last_problem = problem
                log.info("the desk is unavailable (%s); %s waits, next try in %.1f s", problem.reason.value, kind,
                         backoff)
                # Jitter: after a desk restart, a centre's kiosks should not all come back in the same instant.
                self._stopping.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            except DeskRejected as problem:
                if len(rows) > 1:
                    self._singly_through = rows[-1][0]
                    continue
                log.error("the desk refused a %s message for good; it is set aside: %s", kind, problem)
                with self._lock:
                    self._db.execute("UPDATE outbox SET dead = 1, problem = ? WHERE seq = ?", (str(problem), seq))
                continue
            except Exception as error:  # a bug must not stop delivery of everything else, nor spin
                log.exception("delivering a %s message failed", kind)
                self._tried(seq, f"delivery failed: {type(error).__name__}")
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            self.last_problem = None
            backoff = FIRST_BACKOFF_S
            with self._lock:
                # One transaction: one write to disk for the whole batch.
                self._db.execute("BEGIN")
                self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(found[0],) for found in rows])
                self._db.execute("COMMIT")

    def _tried(self, seq: int, problem: str) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1, problem = ? WHERE seq = ?", (problem, seq))


@dataclass(frozen=True)
class Undeliverable:
    kind: str
    # "refused": the desk refused it for good; "token-refused": the desk does not know this kiosk's token, so
    # nothing gets through until an administrator fixes it; "no-desk": kiosk.ini names no desk any more;
    # "stuck": still waiting after STUCK_AFTER_S.
    why: str
    problem: str
    age_s: float
    attempts: int


def undeliverable(path: Path, has_desk: bool = True, now: float | None = None,
                  stuck_after_s: float = STUCK_AFTER_S) -> list[Undeliverable]:
    """The messages that will not reach the desk, oldest first, read from another process ('kiosk doctor').

    It writes nothing, not even SQLite's side files: run by root, a read-only connection would leave a root-owned
    -shm and -wal next to a closed outbox, and the kiosk, not root, could no longer open it. A closed outbox (no
    -wal) is read as immutable, creating nothing; a running kiosk's (its -wal is there) read-only, beside it.
    """
    path = Path(path)
    if not path.exists():
        return []
    now = time.time() if now is None else now
    closed = not path.with_name(path.name + "-wal").exists()
    db = sqlite3.connect(path.resolve().as_uri() + ("?mode=ro&immutable=1" if closed else "?mode=ro"), uri=True,
                         timeout=10)
    try:
        rows = db.execute("SELECT kind, created_at, attempts, dead, problem FROM outbox ORDER BY seq").fetchall()
    finally:
        db.close()
    found = []
    for kind, created_at, attempts, dead, problem in rows:
        age_s = now - created_at
        if dead:
            why = "refused"
        elif not has_desk:
            why = "no-desk"
        elif problem.startswith(Reason.TOKEN_REFUSED.value):
            why = "token-refused"
        elif age_s > stuck_after_s:
            why = "stuck"
        else:
            continue
        found.append(Undeliverable(kind, why, problem, age_s, attempts))
    return found

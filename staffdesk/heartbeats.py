"""Kiosk heartbeats kept in memory and written in one transaction every few seconds; a change of state at once."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from staffdesk import desk
from staffdesk.models import Kiosk, KioskHealth, utcnow

log = logging.getLogger(__name__)
# 2,400 kiosks beating every 30 s are 80 writes a second, each of them one SQLite write transaction; kept for
# this long they are one transaction of ~160 rows. The console adds the ones not yet written (see fresher()).
FLUSH_EVERY_S = 2.0


@dataclass(frozen=True)
class Beat:
    at: dt.datetime
    health: dict


class Heartbeats:
    """What each kiosk last reported, as far as this process wrote it, and the beats not written yet.

    A heartbeat whose device states equal the ones this process last wrote (or found stored when it started, see
    remember_stored()) changes only its time and the screen shown: it waits in memory for the next flush(), at
    most FLUSH_EVERY_S (a crash loses at most that much, and the kiosk beats again anyway). Any other heartbeat
    (a kiosk's very first, a printer running out of paper, a reader unplugged, a new version) is written at once.
    """

    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions
        self._lock = threading.Lock()
        self._written: dict[int, dict] = {}
        self._pending: dict[int, Beat] = {}

    def remember_stored(self, read_sessions: sessionmaker[Session]) -> int:
        """Start from the device states stored: after a restart, a kiosk whose devices are as they were joins the
        next batch, where each kiosk's first heartbeat used to be a transaction of its own (2,400 kiosks coming
        back at once are 2,400 writes on SQLite's one writer). Returns how many kiosks were found."""
        table = KioskHealth.__table__
        with read_sessions() as session:
            rows = session.execute(select(table.c.kiosk_id, *(table.c[name] for name in desk.HEALTH_FIELDS))).all()
        with self._lock:
            for row in rows:
                self._written.setdefault(row.kiosk_id, {name: getattr(row, name) for name in desk.HEALTH_FIELDS})
        return len(rows)

    def keep(self, kiosk: Kiosk, health: dict) -> bool:
        """Keep the heartbeat for the next flush; False when it must be written now (record_now)."""
        with self._lock:
            written = self._written.get(kiosk.id)
            if written is None or any(written.get(name, _MISSING) != value for name, value in health.items()
                                      if name != "screen"):
                return False
            self._pending[kiosk.id] = Beat(utcnow(), health)
            return True

    def record_now(self, kiosk: Kiosk, health: dict) -> bool:
        """Write the heartbeat at once; True when a device's state changed (the consoles then refresh)."""
        with self._sessions() as session:
            changed = desk.record_heartbeat(session, kiosk, health)
        with self._lock:
            self._written[kiosk.id] = {**self._written.get(kiosk.id, {}), **health}
            # What waited is older than what was just written: the update's time check would skip it anyway.
            self._pending.pop(kiosk.id, None)
        return changed

    def fresher(self) -> dict[int, Beat]:
        """The beats received but not yet written, for the console: its health view shows the latest one."""
        with self._lock:
            return dict(self._pending)

    def flush(self) -> int:
        """Write the waiting beats in one transaction; returns how many."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return 0
        table = KioskHealth.__table__
        # Every part the kiosk reported is written, not only the time: with several desk processes (PostgreSQL)
        # this one may not have seen the state another one wrote. Never move a kiosk's time back, either.
        statement = (update(table)
                     .where(table.c.kiosk_id == bindparam("b_kiosk_id"), table.c.last_heartbeat < bindparam("b_at"))
                     .values(last_heartbeat=bindparam("b_at"),
                             **{name: func.coalesce(bindparam(f"b_{name}", type_=table.c[name].type), table.c[name])
                                for name in desk.HEALTH_FIELDS}))
        rows = [{"b_kiosk_id": kiosk_id, "b_at": beat.at, **{f"b_{name}": beat.health.get(name)
                                                             for name in desk.HEALTH_FIELDS}}
                for kiosk_id, beat in batch.items()]
        try:
            with self._sessions() as session:
                session.connection().execute(statement, rows)
                session.commit()
        except Exception:
            with self._lock:  # try again at the next flush, unless a newer beat came meanwhile
                self._pending = {**batch, **self._pending}
            raise
        return len(rows)


_MISSING = object()

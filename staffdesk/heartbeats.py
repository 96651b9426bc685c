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
# A kiosk silent this long had lost the desk (it beats every 30 s by default): a ticket it numbered itself may
# date from the start of such a silence. Without one, only from this long before it reached the desk (a ticket
# request that failed once while heartbeats got through is delivered by the outbox within seconds).
QUIET_S = 60
# A silence that ended longer ago than this no longer explains a ticket arriving now (the outbox retries at
# least every 15 s once the desk is back).
REPORT_AFTER_QUIET_S = 15 * 60


@dataclass(frozen=True)
class Beat:
    at: dt.datetime
    health: dict


@dataclass
class Contact:
    """When this process last heard a kiosk, and its latest silence (last beat before it, first beat after)."""
    last: dt.datetime
    quiet_from: dt.datetime | None = None
    quiet_until: dt.datetime | None = None

    def heard(self, at: dt.datetime) -> None:
        if (at - self.last).total_seconds() > QUIET_S:
            self.quiet_from, self.quiet_until = self.last, at
        self.last = max(self.last, at)


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
        self._contacts: dict[int, Contact] = {}
        self._contacts_lock = threading.Lock()

    def remember_stored(self, read_sessions: sessionmaker[Session]) -> int:
        """Start from the device states stored: after a restart, a kiosk whose devices are as they were joins the
        next batch, where each kiosk's first heartbeat used to be a transaction of its own (2,400 kiosks coming
        back at once are 2,400 writes on SQLite's one writer). Returns how many kiosks were found."""
        table = KioskHealth.__table__
        with read_sessions() as session:
            rows = session.execute(select(table.c.kiosk_id, table.c.last_heartbeat,
                                          *(table.c[name] for name in desk.HEALTH_FIELDS))).all()
        with self._lock:
            for row in rows:
                self._written.setdefault(row.kiosk_id, {name: getattr(row, name) for name in desk.HEALTH_FIELDS})
                with self._contacts_lock:
                    self._contacts.setdefault(row.kiosk_id, Contact(row.last_heartbeat))
        return len(rows)

    def keep(self, kiosk: Kiosk, health: dict) -> bool:
        """Keep the heartbeat for the next flush; False when it must be written now (record_now)."""
        with self._lock:
            self.heard(kiosk.id, utcnow())
            written = self._written.get(kiosk.id)
            if written is None or any(written.get(name, _MISSING) != value for name, value in health.items()
                                      if name not in desk.PASSING_FIELDS):
                return False
            self._pending[kiosk.id] = Beat(utcnow(), health)
            return True

    def heard(self, kiosk_id: int, at: dt.datetime) -> None:
        """A heartbeat came from the kiosk at this time (keep() says so for every one)."""
        with self._contacts_lock:
            contact = self._contacts.get(kiosk_id)
            if contact is None:
                self._contacts[kiosk_id] = Contact(at)
            else:
                contact.heard(at)

    def earliest_local_ticket(self, kiosk_id: int, arrived: dt.datetime, stored_last: dt.datetime | None
                              ) -> dt.datetime:
        """The earliest time a ticket the kiosk numbered itself, arriving now, may claim as its own.

        Such a ticket was given while the kiosk could not reach the desk: during a silence of its heartbeats (the
        one going on, or one that ended just now), or at most QUIET_S ago. stored_last: the database's last
        heartbeat, which another desk process may have written.
        """
        floor = arrived - dt.timedelta(seconds=QUIET_S)
        with self._contacts_lock:
            contact = self._contacts.get(kiosk_id)
            contact = Contact(contact.last, contact.quiet_from, contact.quiet_until) if contact else None
        last = max((moment for moment in (contact.last if contact else None, stored_last) if moment is not None),
                   default=None)
        if last is None:
            return floor
        if (arrived - last).total_seconds() > QUIET_S:
            return min(floor, last)  # silent still: the ticket came after its last beat
        if contact is not None and contact.quiet_until is not None and \
                (arrived - contact.quiet_until).total_seconds() <= REPORT_AFTER_QUIET_S:
            return min(floor, contact.quiet_from)
        return floor

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

"""The kiosk's own queue numbers (K1-001...) for when the desk is unreachable: never repeated within a day."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from pathlib import Path

SCHEMA = "CREATE TABLE IF NOT EXISTS series (day TEXT PRIMARY KEY, last INTEGER NOT NULL)"


def series_prefix(kiosk_id: str) -> str:
    """K plus the kiosk id's trailing number (demo-kiosk-1 -> K1), else its first two letters (entrance -> KEN)."""
    digits = re.search(r"(\d+)$", kiosk_id)
    if digits:
        return f"K{int(digits.group(1))}"
    letters = re.sub(r"[^A-Za-z]", "", kiosk_id).upper()
    return "K" + (letters[:2] or "X")


class LocalTicketSeries:
    def __init__(self, path: Path, prefix: str):
        self.prefix = prefix
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        # The number is on disk before the resident sees it, so a crash never hands it out twice.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)

    def next_number(self, today: dt.date | None = None) -> str:
        today = today or dt.date.today()
        day = today.isoformat()
        # A week of history: a clock set back by a day must not restart a series already handed out.
        forget_before = (today - dt.timedelta(days=7)).isoformat()
        with self._lock:
            # IMMEDIATE: the kiosk app and a 'kiosk ticket' command may share the file.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO series (day, last) VALUES (?, 1) "
                                 "ON CONFLICT(day) DO UPDATE SET last = last + 1", (day,))
                last = self._db.execute("SELECT last FROM series WHERE day = ?", (day,)).fetchone()[0]
                self._db.execute("DELETE FROM series WHERE day < ?", (forget_before,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return f"{self.prefix}-{last:03d}"

    def close(self) -> None:
        with self._lock:
            self._db.close()

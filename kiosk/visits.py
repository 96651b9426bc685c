"""Starts each resident's visit in a private folder, and ends it with a wipe that checks itself."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.visit import Visit, Wiper

log = logging.getLogger(__name__)

VISIT_PREFIX = "visit-"


@dataclass(frozen=True)
class WipeReport:
    wipers_run: tuple[str, ...]
    failed: tuple[str, ...] = ()
    leftovers: tuple[str, ...] = ()
    duration_ms: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.failed and not self.leftovers


class Visits:
    """Starts visits in a private runtime directory and ends them with a wipe that checks itself."""

    def __init__(self, runtime_dir: Path):
        self.runtime_dir = Path(runtime_dir)
        self.current: Visit | None = None
        self.last_report: WipeReport | None = None
        self._standing: list[Wiper] = []

    def prepare(self) -> int:
        """Make the runtime directory private and remove visits left by a crash; returns how many."""
        self.runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.runtime_dir, 0o700)
        leftovers = [p for p in self.runtime_dir.iterdir() if p.name.startswith(VISIT_PREFIX)]
        for path in leftovers:
            _remove(path)
        if leftovers:
            log.warning("removed %d visit folder(s) left by an unclean stop", len(leftovers))
        return len(leftovers)

    def add_standing_wiper(self, name: str, wipe: Callable[[], None],
                           is_clean: Callable[[], bool] = lambda: True) -> None:
        """A wiper run at the end of every visit: screens and long-lived subsystems register here."""
        self._standing.append(Wiper(name, wipe, is_clean))

    def start(self) -> Visit:
        if self.current is not None:
            return self.current
        directory = self.runtime_dir / (VISIT_PREFIX + secrets.token_hex(8))
        directory.mkdir(mode=0o700)
        self.current = Visit(directory)
        log.info("visit started")
        return self.current

    def end(self, reason: str) -> WipeReport | None:
        """Run every wiper, delete the directory, then check that nothing of the resident is left."""
        visit, self.current = self.current, None
        if visit is None:
            return None
        began = time.perf_counter()
        # Services first (they may still read a part, as the desk reads the open call), then the parts.
        wipers = self._standing + visit.wipers + visit.parts()
        failed = []
        for wiper in wipers:
            try:
                wiper.wipe()
            except Exception as error:  # one failing wiper must not stop the others
                # The exception text may quote personal data (a file name, a name): log only its kind.
                log.error("wiper %s failed: %s", wiper.name, type(error).__name__)
                failed.append(wiper.name)
        _remove(visit.directory)
        leftovers = [w.name for w in wipers if not _reports_clean(w)]
        if visit.directory.exists():
            leftovers.append("visit directory")
        visit.wipers.clear()
        visit.ended = True
        report = WipeReport(tuple(w.name for w in wipers), tuple(failed), tuple(leftovers),
                            (time.perf_counter() - began) * 1000)
        self.last_report = report
        if report.clean:
            log.info("visit ended (%s), wiped clean in %.1f ms", reason, report.duration_ms)
        else:
            log.error("visit ended (%s) but the wipe is incomplete: failed %s, left %s",
                      reason, ", ".join(report.failed) or "none", ", ".join(report.leftovers) or "nothing")
        return report


def _reports_clean(wiper: Wiper) -> bool:
    try:
        return bool(wiper.is_clean())
    except Exception as error:
        log.error("wiper %s could not check itself: %s", wiper.name, type(error).__name__)
        return False


def _remove(path: Path) -> None:
    """Delete a visit folder; one unremovable file is logged by kind, the rest still goes."""
    def report(_function, _path, error):
        log.error("could not delete part of a visit folder: %s", type(error[1]).__name__)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=report)
    elif path.exists() or path.is_symlink():
        try:
            path.unlink()
        except OSError as error:
            log.error("could not delete a visit leftover: %s", type(error).__name__)

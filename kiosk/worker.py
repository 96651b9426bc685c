"""One thread that runs posted work in order: the core's events, printing, scanning and speech each have one."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

log = logging.getLogger(__name__)


class Worker:
    """Runs each piece of posted work in turn on a thread of its own, until stopped.

    A piece that fails is logged by the kind of error only (its message or traceback could carry what a resident
    did) and the next one runs. No piece is kept once it has run: work for a visit holds that visit's data.
    """

    def __init__(self, name: str, at_end: Callable[[], None] | None = None):
        self.name = name
        self._at_end = at_end  # on the worker's thread, after the last piece (the scanner is closed there)
        self._work: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def post(self, work: Callable[[], None]) -> None:
        self._work.put(work)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Run what was posted before, then end; waits up to `timeout_s` (a stuck device must not hold a stop)."""
        self._work.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=timeout_s)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while (work := self._work.get()) is not None:
            try:
                work()
            except Exception as error:
                log.error("%s: a piece of work failed: %s", self.name, type(error).__name__)
            del work
        if self._at_end is not None:
            try:
                self._at_end()
            except Exception as error:
                log.error("%s: ending failed: %s", self.name, type(error).__name__)

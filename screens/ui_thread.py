"""Work handed to the UI thread from any thread: run in order, at most once a frame."""

from __future__ import annotations

import collections
import logging
from typing import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)


class UiThread:
    """The app's one dispatcher: the core's events and answers from its services' threads arrive here."""

    def __init__(self):
        self._work: collections.deque = collections.deque()
        self._run_soon = Clock.create_trigger(self._run, 0)

    def post(self, work: Callable[[], None]) -> None:
        self._work.append(work)  # deque.append is safe from any thread
        self._run_soon()

    def _run(self, _dt) -> None:
        while self._work:
            work = self._work.popleft()
            try:
                work()
            except Exception as error:  # one failing handler must not lose the events behind it
                log.error("handling a kiosk event failed: %s", type(error).__name__)

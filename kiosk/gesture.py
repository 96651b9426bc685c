"""The hidden administrator gesture: several taps in one corner within a few seconds."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable


class CornerTaps:
    """Remembers recent corner taps; `tap()` is true when the last `count` fell within `window_s`."""

    def __init__(self, count: int, window_s: float, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.window_s = window_s
        self._clock = clock
        self._taps: deque[float] = deque(maxlen=count)

    def tap(self) -> bool:
        now = self._clock()
        self._taps.append(now)
        if len(self._taps) == self.count and now - self._taps[0] <= self.window_s:
            self._taps.clear()
            return True
        return False

    def other_touch(self) -> None:
        """A touch anywhere else breaks the sequence, so a resident's normal use never adds up to it."""
        self._taps.clear()

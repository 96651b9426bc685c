"""When a resident has walked away: active, then a warning with a countdown, then the end of the visit."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from kiosk.config import VisitSection


class IdleState(enum.Enum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IdleReading:
    state: IdleState
    seconds_left: int = 0


class IdlePolicy:
    """Counts from the last touch; the caller polls `reading()` and acts on the state."""

    def __init__(self, warning_after_s: float, countdown_s: float, clock: Callable[[], float] = time.monotonic):
        self.warning_after_s = warning_after_s
        self.countdown_s = countdown_s
        self._clock = clock
        self._last_touch = clock()

    def touched(self) -> None:
        self._last_touch = self._clock()

    def reading(self) -> IdleReading:
        idle = self._clock() - self._last_touch
        if idle < self.warning_after_s:
            return IdleReading(IdleState.ACTIVE)
        left = self.warning_after_s + self.countdown_s - idle
        if left > 0:
            # Rounded up, so the countdown shows 1 until the very end, never 0 while still waiting.
            return IdleReading(IdleState.WARNING, int(left) + (left % 1 > 0))
        return IdleReading(IdleState.EXPIRED)


@dataclass(frozen=True)
class Timings:
    """Durations in seconds; tests pass fractions of a second instead of the configured values."""
    idle_warning_s: float
    idle_countdown_s: float
    goodbye_s: float
    tick_s: float = 0.25

    @classmethod
    def from_settings(cls, visit: VisitSection) -> "Timings":
        return cls(visit.idle_warning_s, visit.idle_countdown_s, visit.goodbye_s)

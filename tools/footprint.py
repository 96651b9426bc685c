"""What a long-running kiosk process holds (memory, Kivy bindings, open files, threads): for the soak test and bench."""

from __future__ import annotations

import gc
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


def _bound_callbacks() -> list:
    from kivy._event import BoundCallback
    return [obj for obj in gc.get_objects() if type(obj) is BoundCallback]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass(frozen=True)
class Footprint:
    rss_mb: float
    bindings: int  # Kivy's BoundCallback objects: one per fbind'ed callback that is still bound
    fds: int
    threads: int

    @classmethod
    def now(cls) -> "Footprint":
        gc.collect()
        return cls(rss_mb(), len(_bound_callbacks()), len(os.listdir("/proc/self/fd")), threading.active_count())


def bindings_by_callback() -> Counter:
    """Which callbacks the bindings call, by name: what grows between two of these is what binds again."""
    from kivy.weakmethod import WeakMethod
    names = Counter()
    for bound in _bound_callbacks():
        # Its fields are C-level: the collector still sees what it refers to, the callback among them.
        for function in gc.get_referents(bound):
            if isinstance(function, WeakMethod):  # bind() keeps a method weakly
                owner = function.proxy
                names[f"{type(owner).__name__ if owner is not None else 'dead'}.{function.method_name}"] += 1
                break
            if callable(function):
                owner = getattr(function, "__self__", None)
                name = getattr(function, "__qualname__", None) or type(function).__name__
                names[f"{type(owner).__name__}.{name.rsplit('.', 1)[-1]}" if owner is not None else name] += 1
                break
    return names

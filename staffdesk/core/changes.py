"""A per-centre change counter: writes bump it, the consoles' live streams watch it."""

from __future__ import annotations

import threading
from collections import defaultdict


class Changes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[int, int] = defaultdict(int)

    def bump(self, centre_id: int) -> None:
        with self._lock:
            self._versions[centre_id] += 1

    def version(self, centre_id: int) -> int:
        return self._versions[centre_id]

"""Card inserted -> identity available, through a real pcscd and the virtual card: median of 20.

Needs pcscd running with vsmartcard-vpcd (make bench starts it). Prints eid_read_ms (the whole path: pcscd
noticing the card, the monitor event, connecting and reading) and eid_apdus (commands one read sends).
--quick: 3 reads, for the tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import queue
import statistics
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.eid.service import EidService  # noqa: E402
from kiosk.events import CardProblem, IdentityRead  # noqa: E402
from tools.virtual_card import CardSpec, VirtualCard, make_ca  # noqa: E402

RUNS, QUICK_RUNS = 20, 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer reads: does the bench still run?")
    runs = QUICK_RUNS if parser.parse_args().quick else RUNS
    events: queue.Queue = queue.Queue()
    ca = make_ca()
    service = EidService(events.put, "Virtual PCD 00 00", "https://kiosk.bench", ())
    service.start()
    time.sleep(1.0)
    times, apdus = [], []
    for _ in range(runs):
        card = VirtualCard(CardSpec(), ca)
        began = time.perf_counter()
        card.insert()
        while True:
            event = events.get(timeout=10)
            if isinstance(event, IdentityRead):
                times.append((time.perf_counter() - began) * 1000)
                break
            if isinstance(event, CardProblem):
                raise SystemExit(f"the read failed: {event.problem.value}")
        apdus.append(card.apdus)
        card.remove()
        time.sleep(0.5)
    service.stop()
    print(f"eid_read_ms={statistics.median(times):.0f}")
    print(f"eid_apdus={statistics.median(apdus):.0f}")


if __name__ == "__main__":
    main()

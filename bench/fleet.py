"""The national catalogue reaching every kiosk: 2,400 kiosks asking the desk for a newer bundle every 5 minutes (a
conditional GET), while a new version is published to everyone.

Time runs --speed times faster than a kiosk's (the poll interval and the visits shrink alike; the desk answers
--speed times as many polls a second as it would for real, which makes its p99 a harsher figure). Each simulated
kiosk keeps its connection, asks at its own moment of the interval, verifies a bundle it gets with the publisher's
key as a kiosk does, and runs it once its resident's visit (a fifth of the kiosks are in one) has ended.

Prints, per backend:
  backend=... kiosks=... polls=... poll_p50_ms=... poll_p99_ms=... (goal on PostgreSQL: p99 <= 20)
              unchanged_p99_ms=...      the same for the polls answered 304 (nothing new)
              unchanged_poll_bytes=...  the desk's whole answer when nothing changed (status line, headers, body)
              bundle_bytes=...          its answer with the bundle
              time_to_95_s=...          kiosk seconds from publishing until 95 % of the kiosks run the new version
              goal_s=...                one poll interval plus the longest visit
              failed=...                polls not answered 200, 204 or 304
Run: .venv/bin/python bench/fleet.py [--kiosks 2400] [--speed 5] [--backends postgresql,sqlite] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import dataclasses
import datetime as dt
import random
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

from bench.staffdesk import TIMEOUT_S, make_kiosks, serve  # noqa: E402
from tools.pg_cluster import PgCluster, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "assets" / "catalog" / "catalog.yaml"
INTERVAL_S = 300  # [catalog] update_check_s
VISIT_MAX_S = 15 * 60  # the longest resident's visit the kiosks are in when the bundle comes
IN_A_VISIT = 0.2
CONNECTIONS = 256


@dataclasses.dataclass(frozen=True)
class Scale:
    kiosks: int = 2400
    speed: float = 5.0


QUICK = Scale(kiosks=120, speed=60.0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


async def get(port: int, pool: list, token: str, have: int) -> tuple[int, int, bytes]:
    """One poll on a kept connection: status, bytes of the whole answer, and its body. A kept connection the desk
    has closed meanwhile (uvicorn closes idle ones after 5 s) is replaced, as a kiosk's HTTP client does."""
    raw = (f"GET /api/kiosk/bundle HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
           f"If-None-Match: \"{have}\"\r\n\r\n").encode()
    while pool:
        reader, writer = pool.pop()
        writer.write(raw)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
            break
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            writer.close()
            if getattr(error, "partial", b""):
                raise
    else:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    body = await reader.readexactly(length) if length else b""
    pool.append((reader, writer))
    return int(head[9:12]), len(head) + len(body), body


class Publisher:
    """The national team: a key pair, and bundles of the repository's catalogue signed and released to everyone."""

    def __init__(self, folder: Path):
        from kiosk.fleet.keys import generate, load_private
        self.public_file = folder / "national.pub"
        generate(folder / "national.key", self.public_file, "bench")
        self.key = load_private(folder / "national.key")

    def publish(self, url: str) -> int:
        from kiosk.fleet import bundle as bundles
        from kiosk.fleet.keys import load_public, public_of
        from staffdesk import fleet
        from staffdesk.core.db import make_engine, make_sessionmaker
        from staffdesk.models import Ring
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine)() as session:
                envelope = fleet.unsigned_bundle(session, CATALOG.read_bytes(), note="bench")
                signed = bundles.sign(envelope, self.key, public_of(self.key))
                row = fleet.take_signed(session, signed, load_public(self.public_file))
                fleet.release(session, row.version, Ring.EVERYONE)
                return row.version
        finally:
            engine.dispose()


async def fleet_round(port: int, tokens: list[str], scale: Scale, publisher: Publisher, url: str) -> dict:
    from kiosk.fleet.bundle import verify
    from kiosk.fleet.keys import load_public
    keys = load_public(publisher.public_file)
    interval = INTERVAL_S / scale.speed
    rng = random.Random(7)
    first = await asyncio.to_thread(publisher.publish, url)
    have = {token: first for token in tokens}  # every kiosk runs version 1 already
    latencies: list[float] = []
    unchanged, bundle_bytes, failed = [], [], 0
    switched: dict[str, float] = {}
    published: dict[str, float] = {}
    pool: list = []
    reasons: list[str] = []
    unchanged_ms: list[float] = []
    verifiers = ProcessPoolExecutor(1)
    slots = asyncio.Semaphore(CONNECTIONS)
    stop_at = [None]

    async def kiosk(token: str) -> None:
        nonlocal failed
        visit_ends = None
        await asyncio.sleep(rng.random() * interval)
        while stop_at[0] is None or time.monotonic() < stop_at[0]:
            started = time.monotonic()
            try:
                async with slots:
                    status, size, body = await get(port, pool, token, have[token])
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as error:
                failed += 1
                reasons.append(repr(error))
                status, size, body = 0, 0, b""
            latencies.append((time.monotonic() - started) * 1000)
            if status == 304:
                unchanged.append(size)
                unchanged_ms.append(latencies[-1])
            elif status == 200:
                bundle_bytes.append(size)
                # In another process: the kiosk's own work, kept off this loop, whose timings are the desk's.
                taken = await asyncio.get_running_loop().run_in_executor(verifiers, verify, body, keys, have[token])
                have[token] = taken.version
                if "at" in published and visit_ends is None:
                    in_visit = rng.random() < IN_A_VISIT
                    visit_ends = time.monotonic() + (rng.random() * VISIT_MAX_S / scale.speed if in_visit else 0)
                    switched[token] = max(time.monotonic(), visit_ends)
            elif status and status != 204:
                failed += 1
                reasons.append(str(status))
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    tasks = [asyncio.create_task(kiosk(token)) for token in tokens]
    await asyncio.sleep(interval)  # a whole round of unchanged polls first
    await asyncio.to_thread(publisher.publish, url)
    published["at"] = time.monotonic()
    deadline = published["at"] + 3 * interval + VISIT_MAX_S / scale.speed
    needed = int(len(tokens) * 0.95)
    while time.monotonic() < deadline:
        if sum(1 for moment in switched.values() if moment <= time.monotonic()) >= needed:
            break
        await asyncio.sleep(interval / 50)
    stop_at[0] = time.monotonic()
    await asyncio.gather(*tasks)
    for _reader, writer in pool:
        writer.close()
    verifiers.shutdown()
    moments = sorted(switched.values())
    time_to_95 = ((moments[needed - 1] - published["at"]) * scale.speed if len(moments) >= needed
                  else float("inf"))
    latencies.sort()
    if reasons:
        print("failed polls:", sorted(set(reasons))[:5], file=sys.stderr)
    return {"kiosks": len(tokens), "polls": len(latencies),
            "poll_p50_ms": statistics.median(latencies),
            "poll_p99_ms": percentile(latencies, 0.99), "unchanged_p99_ms": percentile(unchanged_ms, 0.99),
            "unchanged_poll_bytes": statistics.median(unchanged) if unchanged else float("nan"),
            "bundle_bytes": max(bundle_bytes) if bundle_bytes else 0,
            "time_to_95_s": time_to_95, "goal_s": INTERVAL_S + VISIT_MAX_S, "failed": failed}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=Scale.kiosks)
    parser.add_argument("--speed", type=float, default=Scale.speed)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--quick", action="store_true", help="briefly: does the bench still run?")
    args = parser.parse_args()
    scale = QUICK if args.quick else Scale(args.kiosks, args.speed)
    cluster = PgCluster().start()
    try:
        for backend in args.backends.split(","):
            folder = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
            url = cluster.new_database("fleet") if backend == "postgresql" else f"sqlite:///{folder}/desk.sqlite"
            tokens = make_kiosks(url, scale.kiosks)
            publisher = Publisher(folder)
            port = free_port()
            desk = serve(["-m", "staffdesk", "serve", "--db", url, "--port", str(port)], port,
                         {"STAFFDESK_DATA_DIR": str(folder), "STAFFDESK_PUBLISHER_KEYS": str(publisher.public_file)})
            try:
                figures = asyncio.run(fleet_round(port, tokens, scale, publisher, url))
            finally:
                desk.terminate()
                desk.wait(timeout=30)
            print(f"backend={backend} speed={scale.speed:g} " + " ".join(
                f"{name}={value:.1f}" if isinstance(value, float) else f"{name}={value}"
                for name, value in figures.items()), flush=True)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Staff desk load: 2,400 kiosks' heartbeats (538 centres x ~4) plus a burst of help calls, SQLite and PostgreSQL.

Prints, per backend: backend=... heartbeat_rps=... p99_ms=... bare_rps=... ratio_to_bare=...
  heartbeat_rps  the most heartbeats per second the desk answers (closed loop, 64 concurrent clients)
  p99_ms         99th percentile latency at the real load, 80 heartbeats/s (2,400 kiosks every 30 s), measured
                 from each request's scheduled time (no coordinated omission), with a burst of help calls inside
  bare_rps       the same closed loop against a bare FastAPI endpoint in the same kind of server
Run: .venv/bin/python bench/staffdesk.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from staffdesk.schemas import HealthIn  # noqa: E402
from tools.pg_cluster import PgCluster, free_port, wait_for_port  # noqa: E402

CENTRES, KIOSKS = 538, 2400
STEADY_RPS = KIOSKS / 30
BURST_CALLS = 300
CLOSED_LOOP_CLIENTS = 64


def make_kiosks(url: str) -> list[str]:
    """2,400 kiosks spread over 538 centres, inserted in one go (the CLI would take minutes for this many)."""
    from staffdesk.db import make_engine, make_sessionmaker
    from staffdesk.migrate import upgrade
    from staffdesk.models import Centre, Kiosk
    from staffdesk.security import new_token, token_hash
    upgrade(url)
    engine = make_engine(url)
    tokens = [new_token() for _ in range(KIOSKS)]
    with make_sessionmaker(engine)() as session:
        centres = [Centre(name=f"KAC {number}") for number in range(CENTRES)]
        session.add_all(centres)
        session.flush()
        session.add_all(Kiosk(name=f"kiosk-{number}", token_hash=token_hash(token),
                              centre_id=centres[number % CENTRES].id) for number, token in enumerate(tokens))
        session.commit()
    engine.dispose()
    return tokens


def serve(arguments: list[str], port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, *arguments], cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=open(f"/tmp/staffdesk-bench-{port}.log", "ab"))
    wait_for_port(port)
    return process


HEALTH = {"printer_paper": "ok", "printer_toner": "ok", "receipt_paper": "ok", "reader_present": True,
          "scanner_present": True, "screen": "home", "version": "0.1.0"}


async def steady(url: str, path: str, tokens: list[str], seconds: float, burst: bool) -> tuple[list[float], list[float]]:
    """Open loop at STEADY_RPS; returns heartbeat latencies and (if burst) help-call latencies, in ms."""
    beats, calls = [], []
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=200), timeout=30) as http:
        async def one(scheduled: float, token: str, latencies: list[float], target: str, body: dict):
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await http.post(target, json=body, headers={"Authorization": f"Bearer {token}"})
                ok = response.status_code < 300
            except httpx.HTTPError:
                ok = False
            # A failed request counts as infinitely slow: it must show in the p99, not vanish from it.
            latencies.append((time.perf_counter() - scheduled) * 1000 if ok else float("inf"))

        start = time.perf_counter() + 0.2
        tasks = [one(start + n / STEADY_RPS, random.choice(tokens), beats, path, HEALTH)
                 for n in range(int(seconds * STEADY_RPS))]
        if burst:
            # A third of the way in, 300 residents press "Call staff" within one second.
            tasks += [one(start + seconds / 3 + n / BURST_CALLS, random.choice(tokens), calls, "/api/kiosk/calls",
                          {"key": str(uuid.uuid4()), "screen": "bench", "step": str(n)}) for n in range(BURST_CALLS)]
        await asyncio.gather(*tasks)
    return beats, calls


async def closed_loop(url: str, path: str, tokens: list[str], seconds: float) -> float:
    done = 0
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=CLOSED_LOOP_CLIENTS),
                                 timeout=30) as http:
        stop = time.perf_counter() + seconds

        async def worker():
            nonlocal done
            while time.perf_counter() < stop:
                try:
                    response = await http.post(path, json=HEALTH,
                                               headers={"Authorization": f"Bearer {random.choice(tokens)}"})
                except httpx.HTTPError:
                    continue  # only answered heartbeats count towards the rate
                done += response.status_code < 300

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLOSED_LOOP_CLIENTS)))
        return done / (time.perf_counter() - began)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if all(v != float("inf") for v in values) else \
        sorted(values)[int(len(values) * 0.99)]


def bare_app():
    """The baseline: FastAPI and uvicorn as the desk uses them, with the same body, and no work at all."""
    from fastapi import FastAPI, Response
    app = FastAPI()

    @app.post("/api/kiosk/heartbeat", status_code=204)
    def heartbeat(body: HealthIn):
        return Response(status_code=204)

    return app


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        import uvicorn
        uvicorn.run(bare_app(), host="127.0.0.1", port=args.bare_server, access_log=False, log_level="warning")
        return 0

    import tempfile
    cluster = PgCluster().start()
    bare_port = free_port()
    bare = serve([__file__, "--bare-server", str(bare_port)], bare_port, {})
    try:
        bare_url = f"http://127.0.0.1:{bare_port}"
        bare_rps = asyncio.run(closed_loop(bare_url, "/api/kiosk/heartbeat", ["x"], 5))
        bare_beats, _ = asyncio.run(steady(bare_url, "/api/kiosk/heartbeat", ["x"], args.seconds, burst=False))
        print(f"backend=bare p99_ms={p99(bare_beats):.1f} bare_rps={bare_rps:.0f}", flush=True)
        for backend in ("sqlite", "postgresql"):
            folder = Path(tempfile.mkdtemp(prefix="staffdesk-bench-"))
            url = cluster.new_database("bench") if backend == "postgresql" else f"sqlite:///{folder}/desk.sqlite"
            tokens = make_kiosks(url)
            port = free_port()
            desk = serve(["-m", "staffdesk", "serve", "--db", url, "--port", str(port)], port,
                         {"STAFFDESK_DATA_DIR": str(folder)})
            try:
                desk_url = f"http://127.0.0.1:{port}"
                beats, calls = asyncio.run(steady(desk_url, "/api/kiosk/heartbeat", tokens, args.seconds, burst=True))
                time.sleep(5)  # let the desk finish what the burst left queued
                rps = asyncio.run(closed_loop(desk_url, "/api/kiosk/heartbeat", tokens, 5))
            finally:
                desk.terminate()
                desk.wait(timeout=10)
            failed = sum(v == float("inf") for v in beats + calls)
            print(f"backend={backend} heartbeat_rps={rps:.0f} p99_ms={p99(beats):.1f} failed={failed} "
                  f"calls_p99_ms={p99(calls):.1f} bare_rps={bare_rps:.0f} ratio_to_bare={rps / bare_rps:.2f}",
                  flush=True)
    finally:
        bare.terminate()
        bare.wait(timeout=10)
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

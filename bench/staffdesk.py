"""Staff desk load: 2,400 kiosks' heartbeats (538 centres x ~4) plus a burst of help calls, SQLite and PostgreSQL.

Prints, per backend: backend=... heartbeat_rps=... p99_ms=... bare_rps=... ratio_to_bare=...
  heartbeat_rps   the most heartbeats per second the desk answers (closed loop, 64 concurrent clients, every
                  kiosk already seen once: see first_beat_rps)
  p99_ms          99th percentile latency at the real load, 80 heartbeats/s (2,400 kiosks every 30 s), open loop,
                  measured from each request's scheduled time (queueing counts), with the burst inside
  calls_p99_ms    the same for the burst: 300 help calls within one second, a third of the way in
  failed          requests not answered with 2xx (counted as infinitely slow in the p99s)
  bare_rps        the same closed loop against a bare FastAPI endpoint in the same kind of server (per backend:
                  measured in turns with the desk, 3 x 3 s each, means)
  ratio_to_bare   heartbeat_rps / bare_rps
  first_beat_rps  every kiosk's first heartbeat after the desk started (each one written at once), closed loop
  calls_stored    burst calls in the database after the desk stopped / calls answered 2xx
  kiosks_stored   kiosks whose heartbeat is in the database after the desk stopped
  load_1min       the machine's load average after the run: above ~2 on 2 cores, something else competed
Then, per backend, the consoles' live streams: one centre, STREAM_CALLS help calls one after another (each
followed by its cancel, and by a console read), with no stream open and then with 100 (25 sessions x 4):
  streams=N call_p50_ms call_p99_ms   a kiosk's help call answered (goal with 100 streams: p99 <= 50)
            state_p50_ms state_max_ms a console's /console/state read right after it
            pushed                    states the streams received (each change reaches every stream)
Run: .venv/bin/python bench/staffdesk.py [--seconds 15] [--backends sqlite,postgresql] [--parts load,streams]
  [--quick]   every part and backend, each briefly (QUICK): for the tests, which check that the bench still runs to
              its figures; the figures themselves mean little then.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import subprocess
import time
import uuid

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staffdesk.schemas.kiosk import HealthIn  # noqa: E402
from tools.pg_cluster import PgCluster, free_port, wait_for_port  # noqa: E402

CENTRES, KIOSKS = 538, 2400
STEADY_RPS = KIOSKS / 30
BURST_CALLS = 300
CLOSED_LOOP_CLIENTS = 64
# A kiosk keeps its connection; the open loop may have this many requests in flight before they queue here.
OPEN_LOOP_CONNECTIONS = 256
TIMEOUT_S = 30
# The closed loops for ratio_to_bare: this many rounds of bare then desk, each this long.
ROUNDS, ROUND_S = 3, 3.0
STREAMS, STREAMS_PER_SESSION, STREAM_CALLS = 100, 4, 400
# Calls come this far apart: a busy centre, yet each change's state has gone out before the next one.
STREAM_CALL_GAP_S = 0.05


@dataclasses.dataclass(frozen=True)
class Scale:
    """How long and how much each part runs."""
    kiosks: int = KIOSKS  # each one's first heartbeat is written at once: 2,400 take seconds
    seconds: float = 15.0  # the open loop at the real load (STEADY_RPS whatever the number of kiosks)
    bare_s: float = 5.0  # the bare server's closed loop before the backends
    rounds: int = ROUNDS
    round_s: float = ROUND_S
    settle_s: float = 5.0  # for the desk to finish what the burst left queued
    streams: int = STREAMS
    stream_calls: int = STREAM_CALLS


QUICK = Scale(kiosks=120, seconds=1.5, bare_s=0.5, rounds=1, round_s=0.5, settle_s=1.0, streams=8, stream_calls=10)


def make_kiosks(url: str, count: int = KIOSKS) -> list[str]:
    """`count` kiosks (2,400) spread over 538 centres, inserted in one go (the CLI would take minutes for this many)."""
    from staffdesk.core.db import make_engine, make_sessionmaker
    from staffdesk.core.migrate import upgrade
    from staffdesk.models import Centre, Kiosk
    from staffdesk.core.security import new_token, token_hash
    upgrade(url)
    engine = make_engine(url)
    tokens = [new_token() for _ in range(count)]
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


def request(path: str, token: str, body: dict) -> bytes:
    data = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


class Http:
    """A small HTTP/1.1 keep-alive client with a pool of `size` connections.

    Not httpx: its connection pool scans every connection on every request, and here it spent a whole core at
    ~100 requests/s, so the benchmark measured itself (bare_rps=118) instead of the desk.
    """

    def __init__(self, port: int, size: int):
        self.port = port
        self.slots = asyncio.Semaphore(size)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, raw: bytes) -> int:
        """The response's status; a connection error or a timeout raises OSError."""
        async with self.slots:
            reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1", self.port)
            try:
                status, keep = await asyncio.wait_for(self._exchange(reader, writer, raw), TIMEOUT_S)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
                writer.close()
                raise OSError(f"no answer: {error!r}") from None
            if keep:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return status

    @staticmethod
    async def _exchange(reader, writer, raw: bytes) -> tuple[int, bool]:
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status, length, keep = int(head[9:12]), 0, True
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value == b"close":
                keep = False
            elif name == b"transfer-encoding":
                raise ValueError("a streamed answer: the kiosk API never sends one")
        if length:
            await reader.readexactly(length)
        return status, keep

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def steady(port: int, path: str, tokens: list[str], seconds: float, burst: bool) -> tuple[list[float], list[float]]:
    """Open loop at STEADY_RPS; returns heartbeat latencies and (if burst) help-call latencies, in ms."""
    beats, calls = [], []
    http = Http(port, OPEN_LOOP_CONNECTIONS)
    heartbeats = {token: request(path, token, HEALTH) for token in tokens}

    async def one(scheduled: float, raw: bytes, latencies: list[float]):
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        try:
            ok = await http.post(raw) < 300
        except OSError:
            ok = False
        # A failed request counts as infinitely slow: it must show in the p99, not vanish from it.
        latencies.append((time.perf_counter() - scheduled) * 1000 if ok else float("inf"))

    start = time.perf_counter() + 0.2
    tasks = [one(start + n / STEADY_RPS, heartbeats[random.choice(tokens)], beats)
             for n in range(int(seconds * STEADY_RPS))]
    if burst:
        # A third of the way in, 300 residents press "Call staff" within one second.
        tasks += [one(start + seconds / 3 + n / BURST_CALLS,
                      request("/api/kiosk/calls", random.choice(tokens),
                              {"key": str(uuid.uuid4()), "screen": "bench", "step": str(n)}), calls)
                  for n in range(BURST_CALLS)]
    await asyncio.gather(*tasks)
    http.close()
    return beats, calls


async def closed_loop(port: int, path: str, tokens: list[str], seconds: float | None) -> float:
    """Answered heartbeats per second from CLOSED_LOOP_CLIENTS clients sending back to back: the most the server
    sustains. seconds=None: instead, every token once (each kiosk's first heartbeat after the desk starts)."""
    done = 0
    http = Http(port, CLOSED_LOOP_CLIENTS)
    raws = [request(path, token, HEALTH) for token in tokens]
    todo = list(raws) if seconds is None else None
    stop = time.perf_counter() + (seconds or 0)

    async def worker():
        nonlocal done
        while (todo if seconds is None else time.perf_counter() < stop):
            try:
                status = await http.post(todo.pop() if seconds is None else random.choice(raws))
            except OSError:
                continue  # only answered heartbeats count towards the rate
            done += status < 300

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLOSED_LOOP_CLIENTS)))
    http.close()
    return done / (time.perf_counter() - began)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if all(v != float("inf") for v in values) else \
        sorted(values)[int(len(values) * 0.99)]


def bare_app():
    """The baseline: FastAPI and uvicorn as the desk runs them (the same defaults: uvloop and httptools when
    installed), the same body validated, and no work at all; async, like the desk's heartbeat route."""
    from fastapi import FastAPI, Response
    app = FastAPI()

    @app.post("/api/kiosk/heartbeat", status_code=204)
    async def heartbeat(body: HealthIn):
        return Response(status_code=204)

    return app


def stored(url: str) -> tuple[int, int]:
    """(help calls from the burst, kiosks with a stored heartbeat) in the database, after the desk stopped."""
    from sqlalchemy import func, select
    from staffdesk.core.db import make_engine
    from staffdesk.models import HelpCall, KioskHealth
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return (connection.scalar(select(func.count()).select_from(HelpCall).where(HelpCall.screen == "bench")),
                    connection.scalar(select(func.count()).select_from(KioskHealth)))
    finally:
        engine.dispose()


def make_stream_centre(url: str, streams: int) -> tuple[list[str], list[str]]:
    """One centre with 4 kiosks and a staff member logged in streams / STREAMS_PER_SESSION times (sessions made
    in the database: a login's argon2 hash is not what is measured). Returns (kiosk tokens, session cookies)."""
    from staffdesk.accounts import add_staff
    from staffdesk.core.db import make_engine, make_sessionmaker
    from staffdesk.core.migrate import upgrade
    from staffdesk.models import Kiosk, StaffSession, utcnow
    from staffdesk.core.security import new_token, token_hash
    upgrade(url)
    engine = make_engine(url)
    tokens, cookies = [new_token() for _ in range(4)], [new_token() for _ in range(streams // STREAMS_PER_SESSION)]
    with make_sessionmaker(engine)() as session:
        staff = add_staff(session, "bench-staff", "a long bench password", "KAC streams")
        centre_id = staff.centre_id
        session.add_all(Kiosk(name=f"stream-kiosk-{n}", token_hash=token_hash(token), centre_id=centre_id)
                        for n, token in enumerate(tokens))
        session.add_all(StaffSession(token_hash=token_hash(cookie), staff_id=staff.id, csrf_token=new_token(),
                                     last_used=utcnow()) for cookie in cookies)
        session.commit()
    engine.dispose()
    return tokens, cookies


async def open_stream(port: int, cookie: str, first: asyncio.Event, pushed: list[int]) -> None:
    """A console's live stream, read and thrown away; counts the states it was sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /console/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sd_session={cookie}\r\n\r\n"
                 .encode())
    try:
        while data := await reader.read(256 * 1024):
            states = data.count(b"event: state")
            if states:
                pushed[0] += states
                first.set()
    finally:
        writer.close()


async def stream_round(port: int, tokens: list[str], cookies: list[str], streams: int, call_count: int) -> dict:
    http = Http(port, 4)
    pushed, readers, firsts = [0], [], []
    for number in range(streams):
        firsts.append(asyncio.Event())
        readers.append(asyncio.create_task(open_stream(port, cookies[number // STREAMS_PER_SESSION], firsts[-1],
                                                       pushed)))
    await asyncio.wait_for(asyncio.gather(*(first.wait() for first in firsts)), TIMEOUT_S)
    pushed[0] = 0
    state = (f"GET /console/state HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sd_session={cookies[0]}\r\n\r\n"
             .encode())
    calls, reads = [], []
    for number in range(call_count):
        key, token = str(uuid.uuid4()), tokens[number % len(tokens)]
        began = time.perf_counter()
        status = await http.post(request("/api/kiosk/calls", token, {"key": key, "screen": "bench"}))
        calls.append((time.perf_counter() - began) * 1000 if status < 300 else float("inf"))
        began = time.perf_counter()
        status = await http.post(state)
        reads.append((time.perf_counter() - began) * 1000 if status < 300 else float("inf"))
        await http.post(request(f"/api/kiosk/calls/{key}/cancel", token, {}))
        await asyncio.sleep(STREAM_CALL_GAP_S)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    http.close()
    return {"call_p50_ms": statistics.median(calls), "call_p99_ms": p99(calls),
            "state_p50_ms": statistics.median(reads), "state_max_ms": max(reads), "pushed": pushed[0]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=Scale.seconds)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--parts", default="load,streams")
    parser.add_argument("--quick", action="store_true", help="each part briefly: does the bench still run?")
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    scale = QUICK if args.quick else Scale(seconds=args.seconds)
    if args.bare_server:
        import uvicorn
        uvicorn.run(bare_app(), host="127.0.0.1", port=args.bare_server, access_log=False, log_level="warning")
        return 0

    import tempfile
    cluster = PgCluster().start()
    bare_port = free_port()
    bare = serve([__file__, "--bare-server", str(bare_port)], bare_port, {})
    path = "/api/kiosk/heartbeat"
    try:
        parts = args.parts.split(",")
        if "load" in parts:
            bare_rps = asyncio.run(closed_loop(bare_port, path, ["x"], scale.bare_s))
            bare_beats, _ = asyncio.run(steady(bare_port, path, ["x"], scale.seconds, burst=False))
            # The machine's load average: this benchmark wants both cores; anything else skews every figure.
            print(f"backend=bare p99_ms={p99(bare_beats):.1f} bare_rps={bare_rps:.0f} "
                  f"load_1min={os.getloadavg()[0]:.1f}", flush=True)
        for backend in args.backends.split(",") if "streams" in parts else ():
            folder = Path(tempfile.mkdtemp(prefix="staffdesk-bench-"))
            url = cluster.new_database("streams") if backend == "postgresql" else f"sqlite:///{folder}/desk.sqlite"
            tokens, cookies = make_stream_centre(url, scale.streams)
            port = free_port()
            desk = serve(["-m", "staffdesk", "serve", "--db", url, "--port", str(port)], port,
                         {"STAFFDESK_DATA_DIR": str(folder), "STAFFDESK_COOKIE_SECURE": "no"})
            try:
                for streams in (0, scale.streams):
                    figures = asyncio.run(stream_round(port, tokens, cookies, streams, scale.stream_calls))
                    print(f"backend={backend} streams={streams} " + " ".join(
                        f"{name}={value:.1f}" if isinstance(value, float) else f"{name}={value}"
                        for name, value in figures.items()) + f" load_1min={os.getloadavg()[0]:.1f}", flush=True)
            finally:
                desk.terminate()
                desk.wait(timeout=10)
        for backend in args.backends.split(",") if "load" in parts else ():
            folder = Path(tempfile.mkdtemp(prefix="staffdesk-bench-"))
            url = cluster.new_database("bench") if backend == "postgresql" else f"sqlite:///{folder}/desk.sqlite"
            tokens = make_kiosks(url, scale.kiosks)
            port = free_port()
            desk = serve(["-m", "staffdesk", "serve", "--db", url, "--port", str(port)], port,
                         {"STAFFDESK_DATA_DIR": str(folder)})
            try:
                # Every kiosk's first heartbeat after the desk starts is written at once (as in the first 30 s of
                # a working day); the steady state after it is what the p99 is about.
                first_rps = asyncio.run(closed_loop(port, path, tokens, None))
                beats, calls = asyncio.run(steady(port, path, tokens, scale.seconds, burst=True))
                time.sleep(scale.settle_s)  # let the desk finish what the burst left queued
                # Desk and bare in turns, so that whatever else the machine runs weighs on both alike.
                rounds = [(asyncio.run(closed_loop(bare_port, path, ["x"], scale.round_s)),
                           asyncio.run(closed_loop(port, path, tokens, scale.round_s))) for _ in range(scale.rounds)]
                bare_now, rps = (statistics.mean(column) for column in zip(*rounds))
            finally:
                desk.terminate()
                desk.wait(timeout=10)
            failed = sum(v == float("inf") for v in beats + calls)
            answered = sum(v != float("inf") for v in calls)
            calls_stored, health_rows = stored(url)
            print(f"backend={backend} heartbeat_rps={rps:.0f} p99_ms={p99(beats):.1f} failed={failed} "
                  f"calls_p99_ms={p99(calls):.1f} bare_rps={bare_now:.0f} ratio_to_bare={rps / bare_now:.2f} "
                  f"first_beat_rps={first_rps:.0f} calls_stored={calls_stored}/{answered} "
                  f"kiosks_stored={health_rows}/{scale.kiosks} load_1min={os.getloadavg()[0]:.1f}", flush=True)
    finally:
        bare.terminate()
        bare.wait(timeout=10)
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Nothing is lost and nothing doubled when the desk, and then the kiosk, are killed with -9 during a burst."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, ROOT, centre, make_centre, new_database, pg_cluster)
from staffdesk.core.db import make_engine
from staffdesk.models import HelpCall

BURST = 150
# Run as a module from the repository's root, so that the project it imports is this checkout's.
CLIENT = "tests.support.burst_client"


def arrived(url: str) -> dict[str, int]:
    """step -> how many rows the desk holds for it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(HelpCall.step, func.count()).where(HelpCall.screen == "burst")
                                      .group_by(HelpCall.step)).all()
    finally:
        engine.dispose()
    return dict(rows)


def kiosk_process(ini: Path, count: int, log: Path) -> subprocess.Popen:
    """The burst client; what its outbox logs (a refusal, a retry) goes to `log`, for a failure to show."""
    with open(log, "w", encoding="utf-8") as stderr:
        return subprocess.Popen([sys.executable, "-m", CLIENT, str(ini), str(count)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=stderr, text=True)


def test_every_call_arrives_exactly_once_after_kill_9_of_desk_and_kiosk(tmp_path, pg_cluster):
    server = DeskServer(new_database("postgresql", pg_cluster, tmp_path), tmp_path / "desk").start()
    try:
        centre = make_centre(server)
        text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
        text = text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
        ini = tmp_path / "kiosk.ini"
        ini.write_text(text.replace("url =\ntoken =", f"url = {server.url}\ntoken = {centre.tokens[0]}"),
                       encoding="utf-8")

        kiosk = kiosk_process(ini, BURST, tmp_path / "burst.log")
        assert kiosk.stdout.readline().strip() == "queued"
        deadline = time.monotonic() + 30
        while sum(arrived(server.db_url).values()) < BURST // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill9()
        partial = sum(arrived(server.db_url).values())
        assert BURST // 3 <= partial < BURST, "the desk should die in the middle of the burst"

        # The kiosk now retries against a dead desk; kill it too, with calls still in its outbox.
        time.sleep(0.5)
        kiosk.kill()
        kiosk.wait(timeout=10)

        server.start()
        drained = kiosk_process(ini, 0, tmp_path / "drain.log")  # restarted: it delivers what the outbox kept
        assert drained.stdout.readline().strip() == "queued"
        assert drained.stdout.readline().strip() == "delivered"
        assert drained.wait(timeout=30) == 0
        counts = arrived(server.db_url)
        logs = "\n".join(f"{name}:\n{(tmp_path / name).read_text(encoding='utf-8')[-3000:]}"
                         for name in ("burst.log", "drain.log"))
        assert counts == {str(number): 1 for number in range(BURST)}, logs
    finally:
        server.stop()

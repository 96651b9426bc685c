"""500 simulated residents in one process: memory growth and the time a session end takes.

Each session: start in a language, open every main task, switch language twice, end with the farewell,
return to the greeting, with frames drawn in between. Prints rss_growth_mb (after 500 sessions against
after the first 50), wipe_ms (median time of ending a session: every wiper, the folder, the checks) and
observers (live language bindings, which must not grow).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/statistics.py would hide the standard library's module of that name: the repository comes first instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import dataclasses
import gc
import statistics
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 500
WARM_UP = 50


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from tools.driver import AppDriver, prepare_environment
    prepare_environment()
    from kiosk.config import load_settings
    from kiosk.idle import Timings
    from screens import FEATURES
    from tools.virtual_card import sample_identity

    settings = load_settings(ROOT / "kiosk.ini")
    runtime = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    settings = dataclasses.replace(settings, session=dataclasses.replace(settings.session, runtime_dir=runtime))
    driver = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600))
    app = driver.app
    languages = settings.ui.languages
    end_ms, baseline = [], None
    from screens.i18n import tr
    observers_at_warm_up = 0
    for number in range(SESSIONS):
        app.start_session(languages[number % len(languages)])
        session = driver.core.visit
        (session.directory / "scan.pdf").write_bytes(b"%PDF" + bytes(64 * 1024))
        session.card.identity = sample_identity()
        for feature in FEATURES:
            app.show(feature.screen)
            driver.frames(1)
        app.set_language(languages[(number + 1) % len(languages)])
        app.show("home")
        app.open_dialog("confirm_end")
        driver.frames(1)
        app.set_language(languages[(number + 2) % len(languages)])
        began = time.perf_counter()
        app.end_session("soak")
        end_ms.append((time.perf_counter() - began) * 1000)
        driver.frames(1)
        app.finish_goodbye()
        driver.frames(1)
        if number + 1 == WARM_UP:
            gc.collect()
            baseline = rss_mb()
            observers_at_warm_up = tr.observer_count
    gc.collect()
    growth = rss_mb() - baseline
    leftovers = list(runtime.iterdir())
    driver.close()
    print(f"sessions={SESSIONS}")
    print(f"rss_growth_mb={growth:.1f}")
    print(f"wipe_ms={statistics.median(end_ms):.2f}")
    print(f"observers={observers_at_warm_up}->{tr.observer_count}")
    print(f"folders_left={len(leftovers)}")


if __name__ == "__main__":
    main()

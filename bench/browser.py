"""The resident's browser: "Do it yourself" tapped to the page's first paint, against bare Chromium; the wipe; memory.

Run under an X display (make bench does: Xvfb). Prints browser_ratio (kiosk to first paint / bare `chromium --app`
to first paint, medians; the kiosk's browser started while the resident read the service's page), browser_wipe_ms (the visit's end with the browser open, median), and rss_growth_mb
(the kiosk process after 20 browser visits minus after 2). --quick: one bare start, 2 visits (the growth from the
first), a shorter read: for the tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
RUNS, QUICK_RUNS = 5, 1
VISITS, QUICK_VISITS = 20, 2
# The visit after which memory's growth is counted: the first ones make what is made once.
FIRST_COUNTED, QUICK_FIRST_COUNTED = 2, 1
# The resident reading about the service before "Do it yourself"; long enough for the browser's warm-up.
READING_S, QUICK_READING_S = 3.0, 1.0


def colour_at(x: int, y: int) -> tuple[int, int, int]:
    from PIL import ImageGrab
    return ImageGrab.grab(bbox=(x, y, x + 1, y + 1), xdisplay=os.environ["DISPLAY"]).getpixel((0, 0))[:3]


def until_colour(where, colour, timeout_s: float = 30.0, step=None) -> float:
    """When the pixel `where()` gives (x, y) turns `colour`: asked anew each look, as a screen just shown is laid
    out on its next frame."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if colour_at(*where()) == colour:
            return time.perf_counter()
        if step is not None:
            step()
        time.sleep(0.01)  # each look is an X connection of its own: the server allows only so many at once
    from PIL import ImageGrab
    ImageGrab.grab(xdisplay=os.environ["DISPLAY"]).save("/tmp/bench-browser-failed.png")
    raise SystemExit(f"the page never painted at {where()}: the colour there is {colour_at(*where())}")


def corner(bounds) -> tuple[int, int]:
    """Near the page's bottom right: the last of it to paint."""
    return bounds.left + bounds.width - 80, bounds.top + bounds.height - 40


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bare_chromium_ms(url: str, colour, runs: int) -> float:
    """`chromium --app=URL` started to its first paint, where the kiosk puts the page."""
    from kiosk.browser.service import QUIET_ARGS
    times = []
    for _ in range(runs):
        profile = tempfile.mkdtemp(prefix="bench-bare-chromium-")
        sandbox = ["--no-sandbox", "--test-type"] if os.geteuid() == 0 else []
        began = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/chromium", f"--user-data-dir={profile}", f"--app={url}",
                                    "--window-position=0,100", "--window-size=1280,700", *QUIET_ARGS, *sandbox],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            times.append((until_colour(lambda: (1200, 760), colour) - began) * 1000)
        finally:
            process.kill()
            process.wait()
            shutil.rmtree(profile, ignore_errors=True)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer starts and visits: does the bench still run?")
    quick = parser.parse_args().quick
    runs, visits, first_counted, reading_s = ((QUICK_RUNS, QUICK_VISITS, QUICK_FIRST_COUNTED, QUICK_READING_S)
                                              if quick else (RUNS, VISITS, FIRST_COUNTED, READING_S))
    sys.path.insert(0, str(ROOT))
    from tools.driver import AppDriver, prepare_environment
    prepare_environment()
    from tests.support.eservice_site import PAGE_COLOUR, EServiceSite
    from kiosk.config import load_settings
    from kiosk.idle import Timings

    site = EServiceSite()
    bare = bare_chromium_ms(site.url, PAGE_COLOUR, runs)  # first, on a screen nothing else has drawn on yet
    settings = load_settings(ROOT / "kiosk.ini")
    runtime = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    settings = dataclasses.replace(
        settings, visit=dataclasses.replace(settings.visit, runtime_dir=runtime),
        kiosk=dataclasses.replace(settings.kiosk, state_dir=runtime / "state"),
        staffdesk=dataclasses.replace(settings.staffdesk, url=""),
        eid=dataclasses.replace(settings.eid, reader="no reader: the benchmark has no card"),
        browser=dataclasses.replace(settings.browser, allowed_hosts=("127.0.0.1",), require_policies=False))
    driver = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600))
    app = driver.app
    screen = app.screen("eservice")
    opened, wipes, rss_after = [], [], {}
    try:
        for visit in range(1, visits + 1):
            app.start_visit("en")
            driver.frames(2)
            # The service's page starts the browser out of sight; the resident reads it, then taps.
            app.core.eservice.warm_up("en", screen.bounds())
            driver.wait(reading_s)
            screen.start(site.url)
            began = time.perf_counter()
            app.show("eservice")  # as "Do it yourself on this computer" does
            painted = until_colour(lambda: corner(screen.bounds()), PAGE_COLOUR, step=lambda: driver.frames(1))
            opened.append((painted - began) * 1000)
            report = app.end_visit("benchmark", farewell=False)
            wipes.append(report.duration_ms)
            app.show("greeting")
            driver.frames(2)
            if visit in (first_counted, visits):
                rss_after[visit] = rss_mb()
    finally:
        driver.close()
    site.close()
    kiosk = statistics.median(opened[:runs])
    print(f"kiosk_first_paint_ms={kiosk:.0f}")
    print(f"bare_chromium_first_paint_ms={bare:.0f}")
    print(f"browser_ratio={kiosk / bare:.2f}")
    print(f"browser_wipe_ms={statistics.median(wipes):.0f} (p95 {sorted(wipes)[int(0.95 * (len(wipes) - 1))]:.0f})")
    print(f"rss_growth_mb={rss_after[visits] - rss_after[first_counted]:.1f}")


if __name__ == "__main__":
    main()

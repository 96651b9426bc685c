"""Whole visits, one after another in one app, as a busy centre's kiosk sees them for months.

Each visit (tools/visit_script.py): a new virtual eID card and PIN1, a search typed on the on-screen keyboard, two
pages from SANE's test backend printed as a copy in the print lab, the authorisation form printed, staff called,
"Finish and delete my data", the card taken out. Needs root (the print lab's cupsd) and pcscd with vsmartcard-vpcd
(`make bench` starts it).

Prints rss_growth_mb (after the last visit minus after visit 10; goal <= 5), bindings_growth (Kivy BoundCallback
objects; goal 0, with the callbacks that grew), fd_growth and thread_growth (goal 0), visit_s and wipe_ms (median and
95th percentile).

    python bench/soak.py [--visits 200] [--quick]

--quick: one visit, the growth measured from before it: for the tests, which check that the bench still runs to its
figures (they say nothing of a leak then: the first visit makes what is made once).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE_VISIT = 10
QUICK_VISITS, QUICK_BASELINE_VISIT = 1, 0
READER = "Virtual PCD 00 00"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="one visit: does the bench still run?")
    args = parser.parse_args()
    if args.quick:
        visits, baseline_visit = QUICK_VISITS, QUICK_BASELINE_VISIT
    else:
        visits, baseline_visit = max(args.visits, BASELINE_VISIT + 1), BASELINE_VISIT

    from tools.driver import AppDriver, prepare_environment
    prepare_environment()
    from kiosk.config import load_settings
    from kiosk.idle import Timings
    from tools.footprint import Footprint, bindings_by_callback
    from tools.print_lab import A4_QUEUE, RECEIPT_QUEUE, PrintLab
    from tools.virtual_card import make_ca, save_ca_key
    from tools.visit_script import made_up_resident, typed_word, whole_visit

    work = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    # Not inside `work`: CUPS filters run as the user lp, who cannot enter a private folder.
    lab_root = Path(tempfile.mkdtemp(prefix="kac-print-lab-"))
    lab = PrintLab(lab_root).start()
    try:
        ca_dir = work / "ca"
        ca_dir.mkdir()
        ca = make_ca(ca_dir)
        save_ca_key(ca, ca_dir)
        settings = load_settings(ROOT / "kiosk.ini")
        settings = dataclasses.replace(
            settings,
            visit=dataclasses.replace(settings.visit, runtime_dir=work / "runtime"),
            kiosk=dataclasses.replace(settings.kiosk, state_dir=work / "state"),
            eid=dataclasses.replace(settings.eid, trusted_ca=(ca_dir / "ca.pem",)),
            staffdesk=dataclasses.replace(settings.staffdesk, url=""),
            browser=dataclasses.replace(settings.browser, warm_up=False, require_policies=False),
            printing=dataclasses.replace(settings.printing, cups_server=lab.socket, a4_queue=A4_QUEUE,
                                         receipt_printer=("cups", RECEIPT_QUEUE), page_quota=1000))
        driver = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600))
        app = driver.app
        visit_s, wipe_ms = [], []
        baseline = callbacks = None
        for number in range(1, visits + 1):
            if number - 1 == baseline_visit:  # after that visit, before the next: also before the first (quick)
                baseline, callbacks = Footprint.now(), bindings_by_callback()
            began = time.perf_counter()
            whole_visit(driver, ca_dir, READER, made_up_resident(), typed_word())
            visit_s.append(time.perf_counter() - began)
            wipe_ms.append(driver.core.visits.last_report.duration_ms)
            app.finish_goodbye()
            driver.frames(3)
            if number % 25 == 0:
                print(f"visit {number}: {Footprint.now()}", file=sys.stderr)
        last = Footprint.now()
        grown = {name: count - callbacks[name] for name, count in bindings_by_callback().items()
                 if count > callbacks[name]}
        driver.close()
    finally:
        lab.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(lab_root, ignore_errors=True)
    print(f"visits={visits}")
    print(f"rss_growth_mb={last.rss_mb - baseline.rss_mb:.1f}")
    print(f"bindings_growth={last.bindings - baseline.bindings}")
    if grown:
        print("bindings_grown=" + ", ".join(f"{name} +{count}" for name, count in sorted(grown.items())))
    print(f"fd_growth={last.fds - baseline.fds}")
    print(f"thread_growth={last.threads - baseline.threads}")
    print(f"visit_s_median={statistics.median(visit_s):.2f}")
    print(f"visit_s_p95={p95(visit_s):.2f}")
    print(f"wipe_ms_median={statistics.median(wipe_ms):.1f}")
    print(f"wipe_ms_p95={p95(wipe_ms):.1f}")


if __name__ == "__main__":
    main()

"""Cold start to the first drawn frame: the kiosk's greeting against a bare Kivy app with one label.

Run under a display (make bench does it with Xvfb). Prints kiosk_startup_ms, bare_startup_ms and
startup_ratio = kiosk / bare, each the median of 5 cold starts in fresh processes, taken in turns (--quick: 1, for
the tests, which check that the bench still runs to its figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import dataclasses
import os
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
RUNS, QUICK_RUNS = 5, 1
READY = "FIRST-FRAME"


def child(kind: str) -> None:
    sys.path.insert(0, str(ROOT))
    from tools.driver import away_from_test_cards, prepare_environment
    prepare_environment()
    from kivy.config import Config
    if kind == "kiosk":
        from kiosk.config import load_settings
        from screens.launch import configure_kivy
        settings = load_settings(ROOT / "kiosk.ini")
        runtime = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        settings = dataclasses.replace(settings, visit=dataclasses.replace(settings.visit,
                                                                            runtime_dir=runtime))
        settings = away_from_test_cards(settings)
        configure_kivy(settings, windowed=True)
        from kiosk.core import KioskCore
        from screens.app import KioskApp
        app = KioskApp(KioskCore(settings))
    else:
        Config.set("graphics", "width", "1280")
        Config.set("graphics", "height", "800")
        from kivy.app import App
        from kivy.uix.label import Label

        class BareApp(App):
            def build(self):
                return Label(text="Laipni lūdzam!")
        app = BareApp()
    from kivy.core.window import Window

    def first_flip(*_args):
        Window.unbind(on_flip=first_flip)
        print(READY, flush=True)
        app.stop()
    Window.bind(on_flip=first_flip)
    app.run()


def cold_start_ms(kind: str) -> float:
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=os.environ.copy())
    for line in process.stdout:
        if line.strip() == READY:
            elapsed = (time.perf_counter() - began) * 1000
            break
    else:
        raise SystemExit(f"the {kind} app never drew a frame (exit status {process.wait()})")
    process.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one cold start each: does the bench still run?")
    parser.add_argument("--child", choices=("kiosk", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    kiosk, bare = [], []
    cold_start_ms("bare")  # warms the disk cache for both, as a kiosk that has booted once has
    for _ in range(QUICK_RUNS if args.quick else RUNS):
        bare.append(cold_start_ms("bare"))
        kiosk.append(cold_start_ms("kiosk"))
    kiosk_ms, bare_ms = statistics.median(kiosk), statistics.median(bare)
    print(f"kiosk_startup_ms={kiosk_ms:.0f}")
    print(f"bare_startup_ms={bare_ms:.0f}")
    print(f"startup_ratio={kiosk_ms / bare_ms:.2f}")


if __name__ == "__main__":
    main()

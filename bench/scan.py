"""Scanning speed: 5 A4 pages at 300 dpi through our service against `scanimage`, same device, options and pages.

Both run the SANE test backend from a private config (kiosk.scanning.testbackend) in the same run, each
writing one PNG per page; the median of RUNS. Prints scan_ratio (ours / scanimage; the goal is <= 1.2),
pdf_ms_per_page (img2pdf, A4) and pdf_kb_per_page. Command: .venv/bin/python bench/scan.py [--quick]
--quick: 2 pages, one run: for the tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import queue
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.scanning.testbackend import make_config_dir, use_config_dir  # noqa: E402

PAGES, QUICK_PAGES = 5, 2
DPI = 300
RUNS, QUICK_RUNS = 11, 1
PICTURE = "Color pattern"  # more to compress than a grid, closer to a printed page


def scanimage_once(out: Path, pages: int) -> float:
    out.mkdir()
    command = ["scanimage", "-d", "test:0", "--source", "Automatic Document Feeder", "--mode", "Gray",
               "--resolution", str(DPI), "-l", "0", "-t", "0", "-x", "210", "-y", "297",
               "--test-picture", PICTURE, "--format=png", f"--batch={out}/p%03d.png", f"--batch-count={pages}"]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    elapsed = time.perf_counter() - began
    assert len(list(out.iterdir())) == pages, "scanimage did not write every page"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and runs: does the bench still run?")
    pages, runs = (QUICK_PAGES, QUICK_RUNS) if parser.parse_args().quick else (PAGES, RUNS)
    work = Path(tempfile.mkdtemp(prefix="kac-scan-bench-"))
    try:
        use_config_dir(make_config_dir(work / "sane"))
        from kiosk.scanning.modes import ScanMode, ScanRequest, Source
        from kiosk.scanning.pdf import write_pdf
        from kiosk.events import ScanFailed, ScanFinished
        from kiosk.scanning.service import ScanService
        from kiosk.visits import Visits

        from kiosk.scanning.device import shutdown_sane

        events: queue.Queue = queue.Queue()
        visits = Visits(work / "runtime")
        visits.prepare()
        request = ScanRequest(ScanMode.TEXT, Source.FEEDER, DPI, pages)

        def ours_once() -> float:
            # Like scanimage, each run starts SANE and opens the device: the test backend's feeder refills
            # only then (it holds ten sheets per process).
            nonlocal service
            if service is not None:
                service.stop()
            shutdown_sane()
            service = ScanService(lambda event, visit=None: events.put(event), "test:0", {"test_picture": PICTURE})
            service.start()
            service.attach(visits.start())
            began = time.perf_counter()
            service.scan(request)
            while True:
                event = events.get(timeout=120)
                if isinstance(event, ScanFailed):
                    raise SystemExit(f"our scan failed: {event.problem.name}")
                if isinstance(event, ScanFinished):
                    elapsed = time.perf_counter() - began
                    assert event.added == pages
                    return elapsed

        service = None
        ours_once(), scanimage_once(work / "warm", pages)  # both open the device and load libraries once first
        visits.end("bench")
        ours, theirs, pdf_ms, pdf_kb = [], [], [], []
        for run in range(runs):
            theirs.append(scanimage_once(work / f"scanimage-{run}", pages))
            ours.append(ours_once())
            out = visits.current.directory / "bench.pdf"
            began = time.perf_counter()
            write_pdf(service.pages, out)
            pdf_ms.append((time.perf_counter() - began) * 1000 / pages)
            pdf_kb.append(out.stat().st_size / 1024 / pages)
            visits.end("bench")
        service.stop()
        print(f"scan_ours_s={statistics.median(ours):.3f}")
        print(f"scan_scanimage_s={statistics.median(theirs):.3f}")
        print(f"scan_ratio={statistics.median(ours) / statistics.median(theirs):.2f}")
        print(f"pdf_ms_per_page={statistics.median(pdf_ms):.1f}")
        print(f"pdf_kb_per_page={statistics.median(pdf_kb):.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

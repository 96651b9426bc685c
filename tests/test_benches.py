"""Every bench in bench/ still runs to its figures: each in its quick mode, in a process of its own.

A bench that rots (a screen's bounds read before layout, a page waited for forever) shows here, not on the day
someone needs its figures. A bench added to bench/ fails here until it has a --quick mode and an entry in BENCHES.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# A quick run takes seconds on a quiet machine; minutes are allowed for one shared with the rest of the suite.
TIMEOUT_S = 420


@dataclass(frozen=True)
class Bench:
    """What a bench's quick run must print, and whether it puts cards in (then pcscd must run, and the test is
    marked `cards`: make test runs those apart, with the first vpcd reader to themselves)."""
    figures: tuple[str, ...]  # "name", or "context... name": a line with those words and name=<number>
    cards: bool = False


PER_DESK_BACKEND = ("load_s", "year_total", "national_year_p50_ms", "national_year_p99_ms", "centre_month_p50_ms",
                    "centre_month_p99_ms", "ingest_events_per_s", "ingest_p99_ms")
BENCHES = {
    "browser": Bench(("kiosk_first_paint_ms", "bare_chromium_first_paint_ms", "browser_ratio", "browser_wipe_ms",
                      "rss_growth_mb")),
    "desk_statistics": Bench(("events", *(f"backend={backend} {name}" for backend in ("postgresql", "sqlite")
                                          for name in PER_DESK_BACKEND), "load_1min")),
    "eid": Bench(("eid_read_ms", "eid_apdus"), cards=True),
    "fleet": Bench(tuple(f"backend={backend} {name}" for backend in ("postgresql", "sqlite")
                         for name in ("poll_p99_ms", "unchanged_poll_bytes", "time_to_95_s", "failed"))),
    "printing": Bench(("print_ms", "lp_ms", "print_ratio", "ticket_ms", "ticket_uk_ms", "receipt_ms",
                       "authorisation_ms")),
    "scan": Bench(("scan_ours_s", "scan_scanimage_s", "scan_ratio", "pdf_ms_per_page", "pdf_kb_per_page")),
    "search": Bench(("lemmatiser_load_ms", "index_build_ms", "search_p50_ms", "search_p99_ms", "ui_update_ms")),
    "search_quality": Bench(("queries", "top1", "top3", *(f"{language}: {name}" for language in ("lv", "uk", "en")
                                                          for name in ("top1", "top3")))),
    "soak": Bench(("visits", "rss_growth_mb", "bindings_growth", "fd_growth", "thread_growth", "visit_s_median",
                   "visit_s_p95", "wipe_ms_median", "wipe_ms_p95"), cards=True),
    "speech": Bench(("texts", "cold_first_sample_p50_ms", "cold_first_sample_p95_ms", "warm_first_sample_p50_ms",
                     "warm_first_sample_p95_ms", "synthesis_rtf", "synthesis_rtf_p95")),
    "staffdesk": Bench(("backend=bare p99_ms", "backend=bare bare_rps",
                        *(f"backend={backend} {name}" for backend in ("sqlite", "postgresql")
                          for name in ("heartbeat_rps", "p99_ms", "calls_p99_ms", "ratio_to_bare", "first_beat_rps")),
                        *(f"backend={backend} streams={streams} {name}" for backend in ("sqlite", "postgresql")
                          for streams in (0, 8) for name in ("call_p50_ms", "call_p99_ms", "state_max_ms")))),
    "startup": Bench(("kiosk_startup_ms", "bare_startup_ms", "startup_ratio")),
}


def benches() -> list:
    names = sorted(path.stem for path in BENCH.glob("*.py"))
    return [pytest.param(name, marks=pytest.mark.cards) if name in BENCHES and BENCHES[name].cards else name
            for name in names]


def number(text: str) -> float | None:
    """A figure's value ("12.5", "87.4%"), or None if it is not a finite number."""
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def missing_figures(output: str, figures: tuple[str, ...]) -> list[str]:
    """The figures no line of `output` gives as a number (each with its context words on the same line)."""
    lines = [line.split() for line in output.splitlines()]
    missing = []
    for figure in figures:
        *context, name = figure.split()
        if not any(all(word in words for word in context)
                   and any(word.startswith(f"{name}=") and number(word.split("=", 1)[1]) is not None for word in words)
                   for words in lines):
            missing.append(figure)
    return missing


def run_quick(name: str) -> subprocess.CompletedProcess:
    # Kivy's 2x multisampling makes every frame on Xvfb's processor OpenGL cost 2.5 times as much (tests/conftest.py
    # turns it off too); the quick figures are not the bench's figures anyway.
    env = dict(os.environ, KCFG_GRAPHICS_MULTISAMPLES="0")
    # A session of its own: on a timeout the whole group goes (its Chromium, cupsd, PostgreSQL, desk servers).
    process = subprocess.Popen([sys.executable, str(BENCH / f"{name}.py"), "--quick"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"bench/{name}.py --quick still ran after {TIMEOUT_S} s\n--- stdout\n{stdout}\n"
                    f"--- stderr (end)\n{stderr[-4000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("name", benches())
def test_the_bench_runs_quick_to_its_figures(name, request):
    bench = BENCHES.get(name)
    assert bench is not None, (f"bench/{name}.py is not in BENCHES: give it a --quick mode (fewer repetitions, the "
                               "same code) and say here which figures it prints")
    if bench.cards:
        request.getfixturevalue("pcscd")  # running, with the vpcd readers, before the bench puts its card in
    result = run_quick(name)
    report = f"--- stdout\n{result.stdout}\n--- stderr (end)\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"bench/{name}.py --quick exited with {result.returncode}\n{report}"
    assert missing_figures(result.stdout, bench.figures) == [], report


def test_make_bench_runs_every_bench():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^bench:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no bench target"
    run = set(re.findall(r"bench/(\w+)\.py", recipe.group(1)))
    assert run == {path.stem for path in BENCH.glob("*.py")}


def test_no_bench_is_named_like_a_module_it_might_shadow():
    # Started as a script, a bench's folder comes first on sys.path: a bench named like the standard library's
    # statistics would be what `import statistics` finds.
    assert {path.stem for path in BENCH.glob("*.py")} & set(sys.stdlib_module_names) == set()


def test_missing_figures_are_told_apart_from_present_ones():
    output = "backend=sqlite p99_ms=12.5 failed=0\ntop1=87.4%\nratio=nan\nvoice=espeak-ng lv\n"
    assert missing_figures(output, ("backend=sqlite p99_ms", "failed", "top1")) == []
    assert missing_figures(output, ("backend=postgresql p99_ms", "ratio", "voice", "absent")) == [
        "backend=postgresql p99_ms", "ratio", "voice", "absent"]

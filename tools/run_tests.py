"""`make test`: the whole suite as several pytest processes at once, each with its own X display and temporary folder.

Much of the suite waits rather than computes (on pcscd's 0.4 s polls of the card reader, on CUPS, Chromium,
PostgreSQL, the downloads of the install tests), so on a 2-core machine processes side by side finish in far less
time than one after another. The lanes, side by side, each running its steps one after another:

  cards      the whole-visit tests (privacy, soak), which measure what a visit leaves in the process (so a fresh
             process of their own), with the soak bench's quick run, then the other tests that put cards in or need
             pcscd (marked `cards` by tests/conftest.py)
  kiosk      the kiosk's other tests, on two pytest-xdist workers
  staffdesk  the staff desk's, on two workers
  deploy     tests/deploy, when it is there: the Debian packages built and installed in fresh roots

What they share is kept apart:

- pcscd and its vpcd readers: only the card lane puts cards in, into the first reader; every other process's
  kiosks watch the second reader (KAC_TEST_READER; tests/conftest.py and tools/driver.py), where no card goes.
  The one test that kills pcscd runs first, alone, before anything else uses pcscd (see ALONE_FIRST).
- the X display: each process has its own Xvfb (xvfb-run -a from a server number of its own; each xdist worker
  starts one), so windows, focus and the pointer that xdotool moves are its own.
- the temporary folder: each process has its own TMPDIR, so what one's Chromium or tools leave there (and the
  tests that look for leftovers) never meets another's.
- cupsd, PostgreSQL, the staff desk, SANE's test backend and the sound sinks are already a process's or a test's.

Each step's output is printed whole when it ends, and kept in --logs; a table of the steps and one closing line
follow. The exit status is 0 only when every step passed.

    python3 tools/run_tests.py [--venv .venv] [--logs build/test-logs] [--xvfb-args "..."] [--skip LANE]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The soak bench's quick run is a whole visit too (in a process of its own): with them, before the pulled cards.
WHOLE_VISIT = ["tests/test_privacy.py", "tests/test_soak.py",
               "tests/test_benches.py::test_the_bench_runs_quick_to_its_figures[soak]"]
# Run first, alone: it kills pcscd and starts it again, and every other process's kiosks would see their reader go.
ALONE_FIRST = ["tests/test_eid.py::test_the_monitor_finds_the_reader_after_pcscd_restarts"]
OTHER_READER = "Virtual PCD 00 01"  # vpcd's second reader: the card tests use the first
COMMON = ["-q", "-p", "no:cacheprovider", "--durations=15"]
XDIST = ["-n", "2", "--dist", "loadfile"]


@dataclass
class Step:
    name: str
    args: list[str]
    xvfb: bool = True
    other_reader: bool = True  # watch the second reader: for every process but the card tests'
    may_select_nothing: bool = False  # a marker split of a folder may leave nothing (pytest's exit status 5)
    returncode: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    summary: str = ""
    log: Path | None = None


@dataclass
class Lane:
    """Steps run one after another; lanes run side by side."""
    name: str
    steps: list[Step]
    own_tmpdir: bool = True
    thread: threading.Thread | None = field(default=None, repr=False)


def plan() -> tuple[Step, list[Lane]]:
    ignore = ["--ignore=tests/deploy"] + [f"--ignore={path}" for path in WHOLE_VISIT if "::" not in path]
    first = Step("alone-first", ALONE_FIRST, xvfb=False, other_reader=False)
    deselect = [option for test in ALONE_FIRST + [test for test in WHOLE_VISIT if "::" in test]
                for option in ("--deselect", test)]
    lanes = [
        # The whole-visit tests first: after the fault tests have pulled cards in the middle of a command, pcscd
        # now and then misses the next card going in, and a kiosk's visit would wait for a card it never sees.
        Lane("cards", [
            Step("whole-visit", WHOLE_VISIT, other_reader=False),
            Step("cards", ["-m", "cards", *ignore, *deselect, "tests"], other_reader=False),
        ]),
        # The two longest, each on two pytest-xdist workers that take a test file at a time (its module fixtures
        # stay whole); tests/conftest.py gives each worker its own Xvfb and TMPDIR.
        Lane("kiosk", [Step("kiosk", ["-m", "not cards", *XDIST, *ignore, "--ignore=tests/staffdesk", "tests"])]),
        Lane("staffdesk", [Step("staffdesk", ["-m", "not cards", *XDIST, "tests/staffdesk"],
                                may_select_nothing=True)]),
    ]
    if (ROOT / "tests" / "deploy").is_dir():
        # Builds the packages and installs them in fresh roots: mostly downloads and disk, beside the rest. Its
        # own roots have their own pcscd, network and /tmp; TMPDIR stays the machine's for mmdebstrap.
        lanes.append(Lane("deploy", [Step("deploy", ["tests/deploy"])], own_tmpdir=False))
    return first, lanes


class Runner:
    def __init__(self, venv: Path, xvfb_args: str, logs: Path):
        self.pytest = venv / "bin" / "pytest"
        self.xvfb_args = xvfb_args
        self.logs = logs
        self.print_lock = threading.Lock()
        self.next_display = 99
        self.display_lock = threading.Lock()

    def command(self, step: Step) -> list[str]:
        command = [str(self.pytest), *COMMON, *step.args]
        if not step.xvfb:
            return command
        with self.display_lock:  # xvfb-run -a takes the first free number from here: a range of its own each
            display, self.next_display = self.next_display, self.next_display + 10
        return ["xvfb-run", "-a", "-n", str(display), "-s", self.xvfb_args, *command]

    def run(self, step: Step, lane: str, tmpdir: Path | None) -> None:
        env = dict(os.environ, KAC_TEST_XVFB_ARGS=self.xvfb_args)
        env.pop("KAC_TEST_READER", None)
        if step.other_reader:
            env["KAC_TEST_READER"] = OTHER_READER
        if tmpdir is not None:
            env["TMPDIR"] = str(tmpdir)
        step.log = self.logs / f"{step.name}.log"
        # Every test's time, for finding what to speed up next (--durations prints only the slowest).
        command = self.command(step) + [f"--junitxml={self.logs / step.name}.xml"]
        self.say(f"[{lane}] {step.name}: started")
        started = time.monotonic()
        with open(step.log, "wb") as log:
            log.write(f"$ {shlex.join(command)}\n".encode())
            log.flush()
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
            # wait4: the processor time of the step and every child it waited for (not of daemons such as pcscd).
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = step.returncode = os.waitstatus_to_exitcode(status)
        step.seconds = time.monotonic() - started
        step.cpu_seconds = usage.ru_utime + usage.ru_stime
        if step.returncode == 5 and step.may_select_nothing:
            step.returncode = 0
        text = step.log.read_text(errors="replace")
        step.summary = last_summary(text)
        with self.print_lock:
            bar = "=" * 30
            print(f"\n{bar} {step.name}: exit {step.returncode} in {step.seconds:.0f} s "
                  f"({step.cpu_seconds:.0f} s of processor time) {bar}", flush=True)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            print(f"{bar} end of {step.name} {bar}\n", flush=True)

    def run_lane(self, lane: Lane) -> None:
        tmpdir = None
        if lane.own_tmpdir:
            # Under /tmp and open to all as /tmp is: CUPS filters (user lp) and PostgreSQL (user postgres) must
            # enter the folders the print lab and the database make in it.
            tmpdir = Path(tempfile.mkdtemp(prefix=f"kac-test-{lane.name}-", dir="/tmp"))
            tmpdir.chmod(0o1777)
        try:
            for step in lane.steps:
                self.run(step, lane.name, tmpdir)
        finally:
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)

    def say(self, line: str) -> None:
        with self.print_lock:
            print(line, flush=True)


SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s")


def last_summary(text: str) -> str:
    """pytest's closing line ("3 failed, 120 passed, 2 skipped in 95.2s"), counts only."""
    for line in reversed(text.splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return match.group(1).rstrip(", ")
    return ""


def counts(summary: str) -> dict[str, int]:
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--xvfb-args", default="-screen 0 1280x800x24 +extension GLX")
    parser.add_argument("--logs", type=Path, default=ROOT / "build" / "test-logs")
    parser.add_argument("--skip", action="append", default=[], metavar="LANE",
                        help="leave out a lane (cards, kiosk, staffdesk, deploy); make test leaves out none")
    args = parser.parse_args()
    # Started in the background by a shell, this process ignores SIGINT, and so would every test's child: the
    # whole-visit tests take their card out with SIGINT. A handler of our own is reset to the default at exec.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args.logs.mkdir(parents=True, exist_ok=True)
    runner = Runner(args.venv.resolve(), args.xvfb_args, args.logs)
    first, lanes = plan()
    lanes = [lane for lane in lanes if lane.name not in args.skip]
    started = time.monotonic()

    runner.run(first, first.name, None)
    for lane in lanes:
        lane.thread = threading.Thread(target=runner.run_lane, args=(lane,), name=lane.name)
        lane.thread.start()
    for lane in lanes:
        lane.thread.join()

    steps = [first] + [step for lane in lanes for step in lane.steps]
    total: dict[str, int] = {}
    print(f"\n{'step':<14}{'exit':>6}{'seconds':>9}{'cpu s':>8}  pytest")
    for step in steps:
        print(f"{step.name:<14}{step.returncode!s:>6}{step.seconds:>9.0f}{step.cpu_seconds:>8.0f}  "
              f"{step.summary or '(no summary: see its log)'}")
        for word, number in counts(step.summary).items():
            total[word] = total.get(word, 0) + number
    failed = [step.name for step in steps if step.returncode != 0]
    print(f"wall clock {time.monotonic() - started:.0f} s; logs in {args.logs}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    # One closing line for the whole run, as a runner's own.
    extra = "".join(f", {total[word]} {word}" for word in ("skipped", "xfailed", "xpassed") if total.get(word))
    print(f"all: {total.get('passed', 0)} passed, {total.get('failed', 0) + total.get('errors', 0) + total.get('error', 0)}"
          f" failed{extra}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

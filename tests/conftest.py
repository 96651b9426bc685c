"""Test set-up: a private Kivy home and a kiosk.ini per test, and the real app driven frame by frame."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _own_display_and_temporary_folder() -> None:
    """In a pytest-xdist worker (make test runs the kiosk's tests on two): an Xvfb and a TMPDIR of its own, as each
    of make test's processes has, so that windows, focus, the pointer xdotool moves, and what Chromium and the
    tools leave in the temporary folder are never another worker's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not os.environ.get("DISPLAY"):
        return
    import atexit
    import ctypes
    import shlex
    import shutil
    import signal
    import subprocess
    import tempfile
    folder = tempfile.mkdtemp(prefix=f"{worker}-")
    os.chmod(folder, 0o1777)  # as /tmp: CUPS filters (user lp) and PostgreSQL enter the folders made in it
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = None

    def die_with_this_worker() -> None:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    screen = shlex.split(os.environ.get("KAC_TEST_XVFB_ARGS", "-screen 0 1280x800x24 +extension GLX"))
    read, write = os.pipe()
    # -displayfd: the server takes the first free display number itself and writes it once it accepts clients.
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", *screen], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_this_worker)
    os.close(write)
    with os.fdopen(read) as announced:
        number = announced.readline().strip()
    if not number:
        raise RuntimeError(f"Xvfb did not start for {worker} (exit status {server.wait()})")
    os.environ["DISPLAY"] = f":{number}"
    os.environ.pop("XAUTHORITY", None)  # the lane's cookie is for its own display; this one takes local clients

    def stop() -> None:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    atexit.register(stop)


_own_display_and_temporary_folder()

from tools.driver import prepare_environment  # noqa: E402  (must run before anything imports Kivy)

prepare_environment()

from kivy.config import Config  # noqa: E402

# Xvfb's OpenGL is Mesa's llvmpipe, on the processor: Kivy's default 2x multisampling made every frame of the app
# cost 2.5 times the processor time (160 ms a frame against 65). No test looks at how edges are smoothed.
Config.set("graphics", "multisamples", "0")

from kiosk.config import load_settings  # noqa: E402
from kiosk.idle import Timings  # noqa: E402

TEST_PIN = "246810"  # the demo kiosk.ini's administrator PIN
FAST = Timings(idle_warning_s=0.6, idle_countdown_s=0.8, goodbye_s=0.3, tick_s=0.05)
CALM = Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600, tick_s=0.05)

# `make test` runs several pytest processes at once (tools/run_tests.py) beside one pcscd. The tests that put cards
# in (marked `cards`) run in one process of their own, into the first vpcd reader; every other process is given
# the second one here, where no card ever goes, so that no kiosk of theirs sees, or reads, another test's card.
# Unset (one pytest process alone), the kiosks watch the first reader there is, as kiosk.ini says.
OTHER_READER = os.environ.get("KAC_TEST_READER", "")


@pytest.hookimpl(tryfirst=True)  # before -m selects by the marks
def pytest_collection_modifyitems(items):
    for item in items:
        if "pcscd" in item.fixturenames:
            item.add_marker(pytest.mark.cards)


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A test eID CA made for this run; its certificate is the kiosk's trusted issuer in the tests."""
    from tools.virtual_card import make_ca
    directory = tmp_path_factory.mktemp("ca")
    ca = make_ca(directory)
    ca.pem_path = directory / "ca.pem"
    return ca


@pytest.fixture
def settings(tmp_path, test_ca):
    """The repository's kiosk.ini, with its folders in this test's folder and the test CA trusted."""
    base = load_settings(ROOT / "kiosk.ini")
    visit = dataclasses.replace(base.visit, runtime_dir=tmp_path / "runtime")
    kiosk = dataclasses.replace(base.kiosk, state_dir=tmp_path / "state")
    eid = dataclasses.replace(base.eid, trusted_ca=(test_ca.pem_path,), reader=OTHER_READER or base.eid.reader)
    # Not a Chromium behind every service page a test opens: the browser's tests turn it back on. No managed
    # policies on the test machine: pages open without them, as in a developer's checkout.
    browser = dataclasses.replace(base.browser, warm_up=False, require_policies=False)
    return dataclasses.replace(base, visit=visit, kiosk=kiosk, eid=eid, browser=browser)


@pytest.fixture
def card_ca_dir(test_ca, tmp_path):
    """The test CA's certificate and key in a folder: for cards served by a process of their own."""
    from tools.virtual_card import save_ca_key
    directory = tmp_path / "ca"
    directory.mkdir()
    (directory / "ca.pem").write_bytes(test_ca.pem())
    save_ca_key(test_ca, directory)
    return directory


@pytest.fixture
def sink(tmp_path):
    """A virtual sound card (tools/sound_sink.py): what reading aloud plays, heard in real time."""
    from tools.sound_sink import SoundSink
    speakers = SoundSink(tmp_path).start()
    yield speakers
    speakers.stop()


@pytest.fixture
def speech_settings(settings, sink):
    """Settings whose voice goes to the virtual sound card."""
    return dataclasses.replace(settings, speech=dataclasses.replace(settings.speech, output=sink.device))


@pytest.fixture
def print_lab():
    """A private cupsd with an ippeveprinter A4 printer and a raw receipt queue; stopped after the test."""
    import shutil
    import tempfile
    from tools.print_lab import PrintLab
    for program in ("cupsd", "ippeveprinter", "dbus-daemon", "lpadmin"):
        assert shutil.which(program), f"{program} is not installed: run the tests through 'make test'"
    # Not under tmp_path: CUPS filters run as the user lp, who cannot enter pytest's private folders.
    root = Path(tempfile.mkdtemp(prefix="kac-print-lab-"))
    lab = PrintLab(root).start()
    yield lab
    lab.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def print_settings(settings, print_lab):
    """Settings whose printers are the print lab's."""
    from tools.print_lab import A4_QUEUE, RECEIPT_QUEUE
    printing = dataclasses.replace(settings.printing, cups_server=print_lab.socket, a4_queue=A4_QUEUE,
                                   receipt_printer=("cups", RECEIPT_QUEUE), job_timeout_s=8)
    return dataclasses.replace(settings, printing=printing)


@pytest.fixture(scope="session")
def pcscd():
    """A real pcscd with the vpcd virtual readers; started here unless one is already running."""
    import shutil
    import subprocess
    import time
    from kiosk.eid.pcsc import reader_names
    assert not OTHER_READER, ("a test that puts cards in (or needs pcscd) ran in a process whose kiosks watch "
                              f"{OTHER_READER!r}: tools/run_tests.py runs the tests marked `cards` apart")
    started = None
    # Whether our pcscd answers, not whether some pcscd runs: the install tests (tests/deploy) run one of their own
    # in each installed root, which pgrep sees too.
    if not _pcsc_answers():
        assert shutil.which("pcscd"), "pcscd is not installed: run the tests through 'make test'"
        started = subprocess.Popen(["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    # reader_names() is empty until pcscd has made its socket and found the vpcd readers.
    while not reader_names() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Virtual PCD 00 00" in reader_names(), "pcscd runs but shows no vpcd reader (vsmartcard-vpcd)"
    yield "Virtual PCD 00 00"
    if started is not None:
        started.terminate()
        started.wait(timeout=10)


def _pcsc_answers() -> bool:
    from smartcard import scard
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    scard.SCardReleaseContext(context)
    return True


@pytest.fixture
def insert_card(pcscd, test_ca):
    """Inserts virtual eID cards into the first vpcd reader; whatever is still inserted is removed after."""
    from tools.virtual_card import VirtualCard
    cards = []

    def insert(spec, ca=None, settle_s: float = 5.0, card=None):
        """Insert, then wait until pcscd reports the card present (it polls vpcd a few times a second).

        card: a card this test inserted before and took out (or that pulled itself out), put in again with `spec`'s
        faults and counters; its key and certificate are kept (see VirtualCard.rearm).

        A card not seen within half of `settle_s` is taken out and put in again, as a person would, twice at most:
        a safety net (see _wait_for_no_card for why pcscd could miss one)."""
        if card is None:
            card = VirtualCard(spec, ca or test_ca)
            cards.append(card)
        else:
            card.remove()
            card.rearm(spec)
        card.insert()
        for _ in range(2):
            if _wait_for_card(pcscd, True, settle_s / 2):
                return card
            card.remove()
            _wait_for_no_card(pcscd)
            card.insert()
        _wait_for_card(pcscd, True, settle_s)
        return card

    yield insert
    for card in cards:
        card.remove()
    _wait_for_no_card(pcscd)


# reader -> pcscd's event count (the high 16 bits of a reader's state) when a card was last seen in it.
_count_with_card: dict[str, int] = {}


def _wait_for_card(reader: str, present: bool, timeout_s: float) -> bool:
    """Until pcscd reports a card in `reader` (or none): each call sleeps in pcscd until the reader's state
    changes, rather than asking again and again, which kept a core busy while pcscd polled vpcd.

    None means none that pcscd's reader thread has counted: see _wait_for_no_card."""
    import time
    from smartcard import scard
    _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        deadline = time.monotonic() + timeout_s
        known = scard.SCARD_STATE_UNAWARE  # the first call answers at once with the state as it is
        while (left_ms := int((deadline - time.monotonic()) * 1000)) > 0:
            hresult, states = scard.SCardGetStatusChange(context, left_ms, [(reader, known)])
            if hresult == scard.SCARD_S_SUCCESS:
                state = states[0][1]
                count = state >> 16
                if state & scard.SCARD_STATE_PRESENT:
                    _count_with_card[reader] = count
                    if present:
                        return True
                elif not present and count != _count_with_card.get(reader):
                    _count_with_card.pop(reader, None)
                    return True
                known = state & ~scard.SCARD_STATE_CHANGED  # with pcscd's event count: wait for the next change
            elif hresult != scard.SCARD_E_TIMEOUT:
                time.sleep(0.05)  # no service or no such reader (yet): ask again shortly
                known = scard.SCARD_STATE_UNAWARE
        return False
    finally:
        scard.SCardReleaseContext(context)


def _wait_for_no_card(reader: str) -> None:
    """Until pcscd's reader thread has counted `reader` empty: the next card is then a new insertion.

    A card pulled in the middle of a command shows as gone at once (the command failed), before pcscd's reader
    thread, which polls vpcd, has seen it go: a card put in before that poll is, to that thread, the same card
    still in, and pcscd never reports it (nor powers it). The thread counts each change it sees, so the reader is
    empty for good once its event count has moved on from the one it had with the card in."""
    _wait_for_card(reader, False, 5.0)


@pytest.fixture
def make_driver(settings):
    from tools.driver import AppDriver
    drivers = []

    def make(timings: Timings = CALM, settings=settings):
        driver = AppDriver(settings, timings)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


@pytest.fixture
def kiosk(make_driver):
    """A running kiosk app that never goes idle by itself."""
    return make_driver()


class Listener:
    """The core's events as a queue, waited on by kind."""

    def __init__(self, core):
        import queue
        self.events = queue.Queue()
        self.seen: list = []
        core.subscribe(self.events.put)

    def wait_for(self, *kinds, timeout: float = 30):
        import queue
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(event)
            if isinstance(event, kinds):
                return event
        raise AssertionError(f"no {[kind.__name__ for kind in kinds]} within {timeout} s; saw {self.seen}")


def card_identity(kiosk):
    """The identity the card gave the resident's visit, or None (also before a visit starts)."""
    visit = kiosk.core.visit
    return visit.card.identity if visit is not None else None

"""A whole visit through the core alone, with no window: search, card login, scan, print, ticket, end and wipe."""

from __future__ import annotations

import queue
import subprocess
import sys

import pytest

from conftest import CALM, ROOT, Listener
from kiosk import events
from kiosk.core import KioskCore
from kiosk.scanning.modes import ScanMode, ScanRequest, Source
from tools.virtual_card import CardSpec


@pytest.fixture
def core(print_settings):
    kiosk = KioskCore(print_settings, CALM)
    kiosk.prepare()
    yield kiosk
    kiosk.stop()


def test_a_whole_visit_through_the_core_alone(core, print_lab, insert_card):
    heard = Listener(core)
    core.start()
    assert [service.id for service in core.catalog.search("slimibas pabalsts", "lv")][0] == "vsaa-sickness-benefit"

    insert_card(CardSpec(pin="482916"))  # a card put in starts the visit
    heard.wait_for(events.VisitStarted)
    visit = core.visit
    assert heard.wait_for(events.IdentityRead).identity.surname == "Bērziņš"
    core.login("111111")
    wrong = heard.wait_for(events.CardProblem, events.LoginSucceeded)
    assert isinstance(wrong, events.CardProblem) and wrong.tries_left == 2 and not visit.card.verified
    core.login("482916")
    heard.wait_for(events.LoginSucceeded)
    assert visit.card.verified and visit.card.identity.given_name == "Jānis"

    core.scanning.scan(ScanRequest(ScanMode.TEXT, Source.FLATBED, 75))
    assert heard.wait_for(events.ScanFinished, events.ScanFailed) == events.ScanFinished(added=1, count=1)
    core.scanning.make_pdf()
    pdf = heard.wait_for(events.PdfReady).path
    assert visit.scans.pages_scanned and visit.scans.kept_pdf == pdf

    scan, _ = core.printable_documents()
    core.prepare_print(scan)
    prepared = heard.wait_for(events.PrintPrepared, events.PrintFailed)
    assert prepared.pages == 1 and prepared.within_quota
    core.confirm_print(prepared)
    assert heard.wait_for(events.Printed, events.PrintFailed) == events.Printed(pages=1, pages_left=19)
    assert visit.prints.pages_printed == 1 and len(print_lab.received_documents()) == 1

    tickets: queue.Queue = queue.Queue()
    core.errands.take_ticket(None, "none", "lv", lambda ticket, printed: tickets.put((ticket, printed)), tickets.put)
    ticket, printed = tickets.get(timeout=30)
    assert printed is True and ticket.number and visit.errands.ticket is ticket

    report = core.end_visit("resident")
    assert report.clean, report
    assert {"card login", "scan record", "print count", "desk errands", "print jobs", "scans",
            "help call at the desk", "typed search words"} <= set(report.wipers_run)
    assert heard.wait_for(events.VisitEnded) == events.VisitEnded("resident", True)
    assert visit.card.identity is None and visit.scans.kept_pdf is None and visit.errands.ticket is None
    assert not visit.directory.exists() and core.visit is None


def test_the_core_and_the_command_line_import_no_widgets():
    program = ("import sys, kiosk.core, kiosk.cli, kiosk.events, kiosk.visit; "
               "assert not [name for name in sys.modules if name.split('.')[0] in ('kivy', 'screens')], "
               "sorted(name for name in sys.modules if name.startswith(('kivy', 'screens')))")
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_activity_from_any_thread_keeps_the_visit_alive(settings):
    import threading
    from kiosk.idle import IdlePolicy, IdleState
    now = [0.0]
    core = KioskCore(settings, CALM)
    core.idle = IdlePolicy(10, 10, clock=lambda: now[0])  # the resident's time, moved by the test
    heard = Listener(core)
    try:
        core.prepare()
        core.start_visit()
        now[0] = 8.0
        # A source that is not the window, such as a browser page the resident scrolls, on its own thread.
        threading.Thread(target=core.activity, args=("browser",)).start()
        assert heard.wait_for(events.ResidentActivity, timeout=5) == events.ResidentActivity("browser")
        now[0] = 16.0
        assert core.idle.reading().state is IdleState.ACTIVE  # 8 s after the page was used, 16 s into the visit
        now[0] = 20.0
        assert core.idle.reading().state is IdleState.WARNING
    finally:
        core.stop()


def test_a_scan_copied_after_a_form_left_unprinted_is_counted_as_pages_not_as_the_form(core, print_lab):
    """The statistics count a form printed only when the form is: a copy of a scan printed after its preview was
    left is pages, nothing more."""
    heard = Listener(core)
    core.start()
    core.start_visit()
    counted = []
    core.usage._send = counted.append  # what would go to the desk
    form = core.make_form("paper", core.catalog.service("vsaa-sickness-benefit"), "en")
    core.prepare_print(form)
    assert isinstance(heard.wait_for(events.PrintPrepared, events.PrintFailed), events.PrintPrepared)
    # The resident goes to scanning instead, and prints two copies of a scanned page.
    core.scanning.scan(ScanRequest(ScanMode.TEXT, Source.FLATBED, 75))
    assert isinstance(heard.wait_for(events.ScanFinished, events.ScanFailed), events.ScanFinished)
    core.scanning.make_pdf()
    scan = heard.wait_for(events.PdfReady)
    core.print_copies(scan.path, scan.pages, 2)
    assert heard.wait_for(events.Printed, events.PrintFailed) == events.Printed(pages=2, pages_left=18)
    kinds = [event["kind"] for event in counted]
    assert "pages-printed" in kinds and "form-printed" not in kinds


def test_a_print_finished_after_its_visit_ended_counts_nowhere_in_the_next_visit(core, print_lab):
    """What a service reports of a visit's work reaches that visit, its screens and its statistics only while the
    visit lasts. Here the posting thread is busy while the job comes out; before it gets to the news, the visit
    ends and the next resident's begins: the new visit has printed nothing, hears nothing of it, and the
    statistics count no pages for it."""
    import functools
    import time
    heard = Listener(core)
    core.start()
    first = core.start_visit()
    core.prepare_print(core.make_form("paper", core.catalog.service("vsaa-sickness-benefit"), "en"))
    prepared = heard.wait_for(events.PrintPrepared, events.PrintFailed)
    assert isinstance(prepared, events.PrintPrepared)
    held: list = []
    posting = core.post
    core.post = held.append  # the posting thread busy: what the services report waits in line

    def reported(kind) -> bool:
        return any(isinstance(work, functools.partial) and isinstance(work.args[1], kind) for work in held)
    core.confirm_print(prepared)
    deadline = time.monotonic() + 60
    while not reported(events.Printed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reported(events.Printed) and len(print_lab.received_documents()) == 1

    core.end_visit("resident")
    second = core.start_visit()
    counted = []
    core.usage._send = counted.append  # what would go to the desk from now on
    heard.seen.clear()
    for work in held:  # the posting thread gets to them now, in order
        work()
    core.post = posting
    assert first.prints.pages_printed == 0 and second.prints.pages_printed == 0
    assert core.pages_left() == 20
    while not heard.events.empty():
        heard.seen.append(heard.events.get())
    assert not [event for event in heard.seen if isinstance(event, (events.Printed, events.PrintProgress))]
    assert not [event for event in counted if event["kind"] == "pages-printed"]

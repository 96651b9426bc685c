"""The kiosk's core, with no widgets: every service built from Settings in one place, the visit, and its events.

The app is handed a core and shows what it reports; the command line and the tests use the same core without a
window. Services work on their own threads; everything they report is `post`ed to one thread (the app's UI thread,
or the core's own event thread when there is no app), where the core updates the visit and then tells its
listeners, so the visit is only ever changed on that thread.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from pathlib import Path
from typing import Callable

from kiosk import events
from kiosk.admin_pin import PinAnswer, PinGuard
from kiosk.browser.visit_browser import VisitBrowser
from kiosk.catalog.service import CatalogService
from kiosk.config import Settings
from kiosk.desk_errands import DeskErrands
from kiosk.fleet.updates import CatalogueUpdates
from kiosk.health import HealthReporter
from kiosk.idle import IdlePolicy, Timings
from kiosk.usage import UsageRecorder
from kiosk.usb import WatchedSticks
from kiosk.visit import Visit
from kiosk.visits import Visits, WipeReport
from kiosk.worker import Worker

log = logging.getLogger(__name__)

Listener = Callable[[object], None]


# The ways of doing a service, the ones done right here at the kiosk first.
WAYS_ORDER = ("self", "authorised", "paper", "in_person", "video")


class KioskCore:
    """The kiosk without its window: services, the visit, idle time, health; what happens is told as events."""

    def __init__(self, settings: Settings, timings: Timings | None = None, demo: bool = False):
        self.settings = settings
        self.timings = timings or Timings.from_settings(settings.visit)
        self.demo = demo
        self.visits = Visits(settings.visit.runtime_dir)
        self.idle = IdlePolicy(self.timings.idle_warning_s, self.timings.idle_countdown_s)
        self.pin_guard = PinGuard(settings.admin.pin_hash)
        self.catalog = CatalogService(settings, self.visits)
        # The national catalogue bundle, when kiosk.ini names the publisher's keys (kiosk/fleet).
        self.catalogue_updates = CatalogueUpdates.from_settings(
            settings, self.catalog, lambda: self.visit is not None, lambda work: self.post(work),
            lambda: self.tell(events.SettingsChanged()))
        # Anonymous counts for the centres' statistics (kiosk.usage), handed to the desk's outbox.
        self.usage = UsageRecorder(lambda event: self.desk_link is not None and self.desk_link.count(event),
                                   settings.ui.default_language, self.catalog.service_or_none)
        self.eid = None
        self.printing = None
        self.scanning = None
        self.desk_link = None
        # The resident's sticks, watched while a screen wants to hear of them (SticksChanged).
        self.usb = WatchedSticks(settings.scanning.usb_mount_root,
                                 lambda sticks: self.post(lambda: self.tell(events.SticksChanged(sticks))))
        self._speech = None
        self.leftovers_removed = 0
        # While an administrator is at the kiosk, a card put in starts no visit.
        self.suspended = False
        self._listeners: list[Listener] = []
        self._own_thread: Worker | None = None
        self.post: Callable[[Callable[[], None]], None] = self._post_on_own_thread
        self._stopping = threading.Event()
        self.health = HealthReporter(self.tell, self.request, self)
        # The e-service's Chromium, made when first needed.
        self.eservice = VisitBrowser(settings, self.catalog, lambda: self.visit, self.tell, self._from_service,
                                     self.activity)
        # A help call, a queue ticket, a video booking: the resident's errands at the staff desk.
        self.errands = DeskErrands(settings, self.catalog, self.usage, self.health, desk=self._started_desk,
                                   visit=lambda: self.visit, request=self.request,
                                   post=lambda work: self.post(work), tell=self.tell)  # post: the app sets its own

    # ---- events ---------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _post_on_own_thread(self, work: Callable[[], None]) -> None:
        if self._own_thread is None:
            self._own_thread = Worker("core-events")  # the posting thread when no app gives it its own
        self._own_thread.post(work)

    def tell(self, event) -> None:
        """On the posting thread: every listener hears of the event."""
        for listener in list(self._listeners):
            listener(event)

    def _from_service(self, handler: Callable[[object], None]) -> Callable[..., None]:
        """A service's event, from its thread, to `handler` on the posting thread.

        An event of a visit's work (printing, scanning: `visit` given) is recorded in that visit there, the one
        thread that changes visits, and dropped if the visit has ended meanwhile: nothing of it reaches the next
        resident's screens, visit or statistics.
        """
        def deliver(event, visit=None) -> None:
            self.post(functools.partial(self._deliver, handler, event, visit))
        return deliver

    def _deliver(self, handler: Callable[[object], None], event, visit: Visit | None) -> None:
        if visit is not None:
            if visit is not self.visit:
                return
            visit.record(event)
        handler(event)

    def request(self, work: Callable[[], object], done: Callable[[object], None],
                failed: Callable[[Exception], None]) -> None:
        """Slow work (a desk call, a printer, a health check) off the posting thread; its answer comes back on it."""
        def run():
            try:
                result = work()
            except Exception as error:  # handed to the screen, which words it for the resident
                caught = error  # `error` itself is gone once the except block ends
                self.post(lambda: failed(caught))
                return
            self.post(lambda: done(result))
        threading.Thread(target=run, name="core-request", daemon=True).start()

    # ---- start and stop -------------------------------------------------------------------------

    def prepare(self) -> int:
        """Make the runtime folder private and remove visits a crash left behind; returns how many."""
        self.leftovers_removed = self.visits.prepare()
        return self.leftovers_removed

    def start(self) -> None:
        """The card reader first: a resident may put a card in at the greeting."""
        from kiosk.eid.service import EidService
        eid = self.settings.eid
        self.eid = EidService(self._from_service(self._on_card), eid.reader or None, eid.origin, eid.trusted_ca)
        self.eid.start()

    def start_services(self) -> None:
        """The desk, the printers and the scanner; idempotent, and at once when a visit starts before their turn."""
        if self.desk_link is None:
            from kiosk.desk_link import DeskLink
            self.desk_link = DeskLink(self.settings)
            if self.catalogue_updates is not None:  # the bundle run last, before the search index is made
                self.catalogue_updates.start()
                self.catalogue_updates.follow(self.desk_link)
            self.desk_link.start(heartbeats=True)
            threading.Thread(target=self.health.watch_printer, name="printer-health", daemon=True,
                             args=(self._stopping, self.settings.staffdesk.heartbeat_s)).start()
        # The word-form dictionaries take about a second to load: they and the search index are made on a thread
        # of their own now, after the first frame, and (mostly) before a resident reaches the search.
        self.catalog.warm_up()
        if self.printing is None:
            from kiosk.printing.service import PrintService
            from kiosk.scanning.service import ScanService
            from kiosk.scanning.testbackend import use_test_backend
            self.printing = PrintService(self.settings.printing, self._from_service(self._on_printing))
            options = use_test_backend(self.settings.kiosk.state_dir / "sane-test") if self.demo else {}
            self.scanning = ScanService(self._from_service(self._on_scanning), self.settings.scanning.device, options)
            self.scanning.start()

    def _started_desk(self):
        self.start_services()
        return self.desk_link

    def stop(self) -> None:
        """End the open visit while the services its wipe uses still run, then stop every part, whatever fails."""
        self._stopping.set()
        try:
            if self.visit is not None:
                self.end_visit("kiosk stopped")
        finally:
            for part in (self.eservice, self.eid, self.printing, self.scanning):
                self._stop_part(part.stop if part is not None else None)
            if self.desk_link is not None:
                self._stop_part(self.desk_link.stop)
                self._stop_part(self.desk_link.close)
            self._stop_part(self._speech.close if self._speech is not None else None)
            self._stop_part(self.usb.stop)
            if self._own_thread is not None:
                self._own_thread.stop()
            self.catalog.close()

    @staticmethod
    def _stop_part(stop) -> None:
        try:
            if stop is not None:
                stop()
        except Exception as error:  # one part failing to stop must not keep the others running
            # The kind of error only: a message or traceback could carry what a resident did.
            log.error("stopping a part of the kiosk failed: %s", type(error).__name__)

    # ---- reading aloud --------------------------------------------------------------------------

    @property
    def reading_aloud(self) -> bool:
        """Reading aloud is on for this resident (False before the speech service is first needed: it is not made
        just to ask)."""
        return self._speech is not None and self._speech.enabled

    @property
    def speech(self):
        """The read-aloud service (kiosk/speech), made when first asked for; off again at every visit's end."""
        if self._speech is None:
            from kiosk.speech import SpeechService
            self._speech = SpeechService.from_settings(self.settings, self._from_service(self.tell))
            # A standing wiper, not a visit's: reading aloud turned on at the greeting, before the visit, ends too.
            self.visits.add_standing_wiper("reading aloud", self._speech.end_visit, self._speech.holds_nothing)
        return self._speech

    # ---- the visit ------------------------------------------------------------------------------

    @property
    def visit(self) -> Visit | None:
        return self.visits.current

    def start_visit(self) -> Visit:
        if self.visit is not None:
            return self.visit
        self.start_services()
        visit = self.visits.start()
        self.usage.visit_started()
        self.printing.attach(visit)
        self.scanning.attach(visit)
        visit.add_wiper("help call at the desk", lambda: self.errands.cancel_call_of(visit))
        self.eservice.attach(visit)
        self.idle.touched()
        self.tell(events.VisitStarted())
        return visit

    def end_visit(self, reason: str) -> WipeReport | None:
        """Wipe everything of the resident and check it; listeners hear VisitEnded."""
        if self.visit is not None:
            self.usage.visit_ended()
        report = self.visits.end(reason)
        if report is not None:
            self.tell(events.VisitEnded(reason, report.clean))
        if self.catalogue_updates is not None:
            self.catalogue_updates.between_visits()  # a newer bundle waited for this visit to end
        return report

    def activity(self, source: str) -> None:
        """The resident did something, anywhere (a touch, a key, a card, a page): the visit stays alive.

        Safe from any thread: the idle clock is one assignment, and listeners hear of it on the posting thread.
        """
        self.idle.touched()
        if source != "touch":  # touches are the app's own; others it should hear of (a browser's, a card's)
            self.post(lambda: self.tell(events.ResidentActivity(source)))

    def note_problem(self, problem: str) -> None:
        """What went wrong last for this resident, for the staff member who answers a call (no personal data)."""
        if self.visit is not None:
            self.visit.errands.last_problem = problem

    # ---- the eID card ---------------------------------------------------------------------------

    def _on_card(self, event) -> None:
        from kiosk.eid.card import Problem
        from kiosk.eid.service import LoginDone
        visit = self.visit
        if isinstance(event, events.ReaderMissing):
            self.health.alert("reader", "missing")
        elif isinstance(event, events.ReaderFound):
            self.health.fine("reader")
        elif isinstance(event, events.CardProblem):
            self.note_problem(event.problem.value)
        if self.suspended:
            return
        if isinstance(event, events.CardReading) or (
                isinstance(event, events.CardProblem) and event.problem in (Problem.NOT_EID, Problem.UNSUPPORTED)):
            self.activity("card")
            visit = self.start_visit()
        if isinstance(event, events.IdentityRead) and visit is not None:
            visit.card.identity = event.identity
        elif isinstance(event, LoginDone):
            if visit is None:
                return
            visit.card.identity, visit.card.proof = event.identity, event.token
            log.info("eID PIN proof succeeded")
            event = events.LoginSucceeded(event.identity)
        elif isinstance(event, events.CardTakenOut):
            had_identity = visit is not None and visit.card.identity is not None
            if visit is not None:
                visit.card.wipe()
            if had_identity:
                # Logged in with the card: the browser's login goes with it, and its profile is deleted.
                self.eservice.close("card")
            event = events.CardTakenOut(had_identity)
        self.tell(event)

    @property
    def reader_present(self) -> bool:
        return self.eid is not None and self.eid.reader_present

    @property
    def card_in_reader(self) -> bool:
        """A card is in the kiosk's reader now (the goodbye keeps its reminder up until it is taken out)."""
        return self.eid is not None and self.eid.card_reader is not None

    def login(self, pin: str) -> None:
        """PIN1 goes to the card and nowhere else; LoginSucceeded or CardProblem follows."""
        self.eid.login(pin)

    def check_pin_tries(self) -> None:
        self.eid.check_tries()

    def reread_card(self) -> None:
        self.eid.reread()

    # ---- printing -------------------------------------------------------------------------------

    def _on_printing(self, event) -> None:
        if isinstance(event, events.PrinterAlert):
            self.health.alert("printer", event.kind)
            return
        if isinstance(event, events.Printed):
            self.health.fine("printer")
            self.usage.printed(event.pages)
        elif isinstance(event, events.PrintFailed):
            self.note_problem(event.problem.value)
            self.usage.print_failed()
        if self.visit is not None:
            self.tell(event)

    def printable_documents(self) -> tuple[Path | None, list[Path]]:
        """The resident's kept scan (or None), and the PDFs and photos on their USB sticks."""
        from kiosk.printing.service import printable_files
        if self.visit is None:
            return None, []
        return printable_files(self.visit, self.usb.find())

    def prepare_print(self, path: Path) -> None:
        self.usage.print_chosen(path)
        self.printing.prepare(Path(path))

    def confirm_print(self, prepared: events.PrintPrepared, copies: int = 1) -> None:
        """Print `copies` of a prepared document (one job); Printed counts every page of every copy."""
        self.printing.print(prepared, copies)

    def print_copies(self, pdf: Path, pages: int, copies: int) -> None:
        """Copies of a PDF the kiosk made itself (a scan): nothing to convert or show first. Counted as what it
        is, whatever document was looked at before."""
        self.usage.print_chosen(pdf)
        self.confirm_print(events.PrintPrepared(Path(pdf), pages, (), self.pages_left()), copies)

    def pages_left(self) -> int:
        return self.printing.pages_left() if self.visit is not None else 0

    def copies_possible(self, pages: int) -> int:
        """How many copies of a document of `pages` pages this visit may still print."""
        return self.printing.copies_possible(pages) if self.visit is not None else 0

    def make_form(self, kind: str, service, language: str) -> Path:
        """The authorisation (named for the resident logged in with eID) or the paper form, in the visit's folder."""
        from kiosk.printing.paperwork import write_form
        path = write_form(self.settings, self.visit, kind, service, language)
        self.usage.form_made(path, kind, service)
        return path

    # ---- scanning -------------------------------------------------------------------------------

    def _on_scanning(self, event) -> None:
        from kiosk.scanning.problems import Problem
        if isinstance(event, events.ScanFailed):
            self.note_problem(event.problem.name.lower())
            if event.problem is Problem.NO_SCANNER:
                self.health.alert("scanner", "no_scanner")
        elif isinstance(event, events.ScanFinished):
            self.health.fine("scanner")
        if isinstance(event, (events.ScanFinished, events.ScanFailed)):
            self.usage.scanned(event.added)
        if self.visit is not None:
            self.tell(event)

    # ---- the ways, and the visit's files ------------------------------------------------------------

    def ways_here(self, service) -> list[str]:
        """The catalogue's ways of doing `service` that work at this kiosk now, the ones done right here first.

        A way that cannot be done here (no browser, sandbox or managed policies for "do it yourself", no desk to
        book a video consultation with) is left out rather than offered and then answered with an apology.
        """
        works = {"self": self.eservice.works_here(), "video": bool(self.settings.staffdesk.url)}
        return [way for way in WAYS_ORDER if way in service.channels.names() and works.get(way, True)]

    def save_to_stick(self, path: Path, done, failed) -> None:
        """A file of the visit onto the resident's USB stick, flushed and unmounted: done(name), or failed(UsbError)."""
        # A neutral name with the date: the page's own name can say more than the resident wants on a stick.
        stem = time.strftime("document-%Y-%m-%d-%H%M")
        self.request(lambda: self.usb.save(path, stem, path.suffix or ".pdf"), done, failed)

    def first_page_pictures(self, paths: list[Path], done) -> None:
        """A picture of each file's first page (made in the visit's folder, off the UI thread): done({path: png})."""
        from printers.documents import first_page_pictures
        folder = self.visit.directory / "pictures"
        self.request(lambda: first_page_pictures(paths, folder), done, lambda _error: done({}))

    def visit_files(self) -> list[Path]:
        """What the resident may upload or print from this visit: the kept scans, then the browser's files."""
        return self.visit.files() if self.visit is not None else []

    # ---- usage, for the centres' statistics -------------------------------------------------------

    def count(self, kind: str, service_id: str | None = None, language: str | None = None) -> None:
        """What a screen sees the resident do: 'service-viewed' (a service's page shown) or 'self-service-opened'
        ("Do it yourself" tapped). Counted with the service's id and nothing of the resident (kiosk.usage)."""
        self.usage.count(kind, service_id, channel="self" if kind == "self-service-opened" else "",
                         language=language)

    def language_chosen(self, language: str) -> None:
        """The resident switched language: the visit is counted in the one it ends in."""
        self.usage.language_chosen(language)

    # ---- health ---------------------------------------------------------------------------------

    def health_checks(self, done) -> None:
        """`kiosk doctor`'s checks, off the posting thread: they probe CUPS, PC/SC, SANE and the network."""
        from kiosk.doctor import run_checks
        self.request(lambda: run_checks(self.settings), done, lambda _error: done([]))

    # ---- administration -------------------------------------------------------------------------

    def check_admin_pin(self, pin: str) -> PinAnswer:
        answer = self.pin_guard.check(pin)
        log.info("administrator PIN %s", answer.result.value)
        return answer

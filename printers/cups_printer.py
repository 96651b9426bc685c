"""The A4 document printer through CUPS (pycups): check it, send a PDF, follow the job to its end, cancel."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cups

from printers.problems import PrintError, PrintProblem, blocking_problem, warnings

log = logging.getLogger(__name__)

PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "printer-state-message", "printer-info", "device-uri", "marker-names", "marker-levels"]
# Job states (RFC 8011).
PENDING, HELD, PROCESSING, STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5
# What CUPS says while its backend cannot reach the printer; no reason keyword comes with it.
UNREACHABLE_MESSAGES = ("may not exist or is unavailable", "Unable to connect", "not responding",
                        "Network host", "is busy; will retry")
CANCEL_CURRENT_JOB_TEST = "/usr/share/cups/ipptool/cancel-current-job.test"  # from cups-ipp-utils
# The job's title in CUPS: never the resident's file name, which can be personal.
JOB_TITLE = "KAC kiosk document"
# The document's name in the job. Fixed, and without spaces: Debian's cupsd 2.4.2-3+deb12u10 dies with a segfault
# on a document-name that holds a space (printFile would send the file's own name, and a resident's name with it).
DOCUMENT_NAME = "kiosk-document"
SEND_CHUNK = 1 << 16

# pycups keeps one server per process; connections are made under this lock so two threads never mix them.
_server_lock = threading.Lock()


def connect(server: str = "") -> cups.Connection:
    """A connection to the configured CUPS server; PrintError(CUPS_DOWN) when it does not answer."""
    with _server_lock:
        if server:
            cups.setServer(server)
        try:
            return cups.Connection()
        except RuntimeError as error:
            raise PrintError(PrintProblem.CUPS_DOWN, f"CUPS does not answer ({error})") from None


@dataclass(frozen=True)
class PrinterStatus:
    queue: str
    state: int
    reasons: tuple[str, ...]
    accepting: bool
    message: str = ""
    info: str = ""
    markers: tuple[tuple[str, int], ...] = ()

    @property
    def state_name(self) -> str:
        return {IDLE: "idle", PRINTER_PROCESSING: "printing", PRINTER_STOPPED: "stopped"}.get(self.state, "unknown")

    @property
    def problem(self) -> PrintProblem | None:
        """What stops printing now, if anything: the state, its reasons, or CUPS's message about the device."""
        found = blocking_problem(list(self.reasons), severities=("error",))
        if found is not None:
            return found
        if self.state == PRINTER_STOPPED or not self.accepting:
            return PrintProblem.PAUSED
        if any(text in self.message for text in UNREACHABLE_MESSAGES):
            return PrintProblem.UNREACHABLE
        return None

    @property
    def warnings(self) -> list[str]:
        return warnings(list(self.reasons))

    def as_dict(self) -> dict:
        problem = self.problem
        return {"queue": self.queue, "state": self.state_name, "accepting": self.accepting,
                "reasons": [r for r in self.reasons if r != "none"], "message": self.message,
                "problem": problem.value if problem else None, "warnings": self.warnings,
                "markers": dict(self.markers)}


@dataclass
class JobOutcome:
    """How a job ended: printed, or the problem that stopped it, and the pages that did come out."""
    job_id: int
    printed: bool
    problem: PrintProblem | None = None
    pages_done: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SubmittedJob:
    job_id: int
    queue: str
    connection: cups.Connection
    subscription: int


@dataclass(frozen=True)
class JobUpdate:
    """Reported while a job runs: 'waiting', 'printing', or a problem the printer is waiting on."""
    job_id: int
    state: str
    problem: PrintProblem | None = None


class DocumentPrinter:
    """One CUPS queue; every call opens its own connection so a restarted cupsd is simply found again."""

    def __init__(self, queue: str = "", server: str = "", timeout_s: float = 90, poll_s: float = 0.2):
        self.server = server
        self._queue = queue
        self.timeout_s = timeout_s
        self.poll_s = poll_s

    def queue(self, connection: cups.Connection | None = None) -> str:
        """The configured queue, or CUPS's default; PrintError(NO_PRINTER) when there is none."""
        connection = connection or connect(self.server)
        try:
            queue = self._queue or connection.getDefault()
            if not queue or queue not in connection.getPrinters():
                raise PrintError(PrintProblem.NO_PRINTER, f"CUPS has no queue {queue or '(no default)'}")
        except cups.IPPError as error:
            raise PrintError(PrintProblem.CUPS_DOWN, f"CUPS refused: {error}") from None
        return queue

    def status(self, connection: cups.Connection | None = None) -> PrinterStatus:
        connection = connection or connect(self.server)
        queue = self.queue(connection)
        try:
            attributes = connection.getPrinterAttributes(queue, requested_attributes=PRINTER_ATTRIBUTES)
        except cups.IPPError as error:
            raise PrintError(PrintProblem.CUPS_DOWN, f"CUPS refused: {error}") from None
        return printer_status(queue, attributes)

    def check(self) -> PrinterStatus:
        """The printer's status, or PrintError with the problem that would stop a job now."""
        status = self.status()
        if status.problem is not None:
            raise PrintError(status.problem, f"{status.queue}: {status.state_name}, "
                                             f"{', '.join(status.reasons)} {status.message}".strip())
        return status

    def submit(self, pdf: Path, copies: int = 1) -> "SubmittedJob":
        """Send a PDF as one job, watched from before it exists so not even a fast ending is missed."""
        options = {"media": "iso_a4_210x297mm", "copies": str(copies), "sides": "one-sided"}

        def send(connection: cups.Connection, queue: str) -> int:
            with open(pdf, "rb") as document:
                return send_document(connection, queue, options, "application/pdf",
                                     iter(lambda: document.read(SEND_CHUNK), b""))
        return self._submit(send)

    def submit_raw(self, data: bytes) -> "SubmittedJob":
        """Send bytes the printer understands as they are (ESC/POS to a raw queue), never through a filter."""
        return self._submit(lambda connection, queue: send_document(connection, queue, {}, cups.CUPS_FORMAT_RAW,
                                                                    [data]))

    def _submit(self, send: Callable[[cups.Connection, str], int]) -> "SubmittedJob":
        # The queue keeps no job history (PreserveJobHistory No): a finished job vanishes at once, and only
        # this printer subscription, made before the job exists, still holds how it ended.
        connection = connect(self.server)
        queue = self.queue(connection)
        try:
            subscription = connection.createSubscription(
                f"ipp://localhost/printers/{queue}", lease_duration=600,
                events=["job-state-changed", "job-completed", "printer-state-changed"])
            job_id = send(connection, queue)
        except cups.IPPError as error:
            raise PrintError(PrintProblem.FAILED, f"CUPS refused the job: {error}") from None
        return SubmittedJob(job_id, queue, connection, subscription)

    def follow(self, job: "SubmittedJob", on_update: Callable[[JobUpdate], None] = lambda update: None,
               cancelled: threading.Event | None = None) -> JobOutcome:
        """Wait for the job to end, reporting changes; a printer that never answers ends it as UNREACHABLE."""
        try:
            return self._follow(job.connection, job.subscription, job.job_id, on_update, cancelled)
        finally:
            try:
                job.connection.cancelSubscription(job.subscription)
            except (cups.IPPError, RuntimeError):
                pass

    def _follow(self, connection, subscription, job_id, on_update, cancelled) -> JobOutcome:
        deadline = time.monotonic() + self.timeout_s
        sequence = 0
        reasons_seen: list[str] = []
        last: JobUpdate | None = None
        stale: set[str] | None = None
        pages_done = 0
        while True:
            if cancelled is not None and cancelled.is_set():
                self.cancel(job_id)
                return JobOutcome(job_id, printed=False, problem=PrintProblem.FAILED, pages_done=pages_done)
            try:
                job = connection.getJobAttributes(job_id, requested_attributes=[
                    "job-state", "job-state-reasons", "job-impressions-completed"])
            except cups.IPPError:
                job = None  # already gone from the queue: its end is in the notifications
            except RuntimeError:
                raise PrintError(PrintProblem.CUPS_DOWN, "CUPS went away while printing") from None
            events = self._notifications(connection, subscription, sequence)
            for event in events:
                sequence = max(sequence, event.get("notify-sequence-number", 0))
                reasons_seen.extend(event.get("printer-state-reasons", []))
                if event.get("notify-job-id") == job_id:
                    pages_done = max(pages_done, event.get("job-impressions-completed", 0))
                    if event.get("job-state", 0) >= CANCELED:
                        return self._outcome(job_id, event["job-state"], reasons_seen, pages_done)
            if job is not None:
                pages_done = max(pages_done, job.get("job-impressions-completed", 0))
                if job["job-state"] >= CANCELED:
                    return self._outcome(job_id, job["job-state"], reasons_seen, pages_done)
            elif not events:
                # Gone with no notification (a restarted cupsd drops both): CUPS cannot tell us it printed.
                return JobOutcome(job_id, printed=False, problem=PrintProblem.FAILED, pages_done=pages_done)
            status = self.status(connection)
            reasons_seen.extend(status.reasons)
            if stale is None:
                stale = {reason for reason in status.reasons if not reason.endswith("-error")}
            # While our job runs, new -warning reasons are the printer's state now (CUPS's backend reports them
            # so); the ones there before it are the last job's, until the printer says them again.
            problem = blocking_problem([r for r in status.reasons if r not in stale]) or status.problem
            update = JobUpdate(job_id, "printing" if job and job["job-state"] == PROCESSING else "waiting", problem)
            if update != last:
                on_update(update)
                last = update
            if time.monotonic() > deadline:
                # A job left queued would come out later, for the next resident to find: cancel it now.
                self.cancel(job_id)
                return JobOutcome(job_id, printed=False, problem=problem or blocking_problem(list(status.reasons))
                                  or PrintProblem.UNREACHABLE,
                                  pages_done=pages_done)
            time.sleep(self.poll_s)

    @staticmethod
    def _notifications(connection, subscription: int, sequence: int) -> list[dict]:
        try:
            return connection.getNotifications([subscription], [sequence + 1])["events"]
        except cups.IPPError:
            return []

    @staticmethod
    def _outcome(job_id: int, state: int, reasons: list[str], pages_done: int) -> JobOutcome:
        if state == COMPLETED:
            return JobOutcome(job_id, printed=True, pages_done=pages_done, warnings=sorted(set(warnings(reasons))))
        # A printer that stopped the job said why in its reasons, as errors or (afterwards) as reports.
        problem = blocking_problem(reasons, severities=("error", "warning", "report")) or PrintProblem.FAILED
        return JobOutcome(job_id, printed=False, problem=problem, pages_done=pages_done)

    def cancel(self, job_id: int) -> None:
        """Cancel and purge a job: its file and its entry leave the spool now, and the printer drops it too."""
        try:
            connection = connect(self.server)
            device = connection.getPrinterAttributes(self.queue(connection),
                                                     requested_attributes=["device-uri"]).get("device-uri", "")
            connection.cancelJob(job_id, purge_job=True)
        except (cups.IPPError, PrintError):
            return  # already finished and gone, or CUPS is down (and then its spool holds nothing we sent... yet)
        # CUPS does not pass a cancel on to an IPP printer that already took the job: a printer waiting for paper
        # would print it when staff add some, for whoever stands there. The kiosk's printer is its own, so the
        # job it is working on now is ours.
        if device.startswith(("ipp://", "ipps://")):
            cancel_current_job_at(device)

    def queues(self) -> list[PrinterStatus]:
        """Every CUPS queue with its status, for the command line and the doctor."""
        connection = connect(self.server)
        try:
            names = list(connection.getPrinters())
            return [printer_status(name, connection.getPrinterAttributes(name, requested_attributes=PRINTER_ATTRIBUTES))
                    for name in names]
        except cups.IPPError as error:
            raise PrintError(PrintProblem.CUPS_DOWN, f"CUPS refused: {error}") from None


def send_document(connection: cups.Connection, queue: str, options: dict, mime_type: str, chunks) -> int:
    """One job of one document under the fixed title and name (never printFile, which sends the file's name)."""
    job_id = connection.createJob(queue, JOB_TITLE, options)
    try:
        connection.startDocument(queue, job_id, DOCUMENT_NAME, mime_type, 1)
        for chunk in chunks:
            connection.writeRequestData(chunk, len(chunk))
        connection.finishDocument(queue)
    except BaseException:
        # A created job that never got its document would wait in the queue, held, for ever.
        try:
            connection.cancelJob(job_id, purge_job=True)
        except (cups.IPPError, RuntimeError):
            pass
        raise
    return job_id


def cancel_current_job_at(device_uri: str) -> None:
    """Cancel-Job for the job an IPP printer is working on now (ipptool's own test file does Get-Jobs, Cancel-Job)."""
    import subprocess
    try:
        subprocess.run(["ipptool", "-q", "-T", "5", "-d", "user=root", device_uri, CANCEL_CURRENT_JOB_TEST],
                       capture_output=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("could not cancel the job at the printer: %s", type(error).__name__)


def printer_status(queue: str, attributes: dict) -> PrinterStatus:
    reasons = attributes.get("printer-state-reasons", [])
    if isinstance(reasons, str):
        reasons = [reasons]
    names = attributes.get("marker-names", [])
    levels = attributes.get("marker-levels", [])
    if isinstance(names, str):
        names, levels = [names], [levels]
    return PrinterStatus(queue=queue, state=attributes.get("printer-state", 0),
                         reasons=tuple(r for r in reasons if r != "none"),
                         accepting=bool(attributes.get("printer-is-accepting-jobs", False)),
                         message=attributes.get("printer-state-message", ""),
                         info=attributes.get("printer-info", ""),
                         markers=tuple(zip(names, levels)))


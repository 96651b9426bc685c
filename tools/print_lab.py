"""A private print lab for the demo, tests and benchmarks: cupsd, a fake A4 printer and a receipt printer on TCP.

The cupsd runs from its own folder with the privacy settings a public kiosk needs (no job files or history kept),
listening only on a socket in that folder, so the machine's own CUPS is never touched. The A4 printer is
ippeveprinter; its print command copies what it received to `received/` and plays the fault written to the
file `fault` (paper out, jam, toner low), as a real printer's state reasons would arrive. The receipt printer is
a raw CUPS queue to a TCP listener here that keeps every ticket's bytes. `python -m tools.print_lab DIR` runs one
until interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

A4_QUEUE = "kac-a4"
RECEIPT_QUEUE = "kac-receipt"

# Faults the A4 printer can play (see PRINT_COMMAND): what a real printer reports through its state reasons.
FAULTS = ("none", "media-empty", "media-jam", "toner-low", "slow")

CUPSD_CONF = """\
LogLevel warn
Listen {root}/cups.sock
WebInterface No
Browsing No
BrowseLocalProtocols none
DefaultShared No
# A resident's documents must not outlive their job, nor their names stay in a history.
PreserveJobFiles No
PreserveJobHistory No
MaxJobTime 300
ErrorPolicy abort-job
JobRetryInterval 5
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
DataDir /usr/share/cups
ServerBin /usr/lib/cups
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
SystemGroup root
User lp
Group lp
FileDevice No
"""

# ippeveprinter runs this for every job with the document's path as $1.
PRINT_COMMAND = """#!/bin/sh
LAB="{root}"
fault=$(cat "$LAB/fault" 2>/dev/null || echo none)
job_id=$(basename "$1" | cut -d- -f1)
# A printer honours a cancelled job (CUPS sends Cancel-Job when it cancels): it never comes out. The fault's
# reason is cleared too, or ippeveprinter would hold every later job; the next job raises it again.
cancelled_exit() {{
  case "$(ipptool -t -d job_id="$job_id" "ipp://localhost:{port}/ipp/print" "$LAB/job-state.test")" in
    *processing-to-stop-point*|*canceled*|*aborted*)
      echo "STATE: -media-empty-error,media-needed-error,media-jam-error" >&2; exit 1 ;;
  esac
}}
# Like a real printer, a fault holds the job with the reason showing until staff clear it (set_fault none).
case "$fault" in
  media-empty) echo "STATE: +media-empty-error,media-needed-error" >&2 ;;
  media-jam) echo "STATE: +media-jam-error" >&2 ;;
  toner-low) echo "STATE: +toner-low-report" >&2 ;;
  slow) sleep 5 ;;
  *) echo "STATE: -media-empty-error,media-needed-error,media-jam-error" >&2 ;;
esac
case "$fault" in
  media-empty|media-jam)
    while [ "$(cat "$LAB/fault")" = "$fault" ]; do
      sleep 0.2
      cancelled_exit
    done
    echo "STATE: -media-empty-error,media-needed-error,media-jam-error" >&2 ;;
esac
# The page "comes out" only now: a job cancelled before this point leaves nothing in received/.
cancelled_exit
cp "$1" "$LAB/received/$(date +%s%N).${{1##*.}}"
exit 0
"""


# ipptool test showing the state of the fake printer's job $job_id (a cancelled one is "processing-to-stop-point").
JOB_STATE_TEST = """{
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR keyword requested-attributes job-state,job-state-reasons
  STATUS successful-ok
  DISPLAY job-state
  DISPLAY job-state-reasons
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ReceiptListener:
    """A TCP 'printer' on 127.0.0.1: every connection's bytes become one file in `folder` and one list item."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.received: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._serve, name="receipt-listener", daemon=True)
        self._stopped = False
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            data = b"".join(chunks)
            if data:
                self.received.append(data)
                (self.folder / f"{time.time_ns()}.escpos").write_bytes(data)

    def close(self) -> None:
        self._stopped = True
        self._server.close()


class PrintLab:
    """Starts and stops the lab's processes; `socket` is the CUPS server address for pycups and lp."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.socket = str(self.root / "cups.sock")
        self.ipp_port = free_port()
        self.receipts: ReceiptListener | None = None
        self._processes: dict[str, subprocess.Popen] = {}

    # ---- life cycle ------------------------------------------------------------------------------

    def start(self) -> "PrintLab":
        # Filters run as the user lp and must reach the spool: the lab's folder (and those above it) let lp in.
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o711)
        for name in ("etc", "spool", "cache", "state", "log", "received", "receipts", "ippspool", "dbus"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        # Filters run as lp: the temporary folder must be theirs to write, and the spool theirs to read.
        shutil.chown(self.root / "spool", "root", "lp")
        os.chmod(self.root / "spool", 0o710)
        (self.root / "spool" / "tmp").mkdir(exist_ok=True)
        shutil.chown(self.root / "spool" / "tmp", "root", "lp")
        os.chmod(self.root / "spool" / "tmp", 0o1770)
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(root=self.root))
        (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
        (self.root / "job-state.test").write_text(JOB_STATE_TEST)
        self.set_fault("none")
        try:
            self.start_cupsd()
            self.start_a4_printer()
            self.receipts = ReceiptListener(self.root / "receipts")
            self.add_a4_queue()
            self.lpadmin("-d", A4_QUEUE)
            self.lpadmin("-p", RECEIPT_QUEUE, "-E", "-v", f"socket://127.0.0.1:{self.receipts.port}", "-m", "raw")
        except BaseException:
            self.stop()  # no cupsd or bus left running behind a lab that did not start
            raise
        return self

    def add_a4_queue(self) -> None:
        """The A4 queue, made from what the printer says it takes (IPP Everywhere), checked to take PDF."""
        for _attempt in range(3):
            self.lpadmin("-p", A4_QUEUE, "-E", "-v", f"ipp://localhost:{self.ipp_port}/ipp/print", "-m", "everywhere")
            formats = self.queue_formats(A4_QUEUE)
            if "application/pdf" in formats:
                return
            # Seen once on a loaded CI machine: a queue whose PPD took no PDF. Made again from the printer's answer.
            print(f"print lab: {A4_QUEUE} took only {formats}; made again. cupsd said: {self.error_log_tail()}",
                  file=sys.stderr)
            self.stop_a4_printer()
            self.start_a4_printer()
        raise RuntimeError(f"the print lab's {A4_QUEUE} queue does not take PDF: {self.error_log_tail()}")

    def queue_formats(self, queue: str) -> list[str]:
        from printers.cups_printer import connect
        return list(connect(self.socket).getPrinterAttributes(queue).get("document-format-supported", []))

    def error_log_tail(self) -> str:
        log = self.root / "log" / "error_log"
        return log.read_text(errors="replace")[-1500:] if log.exists() else "(no error_log)"

    def start_cupsd(self) -> None:
        self._stop("cupsd")
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self._processes["cupsd"] = subprocess.Popen(
            ["cupsd", "-f", "-c", str(self.root / "cupsd.conf"), "-s", str(self.root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if os.path.exists(self.socket) and self._lpstat_ok():
                return
            time.sleep(0.05)
        raise RuntimeError(f"cupsd did not start; see {self.root / 'log' / 'error_log'}")

    def stop_cupsd(self) -> None:
        """cupsd down, as when it crashed: the kiosk must say so plainly."""
        self._stop("cupsd")

    def start_a4_printer(self) -> None:
        # ippeveprinter wants a D-Bus to announce itself on; a private session bus is enough (no avahi).
        if "dbus" not in self._processes:
            address = f"unix:path={self.root / 'dbus' / 'bus'}"
            self._processes["dbus"] = subprocess.Popen(
                ["dbus-daemon", "--session", f"--address={address}", "--nofork", "--nopidfile"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            self._dbus_address = address
        environment = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self._dbus_address,
                           DBUS_SESSION_BUS_ADDRESS=self._dbus_address)
        for _attempt in range(3):
            command = self.root / "print-command.sh"
            command.write_text(PRINT_COMMAND.format(root=self.root, port=self.ipp_port))
            command.chmod(0o755)
            self._processes["ippeveprinter"] = process = subprocess.Popen(
                ["ippeveprinter", "-p", str(self.ipp_port), "-n", "localhost", "-r", "off",
                 "-d", str(self.root / "ippspool"), "-f", "application/pdf,image/jpeg,image/pwg-raster,image/urf",
                 "-c", str(self.root / "print-command.sh"), "KAC A4"],
                stdout=subprocess.DEVNULL, stderr=open(self.root / "log" / "ippeveprinter.log", "ab"),
                env=environment, start_new_session=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and process.poll() is None:
                try:  # "localhost": ippeveprinter may listen on ::1 only
                    socket.create_connection(("localhost", self.ipp_port), timeout=0.5).close()
                    return
                except OSError:
                    time.sleep(0.05)
            # It exited (its port was taken meanwhile, say) or never answered: once more on another port.
            self._stop("ippeveprinter")
            self.ipp_port = free_port()
            if A4_QUEUE in subprocess.run(["lpstat", "-h", self.socket, "-p"], capture_output=True,
                                          text=True).stdout:
                self.lpadmin("-p", A4_QUEUE, "-v", f"ipp://localhost:{self.ipp_port}/ipp/print")
        log = (self.root / "log" / "ippeveprinter.log").read_text(errors="replace")[-500:]
        raise RuntimeError(f"ippeveprinter did not start: {log}")

    def cupsd_running(self) -> bool:
        """cupsd's process is alive and answers (a segfault leaves a defunct process behind)."""
        process = self._processes.get("cupsd")
        return process is not None and process.poll() is None and self._lpstat_ok()

    def stop_a4_printer(self) -> None:
        """The A4 printer switched off or unplugged from the network."""
        self._stop("ippeveprinter")

    def stop(self) -> None:
        if self.receipts is not None:
            self.receipts.close()
        for name in ("ippeveprinter", "cupsd", "dbus"):
            self._stop(name)

    # ---- faults and what arrived -------------------------------------------------------------------

    def set_fault(self, fault: str) -> None:
        """The fault the next job meets, or that a held job waits on; 'none' is staff fixing the printer."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        (self.root / "fault").write_text(fault)

    def received_documents(self) -> list[Path]:
        return sorted((self.root / "received").iterdir())

    def spool_files(self) -> list[Path]:
        """Job files and control files still in cupsd's spool: empty when nothing of anybody is kept."""
        spool = self.root / "spool"
        return [p for p in spool.iterdir() if p.is_file() and p.name[:1] in ("c", "d")]

    def lpadmin(self, *args: str) -> None:
        result = subprocess.run(["lpadmin", "-h", self.socket, *args], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"lpadmin {' '.join(args)} failed: {result.stderr.strip()}")

    def _lpstat_ok(self) -> bool:
        return subprocess.run(["lpstat", "-h", self.socket, "-r"], capture_output=True).returncode == 0

    def _stop(self, name: str) -> None:
        process = self._processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "build/print-lab")
    lab = PrintLab(root).start()
    print(f"print lab ready: CUPS_SERVER={lab.socket} queues {A4_QUEUE} (A4) and {RECEIPT_QUEUE} (receipts); "
          f"printed documents land in {lab.root / 'received'}, tickets in {lab.root / 'receipts'}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

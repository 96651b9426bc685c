"""The installed kiosk as the user 'kiosk', in a fresh Debian 12 root with the package installed: every device through
the system's own services, Chromium's sandbox on, nothing of the kiosk running as root, USB sticks mounted.

What stands in for the kiosk computer's hardware: Xvfb for Xorg (run as the kiosk user, as the unit's rootless X
is), vpcd's virtual reader with our virtual card in the system's pcscd, ippeveprinter behind the system's cupsd,
a TCP listener as the network receipt printer, SANE's test scanner, a loop device as the USB stick. The daemons run
in a network namespace of their own, so their ports never meet the test machine's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inside import run_inside, start_inside

HERE = Path(__file__).resolve().parent
TEST_PARTS = ["vsmartcard-vpcd", "xvfb", "xauth", "cups-ipp-utils"]  # the kiosk computer's "hardware"
DISPLAY = ":7"
A4_PORT, RECEIPT_PORT, PORTAL_PORT = 8631, 9101, 8088
INI = "/etc/kac-kiosk/kiosk.ini"


class KioskComputer:
    """The installed root with its services running, as a kiosk computer after boot (before the kiosk starts)."""

    def __init__(self, root: Path, netns: str):
        self.root, self.netns = root, netns
        self.daemons: list[subprocess.Popen] = []

    def run(self, *command: str, user: str | None = None, **options) -> subprocess.CompletedProcess:
        return run_inside(self.root, list(command), user=user, netns=self.netns, **options)

    def start(self, *command: str, user: str | None = None, env: dict | None = None, **options) -> subprocess.Popen:
        process = start_inside(self.root, list(command), user=user, netns=self.netns, env=env,
                               start_new_session=True, **options)
        self.daemons.append(process)
        return process

    def uid(self, user: str) -> int:
        return int(self.run("id", "-u", user).stdout)

    def stop(self) -> None:
        for process in reversed(self.daemons):
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def set_keys(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text, found = re.subn(rf"^{key} =.*$", f"{key} = {value}", text, flags=re.M)
        assert found == 1, key
    return text


@pytest.fixture(scope="module")
def computer(clone_root):
    """The installed root (a copy on write of it: this changes kiosk.ini) with the kiosk computer's services."""
    root = Path(clone_root.path)
    # Chromium's shared memory: a tmpfs of the root's own, not this machine's /dev/shm seen through /dev.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "tmpfs", str(root / "dev/shm")],
                   check=True)
    run_inside(root, ["apt-get", "install", "-y", "-q", "--no-install-recommends", *TEST_PARTS], timeout=900)
    # The test driver's touches are Kivy's test touches, which import pytest: the harness's need, not the kiosk's.
    wheels = root / "var/tmp/test-wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--dest", str(wheels), "pytest"], check=True)
    run_inside(root, ["/opt/venvs/kac-kiosk/bin/pip", "install", "-q", "--no-index", "--find-links",
                      "/var/tmp/test-wheels", "pytest"])
    netns = f"kac-kiosk-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    subprocess.run(["ip", "-n", netns, "link", "set", "lo", "up"], check=True)
    machine = KioskComputer(root, netns)
    try:
        yield start_services(machine)
    finally:
        machine.stop()
        subprocess.run(["ip", "netns", "del", netns])


def start_services(machine: KioskComputer) -> KioskComputer:
    root = machine.root
    # The runtime folder systemd makes for the unit (RuntimeDirectory=kac-kiosk, mode 0700, the kiosk's own).
    machine.run("install", "-d", "-m", "0700", "-o", "kiosk", "-g", "kiosk", "/run/kac-kiosk")
    machine.start("pcscd", "--foreground", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    machine.run("install", "-d", "-m", "0755", "/run/cups")
    machine.start("cupsd", "-f")
    # The A4 printer: ippeveprinter keeping what it prints, with a bus of its own to announce itself on.
    machine.run("rm", "-rf", "/run/test-printer")
    machine.run("install", "-d", "-o", "lp", "/var/spool/test-a4", "/run/test-printer")
    bus = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/run/test-printer/bus",
           "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/test-printer/bus"}
    machine.start("dbus-daemon", "--session", "--address=unix:path=/run/test-printer/bus", "--nofork",
                  "--nopidfile", user="lp", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: (root / "run/test-printer/bus").exists(), 30, "the printer's bus")
    machine.start("ippeveprinter", "-p", str(A4_PORT), "-n", "localhost", "-r", "off", "-k",
                  "-f", "application/pdf,image/jpeg,image/pwg-raster,image/urf", "-d", "/var/spool/test-a4",
                  "KAC A4", user="lp", env=bus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The receipt printer on the network, and the e-service's portal: small servers of this test, in the netns.
    (root / "var/spool/test-receipts").mkdir(parents=True, exist_ok=True)
    machine.daemons.append(subprocess.Popen(
        ["ip", "netns", "exec", machine.netns, sys.executable, "-c", RECEIPT_PRINTER,
         str(RECEIPT_PORT), str(root / "var/spool/test-receipts/received")], start_new_session=True))
    portal = root / "srv/portal"
    portal.mkdir(parents=True, exist_ok=True)
    (portal / "index.html").write_text("<html><body style='background:#2e7d32'><h1>E-pakalpojums</h1>"
                                       "<input name='vards'></body></html>")
    machine.daemons.append(subprocess.Popen(
        ["ip", "netns", "exec", machine.netns, sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
         "--directory", str(portal), str(PORTAL_PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True))
    wait_until(lambda: machine.run("lpstat", "-r", check=False).stdout.startswith("scheduler is running"), 30,
               "cupsd")
    wait_until(lambda: machine.run("ipptool", "-q", f"ipp://localhost:{A4_PORT}/ipp/print",
                                   "get-printer-attributes.test", check=False).returncode == 0, 30, "the A4 printer")
    machine.run("lpadmin", "-p", "kac-a4", "-E", "-v", f"ipp://localhost:{A4_PORT}/ipp/print", "-m", "everywhere")
    # Xvfb in place of Xorg, as the kiosk user: the unit's X runs rootless too.
    machine.start("Xvfb", DISPLAY, "-screen", "0", "1280x800x24", "-nolisten", "tcp", user="kiosk",
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: (root / f"tmp/.X11-unix/X{DISPLAY[1:]}").exists(), 30, "Xvfb")
    # The eID test CA, and kiosk.ini as an administrator would edit it, then the package's setup run again.
    from tools.virtual_card import make_ca, save_ca_key
    ca_dir = root / "etc/kac-kiosk/test-ca"
    ca_dir.mkdir(exist_ok=True)
    ca = make_ca(ca_dir)
    (ca_dir / "ca.pem").write_bytes(ca.pem())
    save_ca_key(ca, ca_dir)
    machine.run("chmod", "-R", "a+rX", "/etc/kac-kiosk/test-ca")
    ini = root / INI.lstrip("/")
    ini.write_text(set_keys(ini.read_text(encoding="utf-8"), {
        "trusted_ca": "/etc/kac-kiosk/test-ca/ca.pem", "a4_queue": "kac-a4",
        "receipt_printer": f"tcp:127.0.0.1:{RECEIPT_PORT}", "allowed_hosts": "127.0.0.1", "warm_up": "no"}))
    # It exits 1 while the demo's PIN and names are left: this test's kiosk keeps them.
    machine.run("kac-kiosk-setup", check=False)
    assert "127.0.0.1" in (root / "etc/chromium/policies/managed/kac-kiosk.json").read_text()
    return machine


RECEIPT_PRINTER = """
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
while True:
    connection, _ = server.accept()
    with connection, open(sys.argv[2], "ab") as out:
        while data := connection.recv(65536):
            out.write(data)
"""


def processes() -> dict[int, dict]:
    """Every process: its parent, real uid, command line, seccomp mode and user namespace."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":\t", 1) for line in (entry / "status").read_text().splitlines()
                          if ":\t" in line)
            found[int(entry.name)] = {
                "ppid": int(status["PPid"]), "uid": int(status["Uid"].split()[0]),
                "seccomp": status.get("Seccomp", "").strip(), "userns": os.readlink(entry / "ns/user"),
                "cmdline": (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")}
        except (OSError, KeyError, ValueError):
            continue  # gone meanwhile
    return found


def descendants(table: dict[int, dict], pid: int) -> list[int]:
    children = [child for child, info in table.items() if info["ppid"] == pid]
    return children + [grandchild for child in children for grandchild in descendants(table, child)]


def test_the_units_session_command_starts_the_kiosk_as_its_user_and_tells_systemd(computer):
    """kac-kiosk.service's ExecStart runs xinit with /usr/lib/kac-kiosk/session: here Xvfb stands in for Xorg."""
    notify = computer.root / "run/kac-kiosk/notify"
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(str(notify))
    os.chown(notify, computer.uid("kiosk"), -1)
    systemd.settimeout(90)
    session = computer.start("/usr/lib/kac-kiosk/session", user="kiosk", stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True,
                             env={"DISPLAY": DISPLAY, "HOME": "/var/lib/kac-kiosk",
                                  "NOTIFY_SOCKET": "/run/kac-kiosk/notify", "WATCHDOG_USEC": "30000000"})
    try:
        told = []
        while not any(message.startswith("READY=1") for message in told):
            told.append(systemd.recv(4096).decode())
        told.append(systemd.recv(4096).decode())
        assert "WATCHDOG=1" in told
        table = processes()
        kiosk = [pid for pid in descendants(table, session.pid) if "kiosk run" in table[pid]["cmdline"]]
        assert kiosk, "no 'kiosk run' under the session"
        assert table[kiosk[0]]["uid"] == computer.uid("kiosk")
        os.kill(kiosk[0], signal.SIGTERM)  # as systemd stops the unit
        output, _ = session.communicate(timeout=60)
    finally:
        systemd.close()
        notify.unlink()
    assert session.returncode == 0, output
    assert "Traceback" not in output and "WITHOUT its sandbox" not in output


def test_the_out_of_order_session_fills_the_screen_as_the_kiosk_user(computer):
    """kac-kiosk-out-of-order.service, what a crash loop ends on: the same session script with --out-of-order."""
    notice = computer.start("/usr/lib/kac-kiosk/session", "--out-of-order", user="kiosk",
                            env={"DISPLAY": DISPLAY, "HOME": "/var/lib/kac-kiosk"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        def shown_by() -> list[int]:
            table = processes()
            return [pid for pid in descendants(table, notice.pid) if "kiosk out-of-order" in table[pid]["cmdline"]]

        def window() -> str:
            return computer.run("xdotool", "search", "--onlyvisible", "--pid", str(shown_by()[0]), user="kiosk",
                                env={"DISPLAY": DISPLAY}, check=False).stdout.split("\n")[0]
        wait_until(lambda: shown_by() and window(), 60, "the out-of-order window")
        geometry = computer.run("xdotool", "getwindowgeometry", window(), user="kiosk", env={"DISPLAY": DISPLAY}).stdout
        assert "Position: 0,0" in geometry and "Geometry: 1280x800" in geometry, geometry
        table = processes()
        pid = shown_by()[0]
        assert {table[pid]["uid"] for pid in [pid, *descendants(table, pid)]} == {computer.uid("kiosk")}
    finally:
        os.killpg(notice.pid, signal.SIGTERM)
        output, _ = notice.communicate(timeout=30)
    assert "Traceback" not in output


def test_a_whole_visit_as_the_kiosk_user_with_chromium_sandboxed_and_nothing_left(computer):
    script = computer.root / "var/lib/kac-kiosk/visit_as_kiosk.py"
    shutil.copy(HERE / "visit_as_kiosk.py", script)
    os.chmod(script, 0o644)
    visit = computer.start("/opt/venvs/kac-kiosk/bin/python", "/var/lib/kac-kiosk/visit_as_kiosk.py", INI,
                           "/etc/kac-kiosk/test-ca", f"http://127.0.0.1:{PORTAL_PORT}/", user="kiosk",
                           env={"DISPLAY": DISPLAY, "HOME": "/var/lib/kac-kiosk"}, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    steps = {}
    try:
        while "page open" not in steps:
            line = visit.stdout.readline()
            assert line, f"the visit stopped at {list(steps)}: {visit.stderr.read()[-3000:]}"
            if line.startswith("{"):
                step = json.loads(line)
                steps[step["step"]] = step
        kiosk_uid = computer.uid("kiosk")
        table = processes()
        kiosk_pid = steps["page open"]["kiosk_pid"]
        # Nothing of the kiosk runs as root: the kiosk, Chromium and everything they started.
        tree = [kiosk_pid] + descendants(table, kiosk_pid)
        assert {table[pid]["uid"] for pid in tree} == {kiosk_uid}, [table[pid] for pid in tree]
        browser = [table[pid] for pid in steps["page open"]["pids"] if pid in table]
        assert browser and not any("--no-sandbox" in info["cmdline"] for info in browser)
        renderers = [info for info in browser if "--type=renderer" in info["cmdline"]]
        assert renderers, [info["cmdline"][:200] for info in browser]
        for renderer in renderers:
            assert renderer["seccomp"] == "2", renderer["cmdline"][:200]  # seccomp-bpf
            assert renderer["userns"] != table[kiosk_pid]["userns"]  # the namespace sandbox
        visit.stdin.write("go on\n")
        visit.stdin.flush()
        output, errors = visit.communicate(timeout=120)
    finally:
        visit.kill()
    for line in output.splitlines():
        if line.startswith("{"):
            step = json.loads(line)
            steps[step["step"]] = step
    assert visit.returncode == 0, errors[-3000:]
    assert {"logged in", "printed", "ticket", "page open", "wiped"} <= set(steps)
    wiped = steps["wiped"]
    assert wiped["clean"] and wiped["browser_left"] == 0 and "print jobs" in wiped["wipers"]
    # The copy reached the printer, the ticket the receipt printer; CUPS keeps neither job nor file.
    assert list((computer.root / "var/spool/test-a4").iterdir())
    assert steps["ticket"]["number"].encode() in (computer.root / "var/spool/test-receipts/received").read_bytes()
    assert computer.run("lpstat", "-W", "all", "-o").stdout.strip() == ""
    assert not [path.name for path in (computer.root / "var/spool/cups").iterdir() if path.name[0] in "cd"]
    assert list((computer.root / "run/kac-kiosk/visits").iterdir()) == []  # the visit's folder is gone


# One mount namespace for the whole stick's life: udisks2 mounts in its own namespace, and the kiosk must see it.
# No network namespace: the kernel sends its device events (uevents) to the first one only.
STICK_LIFE = r"""
set -eu
dev="" daemons=""
mkdir -p /run/dbus /run/udev /run/test-usb
stop() { kill $daemons 2>/dev/null || true; [ -z "$dev" ] || losetup -d "$dev"; }
trap stop EXIT
trap 'exit 1' INT TERM
# What a kiosk computer runs at boot: the system bus, udev, polkit and udisks2 (their words in /run/test-usb).
dbus-daemon --system --nofork --nopidfile >/run/test-usb/dbus.log 2>&1 &
daemons="$daemons $!"
until [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done
/lib/systemd/systemd-udevd >/run/test-usb/udevd.log 2>&1 &
daemons="$daemons $!"
/usr/lib/polkit-1/polkitd --no-debug >/run/test-usb/polkitd.log 2>&1 &
daemons="$daemons $!"
/usr/libexec/udisks2/udisksd >/run/test-usb/udisksd.log 2>&1 &
daemons="$daemons $!"
until udisksctl status >/dev/null 2>&1; do sleep 0.2; done
# The automounter exactly as its unit starts it, as the kiosk user.
automount=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/kac-kiosk-automount.service)
runuser -u kiosk -- $automount >/run/test-usb/udiskie.log 2>&1 &
daemons="$daemons $!"
sleep 2
# The stick is plugged in.
dev=$(losetup -f --show /var/tmp/kac-usb-stick-test.img)
for _ in $(seq 100); do findmnt -n -S "$dev" >/dev/null && break; sleep 0.2; done
echo "mounted: $(findmnt -n -o TARGET,OPTIONS -S "$dev")"
echo "owner: $(stat -c %U "$(findmnt -n -o TARGET -S "$dev")")"
# The kiosk finds it, writes a scan onto it and unmounts it, as its "Save to USB" does.
runuser -u kiosk -- env HOME=/var/lib/kac-kiosk /opt/venvs/kac-kiosk/bin/python -c '
from pathlib import Path
from kiosk.usb import WatchedSticks
sticks = WatchedSticks(Path("/media/kiosk"), print)
print("found:", [(stick.label, stick.filesystem) for stick in sticks.find()])
scan = Path("/var/lib/kac-kiosk/scan.pdf")
scan.write_bytes(b"%PDF-1.4 scanned")
print("written:", sticks.save(scan, "skenets", ".pdf"))
'
findmnt -n -S "$dev" >/dev/null && echo "still mounted" || echo "unmounted"
"""


def test_a_usb_stick_is_mounted_for_the_kiosk_user_noexec_found_written_and_unmounted(computer):
    root = computer.root
    # Loop devices are the computer's own disks to udisks2; this one plays a stick plugged into a USB port.
    # Only this test's loop device: the machine's other loop devices (other tests' sticks) stay system disks.
    rule = root / "etc/udev/rules.d/99-test-loop-is-a-stick.rules"
    rule.parent.mkdir(parents=True, exist_ok=True)
    rule.write_text('KERNEL=="loop*", ATTR{loop/backing_file}=="*/kac-usb-stick-test.img", '
                    'ENV{UDISKS_SYSTEM}="0"\n')
    kiosk_uid = int(run_inside(root, ["id", "-u", "kiosk"]).stdout)
    image = root / "var/tmp/kac-usb-stick-test.img"
    image.parent.mkdir(parents=True, exist_ok=True)
    with open(image, "wb") as out:
        out.truncate(16 * 1024 * 1024)
    # FAT as residents' sticks are, where the kernel has it; this test machine's kernel has only ext4 (whose
    # files are the kiosk user's by their owner, as udisks2's uid= option makes a FAT stick's).
    filesystems = Path("/proc/filesystems").read_text()
    if "vfat" in filesystems:
        subprocess.run(["mkfs.vfat", "-n", "MANS USB", str(image)], check=True, capture_output=True)
    else:
        subprocess.run(["mkfs.ext4", "-q", "-L", "MANS USB", "-E", f"root_owner={kiosk_uid}:{kiosk_uid}",
                        str(image)], check=True)
    try:
        result = run_inside(root, ["sh", "-c", STICK_LIFE], timeout=180)
    finally:
        rule.unlink()
        image.unlink()
    lines = result.stdout
    mounted = next(line for line in lines.splitlines() if line.startswith("mounted:"))
    assert mounted.startswith("mounted: /media/kiosk/MANS USB "), lines + result.stderr
    assert {"nosuid", "nodev", "noexec"} <= set(mounted.split()[-1].split(",")), mounted
    assert "owner: kiosk" in lines
    assert "found: [('MANS USB'," in lines and "written: skenets" in lines
    assert lines.strip().endswith("unmounted"), lines + result.stderr


# A user namespace of the computer's whole user range (the same uids inside and out), whose own limit on user
# namespaces is 0: in it, the real kiosk user may not make one for Chromium, as on a kernel that forbids them.
NO_USER_NAMESPACES = r"""
import ctypes, os, sys
ready, go = os.pipe(), os.pipe()
child = os.fork()
if child == 0:
    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER
        sys.exit("unshare: " + os.strerror(ctypes.get_errno()))
    os.write(ready[1], b"!")
    os.read(go[0], 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as limit:
        limit.write("0")
    os.execvp("runuser", ["runuser", "-u", "kiosk", "--", *sys.argv[1:]])
os.read(ready[0], 1)
for name in ("uid_map", "gid_map"):
    with open(f"/proc/{child}/{name}", "w") as mapping:
        mapping.write("0 0 4294967295")
os.write(go[1], b"!")
sys.exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
"""

WAYS_HERE = """
from kiosk.config import load_settings
from kiosk.core import KioskCore
core = KioskCore(load_settings("/etc/kac-kiosk/kiosk.ini"))
service = next(service for service in core.catalog.require().services if "self" in service.channels.names())
print("ways:", ",".join(core.ways_here(service)))
"""


def test_where_chromiums_sandbox_cannot_start_no_page_is_offered_and_the_doctor_says_why(computer):
    home = {"HOME": "/var/lib/kac-kiosk"}
    doctor = computer.run("python3", "-c", NO_USER_NAMESPACES, "/opt/venvs/kac-kiosk/bin/kiosk", "doctor",
                          "--config", INI, "--json", env=home, check=False)
    checks = {check["name"]: check for check in json.loads(doctor.stdout)}
    assert doctor.returncode == 1 and not checks["browser sandbox"]["ok"], doctor.stdout
    assert "sandbox cannot start" in checks["browser sandbox"]["detail"]
    ways = computer.run("python3", "-c", NO_USER_NAMESPACES, "/opt/venvs/kac-kiosk/bin/python", "-c", WAYS_HERE,
                        env=home).stdout
    assert "ways: " in ways and "self" not in ways.split("ways: ")[1], ways
    # The same kiosk user where the kernel allows them: the page is offered again.
    assert "self" in computer.run("/opt/venvs/kac-kiosk/bin/python", "-c", WAYS_HERE, user="kiosk", env=home).stdout

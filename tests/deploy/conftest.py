"""Install tests: the Debian packages built once per session, and fresh Debian 12 roots to install them into.

A fresh root (mmdebstrap, minbase) is what a kiosk computer starts from: whatever this machine has installed for
the other tests would hide a missing Depends, and installing the package here would put the kiosk's Chromium
policies (URLBlocklist "*") into this machine's /etc/chromium, where they would block every other Chromium test.
This machine's own /etc is never touched.

No systemd runs in a root (nor on this machine): /usr/sbin/policy-rc.d there refuses every service start during
installations, so no daemon outlives a test unseen; a test that wants one (pcscd, cupsd, PostgreSQL) starts it
itself, and every process still running inside a root is killed before the root is unmounted and deleted.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
# Downloaded .debs kept between roots and between sessions: a root's second installation downloads nothing. Each
# root gets hard links to them in its own /var/cache/apt/archives and gives back what it downloaded: a shared
# folder bind-mounted into every root would also share apt's lock there, and sessions running side by side
# would fail on it.
APT_CACHE = BUILD / "deploy-test" / "apt-archives"
# What the packages are made of: a newer file than the built packages means building them again.
PACKAGE_SOURCES = ("debian", "deploy", "kiosk", "screens", "printers", "staffdesk", "tools", "assets",
                   "pyproject.toml", "kiosk.ini")
CLEAN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
             "HOME": "/root", "TERM": "dumb", "DEBIAN_FRONTEND": "noninteractive"}


@dataclasses.dataclass(frozen=True)
class Debs:
    kiosk: Path
    staffdesk: Path
    lintian_report: Path
    # lintian, still running beside the install tests (None when the report was there before this session).
    lintian: subprocess.Popen | None = dataclasses.field(default=None, compare=False)

    def linted(self) -> Path:
        """lintian's report on these packages, once lintian has finished."""
        if self.lintian is not None:
            self.lintian.wait(timeout=1800)
        return self.lintian_report


def _newest_source_mtime() -> float:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                             *PACKAGE_SOURCES], cwd=ROOT, capture_output=True, check=True).stdout
    newest = 0.0
    for name in filter(None, listed.decode().split("\0")):
        try:
            newest = max(newest, (ROOT / name).stat().st_mtime)
        except FileNotFoundError:  # deleted in the working tree, still in git's index
            pass
    return newest


def _packages() -> tuple[Path, Path] | None:
    kiosk, desk = sorted(BUILD.glob("kac-kiosk_*.deb")), sorted(BUILD.glob("kac-staffdesk_*.deb"))
    return (kiosk[0], desk[0]) if len(kiosk) == 1 and len(desk) == 1 else None


@pytest.fixture(scope="session")
def debs():
    """build/kac-kiosk_*.deb, build/kac-staffdesk_*.deb and lintian's report on them (build/lintian.txt). `make
    packages` runs here unless all three are newer than every file the packages are made of (a clean clone, as in
    CI, always builds); lintian then runs beside the install tests, which need only the packages (two minutes of a
    2-core machine's time off the way). The build's output goes to build/deb.log."""
    packages, report = _packages(), BUILD / "lintian.txt"
    newest = _newest_source_mtime()
    if packages and report.exists() and min(path.stat().st_mtime for path in (*packages, report)) > newest:
        yield Debs(*packages, report)
        return
    log = BUILD / "deb.log"
    BUILD.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    with open(log, "wb") as output:
        # gzip, not the released packages' xz: the same files inside, a minute less of compressing.
        done = subprocess.run(["make", "packages", "DEB_COMPRESSION=-Zgzip -z1"], cwd=ROOT, stdout=output,
                              stderr=subprocess.STDOUT, timeout=3600)
    packages = _packages()
    if packages is None or done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"make packages failed ({done.returncode}); the end of {log}:\n{tail}", pytrace=False)
    with open(report, "wb") as output:
        lintian = subprocess.Popen(["lintian", "--fail-on", "error", *map(str, packages)], stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield Debs(*packages, report, lintian)
    finally:
        if lintian.poll() is None:
            lintian.kill()
            lintian.wait()
            report.unlink(missing_ok=True)  # half a report must not pass for a whole one next time


class DebianRoot:
    """A Debian 12 root under a temporary folder, with /proc, /sys, /dev and /dev/pts bind-mounted, the .debs
    other roots downloaded at hand (APT_CACHE), and service starts refused (policy-rc.d). Commands run in it by
    chroot, with a clean environment (nothing of this machine's PATH, virtualenv or pip settings leaks in).

        root.path                      the root on this machine: root.path / "etc/kac-kiosk/kiosk.ini"
        root.run("id", "kiosk")        a command as root in it; check=True raises with its output on failure
        root.run(..., user="kiosk")    the same through runuser -u kiosk (the kiosk user's HOME, no login shell)
        root.popen(...)                the same, left running (popen's arguments; killed at teardown at the latest)
        root.install("xvfb", ...)      apt-get install --no-install-recommends, Debian packages or ./files in it
        root.copy_in(host_file, "/tmp/x")  a file of this machine into the root; returns the path inside
        root.install_log               what apt-get and the maintainer scripts said when the package went in
    """

    def __init__(self, path: Path):
        self.path = path
        self.mounts: list[Path] = []
        self.install_log = ""

    def _mount(self, source: str, target: str, *options: str) -> None:
        point = self.path / target.lstrip("/")
        point.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *options, source, str(point)], check=True, capture_output=True)
        self.mounts.append(point)

    def mount_system(self) -> None:
        self._mount("/proc", "/proc", "--bind")
        self._mount("/sys", "/sys", "--bind")
        self._mount("/dev", "/dev", "--bind")
        self._mount("/dev/pts", "/dev/pts", "--bind")

    def command(self, *command: str, user: str | None = None) -> list[str]:
        inner = ["runuser", "-u", user, "--", *command] if user else list(command)
        return ["chroot", str(self.path), *inner]

    def run(self, *command: str, user: str | None = None, check: bool = True, input: str | None = None,
            env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
        done = subprocess.run(self.command(*command, user=user), input=input, capture_output=True, text=True,
                              env={**CLEAN_ENV, **(env or {})}, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} (as {user or 'root'}) exited with {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def popen(self, *command: str, user: str | None = None, env: dict | None = None, **options) -> subprocess.Popen:
        return subprocess.Popen(self.command(*command, user=user), env={**CLEAN_ENV, **(env or {})}, **options)

    def install(self, *packages: str) -> str:
        archives = self.path / "var/cache/apt/archives"
        archives.mkdir(parents=True, exist_ok=True)
        APT_CACHE.mkdir(parents=True, exist_ok=True)
        _link_debs(APT_CACHE, archives)
        try:
            # unsafe-io: dpkg skips its fsyncs, which only matter when the power fails mid-installation, and which
            # take most of the time of a few hundred packages here.
            done = self.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "-o",
                            "Dpkg::Options::=--force-unsafe-io", *packages, timeout=1800)
        finally:
            _link_debs(archives, APT_CACHE)
        return done.stdout + done.stderr

    def copy_in(self, host_file: Path, inside: str) -> str:
        target = self.path / inside.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(host_file, target)  # the same file system: no 170 MB copy
        except OSError:
            shutil.copyfile(host_file, target)
        return inside

    def processes(self) -> list[int]:
        """Every process whose root is this root."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.readlink(entry / "root") == str(self.path):
                        found.append(int(entry.name))
                except OSError:
                    pass
        return found

    def close(self) -> None:
        """Kills what still runs inside, unmounts everything (even what a test mounted below the root), and deletes
        the root only when nothing is mounted there any more: never through a bind mount into this machine."""
        for signal_number in (15, 9):
            for pid in self.processes():
                try:
                    os.kill(pid, signal_number)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 10
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.2)
        for point in sorted(mounted_below(self.path), key=lambda p: len(str(p)), reverse=True):
            if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "--lazy", str(point)], capture_output=True)
        left = mounted_below(self.path)
        if left:
            raise RuntimeError(f"still mounted below {self.path}, so it was not deleted: {left}")
        shutil.rmtree(self.path, ignore_errors=True)


def _link_debs(source: Path, target: Path) -> None:
    for deb in source.glob("*.deb"):
        if not (target / deb.name).exists():
            try:
                os.link(deb, target / deb.name)
            except FileExistsError:  # another session gave it back just now
                pass
            except OSError:  # another file system: copied whole before it appears under its name
                shutil.copyfile(deb, target / f".{deb.name}.part")
                os.replace(target / f".{deb.name}.part", target / deb.name)


def mounted_below(path: Path) -> list[Path]:
    prefix = str(path).rstrip("/") + "/"
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == str(path) or point.startswith(prefix):
            points.append(Path(point))
    return points


@pytest.fixture(scope="session")
def debian_tarball(tmp_path_factory) -> Path:
    """A Debian 12 minbase root as a tarball, made once a session by mmdebstrap from this machine's apt sources."""
    if shutil.which("mmdebstrap") is None:
        pytest.fail("mmdebstrap is missing: 'make packages' installs it (apt-get install mmdebstrap)", pytrace=False)
    tarball = tmp_path_factory.mktemp("debian") / "bookworm-minbase.tar"
    done = subprocess.run(["mmdebstrap", "--variant=minbase", "--quiet", "bookworm", str(tarball)],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"mmdebstrap failed ({done.returncode}): {done.stderr[-3000:]}", pytrace=False)
    return tarball


def new_root(tarball: Path, name: str) -> DebianRoot:
    """A root unpacked from the tarball, mounted, able to install packages (its package lists fetched)."""
    # Under /tmp, not pytest's own folders: those are private to root (0700), and the kiosk user must reach its
    # files inside the root.
    path = Path(tempfile.mkdtemp(prefix=f"kac-{name}-root-"))
    os.chmod(path, 0o755)
    root = DebianRoot(path)
    try:
        subprocess.run(["tar", "-xf", str(tarball), "-C", str(path)], check=True)
        root.mount_system()
        policy = path / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\n# Install tests: no service starts while packages are installed.\nexit 101\n")
        policy.chmod(0o755)
        shutil.copyfile("/etc/resolv.conf", path / "etc/resolv.conf")
        root.run("apt-get", "update", "-q", timeout=600)
    except BaseException:
        root.close()
        raise
    return root


@pytest.fixture(scope="session")
def kiosk_root(debs, debian_tarball):
    """A fresh Debian 12 root with kac-kiosk installed as an administrator would (apt-get install ./the.deb; only
    its Depends, no Recommends, so a missing Depends shows), shared by the session's tests: use it read-only, or
    undo what you change (the package's own upgrade and removal are tested in a copy of it, see clone_root).

    A whole visit as the kiosk user can run here: install what the test needs besides the package
    (kiosk_root.install("xvfb", "vsmartcard-vpcd")), start the services it needs inside (pcscd, cupsd) with
    kiosk_root.popen(...), and run the unit's session as the unit does, under Xvfb in place of Xorg:
        kiosk_root.popen("xvfb-run", "-a", "/usr/lib/kac-kiosk/session", user="kiosk",
                         env={"KAC_KIOSK_CONFIG": "/etc/kac-kiosk/test.ini"})
    A chroot is not enough for Chromium's sandbox (the kernel refuses it a user namespace there): inside.py runs
    commands in the root pivoted to `/` in a mount namespace of their own instead.
    The package's kiosk.ini is /etc/kac-kiosk/kiosk.ini (root:kiosk 0640); /etc/kac-kiosk/eid-ca.pem is not
    there (the administrator's to supply; the kiosk refuses to start without it). Processes left running inside
    are killed when the session ends.
    """
    root = new_root(debian_tarball, "kiosk")
    try:
        inside = root.copy_in(debs.kiosk, f"/tmp/{debs.kiosk.name}")
        root.install_log = root.install(inside)
        yield root
    finally:
        root.close()


@pytest.fixture(scope="session")
def desk_root(debs, debian_tarball):
    """A second fresh root (the same tarball) with kac-staffdesk, PostgreSQL and nginx installed. PostgreSQL is
    not started (policy-rc.d); the tests start it, on its socket only (no TCP port of this machine)."""
    root = new_root(debian_tarball, "desk")
    try:
        inside = root.copy_in(debs.staffdesk, f"/tmp/{debs.staffdesk.name}")
        root.install_log = root.install(inside, "postgresql", "nginx", "openssl")
        yield root
    finally:
        root.close()


class Overlay(DebianRoot):
    """A copy-on-write copy of another root (overlayfs): what happens in it leaves the original as it was."""

    def __init__(self, lower: Path):
        self.work = Path(tempfile.mkdtemp(prefix="kac-overlay-"))
        os.chmod(self.work, 0o755)
        for name in ("upper", "work", "merged"):
            (self.work / name).mkdir()
        super().__init__(self.work / "merged")
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={lower},upperdir={self.work / 'upper'},workdir={self.work / 'work'}",
                        str(self.path)], check=True, capture_output=True)
        self.mount_system()

    def close(self) -> None:
        for pid in self.processes():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        for point in sorted(mounted_below(self.path), key=lambda p: len(str(p)), reverse=True):
            subprocess.run(["umount", str(point)], capture_output=True)
        left = mounted_below(self.path)
        if left:
            raise RuntimeError(f"still mounted below {self.path}, so it was not deleted: {left}")
        shutil.rmtree(self.work, ignore_errors=True)


def _copy_on_write(kiosk_root):
    root = Overlay(kiosk_root.path)
    try:
        yield root
    finally:
        root.close()


@pytest.fixture
def scratch_root(kiosk_root):
    """kiosk_root copied on write for one test that changes what it likes."""
    yield from _copy_on_write(kiosk_root)


@pytest.fixture(scope="module")
def clone_root(kiosk_root):
    """kiosk_root as it is now, copied on write: for the tests that upgrade, remove and purge the package."""
    yield from _copy_on_write(kiosk_root)

"""The resident's USB sticks, for scans, prints and the browser's files: find the mounted ones, watch them come and
go, write a file safely, unmount."""

from __future__ import annotations

import enum
import errno
import logging
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

MOUNTINFO = Path("/proc/self/mountinfo")
# File systems a USB stick comes with; anything else below the root (a tmpfs, a bind mount) is not a stick.
STICK_FILESYSTEMS = {"vfat", "exfat", "ntfs", "ntfs3", "fuseblk", "ext2", "ext3", "ext4"}
SPARE_BYTES = 64 * 1024  # directory entries and FAT clusters beyond the file's own size
UNMOUNT_TRIES = 5


class UsbProblem(enum.Enum):
    """What went wrong with a stick; each user words it for what it was saving (a scan, a downloaded file)."""
    NO_STICK = "no stick"
    FULL = "full"
    WRITE_FAILED = "write failed"
    STILL_IN_USE = "still in use"


class UsbError(Exception):
    """A stick's failure: `problem` says which; the text is for the log and names no file or label."""

    def __init__(self, problem: UsbProblem, detail: str):
        super().__init__(detail)
        self.problem = problem


@dataclass(frozen=True)
class UsbStick:
    device: str      # /dev/sdb1
    mount_point: Path
    filesystem: str

    @property
    def label(self) -> str:
        """What the resident may recognise: udisks names the mount point after the stick's label."""
        return self.mount_point.name


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash in paths as octal escapes (\040...).
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1:index + 4].isdigit():
            out.append(chr(int(field[index + 1:index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)


def parse_mountinfo(text: str, root: Path) -> tuple[UsbStick, ...]:
    """Writable block-device mounts of stick file systems strictly below `root`, in mount order."""
    root = Path(os.path.normpath(root))
    sticks = []
    for line in text.splitlines():
        head, separator, tail = line.partition(" - ")
        if not separator:
            continue
        fields, after = head.split(), tail.split()
        if len(fields) < 6 or len(after) < 2:
            continue
        mount_point = Path(_unescape(fields[4]))
        filesystem, source = after[0], _unescape(after[1])
        writable = "rw" in fields[5].split(",")
        if (filesystem in STICK_FILESYSTEMS and source.startswith("/dev/") and writable
                and root in mount_point.parents):
            sticks.append(UsbStick(source, mount_point, filesystem))
    return tuple(sticks)


def find_sticks(root: Path, mountinfo: Path = MOUNTINFO) -> tuple[UsbStick, ...]:
    try:
        return parse_mountinfo(mountinfo.read_text(encoding="utf-8", errors="replace"), root)
    except OSError:
        return ()


def free_bytes(stick: UsbStick) -> int:
    stats = os.statvfs(stick.mount_point)
    return stats.f_bavail * stats.f_frsize


def _unique_name(directory: Path, stem: str, suffix: str = ".pdf") -> Path:
    for number in range(1, 1000):
        candidate = directory / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        if not candidate.exists():
            return candidate
    raise UsbError(UsbProblem.WRITE_FAILED, "no free file name on the stick")


def write_to_stick(pdf: Path, stick: UsbStick, stem: str, suffix: str = ".pdf") -> str:
    """Copy the file onto the stick under a new name, flushed to the device; return the name it got."""
    size = pdf.stat().st_size
    try:
        if free_bytes(stick) < size + SPARE_BYTES:
            raise UsbError(UsbProblem.FULL, "not enough free space on the stick")
    except OSError:
        raise UsbError(UsbProblem.WRITE_FAILED, "the stick's free space cannot be read") from None
    # FAT forbids ':' and friends; a date and time make names that sort and never collide in practice.
    target = _unique_name(stick.mount_point, stem, suffix)
    try:
        # O_EXCL: a file of the resident's own is never overwritten, even if one appeared meanwhile.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        raise UsbError(UsbProblem.WRITE_FAILED, f"creating the file failed: {errno.errorcode.get(error.errno)}"
                       ) from None
    try:
        with os.fdopen(descriptor, "wb") as out, open(pdf, "rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        directory = os.open(stick.mount_point, os.O_RDONLY)
        try:
            os.fsync(directory)  # the directory entry too, or the file may be missing after the stick is pulled
        finally:
            os.close(directory)
    except OSError as error:
        target.unlink(missing_ok=True)
        problem = UsbProblem.FULL if error.errno in (errno.ENOSPC, errno.EDQUOT) else UsbProblem.WRITE_FAILED
        raise UsbError(problem, f"writing failed: {errno.errorcode.get(error.errno)}") from None
    return target.name


def unmount(stick: UsbStick) -> None:
    """Unmount, so the stick can be pulled out; raise UsbError(STILL_IN_USE) when it stays mounted."""
    # udisks2 unmounts what it mounted for the kiosk user (a kiosk computer); umount what root mounted (a
    # developer's checkout run as root). Either may be absent or refuse: the other is tried.
    commands = [["umount", str(stick.mount_point)]]
    if shutil.which("udisksctl"):
        commands.insert(0, ["udisksctl", "unmount", "--no-user-interaction", "-b", stick.device])
    failures = []
    for attempt in range(UNMOUNT_TRIES):
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
            # Only a mount table without the stick proves that every byte reached it.
            if not still_mounted(stick):
                return
            failures.append(f"{command[0]} exited with {result.returncode}")
        time.sleep(0.2 * (attempt + 1))  # "target is busy": a file manager or the indexer lets go soon
    # Not their messages: those name the mount point, which udisks names after the stick's label.
    log.error("unmounting the USB stick failed: %s", "; ".join(failures[-len(commands):]))
    raise UsbError(UsbProblem.STILL_IN_USE, "the stick could not be unmounted")


def still_mounted(stick: UsbStick, mountinfo: Path = MOUNTINFO) -> bool:
    root = stick.mount_point.parent
    return any(found.mount_point == stick.mount_point for found in find_sticks(root, mountinfo))


class UsbWatcher:
    """Polls the mount table about once a second and reports the sticks whenever they change."""

    def __init__(self, root: Path, on_change: Callable[[tuple[UsbStick, ...]], None], interval_s: float = 1.0,
                 mountinfo: Path = MOUNTINFO):
        self.root = root
        self.on_change = on_change
        self.interval_s = interval_s
        self.mountinfo = mountinfo
        self.sticks: tuple[UsbStick, ...] = ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        # The first report comes at once, so a stick already plugged in is offered straight away.
        self.sticks = find_sticks(self.root, self.mountinfo)
        self.on_change(self.sticks)
        self._thread = threading.Thread(target=self._run, name="usb-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            sticks = find_sticks(self.root, self.mountinfo)
            if sticks != self.sticks:
                self.sticks = sticks
                self.on_change(sticks)


class WatchedSticks:
    """The sticks under the kiosk's mount root, watched while at least one screen wants to know: each `watch()`
    is a handle of its own, so a screen entering and another leaving, in either order, keep the one watcher right.
    """

    def __init__(self, root: Path, on_change: Callable[[tuple[UsbStick, ...]], None], interval_s: float = 1.0,
                 mountinfo: Path = MOUNTINFO):
        self.root = Path(root)
        self._watcher = UsbWatcher(self.root, on_change, interval_s, mountinfo)
        self._mountinfo = mountinfo
        self._handles: set[StickWatch] = set()
        self._lock = threading.Lock()

    def find(self) -> tuple[UsbStick, ...]:
        return find_sticks(self.root, self._mountinfo)

    def watch(self) -> StickWatch:
        """Report the sticks now (through on_change) and whenever they change, until the handle is stopped."""
        handle = StickWatch(self)
        with self._lock:
            self._handles.add(handle)
            first = len(self._handles) == 1
        if first:
            self._watcher.start()
        else:
            self._watcher.on_change(self.find())  # the new watcher hears the sticks at once too
        return handle

    def _unwatch(self, handle: StickWatch) -> None:
        with self._lock:
            if handle not in self._handles:
                return
            self._handles.discard(handle)
            last = not self._handles
        if last:
            self._watcher.stop()

    def save(self, path: Path, stem: str, suffix: str) -> str:
        """`path` onto the first stick under a new name, flushed and unmounted: the name it got, or UsbError."""
        sticks = self.find()
        if not sticks:
            raise UsbError(UsbProblem.NO_STICK, "no stick")
        name = write_to_stick(path, sticks[0], stem, suffix)
        unmount(sticks[0])
        return name

    def stop(self) -> None:
        with self._lock:
            self._handles.clear()
        self._watcher.stop()


class StickWatch:
    """One screen's wish to hear of sticks; `stop()` ends it (again is harmless)."""

    def __init__(self, sticks: WatchedSticks):
        self._sticks = sticks

    def stop(self) -> None:
        self._sticks._unwatch(self)

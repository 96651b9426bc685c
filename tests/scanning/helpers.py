"""Helpers of the scanning tests: events as the UI gets them, pdfinfo fields, /tmp contents, a loop-mounted stick."""

from __future__ import annotations

import fnmatch
import os
import queue
import subprocess
import tempfile
import time
from pathlib import Path

TMP = Path("/tmp")


class Events:
    """The service's events, as the core's thread would receive them: an event of a visit's work is recorded in
    the visit as it is taken (Visit.record), as the core does."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self.seen: list[object] = []

    def put(self, event, visit=None) -> None:
        self.queue.put((event, visit))

    def until(self, *kinds: type, timeout: float = 60.0):
        """Events up to and including the first of `kinds`; fails the test if it does not come."""
        deadline = time.monotonic() + timeout
        got = []
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {[kind.__name__ for kind in kinds]} within {timeout} s; got {got}"
            try:
                event, visit = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            if visit is not None:
                visit.record(event)
            got.append(event)
            self.seen.append(event)
            if isinstance(event, kinds):
                return got


def pdf_info(path: Path, first: int = 1, last: int = 1) -> dict[str, str]:
    """pdfinfo's fields; with -f/-l it prints 'Page N size' and 'Page N rot' per page."""
    output = subprocess.run(["pdfinfo", "-f", str(first), "-l", str(last), str(path)], capture_output=True,
                            text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())}


# What our tools would leave in /tmp if they ignored TMPDIR or the visit folder: leptonica's debug folder,
# tesseract's files, page images and PDFs. Other programs on a shared test machine create their own entries in
# /tmp at the same time, so the check looks for these, not for any new name.
LEAK_PATTERNS = ("lept*", "tess*", "*.png", "*.pnm", "*.tif", "*.tiff", "*.pdf", "*.hocr", "*.txt", "*.box",
                 "page-*", "upright-*", "ocr*", "scan*")


def tmp_entries() -> set[str]:
    """Entries of /tmp, and of this process's TMPDIR where that is another folder (make test gives each of its
    pytest processes one), that look like scans or OCR files (see LEAK_PATTERNS)."""
    return {str(folder / name) for folder in {TMP, Path(tempfile.gettempdir())} for name in os.listdir(folder)
            if any(fnmatch.fnmatch(name, pattern) for pattern in LEAK_PATTERNS)}


def kernel_filesystems() -> set[str]:
    with open("/proc/filesystems", encoding="ascii") as handle:
        return {line.split()[-1] for line in handle if line.strip()}


class LoopStick:
    """A stick's file system image on a loop device, mounted below a private usb_mount_root like udisks would.

    FAT, as sticks come, when the kernel has vfat; some kernels (minimal VMs, containers) lack it, and then
    ext4, which the kiosk accepts as well: the mount table, the writing and the unmounting are the same."""

    def __init__(self, image: Path, root: Path, label: str = "KIOSKTEST"):
        self.image, self.root, self.label = image, root, label
        self.mount_point = root / "resident" / label
        self.loop = ""
        self.filesystem = "vfat" if "vfat" in kernel_filesystems() else "ext4"

    def create(self, size_mb: int) -> "LoopStick":
        with open(self.image, "wb") as handle:
            handle.truncate(size_mb * 1024 * 1024)
        make = (["mkfs.vfat", "-n", self.label] if self.filesystem == "vfat"
                else ["mkfs.ext4", "-q", "-m", "0", "-L", self.label])  # -m 0: no blocks kept back for root
        subprocess.run(make + [str(self.image)], check=True, capture_output=True)
        self.loop = subprocess.run(["losetup", "--find", "--show", str(self.image)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        return self

    def mount(self, read_only: bool = False) -> "LoopStick":
        self.mount_point.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", self.filesystem, "-o", "ro" if read_only else "rw", self.loop,
                        str(self.mount_point)], check=True, capture_output=True)
        return self

    def is_mounted(self) -> bool:
        return subprocess.run(["mountpoint", "-q", str(self.mount_point)]).returncode == 0

    def unmount(self) -> None:
        if self.is_mounted():
            subprocess.run(["umount", str(self.mount_point)], check=True)

    def remove(self) -> None:
        self.unmount()
        if self.loop:
            subprocess.run(["losetup", "-d", self.loop], check=True)
            self.loop = ""

"""The scanner itself, over python-sane: find it, open it, set it up, take pages; faults become Problems."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Callable

from PIL import Image

from kiosk.scanning.modes import A4_MM, ScanRequest, Source, pick_mode, pick_resolution, pick_source
from kiosk.scanning.problems import Problem, ScanError

log = logging.getLogger(__name__)
SIG_IGN = 1  # signal.h

# sane_strstatus() texts, which python-sane passes on as the exception's message (SANE does not translate them).
STATUS_PROBLEMS = {
    "Document feeder jammed": Problem.JAMMED,
    "Document feeder out of documents": Problem.FEEDER_EMPTY,
    "Scanner cover is open": Problem.COVER_OPEN,
    "Device busy": Problem.SCANNER_BUSY,
    "Error during device I/O": Problem.NO_SCANNER,
    "Access to resource has been denied": Problem.NO_SCANNER,
}
NO_DOCS = "Document feeder out of documents"
SYSTEM_CONFIG_DIR = Path("/etc/sane.d")

_sane_lock = threading.Lock()
_sane_ready = False


def _sane():
    """python-sane, initialised once per process (SANE_CONFIG_DIR is read now, so set it before)."""
    global _sane_ready
    import sane
    with _sane_lock:
        if not _sane_ready:
            sane.init()
            _sane_ready = True
    return sane


def restart_sane() -> None:
    """sane_exit + sane_init: re-reads dll.conf and lets backends that list devices only at init find new ones."""
    global _sane_ready
    import sane
    with _sane_lock:
        if _sane_ready:
            sane.exit()
            _sane_ready = False
    _sane()


def shutdown_sane() -> None:
    global _sane_ready
    import sane
    with _sane_lock:
        if _sane_ready:
            sane.exit()
            _sane_ready = False


def list_devices() -> list[str]:
    return [device[0] for device in _sane().get_devices()]


def backends_file() -> Path:
    """The dll.conf that lists the backends SANE tries: the first in $SANE_CONFIG_DIR's folders, else the system's."""
    given = os.environ.get("SANE_CONFIG_DIR", "")
    folders = [Path(folder) for folder in given.split(":") if folder]
    # As sanei_config does: the system folder is searched too when the variable is unset or ends with ':'.
    if not folders or given.endswith(":"):
        folders.append(SYSTEM_CONFIG_DIR)
    return next((folder / "dll.conf" for folder in folders if (folder / "dll.conf").exists()),
                folders[0] / "dll.conf")


def absent_device(wanted: str, named_by: str) -> str | None:
    """None when SANE has the device `wanted`; else a sentence naming it (`named_by` says who asked for it) and
    the devices SANE does find, or the file that lists the backends when it finds none."""
    try:
        devices = _sane().get_devices()
    except Exception as error:  # python-sane raises its own error type for a broken SANE set-up
        return f"SANE does not answer ({error}), so the device '{wanted}' ({named_by}) cannot be found."
    if wanted in [device[0] for device in devices]:
        return None
    if not devices:
        return (f"There is no SANE device '{wanted}' ({named_by}), and SANE finds no scanner at all; "
                f"{backends_file()} lists the backends it tries.")
    found = ", ".join(f"{name} ({vendor} {model})" for name, vendor, model, _kind in devices)
    return f"There is no SANE device '{wanted}' ({named_by}); SANE finds {found}."


def ignore_broken_pipes() -> None:
    """SANE's reader (sanei_thread) leaves SIGPIPE at its default, which ends the whole process when any thread
    writes to a connection its peer closed (the desk, CUPS, the browser's driver). Python ignores SIGPIPE and
    raises an error instead; this puts that back. Through libc: Python's signal() works only on the main thread,
    and its own table still says "ignored"."""
    ctypes.CDLL(None).signal(signal.SIGPIPE, SIG_IGN)


def problem_of(error: Exception) -> Problem:
    return STATUS_PROBLEMS.get(str(error), Problem.SCAN_FAILED)


class Scanner:
    """One SANE scanner, opened on first use and kept open; every call must come from the same thread."""

    def __init__(self, wanted: str = "", extra_options: dict[str, object] | None = None):
        self.wanted = wanted  # a SANE device name, or "" for the first one found
        # Backend-specific options set after ours, e.g. the test backend's test_picture.
        self.extra_options = dict(extra_options or {})
        self.name: str | None = None
        self._device = None

    @property
    def is_open(self) -> bool:
        return self._device is not None

    def find(self) -> str:
        """The device to use; lists again, and re-initialises SANE once, when nothing is there.

        Called only while this scanner is closed, so the re-initialisation pulls no handle from under a scan."""
        names = list_devices()
        if not self._chosen(names):
            # A scanner plugged in after start, or one a backend only probes at init.
            restart_sane()
            names = list_devices()
        chosen = self._chosen(names)
        if chosen is None:
            raise ScanError(Problem.NO_SCANNER,
                            f"no SANE device named '{self.wanted}'" if self.wanted else "no SANE device found")
        return chosen

    def _chosen(self, names: list[str]) -> str | None:
        if self.wanted:
            return self.wanted if self.wanted in names else None
        return names[0] if names else None

    def open(self):
        if self._device is None:
            name = self.find()
            try:
                self._device = _sane().open(name)
            except Exception as error:
                raise ScanError(Problem.NO_SCANNER, f"opening {name} failed: {error}") from None
            self.name = name
            log.info("scanner %s opened", name)
        return self._device

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except Exception as error:  # a scanner unplugged mid-way cannot be closed cleanly
                log.warning("closing the scanner failed: %s", error)

    def _set(self, device, option: str, value) -> None:
        try:
            setattr(device, option, value)
        except Exception as error:
            raise ScanError(Problem.SCAN_FAILED, f"the scanner refused {option}={value!r}: {error}") from None

    def _constraint(self, device, option: str):
        found = device.opt.get(option)
        return found.constraint if found is not None and found.is_active() else None

    def configure(self, request: ScanRequest) -> None:
        device = self.open()
        # The source first: a feeder may change the geometry's range.
        if "source" in device.opt:
            source = pick_source(request.source, self._constraint(device, "source"))
            if source is not None:
                self._set(device, "source", source)
            elif request.source is Source.FEEDER:
                raise ScanError(Problem.NO_FEEDER, "this scanner offers no document feeder source")
        elif request.source is Source.FEEDER:
            raise ScanError(Problem.NO_FEEDER, "this scanner has no source option, so no feeder")
        mode = pick_mode(request.mode, self._constraint(device, "mode"))
        if mode is not None:
            self._set(device, "mode", mode)
        if "resolution" in device.opt:
            self._set(device, "resolution", pick_resolution(request.resolution,
                                                            self._constraint(device, "resolution")))
        # A4 from the top-left corner, or as much of it as the glass allows.
        for option, value in (("tl_x", 0.0), ("tl_y", 0.0), ("br_x", A4_MM[0]), ("br_y", A4_MM[1])):
            constraint = self._constraint(device, option)
            if constraint is None:
                continue
            if isinstance(constraint, tuple):
                value = min(max(value, constraint[0]), constraint[1])
            self._set(device, option, value)
        for option, value in self.extra_options.items():
            self._set(device, option, value)

    def scan(self, request: ScanRequest, on_page: Callable[[Image.Image], None],
             stop: Callable[[], bool] = lambda: False) -> int:
        """Take pages until the limit, an empty feeder or `stop()`; hand each to on_page; return how many.

        A fault after some pages raises ScanError with `pages` set, so the pages already taken are kept."""
        try:
            self.configure(request)
        except ScanError:
            self.close()
            raise
        device = self._device
        taken = 0
        try:
            while taken < request.page_limit and not stop():
                try:
                    device.start()
                    image = device.snap(no_cancel=True)
                except Exception as error:
                    if str(error) == NO_DOCS and taken > 0:
                        break  # the feeder ran out after the last page: the normal end
                    log.debug("scan stopped after %d page(s): %s", taken, error)
                    # The next try starts from a fresh open: after a jam or an unplug the handle may be unusable.
                    self._cancel(device)
                    self.close()
                    raise ScanError(problem_of(error), str(error), pages=taken) from None
                taken += 1
                on_page(image)  # its own exceptions are the caller's, and pass through
        finally:
            if self._device is not None:
                self._cancel(device)
            ignore_broken_pipes()
        return taken

    @staticmethod
    def _cancel(device) -> None:
        try:
            device.cancel()
        except Exception:
            pass

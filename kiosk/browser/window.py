"""The browser's window on the X display: found by its process, then moved and sized with xdotool.

A kiosk has no window manager, and Chromium in kiosk mode shows no address bar, tabs or frame only while it
believes it is full screen: so the kiosk never asks Chromium to resize (that would bring its toolbars back) but
moves and sizes the X window itself, which Chromium follows.
"""

from __future__ import annotations

import subprocess
import time

FIND_WAIT_S = 10.0


class WindowError(Exception):
    """The browser's window could not be found or placed."""


def find_window(pid: int, wait_s: float = FIND_WAIT_S) -> str:
    """The X id of the visible top-level window of the browser process `pid`."""
    deadline = time.monotonic() + wait_s
    while True:
        found = _xdotool("search", "--onlyvisible", "--pid", str(pid)).split()
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise WindowError(f"no window of process {pid} appeared within {wait_s:.0f} s")
        time.sleep(0.05)


def place_window(window: str, left: int, top: int, width: int, height: int) -> None:
    _xdotool("windowsize", window, str(width), str(height), "windowmove", window, str(left), str(top))


def type_into(window: str, text: str, then_key: str) -> None:
    """Type `text` into `window`, then press `then_key`. The text goes through standard input, never the command
    line, which every process on the machine can read: it is a PIN."""
    _xdotool("windowfocus", "--sync", window)
    try:
        result = subprocess.run(["xdotool", "type", "--delay", "20", "--file", "-"], input=text, capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise WindowError(f"xdotool could not type: {type(error).__name__}") from None
    if result.returncode != 0:
        raise WindowError("xdotool could not type")
    _xdotool("key", then_key)  # to the focused dialog, like the typing: Chromium ignores keys sent to a window


def press_in(window: str, key: str) -> None:
    _xdotool("windowfocus", "--sync", window, "key", key)


def _xdotool(*args: str) -> str:
    try:
        result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise WindowError(f"xdotool failed: {type(error).__name__}") from None
    if result.returncode not in (0, 1):  # 1: a search that found nothing
        raise WindowError(f"xdotool {args[0]} failed: {result.stderr.strip()[:200]}")
    return result.stdout

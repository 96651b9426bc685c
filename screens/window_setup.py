"""The kiosk window's place and size, set in Kivy's configuration before the window exists."""

from __future__ import annotations

import os
import subprocess


def configure_window(full: bool, show_cursor: bool) -> None:
    """The window's place and size: the whole screen on a kiosk, exactly, or a desktop's 1280x800 window."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    from kivy.config import Config
    width, height = (screen_size() or (1280, 800)) if full else (1280, 800)
    # A kiosk's X has no window manager, and SDL's full-screen request is one a window manager carries out: left
    # alone, the window keeps its first size in the middle of the screen. So it is placed and sized by hand.
    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "borderless", "1" if full else "0")
    Config.set("graphics", "resizable", "0" if full else "1")
    Config.set("graphics", "position", "custom" if full else "auto")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "show_cursor", "1" if show_cursor else "0")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("kivy", "exit_on_escape", "0")


def screen_size() -> tuple[int, int] | None:
    """The X screen's size in pixels, or None without one (Kivy then draws offscreen)."""
    try:
        answer = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True, text=True, timeout=10)
        width, height = (int(number) for number in answer.stdout.split())
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    return width, height

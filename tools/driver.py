"""Drives the real kiosk app frame by frame, without its main loop: for tests, screenshots and benchmarks."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator


def prepare_environment(kivy_home: Path | None = None) -> Path:
    """Keep Kivy's config and logs private to this run; must be called before anything imports Kivy."""
    home = Path(kivy_home or tempfile.mkdtemp(prefix="kivy-home-"))
    os.environ["KIVY_HOME"] = str(home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    # The scanner of tests and screenshots is SANE's test backend (probing every real backend takes seconds).
    from kiosk.scanning.testbackend import use_test_backend
    use_test_backend(home / "sane")
    return home


def away_from_test_cards(settings):
    """The settings, watching KAC_TEST_READER if they would watch every reader and it is set.

    In make test's processes that put no card in (tools/run_tests.py), an app that would watch every reader watches
    one where no card goes, never the one where the card tests put theirs."""
    reader = os.environ.get("KAC_TEST_READER")
    if reader and not settings.eid.reader:
        import dataclasses
        settings = dataclasses.replace(settings, eid=dataclasses.replace(settings.eid, reader=reader))
    return settings


class AppDriver:
    """Starts a KioskApp in this process and lets a caller tap, wait and look at it."""

    def __init__(self, settings, timings=None):
        settings = away_from_test_cards(settings)
        from screens.launch import configure_kivy
        configure_kivy(settings, windowed=True)
        from kivy.base import EventLoop
        from kivy.core.window import Window
        from kiosk.core import KioskCore
        from screens.app import KioskApp
        self.window = Window
        self.loop = EventLoop
        self.core = KioskCore(settings, timings)
        self.app = KioskApp(self.core)
        self.app._run_prepare()  # build and on_start, as App.run() does before its loop
        from kivy.base import _runTouchApp_prepare
        _runTouchApp_prepare()  # the input providers, as runTouchApp starts them: a real pointer is a touch too
        self.frames(2)

    # ---- time ---------------------------------------------------------------------------------

    def frames(self, count: int = 1) -> None:
        for _ in range(count):
            self.loop.idle()
            # What the window system delivered (a real pointer on the X display), as App.run's loop would read it.
            self.window.mainloop()

    def settle(self, count: int = 3) -> None:
        """Frames without drawing: the clock, input, kv rules and layout move on as in `frames`, and nothing is
        rendered. For checks of where things are, which read no pixel: under Xvfb a frame's software-rendered flip
        is most of its time."""
        from kivy.clock import Clock
        from kivy.lang import Builder
        for _ in range(count):
            Clock.tick()
            self.loop.dispatch_input()
            Builder.sync()
            Clock.tick_draw()
            Builder.sync()
            self.window.mainloop()

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.frames()
            if condition():
                return True
        return condition()

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.frames()

    # ---- touch --------------------------------------------------------------------------------

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(2)

    def tap(self, widget) -> None:
        """Tap the middle of a widget, as a finger would: through the window, not by calling it.

        A widget in a scrolling list is scrolled clear of the list's edges first, as a resident scrolls to what
        they want before touching it.
        """
        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        self.frames(1)  # lay out first: a widget shown this frame has no position yet
        self._scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        if not (0 <= x < self.window.width and 0 <= y < self.window.height):
            raise AssertionError(f"{widget!r} is outside the window at ({x:.0f}, {y:.0f}): scrolled away?")
        self.tap_at(x, y)

    def _scroll_into_view(self, widget) -> None:
        from kivy.metrics import dp
        from kivy.uix.recycleview import RecycleView
        from kivy.uix.scrollview import ScrollView
        from screens.widgets import MoreBelow
        parent = widget.parent
        while parent is not None and parent is not parent.parent:
            if isinstance(parent, RecycleView):
                return  # its rows exist only where they are shown: a row found is already in view
            if isinstance(parent, ScrollView):
                # Looked at again after each scroll: a list may still be filling (the admin's health checks coming
                # in), and the band follows the list a frame later.
                for _attempt in range(10):
                    if isinstance(parent, MoreBelow):
                        parent._update_cue()
                    # Clear of the "more below" band, which pages down rather than passing the touch on.
                    band = parent.band_height + dp(4) if getattr(parent, "more_below", False) else 0
                    # to_window takes a widget's position in its parent's coordinates, as x and y are.
                    bottom = parent.to_window(parent.x, parent.y)[1] + band
                    top = parent.to_window(parent.x, parent.top)[1]
                    low, high = widget.to_window(widget.x, widget.y)[1], widget.to_window(widget.x, widget.top)[1]
                    if low >= bottom and high <= top:
                        break
                    # Kivy's scroll_to leaves a widget that is in the frame but under the band where it is.
                    shift = bottom + dp(16) - low if low < bottom else top - dp(16) - high
                    step = parent.convert_distance_to_scroll(0, shift)[1]
                    parent.scroll_y = min(1.0, max(0.0, parent.scroll_y - step))
                    self.frames(2)
                return
            parent = parent.parent

    def tap_corner(self, times: int) -> None:
        for _ in range(times):
            self.tap_at(10, self.window.height - 10)

    def press_key(self, key: int) -> bool:
        """A key as the keyboard sends it; returns whether the window swallowed it."""
        consumed = self.window.dispatch("on_keyboard", key, 0, None, [])
        self.frames(2)
        return bool(consumed)

    # ---- looking ------------------------------------------------------------------------------

    def widgets(self) -> Iterator:
        """Every widget a person can see now, dialogs included; hidden (transparent) branches are left out."""
        stack = list(self.window.children)
        while stack:
            widget = stack.pop()
            if widget.opacity <= 0:
                continue
            yield widget
            stack.extend(widget.children)

    def visible_texts(self) -> list[str]:
        from kivy.uix.label import Label
        return [w.text for w in self.widgets() if isinstance(w, Label) and w.text]

    def find_text(self, text: str):
        """The widget showing exactly `text`, else the first one whose text contains it."""
        from kivy.uix.label import Label
        labels = [w for w in self.widgets() if isinstance(w, Label) and text in w.text]
        for widget in sorted(labels, key=lambda w: w.text != text):
            return widget
        raise LookupError(f"no widget shows {text!r}; visible: {self.visible_texts()}")

    def root_widget(self, widget_id: str):
        """A widget of the app's frame (top bar, screen manager) by its kv id."""
        return self.app.root.ids[widget_id]

    def screenshot(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.frames(3)
        # Kivy appends a counter to the name it is given: write, then move to the asked-for name.
        written = Path(self.window.screenshot(name=str(path.with_suffix("")) + ".png"))
        shutil.move(written, path)
        return path

    def close(self) -> None:
        # No frame after this: kv rules that read `app` would find no running app.
        self.app.stop()

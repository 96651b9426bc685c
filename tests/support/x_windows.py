"""What a person in front of the kiosk sees of the X display: the windows shown on the screen, and whose they are.

Asked of the X server itself (python-xlib): every top-level window that is mapped and lies at least partly on
the screen, with the process that made it (the X-Resource extension). `MapRecorder` keeps every window mapped
while it runs, with where it was at that moment: the window system's own account, not a poll that could miss one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from Xlib import X, display, error


@dataclass(frozen=True)
class Shown:
    window: int
    pid: int | None
    title: str
    x: int
    y: int
    width: int
    height: int
    override_redirect: bool = False

    def on_screen(self, screen_width: int, screen_height: int) -> bool:
        return self.x + self.width > 0 and self.y + self.height > 0 and self.x < screen_width \
            and self.y < screen_height


def owner(connection: display.Display, window_id: int) -> int | None:
    from Xlib.ext import res
    try:
        reply = connection.res_query_client_ids([{"client": window_id, "mask": res.LocalClientPIDMask}])
    except error.XError:
        return None
    return next((int(client.value[0]) for client in reply.ids if client.value), None)


def title_of(connection: display.Display, window) -> str:
    try:
        name = window.get_full_property(connection.intern_atom("_NET_WM_NAME"), connection.intern_atom("UTF8_STRING"))
        if name is not None:
            return name.value.decode("utf-8", "replace") if isinstance(name.value, bytes) else str(name.value)
        legacy = window.get_wm_name()
        return legacy.decode("latin-1") if isinstance(legacy, bytes) else (legacy or "")
    except error.XError:
        return ""


def shown_windows(connection: display.Display | None = None) -> list[Shown]:
    """The top-level windows mapped and at least partly on the screen, bottom to top."""
    own = connection is None
    connection = connection or display.Display()
    try:
        screen = connection.screen()
        found = []
        for window in screen.root.query_tree().children:
            try:
                attributes = window.get_attributes()
                if attributes.map_state != X.IsViewable:
                    continue
                geometry = window.get_geometry()
            except error.XError:
                continue  # closed meanwhile
            shown = Shown(window.id, owner(connection, window.id), title_of(connection, window), geometry.x,
                          geometry.y, geometry.width, geometry.height, bool(attributes.override_redirect))
            if shown.on_screen(screen.width_in_pixels, screen.height_in_pixels):
                found.append(shown)
        return found
    finally:
        if own:
            connection.close()


class MapRecorder:
    """Every window mapped on the display while it runs, with its place at that moment (a thread of its own)."""

    def __init__(self):
        self.connection = display.Display()
        screen = self.connection.screen()
        self.size = (screen.width_in_pixels, screen.height_in_pixels)
        self.mapped: list[Shown] = []
        self._places: dict[int, tuple[int, int, int, int]] = {}
        self._stop = threading.Event()
        screen.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self.connection.sync()
        self._thread = threading.Thread(target=self._run, name="map-recorder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            while self.connection.pending_events():
                self._note(self.connection.next_event())
            time.sleep(0.002)

    def _note(self, event) -> None:
        if event.type in (X.CreateNotify, X.ConfigureNotify):
            self._places[event.window.id] = (event.x, event.y, event.width, event.height)
        elif event.type == X.MapNotify:
            x, y, width, height = self._places.get(event.window.id, (0, 0, 1, 1))
            self.mapped.append(Shown(event.window.id, owner(self.connection, event.window.id),
                                     title_of(self.connection, event.window), x, y, width, height,
                                     bool(event.override)))

    def on_screen(self) -> list[Shown]:
        return [shown for shown in self.mapped if shown.on_screen(*self.size)]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.connection.close()


class WindowSampler:
    """The windows shown on the screen, looked at every `every_s` while it runs."""

    def __init__(self, every_s: float = 0.1):
        self.samples: list[list[Shown]] = []
        self._stop = threading.Event()
        self._every_s = every_s
        self._thread = threading.Thread(target=self._run, name="window-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = display.Display()
        try:
            while not self._stop.is_set():
                self.samples.append(shown_windows(connection))
                self._stop.wait(self._every_s)
        finally:
            connection.close()

    def stop(self) -> list[list[Shown]]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.samples

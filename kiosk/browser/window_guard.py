"""Keeps the screen the kiosk's while the resident's browser runs: only the page's own window is ever shown.

A process of its own (`python -m kiosk.browser.window_guard KIOSK_PID`), started by the BrowserService, with its
own connection to the X display. It does two things no setting of Chromium's can:

- It is the display's window manager (the kiosk has none otherwise), so every window a program wants to show is
  asked of it first (MapRequest) and shown only if it is the kiosk's own or the browser's one page window.
  Chromium's PIN dialog is shown out of sight (the kiosk asks for the PIN on its own pad and types it in); every
  other window of the browser (a second window from Ctrl+N, GTK's file dialog, a print dialog) is never shown.
  Chromium's popups that bypass window managers (override-redirect: toasts, bubbles) are moved out of sight as
  they are created and hidden if they appear; menus and tooltips of the page (a <select>'s list) stay.
- It lets the keyboard follow the finger: keys go to the window last touched (the page, or the kiosk's own field),
  never stuck on the kiosk's window because SDL gave it the focus once.
- It takes Chromium's keyboard shortcuts away from a plugged-in keyboard: Ctrl, Alt and Super with any key but
  the editing ones (Ctrl+C/V/X/A/Z/Y, arrows, Home/End, Backspace/Delete), function keys, the menu key and the
  keyboard's browser keys are grabbed on the root window, so they reach this process, which drops them.

It tells the kiosk on its standard output, one line each: `ready MODE`, `pin WINDOW` (the PIN dialog, out of
sight), `gone WINDOW` (it closed), `refused WINDOW KIND`. It exits when its standard input closes (the kiosk
stopped or died).
"""

from __future__ import annotations

import itertools
import os
import re
import select
import sys
from pathlib import Path

from Xlib import X, XK, display, error
from Xlib.ext import res

# Chromium's own words are English (the kiosk starts it with --lang=en-US): its PIN dialog is known by its title.
PIN_DIALOG_TITLE = "Unlock Security Device"
OUT_OF_SIGHT = (-10000, -10000)
# What a page may show over itself: the list of a <select>, its context menus (the kiosk's page script stops
# those), tooltips, and a dragged item. Everything else of Chromium's that bypasses the manager is hidden.
PAGE_POPUP_TYPES = {"_NET_WM_WINDOW_TYPE_MENU", "_NET_WM_WINDOW_TYPE_DROPDOWN_MENU", "_NET_WM_WINDOW_TYPE_POPUP_MENU",
                    "_NET_WM_WINDOW_TYPE_COMBO", "_NET_WM_WINDOW_TYPE_TOOLTIP", "_NET_WM_WINDOW_TYPE_DND"}

# Keys that keep working in the page's fields with Ctrl: copy, paste, cut, select all, undo, redo, and moving or
# deleting by words; with Ctrl+Shift only redo, plain paste and selecting by words (Ctrl+Shift+A searches tabs,
# Ctrl+Shift+C inspects the page, Ctrl+Shift+Delete clears browsing data).
MOVING = {"Left", "Right", "Up", "Down", "Home", "End", "KP_Left", "KP_Right", "KP_Up", "KP_Down", "KP_Home", "KP_End"}
EDITING = {X.ControlMask: {"c", "v", "x", "a", "z", "y", "BackSpace", "Delete", "Insert", "KP_Delete", "KP_Insert",
                           *MOVING},
           X.ControlMask | X.ShiftMask: {"z", "v", *MOVING}}
# Keys taken with every modifier: Chromium's function keys (F5 reload, F7 caret browsing, F10 menu, F11 full
# screen, F12 developer tools), the context menu key, Super, and the browser and media keys of some keyboards.
ALWAYS_TAKEN = re.compile(r"F\d+|XF86.*|Super_[LR]|Hyper_[LR]|Menu|Print|Sys_Req")
COMMAND_MODIFIERS = (X.ControlMask, X.Mod1Mask, X.Mod4Mask)       # Ctrl, Alt, Super
# Lock modifiers a grab must not depend on: Caps Lock, Num Lock and AltGr (Mod5, Latvian and Ukrainian layouts).
LOCKS = (X.LockMask, X.Mod2Mask, X.Mod5Mask)
# A focus given to a window by a program (not by the pointer moving in under PointerRoot).
EXPLICIT_FOCUS = (X.NotifyAncestor, X.NotifyVirtual, X.NotifyInferior, X.NotifyNonlinear, X.NotifyNonlinearVirtual)


def command_modifier_sets() -> list[int]:
    """Every combination of Shift, Ctrl, Alt and Super that holds Ctrl, Alt or Super."""
    sets = []
    for count in range(1, 5):
        for combination in itertools.combinations((X.ShiftMask, *COMMAND_MODIFIERS), count):
            mask = 0
            for modifier in combination:
                mask |= modifier
            if mask & (X.ControlMask | X.Mod1Mask | X.Mod4Mask):
                sets.append(mask)
    return sets


def lock_variants(mask: int) -> list[int]:
    variants = []
    for count in range(len(LOCKS) + 1):
        for combination in itertools.combinations(LOCKS, count):
            variants.append(mask | sum(combination))
    return variants


class Guard:
    def __init__(self, kiosk_pid: int, out=sys.stdout):
        XK.load_keysym_group("xf86")
        self.kiosk_pid = kiosk_pid
        self.out = out
        self.display = display.Display()
        self.root = self.display.screen().root
        self.atoms = {name: self.display.intern_atom(name) for name in (
            "_NET_WM_PID", "_NET_WM_WINDOW_TYPE", "WM_PROTOCOLS", "WM_DELETE_WINDOW", "_NET_WM_NAME", "UTF8_STRING")}
        self.has_res = self.display.has_extension("X-Resource")
        self.page_windows: dict[int, int] = {}   # browser process -> the one window it may show
        self.out_of_sight: set[int] = set()      # PIN dialogs (and hidden popups) kept off the screen
        self.pin_dialogs: set[int] = set()
        self.display.set_error_handler(lambda *_args: None)  # a window that closed meanwhile is no fault
        self.mode = self._become_manager()
        self.grab_keys()
        for window in self.root.query_tree().children:  # the kiosk's own window is there already
            if self.owner(window) == self.kiosk_pid:
                self._follow_pointer(window)
        self.display.set_input_focus(X.PointerRoot, X.RevertToPointerRoot, X.CurrentTime)
        self.display.sync()

    # ---- setting up ------------------------------------------------------------------------------------

    def _become_manager(self) -> str:
        failed = error.CatchError(error.BadAccess)
        self.root.change_attributes(event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask,
                                    onerror=failed)
        self.display.sync()
        if failed.get_error() is None:
            return "manager"
        # Another window manager runs (a developer's desktop): watch and hide after the fact instead.
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        return "watcher"

    def grab_keys(self) -> None:
        self.root.ungrab_key(X.AnyKey, X.AnyModifier)
        # Alt and Super with any key: nothing a page's field needs (AltGr, for ā and ї, is Mod5, not Alt).
        for mask in command_modifier_sets():
            if mask & (X.Mod1Mask | X.Mod4Mask):
                for variant in lock_variants(mask):
                    self.root.grab_key(X.AnyKey, variant, False, X.GrabModeAsync, X.GrabModeAsync)
        # Ctrl (and Ctrl+Shift) with any key but the editing ones; the function keys and the like with anything.
        names = key_names()
        info = self.display.display.info
        for keycode in range(info.min_keycode, info.max_keycode + 1):
            key = set().union(*(names.get(self.display.keycode_to_keysym(keycode, index), set())
                                for index in range(4)))
            if any(ALWAYS_TAKEN.fullmatch(name) for name in key):
                self.root.grab_key(keycode, X.AnyModifier, False, X.GrabModeAsync, X.GrabModeAsync)
            elif key:
                for mask, editing in EDITING.items():
                    if key & editing:
                        continue
                    for variant in lock_variants(mask):
                        self.root.grab_key(keycode, variant, False, X.GrabModeAsync, X.GrabModeAsync)
        self.display.sync()

    # ---- whose window ------------------------------------------------------------------------------------

    def owner(self, window) -> int | None:
        """The process that made `window`: asked of the X server (X-Resource), else the window's own word."""
        if self.has_res:
            try:
                reply = self.display.res_query_client_ids([{"client": window.id, "mask": res.LocalClientPIDMask}])
                for client in reply.ids:
                    if client.value:
                        return int(client.value[0])
            except error.XError:
                pass
        try:
            pid = window.get_full_property(self.atoms["_NET_WM_PID"], X.AnyPropertyType)
            return int(pid.value[0]) if pid else None
        except error.XError:
            return None

    def is_browsers(self, pid: int | None) -> bool:
        """A process the kiosk started (the browser and what it runs), not the kiosk itself."""
        if pid is None or pid == self.kiosk_pid:
            return False
        return descends_from(pid, self.kiosk_pid)

    def title(self, window) -> str:
        try:
            name = window.get_full_property(self.atoms["_NET_WM_NAME"], self.atoms["UTF8_STRING"])
            if name is not None:
                value = name.value
                return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            legacy = window.get_wm_name()
            return legacy.decode("latin-1") if isinstance(legacy, bytes) else (legacy or "")
        except error.XError:
            return ""

    def window_types(self, window) -> set[str]:
        try:
            types = window.get_full_property(self.atoms["_NET_WM_WINDOW_TYPE"], X.AnyPropertyType)
        except error.XError:
            return set()
        return {self.display.get_atom_name(atom) for atom in types.value} if types else set()

    # ---- events ----------------------------------------------------------------------------------------

    def handle(self, event) -> None:
        kind = event.type
        if kind == X.MapRequest:
            self.map_request(event.window)
        elif kind == X.ConfigureRequest:
            self.configure_request(event)
        elif kind == X.CirculateRequest:
            event.window.circulate(event.place)
        elif kind == X.CreateNotify and event.override:
            self.popup_created(event.window)
        elif kind == X.MapNotify:
            self.mapped(event.window, event.override)
        elif kind == X.ConfigureNotify and event.window.id in self.out_of_sight:
            if (event.x, event.y) != OUT_OF_SIGHT and event.x + event.width > 0 and event.y + event.height > 0:
                event.window.configure(x=OUT_OF_SIGHT[0], y=OUT_OF_SIGHT[1])
        elif kind == X.FocusIn and event.mode == X.NotifyNormal and event.detail in EXPLICIT_FOCUS:
            # The kiosk's window or the page's took the focus for itself: back to following the pointer. (The PIN
            # dialog's focus, which the kiosk sets to type into it, is left alone: it is not followed.)
            self.display.set_input_focus(X.PointerRoot, X.RevertToPointerRoot, X.CurrentTime)
        elif kind in (X.DestroyNotify, X.UnmapNotify):
            self.closed(event.window.id, destroyed=kind == X.DestroyNotify)
        elif kind == X.MappingNotify:
            self.display.refresh_keyboard_mapping(event)
            if event.request == X.MappingKeyboard:
                self.grab_keys()
        # KeyPress: a grabbed shortcut, dropped here.

    def map_request(self, window) -> None:
        pid = self.owner(window)
        if not self.is_browsers(pid):
            if pid == self.kiosk_pid:
                self._follow_pointer(window)
            window.map()  # the kiosk's own window, or a program the kiosk did not start
            return
        if self.title(window) == PIN_DIALOG_TITLE:
            self._keep_pin_dialog_out_of_sight(window)
            window.map()
            self.say("pin", window.id)
            return
        transient = self._transient_for(window)
        if transient is None and pid not in self.page_windows \
                and self.window_types(window) <= {"_NET_WM_WINDOW_TYPE_NORMAL"}:
            self.page_windows[pid] = window.id  # the browser's first window: the page
            self._follow_pointer(window)
            window.map()
            return
        # A second window, a file or print dialog, anything else: never shown. A dialog is asked to close, as its
        # Cancel would; the kiosk closes a second page through the browser.
        if transient is not None:
            self._ask_to_close(window)
        self.say("refused", window.id, "dialog" if transient is not None else "window")

    def configure_request(self, event) -> None:
        changes = {}
        for flag, name in ((X.CWX, "x"), (X.CWY, "y"), (X.CWWidth, "width"), (X.CWHeight, "height"),
                           (X.CWBorderWidth, "border_width"), (X.CWStackMode, "stack_mode")):
            if event.value_mask & flag:
                changes[name] = getattr(event, name)
        if event.value_mask & X.CWSibling and "stack_mode" in changes:
            changes["sibling"] = event.sibling
        if event.window.id in self.out_of_sight:
            changes.update(x=OUT_OF_SIGHT[0], y=OUT_OF_SIGHT[1])
        if changes:
            event.window.configure(**changes)

    def popup_created(self, window) -> None:
        if self.is_browsers(self.owner(window)) and not self.window_types(window) & PAGE_POPUP_TYPES:
            window.configure(x=OUT_OF_SIGHT[0], y=OUT_OF_SIGHT[1])
            self.out_of_sight.add(window.id)

    def mapped(self, window, override: bool) -> None:
        if window.id in self.out_of_sight and window.id not in self.pin_dialogs:
            window.unmap()
            self.say("refused", window.id, "popup")
        elif override and self.is_browsers(self.owner(window)) and not self.window_types(window) & PAGE_POPUP_TYPES:
            window.unmap()  # made before its kind was known
            self.out_of_sight.add(window.id)
            self.say("refused", window.id, "popup")
        elif self.mode == "watcher" and not override:
            self.watch_mapped(window)

    def watch_mapped(self, window) -> None:
        """With another window manager: what a manager would have refused is moved away or hidden just after."""
        pid = self.owner(window)
        if not self.is_browsers(pid) or self.page_windows.get(pid) == window.id:
            return
        if self.title(window) == PIN_DIALOG_TITLE:
            self._keep_pin_dialog_out_of_sight(window)
            self.say("pin", window.id)
        elif pid not in self.page_windows and self._transient_for(window) is None:
            self.page_windows[pid] = window.id
        else:
            window.unmap()
            self.say("refused", window.id, "window")

    def closed(self, window_id: int, destroyed: bool) -> None:
        if window_id in self.pin_dialogs:
            self.pin_dialogs.discard(window_id)
            self.out_of_sight.discard(window_id)
            self.say("gone", window_id)
        if destroyed:
            self.out_of_sight.discard(window_id)
            for pid, page in list(self.page_windows.items()):
                if page == window_id:
                    del self.page_windows[pid]

    # ---- helpers ------------------------------------------------------------------------------------------

    def _keep_pin_dialog_out_of_sight(self, window) -> None:
        """Chromium's PIN dialog goes where nobody sees it, and stays there (ConfigureNotify moves it back)."""
        window.configure(x=OUT_OF_SIGHT[0], y=OUT_OF_SIGHT[1])
        self.out_of_sight.add(window.id)
        self.pin_dialogs.add(window.id)

    def _follow_pointer(self, window) -> None:
        try:
            window.change_attributes(event_mask=X.FocusChangeMask)
        except error.XError:
            pass

    def _transient_for(self, window):
        try:
            return window.get_wm_transient_for()
        except error.XError:
            return None

    def _ask_to_close(self, window) -> None:
        from Xlib.protocol import event as xevent
        message = xevent.ClientMessage(window=window, client_type=self.atoms["WM_PROTOCOLS"],
                                       data=(32, [self.atoms["WM_DELETE_WINDOW"], X.CurrentTime, 0, 0, 0]))
        window.send_event(message)

    def say(self, *words) -> None:
        self.out.write(" ".join(str(word) for word in words) + "\n")
        self.out.flush()

    def run(self) -> None:
        self.say("ready", self.mode)
        connection = self.display.fileno()
        while True:
            while self.display.pending_events():
                self.handle(self.display.next_event())
            readable, _, _ = select.select([connection, sys.stdin], [], [])
            if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
                return  # the kiosk closed the pipe: it stopped, or died
            if connection in readable:
                self.handle(self.display.next_event())


def key_names() -> dict[int, set[str]]:
    """Keysym number -> its names (without XK_), for the groups loaded: F12 is also called L2."""
    names: dict[int, set[str]] = {}
    for name in dir(XK):
        if name.startswith("XK_"):
            names.setdefault(getattr(XK, name), set()).add(name[3:])
    return names


def descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(64):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state: the parent
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def main() -> int:
    Guard(int(sys.argv[1])).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

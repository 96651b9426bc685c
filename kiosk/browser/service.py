"""The resident's browser: Debian's Chromium driven by Playwright on a thread of its own, one profile per visit.

Everything Playwright does happens on that thread (its sync API belongs to the thread that started it); other
threads hand it commands. What happens in the page comes back as kiosk.events through `on_event`.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk import events
from kiosk.browser.hosts import AllowedHosts, host_of
from kiosk.browser.pages import BLOCKED, FAILED, kiosk_page
from kiosk.browser.sandbox import Sandbox, probe
from kiosk.browser.window import find_window, place_window, press_in, type_into

log = logging.getLogger(__name__)

PAGE_SCRIPT = (Path(__file__).with_name("page_script.js")).read_text(encoding="utf-8")
PROFILE_FOLDER, DOWNLOADS_FOLDER = "browser-profile", "downloads"
# Chromium would otherwise reach out to Google at every start (and be refused on a closed network). No
# --disable-features here: Playwright passes its own list, and Chromium keeps only the last one given.
QUIET_ARGS = ["--no-first-run", "--no-default-browser-check", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-tools", "--noerrdialogs",
              "--disable-session-crashed-bubble", "--password-store=basic"]
# The fresh profile's own settings, where a switch would fight Playwright's: no offer to translate a page (it would
# send the page to an outside service). The managed policies say the same (TranslateEnabled) on a real kiosk.
PROFILE_PREFERENCES = {"translate": {"enabled": False}}
PUMP_S = 0.05              # how often the page's events are looked at while nothing else happens
STUCK_S = 20.0             # a browser that answers nothing for this long is killed and counts as crashed
CLOSE_WAIT_S = 10.0
GUARD_READY_S = 15.0
FIRST_TAB_S = 10.0         # the launched browser's first tab reported by then, or the launch failed
NAVIGATION_START_S = 3.0   # an asked-for page whose first request has not come by then is asked for again
WRONG_PIN_WITHIN_S = 15.0  # a PIN dialog this soon after a PIN was given means the card refused it
# After "Not now", the card's module is asked again for each key it looks for: those asks are for the same page.
DECLINE_HOLDS_S = 10.0


class SandboxUnavailable(RuntimeError):
    """The browser would have to run without Chromium's sandbox, which a kiosk never does."""


class GuardUnavailable(RuntimeError):
    """The window guard did not start: the browser does not open without it."""


@dataclass(frozen=True)
class Bounds:
    """Where the browser's window goes on the screen, in screen pixels from the top left."""
    left: int
    top: int
    width: int
    height: int

    def hidden(self) -> "Bounds":
        """The same size, moved off the screen: shown again without reloading anything."""
        return Bounds(-self.width - 200, self.top, self.width, self.height)


@dataclass
class _Window:
    """The browser of one visit while it is open (touched on the browser thread only)."""
    context: object
    page: object
    window_id: str
    profile: Path
    downloads: Path
    language: str
    pid: int
    chooser: object = None
    pin_dialog: str | None = None
    pin_given_at: float = 0.0
    loaded: bool = False  # the page's document is there (a page still loading answers no script)
    asking_host: str = ""  # the host of the page being opened: the one that asks for the card, if any does
    navigation_failed: bool = False  # the page being opened failed on the network (the kiosk says so already)
    declined: tuple[str, float] = ("", 0.0)  # the host the resident said "Not now" to, and until when it holds
    asked_for: tuple[str, float] = ("", 0.0)  # the address asked for, and when, until its first request arrives
    last_asked: str = ""  # the address asked for last, kept after its request arrived
    committed: bool = False  # something came of it: a page (Chromium's error page too) or the kiosk's own


class BrowserService:
    def __init__(self, chromium: Path, allowed: AllowedHosts, on_event: Callable[[object], None],
                 on_activity: Callable[[str], None], extra_args: tuple[str, ...] = (), env: dict | None = None,
                 sandbox: Sandbox | None = None):
        self.chromium = Path(chromium)
        self.sandbox = sandbox or probe()
        self.allowed = allowed
        self.on_event = on_event
        self.on_activity = on_activity
        self.extra_args = list(extra_args)
        self.env = env
        self._commands: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._window: _Window | None = None
        self._profile: Path | None = None       # the open browser's profile, readable from any thread
        self._answered_at = time.monotonic()
        self._closed = threading.Event()
        self._closed.set()
        self._pending: list[tuple[str, tuple]] = []  # what the page's callbacks asked for, done by the loop
        self._zoom = 1.0
        self._guard: subprocess.Popen | None = None

    @classmethod
    def for_kiosk(cls, settings, catalog, on_event: Callable[[object], None], on_activity: Callable[[str], None],
                  sandbox: Sandbox | None = None) -> "BrowserService":
        """The resident's browser as kiosk.ini and the catalogue set it up: the hosts the catalogue's services
        open, the browser user's home, and the card's PKCS#11 module registered there (once per user)."""
        browser = settings.browser
        allowed = AllowedHosts.for_kiosk(catalog, browser.allowed_hosts)
        env = {**os.environ, "HOME": str(browser.home)} if browser.home else None
        from kiosk.browser.nss import register_eid_module
        register_eid_module(browser)
        return cls(browser.chromium, allowed, on_event, on_activity, env=env, sandbox=sandbox)

    # ---- what the kiosk asks (any thread) -----------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return not self._closed.is_set()

    def open(self, visit_folder: Path, url: str, language: str, bounds: Bounds) -> None:
        """Open `url` in this visit's browser (started if needed, with a fresh profile inside the visit's folder)."""
        self._closed.clear()
        self._send("open", visit_folder, url, language, bounds)

    def warm_up(self, visit_folder: Path, language: str, bounds: Bounds) -> None:
        """Start the visit's browser out of sight, so that "Do it yourself" only has to show the page."""
        self._closed.clear()
        self._send("warm_up", visit_folder, language, bounds)

    def place(self, bounds: Bounds) -> None:
        self._send("place", bounds)

    def type_text(self, text: str) -> None:
        self._send("type_text", text)

    def press(self, key: str) -> None:
        """A key by its name in the page: "Backspace", "Enter", "Tab"."""
        self._send("press", key)

    def zoom(self, factor: float) -> None:
        self._send("zoom", factor)

    def choose_files(self, paths: list[Path]) -> None:
        """The answer to FileWanted: these files, or none when the resident cancelled."""
        self._send("choose_files", [str(path) for path in paths])

    def close(self, reason: str, wait: bool = False) -> bool:
        """Close the browser (BrowserClosed follows); with `wait`, return once it and its processes are gone."""
        profile = self._profile
        self._send("close", reason)
        if not wait:
            return True
        closed = self._closed.wait(CLOSE_WAIT_S)
        if profile is not None and processes_of(profile):
            kill_processes(profile)  # a browser that would not close in time
            closed = False
        return closed and not (profile is not None and processes_of(profile))

    def stop(self) -> None:
        if self._thread is not None:
            self.close("kiosk stopped", wait=True)
            self._commands.put(None)
            self._thread.join(timeout=CLOSE_WAIT_S)
            self._thread = None
        self._stop_guard()

    def _send(self, name: str, *args) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="browser", daemon=True)
            self._thread.start()
            threading.Thread(target=self._watch, name="browser-watchdog", daemon=True).start()
        self._commands.put((name, args))

    # ---- the browser thread ----------------------------------------------------------------------

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            self._playwright = playwright
            while True:
                self._answered_at = time.monotonic()
                try:
                    command = self._commands.get(timeout=PUMP_S) if self._window else self._commands.get()
                except queue.Empty:
                    self._pump()
                    continue
                if command is None:
                    break
                name, args = command
                if self._window is None and name not in ("open", "warm_up", "close", "zoom"):
                    continue  # for a browser that has closed meanwhile
                try:
                    getattr(self, "_do_" + name)(*args)
                except Exception as error:  # the kind only: a message could quote a page's address
                    log.warning("the browser failed to %s: %s", name, type(error).__name__)
                    if self._window is not None or name in ("open", "warm_up"):
                        self._end("crashed")
                del command

    def _pump(self) -> None:
        """Let Playwright deliver the page's events, then do what they asked for."""
        try:
            self._window.page.wait_for_timeout(PUMP_S * 1000)
            while self._pending and self._window is not None:
                name, args = self._pending.pop(0)
                getattr(self, "_do_" + name)(*args)
            if self._window is not None and self._window.asked_for[0]:
                self._check_navigation_started()
        except Exception as error:
            log.warning("the browser stopped answering: %s", type(error).__name__)
            self._end("crashed")

    def _watch(self) -> None:
        # A browser that hangs blocks its thread in a Playwright call: only killing it frees the thread.
        while self._thread is not None:
            time.sleep(1.0)
            if self._window is not None and time.monotonic() - self._answered_at > STUCK_S and self._profile:
                log.warning("the browser hung: killing it")
                kill_processes(self._profile)

    # ---- the window guard (kiosk/browser/window_guard.py) -------------------------------------------------

    def _start_guard(self) -> None:
        """The guard process, once: no window of the browser but the page's shows, and its shortcuts are taken."""
        if self._guard is not None and self._guard.poll() is None:
            return
        guard = subprocess.Popen([sys.executable, "-m", "kiosk.browser.window_guard", str(os.getpid())],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 cwd=Path(__file__).resolve().parents[2], start_new_session=True)
        ready = queue.Queue()
        threading.Thread(target=self._hear_guard, args=(guard, ready), name="window-guard", daemon=True).start()
        try:
            mode = ready.get(timeout=GUARD_READY_S)
        except queue.Empty:
            mode = None
        if mode is None:
            guard.kill()
            guard.wait()
            raise GuardUnavailable("the window guard did not start (its words are in the kiosk's log)")
        if mode != "manager":
            log.warning("another window manager runs: Chromium's own windows are hidden just after they appear")
        self._guard = guard

    def _hear_guard(self, guard: subprocess.Popen, ready: queue.Queue) -> None:
        for line in guard.stdout:
            words = line.split()
            if words[:1] == ["ready"]:
                ready.put(words[1] if len(words) > 1 else "manager")
            elif len(words) >= 2:
                self._commands.put(("guard", (words[0], words[1], words[2:])))
        ready.put(None)
        if self._guard is guard:  # it died under an open browser: the page must not stay unguarded
            self._commands.put(("guard", ("lost", "", [])))

    def _stop_guard(self) -> None:
        guard, self._guard = self._guard, None
        if guard is not None:
            guard.stdin.close()  # the guard ends when its standard input does
            try:
                guard.wait(5)
            except subprocess.TimeoutExpired:
                guard.kill()
                guard.wait()

    def _do_guard(self, kind: str, window: str, detail: list[str]) -> None:
        if kind == "lost":
            log.warning("the window guard stopped: the page is closed")
            self._guard = None
            self._end("crashed")
        elif kind == "pin":
            host, until = self._window.declined
            if host == self._window.asking_host and time.monotonic() < until:
                press_in(window, "Escape")  # the same page asking again: the resident said "Not now" already
                return
            # Chromium's PIN dialog, kept out of sight by the guard: the kiosk asks on its own PIN pad instead.
            self._window.pin_dialog = window
            retry = time.monotonic() - self._window.pin_given_at < WRONG_PIN_WITHIN_S
            self.on_event(events.PinWanted(retry=retry, site=self._window.asking_host))
        elif kind == "gone" and window == self._window.pin_dialog:
            self._window.pin_dialog = None  # closed with its page (the resident went elsewhere) unanswered
            self.on_event(events.PinWanted(done=True))
        elif kind == "refused":
            log.info("the window guard kept a %s of the browser off the screen", " ".join(detail) or "window")

    def _launch(self, visit_folder: Path, language: str, bounds: Bounds) -> None:
        if not self.sandbox.usable:
            raise SandboxUnavailable(self.sandbox.detail)
        self._start_guard()
        profile, downloads = visit_folder / PROFILE_FOLDER, visit_folder / DOWNLOADS_FOLDER
        for folder in (profile, downloads):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (profile / "Default").mkdir(mode=0o700, exist_ok=True)
        (profile / "Default" / "Preferences").write_text(json.dumps(PROFILE_PREFERENCES), encoding="utf-8")
        self._profile = profile
        # Chromium refuses its sandbox to root: the demo and the tests run as root, a real kiosk as its own user.
        # Playwright adds --no-sandbox itself unless told chromium_sandbox: a kiosk's pages are never unsandboxed.
        sandbox = [] if self.sandbox.sandboxed else ["--no-sandbox"]
        # --kiosk: no address bar, tabs, menu or frame; placed at the requested position (no window manager on a
        # kiosk; a window manager would make it full screen over the kiosk's top bar). --test-type keeps Chromium
        # from telling the resident about its command line.
        args = QUIET_ARGS + sandbox + ["--lang=en-US", "--kiosk", "--test-type",
                                       f"--window-position={bounds.left},{bounds.top}",
                                       f"--window-size={bounds.width},{bounds.height}"] + self.extra_args
        context = self._playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(self.chromium), headless=False, args=args, no_viewport=True,
            chromium_sandbox=self.sandbox.sandboxed,
            ignore_default_args=["--enable-automation"], accept_downloads=True, downloads_path=str(downloads),
            env=self.env, locale={"lv": "lv-LV", "uk": "uk-UA"}.get(language, "en-GB"))
        context.add_init_script(PAGE_SCRIPT)
        context.expose_binding("kacField", lambda _source, kind: self.on_event(events.PageField(kind)))
        context.expose_binding("kacActivity", lambda _source: self.on_activity("browser"))
        context.expose_binding("kacZoom", lambda _source: self._zoom)
        context.expose_binding("kacPrint", lambda source: self._pending.append(("print_page", (source["page"],))))
        context.route("**/*", self._route)
        context.on("close", lambda closed: self._pending.append(("gone", (closed,))))
        context.on("page", lambda opened: self._pending.append(("another_page", (opened,))))
        # The window's own first tab: Chromium may report it a moment after the launch returns (it reads its
        # managed policies first). A page made here instead would be a second tab the resident never sees, and the
        # e-service would open in it behind a blank window.
        if context.pages:
            page = context.pages[0]
            if len(context.pages) > 1:
                # Only one tab is the page's: another one's window could be the one shown, blank.
                log.info("the browser started with %d tabs: the others are closed", len(context.pages))
                for extra in context.pages[1:]:
                    extra.close()
        else:
            log.info("waiting for the browser's first tab")
            page = context.wait_for_event("page", timeout=FIRST_TAB_S * 1000)
        self._watch_page(page)
        pid = browser_process(profile)
        self._window = _Window(context, page, find_window(pid), profile, downloads, language, pid)

    def _watch_page(self, page) -> None:
        page.on("crash", lambda crashed: self._pending.append(("gone", (crashed.context,))))
        page.on("filechooser", self._file_wanted)
        page.on("download", lambda download: self._pending.append(("download", (download,))))
        page.on("requestfailed", self._request_failed)
        page.on("domcontentloaded", lambda _page: setattr(self._window, "loaded", True) if self._window else None)
        page.on("framenavigated", lambda frame: self._navigated(frame))
        # A page that opens another window gets it as a tab of nothing: it is shown in the same window instead.
        page.on("popup", lambda popup: self._pending.append(("adopt_popup", (popup,))))

    # ---- commands ----------------------------------------------------------------------------------

    def _do_warm_up(self, visit_folder: Path, language: str, bounds: Bounds) -> None:
        if self._window is not None and self._window.profile.parent != visit_folder:
            self._end("visit ended")
        if self._window is None:
            self._launch(visit_folder, language, bounds.hidden())

    def _do_open(self, visit_folder: Path, url: str, language: str, bounds: Bounds) -> None:
        self._do_warm_up(visit_folder, language, bounds)
        self._window.language = language
        self._do_place(bounds)
        self.on_event(events.BrowserOpened())
        self._navigate(self._window.page, url)

    def _navigate(self, page, url: str) -> None:
        # Not page.goto: a login page waits for the card's PIN before it answers, and this thread must go on
        # hearing of the PIN dialog meanwhile. The page's own events say how the navigation went.
        page.evaluate("url => setTimeout(() => { window.location.href = url; }, 0)", url)
        self._window.loaded = False
        self._window.navigation_failed = False
        self._window.asked_for = (url, time.monotonic())
        self._window.last_asked, self._window.committed = url, False

    def _check_navigation_started(self) -> None:
        """A navigation asked of a browser still settling its first blank page can be lost with that page's
        timer: when no request for it came within a few seconds, it is asked again."""
        url, asked_at = self._window.asked_for
        if url and time.monotonic() - asked_at > NAVIGATION_START_S and self._window.page.url == "about:blank":
            log.info("the page's navigation did not start: asked again")
            self._navigate(self._window.page, url)

    def _do_place(self, bounds: Bounds) -> None:
        place_window(self._window.window_id, bounds.left, bounds.top, bounds.width, bounds.height)

    def _do_type_text(self, text: str) -> None:
        self._window.page.keyboard.insert_text(text)

    def _do_press(self, key: str) -> None:
        self._window.page.keyboard.press(key)

    def _do_zoom(self, factor: float) -> None:
        self._zoom = factor
        if self._window is not None:
            self._zoom_pages(factor)

    def _zoom_pages(self, factor: float) -> None:
        # Every page asks for the size when it loads (page_script.js); the page shown now changes at once, unless
        # it is still loading (a login waiting for the card's PIN would hold this thread): its load applies it.
        if self._window.loaded:
            self._window.page.evaluate("factor => { document.documentElement.style.zoom = String(factor); }", factor)

    def _do_choose_files(self, paths: list[str]) -> None:
        chooser, self._window.chooser = self._window.chooser, None
        if chooser is not None:
            chooser.set_files(paths)

    def _do_close(self, reason: str) -> None:
        self._end(reason)

    def enter_pin(self, pin: str) -> None:
        """PIN1 for the card's login, typed into Chromium's PIN dialog; it is kept nowhere."""
        self._send("enter_pin", pin)

    def cancel_pin(self) -> None:
        self._send("cancel_pin")

    def _do_enter_pin(self, pin: str) -> None:
        dialog, self._window.pin_dialog = self._window.pin_dialog, None
        if dialog is not None:
            self._window.pin_given_at = time.monotonic()
            type_into(dialog, pin, "Return")

    def _do_cancel_pin(self) -> None:
        dialog, self._window.pin_dialog = self._window.pin_dialog, None
        if dialog is not None:
            self._window.declined = (self._window.asking_host, time.monotonic() + DECLINE_HOLDS_S)
            press_in(dialog, "Escape")

    # ---- what the page did (on the browser thread) -------------------------------------------------

    def _route(self, route) -> None:
        request = route.request
        if self.allowed.allows(request.url):
            if self._window is not None and request.is_navigation_request() and request.frame.parent_frame is None:
                self._window.asking_host = host_of(request.url)
                self._window.asked_for = ("", 0.0)  # it started
                log.info("the page's navigation started")  # not its address: a page's can name the resident
                self._window.navigation_failed = False
            route.continue_()
        elif request.is_navigation_request() and request.frame.parent_frame is None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body=kiosk_page(BLOCKED, self._window.language if self._window else "lv"))
        else:
            route.abort("blockedbyclient")

    def _navigated(self, frame) -> None:
        if self._window is None or frame.parent_frame is not None:
            return
        if frame.url != "about:blank":  # not the first blank page, which may still be settling
            self._window.committed = True
            log.info("a page came")
        self._window.loaded = False  # until its DOMContentLoaded
        if frame.url.startswith("chrome-error://"):
            # Chromium's own error page. After a network failure the kiosk's sentence is on its way already; with
            # none, Chromium stopped the address before the network (the managed policies' URL blocklist).
            if not self._window.navigation_failed:
                self._pending.append(("show_kiosk_page", (BLOCKED,)))
        elif frame.url.startswith(("http://", "https://")):
            self._window.navigation_failed = False

    def _request_failed(self, request) -> None:
        if not request.is_navigation_request() or request.frame.parent_frame is not None or self._window is None:
            return
        log.info("the page's navigation failed: %s", request.failure)  # the error's name, not the address
        if request.failure == "net::ERR_ABORTED" and not self._window.committed and self._window.last_asked:
            # Stopped before anything was shown (a browser still settling its first blank page): asked for again if
            # the page is still blank in a few seconds, as a navigation that never started is.
            self._window.asked_for = (self._window.last_asked, time.monotonic())
        # An allowed page that does not answer: the kiosk's sentence instead of Chromium's error page.
        if request.failure not in ("net::ERR_ABORTED", "net::ERR_BLOCKED_BY_CLIENT"):
            self._window.navigation_failed = True
            blocked = request.failure == "net::ERR_BLOCKED_BY_ADMINISTRATOR"
            self._pending.append(("show_kiosk_page", (BLOCKED if blocked else FAILED,)))

    def _do_show_kiosk_page(self, which: tuple[str, str]) -> None:
        from playwright.sync_api import Error as PageError
        for attempt in range(3):
            try:
                self._window.page.set_content(kiosk_page(which, self._window.language), wait_until="commit")
                self._window.committed = True
                return
            except PageError:
                # Chromium's error page was still arriving, or reloading itself: a moment, then once more.
                self._window.page.wait_for_timeout(300 * (attempt + 1))
        log.warning("the kiosk's page could not replace Chromium's error page")

    def _file_wanted(self, chooser) -> None:
        self._window.chooser = chooser
        self.on_event(events.FileWanted(multiple=chooser.is_multiple()))

    def _do_download(self, download) -> None:
        target = unique_path(self._window.downloads, safe_name(download.suggested_filename))
        download.save_as(str(target))
        self.on_event(events.DownloadReady(target))

    def _do_print_page(self, page) -> None:
        import base64
        cdp = page.context.new_cdp_session(page)
        try:
            pdf = base64.b64decode(cdp.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                               "paperWidth": 8.27, "paperHeight": 11.69})["data"])
        finally:
            cdp.detach()
        target = unique_path(self._window.downloads, "page.pdf")
        target.write_bytes(pdf)
        self.on_event(events.DownloadReady(target, printed_from_page=True))

    def _do_adopt_popup(self, popup) -> None:
        url = popup.url
        popup.close()
        if url.startswith(("http://", "https://")):
            self._navigate(self._window.page, url)

    def _do_another_page(self, opened) -> None:
        # A page nobody asked for (a second window or a tab from a shortcut that got through): closed unseen, as
        # the guard never shows its window. A page's popup comes to _do_adopt_popup as well.
        if opened is not self._window.page and opened.opener() is None and not opened.is_closed():
            opened.close()

    def _do_gone(self, context) -> None:
        # Only the browser open now: the one closed at the last visit's end says so after it is gone.
        if self._window is not None and self._window.context is context:
            self._end("crashed")

    # ---- the end ---------------------------------------------------------------------------------

    def _end(self, reason: str) -> None:
        """Close the browser, kill whatever of it is left, and delete its profile; BrowserClosed(reason)."""
        opened, self._window = self._window, None
        self._pending.clear()
        profile = self._profile
        if opened is not None:
            try:
                opened.context.close()
            except Exception as error:  # a crashed browser cannot close itself
                log.info("the browser closed with %s", type(error).__name__)
        if profile is not None:
            kill_processes(profile)
            remove_singleton_folder(profile)
            shutil.rmtree(profile, ignore_errors=True)
        self._profile = None
        was_open = not self._closed.is_set()
        self._closed.set()
        if was_open:
            self.on_event(events.BrowserClosed(reason))


def processes_of(profile: Path) -> list[int]:
    """Chromium processes (browser, renderers, helpers) started with this profile folder."""
    marker = f"--user-data-dir={profile}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile
    return found


def browser_process(profile: Path) -> int:
    """The browser's own process among the profile's (the others are its renderers and helpers)."""
    for pid in processes_of(profile):
        try:
            if b"--type=" not in (Path("/proc") / str(pid) / "cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise ProcessLookupError("the browser's process is gone")


def kill_processes(profile: Path) -> None:
    for pid in processes_of(profile):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while processes_of(profile) and time.monotonic() < deadline:
        time.sleep(0.05)


def remove_singleton_folder(profile: Path) -> None:
    """Chromium's single-instance socket lives in a folder of the system's temporary one, which a killed
    Chromium leaves behind: the profile's SingletonSocket link says which."""
    try:
        folder = Path(os.readlink(profile / "SingletonSocket")).parent
    except OSError:
        return
    if folder.name.startswith("org.chromium.Chromium.") and folder.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(folder, ignore_errors=True)


def safe_name(name: str) -> str:
    """A downloaded file's name as the page suggested it, without folders or characters a file system refuses."""
    name = os.path.basename(name.replace("\\", "/")).strip().lstrip(".") or "document"
    return "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|')[:120] or "document"


def unique_path(folder: Path, name: str) -> Path:
    candidate, stem, suffix, number = folder / name, Path(name).stem, Path(name).suffix, 2
    while candidate.exists():
        candidate, number = folder / f"{stem} ({number}){suffix}", number + 1
    return candidate


def browser_gone(visit_folder: Path) -> bool:
    """The visit's browser is gone: its profile folder deleted, and no Chromium process of it left."""
    profile = visit_folder / PROFILE_FOLDER
    return not profile.exists() and not processes_of(profile)

"""The kiosk application: owns UI state, the resident's session, idle handling and lock-down."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

import screens.widgets  # noqa: F401  (registers the shared kv rules before any screen uses them)
from kiosk import __version__
from kiosk.admin_pin import PinAnswer, PinGuard
from kiosk.config import Settings
from kiosk.gesture import CornerTaps
from kiosk.idle import IdlePolicy, IdleState, Timings
from kiosk.session import SessionManager, WipeReport
from screens import SCREENS
from screens.app_desk import DeskMixin
from screens.app_devices import DevicesMixin
from screens.i18n import tr
from screens.theme import theme

log = logging.getLogger(__name__)

ESCAPE_KEY = 27


class KioskApp(DeskMixin, DevicesMixin, App):
    title = "KAC"
    use_kivy_settings = False
    show_top_bar = BooleanProperty(True)
    current_screen = StringProperty("")
    in_session = BooleanProperty(False)
    language = StringProperty("lv")

    def __init__(self, settings: Settings, timings: Timings | None = None, demo: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings
        self.timings = timings or Timings.from_settings(settings.session)
        self.demo = demo
        self.version = __version__
        self.sessions = SessionManager(settings.session.runtime_dir)
        self.idle = IdlePolicy(self.timings.idle_warning_s, self.timings.idle_countdown_s)
        self.corner_taps = CornerTaps(settings.admin.corner_taps, settings.admin.corner_window_s)
        self.pin_guard = PinGuard(settings.admin.pin_hash)
        self.allow_close = False
        self.leftovers_removed = 0
        self._screens: dict = {}
        self._dialogs: dict = {}
        self._return_from_admin_pin = "greeting"
        self._catalog_index = None
        self.loaded_catalog = None
        self.eid = None
        self._clock_events: list = []

    # ---- start and stop -------------------------------------------------------------------------

    def build(self):
        self.leftovers_removed = self.sessions.prepare()
        root = Builder.load_file(str(Path(__file__).with_suffix(".kv")))
        Window.bind(on_request_close=self._veto_close, on_keyboard=self._on_keyboard,
                    on_touch_down=self._on_window_touch)
        self._clock_events.append(Clock.schedule_interval(self._idle_tick, self.timings.tick_s))
        self.root = root
        self.reset_preferences()
        self.show("greeting")
        log.info("kiosk %s ready (version %s)", self.settings.kiosk.id, self.version)
        return root

    def on_start(self):
        self._start_eid()
        # Printing, scanning and the desk are not needed to greet: they start just after the first frame.
        Window.bind(on_flip=self._after_first_frame)

    def _after_first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        self._schedule_once(lambda _dt: self.start_services(), 0.1)

    def start_services(self) -> None:
        """The desk, the printers and the scanner; at once when a session starts before their turn came."""
        if self.desk is None:
            self.start_desk()
        if self.printing is None:
            self.start_devices(self.demo)

    def on_stop(self):
        # Off the window and the clock first: nothing of this app may act after it stopped, whatever fails below.
        Window.unbind(on_request_close=self._veto_close, on_keyboard=self._on_keyboard,
                      on_touch_down=self._on_window_touch, on_flip=self._after_first_frame)
        for event in self._clock_events:
            event.cancel()
        # An open dialog sits on the window beside the root; Kivy's stop would leave the root behind it.
        for name in list(self._dialogs):
            self.close_dialog(name)
        try:
            if self.sessions.current is not None:
                self.sessions.end("kiosk stopped")  # while the services its wipers use still run
        finally:
            for stop in (self.eid.stop if self.eid else None, self.stop_devices, self.stop_desk):
                try:
                    if stop is not None:
                        stop()
                except Exception as error:  # one part failing to stop must not keep the others running
                    # The kind of error only: a message or traceback could carry what a resident did.
                    log.error("stopping a part of the kiosk failed: %s", type(error).__name__)

    def open_settings(self, *args):
        """Kivy opens its settings panel on F1; a public kiosk never shows it."""
        return False

    def _veto_close(self, *args, **kwargs) -> bool:
        return not self.allow_close

    def _on_keyboard(self, _window, key, *args) -> bool:
        self.idle.touched()
        return key == ESCAPE_KEY  # swallowed: Escape neither closes nor goes back

    def _on_window_touch(self, window, touch) -> bool:
        self.idle.touched()
        corner = dp(80)
        if touch.x < corner and touch.y > window.height - corner:
            if self.corner_taps.tap():
                self.open_admin_pin()
        else:
            self.corner_taps.other_touch()
        return False  # the touch goes on to the widgets

    # ---- screens --------------------------------------------------------------------------------

    def screen(self, name: str):
        """The screen called `name`, built the first time it is asked for."""
        if name not in self._screens:
            entry = SCREENS[name]
            cls = getattr(importlib.import_module(entry.module), entry.cls)
            screen = cls(name=name, **entry.properties)
            self._screens[name] = screen
            self.root.ids.screens.add_widget(screen)
            self.sessions.add_standing_wiper(f"screen {name}", screen.reset,
                                             lambda: not screen.holds_resident_data())
        return self._screens[name]

    def show(self, name: str) -> None:
        screen = self.screen(name)
        self.show_top_bar = SCREENS[name].top_bar
        self.root.ids.screens.current = screen.name
        self.current_screen = name

    def go_home(self) -> None:
        self.show("home" if self.in_session else "greeting")

    # ---- preferences ----------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        if language in self.settings.ui.languages:
            self.language = language  # first: rules re-run by the switch read it
            tr.switch(language)
        self.close_dialog("language")

    def next_text_size(self) -> None:
        theme.next_text_size()

    def toggle_contrast(self) -> None:
        theme.high_contrast = not theme.high_contrast

    def reset_preferences(self) -> None:
        """The next resident starts in the default language, at normal size and contrast."""
        self.set_language(self.settings.ui.default_language)
        theme.reset()

    # ---- the session ----------------------------------------------------------------------------

    def start_session(self, language: str | None = None) -> None:
        if language:
            self.set_language(language)
        self.start_services()
        self.attach_devices(self.sessions.start())
        self.in_session = True
        self.idle.touched()
        self.show("home")

    def ask_end_session(self) -> None:
        self.open_dialog("confirm_end")

    def end_session(self, reason: str, farewell: bool = True) -> WipeReport | None:
        """Wipe everything of the resident; then the reminders, then the greeting."""
        for name in list(self._dialogs):
            self.close_dialog(name)
        from kiosk.printing import QUOTA_KEY
        store = self.sessions.current.store if self.sessions.current else {}
        goodbye = self.screen("goodbye")
        goodbye.scanned, goodbye.printed = bool(store.get("scanned")), bool(store.get(QUOTA_KEY))
        report = self.sessions.end(reason)
        self.in_session = False
        if farewell:
            self.show("goodbye")
            self._schedule_once(self.finish_goodbye, self.timings.goodbye_s)
        return report

    def finish_goodbye(self, *args) -> None:
        if self.current_screen == "goodbye":
            self.reset_preferences()
            self.show("greeting")

    def still_here(self) -> None:
        self.idle.touched()
        self.close_dialog("idle_warning")

    def _idle_tick(self, _dt) -> None:
        reading = self.idle.reading()
        if self.current_screen in ("admin_pin", "admin"):
            # An administrator who walks away must not leave the admin screen open to the public.
            if reading.state is IdleState.EXPIRED:
                self.leave_admin()
            return
        if not self.in_session:
            return
        if reading.state is IdleState.ACTIVE:
            self.close_dialog("idle_warning")
        elif reading.state is IdleState.WARNING:
            self.open_dialog("idle_warning").seconds_left = reading.seconds_left
        else:
            log.info("no touch for %.0f s: ending the session",
                     self.timings.idle_warning_s + self.timings.idle_countdown_s)
            self.end_session("idle")

    def _schedule_once(self, callback, delay: float) -> None:
        self._clock_events.append(Clock.schedule_once(callback, delay))
        self._clock_events = [event for event in self._clock_events if event.is_triggered]

    # ---- the catalogue ----------------------------------------------------------------------

    def catalog_index(self):
        """The search index over the catalogue, read when a resident first looks for a service."""
        if self._catalog_index is None:
            from kiosk.catalog import load_with_fallback
            from kiosk.catalog.search import SearchIndex
            self.loaded_catalog = load_with_fallback(self.settings.catalog.path, self.settings.kiosk.state_dir)
            if self.loaded_catalog.catalog is not None:
                index = self._catalog_index = SearchIndex(self.loaded_catalog.catalog)
                self.sessions.add_standing_wiper("typed search words", index.forget_queries,
                                                 lambda: not index.remembers_queries())
        return self._catalog_index

    def search(self, query: str) -> list:
        index = self.catalog_index()
        return [hit.service for hit in index.search(query, self.language, limit=30)] if index else []

    def browse_choices(self, by: str) -> list[tuple[str, str]]:
        """(key, label) of every life situation or institution that has services, in the current language."""
        index = self.catalog_index()
        if index is None:
            return []
        catalog = index.catalog
        if by == "situation":
            return [(s.id, s.name.get(self.language)) for s in catalog.life_situations if catalog.in_situation(s.id)]
        return [(i.code, i.name.get(self.language)) for i in catalog.institutions if catalog.of_institution(i.code)]

    def browse(self, by: str, key: str) -> list:
        catalog = self.catalog_index().catalog
        return catalog.in_situation(key) if by == "situation" else catalog.of_institution(key)

    def show_service(self, service_id: str) -> None:
        self.screen("service").service = self.catalog_index().catalog.by_id[service_id]
        self.show("service")

    @staticmethod
    def qr_texture(data: str):
        import io
        from kivy.core.image import Image as CoreImage
        from kiosk.qr import qr_png
        return CoreImage(io.BytesIO(qr_png(data)), ext="png").texture

    # ---- the eID card ---------------------------------------------------------------------------

    def _start_eid(self) -> None:
        from kiosk.eid.service import EidService
        eid = self.settings.eid
        self.eid = EidService(self._eid_event_from_thread, eid.reader or None, eid.origin, eid.trusted_ca)
        self.eid.start()

    def _eid_event_from_thread(self, event) -> None:
        # The monitor and the card work run on their own threads; the UI changes only on its own.
        Clock.schedule_once(lambda _dt: self.on_eid_event(event))

    def on_eid_event(self, event) -> None:
        from kiosk.eid import service as eid
        from kiosk.eid.card import EidError, Problem
        from kiosk.eid.pcsc import ReaderAdded
        screen = self.screen("eid_login")
        store = self.sessions.current.store if self.sessions.current else None
        if isinstance(event, eid.NoReader):
            self.device_alert("reader", "missing")
        elif isinstance(event, ReaderAdded):
            self.device_fine("reader")
        elif isinstance(event, eid.EidFailed):
            self.note_problem(event.error.problem.value)
        if self.current_screen in ("admin_pin", "admin"):
            return
        if isinstance(event, eid.Reading):
            if not self.in_session:
                self.start_session()
            screen.message = ""
            screen.state = "reading"
            self.show("eid_login")
        elif isinstance(event, (eid.IdentityRead, eid.LoginDone)) and store is not None:
            store["eid_identity"] = event.identity
            if isinstance(event, eid.LoginDone):
                store["eid_token"] = event.token
                log.info("eID PIN proof succeeded")
            screen.show_identity(event.identity, verified="eid_token" in store)
        elif isinstance(event, eid.PinTries):
            screen.set_tries(event.tries_left)
        elif isinstance(event, eid.EidFailed):
            if event.error.problem in (Problem.NOT_EID, Problem.UNSUPPORTED) and not self.in_session:
                self.start_session()
            if self.in_session:
                screen.show_problem(event.error)
                self.show("eid_login")
        elif isinstance(event, eid.CardTakenOut) and store is not None:
            had_identity = store.pop("eid_identity", None) is not None
            store.pop("eid_token", None)
            if self.current_screen == "eid_login":
                screen.card_taken_out()
            elif had_identity:
                screen.reset()
                self.open_dialog("card_removed")
        elif isinstance(event, eid.NoReader) and self.current_screen == "eid_login":
            screen.show_problem(EidError(Problem.NO_READER))
        elif isinstance(event, ReaderAdded) and screen.state == "no_reader":
            screen.state = "waiting"

    def eid_identity(self):
        return self.sessions.current.store.get("eid_identity") if self.sessions.current else None

    def eid_verified(self) -> bool:
        return bool(self.sessions.current and "eid_token" in self.sessions.current.store)

    def eid_reader_present(self) -> bool:
        return self.eid is not None and self.eid.reader_present

    def eid_card_kind(self):
        return self.eid.card_profile.kind if self.eid and self.eid.card_profile else None

    def eid_login(self, pin: str) -> None:
        self.eid.login(pin)

    def eid_check_tries(self) -> None:
        self.eid.check_tries()

    def eid_retry(self) -> None:
        self.eid.reread()

    # ---- dialogs --------------------------------------------------------------------------------

    def open_dialog(self, name: str):
        if name not in self._dialogs:
            from screens.dialogs import DIALOGS  # built when first needed: start-up pays only for the greeting
            self._dialogs[name] = DIALOGS[name]()
        dialog = self._dialogs[name]
        if dialog.parent is None:
            dialog.open(animation=False)
        return dialog

    def close_dialog(self, name: str) -> None:
        dialog = self._dialogs.get(name)
        if dialog is not None and dialog.parent is not None:
            dialog.dismiss(animation=False)

    def dialog_is_open(self, name: str) -> bool:
        dialog = self._dialogs.get(name)
        return dialog is not None and dialog.parent is not None

    # ---- administration -------------------------------------------------------------------------

    def open_admin_pin(self) -> None:
        if self.current_screen in ("admin_pin", "admin"):
            return
        for name in list(self._dialogs):
            self.close_dialog(name)
        self._return_from_admin_pin = self.current_screen or "greeting"
        self.idle.touched()
        self.show("admin_pin")

    def check_admin_pin(self, pin: str) -> PinAnswer:
        answer = self.pin_guard.check(pin)
        log.info("administrator PIN %s", answer.result.value)
        return answer

    def enter_admin(self) -> None:
        if self.sessions.current is not None:
            self.end_session("administrator", farewell=False)
        self.reset_preferences()
        self.show("admin")

    def cancel_admin_pin(self) -> None:
        self.screen("admin_pin").reset()
        self.show(self._return_from_admin_pin)

    def leave_admin(self) -> None:
        if self.current_screen == "admin_pin":
            self.cancel_admin_pin()
        else:
            self.reset_preferences()
            self.show("greeting")

    def health_checks(self):
        from kiosk.doctor import run_checks
        return run_checks(self.settings)

    def admin_summary(self) -> str:
        report = self.sessions.last_report
        if report is None:
            wipe = tr._("no session has ended yet")
        elif report.clean:
            wipe = tr._("clean")
        else:
            wipe = tr._("incomplete: {parts}").format(parts=", ".join(report.failed + report.leftovers))
        kiosk, centre = self.settings.kiosk, self.settings.centre
        return "\n".join([
            tr._("Kiosk: {id}, {name}").format(id=kiosk.id, name=kiosk.name),
            tr._("Centre: {name}, {address}").format(name=centre.name, address=centre.address),
            tr._("Version: {version}").format(version=self.version),
            tr._("Configuration: {path}").format(path=self.settings.path),
            tr._("Last session wipe: {result}").format(result=wipe),
            tr._("Session folders removed at start-up after an unclean stop: {count}").format(
                count=self.leftovers_removed),
        ])

    def exit_app(self, reason: str = "the administrator") -> None:
        log.info("kiosk closed by %s", reason)
        self.allow_close = True
        self.stop()

"""The kiosk application: shows what the core reports, and owns only the UI's state, navigation and lock-down."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder, global_idmap
from kivy.lang.parser import _handlers as kv_rule_handlers
from kivy.metrics import dp
from kivy.properties import AliasProperty, BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.recycleview import views as recycled_views

import screens.widgets  # noqa: F401  (registers the shared kv rules before any screen uses them)
from kiosk import __version__, events
from kiosk.core import KioskCore
from kiosk.idle import IdleState
from kiosk.visits import WipeReport
from screens import SCREENS
from screens.admin_door import AdminDoor
from screens.dialog_host import DialogHost
from screens.i18n import tr
from screens.reader import ScreenReader
from screens.theme import TEXT_SIZES, theme
from screens.ui_thread import UiThread

log = logging.getLogger(__name__)

ESCAPE_KEY = 27


# The top bar's settings, in their order: the second row at extra-large text.
SECOND_ROW = ("text_size_button", "contrast_button", "read_aloud_button", "volume_button", "end_visit_button")


class KioskApp(App):
    title = "KAC"
    use_kivy_settings = False
    show_top_bar = BooleanProperty(True)
    current_screen = StringProperty("")
    in_visit = BooleanProperty(False)
    language = StringProperty("lv")
    # The shown screen, and what of it the bottom bar shows: its Back and its one main action.
    screen_widget = ObjectProperty(None, allownone=True)
    back_shown = BooleanProperty(False)
    main_label = StringProperty("")
    bottom_bar_shown = AliasProperty(lambda self: self.back_shown or bool(self.main_label),
                                     bind=("back_shown", "main_label"), cache=True)
    # The top bar's text grows less than the screen's, so the bar stays one row up to large text; at extra-large
    # text it takes two rows (the settings in the second), and its words grow with the rest.
    bar_font_size = NumericProperty(dp(19))
    bar_row_height = NumericProperty(dp(60))
    bar_rows = NumericProperty(1)
    # Reading aloud, as the top bar's speaker and volume buttons show it: on for this resident, and how loud.
    reading_aloud = BooleanProperty(False)
    volume_step = NumericProperty(2)

    def __init__(self, core: KioskCore, **kwargs):
        super().__init__(**kwargs)
        self.core = core
        self.settings = core.settings
        self.demo = core.demo
        self.version = __version__
        self.allow_close = False
        # Set when the app stops to start again with new settings (kiosk run then executes itself anew).
        self.start_again = False
        self._screens: dict = {}
        self.dialogs = DialogHost(on_change=self._dialogs_changed)
        self.open_dialog, self.close_dialog = self.dialogs.open, self.dialogs.close
        self.dialog_is_open = self.dialogs.is_open
        self.admin = AdminDoor(self)
        self.reader = ScreenReader(self)
        self._clock_events: list = []
        # Whatever the core's services report, from any thread, is handled on the UI thread.
        core.post = UiThread().post
        core.subscribe(self.on_core_event)

    # ---- start and stop -------------------------------------------------------------------------

    def build(self):
        # Kivy's kv rules reach the app through a proxy that keeps the first app it finds and forgets it when that
        # app stops; a rule re-run during the stop (the visit's wipe) finds the stopping app again. Forgotten here,
        # this app is the one its rules follow, also when it is not the first in the process (tests, screenshots).
        object.__setattr__(global_idmap["app"], "_obj", None)
        self._rules_before = set(kv_rule_handlers)  # every kv binding made after this is this app's
        self.core.prepare()
        root = Builder.load_file(str(Path(__file__).with_suffix(".kv")))
        Window.bind(on_request_close=self._veto_close, on_keyboard=self._on_keyboard,
                    on_touch_down=self._on_window_touch)
        self._clock_events.append(Clock.schedule_interval(self._idle_tick, self.core.timings.tick_s))
        self.root = root
        theme.fbind("font_scale", self._scale_bar)
        self.reset_preferences()
        self.show("greeting")
        log.info("kiosk %s ready (version %s)", self.settings.kiosk.id, self.version)
        return root

    def on_start(self):
        self.core.start()
        # Printing, scanning and the desk are not needed to greet: they start just after the first frame.
        Window.bind(on_flip=self._after_first_frame)

    def _after_first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        self._schedule_once(lambda _dt: self.core.start_services(), 0.1)

    def on_stop(self):
        # Off the window and the clock first: nothing of this app may act after it stopped, whatever fails below.
        Window.unbind(on_request_close=self._veto_close, on_keyboard=self._on_keyboard,
                      on_touch_down=self._on_window_touch, on_flip=self._after_first_frame)
        for event in self._clock_events:
            event.cancel()
        theme.funbind("font_scale", self._scale_bar)
        # An open dialog sits on the window beside the root; Kivy's stop would leave the root behind it.
        self.dialogs.close_all()
        self.core.unsubscribe(self.on_core_event)
        self.core.stop()
        self._unbind_rules()

    def _unbind_rules(self) -> None:
        """The kv rules of every widget this app made, shown or not, off the theme and the translations, which
        outlive it: a later app in the process (tests, screenshots) would otherwise run them on widgets that are
        gone, and every theme change would lay out every earlier app's widgets again."""
        for uid in set(kv_rule_handlers) - self._rules_before:
            Builder.unbind_widget(uid)
        # Kivy keeps the rows a list no longer shows in a cache of the process, for any later list to reuse: rows
        # whose rules are now unbound would show a later app stale text.
        recycled_views._cached_views.clear()
        tr.forget_observers()  # what is left are the screens' own, in Python

    def open_settings(self, *args):
        """Kivy opens its settings panel on F1; a public kiosk never shows it."""
        return False

    def _veto_close(self, *args, **kwargs) -> bool:
        return not self.allow_close

    def _on_keyboard(self, _window, key, *args) -> bool:
        self.core.activity("key")
        return key == ESCAPE_KEY  # swallowed: Escape neither closes nor goes back

    def _on_window_touch(self, window, touch) -> bool:
        self.core.activity("touch")
        self.admin.touched(window, touch)
        self.reader.touched(window, touch)
        return False  # the touch goes on to the widgets

    # ---- screens --------------------------------------------------------------------

    def screen(self, name: str):
        """The screen called `name`, built the first time it is asked for."""
        if name not in self._screens:
            entry = SCREENS[name]
            cls = getattr(importlib.import_module(entry.module), entry.cls)
            screen = cls(name=name, core=self.core)
            self._screens[name] = screen
            self.root.ids.screens.add_widget(screen)
            self.core.visits.add_standing_wiper(f"screen {name}", screen.reset,
                                                  lambda: not screen.holds_resident_data())
        return self._screens[name]

    def show(self, name: str) -> None:
        screen = self.screen(name)
        self.show_top_bar = SCREENS[name].top_bar
        self.root.ids.screens.current = screen.name
        self.current_screen = name
        self._follow_bottom_bar(screen)
        self.reader.screen_changed(screen)

    def _follow_bottom_bar(self, screen) -> None:
        old = self.screen_widget
        if old is not None and old is not screen:
            old.unbind(back_shown=self._bottom_bar_changed, main_label=self._bottom_bar_changed)
        if old is not screen:
            screen.bind(back_shown=self._bottom_bar_changed, main_label=self._bottom_bar_changed)
        self.screen_widget = screen
        self._bottom_bar_changed()

    def _bottom_bar_changed(self, *args) -> None:
        screen = self.screen_widget
        self.back_shown = bool(screen.back_shown and self.in_visit)
        self.main_label = screen.main_label

    def _scale_bar(self, _theme, font_scale: float) -> None:
        two_rows = font_scale >= TEXT_SIZES[-1][1]
        scale = 1.45 if two_rows else min(font_scale, 1.1)
        self.bar_font_size = dp(19) * scale
        # Two rows as low as a 60-px touch target allows: the screen below needs the height more.
        self.bar_row_height = dp(64) if two_rows else dp(40) * scale + dp(20)
        if two_rows != (self.bar_rows == 2):
            ids = self.root.ids
            first, second = ids.first_row, ids.second_row
            for name in SECOND_ROW:
                button = ids[name].__self__
                button.parent.remove_widget(button)
                if two_rows:
                    second.add_widget(button)
                else:  # back where it was in the one row, before "Call staff"
                    first.add_widget(button, index=1)
            self.bar_rows = 2 if two_rows else 1

    def _dialogs_changed(self, any_open: bool) -> None:
        if any_open:
            # Next frame: the dialog's words (its state, its countdown) are set just after it opens.
            self._schedule_once(self.reader.read_screen, 0)
        for screen in self._screens.values():
            if hasattr(screen, "dialogs_changed"):
                screen.dialogs_changed(any_open)

    def go_home(self) -> None:
        self.show("home" if self.in_visit else "greeting")

    def ask_for_card(self, why: str, then, without=None) -> None:
        """A task needs what the eID card says (name, personal code): `then()` at once if it was read, else the card
        is asked for saying `why` (untranslated), and `then()` (or `without()`) follows (EidLoginScreen.ask_for)."""
        login = self.core.visit.card if self.core.visit is not None else None
        if login is not None and login.identity is not None:
            then()
            return
        self.show("eid_login")
        self.screen("eid_login").ask_for(why, then, without)

    def show_service(self, service_id: str) -> None:
        self.screen("service").service = self.core.catalog.service(service_id)
        self.show("service")

    # ---- what the core reports ------------------------------------------------------------------

    def on_core_event(self, event) -> None:
        """The app's own part (which screen, which dialog), then every screen built so far hears the event."""
        if isinstance(event, (events.VisitStarted, events.VisitEnded)):
            self.in_visit = isinstance(event, events.VisitStarted)
            if not self.in_visit:
                self.reading_aloud = False  # the visit's wipe turned it off
            if self.screen_widget is not None:
                self._bottom_bar_changed()  # Back belongs to a visit
        elif isinstance(event, events.SettingsChanged):
            self._start_again_if_nobody_is_here()
        elif isinstance(event, events.CallStateChanged):
            if self.dialog_is_open("call_staff") or event.state == "acknowledged":
                self.open_dialog("call_staff").state = event.state  # "A staff member is coming"
        elif not self.admin.is_open:
            if isinstance(event, events.CardReading) or (isinstance(event, events.CardProblem) and self.in_visit):
                self.show("eid_login")
            elif isinstance(event, events.CardTakenOut) and event.had_identity and self.current_screen != "eid_login":
                self.open_dialog("card_removed")
        for screen in list(self._screens.values()):
            screen.on_core_event(event)

    # ---- preferences ----------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        if language in self.settings.ui.languages:
            self.language = language  # first: rules re-run by the switch read it
            tr.switch(language)
            self.core.language_chosen(language)
        self.close_dialog("language")
        self.reader.read_screen()  # in the new language, cutting the old one short

    def next_text_size(self) -> None:
        theme.next_text_size()

    def toggle_reading(self) -> None:
        """The speaker button: reading aloud on for this resident, or off with the sound stopped."""
        if not self.in_visit:
            # Turned on at the greeting, it belongs to a visit (which turns it off at its end), as any touch there.
            self.start_visit()
        self.reading_aloud = self.reader.toggle()

    def next_volume(self) -> None:
        self.reader.next_volume()
        self.volume_step = self.core.speech.volume_step

    def toggle_contrast(self) -> None:
        theme.high_contrast = not theme.high_contrast

    def reset_preferences(self) -> None:
        """The next resident starts in the default language, at normal size and contrast."""
        self.set_language(self.settings.ui.default_language)
        theme.reset()

    # ---- the visit ------------------------------------------------------------------------------

    def start_visit(self, language: str | None = None) -> None:
        if language:
            self.set_language(language)
        self.core.start_visit()
        self.show("home")

    def ask_end_visit(self) -> None:
        self.open_dialog("confirm_end")

    def end_visit(self, reason: str, farewell: bool = True) -> WipeReport | None:
        """Wipe everything of the resident; then the reminders, then the greeting."""
        self.dialogs.close_all()
        visit = self.core.visit
        goodbye = self.screen("goodbye")
        goodbye.scanned = bool(visit and visit.scans.pages_scanned)
        goodbye.printed = bool(visit and visit.prints.pages_printed)
        goodbye.card_left = self.core.card_in_reader
        del visit  # the wipe below checks that nothing holds the visit
        report = self.core.end_visit(reason)
        if farewell:
            self.show("goodbye")
            if not goodbye.card_left:  # else, as a cash machine does, it waits for the card to be taken
                self.finish_goodbye_after(self.core.timings.goodbye_s)
        return report

    def finish_goodbye_after(self, seconds: float) -> None:
        self._schedule_once(self.finish_goodbye, seconds)

    def finish_goodbye(self, *args) -> None:
        if self.current_screen == "goodbye":
            self.reset_preferences()
            self.show("greeting")
            self._start_again_if_nobody_is_here()

    def _start_again_if_nobody_is_here(self) -> None:
        """New national or centre settings were taken: the kiosk starts again with them from the greeting, with no
        resident and no administrator at it (else when the greeting comes back)."""
        updates = self.core.catalogue_updates
        if (updates is not None and updates.settings_waiting and not self.in_visit and not self.admin.is_open
                and self.current_screen == "greeting"):
            self.start_again = True
            self.exit_app("new settings")

    def still_here(self) -> None:
        self.core.activity("touch")
        self.close_dialog("idle_warning")

    def call_staff(self) -> None:
        """The top bar's button: a new call with where the resident is, or the state of the one under way."""
        screen = self.current_screen
        step = str(getattr(self.screen(screen), "state", "")) if screen else ""
        self.open_dialog("call_staff").state = self.core.errands.call_staff(screen, step)

    def take_ticket_instead_of_call(self) -> None:
        """Without a desk to call, the call-staff dialog offers a queue ticket: the way to a staff member here."""
        self.close_dialog("call_staff")
        self.show("queue_ticket")

    def cancel_call(self) -> None:
        self.core.errands.cancel_call()
        self.close_dialog("call_staff")

    def _idle_tick(self, _dt) -> None:
        reading = self.core.idle.reading()
        if self.admin.is_open:
            # An administrator who walks away must not leave the admin screen open to the public.
            if reading.state is IdleState.EXPIRED:
                self.admin.leave()
            return
        if not self.in_visit:
            return
        if reading.state is IdleState.ACTIVE:
            self.close_dialog("idle_warning")
        elif reading.state is IdleState.WARNING:
            self.open_dialog("idle_warning").seconds_left = reading.seconds_left
        else:
            log.info("no activity for %.0f s: ending the visit",
                     self.core.timings.idle_warning_s + self.core.timings.idle_countdown_s)
            self.end_visit("idle")

    def _schedule_once(self, callback, delay: float) -> None:
        self._clock_events.append(Clock.schedule_once(callback, delay))
        self._clock_events = [event for event in self._clock_events if event.is_triggered]

    # ---- administration -------------------------------------------------------------------------

    def exit_app(self, reason: str = "the administrator") -> None:
        log.info("kiosk closed by %s", reason)
        self.allow_close = True
        self.stop()

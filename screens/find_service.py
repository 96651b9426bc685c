"""Find a service: type (on screen or on a keyboard) and see results at once, or browse without typing."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview import RecycleView

import screens.keyboard  # noqa: F401  (the OnScreenKeyboard rule)
from screens.i18n import tr
from screens.widgets import ForgetsTouch, KioskButton, KioskLabel, KioskScreen, MoreBelow

BACKSPACE, ENTER = 8, 13


class ResultRow(ForgetsTouch, ButtonBehavior, BoxLayout):
    """One service in a list: its name and who provides it; tapping opens it."""
    service_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")

    def on_release(self):
        App.get_running_app().show_service(self.service_id)


class ResultList(MoreBelow, RecycleView):
    """The list of services found, with the "more below" band (its rule is ScrollArea's, in widgets.kv)."""


class QueryBox(ForgetsTouch, ButtonBehavior, KioskLabel):
    """The search field: what was typed, or a hint; touching it opens the on-screen keyboard."""


class FindServiceScreen(KioskScreen):
    query = StringProperty("")
    mode = OptionProperty("browse", options=["browse", "results", "nothing"])
    browse_by = OptionProperty("situation", options=["situation", "institution"])
    results_title = StringProperty("")
    rows = ListProperty()
    # Closed until the resident touches the search field: the categories get the whole screen first.
    keyboard_shown = BooleanProperty(False)
    # "Did you mean": (service id, name) of the closest services when little or nothing matches.
    suggestions = ListProperty()
    # (id, label) of the life situations the query speaks of, offered whole beside the results.
    situations_spoken = ListProperty()
    # Why nothing is shown: nothing matched, or the query only had words such as "how" or "ko darīt".
    nothing_reason = OptionProperty("nothing", options=["nothing", "meaningless"])

    def on_kv_post(self, base_widget):
        # Strong references: ids are weak, and a block out of the tree would otherwise be collected.
        self._blocks = {name: self.ids[name].__self__ for name in ("browse", "results", "nothing")}
        self._keyboard = self.ids.keyboard.__self__
        self._keyboard_box = self._keyboard.parent
        for block in self._blocks.values():
            self.remove_widget(block)
        self.on_keyboard_shown()  # it starts closed: out of the layout from the first frame
        self.on_mode()
        self.fill_browse_tiles()
        tr.fbind("_", self._retitle)
        # The index is normally made a little after start (kiosk.catalog.service); a resident quicker than that
        # should not wait for it at the first keystroke either.
        self.core.catalog.warm_up()

    # ---- typing --------------------------------------------------------------------------------

    def on_pre_enter(self, *args):
        # A real keyboard works too: the kiosk PC may have one beside the touch screen.
        Window.bind(on_textinput=self._physical_text, on_key_down=self._physical_key)
        self.ids.keyboard.layout = {"uk": "uk", "en": "en"}.get(self.app.language, "lv")

    def on_leave(self, *args):
        Window.unbind(on_textinput=self._physical_text, on_key_down=self._physical_key)

    def _physical_text(self, _window, text):
        self.type_text(text)

    def _physical_key(self, _window, key, *args):
        if key == BACKSPACE:
            self.erase()
            return True
        if key == ENTER:
            self.keyboard_shown = False  # as the Search key: the results get the whole screen
            return True
        return False

    def type_text(self, text: str) -> None:
        self.query = (self.query + text)[:80]

    def erase(self) -> None:
        self.query = self.query[:-1]

    def special_key(self, name: str) -> None:
        if name == "backspace":
            self.erase()
        elif name == "clear":
            self.query = ""

    def on_query(self, *args):
        if not self.query.strip():
            self.mode = "browse"
            self.rows = []
            self.suggestions = []
            self.situations_spoken = []
            return
        catalog, language = self.core.catalog, self.app.language
        hits = catalog.search(self.query, language)
        self.show_rows(hits, tr.ngettext("{count} service found", "{count} services found", len(hits)).replace(
            "{count}", str(len(hits))))
        self.suggestions = [(s.id, s.name.get(language)) for s in catalog.suggestions(self.query, language)]
        self.situations_spoken = catalog.situations_spoken(self.query, language)
        if not hits:
            # Never a dead end: the life situations, "Did you mean" and the staff are offered instead.
            self.nothing_reason = "meaningless" if catalog.only_meaningless(self.query) else "nothing"
            self.fill_situation_tiles()
            self.mode = "nothing"

    def on_keyboard_shown(self, *args):
        # A hidden keyboard leaves the layout: its keys, disabled but still where they were, would otherwise
        # swallow taps meant for the results and tiles that now fill its place.
        keyboard = self._keyboard
        if self.keyboard_shown and keyboard.parent is None:
            self._keyboard_box.add_widget(keyboard)
        elif not self.keyboard_shown and keyboard.parent is not None:
            keyboard.parent.remove_widget(keyboard)

    # ---- browsing ------------------------------------------------------------------------------

    def fill_browse_tiles(self, *args):
        grid = self.ids.browse_tiles
        grid.clear_widgets()
        for key, label in self.core.catalog.browse_choices(self.browse_by, self.app.language):
            tile = KioskButton(text=label, role="secondary")
            tile.bind(on_release=lambda _tile, key=key, label=label: self.browse(key, label))
            grid.add_widget(tile)

    def fill_situation_tiles(self) -> None:
        grid = self.ids.nothing_situations
        grid.clear_widgets()
        for key, label in self.core.catalog.browse_choices("situation", self.app.language):
            tile = KioskButton(text=label, role="secondary")
            tile.bind(on_release=lambda _tile, key=key, label=label: self.browse_situation(key, label))
            grid.add_widget(tile)

    def on_suggestions(self, *args):
        for box in (self.ids.suggested_in_results, self.ids.suggested_in_nothing):
            box.clear_widgets()
            for service_id, name in self.suggestions:
                button = KioskButton(text=name, role="secondary", font_size="18sp")
                button.bind(on_release=lambda _button, service_id=service_id: self.app.show_service(service_id))
                box.add_widget(button)

    def on_situations_spoken(self, *args):
        box = self.ids.spoken_situations
        box.clear_widgets()
        for key, label in self.situations_spoken:
            button = KioskButton(text=tr._("All services for: {situation}").format(situation=label),
                                 role="secondary", font_size="18sp")
            button.bind(on_release=lambda _button, key=key, label=label: self.browse_situation(key, label))
            box.add_widget(button)

    def browse_situation(self, key: str, label: str) -> None:
        """A life situation's services, from a query that spoke of it or from the tiles when nothing matched."""
        self.browse_by = "situation"
        hits = self.core.catalog.browse("situation", key)
        self.show_rows(hits, f"{label} ({len(hits)})")
        self.suggestions = []
        self.situations_spoken = []

    def ask_staff(self) -> None:
        """A queue ticket: a staff member helps with what the search could not find."""
        self.app.show("queue_ticket")

    def on_browse_by(self, *args):
        self.fill_browse_tiles()

    def _retitle(self, *args):
        # Tile labels come from the catalogue in the current language: rebuild them on a switch.
        self.fill_browse_tiles()
        if self.query.strip():
            self.on_query()

    def browse(self, key: str, label: str) -> None:
        hits = self.core.catalog.browse(self.browse_by, key)
        self.show_rows(hits, f"{label} ({len(hits)})")

    def show_rows(self, services, title: str) -> None:
        language = self.app.language
        self.results_title = title
        self.rows = [{"service_id": service.id, "title": service.name.get(language),
                      "subtitle": service.institution.name.get(language)} for service in services]
        self.mode = "results"

    def back_to_browse(self) -> None:
        self.query = ""
        self.mode = "browse"
        self.suggestions = []
        self.situations_spoken = []

    def on_mode(self, *args):
        if not hasattr(self, "_blocks"):
            return
        middle = self.ids.middle
        middle.clear_widgets()
        middle.add_widget(self._blocks[self.mode])

    # ---- privacy -------------------------------------------------------------------------------

    def reset(self) -> None:
        self.query = ""
        self.rows = []
        self.results_title = ""
        self.suggestions = []
        self.situations_spoken = []
        self.nothing_reason = "nothing"
        self.mode = "browse"
        self.browse_by = "situation"
        self.keyboard_shown = False

    def holds_resident_data(self) -> bool:
        return bool(self.query or self.rows or self.results_title or self.suggestions or self.situations_spoken)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""Find a service: type (on screen or on a keyboard) and see results at once, or browse without typing."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

import screens.keyboard  # noqa: F401  (the OnScreenKeyboard rule)
from screens.i18n import tr
from screens.widgets import KioskButton, KioskScreen

BACKSPACE, ENTER = 8, 13


class ResultRow(ButtonBehavior, BoxLayout):
    """One service in a list: its name and who provides it; tapping opens it."""
    service_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")

    def on_release(self):
        App.get_running_app().show_service(self.service_id)


class FindServiceScreen(KioskScreen):
    query = StringProperty("")
    mode = OptionProperty("browse", options=["browse", "results", "nothing"])
    browse_by = OptionProperty("situation", options=["situation", "institution"])
    results_title = StringProperty("")
    rows = ListProperty()
    keyboard_shown = BooleanProperty(True)

    def on_kv_post(self, base_widget):
        # Strong references: ids are weak, and a block out of the tree would otherwise be collected.
        self._blocks = {name: self.ids[name].__self__ for name in ("browse", "results", "nothing")}
        for block in self._blocks.values():
            self.remove_widget(block)
        self.on_mode()
        self.fill_browse_tiles()
        tr.fbind("_", self._retitle)

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
            return
        hits = self.core.catalog.search(self.query, self.app.language)
        # No heading over typed results: the query box above already says what they are for.
        self.show_rows(hits, "")
        if not hits:
            self.mode = "nothing"

    # ---- browsing ------------------------------------------------------------------------------

    def fill_browse_tiles(self, *args):
        grid = self.ids.browse_tiles
        grid.clear_widgets()
        for key, label in self.core.catalog.browse_choices(self.browse_by, self.app.language):
            tile = KioskButton(text=label, role="secondary")
            tile.bind(on_release=lambda _tile, key=key, label=label: self.browse(key, label))
            grid.add_widget(tile)

    def on_browse_by(self, *args):
        self.fill_browse_tiles()

    def _retitle(self, *args):
        # Tile labels come from the catalogue in the current language: rebuild them on a switch.
        self.fill_browse_tiles()
        if self.query.strip():
            self.on_query()

    def browse(self, key: str, label: str) -> None:
        hits = self.core.catalog.browse(self.browse_by, key)
        self.show_rows(hits, label)

    def show_rows(self, services, title: str) -> None:
        language = self.app.language
        self.results_title = title
        self.rows = [{"service_id": service.id, "title": service.name.get(language),
                      "subtitle": service.institution.name.get(language)} for service in services]
        self.mode = "results"

    def back_to_browse(self) -> None:
        self.query = ""
        self.mode = "browse"

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
        self.mode = "browse"
        self.browse_by = "situation"

    def holds_resident_data(self) -> bool:
        return bool(self.query or self.rows or self.results_title)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

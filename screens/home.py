"""The home screen: the main tasks as large tiles, and the end of the visit."""

from pathlib import Path

from kivy.lang import Builder

from screens import FEATURES
from kiosk.i18n import N_
from screens.theme import icon
from screens.widgets import KioskScreen, Tile


class HomeScreen(KioskScreen):
    def on_kv_post(self, base_widget):
        app = self.app
        tiles = self.ids.tiles
        for feature in FEATURES:
            if feature.screen == "video" and not app.settings.staffdesk.url:
                continue  # booking needs the centre's desk: without one the tile would lead only to an apology
            tile = Tile(icon=icon(feature.icon), title=feature.title, size_hint_y=1)
            tile.bind(on_release=lambda _tile, screen=feature.screen: app.show(screen))
            tiles.add_widget(tile)
        end = Tile(icon=icon("logout"), title=N_("I'm finished — clear this computer"), role="danger", size_hint_y=1)
        end.bind(on_release=lambda _tile: app.ask_end_visit())
        tiles.add_widget(end)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

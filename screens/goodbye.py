"""The end of a visit: what was deleted, and what not to leave behind."""

from pathlib import Path

from kivy.lang import Builder

from screens.widgets import KioskScreen


class GoodbyeScreen(KioskScreen):
    pass


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

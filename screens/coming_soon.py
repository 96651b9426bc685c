"""A main task this kiosk does not offer yet: says so plainly and sends the resident to the desk."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.widgets import KioskScreen


class ComingSoonScreen(KioskScreen):
    title = StringProperty("")
    icon_name = StringProperty("help")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

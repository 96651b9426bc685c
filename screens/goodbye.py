"""The end of a visit: what was deleted, and what not to leave behind."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty

from screens.widgets import KioskScreen


class GoodbyeScreen(KioskScreen):
    # Set from the session just before its wipe: whether to stress the scanner and printer reminders.
    scanned = BooleanProperty(False)
    printed = BooleanProperty(False)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

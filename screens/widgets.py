"""Building blocks every screen shares: buttons, tiles, text and the base screen with its reset."""

from __future__ import annotations

import re
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.i18n import LANGUAGES


class ForgetsText:
    """Mixed into labels: emptied text leaves nothing of what they showed behind in memory.

    Kivy does not lay out empty text again, so a label set to "" kept its last lines (a name, a masked personal
    code) and their picture in its core label until it showed something else.
    """

    def on_text(self, _instance, text: str) -> None:
        if not text:
            core = self._label
            core._cached_lines = []
            core.texture = None


class KioskLabel(ForgetsText, Label):
    """Every label of the kiosk: a plain Label that forgets."""


class KioskButton(ForgetsText, ButtonBehavior, Label):
    """A large button whose colours come from the theme; `role` says how prominent it is."""
    role = OptionProperty("primary", options=["primary", "secondary", "danger", "bar"])
    icon = StringProperty("")


class Tile(ButtonBehavior, BoxLayout):
    """A home-screen tile: a big icon over a short label; `title` is the untranslated message."""
    icon = StringProperty("")
    title = StringProperty("")
    role = OptionProperty("primary", options=["primary", "danger"])


def add_language_buttons(container, languages, on_choose, font_size: str = "28sp") -> None:
    """One button per language, each named in itself so that it needs no translation."""
    for code in languages:
        button = KioskButton(text=LANGUAGES[code], font_size=font_size)
        button.bind(on_release=lambda _button, code=code: on_choose(code))
        container.add_widget(button)


class Heading(KioskLabel):
    pass


class Body(KioskLabel):
    pass


MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def readable_text(root) -> list[str]:
    """The texts of the visible labels under `root`, top to bottom and left to right, without icons or markup."""
    from screens.theme import ICONS
    icons = set(ICONS.values())
    found = []
    stack = [root]
    while stack:
        widget = stack.pop()
        if widget.opacity <= 0:
            continue
        stack.extend(widget.children)
        if isinstance(widget, Label) and widget.text.strip() and widget.text not in icons:
            x, top = widget.to_window(widget.x, widget.top)
            found.append((-round(top), round(x), MARKUP.sub("", widget.text).strip()))
    return [text for _top, _x, text in sorted(found)]


class KioskScreen(Screen):
    """A screen: shows what the core reports, asks the core for what it needs, and forgets the resident."""
    core = ObjectProperty(None, allownone=True)  # kiosk.core.KioskCore, handed in when the app builds the screen

    @property
    def app(self):
        """The app, for what is the UI's own: which screen or dialog is shown, the language."""
        return App.get_running_app()

    def on_core_event(self, event) -> None:
        """An event of kiosk.events, on the UI thread; screens that care about one override this."""

    def resident_text(self) -> list[str]:
        """What a resident reads on this screen now, in reading order: for speech and the screenshot checks."""
        return readable_text(self)

    def reset(self) -> None:
        """Return to the empty state a new resident should see."""

    def holds_resident_data(self) -> bool:
        return False


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

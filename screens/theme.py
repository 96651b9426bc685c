"""Colours and text sizes in one place, so high contrast and large text are one assignment each."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import Metrics
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

# (name, font scale): what the text-size button steps through.
TEXT_SIZES = (("normal", 1.0), ("large", 1.3), ("extra large", 1.6))

from kiosk.doctor import ICON_FONT as ICON_FONT_PATH

# Without the icon font (the doctor reports it) tiles show text alone instead of boxes.
ICON_FONT = str(ICON_FONT_PATH) if ICON_FONT_PATH.exists() else "Roboto"

# Material Design Icons 1.6 code points (Debian's fonts-materialdesignicons-webfont).
ICONS = {
    "search": "\uf349", "eid": "\uf5d2", "scan": "\uf18f", "print": "\uf42a", "ticket": "\uf516",
    "video": "\uf567", "logout": "\uf343", "bell": "\uf09a", "text_size": "\uf27f", "contrast": "\uf197",
    "language": "\uf5ca", "home": "\uf2dc", "back": "\uf04d", "backspace": "\uf06e", "check": "\uf12c",
    "close": "\uf156", "lock": "\uf33e", "help": "\uf2d7", "timer": "\uf51b", "document": "\uf219",
    "card": "\uf5d2", "greeting": "\uf64a", "keyboard": "\uf30c", "keyboard_close": "\uf30f",
    "volume_low": "\uf57f", "volume_medium": "\uf580", "volume_high": "\uf57e",
    # The way to the staff desk ([centre] desk_direction); "none" is a place marker.
    "way_ahead": "\uf05e", "way_left": "\uf04e", "way_right": "\uf055", "way_behind": "\uf046",
    "way_upstairs": "\uf4cd", "way_downstairs": "\uf4cd", "way_none": "\uf34e",
}


def icon(name: str) -> str:
    return ICONS[name] if ICON_FONT != "Roboto" else ""

NORMAL = {
    "background": "#F4F6F8", "surface": "#FFFFFF", "text": "#1B1F24", "muted": "#4A5560",
    "primary": "#0B5CAD", "primary_text": "#FFFFFF", "bar": "#0A3D6E", "bar_text": "#FFFFFF",
    "danger": "#A4262C", "danger_text": "#FFFFFF", "outline": "#8A96A3",
}
# Black, white and yellow: the pairs low-vision users ask for, each above 7:1 contrast.
HIGH_CONTRAST = {
    "background": "#000000", "surface": "#000000", "text": "#FFFFFF", "muted": "#FFFFFF",
    "primary": "#FFFF00", "primary_text": "#000000", "bar": "#000000", "bar_text": "#FFFF00",
    "danger": "#FFFFFF", "danger_text": "#000000", "outline": "#FFFF00",
}


class Theme(EventDispatcher):
    # No colour is called on_<something>: Kivy would take it for the handler of property <something>.
    background = ColorProperty(NORMAL["background"])
    surface = ColorProperty(NORMAL["surface"])
    text = ColorProperty(NORMAL["text"])
    muted = ColorProperty(NORMAL["muted"])
    primary = ColorProperty(NORMAL["primary"])
    primary_text = ColorProperty(NORMAL["primary_text"])
    bar = ColorProperty(NORMAL["bar"])
    bar_text = ColorProperty(NORMAL["bar_text"])
    danger = ColorProperty(NORMAL["danger"])
    danger_text = ColorProperty(NORMAL["danger_text"])
    outline = ColorProperty(NORMAL["outline"])
    high_contrast = BooleanProperty(False)
    text_size_step = NumericProperty(0)
    font_scale = NumericProperty(1.0)  # what sp() multiplies by now; for sizes kv computes itself

    def forget_dead_rules(self) -> None:
        """Unbind the kv rules whose widget is gone.

        Kivy unbinds a widget's rules when it is collected, but not always those another rule made on it; one left
        behind raises ReferenceError inside the next change of size or contrast and stops the rest of the screen
        following it. The theme outlives every widget, so it looks before it passes a change on.
        """
        for name in self.properties():
            for _callback, largs, _kwargs, _is_ref, uid in self.get_property_observers(name, args=True):
                element = largs[0][0] if largs and isinstance(largs[0], tuple) and largs[0] else None
                if element is None or uid is None:
                    continue
                try:
                    element.__class__
                except ReferenceError:
                    self.unbind_uid(name, uid)

    def on_high_contrast(self, _theme, high: bool) -> None:
        self.forget_dead_rules()
        for name, colour in (HIGH_CONTRAST if high else NORMAL).items():
            setattr(self, name, colour)

    def on_text_size_step(self, _theme, step: int) -> None:
        self.forget_dead_rules()
        # Every size in the kv files is in sp, so this one assignment resizes text and touch targets.
        Metrics.fontscale = TEXT_SIZES[int(step)][1]
        self.font_scale = Metrics.fontscale

    def next_text_size(self) -> None:
        self.text_size_step = (int(self.text_size_step) + 1) % len(TEXT_SIZES)

    def reset(self) -> None:
        self.high_contrast = False
        self.text_size_step = 0


theme = Theme()

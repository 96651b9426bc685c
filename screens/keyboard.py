"""An on-screen keyboard for touch screens: Latvian, Ukrainian and English layouts, caps as a toggle."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.widgets import KioskButton

DIGITS = "1 2 3 4 5 6 7 8 9 0"
# The "123" page: digits and the signs that forms ask for (house numbers, dates, e-mail and web addresses, phones).
NUMBER_PAGE = (DIGITS, "- / . , : ; @ + ( )", "_ # & % * = ! ? € \"")
LAYOUTS = {
    "lv": (DIGITS, "ā č ē ģ ī ķ ļ ņ š ū ž", "q w e r t y u i o p", "a s d f g h j k l", "z x c v b n m"),
    "uk": (DIGITS, "й ц у к е н г ш щ з х ї", "ф і в а п р о л д ж є", "я ч с м и т ь б ю ґ '"),
    "en": (DIGITS, "q w e r t y u i o p", "a s d f g h j k l", "z x c v b n m"),
}
# What the layout key shows: the alphabet it switches to next.
NEXT_LAYOUT = {"lv": "uk", "uk": "en", "en": "lv"}
LAYOUT_LABELS = {"lv": "ĀČŠ", "uk": "АБВ", "en": "ABC"}
KEY_HEIGHT = dp(60)


class OnScreenKeyboard(BoxLayout):
    """Emits on_text(character), on_special('backspace' | 'clear') and on_search (the action key) for each key tapped.

    `action_label` names the action key: "Search" in the search, "Next field" on a page's form.
    """
    layout = OptionProperty("lv", options=list(LAYOUTS))
    caps = BooleanProperty(False)
    # The digit row above the letters; left out at extra-large text to leave room for what is typed into, where the
    # "123" key shows digits and signs instead of the letters.
    digits = BooleanProperty(True)
    numbers = BooleanProperty(False)  # the "123" page is shown
    action_label = StringProperty("")
    next_layout_label = StringProperty(LAYOUT_LABELS[NEXT_LAYOUT["lv"]])
    layout_label = StringProperty(LAYOUT_LABELS["lv"])  # the "123" page's way back to these letters
    key_height = NumericProperty(KEY_HEIGHT)

    __events__ = ("on_text", "on_special", "on_search")

    def on_kv_post(self, base_widget):
        self._build_keys()

    def on_digits(self, *args):
        self.numbers = False
        self._build_keys()

    def on_numbers(self, *args):
        self._build_keys()

    def on_layout(self, *args):
        self.next_layout_label = LAYOUT_LABELS[NEXT_LAYOUT[self.layout]]
        self.layout_label = LAYOUT_LABELS[self.layout]
        self._build_keys()

    def on_caps(self, *args):
        for button in self.ids.letters.walk(restrict=True):
            if isinstance(button, KioskButton) and getattr(button, "character", None) and not self.numbers:
                button.text = button.character.upper() if self.caps else button.character

    def _build_keys(self):
        rows = self.ids.letters
        rows.clear_widgets()
        for row in NUMBER_PAGE if self.numbers else LAYOUTS[self.layout]:
            if row == DIGITS and not self.digits and not self.numbers:
                continue
            # Keys keep one height at every text size (the letters grow inside), so the list above stays visible.
            line = BoxLayout(spacing=rows.spacing, size_hint_y=None, height=KEY_HEIGHT)
            for character in row.split():
                key = KioskButton(text=character.upper() if self.caps else character, role="secondary",
                                  font_size="24sp", bold=False, size_hint_y=1)
                key.character = character
                key.bind(on_release=self._typed)
                line.add_widget(key)
            rows.add_widget(line)

    def _typed(self, key):
        self.dispatch("on_text", key.character.upper() if self.caps else key.character)

    def next_layout(self):
        self.numbers = False
        self.layout = NEXT_LAYOUT[self.layout]

    def on_text(self, character):
        pass

    def on_special(self, name):
        pass

    def on_search(self):
        pass


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

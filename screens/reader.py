"""Reading the screen aloud for a resident who turned it on: each screen and step, each dialog, each button touched.

The touch pattern is "read on touch, act on release": a finger put on a button hears its label at once, and lifting
the finger acts as always. A sighted resident taps and is never slowed down; a resident who cannot read the label
keeps the finger down to hear it, and slides it off the button to leave without acting (a Kivy button acts only
when the touch ends on it). A second tap to confirm would double the work of everyone who can see.

What is read is what the screen shows (`spoken_text()`: the same translated words, no second copy), without what
is the resident's own (names, personal codes, what they typed), which a public room should not hear.
"""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior

from kiosk.speech import kiosk_text
from screens.widgets import MARKUP, readable_text


class ScreenReader:
    """The app's voice: asks the core's speech service to say what is on the screen, in the resident's language."""

    def __init__(self, app):
        self.app = app

    @property
    def on(self) -> bool:
        return self.app.core.reading_aloud  # without making the speech service: the kiosk pays nothing before

    def toggle(self) -> bool:
        """The top bar's speaker button: on (and the screen is read), or off with the sound stopped."""
        on = self.app.core.speech.toggle()
        if on:
            self.read_screen()
        return on

    def next_volume(self) -> None:
        self.app.core.speech.next_volume()

    def _say(self, texts, cacheable: bool = False) -> None:
        texts = [text for text in texts if text and text.strip()]
        if texts and self.on:
            spoken = [kiosk_text(text) if cacheable else text for text in texts]
            self.app.core.speech.say(spoken, self.app.language)

    # ---- what is read ---------------------------------------------------------------------------

    def read_screen(self, *args) -> None:
        """The shown screen, or the dialog over it: a new screen or step cuts short what was being read."""
        if not self.on:
            return
        open_dialogs = [dialog for dialog in self.app.dialogs.built.values() if dialog.parent is not None]
        if open_dialogs:
            self._say(open_dialogs[-1].spoken_text())
        elif self.app.screen_widget is not None:
            self._say(self.app.screen_widget.spoken_text())

    def screen_changed(self, screen) -> None:
        """A screen came, or the shown screen moved to another step: read it, if it is the one shown."""
        if self.on and screen is self.app.screen_widget:
            self.read_screen()

    def touched(self, window, touch) -> None:
        """A finger went down: the button under it says what it does, before it acts (on release)."""
        if not self.on:
            return
        button = self._button_at(window, touch.pos)
        if button is None:
            return
        label = getattr(button, "spoken_label", "") or MARKUP.sub("", getattr(button, "text", "")).strip()
        if label:
            self._say([label], cacheable=not getattr(button, "private", False))
        else:  # a tile or a row: the words of its labels
            self._say(readable_text(button, for_speech=True))

    @staticmethod
    def _button_at(window, pos):
        """The topmost enabled, visible button at `pos`: the one the touch will act on."""
        from kivy.uix.modalview import ModalView

        def drawn(widget):  # in the order Kivy draws them: a parent, then its children as they were added
            if widget.opacity <= 0 or widget.disabled:
                return
            yield widget
            for child in reversed(widget.children):
                yield from drawn(child)
        # A dialog lies above the root and takes every touch while it is open.
        for top in window.children:
            hits = [widget for widget in drawn(top)
                    if isinstance(widget, ButtonBehavior) and widget.collide_point(*widget.to_widget(*pos))]
            if hits:
                return hits[-1]
            if isinstance(top, ModalView):
                return None
        return None

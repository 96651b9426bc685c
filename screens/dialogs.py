"""Dialogs over any screen: are you still here, end the visit, call staff, choose a language."""

from pathlib import Path

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.modalview import ModalView

from screens.widgets import add_language_buttons, readable_text


class KioskDialog(ModalView):
    """A modal box as tall as its content allows, never taller than the window."""

    def open(self, *args, **kwargs):
        # Kivy's ModalView binds its centring to its own size and centre at every opening and never unbinds it:
        # each opening of a dialog left two more bindings behind, for as long as the kiosk ran.
        self.funbind("center", self._align_center)
        self.funbind("size", self._align_center)
        super().open(*args, **kwargs)

    def add_widget(self, widget, *args, **kwargs):
        super().add_widget(widget, *args, **kwargs)
        widget.bind(height=self._fit)
        self._content = widget
        # A method, so that the window (which outlives the app) holds the dialog only weakly.
        Window.bind(height=self._window_resized)

    def _window_resized(self, *_args) -> None:
        self._fit(self._content, self._content.height)

    def _fit(self, _content, height):
        self.height = min(height, Window.height - dp(40))

    def resident_text(self) -> list[str]:
        """What a resident reads in this dialog now, in reading order, as screens offer theirs."""
        return readable_text(self)

    def spoken_text(self) -> list[str]:
        """What is read aloud when the dialog opens: its words and its buttons."""
        return readable_text(self, for_speech=True)


class IdleWarningDialog(KioskDialog):
    seconds_left = NumericProperty(0)


class ConfirmEndDialog(KioskDialog):
    pass


class CallStaffDialog(KioskDialog):
    """The help call as the resident sees it: no desk here, sent, waiting to be sent, or someone is coming."""
    state = StringProperty("no-desk")


class CardRemovedDialog(KioskDialog):
    pass


class LanguageDialog(KioskDialog):
    def on_kv_post(self, base_widget):
        app = App.get_running_app()
        add_language_buttons(self.ids.choices, app.settings.ui.languages, app.set_language)


DIALOGS = {
    "idle_warning": IdleWarningDialog,
    "confirm_end": ConfirmEndDialog,
    "call_staff": CallStaffDialog,
    "language": LanguageDialog,
    "card_removed": CardRemovedDialog,
}

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""The first screen: a welcome, the language choice, and a touch anywhere to begin."""

from pathlib import Path

from kivy.lang import Builder

from screens.widgets import KioskScreen, add_language_buttons


class GreetingScreen(KioskScreen):
    def on_kv_post(self, base_widget):
        app = self.app
        add_language_buttons(self.ids.languages, app.settings.ui.languages, app.start_visit, "30sp")

    def on_touch_down(self, touch):
        buttons = self.ids.languages.children
        if any(button.collide_point(*button.to_widget(*touch.pos)) for button in buttons):
            return super().on_touch_down(touch)
        if self.collide_point(*touch.pos):
            # Anything but a language button starts in the current language (before any scrolling).
            self.app.start_visit()
            return True
        return False


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

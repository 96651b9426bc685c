"""A screen that is in one state at a time: each state has a heading, a sentence and its buttons."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.i18n import tr
from screens.widgets import KioskButton, KioskScreen


class StatefulScreen(KioskScreen):
    """The scaffolding every step-by-step screen shares.

    A subclass declares `state` (an OptionProperty), `TEXTS` (state -> (heading, explanation), untranslated) and
    `ACTIONS` (state -> ((label, role, action), ...)), has a box with the id `actions` in its kv, and handles its
    own actions in `act`. "home" and "call_staff" are handled here, the same on every screen. In the states of
    `MESSAGE_STATES` the body is `message` (what went wrong, already translated); elsewhere it is the state's
    explanation.
    """
    title = StringProperty("")
    body = StringProperty("")
    message = StringProperty("")

    TEXTS: dict[str, tuple[str, str]] = {}
    ACTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {}
    MESSAGE_STATES: tuple[str, ...] = ("problem",)

    def on_kv_post(self, base_widget):
        tr.fbind("_", self.on_state)
        self.on_state()

    def on_state(self, *args) -> None:
        heading, explanation = self.TEXTS[self.state]
        self.title = self.heading(heading)
        self.body = self.message if self.state in self.MESSAGE_STATES else self.explanation(explanation)
        self.fill_actions(self.offered_actions())

    def heading(self, heading: str) -> str:
        return tr._(heading) if heading else ""

    def explanation(self, explanation: str) -> str:
        return tr._(explanation) if explanation else ""

    def offered_actions(self) -> list[tuple[str, str, str]]:
        """The buttons of the state now; screens whose buttons depend on more than the state extend this."""
        return list(self.ACTIONS.get(self.state, ()))

    def fill_actions(self, offered) -> None:
        actions = self.ids.actions
        actions.clear_widgets()
        for label, role, action in offered:
            button = KioskButton(text=tr._(label), role=role)
            button.bind(on_release=lambda _button, action=action: self.do(action))
            actions.add_widget(button)

    def do(self, action: str) -> None:
        if action == "home":
            self.app.go_home()
        elif action == "call_staff":
            self.app.call_staff()
        else:
            self.act(action)

    def act(self, action: str) -> None:
        """The screen's own actions."""

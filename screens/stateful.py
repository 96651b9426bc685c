"""A screen that is in one state at a time: each state has a heading, a sentence and its buttons."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_
from screens.i18n import tr
from screens.widgets import KioskButton, KioskScreen

# The main button at the end of every task (a ticket taken, a time booked, pages printed): the way to the goodbye.
FINISHED = N_("I'm finished")


class StatefulScreen(KioskScreen):
    """The scaffolding every step-by-step screen shares.

    A subclass declares `state` (an OptionProperty), `TEXTS` (state -> (heading, explanation), untranslated) and
    `ACTIONS` (state -> ((label, role, action), ...)), has a box with the id `actions` in its kv, and handles its
    own actions in `act`. "home" and "call_staff" are handled here, the same on every screen. In the states of
    `MESSAGE_STATES` the body is `message` (what went wrong, already translated); elsewhere it is the state's
    explanation.

    The first "primary" action of a state is its main action, the one solid button, in the app's bottom bar; the
    others are outlined buttons in the screen. `BACK` says where the bottom bar's Back goes in each state: an
    action, or None for no Back (while the kiosk is busy with something that cannot be left); "home" by default.
    """
    title = StringProperty("")
    body = StringProperty("")
    message = StringProperty("")

    TEXTS: dict[str, tuple[str, str]] = {}
    ACTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {}
    MESSAGE_STATES: tuple[str, ...] = ("problem",)
    BACK: dict[str, str | None] = {}

    def on_kv_post(self, base_widget):
        tr.fbind("_", self.on_state)
        self.on_state()

    def on_state(self, *args) -> None:
        heading, explanation = self.TEXTS[self.state]
        self.title = self.heading(heading)
        self.body = self.message if self.state in self.MESSAGE_STATES else self.explanation(explanation)
        self.fill_actions(self.offered_actions())
        app = self.app
        if app is not None and hasattr(app, "reader"):
            app.reader.screen_changed(self)  # a new step, an outcome or an error is read when it shows

    def go(self, state: str) -> None:
        """Show `state`, also when it is the current one with other words or choices (another document, topic)."""
        if self.state == state:
            self.on_state()
        else:
            self.state = state

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
        main = next((entry for entry in offered if entry[1] == "primary"), None)
        self._main = main[2] if main else None
        self.main_label = tr._(main[0]) if main else ""
        for label, role, action in offered:
            if main is not None and action == main[2]:
                continue
            button = KioskButton(text=tr._(label), role="danger" if role == "danger" else "secondary")
            button.bind(on_release=lambda _button, action=action: self.do(action))
            actions.add_widget(button)
        self.back_shown = self.BACK.get(self.state, "home") is not None

    def main_action(self) -> None:
        if self._main is not None:
            self.do(self._main)

    def go_back(self) -> None:
        self.do(self.BACK.get(self.state, "home") or "home")

    def do(self, action: str) -> None:
        if action == "home":
            self.app.go_home()
        elif action == "call_staff":
            self.app.call_staff()
        elif action == "finished":
            self.app.end_visit("resident")  # the task's end: the goodbye, with what not to leave behind
        else:
            self.act(action)

    def act(self, action: str) -> None:
        """The screen's own actions."""

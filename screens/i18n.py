"""The live translator that kv rules watch: switching language re-evaluates every `tr._(...)` at once."""

from __future__ import annotations

from kivy.event import Observable

from kiosk.i18n import translate, translate_plural

WATCHED = ("_", "ngettext")


class Translator(Observable):
    """Holds the UI language; kv binds to its `_` and `ngettext`, and `switch` re-runs those rules."""

    def __init__(self, language: str = "lv"):
        super().__init__()
        self.language = language
        self._observers: dict[int, tuple] = {}
        self._next_uid = 1

    def _(self, message: str) -> str:
        return translate(self.language, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return translate_plural(self.language, singular, plural, count)

    def fbind(self, name, func, *args, **kwargs):
        if name not in WATCHED:
            return super().fbind(name, func, *args, **kwargs)
        uid = self._next_uid
        self._next_uid += 1
        self._observers[uid] = (func, args, kwargs)
        return uid

    def funbind(self, name, func, *args, **kwargs):
        if name not in WATCHED:
            return super().funbind(name, func, *args, **kwargs)
        for uid, observer in self._observers.copy().items():
            if observer == (func, args, kwargs):
                self._observers.pop(uid, None)

    def unbind_uid(self, name, uid):
        # kv rules unbind by uid when a widget they set is rebound; without this observers pile up.
        if name not in WATCHED:
            return super().unbind_uid(name, uid)
        self._observers.pop(uid, None)

    def forget_observers(self) -> None:
        """The app stopped: nothing of it is told of a language switch any more (nor kept alive by this)."""
        self._observers.clear()

    @property
    def observer_count(self) -> int:
        return len(self._observers)

    def switch(self, language: str) -> None:
        if language == self.language:
            return
        self.language = language
        # A copy made in one step: a widget collected meanwhile unbinds itself from the dict (kv's finalizers),
        # and list(items()) could see it change half way.
        for uid, (func, args, kwargs) in self._observers.copy().items():
            try:
                func(*args, None, None, **kwargs)
            except ReferenceError:
                # The widget this rule set is gone (kv holds it weakly): forget the rule.
                self._observers.pop(uid, None)


tr = Translator()

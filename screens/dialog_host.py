"""The dialogs over the screens: built the first time each is opened, then opened and closed by name."""

from __future__ import annotations


class DialogHost:
    def __init__(self):
        self.built: dict = {}

    def open(self, name: str):
        if name not in self.built:
            from screens.dialogs import DIALOGS  # built when first needed: start-up pays only for the greeting
            self.built[name] = DIALOGS[name]()
        dialog = self.built[name]
        if dialog.parent is None:
            dialog.open(animation=False)
        return dialog

    def close(self, name: str) -> None:
        dialog = self.built.get(name)
        if dialog is not None and dialog.parent is not None:
            dialog.dismiss(animation=False)

    def close_all(self) -> None:
        for name in list(self.built):
            self.close(name)

    def is_open(self, name: str) -> bool:
        dialog = self.built.get(name)
        return dialog is not None and dialog.parent is not None

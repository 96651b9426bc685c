"""The dialogs over the screens: built the first time each is opened, then opened and closed by name."""

from __future__ import annotations


class DialogHost:
    """`on_change(any_open)` hears when the first dialog opens and the last one closes (the browser steps aside)."""

    def __init__(self, on_change=lambda any_open: None):
        self.built: dict = {}
        self.on_change = on_change

    def open(self, name: str):
        if name not in self.built:
            from screens.dialogs import DIALOGS  # built when first needed: start-up pays only for the greeting
            dialog = self.built[name] = DIALOGS[name]()
            dialog.bind(on_pre_open=lambda _dialog: self.on_change(True),
                        on_dismiss=lambda closing: self.on_change(any(
                            other is not closing and other.parent is not None for other in self.built.values())))
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

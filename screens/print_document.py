"""Print: choose a document (a scan kept here or a file on a USB stick), see its pages, confirm, follow the job."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty
from kivy.uix.image import Image

from kiosk.i18n import N_
from kiosk.events import PrintFailed, PrintPrepared, PrintProgress, Printed
from kiosk.printing.messages import RESIDENT_MESSAGES
from printers.problems import PrintProblem
from screens.i18n import tr
from screens.stateful import StatefulScreen
from screens.widgets import KioskButton

STATES = ["choose", "preparing", "confirm", "printing", "done", "problem"]

TEXTS = {
    "choose": (N_("Print a document"), N_("Put your USB stick into the port next to the screen, then choose the "
                                         "document. PDF files and photos can be printed.")),
    "preparing": (N_("Getting your document ready…"), ""),
    "confirm": (N_("Check your document"), ""),
    "printing": (N_("Printing…"), N_("Please wait by the printer.")),
    "done": (N_("Printed"), N_("Take your pages from the printer.")),
    "problem": (N_("The printing did not work"), ""),
}
ACTIONS = {
    "choose": ((N_("Back to the start"), "secondary", "home"),),
    "confirm": ((N_("Choose another document"), "secondary", "choose"),),
    "done": ((N_("Print something else"), "primary", "choose"), (N_("Back to the start"), "secondary", "home")),
    "problem": ((N_("Try again"), "primary", "retry"), (N_("Call staff"), "secondary", "call_staff"),
                (N_("Choose another document"), "secondary", "choose")),
}


class PrintScreen(StatefulScreen):
    state = OptionProperty("choose", options=STATES)
    TEXTS, ACTIONS, MESSAGE_STATES = TEXTS, ACTIONS, ()

    def on_kv_post(self, base_widget):
        self._prepared: PrintPrepared | None = None
        self._documents: list[tuple[str, Path]] = []
        super().on_kv_post(base_widget)

    def on_pre_enter(self, *args):
        if self.state in ("choose", "done"):
            self.show_documents()

    def explanation(self, explanation: str) -> str:
        return self.message or super().explanation(explanation)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = super().offered_actions()
        if self.state == "confirm" and self._prepared is not None and self._prepared.within_quota:
            label = tr.ngettext("Print {count} page", "Print {count} pages", self._prepared.pages)
            offered.insert(0, (label.replace("{count}", str(self._prepared.pages)), "primary", "print"))
        return offered

    # ---- choosing ----------------------------------------------------------------------------------

    def show_documents(self) -> None:
        """List what can be printed now; called again when a USB stick comes or goes."""
        scan, on_sticks = self.core.printable_documents()
        self._documents = ([(tr._(N_("Your scanned document")), scan)] if scan else []) + [
            (path.name, path) for path in on_sticks]
        listing = self.ids.documents
        listing.clear_widgets()
        for label, path in self._documents:
            button = KioskButton(text=label, role="secondary")
            button.bind(on_release=lambda _button, path=path: self.choose(path))
            listing.add_widget(button)
        self.message = "" if self._documents else tr._(N_("No document was found. Put your USB stick into the "
                                                          "port next to the screen, or scan your document first."))
        self.state = "choose"
        self.on_state()

    def choose(self, path: Path) -> None:
        self._clear_preview()
        self.message = ""
        self.state = "preparing"
        self.core.prepare_print(path)

    # ---- what the resident does ----------------------------------------------------------------------

    def act(self, action: str) -> None:
        if action in ("print", "retry") and self._prepared is not None:
            self.message = ""
            self.state = "printing"
            self.core.confirm_print(self._prepared)
        elif action in ("retry", "choose"):  # nothing to retry (the file was not a document): choose again
            self._clear_preview()
            self.show_documents()

    # ---- what the print service says (on the UI thread) ------------------------------------------

    def on_core_event(self, event) -> None:
        if not isinstance(event, (PrintPrepared, PrintProgress, Printed, PrintFailed)):
            return
        if isinstance(event, PrintPrepared):
            self._prepared = event
            self._show_preview(event)
            self.message = self._summary(event)
            self.state = "confirm"
        elif isinstance(event, PrintProgress):
            # The printer waits on something staff can fix: say what, while the job still may finish.
            self.message = tr._(RESIDENT_MESSAGES[event.problem]) if event.problem else ""
        elif isinstance(event, Printed):
            self.message = tr.ngettext("{count} page printed. You can print {left} more pages free today.",
                                       "{count} pages printed. You can print {left} more pages free today.",
                                       event.pages).replace("{count}", str(event.pages)).replace(
                                           "{left}", str(event.pages_left))
            self._clear_preview()
            self.state = "done"
        elif isinstance(event, PrintFailed):
            self.message = tr._(RESIDENT_MESSAGES[event.problem])
            if event.problem is PrintProblem.NOT_A_DOCUMENT:
                self._prepared = None
            self.state = "problem"
        self.on_state()

    def _summary(self, prepared: PrintPrepared) -> str:
        pages = tr.ngettext("This document has {count} page.", "This document has {count} pages.",
                            prepared.pages).replace("{count}", str(prepared.pages))
        if not prepared.within_quota:
            return pages + " " + tr._(RESIDENT_MESSAGES[PrintProblem.QUOTA])
        left = tr.ngettext("You can print {count} more page free today.",
                           "You can print {count} more pages free today.",
                           prepared.pages_left).replace("{count}", str(prepared.pages_left))
        return pages + " " + left

    def _show_preview(self, prepared: PrintPrepared) -> None:
        preview = self.ids.preview
        preview.clear_widgets()
        for picture in prepared.thumbnails:
            preview.add_widget(Image(source=str(picture), size_hint=(None, None), size=("170dp", "240dp"),
                                     fit_mode="contain", nocache=True))

    def _clear_preview(self) -> None:
        self.ids.preview.clear_widgets()
        self._prepared = None

    # ---- privacy ---------------------------------------------------------------------------------

    def reset(self) -> None:
        self._clear_preview()
        self.ids.documents.clear_widgets()  # file names on a stick can say a lot about a person
        self._documents = []
        self.message = ""
        self.state = "choose"
        self.on_state()

    def holds_resident_data(self) -> bool:
        return bool(self.ids.preview.children or self.ids.documents.children or self._documents
                    or self._prepared is not None)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""Scan and copy: put the document on the glass, scan pages, fix their order, then print, save to USB or keep."""

from __future__ import annotations

import io
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n import N_
from kiosk import events as scanning
from kiosk.scanning.modes import ScanMode, ScanRequest, Source
from kiosk.scanning.problems import Problem
from screens.i18n import tr
from screens.stateful import StatefulScreen
from screens.widgets import KioskButton

STATES = ["ready", "scanning", "pages", "working", "usb_saved", "kept", "problem", "no_scanner"]

TEXTS = {
    "ready": (N_("Scan a document"), N_("Put your document face down on the glass, in the top left corner, and "
                                        "close the lid. Or put the pages in the feeder on top, text facing up.")),
    "scanning": (N_("Scanning…"), N_("Please do not lift the lid.")),
    "pages": (N_("Your scanned pages"), N_("Check your pages. You can turn, remove or move them, or scan more.")),
    "working": (N_("Please wait…"), ""),
    "usb_saved": (N_("Saved on your USB stick"), N_("You can take it out now.")),
    "kept": (N_("Your scan is kept"), N_("It is ready for your e-service, and for the staff member helping you.")),
    "problem": (N_("The scan did not work"), ""),
    "no_scanner": (N_("The scanner is not working"), ""),
}
ACTIONS = {
    "ready": ((N_("Scan"), "primary", "scan"), (N_("Back to the start"), "secondary", "home")),
    "scanning": ((N_("Stop"), "secondary", "stop"),),
    "usb_saved": ((N_("Continue"), "primary", "pages"),),
    "kept": ((N_("Continue"), "primary", "pages"), (N_("Back to the start"), "secondary", "home")),
    "problem": ((N_("Try again"), "primary", "scan"), (N_("Call staff"), "secondary", "call_staff")),
    "no_scanner": ((N_("Call staff"), "primary", "call_staff"), (N_("Back to the start"), "secondary", "home")),
}
MODE_LABELS = {ScanMode.TEXT: N_("Black and white text"), ScanMode.PHOTO: N_("Colour photo")}
SOURCE_LABELS = {Source.FLATBED: N_("On the glass"), Source.FEEDER: N_("In the feeder")}
PAGE_ACTIONS = ((N_("Turn"), "rotate"), (N_("Move left"), "left"), (N_("Remove"), "delete"))


class PageCard(BoxLayout):
    """One page's thumbnail with its number and buttons, built from the page's preview bytes."""
    number = StringProperty("")


class ScanCopyScreen(StatefulScreen):
    state = OptionProperty("ready", options=STATES)
    TEXTS, ACTIONS, MESSAGE_STATES = TEXTS, ACTIONS, ("problem", "no_scanner")
    mode = OptionProperty("text", options=["text", "photo"])
    source = OptionProperty("flatbed", options=["flatbed", "feeder"])
    searchable = BooleanProperty(False)
    sticks = ListProperty([])
    page_count = ListProperty([0])

    @property
    def service(self):
        """The core's scanning service, attached to the current visit."""
        return self.core.scanning

    def on_pre_enter(self, *args):
        self.service.watch_usb()  # a stick plugged in while this screen is open is offered at once
        self.show_pages()

    def on_leave(self, *args):
        self.service.unwatch_usb()

    def on_state(self, *args):
        super().on_state()
        self._fill_choices()

    def offered_actions(self) -> list[tuple[str, str, str]]:
        if self.state != "pages":
            return super().offered_actions()
        offered = [(N_("Scan more pages"), "secondary", "scan"), (N_("Print a copy"), "primary", "print")]
        if self.sticks:
            offered.append((N_("Save to my USB stick"), "primary", "usb"))
        return offered + [(N_("Keep for the e-service"), "primary", "keep"), (N_("Start again"), "danger", "clear")]

    def _fill_choices(self) -> None:
        choices = self.ids.choices
        choices.clear_widgets()
        if self.state not in ("ready", "pages"):
            return
        for mode, label in MODE_LABELS.items():
            button = KioskButton(text=tr._(label), role="primary" if self.mode == mode.value else "secondary")
            button.bind(on_release=lambda _button, mode=mode: self.choose(mode=mode.value))
            choices.add_widget(button)
        for source, label in SOURCE_LABELS.items():
            button = KioskButton(text=tr._(label), role="primary" if self.source == source.value else "secondary")
            button.bind(on_release=lambda _button, source=source: self.choose(source=source.value))
            choices.add_widget(button)
        if self.state == "pages":
            label = N_("Searchable text: yes") if self.searchable else N_("Searchable text: no")
            button = KioskButton(text=tr._(label), role="primary" if self.searchable else "secondary")
            button.bind(on_release=lambda _button: self.choose(searchable=not self.searchable))
            choices.add_widget(button)

    def choose(self, mode: str | None = None, source: str | None = None, searchable: bool | None = None) -> None:
        self.mode = mode or self.mode
        self.source = source or self.source
        if searchable is not None:
            self.searchable = searchable
        self._fill_choices()

    def on_sticks(self, *args):
        if self.state == "pages":
            self.fill_actions(self.offered_actions())

    # ---- what the resident does -----------------------------------------------------------------

    def act(self, action: str) -> None:
        if action == "scan":
            self.message = ""
            self.state = "scanning"
            self.service.scan(ScanRequest(ScanMode(self.mode), Source(self.source)))
        elif action == "stop":
            self.service.cancel()
        elif action in ("print", "keep"):
            self._after_pdf = action
            self.state = "working"
            self.service.make_pdf(self.searchable)
        elif action == "usb" and self.sticks:
            self.state = "working"
            self.service.save_to_stick(self.sticks[0], self.searchable)
        elif action == "clear":
            self.service.clear()
            self.show_pages()
        elif action == "pages":
            self.show_pages()

    def page_action(self, index: int, action: str) -> None:
        if action == "rotate":
            self.service.rotate(index)
        elif action == "left" and index > 0:
            self.service.move(index, index - 1)
        elif action == "delete":
            self.service.delete(index)
        self.show_pages()

    def show_pages(self) -> None:
        pages = self.service.pages
        grid = self.ids.pages
        grid.clear_widgets()
        for index, page in enumerate(pages):
            card = PageCard(number=str(index + 1))
            texture = CoreImage(io.BytesIO(self.service.thumbnail(page)), ext="png").texture
            card.ids.picture.add_widget(Image(texture=texture, fit_mode="contain"))
            for label, action in PAGE_ACTIONS:
                button = KioskButton(text=tr._(label), role="secondary", font_size="18sp")
                button.bind(on_release=lambda _button, index=index, action=action: self.page_action(index, action))
                card.ids.buttons.add_widget(button)
            grid.add_widget(card)
        self.state = "pages" if pages else "ready"
        self.on_state()

    # ---- what the service says (on the UI thread) ---------------------------------------------------

    def on_core_event(self, event) -> None:
        if isinstance(event, scanning.SticksChanged):
            self.sticks = list(event.sticks)
        elif isinstance(event, scanning.PageScanned):
            self.show_pages()
            self.state = "scanning"
        elif isinstance(event, scanning.ScanFinished):
            self.show_pages()
        elif isinstance(event, scanning.ScanFailed):
            self.message = tr._(event.problem.value)
            if event.added:
                self.show_pages()  # pages taken before a jam are kept; the message says what happened
            self.state = "no_scanner" if event.problem is Problem.NO_SCANNER else "problem"
            self.on_state()
        elif isinstance(event, scanning.PdfReady):
            if getattr(self, "_after_pdf", "keep") == "print":
                app = self.app
                app.show("print")
                app.screen("print").choose(event.path)
                self.show_pages()
            else:
                self.state = "kept"
        elif isinstance(event, scanning.SavedToStick):
            self.state = "usb_saved"
        elif isinstance(event, scanning.DeliveryFailed):
            self.message = tr._(event.problem.value)
            if event.problem is not Problem.OCR_FAILED:  # without OCR the PDF still follows
                self.state = "problem"
                self.on_state()

    # ---- privacy -------------------------------------------------------------------------------

    def reset(self) -> None:
        self.ids.pages.clear_widgets()  # the thumbnails show the resident's document
        self.message = ""
        self.sticks = []
        self.mode, self.source, self.searchable = "text", "flatbed", False
        self.state = "ready"
        self.on_state()

    def holds_resident_data(self) -> bool:
        return bool(self.ids.pages.children)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

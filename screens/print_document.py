"""Print: where the document is (a USB stick, paper, this visit), which one, its pages and the free pages left,
then the job; or straight to a document another screen hands over (a form, a scan, a download)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.image import Image
from kivy.utils import escape_markup

from kiosk.events import PrintFailed, PrintPrepared, PrintProgress, Printed, SticksChanged
from kiosk.i18n import N_
from kiosk.printing.messages import NEEDS_STAFF, PRINTER_PLACES
from printers.problems import PrintProblem
from screens.i18n import tr
from screens.print_words import free_pages_line, printed_line, problem_line, progress_line
from screens.stateful import FINISHED, StatefulScreen
from screens.theme import icon
from screens.widgets import ForgetsTouch, KioskButton, Tile

STATES = ["where", "usb", "choose", "preparing", "confirm", "page", "printing", "done", "problem"]

TEXTS = {
    "where": (N_("Print a document"), N_("Where is your document?")),
    "usb": (N_("Put in your USB stick"), N_("Put your USB stick into the USB port next to the screen, as in the "
                                           "picture. Your documents then appear by themselves.")),
    "choose": (N_("Choose your document"), N_("PDF files and photos can be printed.")),
    "preparing": (N_("Getting your document ready…"), ""),
    "confirm": (N_("Check your document"), N_("Tap a page to see it larger.")),
    "page": (N_("Page {number} of {count}"), ""),  # one page as large as the screen allows
    "printing": (N_("Printing…"), ""),  # where the pages come out: [printing] printer_place
    "done": (N_("Printed"), N_("Take your pages from the printer.")),
    "problem": (N_("The printing did not work"), ""),
}
# Back goes to the step before; "before" is where the document came from (see `_before`). None: no Back while
# the printer works on the resident's pages.
BACK = {"usb": "where", "choose": "where", "preparing": "before", "confirm": "before", "page": "pages",
        "printing": None,
        "done": "leave", "problem": "before"}
# The step of each state in "Step n of 4", for a document the resident looks for here.
STEPS = {"where": 1, "usb": 2, "choose": 2, "preparing": 3, "confirm": 3, "page": 3, "printing": 4, "done": 4,
         "problem": 4}
# Where the resident's document is (Material Design Icons 1.6 code points for the tiles).
SOURCES = (("usb", "\uf553", N_("On a USB stick")), ("paper", "\uf18f", N_("On paper")),
           ("visit", "\uf222", N_("Scanned or downloaded here")))
# Screens that hand a document over; Back from its pages returns there.
HANDING_OVER = ("service", "scan_copy", "eservice")
SCANNED = N_("Your scanned document")


class PreviewPage(ForgetsTouch, ButtonBehavior, Image):
    """A page as it will come out; tapping it shows it as large as the screen allows."""


class PrintScreen(StatefulScreen):
    state = OptionProperty("where", options=STATES)
    TEXTS, MESSAGE_STATES, BACK = TEXTS, (), BACK
    step = NumericProperty(1)
    steps_shown = BooleanProperty(True)
    page_picture = StringProperty("")  # the page shown large (a picture of the resident's document)

    def on_kv_post(self, base_widget):
        self._prepared: PrintPrepared | None = None
        self._problem: PrintProblem | None = None  # what stopped the last print (staff's to fix, or not)
        self._looking_at = 0              # the page shown large, in the "page" state
        self._documents: list[tuple[str, Path]] = []  # (label, path): names on a stick are the resident's
        self._source: str | None = None   # "usb" or "visit"; None for a document handed over by another screen
        self._came_from = ""              # the screen that showed this one
        self._sticks: tuple = ()
        self._preparing = 0               # documents asked for and not yet prepared: only the last one counts
        self._sticks_watch = None         # while shown: the kiosk tells of sticks coming and going
        super().on_kv_post(base_widget)

    # ---- entering and leaving ---------------------------------------------------------------------------

    def on_pre_enter(self, *args):
        self._came_from = self.app.current_screen  # the app names the new screen only after this
        if self.state != "printing":  # a job under way is followed; anything else starts from the question
            self.start_over()

    def on_enter(self, *args):
        self._sticks = self.core.usb.find()
        if self._sticks_watch is None:
            self._sticks_watch = self.core.usb.watch()  # SticksChanged now and whenever a stick comes or goes

    def on_leave(self, *args):
        if self._sticks_watch is not None:
            self._sticks_watch.stop()
            self._sticks_watch = None

    def start_over(self) -> None:
        self._clear_preview()
        self._forget_documents()
        self._source = None
        self.message = ""
        self.go("where")

    # ---- what each state shows ------------------------------------------------------------------------

    def on_state(self, *args):
        self.step = STEPS[self.state]
        # A document another screen handed over skips the first steps: "Step 3 of 4" would only puzzle.
        self.steps_shown = self._source is not None or self.state == "where"
        super().on_state()
        self._fill_sources()
        self._fill_documents()

    def heading(self, heading: str) -> str:
        if self.state == "page":
            return tr._(heading).replace("{number}", str(self._looking_at + 1)).replace(
                "{count}", str(len(self._pictures())))
        return super().heading(heading)

    def explanation(self, explanation: str) -> str:
        if self.state == "page":
            return ""
        if self.state == "printing" and not self.message:
            return tr._(PRINTER_PLACES[self.core.settings.printing.printer_place])
        if self.state == "confirm" and self.message:
            return self.message + " " + super().explanation(explanation)
        return self.message or super().explanation(explanation)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = []  # "Call staff" is in the top bar on every step
        if self.state == "page":
            count = len(self._pictures())
            if self._looking_at > 0:
                offered.append((N_("Previous page"), "secondary", "previous"))
            if self._looking_at < count - 1:
                offered.append((N_("Next page"), "secondary", "next"))
        if self.state in ("confirm", "page") and self._prepared is not None:
            if self._prepared.pages <= self.core.pages_left():
                label = tr.ngettext("Print {count} page", "Print {count} pages", self._prepared.pages)
                offered.insert(0, (label.replace("{count}", str(self._prepared.pages)), "primary", "print"))
            else:
                offered.insert(0, (N_("Call staff"), "primary", "call_staff"))
        elif self.state == "done":
            offered = [(FINISHED, "primary", "finished"), (N_("Print something else"), "secondary", "start_over")]
        elif self.state == "problem":
            if self._prepared is not None and self._problem in NEEDS_STAFF:  # a jam, no paper: staff's to fix
                offered = [(N_("Call staff"), "primary", "call_staff"), (N_("Try again"), "secondary", "print")]
            elif self._prepared is not None:  # the document is fine: the printer was not
                offered = [(N_("Try again"), "primary", "print"), (N_("Call staff"), "secondary", "call_staff")]
            else:
                offered = [(N_("Choose another document"), "primary", "before"),
                           (N_("Call staff"), "secondary", "call_staff")]
        return offered

    def _fill_sources(self) -> None:
        """The three places a document can be; "this visit" only when there is something of it to print."""
        box = self.ids.sources
        box.clear_widgets()
        if self.state != "where":
            return
        has_visit_files = bool(self.core.visit_files())
        for source, glyph, title in SOURCES:
            if source == "visit" and not has_visit_files:
                continue
            tile = Tile(icon=glyph if icon("print") else "", title=title)
            tile.bind(on_release=lambda _tile, source=source: self.do(source))
            box.add_widget(tile)

    def _fill_documents(self) -> None:
        listing = self.ids.documents
        listing.clear_widgets()
        if self.state != "choose":
            return
        for label, path in self._documents:
            # The names of the resident's files: shown to them, never read aloud in the room.
            button = KioskButton(text=escape_markup(label), role="secondary", private=True)
            button.bind(on_release=lambda _button, path=path: self.choose(path))
            listing.add_widget(button)

    def free_pages_line(self) -> str:
        return free_pages_line(self.core.pages_left())

    # ---- where the document is --------------------------------------------------------------------------

    def act(self, action: str) -> None:
        if action == "usb":
            self._source = "usb"
            if self._sticks:
                self.show_documents()
            else:
                self.go("usb")
        elif action == "paper":
            self.app.show("scan_copy")  # scanned, "Print a copy" brings the pages back here
        elif action == "visit":
            self._source = "visit"
            self.show_documents()
        elif action == "where" or action == "start_over":
            self.start_over()
        elif action == "before":
            self._back()
        elif action == "leave":
            self._leave()
        elif action == "print" and self._prepared is not None:
            self._print(self._prepared)
        elif action in ("previous", "next"):
            self.look_at(self._looking_at + (1 if action == "next" else -1))
        elif action == "pages":
            self.go("confirm")

    def show_documents(self) -> None:
        """The documents of the place chosen: on the resident's sticks, or of this visit."""
        self._clear_preview()
        if self._source == "usb":
            self._documents = [(path.name, path) for path in self.core.printable_documents()[1]]
            self.message = "" if self._documents else tr._(N_(
                "There is no document on your USB stick that can be printed here: only documents saved as PDF, "
                "and photos, can be."))
        else:
            kept = self.core.printable_documents()[0]
            self._documents = [(tr._(SCANNED) if path == kept else path.name, path)
                               for path in self.core.visit_files()]
            self.message = "" if self._documents else tr._(N_("There is nothing from this visit to print."))
        self.go("choose")

    def choose(self, path: Path) -> None:
        """Prepare this document and show its pages; other screens call this to print a form, a scan, a file."""
        self._clear_preview()
        self.message = ""
        self._preparing += 1
        self.go("preparing")
        self.core.prepare_print(path)

    def _print(self, prepared: PrintPrepared) -> None:
        """The one place a job is sent: the resident confirmed, or asked to try again."""
        self.message = ""
        self.go("printing")
        self.core.confirm_print(prepared)

    def _back(self) -> None:
        """From the pages or a problem: the list of documents, or the screen that handed the document over."""
        self._clear_preview()
        self.message = ""
        if self._source == "visit" or (self._source == "usb" and self._sticks):
            self.show_documents()
        elif self._source == "usb":
            self.go("usb")
        else:
            self.start_over()  # an answer still on its way for the document is not wanted any more
            if self._came_from in HANDING_OVER:
                self.app.show(self._came_from)

    def _leave(self) -> None:
        """After printing: back where the resident came from (the form's service, the e-service), else home."""
        if self._source is None and self._came_from in HANDING_OVER:
            self.app.show(self._came_from)
        else:
            self.app.go_home()

    # ---- what the print and scan services say (on the UI thread) ----------------------------------------

    def on_core_event(self, event) -> None:
        if isinstance(event, SticksChanged):
            self._sticks_changed(tuple(event.sticks))
        elif isinstance(event, (PrintPrepared, PrintFailed)) and self._preparing:
            self._preparing -= 1
            if self._preparing or self.state != "preparing":
                return  # an earlier document's answer: the resident has chosen another since, or gone back
            self._prepared_or_failed(event)
        elif isinstance(event, PrintProgress) and self.state == "printing":
            self.message = progress_line(event.problem)
            self.on_state()
        elif isinstance(event, Printed) and self.state == "printing":
            # "Take your pages from the printer." first.
            self.message = tr._(TEXTS["done"][1]) + "\n" + printed_line(event.pages, event.pages_left)
            self._clear_preview()
            self.go("done")
        elif isinstance(event, PrintFailed) and self.state == "printing":
            self.message = problem_line(event.problem)
            self._problem = event.problem
            self.go("problem")

    def _prepared_or_failed(self, event) -> None:
        if isinstance(event, PrintPrepared):
            self._prepared = event
            self._show_preview(event)
            self.message = self._summary(event)
            self.go("confirm")
        else:
            self.message = problem_line(event.problem)
            self._problem = event.problem
            self._prepared = None
            self.go("problem")

    def _sticks_changed(self, sticks: tuple) -> None:
        arrived = bool(sticks) and not self._sticks
        self._sticks = sticks
        if self.manager is None or self.manager.current != self.name:
            return  # the scan screen watches too: a stick put in there is not this screen's answer
        if arrived and self.state in ("where", "usb"):
            # The stick is in: its documents, without a tap (from the question too: plugging in is the answer).
            self._source = "usb"
            self.show_documents()
        elif self.state == "choose" and self._source == "usb":
            if sticks:
                self.show_documents()  # another stick, or the same one again
            else:
                self._forget_documents()
                self.message = ""
                self.go("usb")

    def _summary(self, prepared: PrintPrepared) -> str:
        pages = tr.ngettext("This document has {count} page.", "This document has {count} pages.",
                            prepared.pages).replace("{count}", str(prepared.pages))
        if prepared.pages > self.core.pages_left():
            return pages + " " + problem_line(PrintProblem.QUOTA)
        return pages + " " + self.free_pages_line()

    def _show_preview(self, prepared: PrintPrepared) -> None:
        preview = self.ids.preview
        preview.clear_widgets()
        for index, picture in enumerate(prepared.thumbnails):
            page = PreviewPage(source=str(picture))
            page.bind(on_release=lambda _page, index=index: self.look_at(index))
            preview.add_widget(page)

    def _pictures(self) -> tuple:
        return tuple(self._prepared.thumbnails) if self._prepared is not None else ()

    def look_at(self, index: int) -> None:
        """One page as tall as the screen allows, to read it before it is printed; Back returns to all of them."""
        pictures = self._pictures()
        if not pictures:
            return
        self._looking_at = max(0, min(index, len(pictures) - 1))
        self.page_picture = str(pictures[self._looking_at])
        self.go("page")

    def _clear_preview(self) -> None:
        self.ids.preview.clear_widgets()
        self.page_picture = ""
        self._looking_at = 0
        self._prepared = None

    def _forget_documents(self) -> None:
        self._documents = []
        self.ids.documents.clear_widgets()  # file names on a stick can say a lot about a person

    # ---- privacy ---------------------------------------------------------------------------------

    def reset(self) -> None:
        self._preparing = 0
        self._came_from = ""
        self._sticks = ()
        self.start_over()

    def holds_resident_data(self) -> bool:
        return bool(self.ids.preview.children or self.ids.documents.children or self._documents
                    or self._prepared is not None or self.page_picture)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

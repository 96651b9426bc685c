"""Scan and copy in four steps, as a good copier does: put the paper in, scan, check the pages, then print a copy,
save it on a USB stick or keep it for the staff member and the e-service."""

from __future__ import annotations

import io
from pathlib import Path

from kivy.animation import Animation
from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.stacklayout import StackLayout

from kiosk import events
from kiosk.i18n import N_
from kiosk.printing.messages import NEEDS_STAFF as PRINT_NEEDS_STAFF, PRINTER_PLACES
from kiosk.scanning.modes import ScanMode, ScanRequest, Source
from kiosk.scanning.problems import NEEDS_STAFF as SCAN_NEEDS_STAFF, Problem
from printers.problems import PrintProblem
from screens.i18n import tr
from screens.print_words import free_pages_line, printed_line, problem_line, progress_line
from screens.stateful import StatefulScreen
from screens.scanner_picture import ScannerPicture
from screens.widgets import ForgetsTouch, KioskButton

STATES = ["ready", "scanning", "pages", "what_now", "working", "printing", "printed", "usb_saved", "kept",
          "problem", "print_problem", "save_problem", "no_scanner"]
# Which of the four steps each state belongs to: 1 the paper in, 2 scanning, 3 the pages, 4 what now.
STEP_OF = {"ready": 1, "scanning": 2, "problem": 2, "no_scanner": 1, "pages": 3}
STEPS = 4

TEXTS = {
    "ready": (N_("Put your paper in the scanner"), ""),
    "scanning": (N_("Scanning page {number}…"), ""),
    "pages": (N_("Your scanned pages"), N_("Is every page there, the right way up?")),
    "what_now": (N_("Your scan is ready"), ""),
    "working": (N_("Please wait…"), ""),
    "printing": (N_("Printing…"), ""),  # where the pages come out: [printing] printer_place
    "printed": (N_("Printed"), N_("Take your pages from the printer.")),
    "usb_saved": (N_("Saved on your USB stick"), N_("You can take it out now.")),
    "kept": (N_("Your scan is kept"), N_("It is ready for your e-service, and for the staff member helping you.")),
    "problem": (N_("The scan did not work"), ""),
    "print_problem": (N_("The printing did not work"), ""),
    "save_problem": (N_("Your scan was not saved"), ""),
    "no_scanner": (N_("The scanner is not working"), ""),
}
FINISHED = ((N_("Done"), "primary", "home"), (N_("Scan another document"), "secondary", "new"))
ACTIONS = {
    "ready": ((N_("Start scanning"), "primary", "scan"),),
    "pages": ((N_("That's all"), "primary", "what_now"),),
    "printed": FINISHED,
    "usb_saved": FINISHED,
    "kept": FINISHED,
    "problem": ((N_("Scan again"), "primary", "scan"), (N_("Call staff"), "secondary", "call_staff")),
    "print_problem": ((N_("Try again"), "primary", "retry"), (N_("Call staff"), "secondary", "call_staff")),
    "save_problem": ((N_("Try again"), "primary", "retry"), (N_("Call staff"), "secondary", "call_staff")),
    "no_scanner": ((N_("Call staff"), "primary", "call_staff"),),
}
# Where Back goes: the step before; nowhere while the kiosk is busy with the resident's paper.
BACK = {"ready": "home", "scanning": None, "pages": "home", "what_now": "pages", "working": None, "printing": None,
        "printed": "what_now", "usb_saved": "what_now", "kept": "what_now", "problem": "ready",
        "print_problem": "what_now", "save_problem": "what_now", "no_scanner": "home"}

SOURCE_LABELS = {Source.FLATBED: N_("On the glass"), Source.FEEDER: N_("In the automatic feeder")}
MODE_LABELS = {ScanMode.TEXT: N_("Black and white text"), ScanMode.PHOTO: N_("Colour photo")}
# Only the chosen way is explained: one sentence about the glass, or one about the feeder.
PLACING = {
    "flatbed": N_("Lift the lid and put your page on the glass, text facing down, in the corner the arrow "
                  "shows. Then close the lid."),
    "feeder": N_("Put your pages in the automatic feeder on top of the scanner, text facing up, the first page "
                 "on top."),
}
SCANNING = {"flatbed": N_("Please do not lift the lid."),
            "feeder": N_("The pages go through the feeder one by one. Please wait.")}
GOALS = (("print", N_("Print a copy")), ("usb", N_("Save to my USB stick")),
         ("keep", N_("Keep for staff or e-service")))
STAFF_FIRST = SCAN_NEEDS_STAFF | PRINT_NEEDS_STAFF  # problems whose main button is "Call staff"


class PagePicture(BoxLayout):
    """A scanned page as a sheet of A4: the picture inside it is never cropped."""


class PageCard(BoxLayout):
    """One page: its number, its picture and what can be done to it."""
    number = StringProperty("")


class AddPageButton(ForgetsTouch, ButtonBehavior, BoxLayout):
    """Where the next page will go: "Scan another page", shaped like a page."""
    label = StringProperty("")


class ReadyPanel(BoxLayout):
    """Step 1: the picture of where the paper goes, beside the two choices."""


class ProgressPanel(BoxLayout):
    """Step 2: the scanning light over the scanner, and how many pages are in."""
    count_text = StringProperty("")


class WhatNowPanel(BoxLayout):
    """Step 4: the choices on the left; on the right what the chosen one needs (copies, the USB stick)."""
    copies_text = StringProperty("")
    details_text = StringProperty("")

    def on_kv_post(self, base_widget):
        # Shown or left out by the screen: kept here, as kv ids hold them only weakly.
        self.copies_box = self.ids.copies_box.__self__
        self.details_label = self.ids.details_label.__self__
        self.searchable_choice = self.ids.searchable.__self__


class PagesGrid(StackLayout):
    """The pages side by side, then the place of the next one."""


class ScanCopyScreen(StatefulScreen):
    state = OptionProperty("ready", options=STATES)
    TEXTS, ACTIONS, BACK = TEXTS, ACTIONS, BACK
    MESSAGE_STATES = ("problem", "print_problem", "save_problem", "no_scanner")
    step = NumericProperty(1)
    mode = OptionProperty("text", options=["text", "photo"])
    source = OptionProperty("flatbed", options=["flatbed", "feeder"])
    goal = OptionProperty("print", options=["print", "usb", "keep"])
    searchable = BooleanProperty(False)
    copies = NumericProperty(1)
    sticks = ListProperty([])
    page_count = NumericProperty(0)
    steps_shown = BooleanProperty(True)
    picture = ObjectProperty(None, allownone=True)  # [scanning] picture: this kiosk's own scanner, or None

    def on_kv_post(self, base_widget):
        self._after = ""            # what the PDF being made is for: "print", "usb" or "keep"
        self._problem = None        # what stopped the last scan or print
        self._sticks_watch = None   # while shown: the kiosk tells of sticks coming and going
        self.picture = self.core.settings.scanning.picture if self.core is not None else None
        # The panels of the steps, kept here (kv ids are weak) and swapped into the stage by state.
        self.ready_panel = ReadyPanel()
        self.progress_panel = ProgressPanel()
        self.pages_panel = PagesGrid()
        self.what_now_panel = WhatNowPanel()
        # Step 1's picture: this kiosk's own photo of the glass when there is one, else the drawn scanner.
        self._drawing = ScannerPicture()
        self._photo = Image(source=str(self.picture), fit_mode="contain") if self.picture is not None else None
        self.what_now_panel.ids.fewer.bind(on_release=lambda _button: self.change_copies(-1))
        self.what_now_panel.ids.more.bind(on_release=lambda _button: self.change_copies(+1))
        super().on_kv_post(base_widget)

    @property
    def service(self):
        """The core's scanning service, attached to the current visit."""
        return self.core.scanning

    def on_pre_enter(self, *args):
        if self._sticks_watch is None:  # a stick plugged in while this screen is open is offered at once
            self._sticks_watch = self.core.usb.watch()
        if self.state not in ("scanning", "working", "printing"):
            self.show_pages()

    def on_leave(self, *args):
        if self._sticks_watch is not None:
            self._sticks_watch.stop()
            self._sticks_watch = None

    # ---- what each state shows --------------------------------------------------------------------

    def on_state(self, *args) -> None:
        self.step = STEP_OF.get(self.state, STEPS)
        self.steps_shown = not (self.state in ("ready", "scanning") and self.page_count)
        if self.state == "what_now":  # never more copies than the free pages left allow
            self.copies = max(1, min(int(self.copies), self.max_copies()))
        super().on_state()
        self._show_stage()

    def heading(self, heading: str) -> str:
        if self.state == "ready" and self.page_count:
            return tr._(N_("Page {number}: put it in the scanner")).replace("{number}", str(self.page_count + 1))
        if self.state == "scanning":
            return tr._(heading).replace("{number}", str(self.page_count + 1))
        if self.state == "working" and self._after == "usb":
            return tr._(N_("Saving on your USB stick…"))
        return super().heading(heading)

    def explanation(self, explanation: str) -> str:
        if self.state == "ready":
            return tr._(PLACING[self.source])
        if self.state == "scanning":
            return tr._(SCANNING[self.source])
        if self.state == "working" and self._after == "usb":
            return tr._(N_("Please leave the stick in the port."))
        if self.state == "printing" and not self.message:
            return tr._(PRINTER_PLACES[self.core.settings.printing.printer_place])
        if self.state in ("printing", "printed") and self.message:
            # While printing: what the printer waits on. Printed: how many pages, and how many are left.
            return self.message if self.state == "printing" else tr._(explanation) + " " + self.message
        return super().explanation(explanation)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        if self.state == "scanning":
            # A feeder can be stopped after the page under way; one page from the glass is over in a moment.
            return [(N_("Stop"), "secondary", "stop")] if self.source == "feeder" else []
        if self.state in ("problem", "print_problem") and self._problem in STAFF_FIRST:
            # A jam, no paper: staff's to put right, so calling them is the main button.
            retry = "scan" if self.state == "problem" else "retry"
            return [(N_("Call staff"), "primary", "call_staff"),
                    (N_("Scan again") if retry == "scan" else N_("Try again"), "secondary", retry)]
        if self.state != "what_now":
            return super().offered_actions()
        if self.goal == "print" and self.max_copies() >= 1:
            label = tr.ngettext("Print {count} copy", "Print {count} copies", int(self.copies))
            return [(label.replace("{count}", str(int(self.copies))), "primary", "print")]
        if self.goal == "usb" and self.sticks:
            return [(N_("Save to my USB stick"), "primary", "usb")]
        if self.goal == "keep":
            return [(N_("Keep my scan"), "primary", "keep")]
        return []

    def _show_stage(self) -> None:
        stage = self.ids.stage
        panel = {"ready": self.ready_panel, "scanning": self.progress_panel, "pages": self.pages_panel,
                 "what_now": self.what_now_panel}.get(self.state)
        if list(stage.children) != ([panel] if panel else []):
            stage.clear_widgets()
            if panel is not None:
                stage.add_widget(panel)
        self._animate(self.state == "scanning")
        if self.state == "ready":
            self._fill_ready()
        elif self.state == "scanning":
            self._fill_progress()
        elif self.state == "what_now":
            self._fill_what_now()

    def _fill_ready(self) -> None:
        panel = self.ready_panel
        panel.ids.where.label = tr._(N_("Where will you put the paper?"))
        panel.ids.where.fill([(source.value, tr._(label)) for source, label in SOURCE_LABELS.items()],
                             self.source, lambda value: self.choose(source=value))
        panel.ids.what.label = tr._(N_("What is on the paper?"))
        panel.ids.what.fill([(mode.value, tr._(label)) for mode, label in MODE_LABELS.items()],
                            self.mode, lambda value: self.choose(mode=value))
        self._drawing.kind = self.source
        shown = self._photo if self.source == "flatbed" and self._photo is not None else self._drawing
        holder = panel.ids.picture
        if list(holder.children) != [shown]:
            holder.clear_widgets()
            holder.add_widget(shown)

    def _fill_progress(self) -> None:
        panel = self.progress_panel
        panel.ids.drawing.kind = self.source
        count = self.page_count
        panel.count_text = tr.ngettext("{count} page scanned so far", "{count} pages scanned so far",
                                       count).replace("{count}", str(count)) if count else ""

    def _fill_what_now(self) -> None:
        panel = self.what_now_panel
        panel.ids.goals.label = tr._(N_("What would you like to do?"))
        panel.ids.goals.fill([(goal, tr._(label)) for goal, label in GOALS], self.goal,
                             lambda value: self.choose(goal=value))
        pages, left, most = self.page_count, self.core.pages_left(), self.max_copies()
        details = panel.ids.details
        details.clear_widgets()
        if self.goal == "print" and most >= 1:
            panel.copies_text = str(int(self.copies))
            panel.ids.fewer.disabled = self.copies <= 1
            panel.ids.more.disabled = self.copies >= most
            details.add_widget(panel.copies_box)
            total = pages * int(self.copies)
            text = (tr.ngettext("That is {count} page in all.", "That is {count} pages in all.", total)
                    .replace("{count}", str(total)) + " "
                    + free_pages_line(left))
        elif self.goal == "print":
            text = tr.ngettext("Your scan has {count} page.", "Your scan has {count} pages.", pages).replace(
                "{count}", str(pages)) + " " + problem_line(PrintProblem.QUOTA)
        elif self.goal == "usb":
            text = tr._(N_("Your scan will be saved on the stick as a PDF file.")) if self.sticks else tr._(
                Problem.NO_USB.value)
        else:
            text = tr._(N_("Your scan stays on this computer until you finish. A staff member can print or send "
                           "it for you, and you can add it to an e-service here."))
        panel.details_text = text
        details.add_widget(panel.details_label)
        if self.goal == "keep" or (self.goal == "usb" and self.sticks):
            choice = panel.searchable_choice
            choice.label = tr._(N_("Should a computer be able to read the words in your scan, to search or copy them? It takes a little longer."))
            choice.fill([(True, tr._(N_("Yes"))), (False, tr._(N_("No")))], self.searchable,
                        lambda value: self.choose(searchable=value))
            details.add_widget(choice)

    def max_copies(self) -> int:
        return self.core.copies_possible(self.page_count)

    def _animate(self, on: bool) -> None:
        drawing = self.progress_panel.ids.drawing
        if on and drawing.sweep >= 0:
            return  # already running: a page that came in does not restart it
        Animation.cancel_all(drawing)
        if on:
            drawing.sweep = 0
            sweep = Animation(sweep=1.0, duration=1.6) + Animation(sweep=0.0, duration=0)
            sweep.repeat = True
            sweep.start(drawing)
        else:
            drawing.sweep = -1

    def resident_text(self) -> list[str]:
        """As a resident reads it: the top of the screen, then each part of the step whole, the left column before
        the right one (not line by line across both)."""
        from screens.widgets import readable_text
        ids = self.ids
        parts = [ids.step, ids.title, ids.body, ids.actions]
        if self.state == "ready":
            parts.append(self.ready_panel.ids.choices)
        elif self.state == "scanning":
            parts.append(self.progress_panel)
        elif self.state == "pages":
            parts += list(reversed(self.pages_panel.children))
        elif self.state == "what_now":
            parts += [self.what_now_panel.ids.goals, self.what_now_panel.ids.details]
        return [text for part in parts for text in readable_text(part)]

    # ---- what the resident does -----------------------------------------------------------------

    def choose(self, mode: str | None = None, source: str | None = None, goal: str | None = None,
               searchable: bool | None = None) -> None:
        self.mode = mode or self.mode
        self.source = source or self.source
        if searchable is not None:
            self.searchable = searchable
        if goal is not None and goal != self.goal:
            self.goal = goal
        self.on_state()

    def change_copies(self, by: int) -> None:
        self.copies = max(1, min(int(self.copies) + by, max(self.max_copies(), 1)))
        self.on_state()

    def on_sticks(self, *args):
        if self.state == "what_now":
            self.on_state()  # a stick plugged in: "Save to my USB stick" appears by itself

    def go_back(self) -> None:
        if self.state == "ready" and self.page_count:
            self.show_pages()  # changed their mind about another page
        else:
            super().go_back()

    def act(self, action: str) -> None:
        if action == "scan":
            self.message = ""
            self.state = "scanning"
            self.on_state()
            self.service.scan(ScanRequest(ScanMode(self.mode), Source(self.source)))
        elif action == "stop":
            self.service.cancel()
        elif action in ("ready", "more"):
            self.message = ""
            self.state = "ready"
            self.on_state()
        elif action in ("pages", "what_now"):
            self.show_pages()
            if action == "what_now" and self.page_count:
                self.state = "what_now"
                self.on_state()
        elif action in ("print", "keep"):
            self._after = action
            self.message = ""
            self.state = "working"
            self.on_state()
            # A copy is printed as scanned; what is kept may be made searchable.
            self.service.make_pdf(self.searchable and action == "keep")
        elif action == "usb" and self.sticks:
            self._after = action
            self.message = ""
            self.state = "working"
            self.on_state()
            self.service.save_to_stick(self.sticks[0], self.searchable)
        elif action == "retry":
            self.act(self._after or "what_now")
        elif action == "new":
            self.service.clear()
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
        """The pages' pictures, then step 3 (or step 1 when there are none)."""
        pages = self.service.pages
        self.page_count = len(pages)
        grid = self.pages_panel
        grid.clear_widgets()
        for index, page in enumerate(pages):
            card = PageCard(number=tr._(N_("Page {number}")).replace("{number}", str(index + 1)))
            texture = CoreImage(io.BytesIO(self.service.thumbnail(page)), ext="png").texture
            card.ids.picture.add_widget(Image(texture=texture, fit_mode="contain"))
            offered = [(N_("Turn"), "rotate")] + ([(N_("Move left"), "left")] if index else []) + [
                (N_("Remove"), "delete")]
            for label, action in offered:
                button = KioskButton(text=tr._(label), role="secondary", font_size="18sp")
                button.bind(on_release=lambda _button, index=index, action=action: self.page_action(index, action))
                card.ids.buttons.add_widget(button)
            grid.add_widget(card)
        if pages:
            more = AddPageButton(label=tr._(N_("Scan another page")))
            more.bind(on_release=lambda _button: self.act("more"))
            grid.add_widget(more)
        self.state = "pages" if pages else "ready"
        self.on_state()

    # ---- what the services say (on the UI thread) ---------------------------------------------------

    def on_core_event(self, event) -> None:
        if isinstance(event, events.SticksChanged):
            self.sticks = list(event.sticks)
        elif isinstance(event, events.PageScanned):
            self.page_count = event.count
            if self.state == "scanning":
                self.on_state()
        elif isinstance(event, events.ScanFinished):
            self.show_pages()
        elif isinstance(event, events.ScanFailed):
            self.message = tr._(event.problem.value)
            self._problem = event.problem
            self.show_pages()  # pages taken before a jam are kept; the message says what happened
            self.state = "no_scanner" if event.problem is Problem.NO_SCANNER else "problem"
            self.on_state()
        elif isinstance(event, events.PdfReady):
            self._pdf_ready(event)
        elif isinstance(event, events.SavedToStick):
            self.state = "usb_saved"
            self.on_state()
        elif isinstance(event, events.DeliveryFailed):
            self.message = tr._(event.problem.value)
            if event.problem is not Problem.OCR_FAILED:  # without OCR the PDF still follows
                self.state = "print_problem" if self._after == "print" else "save_problem"
                self.on_state()
        elif self.state == "printing" and isinstance(event, (events.PrintProgress, events.Printed,
                                                              events.PrintFailed)):
            self._print_event(event)  # only while this screen's own copies are being printed

    def _pdf_ready(self, event: events.PdfReady) -> None:
        if self.state != "working":
            return
        if self._after != "print":
            self.state = "kept"
            self.on_state()
            return
        # The scan is already a PDF of known pages: it goes to the printer as it is, as many copies as chosen.
        self.message = ""
        self.state = "printing"
        self.on_state()
        self.core.print_copies(event.path, event.pages, int(self.copies))

    def _print_event(self, event) -> None:
        if isinstance(event, events.PrintProgress):
            self.message = progress_line(event.problem)
        elif isinstance(event, events.Printed):
            self.message = printed_line(event.pages, event.pages_left)
            self.state = "printed"
        else:
            self.message = problem_line(event.problem)
            self._problem = event.problem
            self.state = "print_problem"
        self.on_state()

    # ---- privacy -------------------------------------------------------------------------------

    def reset(self) -> None:
        self.pages_panel.clear_widgets()  # the pictures show the resident's document
        self.message = ""
        self.sticks = []
        self.mode, self.source, self.goal, self.copies = "text", "flatbed", "print", 1
        self.searchable = False
        self.page_count = 0
        self._after = ""
        self.state = "ready"
        self.on_state()

    def holds_resident_data(self) -> bool:
        return bool(self.pages_panel.children)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""Do it yourself on this computer: the e-service's page in the browser, below the kiosk's own top bar.

The browser is its own window, placed over this screen's area; this screen holds what the kiosk adds around it:
the on-screen keyboard for the page's fields, the visit's files when the page asks for one, what to do with a
download, and the plain sentence when the page closed. Whenever the kiosk shows something of its own there (a
dialog, the files, another screen), the browser window is moved off the screen and comes back unchanged.
"""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.properties import ListProperty, NumericProperty, OptionProperty, StringProperty

from kiosk import events
from kiosk.i18n import N_
import screens.keyboard  # noqa: F401  (the OnScreenKeyboard rule)
from screens.i18n import tr
from screens.stateful import StatefulScreen
from screens.widgets import ForgetsTouch
from screens.theme import TEXT_SIZES, theme

STATES = ["opening", "open", "pin", "choose_file", "download", "saving", "saved", "closed"]
TEXTS = {
    "opening": (N_("Opening the e-service…"), N_("The page opens below. Use the top bar to come back or call staff.")),
    "open": ("", ""),
    "pin": (N_("Enter your PIN1"), N_("PIN1 has 4 to 12 digits. It is checked by your card, not stored here.")),
    "choose_file": (N_("Choose a file to send"), N_("These are the documents of this visit.")),
    "download": (N_("You received a document"), N_("What would you like to do with it?")),
    "saving": (N_("Saving on your USB stick…"), N_("Please leave the stick in the port.")),
    "saved": (N_("Saved on your USB stick"), N_("You can take it out now.")),
    "closed": (N_("The page closed"), ""),
}
ACTIONS = {
    # The PIN pad's own OK confirms, beside the digits; "Not now" is at the far side of the words beside the pad
    # (eservice.kv), never by the digits to be touched by mistake.
    "pin": (),
    "choose_file": ((N_("Cancel"), "secondary", "cancel_file"),),
    "download": ((N_("Print it"), "primary", "print"), (N_("Keep it for later in this visit"), "secondary", "keep")),
    "saved": ((N_("Back to the page"), "primary", "keep"),),
    "closed": ((N_("Try again"), "primary", "open"), (N_("Call staff"), "secondary", "call_staff")),
}
# Back leaves the step the kiosk put over the page (and goes home from the page itself).
BACK = {"pin": "pin_cancel", "choose_file": "cancel_file", "download": "keep", "saving": None}
CLOSED_MESSAGES = {
    "crashed": N_("The page closed. Try again or call staff."),
    "card": N_("You took your eID card out, so the page was closed and its login forgotten. Put the card back "
               "in and try again."),
}
NO_FILES = N_("There are no documents in this visit yet. Scan one first, or cancel.")
# The scanner's words fit a stick that is missing or full; these say "document" where those say "scan".
NOT_SAVED = N_("The document could not be saved on the USB stick. Please try another stick, or call staff.")
STILL_IN_USE = N_("The document is saved, but the USB stick is still in use. Please wait a moment before you take "
                  "it out, or call staff.")
WRONG_PIN = N_("Wrong PIN. Please try again. Careful: after three wrong tries the card blocks PIN1.")
# A portal may ask for the card on its first page, before the resident wanted to log in: who asks, and a way on.
PIN_ASKED_BY = N_("The page {site} asks for your eID card to log you in. Enter PIN1, or choose “Not now” to go on "
                  "without logging in.")


class FileButton(ForgetsTouch, ButtonBehavior, BoxLayout):
    """One of the visit's files: a picture of its first page and its name, as big as a finger needs."""
    text = StringProperty("")
    picture = StringProperty("")


class EServiceScreen(StatefulScreen):
    state = OptionProperty("opening", options=STATES)
    TEXTS, ACTIONS, BACK, MESSAGE_STATES = TEXTS, ACTIONS, BACK, ("closed",)

    def explanation(self, explanation: str) -> str:
        if self.state in ("pin", "download", "saved") and self.message:
            return self.message  # a wrong PIN, or a stick that did not take the file
        return super().explanation(explanation)

    def offered_actions(self) -> list[tuple[str, str, str]]:
        offered = super().offered_actions()
        if self.state == "download" and self.core.usb.find():
            offered.insert(1, (N_("Save it on my USB stick"), "primary", "usb"))
        return offered

    keyboard_kind = StringProperty("")  # "text" or "number" while a field of the page has focus; "pin" for PIN1
    pin_length = NumericProperty(0)
    files = ListProperty([])

    def on_kv_post(self, base_widget):
        self.url = ""
        # Kept here: kv ids are weak references, and a pad out of the layout has nothing else holding it.
        self._pads = {name: self.ids[name].__self__
                      for name in ("letters", "number_pad", "pin_row", "done_typing")}
        self.ids.keyboard.clear_widgets()
        self._download: Path | None = None
        super().on_kv_post(base_widget)
        theme.bind(text_size_step=self._zoom)
        Window.bind(size=self._place)
        # The page moves down under the note and back up, once the note is laid out where it goes.
        place_soon = Clock.create_trigger(self._place, 0)
        self.ids.language_note.bind(height=place_soon, y=place_soon)

    def start(self, url: str) -> None:
        """Open `url` when the screen is shown (a new service's address replaces the page shown before)."""
        self.url = url
        self.state = "opening"

    def on_pre_enter(self, *args):
        if not self.url:
            return  # shown without a service (the screenshots): there is nothing to open
        if self.state == "opening" or not self._browser_open():
            self.state = "opening"
            self.core.eservice.open(self.url, self.app.language, self.bounds())
            self._zoom()
        else:
            self._place()

    def on_leave(self, *args):
        self._place()

    def dialogs_changed(self, any_open: bool) -> None:
        """A dialog of the kiosk is shown above everything: the browser steps aside for it."""
        self._dialog_open = any_open
        self._place()

    # ---- where the browser window goes ------------------------------------------------------------

    def bounds(self):
        """This screen's area above the keyboard, in screen pixels: where the page is shown."""
        from kiosk.browser.service import Bounds
        keyboard = self.ids.keyboard.height
        left, top = self.to_window(self.x, self.top)
        note = self.ids.language_note
        if note.height:  # the page starts under the note that it may be in Latvian only
            top = note.to_window(note.x, note.y)[1] - dp(6)
        bottom = self.to_window(self.x, self.y + keyboard)[1]
        return Bounds(int(Window.left + left), int(Window.top + Window.height - top), int(self.width),
                      max(int(top - bottom), 100))

    def _browser_open(self) -> bool:
        return self.core.eservice.is_open

    def _place(self, *args) -> None:
        if not self._browser_open():
            return
        bounds = self.bounds()
        shown = (self.manager is not None and self.manager.current == self.name and self.state == "open"
                 and not getattr(self, "_dialog_open", False))
        self.core.eservice.browser.place(bounds if shown else bounds.hidden())

    def _zoom(self, *args) -> None:
        if self._browser_open():
            self.core.eservice.browser.zoom(TEXT_SIZES[int(theme.text_size_step)][1])

    def on_state(self, *args):
        super().on_state()
        self._place()

    def on_keyboard_kind(self, *args):
        box, kind = self.ids.keyboard, self.keyboard_kind
        box.clear_widgets()
        # The letters carry their own "Next field" key; the digits have it below them.
        pads = {"text": ("letters",), "number": ("number_pad", "done_typing"), "pin": ("pin_row",)}
        for name in pads.get(kind, ()):
            box.add_widget(self._pads[name])
        # The keyboard takes the bottom of the screen; the page shrinks above it once it is laid out.
        Clock.schedule_once(self._place, 0)

    # ---- what the browser says ------------------------------------------------------------------

    def on_core_event(self, event) -> None:
        if isinstance(event, events.BrowserOpened):
            self.state = "open"
        elif isinstance(event, events.BrowserClosed):
            self.keyboard_kind = ""
            if event.reason in CLOSED_MESSAGES:
                self.message = tr._(CLOSED_MESSAGES[event.reason])
                self.state = "closed"
        elif isinstance(event, events.PageField):
            self.keyboard_kind = event.kind
        elif isinstance(event, events.PinWanted):
            self._clear_pin()
            if event.done:
                self.keyboard_kind = ""
                if self.state == "pin":
                    self.state = "open"
            else:
                self.message = tr._(WRONG_PIN) if event.retry else (
                    tr._(PIN_ASKED_BY).format(site=event.site) if event.site else "")
                self.keyboard_kind = "pin"
                self.state = "pin"
        elif isinstance(event, events.FileWanted):
            self.keyboard_kind = ""
            self.files = self.core.visit_files()
            self.state = "choose_file"
            self._show_files()
        elif isinstance(event, events.DownloadReady):
            self._download = event.path
            self.state = "download"

    def _show_files(self, pictures: dict | None = None) -> None:
        """Each of the visit's files as a big button with its first page; the pictures follow once made."""
        box = self.ids.files
        box.clear_widgets()
        for path in self.files:
            button = FileButton(text=path.name, picture=str((pictures or {}).get(path, "")))
            button.bind(on_release=lambda _button, path=path: self.send_file(path))
            box.add_widget(button)
        if not self.files:
            self.message = tr._(NO_FILES)
        elif pictures is None:
            self.core.first_page_pictures(self.files, lambda made: self.state == "choose_file" and
                                          self._show_files(made))

    # ---- what the resident does -------------------------------------------------------------------

    def act(self, action: str) -> None:
        if action == "open":
            self.message = ""
            self.state = "opening"
            self.on_pre_enter()
        elif action == "cancel_file":
            self.core.eservice.browser.choose_files([])
            self.state = "open"
        elif action == "print" and self._download is not None:
            path, self._download = self._download, None
            self.state = "open"  # the page is there again when the resident comes back from printing
            self.app.show("print")
            self.app.screen("print").choose(path)
        elif action == "keep":
            self._download = None
            self.message = ""
            self.state = "open"
        elif action == "usb" and self._download is not None:
            self.message = ""
            self.state = "saving"
            self.core.save_to_stick(self._download, self._saved, self._not_saved)
        elif action == "pin_cancel":
            self._clear_pin()
            self.keyboard_kind = ""
            self.state = "open"
            self.core.eservice.browser.cancel_pin()

    def _saved(self, _name: str) -> None:
        self._download = None
        self.state = "saved"

    def _not_saved(self, error) -> None:
        from kiosk.scanning.problems import Problem
        from kiosk.usb import UsbProblem
        problem = getattr(error, "problem", None)
        if problem is UsbProblem.STILL_IN_USE:
            self._saved("")
            self.message = tr._(STILL_IN_USE)
            return
        words = {UsbProblem.NO_STICK: Problem.NO_USB.value, UsbProblem.FULL: Problem.USB_FULL.value}
        self.message = tr._(words.get(problem, NOT_SAVED))
        self.state = "download"
        self.on_state()

    def send_file(self, path: Path) -> None:
        self.core.eservice.browser.choose_files([path])
        self.ids.files.clear_widgets()
        self.state = "open"

    def type_text(self, text: str) -> None:
        if self.state == "pin":
            for character in text:  # a physical keyboard's digits go to the PIN pad, and nothing else does
                if character.isdigit():
                    self.ids.pin_pad.press(character)
            return
        self.core.eservice.browser.type_text(text)

    def enter_pin(self, pin: str) -> None:
        """The pad's PIN, handed over once: to the card through the browser, and kept nowhere."""
        self.keyboard_kind = ""
        self.state = "open"
        self.core.eservice.browser.enter_pin(pin)

    def pin_too_short(self) -> None:
        self.message = tr._("PIN1 has 4 to 12 digits.")
        self.on_state()  # the same state, new words

    def _clear_pin(self) -> None:
        self.ids.pin_pad.clear()

    def special_key(self, name: str) -> None:
        if self.state == "pin":
            self.ids.pin_pad.press("erase") if name == "backspace" else self.ids.pin_pad.clear()
        elif name == "backspace":
            self.core.eservice.browser.press("Backspace")
        elif name == "clear":
            self.core.eservice.browser.press("Control+A")
            self.core.eservice.browser.press("Backspace")

    def done_typing(self) -> None:
        self.core.eservice.browser.press("Tab")  # to the next field, as a keyboard's Tab key would; the page says where

    # ---- privacy -------------------------------------------------------------------------------

    def reset(self) -> None:
        self.ids.files.clear_widgets()
        self.files = []
        self._download = None
        self._clear_pin()
        self.url = self.message = self.keyboard_kind = ""
        self.state = "opening"

    def holds_resident_data(self) -> bool:
        return bool(self.files or self._download or self.ids.files.children or self.pin_length)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

"""Building blocks every screen shares: buttons, tiles, text and the base screen with its reset."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from kiosk.eid.card import PIN_LENGTH
from kiosk.i18n import LANGUAGES

if TYPE_CHECKING:  # screens never import the core itself: it is handed to them
    from kiosk.core import KioskCore


class ForgetsText:
    """Mixed into labels: emptied text leaves nothing of what they showed behind in memory.

    Kivy does not lay out empty text again, so a label set to "" kept its last lines (a name, a masked personal
    code) and their picture in its core label until it showed something else.

    `private` marks what is the resident's own (their name, personal code, what they typed, their files' names):
    shown to them, never read aloud in a public room.
    """
    private = BooleanProperty(False)

    def on_text(self, _instance, text: str) -> None:
        if not text:
            core = self._label
            core._cached_lines = []
            core.texture = None


class ForgetsTouch:
    """Mixed into buttons: the touch is let go once it has acted.

    Kivy keeps each button's last touch, with its time and place: on a PIN pad the keys' last touches would tell
    the order of the digits for as long as the kiosk ran, and every key first touched kept one more touch alive.
    """
    last_touch = ObjectProperty(None, allownone=True)  # Kivy's own refuses to be emptied

    def on_touch_up(self, touch):
        handled = super().on_touch_up(touch)
        if self.last_touch is touch:
            self.last_touch = None
        return handled


class KioskLabel(ForgetsText, Label):
    """Every label of the kiosk: a plain Label that forgets."""


class KioskButton(ForgetsTouch, ForgetsText, ButtonBehavior, Label):
    """A large button whose colours come from the theme; `role` says how prominent it is."""
    role = OptionProperty("primary", options=["primary", "secondary", "danger", "bar"])
    icon = StringProperty("")


class BarButton(KioskButton):
    """A button of the top bar: one line as wide as its words, never wrapping; hidden ones take no room.

    `spoken_label` is what reading aloud says of a button that shows only a picture.
    """
    shown = BooleanProperty(True)
    spoken_label = StringProperty("")


class ChoiceButton(KioskButton):
    """One option of a group: outlined, with a check mark when chosen; never solid, so it is not taken for an action."""
    selected = BooleanProperty(False)


class ChoiceGroup(BoxLayout):
    """A labelled group of ChoiceButtons, one of which is chosen: "What is it?" over "Text" and "Photo"."""
    label = StringProperty("")
    columns = NumericProperty(2)

    def fill(self, options, chosen, on_choose) -> None:
        """`options`: (value, translated label); tapping one calls on_choose(value)."""
        grid = self.ids.options
        grid.clear_widgets()
        for value, label in options:
            button = ChoiceButton(text=label, selected=value == chosen)
            button.bind(on_release=lambda _button, value=value: on_choose(value))
            grid.add_widget(button)


class StepIndicator(BoxLayout):
    """"Step 2 of 4" with a dot per step: where the resident is in a task of several steps."""
    step = NumericProperty(1)
    steps = NumericProperty(4)


BAND_PX = dp(56)  # the "more below" band's least height: an arrow and a word a finger can find
BAND_MOST = 0.75  # the most of a list the band may cover to hide something whole


def line_above(label, top: float, edge: float) -> float:
    """Where a text shown from `top` down must be cut so that no line is halved at `edge`: the top of the line
    that `edge` falls in (the label's top when it is one line)."""
    lines = getattr(label._label, "_cached_lines", None) or []
    text_height = label.texture_size[1]
    if label.valign == "bottom":
        y = top - (label.height - text_height)
    elif label.valign in ("middle", "center"):
        y = top - (label.height - text_height) / 2
    else:
        y = top
    y -= label.padding[1] if len(label.padding) == 4 else 0
    for line in lines:
        if y - line.h < edge - 1:
            return y
        y -= line.h
    return top


class MoreBelow:
    """Mixed into scroll views: a band with arrows and "More below" while there is more; a tap shows the next part.

    A 2-px bar is not seen by the people this kiosk is for; the band is, and tapping it is what they try. The band
    never lies over something half shown: it reaches up to the top of the first thing it would cut, so what is above
    it is whole and what is below it is wholly hidden, and the next tap shows that thing at the top.
    """
    more_below = BooleanProperty(False)
    band_height = NumericProperty(0)
    more_text = StringProperty("")  # the band's word and its size, set by the kv rule (translated, in sp)
    band_font_size = NumericProperty(20)
    band_texture = ObjectProperty(None, allownone=True)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        # After the layouts of the frame: where the rows are is known only once they are placed.
        self._cue_trigger = Clock.create_trigger(self._update_cue, 0)
        self.fbind("scroll_y", self._cue_trigger)
        self.fbind("size", self._cue_trigger)
        self.fbind("pos", self._cue_trigger)
        self.fbind("children", self._watch_content)
        # And now and then while shown: what the list holds can move inside it with nothing above it changing
        # size (a step's panel swapped for another as tall), and the band must follow.
        Clock.schedule_interval(self._look_again, 0.5)
        self.fbind("more_text", self._draw_word)
        self.fbind("band_font_size", self._draw_word)
        self._draw_word()
        self._watch_content()

    def _watch_content(self, *args) -> None:
        for child in self.children:
            # Once per child, however often the children change: a binding made again would stay for good.
            child.funbind("height", self._cue_trigger)
            child.fbind("height", self._cue_trigger)
        self._cue_trigger()

    def _look_again(self, _dt) -> None:
        if self.more_below and self.get_root_window() is not None:
            self._cue_trigger()

    def _update_cue(self, *args) -> None:
        content = self.children[0] if self.children else None
        overflow = content is not None and content.height > self.height + 1
        more = bool(overflow and self.scroll_y > 0.005)
        self.band_height = min(self._clean_break(content), self.height) if more else 0
        self.more_below = more

    def _clean_break(self, content) -> float:
        """The band's height: at least BAND_PX, raised so that it cuts nothing in two.

        A button or a picture is hidden whole, and so is a row of things side by side (a page and its buttons); a
        text of several lines is cut between two lines, and reads on. Layouts are looked into: it is what they hold
        that a resident sees.
        """
        bottom = self.to_window(self.x, self.y)[1]  # x, y are its parent's: to_window starts from there
        most = bottom + self.height * BAND_MOST  # something taller is cut where the band lies: better than no view
        edge = bottom + BAND_PX
        rows = list(content.children)
        while rows:
            row = rows.pop()
            if row.height <= 0 or row.opacity <= 0:
                continue
            low = row.to_window(row.x, row.y)[1]
            high = low + row.height
            if not low < edge - 1 < high - 1:
                continue
            side_by_side = isinstance(row, BoxLayout) and row.orientation == "horizontal" and high <= most
            if row.children and not side_by_side and not isinstance(row, (ButtonBehavior, Label, Image)):
                rows.extend(row.children)
                continue
            text = isinstance(row, Label) and not isinstance(row, ButtonBehavior)
            cut = line_above(row, high, edge) if text else high
            if cut <= most and cut > edge:
                edge = cut + (0 if text else dp(3))  # a button's outline is drawn a little outside it
                rows = list(content.children)  # a higher edge may cut another thing: look again
        return edge - bottom

    def _draw_word(self, *args) -> None:
        from kivy.core.text import Label as CoreLabel
        word = CoreLabel(text=self.more_text, font_size=self.band_font_size, bold=True)
        word.refresh()
        self.band_texture = word.texture

    def on_touch_down(self, touch):
        if self.more_below and self.collide_point(*touch.pos) and touch.y < self.y + self.band_height:
            self.page_down()
            return True
        return super().on_touch_down(touch)

    def update_from_scroll(self, *args) -> None:
        # Kivy binds the bar's colour again at every scroll step and unbinds it once when the scrolling stops: each
        # stroke of a finger left bindings behind. Unbound first, it is bound exactly once.
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*args)

    def page_down(self) -> None:
        """The first thing under the band comes to the top."""
        hidden = self.children[0].height - self.height
        if hidden > 0:
            shown = self.height - (self.band_height or BAND_PX)
            self.scroll_y = max(0.0, self.scroll_y - shown / hidden)


class ScrollArea(MoreBelow, ScrollView):
    """The kiosk's scrolling area: a ScrollView with the "more below" band."""


def qr_texture(data: str):
    """A QR code of `data` as a texture, for the resident's phone."""
    import io
    from kivy.core.image import Image as CoreImage
    from kiosk.qr import qr_png
    return CoreImage(io.BytesIO(qr_png(data)), ext="png").texture


class KeepsakeCode(BoxLayout):
    """A QR code the resident's phone can keep (a ticket's number, a booking) beside a sentence saying what it is.

    Shown only with `data`; without it, it takes no room.
    """
    data = StringProperty("")
    caption = StringProperty("")
    texture = ObjectProperty(None, allownone=True)

    def on_data(self, _widget, data: str) -> None:
        self.texture = qr_texture(data) if data else None


class Tile(ForgetsTouch, ButtonBehavior, BoxLayout):
    """A home-screen tile: a big icon over a short label; `title` is the untranslated message."""
    icon = StringProperty("")
    title = StringProperty("")
    role = OptionProperty("primary", options=["primary", "danger"])


def pad_key_label(key: str) -> str:
    """The label of a PIN pad key: the digit, OK, or the erase icon (Roboto has no arrow to draw it with)."""
    from screens.theme import ICON_FONT, icon
    if key == "erase":
        return f"[font={ICON_FONT}]{icon('backspace')}[/font]" if icon("backspace") else "<"
    return "OK" if key == "ok" else key


class PinPad(GridLayout):
    """The kiosk's one PIN pad (the card's login, the e-service's, the administrator's): three columns like a
    telephone's, erase at the bottom left, OK at the bottom right, nothing else on it.

    It holds what is typed, and nothing else does: screens see only `length` (for the dots), and the PIN once, in
    `on_pin(pin)`, when OK is pressed with `min_digits` to `max_digits` digits (then it is forgotten here);
    `on_too_short` when OK comes too early. `press` takes "0"-"9", "erase" or "ok", as the keys and a physical
    keyboard give them.
    """
    __events__ = ("on_pin", "on_too_short")
    KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "ok")
    length = NumericProperty(0)
    min_digits = NumericProperty(PIN_LENGTH[0])
    max_digits = NumericProperty(PIN_LENGTH[1])

    def __init__(self, **kwargs):
        kwargs.setdefault("cols", 3)
        super().__init__(**kwargs)
        self._digits = ""
        for key in self.KEYS:
            # Keys keep their height at larger text (the digits grow inside), so the pad fits above the bottom bar.
            button = KioskButton(text=pad_key_label(key), font_size="32sp",
                                 role="secondary" if key.isdigit() else "primary", size_hint_y=1)
            button.bind(on_release=lambda _button, key=key: self.press(key))
            self.add_widget(button)

    def press(self, key: str) -> None:
        if key == "ok":
            self.submit()
        elif key == "erase":
            self._digits = self._digits[:-1]
        elif key.isdigit() and len(key) == 1 and len(self._digits) < self.max_digits:
            self._digits += key
        self.length = len(self._digits)

    def submit(self) -> None:
        if len(self._digits) < self.min_digits:
            self.dispatch("on_too_short")
            return
        pin = self._digits
        self.clear()  # handed over once, kept nowhere
        self.dispatch("on_pin", pin)

    def clear(self) -> None:
        self._digits = ""
        self.length = 0

    def on_pin(self, pin: str) -> None:
        pass

    def on_too_short(self) -> None:
        pass


def add_language_buttons(container, languages, on_choose, font_size: str = "28sp") -> None:
    """One button per language, each named in itself so that it needs no translation."""
    for code in languages:
        button = KioskButton(text=LANGUAGES[code], font_size=font_size)
        button.bind(on_release=lambda _button, code=code: on_choose(code))
        container.add_widget(button)


class Heading(KioskLabel):
    pass


class Body(KioskLabel):
    pass


MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def readable_text(root, for_speech: bool = False) -> list[str]:
    """The texts of the visible labels under `root`, top to bottom and left to right, without icons or markup;
    `for_speech` leaves out the private ones."""
    from screens.theme import ICONS
    icons = set(ICONS.values())
    found = []
    stack = [root]
    while stack:
        widget = stack.pop()
        if widget.opacity <= 0:
            continue
        stack.extend(widget.children)
        if for_speech and getattr(widget, "private", False):
            continue
        if isinstance(widget, Label) and widget.text.strip() and widget.text not in icons:
            x, top = widget.to_window(widget.x, widget.top)
            found.append((-round(top), round(x), MARKUP.sub("", widget.text).strip()))
    return [text for _top, _x, text in sorted(found)]


class KioskScreen(Screen):
    """A screen: shows what the core reports, asks the core for what it needs, and forgets the resident.

    The app's bottom bar, outside the scrolling content, holds this screen's Back (when `back_shown`) and its one
    main action (when `main_label` is set): the buttons that matter never scroll away.
    """
    # Handed in when the app builds the screen; typed, so that a reader (and a tool) can follow self.core.<call>.
    core: KioskCore = ObjectProperty(None, allownone=True)
    back_shown = BooleanProperty(True)
    main_label = StringProperty("")  # translated; empty for no main action

    def go_back(self) -> None:
        """The bottom bar's Back: the step before, or the home screen."""
        self.app.go_home()

    def main_action(self) -> None:
        """The bottom bar's main action."""

    @property
    def app(self):
        """The app, for what is the UI's own: which screen or dialog is shown, the language."""
        return App.get_running_app()

    def on_core_event(self, event) -> None:
        """An event of kiosk.events, on the UI thread; screens that care about one override this."""

    def resident_text(self) -> list[str]:
        """What a resident reads on this screen now, in reading order, its main action (in the bottom bar) last:
        for the screenshot checks."""
        return readable_text(self) + ([self.main_label] if self.main_label else [])

    def spoken_text(self) -> list[str]:
        """What is read aloud of this screen now: its words in reading order, without the resident's own, and
        its main action: what to do now."""
        return readable_text(self, for_speech=True) + ([self.main_label] if self.main_label else [])

    def reset(self) -> None:
        """Return to the empty state a new resident should see."""

    def holds_resident_data(self) -> bool:
        return False


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

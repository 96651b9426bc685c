"""Finds what a resident could not read or touch on the screen now: cut text, buttons off screen, under others, small.

Used by the layout test over every screen, state and dialog, in every language and text size; the rules are the
issue's: no label's text clipped or overflowing its widget, no button outside the window or under another widget,
every touch target at least 44 px (larger at larger text), the bottom bar's buttons on screen, and nothing lying
half under a list's "more below" band (which hides what is under it: a button half under it cannot be tapped).
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")
# The smallest touch target at each text size step: WCAG 2.5.5's 44 px, growing with the text.
MIN_TARGET_PX = {0: 44, 1: 52, 2: 60}

Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates


def window_rect(widget) -> Rect:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def intersect(a: Rect, b: Rect) -> Rect | None:
    x, y, right, top = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x, y, right, top) if right - x > 0.5 and top - y > 0.5 else None


def visible_widgets(root):
    """(widget, visible rect, inside a scroll view) for every widget a person can see under `root`."""
    from kivy.uix.scrollview import ScrollView
    from kivy.core.window import Window
    stack = [(root, (0.0, 0.0, float(Window.width), float(Window.height)), False)]
    while stack:
        widget, clip, scrolled = stack.pop()
        if widget.opacity <= 0:
            continue
        rect = window_rect(widget)
        shown = intersect(rect, clip)
        yield widget, shown, scrolled
        if isinstance(widget, ScrollView):
            # What lies outside a scroll view's frame can be scrolled to: it is clipped, not lost.
            clip, scrolled = (shown or (0, 0, 0, 0)), True
        for child in widget.children:
            stack.append((child, clip, scrolled))


def _is_ancestor(widget, other) -> bool:
    parent = other.parent
    while parent is not None and parent is not parent.parent:
        if parent is widget:
            return True
        parent = parent.parent
    return False


def _text_of(widget) -> str:
    from screens.theme import ICONS
    text = MARKUP.sub("", getattr(widget, "text", "") or "")
    return "".join(ch for ch in text if ch not in ICONS.values()).strip() or type(widget).__name__


def _word_width(label, word: str) -> float:
    from kivy.core.text import Label as CoreLabel
    measure = CoreLabel(text=word, font_size=label.font_size, font_name=label.font_name, bold=label.bold)
    measure.refresh()
    return measure.texture.size[0]


def layout_problems(root, where: str, text_size_step: int, area: Rect | None = None) -> list[str]:
    """Every layout fault under `root` (a screen, a bar or a dialog); `area`: where a screen's content must stay."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label
    from screens.theme import ICONS
    problems: list[str] = []
    buttons = []
    smallest = MIN_TARGET_PX[text_size_step]
    for widget, shown, scrolled in visible_widgets(root):
        if isinstance(widget, Label) and widget.text.strip() and widget.text not in ICONS.values():
            text = _text_of(widget)
            words = MARKUP.sub("", widget.text).split() if text != type(widget).__name__ else []
            tex_w, tex_h = widget.texture_size
            if tex_w > widget.width + 2 or tex_h > widget.height + 2:
                problems.append(f"{where}: '{text[:40]}' is cut off ({tex_w}x{tex_h} in "
                                f"{widget.width:.0f}x{widget.height:.0f})")
            limit = widget.text_size[0] if widget.text_size[0] else widget.width
            for word in [word for word in words if word not in ICONS.values()]:
                if _word_width(widget, word) > limit + 1:
                    problems.append(f"{where}: the word '{word}' does not fit in {limit:.0f} px")
            if not scrolled and area is not None and shown is not None and widget.height > 0:
                rect = window_rect(widget)
                if rect[1] < area[1] - 1 or rect[3] > area[3] + 1:
                    problems.append(f"{where}: '{text[:40]}' runs out of its screen")
        if isinstance(widget, ButtonBehavior) and not widget.disabled and widget.width > 0 and widget.height > 0:
            if shown is None:
                if not scrolled:
                    problems.append(f"{where}: button '{_text_of(widget)[:40]}' is outside the window")
                continue
            if widget.width < smallest or widget.height < smallest:
                problems.append(f"{where}: button '{_text_of(widget)[:40]}' is {widget.width:.0f}x"
                                f"{widget.height:.0f} px, under {smallest} px")
            if not scrolled and area is not None:
                rect = window_rect(widget)
                if rect[1] < area[1] - 1 or rect[3] > area[3] + 1:
                    problems.append(f"{where}: button '{_text_of(widget)[:40]}' runs out of its screen")
            buttons.append((widget, shown))
    for index, (widget, shown) in enumerate(buttons):
        for other, other_shown in buttons[index + 1:]:
            if _is_ancestor(widget, other) or _is_ancestor(other, widget):
                continue
            if intersect(shown, other_shown) is not None:
                problems.append(f"{where}: buttons '{_text_of(widget)[:30]}' and '{_text_of(other)[:30]}' overlap")
    return problems + band_problems(root, where)


def band_problems(root, where: str) -> list[str]:
    """Nothing is cut by a "more below" band: above it things are whole (a text to a whole line), below it hidden."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.image import Image
    from kivy.uix.label import Label
    from screens.widgets import BAND_MOST, MoreBelow, line_above
    problems = []
    for view, shown, _scrolled in visible_widgets(root):
        if not (isinstance(view, MoreBelow) and view.more_below and shown):
            continue
        bottom = window_rect(view)[1]
        edge = bottom + view.band_height
        for widget, part, _ in visible_widgets(view):
            if widget is view or part is None or not isinstance(widget, (ButtonBehavior, Image, Label)):
                continue
            if isinstance(widget.parent, ButtonBehavior) or widget.height > view.height * BAND_MOST:
                continue  # a button's own words go with it; a very long text may be cut anywhere
            low, high = window_rect(widget)[1], window_rect(widget)[3]
            if not (low < edge - 1 and high > edge + 1):
                continue
            text = isinstance(widget, Label) and not isinstance(widget, ButtonBehavior)
            if text and abs(line_above(widget, high, edge) - edge) <= 1:
                continue  # cut between two lines: the text reads on below
            problems.append(f"{where}: '{_text_of(widget)[:40]}' lies half under the \"more below\" band")
    return problems


def app_problems(app, where: str, text_size_step: int) -> list[str]:
    """The shown screen within the room between the bars, the bars themselves, and any open dialog."""
    screen = app.screen(app.current_screen)
    problems = layout_problems(screen, where, text_size_step, window_rect(app.root.ids.screens))
    for bar in ("top_bar", "bottom_bar"):
        problems += layout_problems(app.root.ids[bar], f"{where} ({bar})", text_size_step)
    for name, dialog in app.dialogs.built.items():
        if dialog.parent is not None:
            problems += dialog_problems(dialog, f"{where} (dialog {name})", text_size_step)
    return problems + bottom_bar_problems(app, where, text_size_step)


def dialog_problems(dialog, where: str, text_size_step: int) -> list[str]:
    """A dialog's content whole in the window, without scrolling, and nothing cut or too small in it."""
    from kivy.core.window import Window
    content = dialog.children[0]
    problems = layout_problems(dialog, where, text_size_step, (0.0, 0.0, float(Window.width), float(Window.height)))
    if content.height > dialog.height + 1:
        problems.append(f"{where}: its content ({content.height:.0f} px) is taller than the dialog can be")
    return problems


def bottom_bar_problems(app, where: str, text_size_step: int) -> list[str]:
    """The bottom bar's shown buttons are whole, on screen and large enough."""
    from kivy.core.window import Window
    problems = []
    whole = (0.0, 0.0, float(Window.width), float(Window.height))
    for name, shown in (("back_button", app.back_shown), ("main_button", bool(app.main_label))):
        if not shown:
            continue
        button = app.root.ids[name]
        rect = window_rect(button)
        if intersect(rect, whole) != rect:
            problems.append(f"{where}: the bottom bar's {name} is not wholly on screen ({rect}, shown: {shown})")
        if button.height < MIN_TARGET_PX[text_size_step]:
            problems.append(f"{where}: the bottom bar's {name} is only {button.height:.0f} px high")
    return problems

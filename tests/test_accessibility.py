"""Large text, touch targets and high contrast, measured on the real screens in every language."""

import re

import pytest

from screens import SCREENS
from screens.theme import ICONS

DIALOGS = ("idle_warning", "confirm_end", "call_staff", "language")
# Administrator screens always open at normal size (entering them resets the resident's preferences).
RESIDENT_SCREENS = [name for name in SCREENS if name not in ("admin_pin", "admin")]
MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def visible_labels(kiosk):
    from kivy.uix.label import Label
    return [w for w in kiosk.widgets() if isinstance(w, Label) and w.text.strip() and w.opacity > 0
            and w.text not in ICONS.values()]


def word_width(label, word: str) -> float:
    from kivy.core.text import Label as CoreLabel
    measure = CoreLabel(text=word, font_size=label.font_size, font_name=label.font_name, bold=label.bold)
    measure.refresh()
    return measure.texture.size[0]


def problems_on_screen(kiosk, where: str) -> list[str]:
    """Labels whose text is cut off, or whose longest word cannot fit their width and gets broken."""
    found = []
    for label in visible_labels(kiosk):
        text = MARKUP.sub("", label.text)
        text = "".join(ch for ch in text if ch not in ICONS.values())
        tex_w, tex_h = label.texture_size
        if tex_w > label.width + 2 or tex_h > label.height + 2:
            found.append(f"{where}: '{text[:40]}' is cut off ({tex_w}x{tex_h} in {label.width:.0f}x{label.height:.0f})")
        limit = label.text_size[0] if label.text_size[0] else label.width
        for word in text.split():
            if word_width(label, word) > limit + 1:
                found.append(f"{where}: the word '{word}' does not fit in {limit:.0f} px and is broken")
    return found


@pytest.mark.parametrize("language", ["lv", "en", "uk"])
def test_no_text_is_cut_off_or_broken_at_extra_large_size(kiosk, language):
    from screens.theme import theme
    app = kiosk.app
    app.start_visit(language)
    theme.text_size_step = 2
    problems = []
    for name in RESIDENT_SCREENS:
        app.show(name)
        kiosk.frames(3)
        problems += problems_on_screen(kiosk, f"{language}/{name}")
    # The longest service names, in the result list and on their own screens.
    search = app.screen("find_service")
    app.show("find_service")
    for query in ("pabalsts invaliditāte", "xyzzy"):
        search.query = query
        kiosk.frames(3)
        problems += problems_on_screen(kiosk, f"{language}/find_service '{query}'")
    search.query = ""
    longest = sorted(app.core.catalog.catalog.services, key=lambda s: -len(s.name.get(language)))[:3]
    for service in longest:
        app.show_service(service.id)
        kiosk.frames(3)
        problems += problems_on_screen(kiosk, f"{language}/service {service.id}")
    app.show("home")
    for name in DIALOGS:
        dialog = app.open_dialog(name)
        kiosk.frames(3)
        content = dialog.children[0]
        if content.height > kiosk.window.height:
            problems.append(f"{language}/dialog {name} is taller than the window")
        problems += problems_on_screen(kiosk, f"{language}/dialog {name}")
        app.close_dialog(name)
    assert problems == []


@pytest.mark.parametrize("step", [0, 2])
def test_every_touch_target_is_at_least_44_px(kiosk, step):
    from kivy.uix.behaviors import ButtonBehavior
    from screens.theme import theme
    app = kiosk.app
    app.start_visit("lv")
    theme.text_size_step = step
    small = []
    for name in SCREENS:
        app.show(name)
        kiosk.frames(3)
        for widget in kiosk.widgets():
            if isinstance(widget, ButtonBehavior) and widget.opacity > 0 and not widget.disabled:
                if widget.width < 44 or widget.height < 44:
                    small.append(f"{name}: {getattr(widget, 'text', widget)!r} {widget.size}")
    assert small == []


def test_text_size_button_steps_through_three_sizes_and_text_grows(kiosk):
    from kivy.metrics import Metrics
    kiosk.tap(kiosk.find_text("English"))
    heading = kiosk.find_text("What would you like to do?")
    sizes, scales = [heading.texture_size[1]], [Metrics.fontscale]
    for _ in range(3):
        kiosk.tap(kiosk.root_widget("text_size_button"))
        kiosk.frames(2)
        sizes.append(heading.texture_size[1])
        scales.append(Metrics.fontscale)
    assert scales == [1.0, 1.3, 1.6, 1.0]
    assert sizes[0] < sizes[1] < sizes[2] and sizes[3] == sizes[0]


def test_high_contrast_turns_the_screen_black_with_yellow_controls(kiosk, tmp_path):
    from PIL import Image
    kiosk.tap(kiosk.find_text("English"))

    def pixel(path, widget_id=None):
        image = Image.open(path).convert("RGB")
        x, y = (5, image.height - 5) if widget_id is None else (None, None)
        if widget_id is not None:
            widget = kiosk.root_widget(widget_id)
            wx, wy = widget.to_window(widget.x + 3, widget.center_y)
            x, y = int(wx), int(image.height - wy)
        return image.getpixel((x, y))

    normal = kiosk.screenshot(tmp_path / "normal.png")
    assert pixel(normal) == (0xF4, 0xF6, 0xF8)
    kiosk.tap(kiosk.root_widget("contrast_button"))
    contrast = kiosk.screenshot(tmp_path / "contrast.png")
    assert pixel(contrast) == (0, 0, 0)
    assert pixel(contrast, "call_staff_button") == (0, 0, 0)  # black fill inside a yellow outline
    kiosk.tap(kiosk.root_widget("contrast_button"))
    assert pixel(kiosk.screenshot(tmp_path / "back.png")) == (0xF4, 0xF6, 0xF8)


def test_administrator_screens_open_at_normal_size(kiosk):
    from kivy.metrics import Metrics
    from conftest import TEST_PIN
    kiosk.tap(kiosk.find_text("English"))
    kiosk.tap(kiosk.root_widget("text_size_button"))
    kiosk.tap(kiosk.root_widget("text_size_button"))
    assert Metrics.fontscale == 1.6
    kiosk.tap_corner(5)
    for digit in TEST_PIN:
        kiosk.app.screen("admin_pin").press(digit)
    kiosk.app.screen("admin_pin").press("ok")
    assert kiosk.app.current_screen == "admin" and Metrics.fontscale == 1.0
    kiosk.frames(3)
    assert problems_on_screen(kiosk, "admin") == []

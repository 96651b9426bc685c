"""Every screen, each of its states, and every dialog, in every language at every text size: readable and touchable."""

import pytest

from screens import SCREENS
from tools.layout_check import app_problems

# Administrator screens always open at normal size (entering them resets the resident's preferences).
RESIDENT_SCREENS = [name for name in SCREENS if name not in ("admin_pin", "admin")]
DIALOGS = ("idle_warning", "confirm_end", "call_staff", "language", "card_removed")
# A message as long as the kiosk's longest, for the states that show one.
LONG_MESSAGE = ("The printer has run out of paper. A staff member has been told and will add paper; your pages will "
                "then be printed. You can also call staff.")


def states_of(screen):
    """The states a step-by-step screen can be in (its TEXTS), or just the one it is in."""
    texts = getattr(screen, "TEXTS", None)
    return list(texts) if texts else [None]


def check_screen(kiosk, name, where, step) -> list[str]:
    app = kiosk.app
    screen = app.screen(name)
    problems = []
    for state in states_of(screen):
        if state is not None:
            screen.message = LONG_MESSAGE if state in getattr(screen, "MESSAGE_STATES", ()) else ""
            screen.state = state
            screen.on_state()
        kiosk.settle(3)
        problems += app_problems(app, f"{where}/{name}" + (f"[{state}]" if state else ""), step)
    screen.reset()
    return problems


@pytest.mark.parametrize("language", ["lv", "en", "uk"])
@pytest.mark.parametrize("step", [0, 1, 2])
def test_every_screen_state_and_dialog_fits(kiosk, language, step):
    from screens.theme import theme
    app = kiosk.app
    app.show("greeting")
    theme.text_size_step = step
    app.set_language(language)
    kiosk.settle(3)
    problems = app_problems(app, f"{language}/{step}/greeting", step)
    app.start_visit(language)
    theme.text_size_step = step
    app.reading_aloud = True  # the fullest top bar: the volume button beside the speaker
    kiosk.settle(3)
    name = app.root.ids.centre_name
    if name.width < name.font_size * 5:  # room for a few words of the centre's name, the rest shortened
        problems.append(f"{language}/{step}: the top bar leaves the centre's name {name.width:.0f} px")
    for name in RESIDENT_SCREENS:
        if name == "service":
            app.show_service("vsaa-sickness-benefit")
        else:
            app.show(name)
        problems += check_screen(kiosk, name, f"{language}/{step}", step)
    eservice = app.show("eservice") or app.screen("eservice")
    for kind in ("text", "number", "pin"):  # the keyboards for the page's fields, and the PIN pad
        eservice.state = "pin" if kind == "pin" else "open"
        eservice.keyboard_kind = kind
        kiosk.settle(3)
        problems += app_problems(app, f"{language}/{step}/eservice keyboard {kind}", step)
    eservice.reset()
    app.show("home")
    for name in DIALOGS:
        dialog = app.open_dialog(name)
        for state in (("no-desk", "queued", "open", "acknowledged") if name == "call_staff" else (None,)):
            if state is not None:
                dialog.state = state
            kiosk.settle(3)
            problems += app_problems(app, f"{language}/{step}/dialog {name}" + (f"[{state}]" if state else ""), step)
        app.close_dialog(name)
    assert problems == [], "\n".join(problems)


def test_the_more_below_band_cuts_no_button_and_a_tap_on_it_shows_the_next_one(kiosk):
    """Ukrainian at extra-large text, the priorities: the band once lay over a button half shown; now it reaches up
    to hide it whole, the check sees a band that would cut it, and tapping the band brings it up whole."""
    from kivy.uix.behaviors import ButtonBehavior
    from screens.theme import theme
    from screens.widgets import BAND_PX, MoreBelow
    from tools.layout_check import band_problems, visible_widgets, window_rect
    app = kiosk.app
    app.start_visit("uk")
    theme.text_size_step = 2
    app.show("queue_ticket")
    screen = app.screen("queue_ticket")
    screen.state = "priority"
    kiosk.frames(3)
    [view] = [widget for widget, _shown, _ in visible_widgets(screen) if isinstance(widget, MoreBelow)]

    def edge() -> float:
        return window_rect(view)[1] + view.band_height

    assert view.more_below and view.band_height > BAND_PX  # raised above the button it would have cut
    buttons = [widget for widget, shown, _ in visible_widgets(view) if isinstance(widget, ButtonBehavior) and shown]
    for button in buttons:
        low, high = window_rect(button)[1], window_rect(button)[3]
        assert high <= edge() + 1 or low >= edge() - 1, f"{button.text} is cut by the band"
    # Wholly under it: the band reaches just over its top (and over the outline drawn around it).
    [hidden] = [button for button in buttons if edge() - 6 <= window_rect(button)[3] <= edge() + 1]
    assert band_problems(screen, "uk priority") == []
    view.band_height = BAND_PX  # the band as it was: the check must see what it hides
    assert any(hidden.text[:20] in problem for problem in band_problems(screen, "uk priority"))
    view._update_cue()
    kiosk.tap_at(view.to_window(view.center_x, view.y)[0], window_rect(view)[1] + BAND_PX / 2)
    kiosk.frames(3)
    low, high = window_rect(hidden)[1], window_rect(hidden)[3]
    assert low >= edge() - 1 and high <= window_rect(view)[3] + 1, "the next button is not wholly shown"
    screen.reset()

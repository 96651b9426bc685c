"""The real kiosk app in a real window, driven by simulated taps: visit, idle, end, lock-down, admin."""

import gc
import logging
import re
import weakref

import pytest

from conftest import CALM, FAST, TEST_PIN
from kiosk.idle import IdlePolicy, Timings
from screens import FEATURES
from screens.i18n import tr
from screens.theme import ICONS
from tools.virtual_card import CardSpec, sample_identity

ICON_GLYPHS = set(ICONS.values())
LANGUAGE_NAMES = {"Latviešu", "English", "Українська"}


def shown_texts(kiosk):
    """Label widget -> its text, for what a resident reads (not icons, not the centre's own name)."""
    from kivy.uix.label import Label
    texts = {}
    for widget in kiosk.widgets():
        if isinstance(widget, Label) and widget.opacity > 0 and widget.text.strip():
            if widget.text in ICON_GLYPHS or widget.text in LANGUAGE_NAMES:
                continue
            if widget.text == kiosk.app.settings.centre.name:
                continue
            texts[widget] = widget.text
    return texts


def keypad(kiosk, key):
    """A key of the administrator's PIN pad: a digit, "erase" or "ok"."""
    from screens.widgets import pad_key_label
    label = pad_key_label(key)
    return next(button for button in kiosk.app.screen("admin_pin").ids.keypad.children if button.text == label)


def start_in(kiosk, language_name):
    kiosk.tap(kiosk.find_text(language_name))
    assert kiosk.app.current_screen == "home"


def test_greeting_is_latvian_and_touching_anywhere_starts_a_visit(kiosk):
    assert kiosk.app.current_screen == "greeting"
    assert kiosk.find_text("Laipni lūdzam!")
    assert kiosk.core.visits.current is None
    kiosk.tap_at(kiosk.window.width / 2, 40)  # empty space near the bottom
    assert kiosk.app.current_screen == "home"
    assert kiosk.core.visits.current is not None
    assert kiosk.find_text("Ko jūs vēlaties darīt?")


def test_language_switch_changes_every_visible_label_at_once(kiosk):
    start_in(kiosk, "Latviešu")
    before = shown_texts(kiosk)
    assert len(before) >= 10
    kiosk.tap(kiosk.root_widget("language_button"))
    assert kiosk.app.dialog_is_open("language")
    kiosk.tap(kiosk.find_text("Українська"))
    assert not kiosk.app.dialog_is_open("language")
    after = {widget: widget.text for widget in before}
    unchanged = [text for widget, text in before.items() if after[widget] == text]
    assert unchanged == []
    assert kiosk.find_text("Що ви хочете зробити?")
    assert "Українська" in kiosk.root_widget("language_button").text
    kiosk.tap(kiosk.root_widget("language_button"))
    kiosk.tap(kiosk.find_text("English"))
    assert kiosk.find_text("What would you like to do?")


def test_language_observers_do_not_pile_up(kiosk):
    start_in(kiosk, "English")
    for feature in FEATURES:
        kiosk.app.show(feature.screen)
    kiosk.app.show("home")
    gc.collect()
    kiosk.app.set_language("lv")  # a switch also forgets the rules of widgets that are gone
    count = tr.observer_count
    for language in ("lv", "uk", "en") * 3:
        kiosk.app.set_language(language)
        kiosk.frames(1)
    gc.collect()  # tiles made again at each switch are garbage now; the next switch forgets their rules
    kiosk.app.set_language("lv")
    assert tr.observer_count <= count


def test_every_home_tile_leads_to_its_screen_and_home_and_back_go_back(kiosk):
    start_in(kiosk, "English")
    assert kiosk.root_widget("home_button").disabled  # already home
    assert not kiosk.app.back_shown  # home is where Back leads: it has none
    # No desk here: booking a video consultation is not offered at all, rather than offered and refused.
    assert not [text for text in kiosk.visible_texts() if "Book a video consultation" in text]
    for feature in FEATURES:
        if feature.screen == "video":
            continue
        kiosk.tap(kiosk.find_text(feature.title))
        assert kiosk.app.current_screen == feature.screen
        kiosk.tap(kiosk.root_widget("home_button"))
        assert kiosk.app.current_screen == "home"
        kiosk.tap(kiosk.find_text(feature.title))
        kiosk.tap(kiosk.root_widget("back_button"))  # the bottom bar's Back, from a task's first step
        assert kiosk.app.current_screen == "home"


def test_call_staff_is_on_every_screen_and_says_to_ask_at_the_desk(kiosk):
    start_in(kiosk, "English")
    for screen in ["home"] + [feature.screen for feature in FEATURES]:
        kiosk.app.show(screen)
        kiosk.frames(1)
        kiosk.tap(kiosk.root_widget("call_staff_button"))
        assert kiosk.app.dialog_is_open("call_staff")
        assert kiosk.find_text("Please ask at the desk")
        kiosk.tap(kiosk.find_text("OK"))
        assert not kiosk.app.dialog_is_open("call_staff")


def test_call_staff_without_a_desk_says_where_the_desk_is_and_offers_a_queue_ticket(kiosk):
    from screens.theme import icon
    start_in(kiosk, "English")
    centre = kiosk.app.settings.centre
    # kiosk.ini's demo centre says where its desk is in each language, and which way it lies.
    assert centre.desk_location_en and centre.desk_location_uk and centre.desk_direction == "left"
    kiosk.app.show("scan_copy")
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    assert kiosk.find_text(f"The desk: {centre.desk_location_en}")
    assert kiosk.app.dialogs.built["call_staff"].ids.way.text == icon("way_left")
    kiosk.app.set_language("uk")  # a Ukrainian reader is told in Ukrainian
    kiosk.frames(2)
    assert centre.desk_location_uk in kiosk.app.dialogs.built["call_staff"].ids.where.text
    kiosk.app.set_language("en")
    kiosk.frames(2)
    kiosk.tap(kiosk.app.dialogs.built["call_staff"].ids.take_ticket)
    assert not kiosk.app.dialog_is_open("call_staff")
    assert kiosk.app.current_screen == "queue_ticket"


def test_idle_warning_counts_down_and_im_still_here_keeps_the_visit(make_driver):
    # Seconds, not FAST's fractions: on a loaded 2-core machine one frame can take longer than FAST's countdown.
    kiosk = make_driver(Timings(idle_warning_s=1.5, idle_countdown_s=5, goodbye_s=0.3, tick_s=0.05))
    start_in(kiosk, "English")
    visit = kiosk.core.visits.current
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("idle_warning"), 5)
    assert kiosk.find_text("Are you still here?")
    countdown = kiosk.find_text("This computer will close everything in")
    assert re.search(r"in [1-5] seconds?\b", countdown.text)  # counts down from 5
    kiosk.tap(kiosk.find_text("I'm still here"))
    assert not kiosk.app.dialog_is_open("idle_warning")
    assert kiosk.core.visits.current is visit
    assert kiosk.app.current_screen == "home"


def test_no_answer_ends_the_visit_runs_every_wiper_and_leaves_no_folder(make_driver):
    kiosk = make_driver(CALM)  # the fast clock from the test's set-up on: a slow machine must not end it first
    start_in(kiosk, "Українська")
    visit = kiosk.core.visits.current
    (visit.directory / "scan.pdf").write_bytes(b"%PDF resident's scan")
    held = {"identity": "Jānis Bērziņš"}
    visit.add_wiper("test holder", held.clear, lambda: not held)
    directory = visit.directory
    kiosk.core.timings = FAST
    kiosk.core.idle = IdlePolicy(FAST.idle_warning_s, FAST.idle_countdown_s)  # and now nobody answers
    assert kiosk.wait_until(lambda: kiosk.app.current_screen == "goodbye", 4)
    report = kiosk.core.visits.last_report
    assert report.clean
    assert "test holder" in report.wipers_run
    assert {"screen home", "screen greeting"} <= set(report.wipers_run)
    assert held == {}
    assert not directory.exists()
    assert kiosk.core.visits.current is None
    assert not kiosk.app.dialog_is_open("idle_warning")
    # The goodbye is in the resident's language, then the greeting returns in Latvian.
    assert kiosk.find_text("Дякуємо! Ви завершили.")
    assert kiosk.wait_until(lambda: kiosk.app.current_screen == "greeting", 3)
    assert kiosk.find_text("Laipni lūdzam!")


def test_end_visit_asks_first_then_reminds_and_returns_to_the_greeting(kiosk):
    start_in(kiosk, "English")
    kiosk.tap(kiosk.find_text("I'm finished — clear this computer"))
    assert kiosk.app.dialog_is_open("confirm_end")
    kiosk.tap(kiosk.find_text("No, continue"))
    assert not kiosk.app.dialog_is_open("confirm_end")
    assert kiosk.core.visits.current is not None
    kiosk.tap(kiosk.find_text("I'm finished — clear this computer"))
    directory = kiosk.core.visits.current.directory
    kiosk.tap(kiosk.find_text("Yes, I'm finished"))
    assert kiosk.app.current_screen == "goodbye"
    assert not directory.exists()
    # Nothing was scanned or printed and no card is in: no reminder to read past.
    goodbye = kiosk.app.screen("goodbye")
    assert [goodbye.ids[name].opacity for name in ("card", "originals", "printouts")] == [0, 0, 0]
    assert goodbye.ids.dont_forget.text == ""
    assert kiosk.find_text("The start screen comes back in")  # counted down, then the greeting by itself
    kiosk.tap(kiosk.root_widget("main_button"))  # Done
    assert kiosk.app.current_screen == "greeting"


def test_the_next_resident_starts_with_default_language_size_and_contrast(make_driver):
    from kivy.metrics import Metrics
    from screens.theme import theme
    kiosk = make_driver(Timings(idle_warning_s=60, idle_countdown_s=30, goodbye_s=0.3, tick_s=0.05))
    start_in(kiosk, "English")
    kiosk.tap(kiosk.root_widget("text_size_button"))
    kiosk.tap(kiosk.root_widget("contrast_button"))
    assert theme.high_contrast and Metrics.fontscale > 1
    kiosk.app.end_visit("resident")
    assert kiosk.wait_until(lambda: kiosk.app.current_screen == "greeting", 3)
    assert kiosk.app.language == "lv" and not theme.high_contrast and Metrics.fontscale == 1


def test_escape_and_close_requests_do_not_close_the_kiosk(kiosk):
    closed = []
    kiosk.window.bind(on_close=lambda *args: closed.append(True))
    start_in(kiosk, "English")
    assert kiosk.press_key(27) is True  # swallowed
    assert kiosk.window.dispatch("on_request_close") is True  # vetoed
    kiosk.frames(3)
    assert closed == []
    assert kiosk.app.current_screen == "home"
    assert kiosk.core.visits.current is not None


def test_f1_never_opens_kivys_settings_panel(kiosk):
    from kivy.uix.settings import Settings as SettingsPanel
    kiosk.press_key(282)  # F1
    assert not any(isinstance(widget, SettingsPanel) for widget in kiosk.widgets())


def test_corner_gesture_and_a_wrong_pin_are_refused_the_right_pin_opens_admin(kiosk, caplog):
    start_in(kiosk, "English")
    kiosk.tap_corner(4)
    assert kiosk.app.current_screen == "home"  # four taps are not enough
    with caplog.at_level(logging.DEBUG):
        kiosk.tap_corner(5)
        assert kiosk.app.current_screen == "admin_pin"
        for digit in "111111":
            kiosk.tap(keypad(kiosk, digit))
        assert kiosk.find_text("\u2022 \u2022 \u2022")  # masked, never the digits
        kiosk.tap(keypad(kiosk, "ok"))
        assert kiosk.app.current_screen == "admin_pin"
        assert kiosk.find_text("Wrong PIN.")
        for digit in TEST_PIN:
            kiosk.tap(keypad(kiosk, digit))
        kiosk.tap(keypad(kiosk, "ok"))
    assert kiosk.app.current_screen == "admin"
    assert kiosk.core.visits.current is None  # the resident's visit was wiped first
    # The administrator's screen opens in the default language, at normal size.
    assert kiosk.find_text("Versija: ")
    # The health checks run off the UI thread (they start Chromium, ask CUPS, SANE and PC/SC): they come in later.
    assert kiosk.wait_until(lambda: any("runtime directory" in text for text in kiosk.visible_texts()), 30)
    assert TEST_PIN not in caplog.text and "111111" not in caplog.text
    kiosk.tap(kiosk.find_text("Atpakaļ uz kiosku"))
    assert kiosk.app.current_screen == "greeting"


def test_repeated_wrong_pins_lock_the_pad(kiosk):
    start_in(kiosk, "English")
    kiosk.tap_corner(5)
    for _ in range(3):
        for digit in "000000":
            kiosk.tap(keypad(kiosk, digit))
        kiosk.tap(keypad(kiosk, "ok"))
    assert kiosk.find_text("Too many wrong tries. Try again in 30 seconds.")
    for digit in TEST_PIN:
        kiosk.tap(keypad(kiosk, digit))
    kiosk.tap(keypad(kiosk, "ok"))
    assert kiosk.app.current_screen == "admin_pin"  # locked: even the right PIN waits
    kiosk.tap(kiosk.find_text("Cancel"))
    assert kiosk.app.current_screen == "home"  # back where the gesture was made


def test_taps_elsewhere_break_the_corner_gesture(kiosk):
    kiosk.tap_corner(3)
    kiosk.tap_at(kiosk.window.width - 5, kiosk.window.height / 2)
    kiosk.tap_corner(2)
    assert kiosk.app.current_screen != "admin_pin"


def test_an_unattended_admin_screen_returns_to_the_greeting(make_driver):
    kiosk = make_driver(FAST)
    kiosk.core.idle.warning_after_s = 3600  # a busy machine's frames are slow: the PIN pad must not time out first
    kiosk.tap_corner(5)
    for digit in TEST_PIN:
        kiosk.tap(keypad(kiosk, digit))
    kiosk.tap(keypad(kiosk, "ok"))
    assert kiosk.app.current_screen == "admin"
    kiosk.core.idle.warning_after_s = FAST.idle_warning_s
    # Idle after 1.4 s (FAST); the health checks the admin screen starts may slow a loaded machine's frames.
    assert kiosk.wait_until(lambda: kiosk.app.current_screen == "greeting", 15)


def test_the_administrator_can_close_the_app(kiosk):
    stopped = []
    kiosk.app.bind(on_stop=lambda *args: stopped.append(True))
    kiosk.tap_corner(5)  # from the greeting, in Latvian
    for digit in TEST_PIN:
        kiosk.tap(keypad(kiosk, digit))
    kiosk.tap(keypad(kiosk, "ok"))
    kiosk.tap(kiosk.find_text("Aizvērt kioska lietotni"))
    assert stopped == [True]
    assert not kiosk.window.dispatch("on_request_close")  # no longer vetoed


def test_visit_folders_left_by_a_crash_are_wiped_before_the_greeting(settings, make_driver):
    leftover = settings.visit.runtime_dir / "visit-0123456789abcdef"
    leftover.mkdir(parents=True)
    (leftover / "scan-of-passport.pdf").write_bytes(b"%PDF old")
    kiosk = make_driver(settings=settings)
    assert not leftover.exists()
    assert kiosk.core.leftovers_removed == 1
    assert kiosk.app.current_screen == "greeting"


def test_nothing_of_a_visit_stays_in_memory(kiosk):
    start_in(kiosk, "English")
    ref = weakref.ref(kiosk.core.visits.current)
    kiosk.core.visit.card.identity = sample_identity()
    kiosk.tap(kiosk.find_text("I'm finished — clear this computer"))
    kiosk.tap(kiosk.find_text("Yes, I'm finished"))
    gc.collect()
    assert ref() is None


def test_stopping_the_app_wipes_the_open_visit(make_driver):
    kiosk = make_driver()
    start_in(kiosk, "English")
    directory = kiosk.core.visits.current.directory
    (directory / "scan.pdf").write_bytes(b"%PDF")
    kiosk.close()
    assert not directory.exists()


def test_logs_hold_nothing_of_the_resident(make_driver, caplog):
    kiosk = make_driver(FAST)
    with caplog.at_level(logging.DEBUG):
        start_in(kiosk, "Latviešu")
        visit = kiosk.core.visits.current
        (visit.directory / "pase-Jānis-Bērziņš-010180-12345.pdf").write_bytes(b"%PDF")
        visit.card.identity = sample_identity(CardSpec(personal_code="010180-12345"))

        def failing_wiper():
            raise OSError("cannot remove pase-Jānis-Bērziņš-010180-12345.pdf")
        visit.add_wiper("scanner", failing_wiper)
        assert kiosk.wait_until(lambda: kiosk.app.current_screen == "goodbye", 4)
    assert "visit ended (idle)" in caplog.text
    for personal in ("Jānis", "Bērziņš", "010180", "pase"):
        assert personal not in caplog.text


# ---- the queue ticket by topic, and booking without a desk (issue 13) ------------------------------------------


def topic_texts(box):
    return [tile.text for tile in reversed(box.children)]


def test_queue_topics_are_the_situations_with_most_desk_services_and_always_the_ukrainian_civilians(kiosk):
    catalog = kiosk.core.catalog
    desk = {s.id: len(catalog.queue_services("en", s.id)) for s in catalog.catalog.life_situations}
    shown, rest = catalog.queue_topics("en", 7)
    assert len(shown) == 7 and {ident for ident, _ in shown} | {ident for ident, _ in rest} == {
        ident for ident, count in desk.items() if count}
    assert min(desk[ident] for ident, _ in shown if ident != "from-ukraine") >= max(desk[ident] for ident, _ in rest)
    assert [label for _, label in rest] == sorted(label for _, label in rest)
    few, _ = catalog.queue_topics("uk", 2)
    assert [ident for ident, _ in few][-1] == "from-ukraine" and len(few) == 2
    assert ("from-ukraine", "Прибуття з України") in few
    everything, nothing = catalog.queue_topics("en", len(desk) - 1)
    assert nothing == [] and len(everything) == len([count for count in desk.values() if count])


def test_a_queue_ticket_by_topic_with_not_sure_first_and_back_one_step_at_a_time(kiosk):
    start_in(kiosk, "English")
    kiosk.tap(kiosk.find_text("Take a queue ticket"))
    screen = kiosk.app.screen("queue_ticket")
    assert screen.state == "topics"
    assert topic_texts(screen.ids.general) == ["Something else, or I am not sure"]  # first, and large
    tiles = topic_texts(screen.ids.topics)
    assert 6 <= len(tiles) <= 8 and "Arriving from Ukraine" in tiles and tiles[-1] == "Other topics"
    assert "Back to the start" not in kiosk.visible_texts()

    kiosk.tap(kiosk.find_text("Other topics"))
    assert screen.state == "more_topics"
    rest = topic_texts(screen.ids.topics)
    assert "Death of a loved one" in rest and not set(rest) & set(tiles)
    kiosk.tap(kiosk.find_text("Death of a loved one"))
    assert screen.state == "services" and screen.title == "Death of a loved one"
    assert kiosk.find_text("Funeral benefit")
    kiosk.tap(kiosk.root_widget("back_button"))
    assert screen.state == "more_topics"
    kiosk.tap(kiosk.root_widget("back_button"))
    assert screen.state == "topics"

    kiosk.tap(kiosk.find_text("Arriving from Ukraine"))
    assert screen.state == "services"
    kiosk.tap(kiosk.find_text("Child benefits for Ukrainian civilians"))
    assert screen.state == "priority" and screen.service.id == "vsaa-ukraine-child-benefits"
    assert "Your question: Child benefits for Ukrainian civilians" in screen.body
    assert kiosk.app.main_label == "Get my ticket"  # one tap: the ticket, or a priority reason below
    kiosk.tap(kiosk.root_widget("back_button"))
    assert screen.state == "services" and screen.service is None
    kiosk.tap(kiosk.root_widget("back_button"))
    kiosk.tap(kiosk.find_text("Something else, or I am not sure"))
    assert screen.state == "priority" and screen.service is None
    kiosk.tap(kiosk.root_widget("main_button"))
    assert kiosk.wait_until(lambda: screen.state == "ticket", timeout_s=15), screen.body
    assert screen.number.startswith("K1-")  # no desk here: the kiosk's own series
    assert kiosk.app.main_label == "I'm finished" and kiosk.find_text("Take another ticket")
    kiosk.tap(kiosk.root_widget("back_button"))
    assert kiosk.app.current_screen == "home"
    kiosk.app.end_visit("test")
    assert not screen.holds_resident_data()


def test_a_ticket_from_a_services_screen_goes_back_to_it(kiosk):
    start_in(kiosk, "English")
    kiosk.app.show_service("vsaa-paternity-benefit")
    kiosk.app.show("queue_ticket")
    screen = kiosk.app.screen("queue_ticket")
    screen.start_for(kiosk.app.screen("service").service)
    assert screen.state == "priority"
    kiosk.tap(kiosk.root_widget("back_button"))
    assert kiosk.app.current_screen == "service"


@pytest.mark.parametrize("language", ["lv", "uk"])
def test_the_queue_steps_fit_at_extra_large_text(kiosk, language):
    from screens.theme import theme
    from test_accessibility import problems_on_screen
    app = kiosk.app
    app.start_visit(language)
    theme.text_size_step = 2
    try:
        app.show("queue_ticket")
        screen = app.screen("queue_ticket")
        kiosk.frames(3)
        problems = problems_on_screen(kiosk, f"{language}/topics")
        # At extra-large text every topic tile fits above the bottom bar without scrolling.
        bar_top = kiosk.root_widget("bottom_bar").top
        last = screen.ids.topics.children[0]
        if last.to_window(last.x, last.y)[1] < bar_top:
            problems.append(f"{language}/topics: the last tile is under the bottom bar")
        for state in ("more_topics",):
            screen.state = state
            kiosk.frames(3)
            problems += problems_on_screen(kiosk, f"{language}/{state}")
        screen.show_topic("from-ukraine")
        kiosk.frames(3)
        problems += problems_on_screen(kiosk, f"{language}/services")
        screen.choose_service(app.core.catalog.queue_services(language, "from-ukraine")[0])
        kiosk.frames(3)
        problems += problems_on_screen(kiosk, f"{language}/priority")
        small = [w for w in kiosk.widgets() if hasattr(w, "on_release") and not w.disabled
                 and (w.width < 44 or w.height < 44)]
        assert small == []
    finally:
        theme.text_size_step = 0
    assert problems == []


def test_without_a_desk_the_video_screen_offers_a_queue_ticket_and_calling_staff(kiosk):
    start_in(kiosk, "English")
    kiosk.app.show("video")
    screen = kiosk.app.screen("video")
    assert kiosk.wait_until(lambda: screen.state == "problem", timeout_s=10)
    assert "Take a queue ticket: a staff member at the desk will book a time with you." in screen.body
    assert kiosk.app.main_label == "Take a queue ticket"
    assert any(button.text == "Call staff" for button in screen.ids.actions.children)
    assert "Back to the start" not in kiosk.visible_texts()
    kiosk.tap(kiosk.root_widget("main_button"))
    assert kiosk.app.current_screen == "queue_ticket"
    assert kiosk.app.screen("queue_ticket").state == "topics"
    kiosk.app.show("video")
    kiosk.tap(kiosk.root_widget("back_button"))
    assert kiosk.app.current_screen == "home"


def test_the_authorisation_can_go_on_without_the_card_and_a_card_put_in_later_is_just_a_login(kiosk):
    start_in(kiosk, "English")
    assert "Log in with eID card" not in kiosk.visible_texts()  # the card is asked for where a task needs it
    kiosk.app.show_service("vsaa-sickness-benefit")
    kiosk.tap(kiosk.find_text("A staff member does it for you"))
    login = kiosk.app.screen("eid_login")
    assert kiosk.app.current_screen == "eid_login" and "The authorisation needs your name" in login.body
    kiosk.tap(kiosk.find_text("Continue without the card"))
    printing = kiosk.app.screen("print")
    assert kiosk.app.current_screen == "print"
    assert kiosk.wait_until(lambda: printing.state == "confirm", 30), (printing.state, printing.body)
    kiosk.app.show("eid_login")  # the task has gone on: the card's screen no longer speaks of it
    assert "authorisation" not in login.body and "Continue without the card" not in kiosk.visible_texts()

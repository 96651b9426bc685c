"""Finding a service on the real screens: the on-screen keyboard, results, browsing, the service and its ways."""

import subprocess

import pytest

from kiosk.qr import qr_png


def open_search(kiosk, language_name="English", keyboard=True):
    """The search screen; with `keyboard`, the field touched so that the on-screen keyboard opens."""
    if kiosk.app.current_screen == "greeting":  # a visit already begun has no language buttons to tap
        kiosk.tap(kiosk.find_text(language_name))
    kiosk.app.show("find_service")
    kiosk.frames(2)
    screen = kiosk.app.screen("find_service")
    assert not screen.keyboard_shown  # the categories get the whole screen until the field is touched
    if keyboard:
        kiosk.tap(screen.ids.query_box)
        assert screen.keyboard_shown
    return screen


def type_on_screen(kiosk, text):
    """Tap each key of the on-screen keyboard, as a resident would."""
    keyboard = kiosk.app.screen("find_service").ids.keyboard
    for character in text:
        if character == " ":
            kiosk.tap(keyboard.ids.space_key)
            continue
        keys = [key for row in keyboard.ids.letters.children for key in row.children
                if getattr(key, "character", None) == character.lower()]
        assert keys, f"no key for {character!r} on the {keyboard.layout} layout"
        kiosk.tap(keys[0])


def shown_results(screen):
    return [row["service_id"] for row in screen.rows]


def test_typing_without_diacritics_shows_results_at_once_and_opens_the_service(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "slimibas")
    assert screen.query == "slimibas"
    assert shown_results(screen)[0] == "vsaa-sickness-benefit"
    kiosk.frames(2)
    kiosk.tap(kiosk.find_text("Sickness benefit"))
    assert kiosk.app.current_screen == "service"
    for way in ("Do it yourself on this computer", "A staff member does it for you", "Fill in a paper form",
                "Take a queue ticket"):
        assert kiosk.find_text(way)
    # This kiosk has no staff desk to book with: the video way is not offered, rather than offered and refused.
    assert not [text for text in kiosk.visible_texts() if "Book a video consultation" in text]
    assert kiosk.find_text("Continue on your phone: scan this code.")
    assert kiosk.app.screen("service").qr_texture is not None


def test_the_layout_key_switches_to_ukrainian_letters(kiosk):
    screen = open_search(kiosk)
    keyboard = screen.ids.keyboard
    assert keyboard.layout == "en"
    kiosk.tap(keyboard.ids.layout_key)
    assert keyboard.layout == "lv"
    kiosk.tap(keyboard.ids.layout_key)
    assert keyboard.layout == "uk"
    type_on_screen(kiosk, "собака")
    assert screen.query == "собака"
    assert "ldc-pet-first-registration" in shown_results(screen)[:3]


def test_the_keyboard_follows_the_residents_language_and_types_latvian_letters(kiosk):
    screen = open_search(kiosk, "Latviešu")
    assert screen.ids.keyboard.layout == "lv"
    type_on_screen(kiosk, "ģimenes")
    assert screen.query == "ģimenes"
    assert "vsaa-family-state-benefit" in shown_results(screen)[:3]


def test_caps_is_a_toggle_not_a_key_to_hold(kiosk):
    screen = open_search(kiosk)
    keyboard = screen.ids.keyboard
    kiosk.tap(keyboard.ids.caps_key)
    type_on_screen(kiosk, "vi")
    kiosk.tap(keyboard.ids.caps_key)
    type_on_screen(kiosk, "sa")
    assert screen.query == "VIsa"
    kiosk.tap(keyboard.ids.backspace_key)
    assert screen.query == "VIs"
    kiosk.tap(keyboard.ids.clear_key)
    assert screen.query == "" and screen.mode == "browse"


def test_at_extra_large_text_the_123_key_brings_the_digits_and_signs_back(kiosk):
    from screens.theme import theme
    screen = open_search(kiosk)
    theme.text_size_step = 2
    kiosk.frames(3)
    keyboard = screen.ids.keyboard
    assert not keyboard.digits and keyboard.ids.numbers_key.opacity == 1  # no digit row: the key instead
    assert "1" not in [key.text for row in keyboard.ids.letters.children for key in row.children]
    kiosk.tap(keyboard.ids.numbers_key)
    type_on_screen(kiosk, "10-2")  # a house number, as forms ask for it
    assert screen.query == "10-2"
    assert keyboard.ids.numbers_key.text == "ABC"  # back to the letters
    kiosk.tap(keyboard.ids.numbers_key)
    type_on_screen(kiosk, "a")
    assert screen.query == "10-2a"
    theme.text_size_step = 0
    kiosk.frames(3)
    assert keyboard.digits and keyboard.ids.numbers_key.opacity == 0


def test_a_physical_keyboard_types_too(kiosk):
    screen = open_search(kiosk)
    for character in "pension":
        kiosk.window.dispatch("on_textinput", character)
    kiosk.window.dispatch("on_key_down", 8, 0, None, [])  # backspace
    assert screen.query == "pensio"
    assert "vsaa-old-age-pension" in shown_results(screen)


def test_nothing_found_offers_browsing_and_calling_staff(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "xyzzy")
    assert screen.mode == "nothing"
    assert kiosk.find_text("Nothing found for “xyzzy”.")
    kiosk.tap(kiosk.find_text("Call staff", ))
    assert kiosk.app.dialog_is_open("call_staff")
    kiosk.tap(kiosk.find_text("OK"))
    kiosk.tap(kiosk.find_text("Browse services"))
    assert screen.mode == "browse" and screen.query == ""


def test_browsing_by_life_situation_and_by_institution(kiosk):
    screen = open_search(kiosk, keyboard=False)
    kiosk.tap(kiosk.find_text("Pets"))
    assert screen.mode == "results" and screen.results_title == f"Pets ({len(screen.rows)})"
    assert set(shown_results(screen)) >= {"ldc-pet-first-registration", "ldc-pet-lost-found"}
    kiosk.tap(kiosk.find_text("Browse all"))
    kiosk.tap(kiosk.find_text("By institution"))
    kiosk.tap(kiosk.find_text("Office of Citizenship and Migration Affairs"))
    assert "pmlp-visa-application" in shown_results(screen)


def test_switching_language_translates_the_results(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "visa")
    assert screen.rows[0]["title"] == "Visa application"
    kiosk.app.set_language("uk")
    kiosk.frames(2)
    visa = kiosk.core.catalog.catalog.by_id["pmlp-visa-application"]
    assert screen.rows[0]["title"] == visa.name.uk
    assert screen.rows[0]["subtitle"] == visa.institution.name.uk


def test_the_visit_end_forgets_the_query_and_the_service(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "bezdarbs")
    kiosk.app.show_service("vsaa-unemployment-benefit")
    report = kiosk.app.end_visit("resident")
    assert report.clean
    assert "screen find_service" in report.wipers_run and "screen service" in report.wipers_run
    assert screen.query == "" and screen.rows == [] and kiosk.app.screen("service").service is None


def test_the_qr_code_decodes_to_the_e_service_address(tmp_path):
    url = "https://www.latvija.gov.lv/Services/11887"
    image = tmp_path / "code.png"
    image.write_bytes(qr_png(url))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    assert decoded.stdout.strip() == url


@pytest.mark.parametrize("language", ["lv", "en", "uk"])
def test_every_service_screen_shows_its_ways_in_every_language(kiosk, language):
    app = kiosk.app
    app.start_visit(language)
    index = app.core.catalog.index()
    for service in index.catalog.services:
        app.show_service(service.id)
        buttons = app.screen("service").ids.channel_buttons.children
        # Every way of the catalogue that works at this kiosk: no desk here, so no video booking.
        assert len(buttons) == len([way for way in service.channels.names() if way != "video"])


def test_only_meaningless_words_show_the_life_situations_and_a_queue_ticket_not_an_empty_screen(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "how do i")
    assert screen.mode == "nothing" and screen.nothing_reason == "meaningless"
    assert kiosk.find_text("Tell us a little more: which of these is it about?")
    tiles = [tile.text for tile in screen.ids.nothing_situations.children]
    assert {"Death of a loved one", "Unemployment", "Birth of a child", "Pets"} <= set(tiles)
    kiosk.tap(screen.ids.toggle_keyboard)  # the tiles scroll under the keyboard; hidden, they all show
    kiosk.tap(kiosk.find_text("Unemployment"))
    assert screen.mode == "results" and screen.results_title == f"Unemployment ({len(screen.rows)})"
    assert "vsaa-unemployment-benefit" in shown_results(screen)
    kiosk.tap(kiosk.find_text("Browse all"))
    kiosk.tap(screen.ids.toggle_keyboard)
    type_on_screen(kiosk, "how do i")
    kiosk.tap(kiosk.find_text("Ask a staff member (queue ticket)"))
    assert kiosk.app.current_screen == "queue_ticket"


def test_a_persons_death_in_a_sentence_leads_to_the_funeral_benefit_and_its_life_situation(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "my mother died")
    assert shown_results(screen)[0] == "vsaa-funeral-benefit"
    assert not shown_results(screen)[0].startswith("ldc-")
    kiosk.tap(kiosk.find_text("All services for: Death of a loved one"))
    assert screen.results_title == f"Death of a loved one ({len(screen.rows)})"
    assert {"vsaa-funeral-benefit", "vsaa-surviving-spouse-benefit"} <= set(shown_results(screen))


def test_a_misspelt_word_is_answered_with_did_you_mean(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "pensoin")
    suggested = [service_id for service_id, _ in screen.suggestions]
    assert "vsaa-old-age-pension" in suggested
    assert kiosk.find_text("Did you mean:")
    kiosk.tap(kiosk.find_text("Old-age pension (video consultation)"))
    assert kiosk.app.current_screen == "service"


def test_a_ukrainian_sentence_in_the_residents_own_words_finds_the_service(kiosk):
    screen = open_search(kiosk, "Українська")
    for character in "втратила роботу":  # as from a keyboard beside the screen
        kiosk.window.dispatch("on_textinput", character)
    kiosk.frames(2)
    assert screen.query == "втратила роботу"
    assert {"vsaa-unemployment-benefit", "nva-unemployed-status"} & set(shown_results(screen)[:2])


@pytest.mark.parametrize("language", ["lv", "en", "uk"])
def test_the_new_answers_fit_at_extra_large_text(kiosk, language):
    from screens.theme import theme
    from tests.test_accessibility import problems_on_screen
    kiosk.app.start_visit(language)
    theme.text_size_step = 2
    screen = open_search(kiosk)
    kiosk.app.set_language(language)
    problems = []
    for keyboard_shown in (True, False):
        screen.keyboard_shown = keyboard_shown
        for query in ("how do i", "ko darīt", "my mother died", "mana mamma nomira", "pensoin"):
            screen.query = query
            kiosk.frames(3)
            problems += problems_on_screen(kiosk, f"{language}/'{query}' keyboard {keyboard_shown}")
    assert problems == [], "\n".join(problems)


def test_the_word_forms_and_the_index_are_made_off_the_ui_thread_before_the_first_search(kiosk):
    import threading

    from kiosk.catalog import lemmas
    catalog = kiosk.core.catalog
    built_on = []
    original = catalog.index

    def index():
        built_on.append(threading.current_thread().name)
        return original()
    catalog.index = index
    try:
        catalog.warm_up()
        if catalog._warming is not None:
            catalog._warming.join(30)
    finally:
        del catalog.index
    assert lemmas.is_loaded() and catalog._index is not None
    assert threading.main_thread().name not in built_on

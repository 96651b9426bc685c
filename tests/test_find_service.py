"""Finding a service on the real screens: the on-screen keyboard, results, browsing, the service and its ways."""

import subprocess

import pytest

from kiosk.qr import qr_png


def open_search(kiosk, language_name="English"):
    kiosk.tap(kiosk.find_text(language_name))
    kiosk.app.show("find_service")
    kiosk.frames(2)
    return kiosk.app.screen("find_service")


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
                "Book a video consultation", "Take a queue ticket"):
        assert kiosk.find_text(way)
    assert kiosk.find_text("Continue on your phone: scan this code.")
    assert kiosk.app.screen("service").qr_texture is not None


def test_a_way_without_its_own_flow_explains_what_to_do_at_the_desk(kiosk):
    open_search(kiosk)
    kiosk.app.show_service("vid-annual-income-declaration")
    kiosk.tap(kiosk.find_text("Do it yourself on this computer"))
    assert kiosk.app.dialog_is_open("channel_info")
    text = kiosk.app.dialogs.built["channel_info"].text
    assert "scan the code" in text and "ask at the desk" in text
    kiosk.tap(kiosk.find_text("OK"))
    assert not kiosk.app.dialog_is_open("channel_info")


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
    screen = open_search(kiosk)
    kiosk.tap(kiosk.find_text("Pets"))
    assert screen.mode == "results" and screen.results_title == "Pets"
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


def test_the_session_end_forgets_the_query_and_the_service(kiosk):
    screen = open_search(kiosk)
    type_on_screen(kiosk, "bezdarbs")
    kiosk.app.show_service("vsaa-unemployment-benefit")
    report = kiosk.app.end_session("resident")
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
    app.start_session(language)
    index = app.core.catalog.index()
    for service in index.catalog.services:
        app.show_service(service.id)
        buttons = app.screen("service").ids.channel_buttons.children
        assert len(buttons) == len(service.channels.names())

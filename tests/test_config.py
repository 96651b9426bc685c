"""kiosk.ini is read into typed settings, and every mistake is one sentence naming where and what."""

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def write_ini(tmp_path, replace=None, append=""):
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "kiosk.ini"
    path.write_text(text + append, encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


def test_the_repository_kiosk_ini_loads_with_its_documented_values():
    settings = load_settings(ROOT / "kiosk.ini")
    assert settings.kiosk.id == "demo-kiosk-1"
    assert settings.ui.languages == ("lv", "en", "uk")
    assert settings.ui.default_language == "lv"
    assert settings.visit.idle_warning_s == 90 and settings.visit.idle_countdown_s == 30
    assert settings.visit.runtime_dir == ROOT / "build" / "runtime"  # relative to the file
    assert settings.admin.corner_taps == 5


def test_a_missing_file_is_named(tmp_path):
    message = error_of(tmp_path / "nowhere.ini")
    assert str(tmp_path / "nowhere.ini") in message and "does not exist" in message


def test_a_bad_number_names_file_section_key_value_and_range(tmp_path):
    message = error_of(write_ini(tmp_path, {"idle_warning_s = 90": "idle_warning_s = ninety"}))
    assert message == (f"{tmp_path / 'kiosk.ini'}: section [visit], key 'idle_warning_s' has the value "
                       "'ninety', which is not accepted; expected a whole number from 10 to 3600.")


def test_a_countdown_shorter_than_wcag_asks_is_refused(tmp_path):
    message = error_of(write_ini(tmp_path, {"idle_countdown_s = 30": "idle_countdown_s = 5"}))
    assert "'idle_countdown_s' has the value '5'" in message and "from 20 to 600" in message


def test_an_unknown_key_lists_the_accepted_ones(tmp_path):
    message = error_of(write_ini(tmp_path, {"goodbye_s = 12": "goodbye_s = 12\nidle_warnig_s = 30"}))
    assert "section [visit] has an unknown key 'idle_warnig_s'" in message
    assert "idle_warning_s" in message.split("accepted keys are")[1]


def test_an_unknown_section_is_named(tmp_path):
    message = error_of(write_ini(tmp_path, append="\n[printer]\nqueue = x\n"))
    assert "unknown section [printer]" in message


def test_a_missing_required_key_is_named(tmp_path):
    message = error_of(write_ini(tmp_path, {"id = demo-kiosk-1\n": ""}))
    assert "section [kiosk] is missing the key 'id'" in message


def test_unknown_language_and_default_outside_the_list(tmp_path):
    assert "'languages' has the value 'lv, ru'" in error_of(
        write_ini(tmp_path, {"languages = lv, en, uk": "languages = lv, ru"}))
    message = error_of(write_ini(tmp_path, {"languages = lv, en, uk": "languages = en, uk"}))
    assert "'default_language' has the value 'lv'" in message and "(en, uk)" in message


def test_a_pin_that_is_not_a_hash_is_refused(tmp_path):
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("pin_hash"))
    message = error_of(write_ini(tmp_path, {line: "pin_hash = 246810"}))
    assert "key 'pin_hash' has the value '246810'" in message and "kiosk hash-pin" in message


def test_text_that_is_not_ini_is_reported_not_raised(tmp_path):
    path = tmp_path / "kiosk.ini"
    path.write_text("this is not an ini file\n", encoding="utf-8")
    message = error_of(path)
    assert "not in 'key = value' form" in message


def test_a_yes_no_setting_takes_only_yes_or_no(tmp_path):
    message = error_of(write_ini(tmp_path, {"fullscreen = yes": "fullscreen = perhaps"}))
    assert "'fullscreen' has the value 'perhaps'" in message and "expected yes or no" in message


def test_the_scanner_picture_is_a_png_or_jpeg_that_exists_read_from_the_files_folder(tmp_path):
    assert load_settings(ROOT / "kiosk.ini").scanning.picture is None  # the drawn scanner
    (tmp_path / "our-scanner.jpg").write_bytes(b"\xff\xd8\xff")
    settings = load_settings(write_ini(tmp_path, {"\npicture =": "\npicture = our-scanner.jpg"}))
    assert settings.scanning.picture == tmp_path / "our-scanner.jpg"
    message = error_of(write_ini(tmp_path, {"\npicture =": "\npicture = our-scanner.gif"}))
    assert message == (f"{tmp_path / 'kiosk.ini'}: section [scanning], key 'picture' has the value "
                       "'our-scanner.gif', which is not accepted; expected a PNG or JPEG file, or nothing for the "
                       "drawn scanner.")
    message = error_of(write_ini(tmp_path, {"\npicture =": "\npicture = pictures/scanner.png"}))
    assert message == (f"{tmp_path / 'kiosk.ini'}: section [scanning], key 'picture' has the value "
                       f"'pictures/scanner.png', read as {tmp_path / 'pictures' / 'scanner.png'} (a relative path is "
                       f"read from {tmp_path}), which does not exist; expected a PNG or JPEG file, or nothing for "
                       "the drawn scanner.")


def test_the_desk_location_falls_back_to_latvian_and_a_wrong_direction_is_refused(tmp_path):
    settings = load_settings(write_ini(tmp_path, {"desk_location_uk = Перший поверх, ліворуч від входу\n": ""}))
    assert settings.centre.desk_location_in("uk") == settings.centre.desk_location  # no Ukrainian: the Latvian
    assert settings.centre.desk_location_in("en") == "Ground floor, to the left of the entrance"
    message = error_of(write_ini(tmp_path, {"desk_direction = left": "desk_direction = upward"}))
    assert "desk_direction" in message and "upstairs" in message


def test_where_the_printer_is_defaults_to_nearby_and_pictures_must_be_png_or_jpeg(tmp_path):
    settings = load_settings(ROOT / "kiosk.ini")
    assert settings.printing.printer_place == "nearby" and settings.eid.reader_picture is None
    message = error_of(write_ini(tmp_path, {"printer_place = nearby": "printer_place = upstairs"}))
    assert "printer_place" in message and "desk" in message
    message = error_of(write_ini(tmp_path, {"reader_picture =": "reader_picture = reader.gif"}))
    assert "[eid]" in message and "PNG or JPEG" in message

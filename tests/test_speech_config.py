"""kiosk.ini's [speech] section: every key validated, and every mistake one sentence naming where and what."""

from pathlib import Path

import pytest

from kiosk.config import ConfigError, Voice, load_settings
from test_config import ROOT, error_of, write_ini

def speech_ini(tmp_path, **values) -> Path:
    """The repository's kiosk.ini with these [speech] keys set."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    for key, value in values.items():
        line = next(line for line in text.splitlines() if line.startswith(f"{key} ="))
        text = text.replace("\n" + line + "\n", f"\n{key} = {value}\n")
    path = tmp_path / "kiosk.ini"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, key, value, accepts):
    message = error_of(speech_ini(tmp_path, **{key: value}))
    assert message == (f"{tmp_path / 'kiosk.ini'}: section [speech], key '{key}' has the value '{value}', "
                       f"which is not accepted; expected {accepts}."), message


def test_the_repository_kiosk_ini_speaks_with_espeak_ng_in_every_language():
    speech = load_settings(ROOT / "kiosk.ini").speech
    assert speech.engine == "espeak-ng"
    assert [speech.voice(language) for language in ("lv", "uk", "en")] == [
        Voice("espeak-ng", "lv"), Voice("espeak-ng", "uk"), Voice("espeak-ng", "en")]
    assert (speech.rate, speech.volume, speech.output) == (100, "normal", "")


def test_without_a_speech_section_the_defaults_hold(tmp_path):
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    path = tmp_path / "kiosk.ini"
    path.write_text(text[:text.index("\n[speech]")], encoding="utf-8")
    speech = load_settings(path).speech
    assert speech.engine == "espeak-ng" and speech.voice_lv == Voice("espeak-ng", "lv") and speech.rate == 100


def test_engine(tmp_path):
    refused(tmp_path, "engine", "festival", "one of espeak-ng, rhvoice, piper, none")
    assert load_settings(speech_ini(tmp_path, engine="none")).speech.engine == "none"


def test_rate(tmp_path):
    refused(tmp_path, "rate", "fast", "a whole number from 50 to 200")
    refused(tmp_path, "rate", "300", "a whole number from 50 to 200")
    assert load_settings(speech_ini(tmp_path, rate="85")).speech.rate == 85


def test_volume(tmp_path):
    refused(tmp_path, "volume", "11", "one of quiet, normal, loud")
    assert load_settings(speech_ini(tmp_path, volume="loud")).speech.volume == "loud"


def test_output_takes_any_alsa_device_name(tmp_path):
    assert load_settings(speech_ini(tmp_path, output="plughw:CARD=PCH,DEV=0")).speech.output == \
        "plughw:CARD=PCH,DEV=0"


def test_an_espeak_voice_must_be_a_voice_name(tmp_path):
    refused(tmp_path, "voice_en", "en gb", "an espeak-ng voice for English (such as en; 'espeak-ng --voices' lists "
                                           "them)")
    speech = load_settings(speech_ini(tmp_path, voice_en="en-us", voice_lv="lv+f3")).speech
    assert speech.voice_en == Voice("espeak-ng", "en-us") and speech.voice_lv == Voice("espeak-ng", "lv+f3")


def test_rhvoice_has_no_latvian_voice_so_kiosk_ini_must_name_another(tmp_path):
    message = error_of(speech_ini(tmp_path, engine="rhvoice", voice_uk="anatol", voice_en="slt"))
    assert "section [speech], key 'voice_lv' has the value ''" in message
    assert "expected espeak-ng:lv or piper:MODEL.onnx (RHVoice has no Latvian voice)" in message
    speech = load_settings(speech_ini(tmp_path, engine="rhvoice", voice_lv="espeak-ng:lv", voice_uk="natalia",
                                      voice_en="slt")).speech
    assert (speech.voice_lv, speech.voice_uk, speech.voice_en) == (
        Voice("espeak-ng", "lv"), Voice("rhvoice", "natalia"), Voice("rhvoice", "slt"))


def test_rhvoice_needs_a_voice_for_each_offered_language_only(tmp_path):
    message = error_of(speech_ini(tmp_path, engine="rhvoice", voice_lv="espeak-ng:lv", voice_en="slt"))
    assert "key 'voice_uk' has the value ''" in message and "an RHVoice voice for Ukrainian" in message
    path = write_ini(tmp_path, {"languages = lv, en, uk": "languages = lv, en"})
    text = path.read_text(encoding="utf-8").replace("engine = espeak-ng", "engine = rhvoice").replace(
        "voice_lv =\n", "voice_lv = espeak-ng:lv\n").replace("voice_en =\n", "voice_en = slt\n")
    path.write_text(text, encoding="utf-8")
    assert load_settings(path).speech.voice_en == Voice("rhvoice", "slt")


def test_a_piper_voice_is_a_model_file_read_from_the_folder_of_kiosk_ini(tmp_path):
    refused(tmp_path, "voice_lv", "piper:aivars", "the path of a Piper voice model for Latvian (.onnx, its .onnx.json "
                                                  "beside it), or ENGINE:VOICE")
    speech = load_settings(speech_ini(tmp_path, voice_lv="piper:voices/lv_LV-aivars-medium.onnx")).speech
    assert speech.voice_lv == Voice("piper", str(tmp_path / "voices" / "lv_LV-aivars-medium.onnx"))
    assert speech.voice_uk == Voice("espeak-ng", "uk")  # the others keep the engine's own voice
    message = error_of(speech_ini(tmp_path, engine="piper"))
    assert "key 'voice_lv' has the value ''" in message and "a Piper voice model for Latvian" in message


def test_an_engine_prefix_needs_a_voice_after_it(tmp_path):
    refused(tmp_path, "voice_uk", "rhvoice:", "a voice name, a Piper model file (.onnx), ENGINE:VOICE (ENGINE one of "
                                             "espeak-ng, rhvoice, piper) or nothing")


def test_with_engine_none_no_voice_is_needed_or_checked(tmp_path):
    speech = load_settings(speech_ini(tmp_path, engine="none", voice_lv="piper:kept-for-later")).speech
    assert speech.engine == "none" and speech.voice_lv == Voice("piper", "kept-for-later")


def test_an_unknown_speech_key_lists_the_accepted_ones(tmp_path):
    message = error_of(write_ini(tmp_path, {"volume = normal": "volume = normal\npitch = 50"}))
    assert "section [speech] has an unknown key 'pitch'" in message
    assert message.endswith("accepted keys are engine, voice_lv, voice_uk, voice_en, rate, volume, output.")


@pytest.mark.parametrize("key", ["voice_lv", "voice_uk", "voice_en"])
def test_each_voice_key_is_checked(tmp_path, key):
    with pytest.raises(ConfigError, match=f"key '{key}' has the value 'no such voice!'"):
        load_settings(speech_ini(tmp_path, **{key: "no such voice!"}))

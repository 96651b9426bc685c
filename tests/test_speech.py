"""Reading aloud with the real espeak-ng and aplay, heard by a virtual sound card that plays in real time."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from conftest import CALM, ROOT
from kiosk import events
from kiosk.config import Voice, load_settings
from kiosk.core import KioskCore
from kiosk.doctor import check_speech
from kiosk.speech import GAIN, SpeechService, kiosk_text, spoken_queue_number
from kiosk.speech.audio import louder
from kiosk.speech.cache import PhraseCache

KIOSK = str(Path(sys.executable).parent / "kiosk")
WELCOME = {"lv": "Laipni lūdzam! Pieskarieties ekrānam, lai sāktu.",
           "uk": "Ласкаво просимо! Торкніться екрана, щоб почати.",
           "en": "Welcome! Touch the screen to start."}
# About twenty seconds of speech: long enough that only an interruption ends it early.
LONG_LV = " ".join(["Šajā datorā var atvērt tikai valsts e-pakalpojumus. Jautājiet darbiniekam."] * 6)


class Heard(list):
    """The service's events, in order."""

    def of(self, kind):
        return [event for event in self if isinstance(event, kind)]


@pytest.fixture
def told():
    return Heard()


@pytest.fixture
def speech(speech_settings, told):
    service = SpeechService.from_settings(speech_settings, told.append)
    service.enabled = True
    yield service
    service.close()


def seconds(pcm: bytes, rate: int = 22050) -> float:
    return len(pcm) / 2 / rate


def test_each_language_gives_speech_of_a_sensible_length(speech):
    for language, text in WELCOME.items():
        audio = speech.synthesize(text, language)
        words = len(text.split())
        assert audio.rate == 22050
        # Speech runs at about two to four words a second; silence or a cut-off would be far outside.
        assert words / 5 < audio.seconds < words / 1.5, (language, audio.seconds)
        assert max(abs(int.from_bytes(audio.pcm[i:i + 2], "little", signed=True))
                   for i in range(0, len(audio.pcm), 2)) > 3000, f"{language} is silent"
    assert speech.synthesize(WELCOME["lv"], "lv").pcm != speech.synthesize(WELCOME["lv"], "en").pcm


def test_the_rate_setting_makes_speech_slower_or_faster(speech_settings):
    def length(rate):
        service = SpeechService(dataclasses.replace(speech_settings.speech, rate=rate), ("lv",))
        try:
            return service.synthesize(WELCOME["lv"], "lv").seconds
        finally:
            service.close()
    slow, normal, fast = length(50), length(100), length(200)
    assert slow > 1.6 * normal and normal > 1.4 * fast


def test_what_is_played_is_the_voice_at_the_volume_step_in_real_time(speech, sink, told):
    expected = speech.synthesize(WELCOME["lv"], "lv")
    for played, (step, volume) in enumerate(((2, "normal"), (3, "loud"), (1, "quiet")), start=1):
        assert speech.volume == volume and speech.volume_step == step
        began = time.monotonic()
        assert speech.say(kiosk_text(WELCOME["lv"]), "lv")
        assert speech.wait_until_quiet(20)
        heard = sink.wait_for(played)[-1]
        assert time.monotonic() - began >= expected.seconds * 0.95  # played at the card's pace, not dumped
        scaled = louder(expected.pcm, GAIN[volume])
        assert bytes(heard.pcm[:len(scaled)]) == scaled
        assert 0 <= seconds(heard.pcm) - expected.seconds < 0.25  # the player pads its last period
        speech.next_volume()
    assert speech.volume == "normal"
    assert [type(event) for event in told] == [events.SpeechStarted, events.SpeechStopped] * 3
    assert not any(event.interrupted for event in told.of(events.SpeechStopped))


def test_a_new_volume_step_is_heard_soon_even_mid_sentence(speech, sink):
    expected = speech.synthesize(LONG_LV, "lv").pcm
    normal = louder(expected, GAIN["normal"])
    speech.say(LONG_LV, "lv")
    started = sink.wait_for_sound(1).first_sample_at
    time.sleep(1.0)
    changed_at = time.monotonic()
    assert speech.next_volume() == "loud"
    time.sleep(1.5)
    speech.stop()
    pcm = bytes(sink.wait_for(1)[0].pcm)
    switch = next(at for at in range(0, len(pcm), 2) if pcm[at:at + 2] != normal[at:at + 2])
    # About half a second of speech is on its way to the card at any moment (the sink's own pipe adds a tenth).
    assert 0.9 < seconds(pcm[:switch]) < changed_at - started + 0.7
    tail = len(pcm) - 22050  # the last half second heard: all at the new step
    assert pcm[tail:] == expected[tail:len(pcm)]


def test_a_new_say_cuts_the_old_one_short(speech, sink, told):
    full = speech.synthesize(LONG_LV, "lv").seconds
    assert full > 15
    speech.say(LONG_LV, "lv")
    sink.wait_for_sound(1)
    time.sleep(0.5)
    cut_at = time.monotonic()
    speech.say(kiosk_text(WELCOME["lv"]), "lv")
    first, second = sink.wait_for(2)
    assert first.ended_at - cut_at < 0.5  # the old sound stopped at once
    assert seconds(first.pcm) < 2.5 < full
    assert abs(seconds(second.pcm) - speech.synthesize(WELCOME["lv"], "lv").seconds) < 0.25
    assert speech.wait_until_quiet(10)
    assert [event.interrupted for event in told.of(events.SpeechStopped)] == [True, False]


def test_switching_language_stops_the_speech_and_starts_it_again_in_the_new_one(speech, sink, told):
    speech.say(LONG_LV, "lv")
    sink.wait_for_sound(1)
    speech.say(WELCOME["uk"], "uk")
    first, second = sink.wait_for(2)
    assert seconds(first.pcm) < 2.5
    ukrainian = louder(speech.synthesize(WELCOME["uk"], "uk").pcm, GAIN["normal"])
    assert bytes(second.pcm[:len(ukrainian)]) == ukrainian
    assert [event.language for event in told.of(events.SpeechStarted)] == ["lv", "uk"]


def test_without_interrupting_the_next_utterance_waits_its_turn(speech, sink):
    speech.say(WELCOME["en"], "en")
    speech.say(WELCOME["lv"], "lv", interrupt=False)
    english, latvian = sink.wait_for(2)
    assert abs(seconds(english.pcm) - speech.synthesize(WELCOME["en"], "en").seconds) < 0.25
    assert abs(seconds(latvian.pcm) - speech.synthesize(WELCOME["lv"], "lv").seconds) < 0.25
    assert latvian.opened_at >= english.ended_at - 0.05


def test_the_speaker_button_stops_the_sound_and_nothing_is_said_while_off(speech, sink):
    speech.say(LONG_LV, "lv")
    sink.wait_for_sound(1)
    assert speech.toggle() is False
    [heard] = sink.wait_for(1, timeout=5)
    assert seconds(heard.pcm) < 2.5
    assert speech.say(WELCOME["lv"], "lv") is False
    assert speech.wait_until_quiet(5) and not speech.speaking
    time.sleep(0.5)
    assert len(sink.heard) == 1
    assert speech.toggle() is True and speech.say(WELCOME["lv"], "lv")
    sink.wait_for(2)


def test_a_queue_number_is_read_sign_by_sign_in_every_language():
    assert spoken_queue_number("A042") == "A, 0 4 2"
    assert spoken_queue_number("A-042") == "A, 0 4 2"
    assert spoken_queue_number("K1-001", "en") == "K, 1, 0 0 1"
    assert spoken_queue_number("A042", "uk") == "А, 0 4 2"  # the Cyrillic letter, named as Ukrainians name it
    # What the voices make of it: every digit a word of its own, the letter named, not read as a word.
    phonemes = {language: subprocess.run(["espeak-ng", "-q", "-x", "-v", language, spoken_queue_number("A042",
                                                                                                     language)],
                                         capture_output=True, text=True).stdout.split()
                for language in ("lv", "uk", "en")}
    assert phonemes["lv"] == ["'a>_:", "n'ulle", "tS'etRi", "d'ivi"]
    assert phonemes["en"] == ["'eI", "z'i@roU", "f'o@", "t'u:"]
    assert phonemes["uk"][0] == "'A" and len(phonemes["uk"]) == 4


def test_a_personal_code_is_never_spoken(speech, sink, told, caplog):
    caplog.set_level(logging.INFO)
    speech.say("Personas kods 010180-12345", "lv")
    speech.say(["Jūsu kods", "32101112345"], "lv", interrupt=False)
    assert speech.wait_until_quiet(5)
    time.sleep(0.3)
    assert [seconds(heard.pcm) < 1.5 for heard in sink.heard] == [True]  # only "Jūsu kods"
    assert "12345" not in caplog.text and "looks like a personal code" in caplog.text


def test_the_visits_end_turns_reading_aloud_off_and_keeps_only_the_kiosks_own_phrases(speech_settings, sink):
    core = KioskCore(speech_settings, CALM)
    core.prepare()
    try:
        heard = Heard()
        core.subscribe(heard.append)
        assert core.speech.toggle() is True  # at the greeting, before the visit
        core.start_visit()
        heading = "Jūsu rindas numurs"
        private = "Izdrukātas 3 lapas no dokumenta Līgums Bērziņš.pdf"
        assert core.speech.say([kiosk_text(heading), spoken_queue_number("A042")], "lv")
        assert core.speech.say(private, "lv", interrupt=False)
        core.speech.next_volume()
        sink.wait_for(2)
        assert core.speech.wait_until_quiet(5)
        core.speech.say(LONG_LV, "lv")
        sink.wait_for_sound(3)

        report = core.end_visit("resident")
        assert report.clean and "reading aloud" in report.wipers_run
        assert not core.speech.enabled and not core.speech.speaking and core.speech.volume == "normal"
        assert seconds(sink.wait_for(3)[-1].pcm) < 2.5  # the visit's end cut the speech short
        assert core.speech.say(heading, "lv") is False

        cache = PhraseCache(speech_settings.kiosk.state_dir / "speech-cache")
        identity = f"espeak-ng {_espeak_version()} lv"
        assert cache.keys() == {cache.key(identity, "lv", 100, heading)}
        for not_kept in (private, spoken_queue_number("A042"), LONG_LV):
            assert cache.key(identity, "lv", 100, not_kept) not in cache.keys()
        # The app hears the service's events through the core, on the core's event thread.
        assert until(lambda: len(heard.of(events.SpeechStopped)) == 3)
        assert [event.interrupted for event in heard.of(events.SpeechStopped)] == [False, False, True]
    finally:
        core.stop()


def test_a_cached_phrase_sounds_the_same_and_starts_sooner(speech, sink, speech_settings):
    phrase = kiosk_text("Gaidiet savu numuru uz ekrāna")
    delays = []
    for count in (1, 2):
        said = time.monotonic()
        speech.say(phrase, "lv")
        delays.append(sink.wait_for_sound(count).first_sample_at - said)
        assert speech.wait_until_quiet(10)
    cold, warm = sink.wait_for(2)
    assert cold.pcm == warm.pcm
    assert len(list((speech_settings.kiosk.state_dir / "speech-cache").glob("*.wav"))) == 1
    assert delays[1] < 0.15, delays


def test_without_a_sound_card_the_kiosk_runs_silent_and_says_so_once(speech_settings, told, caplog):
    caplog.set_level(logging.INFO)
    silent = dataclasses.replace(speech_settings, speech=dataclasses.replace(speech_settings.speech,
                                                                            output="hw:99"))  # no such card
    speech = SpeechService.from_settings(silent, told.append)
    try:
        speech.enabled = True
        for _ in range(3):
            assert speech.say(WELCOME["lv"], "lv") is True
            assert speech.wait_until_quiet(10)
        failed = told.of(events.SpeechFailed)
        assert [event.problem for event in failed] == ["no sound output"] * 3
        assert "hw:99" in failed[0].detail and "audio open error" in failed[0].detail
        lines = [record.getMessage() for record in caplog.records if "no sound output" in record.getMessage()]
        assert len(lines) == 1 and "the kiosk carries on silently" in lines[0]
        assert WELCOME["lv"] not in caplog.text
    finally:
        speech.close()
    line = check_speech(silent)
    assert not line.ok and "hw:99" in line.detail and "[speech] output" in line.detail


def test_a_missing_voice_gives_a_clear_doctor_line_and_the_service_stays_silent(speech_settings, told, caplog,
                                                                               tmp_path, monkeypatch):
    no_model = dataclasses.replace(speech_settings, speech=dataclasses.replace(
        speech_settings.speech, voice_lv=Voice("piper", str(tmp_path / "lv_LV-aivars-medium.onnx"))))
    line = check_speech(no_model)
    assert not line.ok and line.detail.startswith("Latvian (piper ")
    assert "the kiosk is silent in Latvian" in line.detail and "English (espeak-ng en)" in line.detail
    speech = SpeechService.from_settings(no_model, told.append)
    try:
        speech.enabled = True
        assert speech.say(WELCOME["lv"], "lv") is False and not speech.can_speak("lv")
        assert speech.say(WELCOME["en"], "en") is True
        assert speech.wait_until_quiet(10)
        [failed] = told.of(events.SpeechFailed)
        assert (failed.problem, failed.language) == ("no voice", "lv") and "Piper" in failed.detail
    finally:
        speech.close()

    # espeak-ng itself missing: a PATH with aplay but without it.
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "aplay").symlink_to("/usr/bin/aplay")
    monkeypatch.setenv("PATH", str(bare))
    line = check_speech(speech_settings)
    assert not line.ok and "espeak-ng is not installed ('apt install espeak-ng')" in line.detail
    speech = SpeechService.from_settings(speech_settings, told.append)
    try:
        speech.enabled = True
        assert speech.say(WELCOME["lv"], "lv") is False  # silent, and no exception
    finally:
        speech.close()


def test_doctor_says_which_voices_speak(speech_settings, sink):
    line = check_speech(speech_settings)
    assert line.ok
    assert line.detail.startswith("Latvian (espeak-ng lv), English (espeak-ng en), Ukrainian (espeak-ng uk) speak")
    assert f"the ALSA device '{sink.device}' plays" in line.detail
    off = dataclasses.replace(speech_settings, speech=dataclasses.replace(speech_settings.speech, engine="none"))
    assert check_speech(off).ok and "never reads aloud" in check_speech(off).detail


def test_kiosk_say_writes_a_wav_and_plays_through_the_configured_device(tmp_path, sink):
    ini = tmp_path / "kiosk.ini"
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    ini.write_text(text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
                   .replace("\noutput =\n", f"\noutput = {sink.device}\n"), encoding="utf-8")
    out = tmp_path / "welcome.wav"
    result = subprocess.run([KIOSK, "say", "--config", str(ini), "--lang", "uk", WELCOME["uk"], "--out", str(out)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        length = wav.getnframes() / wav.getframerate()
    assert 1.0 < length < 6.0 and f"{length:.1f} s of speech, espeak-ng uk" in result.stdout
    assert not (tmp_path / "state" / "speech-cache").exists()  # an administrator's text is not cached

    played = subprocess.run([KIOSK, "say", "--config", str(ini), WELCOME["lv"]], capture_output=True, text=True,
                            timeout=60)
    assert played.returncode == 0, played.stderr
    [heard] = sink.wait_for(1)
    speech = SpeechService(load_settings(ini).speech, ("lv",))
    try:
        assert abs(heard.seconds - speech.synthesize(WELCOME["lv"], "lv").seconds) < 0.25
    finally:
        speech.close()

    silent = subprocess.run([KIOSK, "say", "--config", str(ini), "--lang", "en", "Hello"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PATH": "/nonexistent"})
    assert silent.returncode == 1 and "Nothing was heard: en cannot be spoken: espeak-ng is not installed" in \
        silent.stderr and "Traceback" not in silent.stderr


def until(condition, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _espeak_version() -> str:
    return subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.split(
        "text-to-speech:")[1].split()[0]

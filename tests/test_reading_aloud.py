"""Reading aloud in the real app: every screen and dialog has its words to say, and the voice follows the resident."""

from __future__ import annotations

import pytest

from kiosk import events
from screens import SCREENS

RESIDENT_SCREENS = [name for name in SCREENS if name not in ("admin_pin", "admin", "greeting")]
DIALOGS = ("idle_warning", "confirm_end", "call_staff", "language", "card_removed")


def show(app, name):
    if name == "service":
        app.show_service("vsaa-sickness-benefit")
    else:
        app.show(name)


def headings(widget) -> list[str]:
    """The texts of the Heading labels shown in `widget`: what each screen's spoken text must begin from."""
    from screens.widgets import Heading
    from tools.layout_check import visible_widgets
    return [w.text for w, shown, _ in visible_widgets(widget) if isinstance(w, Heading) and w.text.strip() and shown]


def test_every_screen_and_dialog_has_translated_words_to_read_that_include_its_heading(kiosk):
    app = kiosk.app
    said: dict[tuple[str, str], list[str]] = {}
    for language in ("en", "lv", "uk"):
        app.start_visit(language)
        for name in RESIDENT_SCREENS:
            show(app, name)
            kiosk.frames(2)
            screen = app.screen(name)
            spoken = screen.spoken_text()
            assert spoken, f"{language}/{name} has nothing to read"
            for heading in headings(screen):
                assert heading in spoken, f"{language}/{name}: the heading {heading!r} is not read"
            said[language, name] = spoken
        app.show("home")
        for name in DIALOGS:
            dialog = app.open_dialog(name)
            kiosk.frames(2)
            assert dialog.spoken_text(), f"{language}/dialog {name} has nothing to read"
            said[language, f"dialog {name}"] = dialog.spoken_text()
            app.close_dialog(name)
        app.end_visit("test", farewell=False)
    for (language, name), spoken in said.items():
        if language != "en":
            # Not the English words in a Latvian or Ukrainian visit: the same catalogue the screen shows.
            assert spoken != said["en", name], f"{language}/{name} is read in English"


def test_a_residents_name_and_code_are_shown_but_never_read(kiosk):
    import datetime as dt

    from kiosk.eid.identity import Identity
    app = kiosk.app
    app.start_visit("en")
    app.show("eid_login")
    screen = app.screen("eid_login")
    identity = Identity(given_name="Anna", surname="Ozoliņa", personal_code="010180-12345", card="eID 2018",
                        not_after=dt.datetime(2030, 1, 1), issuer="test CA", certificate=b"")
    screen.show_identity(identity)
    kiosk.frames(2)
    shown = " ".join(screen.resident_text())
    spoken = " ".join(screen.spoken_text())
    assert "Ozoliņa" in shown and "Ozoliņa" not in spoken and "Anna" not in spoken
    assert identity.masked_code in shown and identity.masked_code not in spoken
    assert "PIN1" in spoken  # the rest of the screen is read
    screen.reset()


def test_the_queue_number_is_read_sign_by_sign(kiosk):
    from kiosk.desk_link.facade import Ticket
    app = kiosk.app
    for language, letter in (("lv", "A"), ("uk", "А")):
        app.start_visit(language)
        app.show("queue_ticket")
        screen = app.screen("queue_ticket")
        screen.show_ticket(Ticket("A042", 3, 12, "", None, True), printed=True)
        kiosk.frames(2)
        assert "A042" in screen.resident_text()
        spoken = screen.spoken_text()
        assert f"{letter}, 0 4 2" in spoken and "A042" not in spoken
        app.end_visit("test", farewell=False)


@pytest.fixture
def speaking_kiosk(make_driver, speech_settings):
    """The app with its voice going to a virtual sound card, and the core's events as it told them."""
    kiosk = make_driver(settings=speech_settings)
    told = []
    kiosk.core.subscribe(told.append)
    return kiosk, told


def speech_events(told):
    return [event for event in told if isinstance(event, (events.SpeechStarted, events.SpeechStopped))]


def test_the_speaker_button_reads_each_new_screen_and_language_cutting_the_old_short_until_the_visit_ends(
        speaking_kiosk, sink):
    kiosk, told = speaking_kiosk
    app = kiosk.app
    kiosk.tap(kiosk.find_text("English"))
    kiosk.tap(kiosk.root_widget("read_aloud_button"))
    assert app.reading_aloud and kiosk.core.speech.enabled
    assert kiosk.wait_until(lambda: any(isinstance(e, events.SpeechStarted) for e in told), 10)
    # A new screen while the home screen is being read: that is cut short, the new one is read.
    app.show("find_service")
    assert kiosk.wait_until(lambda: events.SpeechStopped(interrupted=True) in told, 10)
    started = len([e for e in told if isinstance(e, events.SpeechStarted)])
    # Another language mid-sentence: stopped, and started again in Ukrainian.
    app.set_language("uk")
    assert kiosk.wait_until(lambda: events.SpeechStarted("uk") in told, 10)
    assert len([e for e in told if isinstance(e, events.SpeechStopped) and e.interrupted]) >= 2
    assert len([e for e in told if isinstance(e, events.SpeechStarted)]) > started
    # What was cut short may be a fraction of a second; the Ukrainian reading, left to run, is heard at length.
    assert kiosk.wait_until(lambda: any(heard.seconds > 0.3 for heard in sink.heard), 10)
    # The visit's end turns reading off for the next resident.
    app.end_visit("resident", farewell=False)
    assert not app.reading_aloud and not kiosk.core.speech.enabled
    assert kiosk.core.visits.last_report.clean and "reading aloud" in kiosk.core.visits.last_report.wipers_run


def test_a_touched_button_says_what_it_does_before_it_acts(speaking_kiosk, sink):
    kiosk, told = speaking_kiosk
    app = kiosk.app
    kiosk.tap(kiosk.find_text("English"))
    kiosk.tap(kiosk.root_widget("read_aloud_button"))
    said = []
    speech = kiosk.core.speech
    real_say = speech.say

    def say(spoken, language, interrupt=True):  # listens in, then speaks as always
        said.append((spoken, language))
        return real_say(spoken, language, interrupt)
    speech.say = say
    try:
        kiosk.tap(kiosk.find_text("Take a queue ticket"))
    finally:
        del speech.say
    assert app.current_screen == "queue_ticket"  # it acted, on release, without a second tap
    assert [getattr(part, "text", part) for part in said[0][0]] == ["Take a queue ticket"]
    # Then the screen it opened is read, from its heading on.
    read = [getattr(part, "text", part) for spoken, _ in said[1:] for part in spoken]
    assert headings(app.screen("queue_ticket")) and set(headings(app.screen("queue_ticket"))) <= set(read)

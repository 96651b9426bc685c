"""The screenshot renderer captures what it names: the dialogs themselves, and the steps that matter."""

from __future__ import annotations

from tools.screenshots import Renderer


def test_screenshots_show_the_dialogs_and_the_steps_with_their_words(tmp_path, settings):
    renderer = Renderer(tmp_path, settings.path, languages=("en", "uk"), sizes=((0, ""),))
    rendered = renderer.render()
    ukrainian = {path.stem: path.with_suffix(".txt").read_text(encoding="utf-8") for path in rendered
                 if path.parent.name == "uk"}
    written = {path.stem: path for path in rendered if path.parent.name == "en"}
    assert written["dialog-idle_warning"].read_bytes() != written["home"].read_bytes()
    words = {name: path.with_suffix(".txt").read_text(encoding="utf-8") for name, path in written.items()}
    assert "Are you still here?" in words["dialog-idle_warning"]
    assert "A staff member is coming" in words["dialog-call_staff-answered"]
    assert "Your scanned pages" in words["scan_copy-pages"]
    assert "Print 1 page" in words["print-confirm"]
    assert "Your number" in words["queue_ticket-number"]
    assert "VK-4821" in words["video-booked"]
    # What each screen counts down is what the kiosk is configured to count, not the renderer's long timeouts.
    assert f"{settings.visit.goodbye_s} seconds" in words["goodbye"]
    assert f"{settings.visit.idle_countdown_s} seconds" in words["dialog-idle_warning"]
    # The answered call is its own picture: the next language's call starts unanswered.
    assert ukrainian["dialog-call_staff"] != ukrainian["dialog-call_staff-answered"]
    # The states a review could not see before: both PIN pads, a wrong PIN, the keyboards, high contrast.
    assert "Enter your PIN1" in words["eid_login-pin"] and "Wrong PIN." in words["eid_login-wrong_pin"]
    assert "2 tries left" in words["eid_login-wrong_pin"]
    assert "Next field" in words["eservice-keyboard_text"] or "Next field" in words["eservice-keyboard_number"]
    assert {"eservice-pin", "home-contrast", "dialog-call_staff-contrast", "goodbye-reminders"} <= set(written)
    assert "Take your eID card out" in words["goodbye-reminders"]
    for name, text in words.items():
        assert text.strip(), f"{name} has no words"

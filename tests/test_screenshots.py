"""The screenshot renderer captures what it names: the dialogs themselves, and the steps that matter."""

from __future__ import annotations

from tools.screenshots import Renderer


def test_screenshots_show_the_dialogs_and_the_steps_with_their_words(tmp_path, settings):
    renderer = Renderer(tmp_path, settings.path, languages=("en",), sizes=((0, ""),))
    written = {path.stem: path for path in renderer.render()}
    assert written["dialog-idle_warning"].read_bytes() != written["home"].read_bytes()
    words = {name: path.with_suffix(".txt").read_text(encoding="utf-8") for name, path in written.items()}
    assert "Are you still here?" in words["dialog-idle_warning"]
    assert "A staff member is coming" in words["dialog-call_staff-answered"]
    assert "Your scanned pages" in words["scan_copy-pages"]
    assert "Print 1 page" in words["print-confirm"]
    assert "Your number" in words["queue_ticket-number"]
    assert "VK-4821" in words["video-booked"]
    for name, text in words.items():
        assert text.strip(), f"{name} has no words"

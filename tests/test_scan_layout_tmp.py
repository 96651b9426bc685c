"""Temporary: the lead's layout check, over scan_copy's states only."""
import pytest
from test_layout_check import check_screen


@pytest.mark.parametrize("language", ["lv", "en", "uk"])
@pytest.mark.parametrize("step", [0, 1, 2])
def test_scan_copy_states_fit(kiosk, language, step):
    from screens.theme import theme
    app = kiosk.app
    app.start_session(language)
    theme.text_size_step = step
    app.show("scan_copy")
    problems = check_screen(kiosk, "scan_copy", f"{language}/{step}", step)
    theme.text_size_step = 0
    assert problems == [], "\n".join(problems)

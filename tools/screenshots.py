"""Renders every screen and dialog in each language, at normal and extra-large text, to PNG files."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

from tools.driver import AppDriver, prepare_environment

DIALOGS = ("idle_warning", "confirm_end", "call_staff", "language", "channel_info")
EXAMPLE_SERVICE = "vsaa-sickness-benefit"
SIZES = ((0, ""), (2, "-xl"))  # (text size step, file name suffix)


def render_all(out_dir: Path, config: Path | None = None) -> list[Path]:
    from kiosk.config import load_settings
    from screens import SCREENS
    from kiosk.idle import Timings

    settings = load_settings(config)
    runtime = Path(tempfile.mkdtemp(prefix="kiosk-screenshots-"))
    settings = dataclasses.replace(settings, session=dataclasses.replace(settings.session, runtime_dir=runtime))
    driver = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600))
    app = driver.app
    from screens.theme import theme  # imported once the window exists at its configured size
    written = []
    for language in settings.ui.languages:
        for step, suffix in SIZES:
            app.start_session(language)
            theme.text_size_step = step
            for name in SCREENS:
                if name == "service":
                    app.show_service(EXAMPLE_SERVICE)
                else:
                    app.show(name)
                if name == "admin":
                    app.screen(name).dispatch("on_pre_enter")
                written.append(driver.screenshot(out_dir / language / f"{name}{suffix}.png"))
            app.show("find_service")
            for query, shot in (("slimibas", "find_service-results"), ("xyzzy", "find_service-nothing")):
                app.screen("find_service").query = query
                written.append(driver.screenshot(out_dir / language / f"{shot}{suffix}.png"))
            app.screen("find_service").query = ""
            app.show_service(EXAMPLE_SERVICE)
            app.show("home")
            for name in DIALOGS:
                dialog = app.open_dialog(name)
                if name == "idle_warning":
                    dialog.seconds_left = 25
                if name == "channel_info":
                    app.close_dialog(name)
                    app.screen("service").choose("self")
                written.append(driver.screenshot(out_dir / language / f"dialog-{name}{suffix}.png"))
                app.close_dialog(name)
            app.end_session("screenshots", farewell=False)
    driver.close()
    return written


def main() -> int:
    prepare_environment()
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots")
    files = render_all(out_dir)
    print(f"{len(files)} screenshots in {out_dir}/<language>/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`kiosk out-of-order`: what a kiosk that keeps failing ends on, in every language, with no kiosk.ini at all."""

import os
import subprocess
import sys
import time
from pathlib import Path

from screens.out_of_order import out_of_order_lines

KIOSK = str(Path(sys.executable).parent / "kiosk")


def test_the_sentence_is_there_in_latvian_first_then_english_and_ukrainian():
    lines = out_of_order_lines()
    assert [heading for heading, _ in lines] == ["Šis dators nedarbojas", "This computer is out of order",
                                                 "Цей комп’ютер не працює"]
    assert all(sentence and sentence != lines[1][1] for _, sentence in lines[::2])  # translated, not English


def test_it_shows_a_window_without_any_kiosk_ini_and_only_a_signal_ends_it(tmp_path):
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_FILELOG": "1"}
    # Run where no kiosk.ini is to be found: a broken or missing one may be why the kiosk is out of order.
    process = subprocess.Popen([KIOSK, "out-of-order"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        window = ""
        deadline = time.monotonic() + 30
        while not window and time.monotonic() < deadline and process.poll() is None:
            window = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(process.pid)],
                                    capture_output=True, text=True).stdout.strip()
            time.sleep(0.2)
        assert window, "no window shown"
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window.split()[0]], capture_output=True,
                                  text=True).stdout
        screen = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True, text=True).stdout.split()
        assert f"Geometry: {screen[0]}x{screen[1]}" in geometry  # the whole screen, nothing of a console left
        # Keys a passer-by might press do not close it.
        subprocess.run(["xdotool", "key", "--window", window.split()[0], "Escape", "alt+F4", "ctrl+q"])
        time.sleep(1)
        assert process.poll() is None
        process.terminate()
        output, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert "Traceback" not in output

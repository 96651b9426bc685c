"""A private SANE configuration with only the `test` backend, raised to A4: the scanner of the demo, tests and bench."""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")

# The backend's own defaults (sane-backends' test.conf), except: one device instead of two, a geometry range
# that holds A4 (it stops at 200 mm), an A4 scan area, and a picture that looks like a page.
TEST_CONF = """\
number_of_devices 1
mode Gray
depth 8
hand-scanner false
three-pass false
three-pass-order RGB
resolution_min 1.0
resolution_max 1200.0
resolution_quant 1.0
resolution 300.0
test-picture "Grid"
invert-endianess false
read-limit false
read-limit-size 1
read-delay false
read-delay-duration 1000
read-status-code "Default"
fuzzy-parameters false
ppl-loss 0
non-blocking false
select-fd false
enable-test-options false
geometry_min 0.0
geometry_max 300.0
geometry_quant 1.0
tl_x 0.0
tl_y 0.0
br_x 210.0
br_y 297.0
"""

# The test backend's pictures; "Grid" prints lines a resident recognises as a page being scanned.
DEMO_OPTIONS = {"test_picture": "Grid"}


def make_config_dir(directory: Path, with_scanner: bool = True) -> Path:
    """Write dll.conf (only `test`, or nothing for "no scanner") and test.conf into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    # Listing only `test` also makes device discovery take milliseconds instead of probing every backend.
    (directory / "dll.conf").write_text("test\n" if with_scanner else "", encoding="utf-8")
    (directory / "test.conf").write_text(TEST_CONF, encoding="utf-8")
    return directory


def use_config_dir(directory: Path) -> None:
    """Point SANE at the directory; libsane reads SANE_CONFIG_DIR when it initialises, so call this first."""
    os.environ["SANE_CONFIG_DIR"] = str(directory)


def use_test_backend(folder: Path) -> dict:
    """Make the test backend this process's scanner; returns the options that make its picture look like paper.

    SANE reads its folder once per process: a folder already chosen (by the tests) is kept.
    """
    use_config_dir(make_config_dir(Path(os.environ.get("SANE_CONFIG_DIR") or folder)))
    return DEMO_OPTIONS

"""Test set-up: a private Kivy home and a kiosk.ini per test, and the real app driven frame by frame."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screens.driver import prepare_environment  # noqa: E402  (must run before anything imports Kivy)

prepare_environment()

from kiosk.config import load_settings  # noqa: E402
from kiosk.idle import Timings  # noqa: E402

TEST_PIN = "246810"  # the demo kiosk.ini's administrator PIN
FAST = Timings(idle_warning_s=0.6, idle_countdown_s=0.8, goodbye_s=0.3, tick_s=0.05)
CALM = Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600, tick_s=0.05)


@pytest.fixture
def settings(tmp_path):
    """The repository's kiosk.ini, with the runtime and state folders moved into this test's folder."""
    base = load_settings(ROOT / "kiosk.ini")
    session = dataclasses.replace(base.session, runtime_dir=tmp_path / "runtime")
    kiosk = dataclasses.replace(base.kiosk, state_dir=tmp_path / "state")
    return dataclasses.replace(base, session=session, kiosk=kiosk)


@pytest.fixture
def make_driver(settings):
    from screens.driver import AppDriver
    drivers = []

    def make(timings: Timings = CALM, settings=settings):
        driver = AppDriver(settings, timings)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


@pytest.fixture
def kiosk(make_driver):
    """A running kiosk app that never goes idle by itself."""
    return make_driver()

"""Scanning test set-up: the SANE test backend in a private config, a visit, the service, a loop-mounted stick."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kiosk.scanning import device
from kiosk.scanning.testbackend import make_config_dir
from kiosk.visits import Visits
from scanning.helpers import Events, LoopStick


@pytest.fixture(scope="session")
def sane_config_dir(tmp_path_factory):
    """One private SANE_CONFIG_DIR for the whole run: libsane reads the variable at its first init and keeps
    that folder for the life of the process, so it cannot change from test to test."""
    # The app's test driver may have chosen the folder already (prepare_environment): keep to that one.
    given = os.environ.get("SANE_CONFIG_DIR")
    directory = make_config_dir(Path(given) if given else tmp_path_factory.mktemp("sane"))
    os.environ["SANE_CONFIG_DIR"] = str(directory)
    yield directory
    device.shutdown_sane()


@pytest.fixture
def sane_dir(sane_config_dir):
    """The test backend (A4) as the only scanner, with SANE initialised afresh for each test: the test
    backend keeps its option values (a jam, say) for as long as SANE runs."""
    make_config_dir(sane_config_dir)
    device.shutdown_sane()
    yield sane_config_dir
    device.shutdown_sane()
    make_config_dir(sane_config_dir)


@pytest.fixture
def visits(tmp_path):
    manager = Visits(tmp_path / "runtime")
    manager.prepare()
    yield manager
    manager.end("test over")


@pytest.fixture
def visit(visits):
    return visits.start()


@pytest.fixture
def events():
    return Events()


@pytest.fixture
def make_service(sane_dir, events, tmp_path):
    from kiosk.scanning.service import ScanService
    services = []

    def make(extra_options=None, device_name: str = ""):
        service = ScanService(events.put, device_name, extra_options)
        service.start()
        services.append(service)
        return service

    yield make
    for service in services:
        service.stop()


@pytest.fixture
def usb_stick(tmp_path):
    """An 8 MB stick (FAT, or ext4 on a kernel without vfat), mounted under tmp_path/media; unmounted and
    detached afterwards whatever happened."""
    if os.geteuid() != 0 or not shutil.which("losetup") or not shutil.which("mkfs.vfat"):
        pytest.fail("USB tests need root, losetup and mkfs.vfat (dosfstools): run them through 'make test'")
    stick = LoopStick(tmp_path / "stick.img", tmp_path / "media")
    try:
        yield stick.create(8).mount()
    finally:
        stick.remove()

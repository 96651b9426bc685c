"""The locked browser with a keyboard plugged in, with and without the managed policies a real kiosk has installed.

A resident (or a passer-by) at the free computer's keyboard: Chromium's shortcuts after a real click in the page,
addresses the kiosk does not open, a download and a page printed by its own button. Whatever happens, the screen
shows the kiosk's window and the e-service's page, and nothing of Chromium's own: the X server's own list of the
windows shown is the judge (tests/support/x_windows.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess

import pytest

from tests.support.eservice_site import EServiceSite
from kiosk.browser.pages import BLOCKED, FAILED
from kiosk.browser.policies import policies_for, policy_text
from kiosk.browser.service import PROFILE_FOLDER, browser_process, processes_of
from kiosk.catalog import load_with_fallback
from kiosk.i18n import translate
from tests.support.managed_chromium import ManagedChromium
from test_browser import in_page, open_page, page_shown, touch_screen
from tests.support.x_windows import MapRecorder, WindowSampler, shown_windows

LANGUAGES = {"lv": "Latviešu", "en": "English", "uk": "Українська"}
# Chromium's shortcuts a keyboard could send after a click in the page: files, printing, history, downloads, new
# windows and tabs, saving, full screen, developer tools, source, caret browsing, menus, closing, the address bar,
# and the window system's own (Super, Alt+Tab, a text console).
SHORTCUTS = ["ctrl+o", "ctrl+p", "ctrl+h", "ctrl+j", "ctrl+t", "ctrl+n", "ctrl+shift+n", "ctrl+s", "F11", "F12",
             "ctrl+shift+i", "ctrl+shift+c", "ctrl+u", "F7", "Menu", "shift+F10", "alt+f", "ctrl+shift+Delete",
             "ctrl+shift+b", "ctrl+shift+Escape", "super", "alt+Tab", "ctrl+alt+F1", "ctrl+alt+F2", "ctrl+w",
             "alt+F4"]


@pytest.fixture
def site():
    served = EServiceSite()
    yield served
    served.close()


@pytest.fixture(params=["without policies", "with policies"])
def lockdown_settings(request, print_settings, tmp_path):
    """The local e-service as the one host the browser opens; with the policies, Chromium reads the kiosk's own."""
    browser = dataclasses.replace(print_settings.browser, allowed_hosts=("127.0.0.1",), warm_up=True)
    settings = dataclasses.replace(print_settings, browser=browser)
    if request.param == "with policies":
        managed = ManagedChromium(tmp_path / "managed-chromium")
        settings = dataclasses.replace(settings, browser=dataclasses.replace(
            browser, chromium=managed.wrapper(), policies_dir=managed.policies_dir, require_policies=True))
        catalog = load_with_fallback(settings.catalog.path, settings.kiosk.state_dir).catalog
        managed.install(policy_text(policies_for(settings, catalog)))
    return settings


def foreign_windows(kiosk, screen) -> list:
    """Windows shown that are neither the kiosk's (this test's process) nor the page's at its place."""
    bounds = screen.bounds()
    page = (bounds.left, bounds.top, bounds.width, bounds.height)
    browser = set(processes_of(kiosk.core.visit.directory / PROFILE_FOLDER)) if kiosk.core.visit else set()
    return [shown for shown in shown_windows()
            if shown.pid != os.getpid()
            and not (shown.pid in browser and (shown.x, shown.y, shown.width, shown.height) == page)]


def page_title(kiosk) -> str:
    """The title of the page shown, as Chromium gives it to its window."""
    pid = browser_process(kiosk.core.visit.directory / PROFILE_FOLDER)
    return " ".join(shown.title for shown in shown_windows() if shown.pid == pid)


def key(*keys: str) -> None:
    subprocess.run(["xdotool", "key", "--delay", "60", *keys], check=True)


def test_no_shortcut_shows_anything_of_chromium_and_typing_in_fields_still_works(make_driver, lockdown_settings,
                                                                                  site):
    kiosk = make_driver(settings=lockdown_settings)
    screen = open_page(kiosk, site.url)
    touch_screen(*in_page(screen, "name"))  # a real click: the page's window has the keyboard now
    kiosk.wait(0.5)
    [page] = [shown.window for shown in shown_windows() if shown.pid != os.getpid()]
    recorder = MapRecorder()  # every window mapped meanwhile, however briefly
    try:
        for shortcut in SHORTCUTS:
            key(shortcut)
            kiosk.wait(0.3)
            assert page_shown(screen), f"after {shortcut} the e-service's page is not on the screen"
            assert kiosk.core.eservice.is_open and screen.state == "open", shortcut
            assert foreign_windows(kiosk, screen) == [], shortcut
    finally:
        recorder.stop()
    assert [shown for shown in recorder.on_screen() if shown.pid != os.getpid() and shown.window != page] == []
    # The address bar's shortcut, then an address typed blind and Enter: the words went into the page's own field,
    # and Enter sent its form. No address bar took them.
    key("ctrl+l")
    subprocess.run(["xdotool", "type", "--delay", "30", "example.com"], check=True)
    key("Return")
    assert kiosk.wait_until(lambda: site.submitted, 10)
    assert site.submitted[-1]["name"] == "example.com" and foreign_windows(kiosk, screen) == []
    assert {request["host"] for request in site.requests} == {site.url.split("/")[2]}
    screen.start(site.url)
    screen.on_pre_enter()
    assert kiosk.wait_until(lambda: page_shown(screen), 20)
    # Typing, Tab, Backspace and Ctrl+A/C/V in the page's fields keep working, and Enter sends the form.
    touch_screen(*in_page(screen, "name"))
    kiosk.wait(0.3)
    subprocess.run(["xdotool", "type", "--delay", "30", "Janis"], check=True)
    key("ctrl+a", "ctrl+c", "End", "ctrl+v", "BackSpace", "Tab")
    subprocess.run(["xdotool", "type", "--delay", "30", "2612"], check=True)
    key("Return")
    assert kiosk.wait_until(lambda: len(site.submitted) == 2, 10)
    assert site.submitted[-1]["name"] == "JanisJani" and site.submitted[-1]["phone"] == "2612"
    assert kiosk.wait_until(lambda: foreign_windows(kiosk, screen) == [], 5)  # the page grows as the keys go


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_blocked_and_a_failed_address_show_the_kiosks_page_in_the_residents_language(
        make_driver, lockdown_settings, site, language):
    kiosk = make_driver(settings=lockdown_settings)
    screen = open_page(kiosk, site.url, LANGUAGES[language])
    touch_screen(*in_page(screen, "elsewhere"))  # another host: the kiosk does not open it
    blocked = translate(language, BLOCKED[0])
    assert kiosk.wait_until(lambda: blocked in page_title(kiosk), 15), page_title(kiosk)
    assert foreign_windows(kiosk, screen) == []
    with socket.socket() as probe:  # a port nothing listens on: the e-service does not answer
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    screen.start(f"http://127.0.0.1:{closed}/")
    screen.on_pre_enter()
    failed = translate(language, FAILED[0])
    assert kiosk.wait_until(lambda: failed in page_title(kiosk), 15), page_title(kiosk)
    assert foreign_windows(kiosk, screen) == []


def test_a_download_and_a_page_printed_by_its_button_show_no_window_of_chromium(make_driver, lockdown_settings,
                                                                                 site):
    kiosk = make_driver(settings=lockdown_settings)
    screen = open_page(kiosk, site.url)
    sampler = WindowSampler(every_s=0.1)
    try:
        touch_screen(*in_page(screen, "decision"))
        assert kiosk.wait_until(lambda: screen.state == "download", 10)
        kiosk.wait(6)  # Chromium's "Download started" toast would show for about 5 s
        kiosk.tap(kiosk.find_text("Keep it for later in this visit"))
        assert kiosk.wait_until(lambda: page_shown(screen), 10)
        touch_screen(*in_page(screen, "print"))
        assert kiosk.wait_until(lambda: screen.state == "download", 10)
        kiosk.wait(2)
    finally:
        samples = sampler.stop()
    assert len(samples) > 10  # it looked all along (on a loaded machine less often than every 100 ms)
    kiosk_pid, browser = os.getpid(), set(processes_of(kiosk.core.visit.directory / PROFILE_FOLDER))
    bounds = screen.bounds()
    page = (bounds.left, bounds.top, bounds.width, bounds.height)
    for sample in samples:
        others = [shown for shown in sample if shown.pid != kiosk_pid
                  and not (shown.pid in browser and (shown.x, shown.y, shown.width, shown.height) == page)]
        assert others == [], others


def test_chromium_runs_with_one_feature_list_and_no_offer_to_translate(make_driver, lockdown_settings, site):
    kiosk = make_driver(settings=lockdown_settings)
    open_page(kiosk, site.url)
    profile = kiosk.core.visit.directory / PROFILE_FOLDER
    command = (open(f"/proc/{browser_process(profile)}/cmdline", "rb").read().decode().split("\0"))
    # Playwright's list of features to disable is the one given: a second would silently replace it.
    assert len([arg for arg in command if arg.startswith("--disable-features=")]) == 1
    preferences = json.loads((profile / "Default" / "Preferences").read_text(encoding="utf-8"))
    assert preferences["translate"]["enabled"] is False


def test_without_the_policies_kiosk_ini_makes_a_kiosk_offers_no_page(make_driver, settings, tmp_path):
    from kiosk.browser.policies import POLICY_FILE
    managed = tmp_path / "policies"
    managed.mkdir()
    strict = dataclasses.replace(settings, browser=dataclasses.replace(
        settings.browser, policies_dir=managed, require_policies=True))
    kiosk = make_driver(settings=strict)
    catalog = kiosk.core.catalog.catalog
    service = next(s for s in catalog.services if s.channels.self_service is not None)
    assert "self" not in kiosk.core.ways_here(service)  # none installed
    wanted = policies_for(strict, catalog)
    loosened = dict(wanted, URLAllowlist=wanted["URLAllowlist"] + ["example.com"])
    (managed / POLICY_FILE).write_text(policy_text(loosened), encoding="utf-8")
    assert "self" not in kiosk.core.ways_here(service)  # installed, but not the ones kiosk.ini makes
    (managed / POLICY_FILE).write_text(policy_text(wanted), encoding="utf-8")
    assert kiosk.core.ways_here(service)[0] == "self"

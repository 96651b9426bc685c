"""Doing the e-service on this computer: the real app with Debian's Chromium on the Xvfb display, used by taps."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import ImageGrab

from conftest import FAST, card_identity
from tests.support.eservice_site import PAGE_COLOUR, PLACES, EServiceSite
from kiosk.browser.service import PROFILE_FOLDER, processes_of
from tools.virtual_card import CardSpec
from tests.support.x_windows import MapRecorder



@pytest.fixture
def site():
    served = EServiceSite()
    yield served
    served.close()


@pytest.fixture
def browser_settings(print_settings):
    """The print lab's printers, and the local e-service as the one host the browser may open."""
    return dataclasses.replace(print_settings, browser=dataclasses.replace(print_settings.browser,
                                                                           allowed_hosts=("127.0.0.1",), warm_up=True))


def screen_colour(x: int, y: int) -> tuple[int, int, int]:
    """A pixel of the whole X display: what a person in front of the kiosk sees, browser and kiosk together."""
    return ImageGrab.grab(xdisplay=os.environ["DISPLAY"]).getpixel((x, y))[:3]


def touch_screen(x: float, y: float) -> None:
    """A finger on the screen at (x, y): a real X pointer click, which lands on whichever window is there. The
    pointer comes from beside the spot: a page mapped under a pointer that never moves may miss its first click."""
    subprocess.run(["xdotool", "mousemove", str(int(x) + 3), str(int(y) + 3), "mousemove", str(int(x)), str(int(y)),
                    "click", "1"], check=True)


def on_screen(kiosk, widget) -> tuple[float, float]:
    """Where a kiosk widget's middle is on the X display."""
    x, y = widget.to_window(*widget.center)
    return kiosk.window.left + x, kiosk.window.top + kiosk.window.height - y


def in_page(screen, place: str) -> tuple[float, float]:
    bounds = screen.bounds()
    x, y = PLACES[place]
    return bounds.left + x, bounds.top + y


def open_page(kiosk, url: str, language: str = "English"):
    kiosk.tap(kiosk.find_text(language))
    screen = kiosk.app.screen("eservice")
    screen.start(url)
    kiosk.app.show("eservice")
    assert kiosk.wait_until(lambda: screen.state == "open", 20), (screen.state, screen.body)
    assert kiosk.wait_until(lambda: page_shown(screen), 20), f"the page never showed: {shown_now(screen)}"
    return screen


def shown_now(screen) -> str:
    from tests.support.x_windows import shown_windows
    return f"the page belongs at {screen.bounds()}; shown: {shown_windows()}"


def page_shown(screen) -> bool:
    """The page fills the place it belongs in now: its top (which moves under the note that a page may be in
    Latvian only) as well as its foot."""
    bounds = screen.bounds()
    right = bounds.left + bounds.width - 40
    return (screen_colour(right, bounds.top + bounds.height - 40) == PAGE_COLOUR
            and screen_colour(right, bounds.top + 3) == PAGE_COLOUR)


def profile_of(kiosk):
    return kiosk.core.visit.directory / PROFILE_FOLDER


def browser_gone(profile) -> bool:
    return not processes_of(profile) and not profile.exists()


def test_over_the_page_a_resident_who_reads_no_latvian_is_told_it_may_be_latvian_and_who_helps(
        make_driver, browser_settings, site):
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url, language="Українська")
    note = screen.ids.language_note
    assert "латиською" in note.text and "«Покликати працівника»" in note.text
    note_x, note_y = on_screen(kiosk, note)
    assert kiosk.wait_until(lambda: screen.bounds().top > note_y + note.height / 2, 5)  # the page starts below it
    assert kiosk.wait_until(lambda: screen_colour(int(note_x), int(note_y)) != PAGE_COLOUR, 5), shown_now(screen)
    touch_screen(*in_page(screen, "name"))  # a Latvian form: the keyboard starts in Latin letters
    assert kiosk.wait_until(lambda: screen.keyboard_kind == "text", 5)
    assert screen.ids.letters.layout == "lv" and screen.ids.letters.ids.search_key.text == "Наступне поле"
    kiosk.app.set_language("lv")  # a Latvian reader needs no such note, and the page takes the room again
    assert kiosk.wait_until(lambda: note.height == 0 and page_shown(screen), 5)


def test_the_page_opens_below_the_top_bar_which_keeps_working_over_it(make_driver, browser_settings, site):
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    top_bar = kiosk.root_widget("call_staff_button")
    bar_x, bar_y = on_screen(kiosk, top_bar)
    assert screen.bounds().top >= bar_y  # the page starts below the bar
    assert screen_colour(int(bar_x), int(bar_y)) != PAGE_COLOUR
    # The top bar's Call staff, touched on the screen: its dialog shows, the page steps aside, then comes back.
    touch_screen(bar_x, bar_y)
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("call_staff"), 5)
    assert kiosk.wait_until(lambda: not page_shown(screen), 5)
    kiosk.app.close_dialog("call_staff")
    assert kiosk.wait_until(lambda: page_shown(screen), 5)
    # Finish from the top bar, while the page is open: the browser and its profile go with the visit.
    profile = profile_of(kiosk)
    assert processes_of(profile)
    touch_screen(*on_screen(kiosk, kiosk.root_widget("end_visit_button")))
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("confirm_end"), 5)
    kiosk.tap(kiosk.find_text("Yes, I'm finished"))
    assert kiosk.wait_until(lambda: kiosk.app.current_screen == "goodbye", 10)
    assert browser_gone(profile)
    assert kiosk.core.visits.last_report.clean and "browser" in kiosk.core.visits.last_report.wipers_run


def test_typing_on_the_kiosk_keyboard_fills_the_page_and_digits_get_a_number_pad(make_driver, browser_settings,
                                                                                  site):
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    touch_screen(*in_page(screen, "name"))
    assert kiosk.wait_until(lambda: screen.keyboard_kind == "text", 5)
    letters = screen.ids.letters
    kiosk.tap(letters.ids.layout_key)  # from English letters to Latvian ones, as a resident would switch
    for key in ("j", "ā", "n", "i", "s"):
        kiosk.tap(next(button for button in letters.walk() if getattr(button, "character", None) == key))
    kiosk.tap(letters.ids.search_key)  # "Next field", to the phone field: digits only
    assert letters.ids.search_key.text == "Next field"
    assert kiosk.wait_until(lambda: screen.keyboard_kind == "number", 5)
    for digit in "2612":
        kiosk.tap(next(button for button in screen.ids.number_pad.children if button.text == digit))
    kiosk.tap(screen.ids.done_typing)
    kiosk.wait(0.5)
    touch_screen(*in_page(screen, "send"))
    assert kiosk.wait_until(lambda: site.submitted, 10)
    assert site.submitted[0]["name"] == "jānis" and site.submitted[0]["phone"] == "2612"


def test_an_upload_offers_only_this_visits_files(make_driver, browser_settings, site):
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    kept = kiosk.core.visit.directory / "scans" / "scan.pdf"
    kept.write_bytes(b"%PDF-1.4 the resident's kept scan")
    kiosk.core.visit.scans.kept_pdf = kept
    touch_screen(*in_page(screen, "attachment"))
    assert kiosk.wait_until(lambda: screen.state == "choose_file", 10)
    assert screen.files == [kept]  # the visit's files, nothing of the disk
    assert kiosk.wait_until(lambda: not page_shown(screen), 5)
    kiosk.tap(kiosk.find_text("scan.pdf"))
    assert kiosk.wait_until(lambda: page_shown(screen), 5)
    touch_screen(*in_page(screen, "send"))
    assert kiosk.wait_until(lambda: site.submitted, 10)
    assert site.submitted[0]["file"] == "scan.pdf" and site.submitted[0]["size"] == kept.stat().st_size


def test_a_download_is_printed_through_the_kiosks_print_flow_and_quota(make_driver, browser_settings, site,
                                                                       print_lab, tmp_path):
    from tests.support.printed_output import pdf_text
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    touch_screen(*in_page(screen, "decision"))
    assert kiosk.wait_until(lambda: screen.state == "download", 10)
    [download] = kiosk.core.visit.eservice.files
    assert download.parent.parent == kiosk.core.visit.directory  # in the visit, deleted with it
    kiosk.tap(kiosk.find_text("Print it"))
    printing = kiosk.app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", 30)
    kiosk.tap(kiosk.find_text("Print 1 page"))
    assert kiosk.wait_until(lambda: printing.state == "done", 30), printing.body
    [received] = print_lab.received_documents()
    assert "Decision No. 42" in pdf_text(received.read_bytes(), tmp_path)
    assert kiosk.core.pages_left() == 19
    # Printing from the page itself goes the same way, never straight to a printer.
    kiosk.app.show("eservice")
    assert kiosk.wait_until(lambda: page_shown(screen), 10)
    touch_screen(*in_page(screen, "print"))
    assert kiosk.wait_until(lambda: screen.state == "download", 10)
    assert len(kiosk.core.visit.eservice.files) == 2 and len(print_lab.received_documents()) == 1


def test_another_host_shows_the_kiosks_own_page(make_driver, browser_settings, site):
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    touch_screen(*in_page(screen, "elsewhere"))
    assert kiosk.wait_until(lambda: not page_shown(screen), 10)
    bounds = screen.bounds()
    assert screen_colour(bounds.left + bounds.width - 40, bounds.top + bounds.height - 40) == (255, 255, 255)
    assert not [request for request in site.requests if request["host"].startswith("localhost")]


def test_taking_the_card_out_closes_the_browser_and_the_visit_goes_on(make_driver, browser_settings, site,
                                                                      insert_card):
    kiosk = make_driver(settings=browser_settings)
    card = insert_card(CardSpec())
    assert kiosk.wait_until(lambda: card_identity(kiosk) is not None, 10)
    kiosk.app.set_language("en")
    screen = kiosk.app.screen("eservice")
    screen.start(site.url)
    kiosk.app.show("eservice")
    assert kiosk.wait_until(lambda: page_shown(screen), 20)
    profile = profile_of(kiosk)
    card.remove()
    assert kiosk.wait_until(lambda: screen.state == "closed", 10)
    assert "took your eID card out" in screen.body
    assert browser_gone(profile)
    assert kiosk.core.visit is not None  # the resident carries on without the card


def test_idle_warns_above_the_page_then_ends_the_visit_with_the_browser(make_driver, browser_settings, site):
    from kiosk.idle import Timings
    kiosk = make_driver(timings=Timings(idle_warning_s=4, idle_countdown_s=2, goodbye_s=0.3, tick_s=0.05),
                        settings=browser_settings)
    kiosk.core.idle.warning_after_s = 3600  # the page loads slowly on a busy machine: no warning while it does
    screen = open_page(kiosk, site.url)
    kiosk.core.idle.warning_after_s = 4
    kiosk.core.idle.touched()  # the 4 s count from the page shown
    profile = profile_of(kiosk)
    assert kiosk.wait_until(lambda: kiosk.app.dialog_is_open("idle_warning"), 10)
    # The warning is above everything: the browser's thread moves the page out of sight as it opens.
    assert kiosk.wait_until(lambda: not page_shown(screen), 3)
    assert kiosk.wait_until(lambda: kiosk.core.visit is None, 10)
    assert browser_gone(profile)


def test_activity_in_the_page_keeps_the_visit_alive(make_driver, browser_settings, site):
    from kiosk.idle import IdleState
    kiosk = make_driver(timings=FAST, settings=browser_settings)
    kiosk.core.idle.warning_after_s = 3600  # the page loads slowly on a busy machine: no warning while it does
    screen = open_page(kiosk, site.url)
    kiosk.core.idle.warning_after_s = 4
    for _ in range(4):
        kiosk.wait(1.5)
        touch_screen(*in_page(screen, "name"))  # the touch reaches the page, not the kiosk's window
    kiosk.frames(2)
    assert kiosk.core.idle.reading().state is IdleState.ACTIVE and kiosk.core.visit is not None


def test_a_killed_chromium_says_so_plainly_and_the_next_try_works(make_driver, browser_settings, site):
    import tempfile
    temporary = Path(tempfile.gettempdir())
    before = set(temporary.glob("org.chromium.Chromium.*"))
    kiosk = make_driver(settings=browser_settings)
    screen = open_page(kiosk, site.url)
    for pid in processes_of(profile_of(kiosk)):
        os.kill(pid, signal.SIGKILL)
    assert kiosk.wait_until(lambda: screen.state == "closed", 15)
    assert "The page closed. Try again or call staff." in screen.body
    kiosk.tap(kiosk.find_text("Try again"))
    assert kiosk.wait_until(lambda: screen.state == "open" and page_shown(screen), 20)
    kiosk.app.end_visit("resident", farewell=False)
    # Chromium killed leaves its single-instance socket behind: in the visit's folder, so it went with it.
    assert set(temporary.glob("org.chromium.Chromium.*")) == before


def test_the_next_visit_has_no_cookie_or_history_of_the_last(make_driver, browser_settings, site):
    kiosk = make_driver(settings=browser_settings)
    open_page(kiosk, site.url)
    open_page_again = site.url + "again"
    kiosk.app.end_visit("resident", farewell=False)
    kiosk.app.show("greeting")
    before = len(site.requests)
    open_page(kiosk, open_page_again)
    fresh = [request for request in site.requests[before:] if request["path"] == "/again"]
    assert fresh and all(not request["cookie"] for request in fresh)
    runtime = kiosk.core.settings.visit.runtime_dir
    assert [path.name for path in runtime.iterdir()] == [kiosk.core.visit.directory.name]
    kiosk.app.end_visit("resident", farewell=False)
    time.sleep(0.2)
    assert list(runtime.iterdir()) == []


LOGIN_COLOUR = (170, 238, 255)


def test_the_card_logs_in_to_the_e_service_with_pin1_on_the_kiosks_own_pad(make_driver, browser_settings, tmp_path,
                                                                          monkeypatch):
    from tests.support.eid_browser_lab import SOFTHSM_MODULE, TOKEN_PIN, EidBrowserLab
    from screens.widgets import pad_key_label
    from kiosk.browser.nss import nss_db, register_module
    from kiosk.browser.policies import policies_for, policy_text
    from kiosk.catalog import load_with_fallback
    lab = EidBrowserLab(tmp_path / "eid-lab")
    monkeypatch.setenv("SOFTHSM2_CONF", str(lab.softhsm_conf))  # where SoftHSM keeps the stand-in card
    settings = dataclasses.replace(browser_settings, browser=dataclasses.replace(
        browser_settings.browser, chromium=lab.chromium_wrapper(), login_hosts=("127.0.0.1",),
        pkcs11_module=SOFTHSM_MODULE, home=lab.home, policies_dir=lab.etc_chromium / "policies" / "managed"))
    # What an administrator installs once: the managed policies (with the auto-selected certificate) and a
    # public CA the login site's certificate comes from. The module itself the kiosk registers on first use.
    catalog = load_with_fallback(settings.catalog.path, settings.kiosk.state_dir).catalog
    lab.install_policies(policy_text(policies_for(settings, catalog)))
    db = nss_db(lab.home)
    register_module(SOFTHSM_MODULE, db)  # only so the CA can be trusted in the database before the kiosk starts
    lab.trust_login_ca(db)
    certificates_before = subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True).stdout
    recorder = MapRecorder()  # every window the X server maps during the login, and where
    try:
        kiosk = make_driver(settings=settings)
        kiosk.tap(kiosk.find_text("English"))
        screen = kiosk.app.screen("eservice")
        screen.start(lab.login_url)
        kiosk.app.show("eservice")
        assert kiosk.wait_until(lambda: screen.state == "pin", 30), (screen.state, screen.body)
        assert "127.0.0.1" in screen.body  # which site asks for the card
        # The kiosk's one PIN pad, as on the card's login screen: 3 by 4, OK beside the digits, nothing else on it.
        pad = {button.text: button for button in screen.ids.pin_pad.children}
        assert screen.ids.pin_pad.cols == 3 and len(pad) == 12 and "+" not in pad
        # Only the pad and the dots of what is typed beside it: no letters, no "Next field".
        assert [widget.__self__ for widget in screen.ids.keyboard.children] == [screen.ids.pin_row.__self__]
        kiosk.tap(pad["1"])
        kiosk.tap(pad["OK"])  # too short: said, and nothing goes to the card
        assert "PIN1 has 4 to 12 digits." in screen.body and screen.state == "pin"
        kiosk.tap(pad[pad_key_label("erase")])
        assert screen.pin_length == 0
        for digit in "9999":
            kiosk.tap(pad[digit])
        kiosk.tap(pad["OK"])
        assert kiosk.wait_until(lambda: screen.state == "pin" and "Wrong PIN" in screen.body, 30), screen.body
        for digit in TOKEN_PIN:
            kiosk.tap(pad[digit])
        assert screen.pin_length == len(TOKEN_PIN)
        kiosk.tap(pad["OK"])
        bounds = screen.bounds()
        assert kiosk.wait_until(lambda: screen_colour(bounds.left + 600, bounds.top + 300) == LOGIN_COLOUR, 30)
        assert lab.logins[-1] == "BERZINS JANIS 010180-12347"
        profile = profile_of(kiosk)
        kiosk.app.end_visit("resident", farewell=False)
        assert browser_gone(profile)
        # The card's login leaves nothing in the user's NSS database: the certificate stays on the card.
        assert subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True,
                              text=True).stdout == certificates_before
    finally:
        recorder.stop()
        lab.close()
    # Chromium's PIN dialog was mapped twice (the wrong PIN, then the right one), and never on the screen.
    dialogs = [shown for shown in recorder.mapped if shown.title == "Unlock Security Device"]
    assert len(dialogs) >= 2 and not [shown for shown in dialogs if shown.on_screen(*recorder.size)]
    # Nothing of the browser's was mapped on the screen but (at most) its page's window.
    assert len([shown for shown in recorder.on_screen() if shown.pid != os.getpid()]) <= 1


def test_a_download_can_go_onto_the_residents_usb_stick(make_driver, browser_settings, site, tmp_path):
    from scanning.helpers import LoopStick
    if os.geteuid() != 0:
        pytest.fail("USB tests need root (losetup, mount): run them through 'make test'")
    stick = LoopStick(tmp_path / "stick.img", tmp_path / "media").create(8).mount()
    try:
        settings = dataclasses.replace(browser_settings, scanning=dataclasses.replace(
            browser_settings.scanning, usb_mount_root=tmp_path / "media"))
        kiosk = make_driver(settings=settings)
        screen = open_page(kiosk, site.url)
        touch_screen(*in_page(screen, "decision"))
        assert kiosk.wait_until(lambda: screen.state == "download", 20)  # Chromium under a loaded machine
        kiosk.tap(kiosk.find_text("Save it on my USB stick"))
        assert kiosk.wait_until(lambda: screen.state == "saved", 30), screen.body
        assert not stick.is_mounted()  # unmounted: it can be pulled out now
        stick.mount()
        [saved] = list(stick.mount_point.glob("document-*.pdf"))
        assert saved.read_bytes().startswith(b"%PDF")
        kiosk.tap(kiosk.find_text("Back to the page"))
        assert kiosk.wait_until(lambda: page_shown(screen), 10)
    finally:
        stick.remove()


def test_a_portal_asking_for_the_card_on_its_first_page_says_who_asks_and_not_now_goes_on_without_it(
        make_driver, browser_settings, tmp_path, monkeypatch):
    from tests.support.eid_browser_lab import SOFTHSM_MODULE, EidBrowserLab
    from kiosk.browser.nss import nss_db, register_module
    from kiosk.browser.policies import policies_for, policy_text
    from kiosk.catalog import load_with_fallback
    lab = EidBrowserLab(tmp_path / "eid-lab")
    monkeypatch.setenv("SOFTHSM2_CONF", str(lab.softhsm_conf))
    settings = dataclasses.replace(browser_settings, browser=dataclasses.replace(
        browser_settings.browser, chromium=lab.chromium_wrapper(), allowed_hosts=("127.0.0.1", "localhost"),
        login_hosts=("127.0.0.1",), pkcs11_module=SOFTHSM_MODULE, home=lab.home,
        policies_dir=lab.etc_chromium / "policies" / "managed", require_policies=True))
    catalog = load_with_fallback(settings.catalog.path, settings.kiosk.state_dir).catalog
    lab.install_policies(policy_text(policies_for(settings, catalog)))
    db = nss_db(lab.home)
    register_module(SOFTHSM_MODULE, db)
    lab.trust_login_ca(db)
    try:
        kiosk = make_driver(settings=settings)
        kiosk.tap(kiosk.find_text("English"))
        screen = kiosk.app.screen("eservice")
        screen.start(lab.portal_url)  # its first page: the resident has not asked to log in
        kiosk.app.show("eservice")
        assert kiosk.wait_until(lambda: screen.state == "pin", 30), (screen.state, screen.body)
        assert "The page localhost asks for your eID card" in screen.body
        kiosk.tap(kiosk.find_text("Not now"))
        bounds = screen.bounds()
        ok = kiosk.wait_until(lambda: screen_colour(bounds.left + 600, bounds.top + 300) == LOGIN_COLOUR, 30)
        from tests.support.x_windows import shown_windows
        assert ok, (screen.state, screen.body, shown_windows(), lab.logins, screen_colour(bounds.left + 600, bounds.top + 300))
        assert lab.logins[-1] == ""  # the page went on without a certificate
        assert screen.state == "open"
    finally:
        lab.close()

"""One resident's whole visit on the real app, tapped as a finger does: for the privacy test, the soak test and
bench/soak.py.

The visit: an eID card (in a process of its own, so that what this process holds of the resident is what the kiosk
took from the card) and PIN1 on the pad, a search typed on the on-screen keyboard, two pages scanned and a copy
printed, the authorisation form printed, staff called, and "I'm finished — clear this computer"; then the card is taken out.
"""

from __future__ import annotations

import random
import signal
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM_SERVICE = "vsaa-sickness-benefit"


def made_up_resident() -> tuple[str, str, str, str]:
    """Names, a personal code and a PIN nobody else in this process has: found later, they are the visit's."""
    from kiosk.eid.identity import personal_code_is_valid
    rng = random.SystemRandom()
    letters = string.ascii_lowercase

    def name(first: str) -> str:
        return first + "".join(rng.choice(letters) for _ in range(7))
    while True:
        birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99):02d}"
        code = f"{birth}-{rng.randint(0, 2)}{rng.randint(0, 9999):04d}"
        if personal_code_is_valid(code):
            return name("Ģ"), name("Ž"), code, "".join(rng.choice("0123456789") for _ in range(6))


def typed_word() -> str:
    """A word no catalogue has, typed into the search: found later, it is the visit's."""
    return "vakc" + "".join(random.SystemRandom().choice("qxzjw") for _ in range(6))


def wait_for_no_card(reader: str, timeout_s: float = 5.0) -> None:
    """Until pcscd sees `reader` empty: the next card is then a new insertion, not the last one's echo."""
    from smartcard import scard
    _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            hresult, states = scard.SCardGetStatusChange(context, 100, [(reader, scard.SCARD_STATE_UNAWARE)])
            if hresult == scard.SCARD_S_SUCCESS and not states[0][1] & scard.SCARD_STATE_PRESENT:
                return
    finally:
        scard.SCardReleaseContext(context)


def insert_card(ca_dir: Path, resident) -> subprocess.Popen:
    """The resident's card in the first vpcd reader, served by its own process until it is taken out."""
    given, surname, code, pin = resident
    card = subprocess.Popen([sys.executable, "-m", "tools.virtual_card", "--given", given, "--surname", surname,
                             "--code", code, "--pin", pin, "--ca-dir", str(ca_dir)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert "inserted" in card.stdout.readline()
    return card


def take_out(card: subprocess.Popen, reader: str) -> None:
    card.send_signal(signal.SIGINT)
    card.wait(timeout=10)
    wait_for_no_card(reader)


def _main_button(kiosk, state_is, timeout_s: float = 60) -> None:
    """Tap the bottom bar's main action, then wait for the screen's next state."""
    kiosk.tap(kiosk.root_widget("main_button"))
    screen = kiosk.app.screen(kiosk.app.current_screen)
    assert kiosk.wait_until(state_is, timeout_s), (kiosk.app.current_screen, getattr(screen, "state", None),
                                                   getattr(screen, "body", None))


def log_in(kiosk, pin: str) -> None:
    login = kiosk.app.screen("eid_login")
    assert kiosk.wait_until(lambda: login.state == "hello", 10), login.state
    kiosk.tap(kiosk.root_widget("main_button"))  # Confirm with PIN1
    assert login.state == "pin"
    keys = {button.text: button for button in login.ids.pin_pad.children}
    for digit in pin:
        kiosk.tap(keys[digit])
    kiosk.tap(keys["OK"])
    assert kiosk.wait_until(lambda: login.state == "verified", 10), (login.state, login.message)


def search(kiosk, text: str) -> None:
    app = kiosk.app
    app.show("find_service")
    screen = app.screen("find_service")
    kiosk.tap(screen.ids.query_box)
    keyboard = screen.ids.keyboard
    for character in text:
        if character == " ":
            kiosk.tap(keyboard.ids.space_key)
            continue
        keys = [key for row in keyboard.ids.letters.children for key in row.children
                if getattr(key, "character", None) == character]
        kiosk.tap(keys[0])
    kiosk.tap(keyboard.ids.search_key)


def scan_two_pages_and_print_a_copy(kiosk) -> None:
    app = kiosk.app
    app.show("scan_copy")
    screen = app.screen("scan_copy")
    _main_button(kiosk, lambda: screen.state == "pages")  # Start scanning
    kiosk.tap(kiosk.find_text("Scan another page"))
    _main_button(kiosk, lambda: screen.state == "pages" and screen.page_count == 2)
    _main_button(kiosk, lambda: screen.state == "what_now")  # That's all
    _main_button(kiosk, lambda: screen.state == "printed")  # Print 1 copy


def print_the_authorisation(kiosk) -> None:
    app = kiosk.app
    app.show_service(FORM_SERVICE)
    kiosk.tap(kiosk.find_text("A staff member does it for you"))
    printing = app.screen("print")
    assert kiosk.wait_until(lambda: printing.state == "confirm", 30), printing.state
    _main_button(kiosk, lambda: printing.state == "done")  # Print 1 page


def call_staff(kiosk) -> None:
    kiosk.tap(kiosk.root_widget("call_staff_button"))
    assert kiosk.app.dialog_is_open("call_staff")
    kiosk.tap(kiosk.app.dialogs.built["call_staff"].ids.ok)


def finish(kiosk) -> None:
    app = kiosk.app
    app.show("home")
    kiosk.tap(kiosk.find_text("I'm finished — clear this computer"))
    kiosk.tap(kiosk.app.dialogs.built["confirm_end"].ids.confirm)
    assert app.current_screen == "goodbye"


def whole_visit(kiosk, ca_dir: Path, reader: str, resident, word: str, end: bool = True) -> None:
    """A resident's whole visit; with `end`, finished on the home screen before the card is taken out."""
    card = insert_card(ca_dir, resident)
    try:
        kiosk.app.set_language("en")
        log_in(kiosk, resident[3])
        search(kiosk, word + " pensija")
        scan_two_pages_and_print_a_copy(kiosk)
        print_the_authorisation(kiosk)
        call_staff(kiosk)
        if end:
            finish(kiosk)
    finally:
        take_out(card, reader)

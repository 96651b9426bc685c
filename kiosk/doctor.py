"""Health checks of a kiosk: its configuration and every part it names, one line each."""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk.config import Settings
from kiosk.i18n import LANGUAGES, catalogue_path

ICON_FONT = Path("/usr/share/fonts/truetype/materialdesignicons-webfont/materialdesignicons-webfont.ttf")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


def check_runtime_dir(settings: Settings) -> Check:
    directory = settings.visit.runtime_dir
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check("runtime directory", False, f"{directory} cannot be written ({error.strerror}); "
                     "set [visit] runtime_dir to a folder the kiosk user owns")
    mode = directory.stat().st_mode & 0o777
    if mode & 0o077:
        return Check("runtime directory", False, f"{directory} is readable by others (mode {mode:o}); "
                     "the kiosk makes it 700 when it starts")
    return Check("runtime directory", True, f"{directory} is private and writable")


def check_translations(settings: Settings) -> Check:
    from babel.messages.pofile import read_po
    missing = []
    for language in settings.ui.languages:
        if language == "en":
            continue
        path = catalogue_path(language)
        if not path.exists():
            missing.append(f"{LANGUAGES[language]}: no catalogue at {path}")
            continue
        with open(path, "rb") as handle:
            catalog = read_po(handle)
        untranslated = [m for m in catalog if m.id and (not m.string or m.fuzzy or
                                                        (isinstance(m.string, tuple) and not all(m.string)))]
        if untranslated:
            missing.append(f"{LANGUAGES[language]}: {len(untranslated)} untranslated")
    if missing:
        return Check("translations", False, "; ".join(missing))
    return Check("translations", True, "complete for " + ", ".join(settings.ui.languages))


def check_icon_font(_settings: Settings) -> Check:
    if ICON_FONT.exists():
        return Check("icon font", True, str(ICON_FONT))
    return Check("icon font", False, f"{ICON_FONT} is missing; install the Debian package "
                 "fonts-materialdesignicons-webfont (tiles then show text only)")


def check_display(_settings: Settings) -> Check:
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return Check("display", True, "DISPLAY=" + (os.environ.get("DISPLAY") or os.environ["WAYLAND_DISPLAY"]))
    if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
        return Check("display", True, "SDL offscreen rendering (no screen)")
    return Check("display", False, "no DISPLAY is set: start the kiosk from the graphical session, "
                 "or set SDL_VIDEODRIVER=offscreen for rendering without a screen")


def check_catalog(settings: Settings) -> Check:
    from kiosk.catalog import load_configured
    from kiosk.config import ConfigError
    try:
        loaded = load_configured(settings)
    except ConfigError as error:  # a line like the others, so the remaining checks still run and print
        return Check("catalogue", False, str(error))
    if loaded.problem is None:
        catalog = loaded.catalog
        return Check("catalogue", True, f"{settings.catalog.path}: {len(catalog.services)} entries, "
                     f"version {catalog.version}")
    return Check("catalogue", False, f"{loaded.problem}; the kiosk uses the last good copy "
                                     f"(version {loaded.catalog.version})")


def check_national_catalogue(settings: Settings) -> Check:
    """The national bundle the kiosk runs: its version, signer and expiry; fails when expired or one was refused."""
    from kiosk.fleet.updates import describe
    ok, text = describe(settings)
    return Check("national catalogue", ok, text)


def check_card_reader(settings: Settings) -> Check:
    from kiosk.eid.pcsc import reader_names
    names = reader_names()
    wanted = settings.eid.reader
    if wanted and wanted not in names:
        return Check("card reader", False, f"the reader '{wanted}' named in [eid] reader is not connected "
                     f"(connected: {', '.join(names) or 'none'})")
    if not names:
        return Check("card reader", False, "no card reader: is pcscd running and the reader plugged in?")
    return Check("card reader", True, wanted or names[0])


def check_eid_trust(settings: Settings) -> Check:
    from kiosk.eid.proof import load_trust
    try:
        trusted = load_trust(settings.eid.trusted_ca)
    except (OSError, ValueError) as error:
        return Check("eID trust", False, f"[eid] trusted_ca cannot be read ({error}): PIN proofs will be refused")
    return Check("eID trust", True, f"{len(trusted)} trusted issuer(s)")


def check_a4_printer(settings: Settings) -> Check:
    from printers.cups_printer import DocumentPrinter
    from printers.problems import PrintError
    printing = settings.printing
    try:
        status = DocumentPrinter(printing.a4_queue, printing.cups_server).status()
    except PrintError as error:
        return Check("A4 printer", False, f"{error}; 'kiosk printers' lists the CUPS queues, "
                                          "[printing] cups_server and a4_queue name the one to use")
    if status.problem is not None:
        return Check("A4 printer", False, f"{status.queue}: {status.problem.value} "
                                          f"({', '.join(status.reasons) or status.message or status.state_name})")
    warnings = f"; warnings: {', '.join(status.warnings)}" if status.warnings else ""
    return Check("A4 printer", True, f"{status.queue} is {status.state_name} and accepting jobs{warnings}")


def check_receipt_printer(settings: Settings) -> Check:
    kind, target = settings.printing.receipt_printer
    if kind == "none":
        return Check("receipt printer", True, "none configured: queue tickets are shown on screen only")
    if kind == "cups":
        from printers.cups_printer import DocumentPrinter
        from printers.problems import PrintError
        try:
            status = DocumentPrinter(target, settings.printing.cups_server).status()
        except PrintError as error:
            return Check("receipt printer", False, f"cups:{target}: {error}")
        ok = status.problem is None
        return Check("receipt printer", ok, f"cups:{target} is {status.state_name}"
                                            + ("" if ok else f": {status.problem.value}"))
    if kind == "tcp":
        import socket
        host, _, port = target.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=3).close()
        except OSError as error:
            return Check("receipt printer", False, f"tcp:{target} does not answer ({error.strerror or error})")
        return Check("receipt printer", True, f"tcp:{target} answers")
    if kind == "file":
        ok = os.access(target, os.W_OK)
        return Check("receipt printer", ok, f"{target} is {'writable' if ok else 'missing or not writable'}")
    return Check("receipt printer", True, f"usb:{target} (checked when the first ticket prints)")


def check_scanner(settings: Settings) -> Check:
    from kiosk.scanning.device import list_devices
    try:
        devices = list_devices()
    except Exception as error:  # python-sane raises its own error type for a broken SANE set-up
        return Check("scanner", False, f"SANE does not answer ({error})")
    wanted = settings.scanning.device
    if wanted and wanted not in devices:
        return Check("scanner", False, f"{wanted} not found; SANE sees {', '.join(devices) or 'no scanner'}")
    if not devices:
        return Check("scanner", False, "SANE sees no scanner; 'scanimage -L' lists them")
    return Check("scanner", True, f"{wanted or devices[0]} found")


def check_staffdesk_outbox(settings: Settings) -> Check:
    """Help calls, alerts and tickets for the desk that will not get there: refused, or waiting far too long."""
    import sqlite3
    from collections import Counter
    from kiosk.desk_link.outbox import FILE_NAME, STUCK_AFTER_S, undeliverable
    path = settings.kiosk.state_dir / FILE_NAME
    try:
        found = undeliverable(path, has_desk=bool(settings.staffdesk.url))
    except sqlite3.Error as error:
        return Check("staff desk outbox", False, f"{path} cannot be read ({error})")
    if not found:
        return Check("staff desk outbox", True, "nothing refused by the desk, nothing stuck")
    parts = []
    for why, count in Counter(message.why for message in found).items():
        oldest = next(message for message in found if message.why == why)
        if why == "refused":
            parts.append(f"{count} refused by the desk for good (the oldest, {oldest.kind}: "
                         f"{oldest.problem[:120]})")
        elif why == "token-refused":
            parts.append(f"{count} waiting because the desk refuses this kiosk's token ([staffdesk] token must be "
                         "the one 'staffdesk add-kiosk NAME' printed)")
        elif why == "no-desk":
            parts.append(f"{count} waiting, but [staffdesk] url names no desk any more")
        else:
            parts.append(f"{count} waiting for over {STUCK_AFTER_S // 60} min "
                         f"(last try: {oldest.problem or 'none yet; is the kiosk running?'})")
    return Check("staff desk outbox", False,
                 f"{len(found)} message(s) cannot be delivered: " + "; ".join(parts))


def check_browser(settings: Settings) -> Check:
    """Chromium, Playwright that drives it, and xdotool that places its window."""
    import shutil
    import subprocess
    chromium = settings.browser.chromium
    if not chromium.is_file():
        return Check("browser", False, f"[browser] chromium {chromium} does not exist; 'apt install chromium'")
    if shutil.which("xdotool") is None:
        return Check("browser", False, "xdotool is missing ('apt install xdotool'): the page cannot be placed "
                                       "below the top bar")
    import importlib.util
    if importlib.util.find_spec("playwright") is None:
        return Check("browser", False, "Playwright is not installed in the kiosk's Python")
    try:
        version = subprocess.run([str(chromium), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return Check("browser", False, f"{chromium} does not start ({type(error).__name__})")
    return Check("browser", True, version.strip() or str(chromium))


def check_browser_sandbox(_settings: Settings) -> Check:
    """Chromium's sandbox for the resident's pages: on as the kiosk user; off (with a warning) only as root."""
    from kiosk.browser.sandbox import probe
    sandbox = probe()
    if sandbox.as_root:
        return Check("browser sandbox", True, "WARNING: " + sandbox.detail)
    return Check("browser sandbox", sandbox.sandboxed, sandbox.detail)


def check_window_guard(_settings: Settings) -> Check:
    """What keeps Chromium's own windows and shortcuts off the screen (kiosk/browser/window_guard.py)."""
    name = "browser window guard"
    try:
        from Xlib import display, error
    except ImportError:
        return Check(name, False, "python-xlib is missing from the kiosk's Python, so no page opens")
    try:
        connection = display.Display()
    except (error.DisplayError, error.ConnectionClosedError, OSError) as problem:
        return Check(name, False, f"the X display does not answer ({type(problem).__name__}), so no page opens")
    try:
        has_res = connection.has_extension("X-Resource")
    finally:
        connection.close()
    if not has_res:
        return Check(name, True, "WARNING: the X server has no X-Resource extension: the guard tells the "
                                 "browser's windows apart by what they say of themselves")
    return Check(name, True, "reaches the X display and tells windows apart by their process (X-Resource)")


def check_browser_policies(settings: Settings) -> Check:
    """Chromium's managed policies, installed as `kiosk browser policies` makes them from this kiosk.ini."""
    from kiosk.browser.policies import policy_differences
    from kiosk.catalog import load_with_fallback
    managed = settings.browser.policies_dir
    differing = policy_differences(settings, load_with_fallback(settings.catalog.path,
                                                                settings.kiosk.state_dir).catalog)
    fix = f"'kiosk browser policies --out {managed}/kac-kiosk.json' installs them"
    if differing == []:
        return Check("browser policies", True, f"{managed}/kac-kiosk.json matches kiosk.ini")
    problem = (f"none installed in {managed}" if differing is None
               else f"{managed}/kac-kiosk.json differs from kiosk.ini in {', '.join(differing)}")
    if not settings.browser.require_policies:
        return Check("browser policies", True, f"WARNING: {problem}; pages open anyway (require_policies = no, "
                                               "never on a KAC computer)")
    return Check("browser policies", False, f"{problem}, so no e-service opens here; {fix}")


def check_browser_eid(settings: Settings) -> Check:
    """The eID card's PKCS#11 module in the NSS database Chromium reads: registered, and loading."""
    from kiosk.browser.nss import module_state, nss_db
    if settings.browser.pkcs11_module is None:
        return Check("eID in the browser", True, "no [browser] pkcs11_module: e-services open without card login")
    loads, line = module_state(nss_db(settings.browser.home))
    return Check("eID in the browser", loads, line)


# A few words per language, spoken by each configured voice to prove it speaks.
SPEECH_SAMPLES = {"lv": "Laipni lūdzam", "uk": "Ласкаво просимо", "en": "Welcome"}


def check_speech(settings: Settings) -> Check:
    """Which voices speak, and whether there is sound to hear them by. A kiosk without a sound card still works
    (silently), so that alone is said, not failed; a voice that cannot speak, or no aplay, fails."""
    from kiosk.config import LANGUAGE_NAMES
    from kiosk.speech.audio import joined
    from kiosk.speech.engines import SpeechUnavailable, engines
    from kiosk.speech.player import AplayPlayer
    speech = settings.speech
    if speech.engine == "none":
        return Check("speech", True, "off ([speech] engine = none): the kiosk never reads aloud")
    available, voices, broken = engines(), [], []
    for language in settings.ui.languages:
        voice = speech.voice(language)
        try:
            engine = available[voice.engine]
            audio = joined(list(engine.stream(SPEECH_SAMPLES[language], voice.name, speech.rate)))
            if audio is None or audio.seconds < 0.2:
                raise SpeechUnavailable(f"{voice.engine} gave no sound for the voice '{voice.name}'")
            voices.append(f"{LANGUAGE_NAMES[language]} ({voice})")
        except SpeechUnavailable as problem:
            broken.append(f"{LANGUAGE_NAMES[language]} ({voice}): {problem}")
    player = AplayPlayer(speech.output)
    problem = player.check()
    if problem is None:
        sound = f"sound: {player.describe()} plays"
    elif player.problem() is None and not speech.output:
        sound = (f"sound: {player.describe()} cannot be opened ({problem}): residents hear nothing until a sound "
                 "card or speakers are connected")
    else:
        broken.append(f"sound: {player.describe()} ([speech] output) cannot be used ({problem})")
        sound = ""
    spoken = ", ".join(voices) + (" speak" if len(voices) > 1 else " speaks") if voices else ""
    if broken:
        silent = [part.split(" (")[0] for part in broken if not part.startswith("sound:")]
        tail = f"; the kiosk is silent in {', '.join(silent)}" if silent else ""
        return Check("speech", False, "; ".join(broken + [part for part in (spoken, sound) if part]) + tail)
    return Check("speech", True, f"{spoken}; {sound}")


CHECKS = [check_runtime_dir, check_catalog, check_national_catalogue, check_card_reader, check_eid_trust, check_a4_printer,
          check_receipt_printer, check_scanner, check_translations, check_icon_font, check_display,
          check_staffdesk_outbox, check_browser, check_browser_sandbox, check_window_guard, check_browser_policies,
          check_browser_eid, check_speech]


def run_checks(settings: Settings) -> list[Check]:
    return [check(settings) for check in CHECKS]

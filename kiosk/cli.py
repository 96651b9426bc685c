"""The `kiosk` command: run the kiosk, check its health, make an administrator PIN hash, print, read cards."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path

from kiosk.config import ConfigError, load_settings
from kiosk.i18n import LANGUAGES

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk.core import KioskCore
    from kiosk.fleet.layered import load_layered
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_layered(args.config, starting=True)
    core = KioskCore(settings, demo=args.demo)
    core.catalog.require()  # a kiosk with no catalogue at all would offer residents no services
    sandbox = core.eservice.sandbox()
    if not sandbox.sandboxed:  # said where an administrator starting it by hand, and the journal, both see it
        print(f"Warning: {sandbox.detail}.", file=sys.stderr)
        logging.getLogger("kiosk").warning("%s", sandbox.detail)
    from screens.launch import START_AGAIN, run_kiosk  # Kivy is imported only when a window is wanted
    code = run_kiosk(core, windowed=args.windowed)
    if code == START_AGAIN:
        # The same process (the unit's, with its watchdog) made anew: every service reads the new settings.
        import os
        logging.getLogger("kiosk").info("starting again with the new settings")
        os.execv(sys.executable, [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                                  *sys.argv[1:]])
    return code


def cmd_out_of_order(args: argparse.Namespace) -> int:
    from screens.out_of_order import run_out_of_order
    return run_out_of_order(windowed=args.windowed)


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import Check, run_checks
    from kiosk.fleet.layered import load_layered
    settings = load_layered(args.config)
    checks = [Check("configuration", True, f"{settings.path} is valid")] + run_checks(settings)
    if args.json:
        print(json.dumps([check.as_dict() for check in checks], ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line())
    if all(check.ok for check in checks):
        return EXIT_OK
    return EXIT_CONFIG if _no_catalogue(settings, checks) else EXIT_FAILED


def _no_catalogue(settings, checks) -> bool:
    """No catalogue at all is a wrong [catalog] path, which exits 2 like any other wrong kiosk.ini value."""
    from kiosk.catalog import load_configured
    if all(check.ok for check in checks if check.name == "catalogue"):
        return False
    try:
        load_configured(settings)
    except ConfigError:
        return True
    return False  # a broken file with a last good copy: the kiosk still works, so only the check fails


def cmd_hash_pin(_args: argparse.Namespace) -> int:
    from kiosk.admin_pin import PinFormatError, hash_pin
    if sys.stdin.isatty():
        pin = getpass.getpass("New administrator PIN: ")
        if getpass.getpass("The same PIN again: ") != pin:
            print("The two PINs differ; nothing was made.", file=sys.stderr)
            return EXIT_FAILED
    else:
        pin = sys.stdin.readline().strip()
    try:
        line = hash_pin(pin)
    except PinFormatError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    print(f"pin_hash = {line}")
    return EXIT_OK


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from kiosk.catalog import configured_file_error
    if args.path:
        return _check_catalog_file(Path(args.path))
    settings = load_settings(args.config)
    if not settings.catalog.path.exists():
        raise configured_file_error(settings, "does not exist")
    return _check_catalog_file(settings.catalog.path)


def _check_catalog_file(path: Path) -> int:
    from kiosk.catalog.model import CatalogError, load_catalog
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: valid, version {catalog.version}: {len(catalog.services)} entries, "
          f"{len(catalog.institutions)} institutions, {len(catalog.life_situations)} life situations")
    return EXIT_OK


def cmd_catalog_version(args: argparse.Namespace) -> int:
    """Which catalogue this kiosk serves: the national bundle's version, signer and expiry, or kiosk.ini's file."""
    from kiosk.fleet.updates import describe
    ok, text = describe(load_settings(args.config))
    print(text)
    return EXIT_OK if ok else EXIT_FAILED


def cmd_catalog_search(args: argparse.Namespace) -> int:
    from kiosk.catalog.model import CatalogError, load_catalog
    from kiosk.catalog.search import SearchIndex
    if args.catalog:
        try:
            index = SearchIndex(load_catalog(args.catalog))
        except CatalogError as error:
            print(error, file=sys.stderr)
            return EXIT_CONFIG
    else:
        from kiosk.core import KioskCore
        catalog = KioskCore(load_settings(args.config)).catalog  # searched exactly as the kiosk searches
        catalog.require()
        index = catalog.index()
    hits = index.search(args.query, args.lang, args.limit)
    if args.json:
        print(json.dumps([{"id": hit.service.id, "name": hit.service.name.get(args.lang),
                           "name_lv": hit.service.name.lv, "institution": hit.service.institution.code,
                           "channels": hit.service.channels.names(), "score": hit.score} for hit in hits],
                         ensure_ascii=False, indent=2))
    elif not hits:
        print(f"Nothing sensible matches '{args.query}'.")
    else:
        for hit in hits:
            print(f"{hit.score:5.1f}  {hit.service.id:45}  {hit.service.name.get(args.lang)}")
    return EXIT_OK


EXIT_NO_CARD, EXIT_UNSUPPORTED, EXIT_WRONG_PIN, EXIT_BLOCKED = 3, 4, 5, 6
CARD_WAIT_S = 5.0


def _card_for_cli(reader: str | None):
    """Wait a few seconds for a card; return (EidCard, transport) or raise EidError."""
    import time
    from kiosk.eid.card import EidCard, EidError, Problem, refusal
    from kiosk.eid.pcsc import connect
    from kiosk.eid.profiles import profile_for
    deadline = time.monotonic() + CARD_WAIT_S
    while True:
        try:
            transport, atr, _name = connect(reader)
            break
        except EidError as error:
            if error.problem not in (Problem.NO_CARD, Problem.NO_READER) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    profile = profile_for(atr)
    if not profile.supported:
        transport.close()
        raise refusal(profile)
    return EidCard(transport, profile.name), transport


EID_EXIT = {"no reader": EXIT_NO_CARD, "no card": EXIT_NO_CARD, "not an eID card": EXIT_UNSUPPORTED,
            "card not supported": EXIT_UNSUPPORTED, "wrong PIN": EXIT_WRONG_PIN, "PIN blocked": EXIT_BLOCKED}


def _eid_failure(error) -> int:
    from kiosk.eid.card import Problem
    if error.problem is Problem.PIN_WRONG:
        print(f"Wrong PIN1: {error.tries_left} tries left before the card blocks it.", file=sys.stderr)
    elif error.problem is Problem.PIN_BLOCKED:
        print("PIN1 is blocked: unblock it with the PUK from the PIN envelope, or at the PMLP.", file=sys.stderr)
    else:
        print(f"eID: {error}.", file=sys.stderr)
    return EID_EXIT.get(error.problem.value, EXIT_FAILED)


def cmd_eid_read(args: argparse.Namespace) -> int:
    from kiosk.eid.card import EidError
    try:
        card, transport = _card_for_cli(args.reader)
        try:
            identity = card.read_identity()
        finally:
            transport.close()
    except EidError as error:
        return _eid_failure(error)
    if args.json:
        print(json.dumps(identity.as_json(), ensure_ascii=False))
    else:
        print(f"{identity.given_name} {identity.surname}, {identity.personal_code}, {identity.card}, "
              f"valid until {identity.not_after:%Y-%m-%d}")
    return EXIT_OK


def cmd_eid_login(args: argparse.Namespace) -> int:
    from kiosk.eid.card import EidError, Problem
    from kiosk.eid.proof import load_trust, prove_pin, verify_token
    settings = load_settings(args.config)
    pin = getpass.getpass("PIN1: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        card, transport = _card_for_cli(args.reader or settings.eid.reader or None)
        try:
            identity = card.read_identity()
            token = prove_pin(card, identity, pin, settings.eid.origin)
        finally:
            transport.close()
            del pin
        try:
            trusted = load_trust(settings.eid.trusted_ca)
        except (OSError, ValueError):
            raise EidError(Problem.NOT_TRUSTED, f"the trusted CA files {settings.eid.trusted_ca} cannot be read")
        verify_token(token, trusted)
    except EidError as error:
        return _eid_failure(error)
    result = {"verified": True, **identity.as_json()}
    print(json.dumps(result, ensure_ascii=False) if args.json else
          f"Verified: {identity.given_name} {identity.surname}, {identity.personal_code}")
    return EXIT_OK


def cmd_say(args: argparse.Namespace) -> int:
    """Speaks a text as the kiosk would, or writes its sound to a WAV file; exit 1 with a sentence when it cannot."""
    from kiosk import events
    from kiosk.speech import SpeechService, SpeechUnavailable
    settings = load_settings(args.config)
    language = args.lang or settings.ui.default_language
    failures: list[events.SpeechFailed] = []
    # No cache: an administrator's text is not one of the kiosk's own phrases.
    speech = SpeechService(settings.speech, settings.ui.languages, notify=lambda event: isinstance(
        event, events.SpeechFailed) and failures.append(event))
    logging.disable(logging.WARNING)  # what the service would log is printed below, once, as this command's answer
    try:
        if args.out:
            try:
                audio = speech.synthesize(args.text, language)
            except SpeechUnavailable as problem:
                print(f"Nothing was written: {problem}.", file=sys.stderr)
                return EXIT_FAILED
            audio.write(Path(args.out))
            print(f"{args.out}: {audio.seconds:.1f} s of speech, {speech.describe(language)}, {audio.rate} Hz")
            return EXIT_OK
        speech.enabled = True
        speech.say(args.text, language)
        speech.wait_until_quiet(600)
        if failures:
            print(f"Nothing was heard: {failures[0].detail}.", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    finally:
        logging.disable(logging.NOTSET)
        speech.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="KAC self-service kiosk")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the kiosk application")
    run.add_argument("--config", help="path of kiosk.ini (default: the repository's kiosk.ini)")
    run.add_argument("--demo", action="store_true", help="use simulated devices")
    run.add_argument("--windowed", action="store_true", help="a normal window with a cursor, for desktops")
    run.set_defaults(handler=cmd_run)

    out_of_order = commands.add_parser("out-of-order", help="show only 'out of order, please ask staff' in every "
                                                            "language (what systemd shows after repeated crashes)")
    out_of_order.add_argument("--windowed", action="store_true", help="a normal window, for desktops")
    out_of_order.set_defaults(handler=cmd_out_of_order)

    doctor = commands.add_parser("doctor", help="check the configuration and every device it names")
    doctor.add_argument("--config", help="path of kiosk.ini")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(handler=cmd_doctor)

    hash_pin = commands.add_parser("hash-pin", help="read a PIN on standard input, print the kiosk.ini line")
    hash_pin.set_defaults(handler=cmd_hash_pin)

    catalog = commands.add_parser("catalog", help="the e-service catalogue").add_subparsers(
        dest="catalog_command", required=True)
    check = catalog.add_parser("check", help="validate a catalogue file; exit 2 naming the entry and field")
    check.add_argument("path", nargs="?", help="the file (default: [catalog] path in kiosk.ini)")
    check.add_argument("--config", help="path of kiosk.ini")
    check.set_defaults(handler=cmd_catalog_check)
    version = catalog.add_parser("version", help="the catalogue this kiosk serves: the national bundle's version, "
                                                 "signer and expiry; exit 1 when expired or one was refused")
    version.add_argument("--config", help="path of kiosk.ini")
    version.set_defaults(handler=cmd_catalog_version)
    search = catalog.add_parser("search", help="search the catalogue as the kiosk does")
    search.add_argument("query")
    search.add_argument("--lang", choices=list(LANGUAGES), default="lv", help="the resident's language")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    search.add_argument("--catalog", help="a catalogue file instead of the configured one")
    search.add_argument("--config", help="path of kiosk.ini")
    search.set_defaults(handler=cmd_catalog_search)

    eid = commands.add_parser("eid", help="the eID card reader").add_subparsers(dest="eid_command", required=True)
    read = eid.add_parser("read", help="read the card's owner (no PIN); exit 3 no card, 4 card not supported")
    read.add_argument("--reader", help="the PC/SC reader name (default: the first)")
    read.add_argument("--json", action="store_true")
    read.set_defaults(handler=cmd_eid_read)
    login = eid.add_parser("login", help="prove PIN1 (read from standard input); exit 5 wrong PIN, 6 blocked")
    login.add_argument("--reader", help="the PC/SC reader name (default: [eid] reader, else the first)")
    login.add_argument("--json", action="store_true")
    login.add_argument("--config", help="path of kiosk.ini")
    login.set_defaults(handler=cmd_eid_login)

    say = commands.add_parser("say", help="speak a text with the kiosk's voice, or write it to a WAV file; exit 1 "
                                          "when no voice or no sound output")
    say.add_argument("text")
    say.add_argument("--lang", choices=list(LANGUAGES), help="the language (default: [ui] default_language)")
    say.add_argument("--out", metavar="FILE.wav", help="write the sound here instead of playing it")
    say.add_argument("--config", help="path of kiosk.ini")
    say.set_defaults(handler=cmd_say)

    from kiosk.browser.commands import add_browser_commands
    from kiosk.printing.commands import add_printing_commands
    from kiosk.scanning.commands import add_scan_parser
    from kiosk.desk_link.commands import add_call_staff_parser
    add_browser_commands(commands)
    add_printing_commands(commands)
    add_scan_parser(commands)
    add_call_staff_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())

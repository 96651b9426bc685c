"""The `kiosk` command: run the kiosk, check its health, and make an administrator PIN hash."""

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
    settings = load_settings(args.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from screens.launch import run_kiosk  # Kivy is imported only when a window is wanted
    return run_kiosk(settings, demo=args.demo, windowed=args.windowed)


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import Check, run_checks
    settings = load_settings(args.config)
    checks = [Check("configuration", True, f"{settings.path} is valid")] + run_checks(settings)
    if args.json:
        print(json.dumps([check.as_dict() for check in checks], ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line())
    return EXIT_OK if all(check.ok for check in checks) else EXIT_FAILED


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
    from kiosk.catalog.model import CatalogError, load_catalog
    path = Path(args.path) if args.path else load_settings(args.config).catalog.path
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: valid, version {catalog.version}: {len(catalog.services)} entries, "
          f"{len(catalog.institutions)} institutions, {len(catalog.life_situations)} life situations")
    return EXIT_OK


def cmd_catalog_search(args: argparse.Namespace) -> int:
    from kiosk.catalog import load_with_fallback
    from kiosk.catalog.model import CatalogError, load_catalog
    from kiosk.catalog.search import SearchIndex
    if args.catalog:
        try:
            catalog = load_catalog(args.catalog)
        except CatalogError as error:
            print(error, file=sys.stderr)
            return EXIT_CONFIG
    else:
        settings = load_settings(args.config)
        loaded = load_with_fallback(settings.catalog.path, settings.kiosk.state_dir)
        if loaded.catalog is None:
            print(loaded.problem, file=sys.stderr)
            return EXIT_CONFIG
        catalog = loaded.catalog
    hits = SearchIndex(catalog).search(args.query, args.lang, args.limit)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="KAC self-service kiosk")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the kiosk application")
    run.add_argument("--config", help="path of kiosk.ini (default: the repository's kiosk.ini)")
    run.add_argument("--demo", action="store_true", help="use simulated devices")
    run.add_argument("--windowed", action="store_true", help="a normal window with a cursor, for desktops")
    run.set_defaults(handler=cmd_run)

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
    search = catalog.add_parser("search", help="search the catalogue as the kiosk does")
    search.add_argument("query")
    search.add_argument("--lang", choices=list(LANGUAGES), default="lv", help="the resident's language")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    search.add_argument("--catalog", help="a catalogue file instead of the configured one")
    search.add_argument("--config", help="path of kiosk.ini")
    search.set_defaults(handler=cmd_catalog_search)
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

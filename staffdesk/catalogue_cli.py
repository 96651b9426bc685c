"""`staffdesk catalogue`: the national catalogue's keys, bundles made, signed (offline) and published, who runs it.

    staffdesk catalogue keygen --private national.key --public national.pub    (where bundles are signed)
    staffdesk catalogue export catalog.yaml --out unsigned.json                  (on the desk: the next version)
    staffdesk catalogue sign unsigned.json --key national.key --out signed.json  (where the key is kept)
    staffdesk catalogue publish signed.json --ring pilot                         (on the desk)
    staffdesk catalogue release VERSION --ring everyone
    staffdesk catalogue pilot "Centre name" [--off]
    staffdesk catalogue status [--centre NAME]
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


@contextmanager
def _desk(args, read_only: bool = False):
    """The desk's settings and a database session (the schema brought up to date first, unless only reading)."""
    from staffdesk.core.db import make_engine, make_sessionmaker
    from staffdesk.core.migrate import upgrade
    from staffdesk.core.settings import get_settings
    settings = get_settings().with_database(args.db)
    if not read_only:
        upgrade(settings.url)
    engine = make_engine(settings.url)
    try:
        with make_sessionmaker(engine, read_only=read_only)() as session:
            yield settings, session
    finally:
        engine.dispose()


def cmd_keygen(args: argparse.Namespace) -> int:
    from kiosk.fleet.keys import generate
    private, public = Path(args.private), Path(args.public)
    if private.exists():
        print(f"{private} exists already; no key was made (a second key is made under another name).",
              file=sys.stderr)
        return EXIT_FAILED
    key = generate(private, public, args.comment)
    print(f"Made key {key.keyid}: keep {private} offline, where bundles are signed; install {public} on every "
          "kiosk ([catalog] publisher_keys) and on the desk (STAFFDESK_PUBLISHER_KEYS).")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from staffdesk.fleet import FleetError, unsigned_bundle
    try:
        catalogue = Path(args.catalogue).read_bytes()
    except OSError as error:
        print(f"{args.catalogue}: cannot be read ({error.strerror}); nothing was written.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        with _desk(args) as (_settings, session):
            envelope = unsigned_bundle(session, catalogue, args.valid_days, args.note)
    except FleetError as error:
        print(f"{args.catalogue}: {error}; nothing was written.", file=sys.stderr)
        return EXIT_FAILED
    Path(args.out).write_bytes(envelope)
    from kiosk.fleet.bundle import peek
    manifest = peek(envelope)
    print(f"Wrote {args.out}: version {manifest.version}, valid until {manifest.expires:%Y-%m-%d}. Sign it where "
          "the key is kept: staffdesk catalogue sign")
    return EXIT_OK


def cmd_sign(args: argparse.Namespace) -> int:
    from kiosk.fleet.bundle import BundleRefused, peek, sign
    from kiosk.fleet.keys import KeyProblem, load_private, public_of
    try:
        key = load_private(Path(args.key))
        envelope = Path(args.bundle).read_bytes()
        manifest = peek(envelope)
    except KeyProblem as problem:
        print(f"{problem}; nothing was signed.", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as error:
        print(f"{args.bundle}: cannot be read ({error.strerror}); nothing was signed.", file=sys.stderr)
        return EXIT_CONFIG
    except BundleRefused as refused:
        print(f"{args.bundle}: {refused.detail}; nothing was signed.", file=sys.stderr)
        return EXIT_FAILED
    public = public_of(key)
    Path(args.out).write_bytes(sign(envelope, key, public))
    print(f"Signed version {manifest.version} with key {public.keyid}: {args.out}. Publish it on the desk: "
          "staffdesk catalogue publish")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from staffdesk.fleet import FleetError, publisher_keys, release, take_signed
    from staffdesk.models import Ring
    try:
        envelope = Path(args.bundle).read_bytes()
    except OSError as error:
        print(f"{args.bundle}: cannot be read ({error.strerror}); nothing was published.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        with _desk(args) as (settings, session):
            row = take_signed(session, envelope, publisher_keys(settings.publisher_keys))
            if args.ring != "none":
                release(session, row.version, Ring(args.ring))
            version, ring = row.version, row.ring
    except FleetError as error:
        print(f"{args.bundle}: {error}; nothing was published.", file=sys.stderr)
        return EXIT_FAILED
    where = {"": "to no ring yet (staffdesk catalogue release)", "pilot": "to the pilot centres' kiosks",
             "everyone": "to every kiosk"}[ring]
    print(f"Version {version} is on the desk, released {where}.")
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from staffdesk.fleet import FleetError, release
    from staffdesk.models import Ring
    try:
        with _desk(args) as (_settings, session):
            release(session, args.version, Ring(args.ring))
    except FleetError as error:
        print(f"{error}; nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Version {args.version} is released to {'the pilot centres' if args.ring == 'pilot' else 'everyone'}.")
    return EXIT_OK


def cmd_pilot(args: argparse.Namespace) -> int:
    from staffdesk.fleet import FleetError, set_pilot
    try:
        with _desk(args) as (_settings, session):
            set_pilot(session, args.centre, not args.off)
    except FleetError as error:
        print(f"{error}; nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    print(f"'{args.centre}' is {'no longer ' if args.off else ''}in the pilot ring.")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from staffdesk.fleet import bundles_on_desk, fleet_status
    from staffdesk.models import Centre
    from sqlalchemy import select
    with _desk(args, read_only=True) as (_settings, session):
        centre_id = None
        if args.centre:
            centre_id = session.scalar(select(Centre.id).where(Centre.name == args.centre))
            if centre_id is None:
                print(f"--centre: there is no centre named '{args.centre}'.", file=sys.stderr)
                return EXIT_CONFIG
        rows = fleet_status(session, centre_id)
        for bundle in bundles_on_desk(session)[:5]:
            print(f"version {bundle.version}: {bundle.ring or 'not released'}, signed by {bundle.keyid}, "
                  f"expires {bundle.expires_at:%Y-%m-%d}{' — ' + bundle.note if bundle.note else ''}")
    behind = [row for row in rows if row.behind or row.refused]
    for row in rows:
        checked = f"{row.checked:%Y-%m-%d %H:%M} UTC" if row.checked else "never"
        state = "refused " + row.refused if row.refused else "behind" if row.behind else "current"
        print(f"{row.centre} / {row.kiosk}: version {row.version or '-'} (offered {row.offered or '-'}), "
              f"last asked {checked}: {state}")
    print(f"{len(rows) - len(behind)} of {len(rows)} kiosks run the version offered to them.")
    return EXIT_OK if not behind else EXIT_FAILED


def add_commands(commands, db_help: str) -> None:
    """`staffdesk catalogue ...`, under the desk command's subcommands."""
    catalogue = commands.add_parser("catalogue", help="the national catalogue: keys, signed bundles, rings, status")
    actions = catalogue.add_subparsers(dest="action", required=True)

    keygen = actions.add_parser("keygen", help="make the publisher's key pair (where bundles are signed)")
    keygen.add_argument("--private", required=True, metavar="FILE", help="the private key, written 0600")
    keygen.add_argument("--public", required=True, metavar="FILE", help="the public key, for kiosks and desks")
    keygen.add_argument("--comment", default="KAC national catalogue", help="a name for the key")
    keygen.set_defaults(handler=cmd_keygen)

    export = actions.add_parser("export", help="the next version's unsigned bundle of a catalogue file")
    export.add_argument("catalogue", metavar="CATALOG.yaml")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--valid-days", type=int, default=90, metavar="N",
                        help="days until kiosks call it expired (default: 90)")
    export.add_argument("--note", default="", help="what changed, for the desk's list of versions")
    export.add_argument("--db", help=db_help)
    export.set_defaults(handler=cmd_export)

    sign = actions.add_parser("sign", help="sign an exported bundle with the publisher's private key (offline)")
    sign.add_argument("bundle", metavar="UNSIGNED.json")
    sign.add_argument("--key", required=True, metavar="FILE")
    sign.add_argument("--out", required=True, metavar="FILE")
    sign.set_defaults(handler=cmd_sign)

    publish = actions.add_parser("publish", help="take a signed bundle onto the desk and release it to a ring")
    publish.add_argument("bundle", metavar="SIGNED.json")
    publish.add_argument("--ring", choices=("none", "pilot", "everyone"), default="pilot")
    publish.add_argument("--db", help=db_help)
    publish.set_defaults(handler=cmd_publish)

    release = actions.add_parser("release", help="release a published version to a ring")
    release.add_argument("version", type=int)
    release.add_argument("--ring", choices=("pilot", "everyone"), required=True)
    release.add_argument("--db", help=db_help)
    release.set_defaults(handler=cmd_release)

    pilot = actions.add_parser("pilot", help="put a centre in the pilot ring (or take it out with --off)")
    pilot.add_argument("centre")
    pilot.add_argument("--off", action="store_true")
    pilot.add_argument("--db", help=db_help)
    pilot.set_defaults(handler=cmd_pilot)

    status = actions.add_parser("status", help="the versions on the desk and the one each kiosk runs; exit 1 "
                                               "when a kiosk is behind or refused one")
    status.add_argument("--centre", metavar="NAME")
    status.add_argument("--db", help=db_help)
    status.set_defaults(handler=cmd_status)

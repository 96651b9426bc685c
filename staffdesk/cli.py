"""The `staffdesk` command: serve the desk, migrate its database, add staff and kiosks, export the statistics, carry
the national catalogue (staffdesk/catalogue_cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import os
import sys
from pathlib import Path

from staffdesk.core.settings import DeskSettings, SettingsError, get_settings

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def settings_for(args: argparse.Namespace) -> DeskSettings:
    return get_settings().with_database(getattr(args, "db", None))


def create_staff(url: str, name: str, password: str, centre: str, role: str = "staff") -> None:
    """Also what the tests call: the same code path as `staffdesk add-staff`."""
    from staffdesk import accounts
    from staffdesk.core.db import make_engine, make_sessionmaker
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            accounts.add_staff(session, name, password, centre, role)
    finally:
        engine.dispose()


def create_kiosk(url: str, name: str, centre: str) -> str:
    from staffdesk import accounts
    from staffdesk.core.db import make_engine, make_sessionmaker
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return accounts.add_kiosk(session, name, centre)
    finally:
        engine.dispose()


def cmd_migrate(args: argparse.Namespace) -> int:
    from staffdesk.core.migrate import upgrade
    settings = settings_for(args)
    upgrade(settings.url)
    print("The database is at the newest schema.")
    return EXIT_OK


def app_from_environment():
    """The app of one uvicorn worker process (serve --workers N): uvicorn starts each worker afresh, so it builds
    its app from the environment, which cmd_serve completed with --db before starting them."""
    from staffdesk.app import create_app
    return create_app(get_settings())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from staffdesk.app import create_app
    from staffdesk.core.db import is_sqlite
    from staffdesk.core.migrate import upgrade
    settings = settings_for(args)
    if args.workers < 1:
        print(f"--workers: {args.workers} is not accepted; expected a whole number from 1 up; nothing was started.",
              file=sys.stderr)
        return EXIT_CONFIG
    if args.workers > 1 and is_sqlite(settings.url):
        # SQLite lets one transaction write at a time, and only one process can queue its writers in turn.
        print(f"--workers {args.workers} needs PostgreSQL (--db or STAFFDESK_DB): with SQLite only one process may "
              "write; nothing was started.", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Once, before any worker starts: workers migrating side by side would race each other.
    upgrade(settings.url)
    if not settings.cookie_secure:
        logging.getLogger("staffdesk").warning("cookies are not marked Secure (STAFFDESK_COOKIE_SECURE=no): "
                                               "use this only for tests")
    # No access log: it would keep the addresses of staff and kiosks, and nobody needs them.
    # X-Forwarded-For is believed only from the proxies named with --proxy: uvicorn would otherwise trust it from
    # 127.0.0.1, and anything on the desk's own machine could then log in as coming from any address.
    options = dict(host=args.host, port=args.port, access_log=False, log_level="info", timeout_graceful_shutdown=5,
                   proxy_headers=bool(args.proxy), forwarded_allow_ips=args.proxy or None)
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        # Each worker keeps its own live streams and heartbeats in memory; they see the other workers' changes
        # through the database (the streams re-read it every few seconds), the login throttle is in the database.
        os.environ["STAFFDESK_DB"] = settings.url
        uvicorn.run("staffdesk.cli:app_from_environment", factory=True, workers=args.workers, **options)
    return EXIT_OK


def _read_password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password for the new staff member: ")
    if getpass.getpass("The same password again: ") != password:
        print("The two passwords differ; nobody was added.", file=sys.stderr)
        return None
    return password


def cmd_add_staff(args: argparse.Namespace) -> int:
    from staffdesk.accounts import NameTaken
    from staffdesk.core.migrate import upgrade
    from staffdesk.core.security import WeakPassword
    settings = settings_for(args)
    password = _read_password()
    if password is None:
        return EXIT_FAILED
    upgrade(settings.url)
    try:
        create_staff(settings.url, args.name, password, args.centre, args.role)
    except (NameTaken, WeakPassword) as error:
        print(f"{error}; nobody was added.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Added staff member '{args.name}' ({args.role}) to centre '{args.centre}'.")
    return EXIT_OK


def cmd_add_kiosk(args: argparse.Namespace) -> int:
    from staffdesk.accounts import NameTaken
    from staffdesk.core.migrate import upgrade
    settings = settings_for(args)
    upgrade(settings.url)
    try:
        token = create_kiosk(settings.url, args.name, args.centre)
    except NameTaken as error:
        print(f"{error}; no kiosk was added.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Added kiosk '{args.name}' to centre '{args.centre}'. Put this in its kiosk.ini under [staffdesk] "
          "(it is shown only this once):", file=sys.stderr)
    print(f"token = {token}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """The console's report as a file: the same figures, from the same code (staffdesk.statistics)."""
    from staffdesk import export, statistics
    from staffdesk.catalogue import desk_catalogue
    from staffdesk.core.db import make_engine, make_sessionmaker
    settings = settings_for(args)
    try:
        start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
        period = statistics.Period.custom(start, end)
    except ValueError as error:
        print(f"--from and --to: {error if isinstance(error, statistics.PeriodError) else 'dates as YYYY-MM-DD'}; "
              "nothing was written.", file=sys.stderr)
        return EXIT_CONFIG
    catalogue = desk_catalogue(settings.catalog_path)
    engine = make_engine(settings.url)
    try:
        with make_sessionmaker(engine, read_only=True)() as session:
            centre_ids = None
            if args.centre:
                centre_ids, unknown = statistics.centre_ids_named(session, args.centre)
                if unknown:
                    known = ", ".join(name for _id, name in statistics.all_centres(session)) or "none yet"
                    print(f"--centre: no centre is named {', '.join(repr(name) for name in unknown)} (the centres: "
                          f"{known}); nothing was written.", file=sys.stderr)
                    return EXIT_CONFIG
            report = statistics.build_report(session, period, centre_ids, [entry.code for entry in
                                                                          catalogue.institutions])
    finally:
        engine.dispose()
    body = (export.to_csv(report, args.lang) if args.format == "csv"
            else export.to_xlsx(report, catalogue, args.lang))
    if args.out == "-":
        sys.stdout.buffer.write(body)
    else:
        Path(args.out).write_bytes(body)
        print(f"Wrote {args.out}: {report.period.label}, {report.whole.total} matters "
              f"({report.whole.consultations} consultations, {report.whole.applications} applications).",
              file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from staffdesk.accounts import DEFAULT_CENTRE
    parser = argparse.ArgumentParser(prog="staffdesk", description="The KAC staff desk")
    commands = parser.add_subparsers(dest="command", required=True)
    db_help = "database URL (default: STAFFDESK_DB, else SQLite in STAFFDESK_DATA_DIR or build/staffdesk)"

    serve = commands.add_parser("serve", help="migrate the database, then serve the console and the kiosk API")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--proxy", default="", metavar="ADDRESSES",
                       help="the reverse proxy's addresses, comma-separated: only then is X-Forwarded-For believed")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes (default: 1); more than one needs PostgreSQL")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="bring the database to the newest schema")
    migrate.add_argument("--db", help=db_help)
    migrate.set_defaults(handler=cmd_migrate)

    staff = commands.add_parser("add-staff", help="add a staff member (the password is asked for)")
    staff.add_argument("name")
    staff.add_argument("--centre", default=DEFAULT_CENTRE, help=f"the centre's name (default: {DEFAULT_CENTRE})")
    staff.add_argument("--role", choices=("staff", "manager", "national"), default="staff",
                       help="manager: the reports of their centre; national: every centre's (default: staff)")
    staff.add_argument("--db", help=db_help)
    staff.set_defaults(handler=cmd_add_staff)

    kiosk = commands.add_parser("add-kiosk", help="register a kiosk and print its API token once")
    kiosk.add_argument("name")
    kiosk.add_argument("--centre", default=DEFAULT_CENTRE, help=f"the centre's name (default: {DEFAULT_CENTRE})")
    kiosk.add_argument("--db", help=db_help)
    kiosk.set_defaults(handler=cmd_add_kiosk)

    report = commands.add_parser("report", help="the statistics of a period as the ministry's table (CSV) or the "
                                                "whole report (XLSX): the console's figures")
    report.add_argument("--db", help=db_help)
    report.add_argument("--from", dest="start", required=True, metavar="DATE", help="the first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, metavar="DATE", help="the last day, YYYY-MM-DD")
    report.add_argument("--centre", action="append", metavar="NAME",
                        help="a centre's name (as given to add-staff); repeat for several; default: every centre")
    report.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    report.add_argument("--lang", choices=("lv", "en", "uk"), default="lv", help="the headings' language")
    report.add_argument("--out", required=True, metavar="FILE", help="where to write it ('-': standard output)")
    report.set_defaults(handler=cmd_report)

    from staffdesk.catalogue_cli import add_commands
    add_commands(commands, db_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())

"""The database engine: SQLite in WAL mode for one centre, PostgreSQL for many, chosen by the URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """postgresql:// means psycopg 3 here: the only PostgreSQL driver the desk installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, single_writer: bool = False) -> Engine:
    """hide_parameters on every engine: a failed statement's error (and so a logged traceback) names the SQL but
    not the values, which hold what kiosks and staff typed (a call's reason, a room).

    single_writer (SQLite only): a pool of one connection, used for every write transaction of the process.

    SQLite lets one transaction write at a time. Threads that wait for the pool's one connection are woken in turn
    the moment it comes back, where threads waiting on SQLite's own lock sleep and retry (up to 100 ms a try) and,
    under a burst, run out their busy timeout and fail with "database is locked".
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    pool = ({"pool_size": 1, "max_overflow": 0, "pool_timeout": SQLITE_BUSY_TIMEOUT_MS / 1000} if single_writer
            else {"pool_size": 10, "max_overflow": 20})
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                           hide_parameters=True, **pool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # SQLAlchemy issues BEGIN itself (below); the driver must not start transactions of its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # NORMAL in WAL mode loses at most the last commits on power loss, never corrupts; kiosks resend.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock at the start, so two writers wait (busy_timeout) instead of one
        # failing at once when a read transaction tries to become a write. Read-only work (the console's
        # snapshots) keeps WAL's concurrent readers.
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine, read_only: bool = False) -> sessionmaker[Session]:
    bind = engine.execution_options(read_only=True) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)

"""The staff desk's settings, read once from the environment (and the command line's --db)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


class SettingsError(Exception):
    """A wrong environment value, worded for the administrator."""


def _yes_no(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("yes", "true", "on", "1"):
        return True
    if value in ("no", "false", "off", "0"):
        return False
    raise SettingsError(f"the environment variable {name} has the value '{value}'; expected yes or no.")


def _whole(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise SettingsError(f"the environment variable {name} has the value '{value}'; "
                            "expected a whole number.") from None


@dataclass(frozen=True)
class DeskSettings:
    # Where the embedded SQLite database lives when no database URL is given.
    data_dir: Path
    # Empty: SQLite in data_dir. Else a SQLAlchemy URL, e.g. postgresql://user@host/staffdesk.
    database_url: str = ""
    # Secure cookies travel only over https (or to localhost in most browsers); switch off only for tests.
    cookie_secure: bool = True
    # A staff session ends after this long without any request (an open live stream, as on a display board,
    # keeps its session alive; logging out ends it and its streams at once).
    session_idle_h: int = 12
    # Failed logins of one name from one address before each further try waits (first this long, doubling up to
    # a minute); the count starts again after a window without failures.
    login_failures: int = 5
    login_first_wait_s: int = 1
    login_window_s: int = 300
    # The kiosks' e-service catalogue: the institutions and services staff record a matter under, and their names
    # in the reports.
    catalog_path: Path = REPOSITORY / "assets" / "catalog" / "catalog.yaml"
    # The national publisher's public keys (kiosk/fleet/keys.py): a signed catalogue bundle is carried to the
    # kiosks only once one of them verifies it. Empty: this desk carries no bundles.
    publisher_keys: Path | None = None

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'staffdesk.sqlite'}"

    def with_database(self, url: str | None) -> "DeskSettings":
        return replace(self, database_url=url) if url else self


@lru_cache(maxsize=1)
def get_settings() -> DeskSettings:
    """STAFFDESK_DB, STAFFDESK_DATA_DIR, STAFFDESK_COOKIE_SECURE, STAFFDESK_SESSION_IDLE_H, STAFFDESK_LOGIN_*,
    STAFFDESK_CATALOG, STAFFDESK_PUBLISHER_KEYS."""
    data_dir = os.environ.get("STAFFDESK_DATA_DIR", "").strip()
    catalog = os.environ.get("STAFFDESK_CATALOG", "").strip()
    publisher_keys = os.environ.get("STAFFDESK_PUBLISHER_KEYS", "").strip()
    return DeskSettings(
        data_dir=Path(data_dir) if data_dir else REPOSITORY / "build" / "staffdesk",
        database_url=os.environ.get("STAFFDESK_DB", "").strip(),
        cookie_secure=_yes_no("STAFFDESK_COOKIE_SECURE", True),
        session_idle_h=_whole("STAFFDESK_SESSION_IDLE_H", 12),
        login_failures=_whole("STAFFDESK_LOGIN_FAILURES", 5),
        login_first_wait_s=_whole("STAFFDESK_LOGIN_FIRST_WAIT_S", 1),
        login_window_s=_whole("STAFFDESK_LOGIN_WINDOW_S", 300),
        catalog_path=Path(catalog) if catalog else REPOSITORY / "assets" / "catalog" / "catalog.yaml",
        publisher_keys=Path(publisher_keys) if publisher_keys else None,
    )

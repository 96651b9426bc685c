"""The curated e-service catalogue: loading with a last-good fallback, and search."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog.model import Catalog, CatalogError, load_catalog
from kiosk.config import ConfigError, Settings, unusable_path

log = logging.getLogger(__name__)
LAST_GOOD_NAME = "catalog.last-good.yaml"
# The catalogue that comes with the kiosk, offered to an administrator whose [catalog] path leads nowhere.
BUNDLED = Path(__file__).resolve().parents[2] / "assets" / "catalog" / "catalog.yaml"


@dataclass(frozen=True)
class LoadedCatalog:
    """The catalogue in use, and, when the configured file is broken, what is wrong with it."""
    catalog: Catalog | None
    problem: str | None = None
    from_last_good: bool = False


def load_with_fallback(path: Path, state_dir: Path) -> LoadedCatalog:
    """A valid file is used and kept as the last good copy; a broken one is reported and the copy used."""
    loaded = _load_or_last_good(path, state_dir)
    if loaded.catalog is None:
        log.error("the catalogue is broken and there is no last good copy: %s", loaded.problem)
    return loaded


def load_configured(settings: Settings) -> LoadedCatalog:
    """The catalogue the kiosk serves: the national bundle it runs (when kiosk.ini names the publisher's keys and
    one verifies), else the file kiosk.ini names, else that file's last good copy; ConfigError naming [catalog]
    path when none."""
    national = _national_bundle(settings)
    if national is not None:
        return national
    loaded = _load_or_last_good(settings.catalog.path, settings.kiosk.state_dir)
    if loaded.catalog is None:
        raise _no_catalogue(settings, loaded.problem)
    return loaded


def _national_bundle(settings: Settings) -> LoadedCatalog | None:
    if settings.catalog.publisher_keys is None:
        return None
    from kiosk.fleet.keys import configured_keys
    from kiosk.fleet.store import BundleStore, bundle_catalog
    bundle = BundleStore(settings.kiosk.state_dir, configured_keys(settings)).current()
    if bundle is None:
        return None
    try:
        return LoadedCatalog(bundle_catalog(bundle))
    except CatalogError:  # verified when it was taken: only a change of the kiosk's own rules gets here
        log.error("the national catalogue bundle %d is not valid here; using kiosk.ini's", bundle.version)
        return None


def configured_file_error(settings: Settings, problem: str) -> ConfigError:
    """The one sentence for a [catalog] path that gives no catalogue: the file, the key, the value, the fix."""
    accepts = "the path of an e-service catalogue file" + (f", such as {BUNDLED}" if BUNDLED.exists() else "")
    return unusable_path(settings, "catalog", "path", problem, accepts)


def _no_catalogue(settings: Settings, problem: str | None) -> ConfigError:
    path, last_good = settings.catalog.path, settings.kiosk.state_dir / LAST_GOOD_NAME
    detail = (problem or "").removeprefix(f"{path}: ")  # the sentence names the file already
    wrong = "does not exist" if not path.exists() else f"cannot be used ({detail})"
    fallback = (f"there is no last good copy at {last_good} to use instead" if not last_good.exists()
                else f"the last good copy at {last_good} cannot be used either")
    return configured_file_error(settings, f"{wrong}, and {fallback}")


def _load_or_last_good(path: Path, state_dir: Path) -> LoadedCatalog:
    last_good = state_dir / LAST_GOOD_NAME
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        try:
            fallback = LoadedCatalog(load_catalog(last_good), str(error), from_last_good=True)
        except CatalogError:
            return LoadedCatalog(None, str(error))
        log.error("the catalogue is broken, keeping the last good one: %s", error)
        return fallback
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        if not last_good.exists() or last_good.read_bytes() != path.read_bytes():
            shutil.copyfile(path, last_good)
    except OSError as error:
        log.warning("could not keep a last good copy of the catalogue: %s", error.strerror)
    return LoadedCatalog(catalog)

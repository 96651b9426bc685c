"""The curated e-service catalogue: loading with a last-good fallback, and search."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog.model import Catalog, CatalogError, load_catalog

log = logging.getLogger(__name__)
LAST_GOOD_NAME = "catalog.last-good.yaml"


@dataclass(frozen=True)
class LoadedCatalog:
    """The catalogue in use, and, when the configured file is broken, what is wrong with it."""
    catalog: Catalog | None
    problem: str | None = None
    from_last_good: bool = False


def load_with_fallback(path: Path, state_dir: Path) -> LoadedCatalog:
    """A valid file is used and kept as the last good copy; a broken one is reported and the copy used."""
    last_good = state_dir / LAST_GOOD_NAME
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        log.error("the catalogue is broken, keeping the last good one: %s", error)
        try:
            return LoadedCatalog(load_catalog(last_good), str(error), from_last_good=True)
        except CatalogError:
            return LoadedCatalog(None, str(error))
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        if not last_good.exists() or last_good.read_bytes() != path.read_bytes():
            shutil.copyfile(path, last_good)
    except OSError as error:
        log.warning("could not keep a last good copy of the catalogue: %s", error.strerror)
    return LoadedCatalog(catalog)

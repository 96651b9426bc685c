"""The kiosk's copy of the national bundle: the one it runs, the one waiting for the visit to end, what it refused.

Kept in state_dir/fleet (the kiosk user's, never anything of a resident):

    current.json    the bundle the kiosk runs, as it was verified (checked again at every start)
    pending.json    a newer one, verified and checked, taken between visits (`switch`)
    highest         the highest version ever taken: a lower one is a rollback, whatever else was deleted
    refused.json    the last bundle refused, with its version and reason, for the desk and `kiosk doctor`
    v<N>/           the files of version N, written from the verified bundle (the catalogue is read from here)

Every file is written to a temporary name and renamed, so a power cut leaves the old copy or the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog.model import CatalogError, load_catalog
from kiosk.fleet.bundle import CATALOG_FILE, NATIONAL_FILE, Bundle, BundleRefused, Refusal, utc_now, verify
from kiosk.fleet.keys import PublicKey
from kiosk.fleet.layers import CENTRE_FILE, LayerRefused, kept_centre_layer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    version: int | None
    reason: str
    detail: str
    at: str


class BundleStore:
    def __init__(self, state_dir: Path, trusted: list[PublicKey]):
        self.folder = Path(state_dir) / "fleet"
        self.trusted = trusted

    # ---- what the kiosk has ------------------------------------------------------------------------

    def current(self) -> Bundle | None:
        """The bundle the kiosk runs, verified again (its expiry aside: an expired one is still served, and
        reported); None when there is none, or it no longer verifies (then the kiosk.ini catalogue is used)."""
        return self._read("current.json")

    def pending(self) -> Bundle | None:
        return self._read("pending.json")

    def highest(self) -> int:
        try:
            return int((self.folder / "highest").read_text().strip())
        except (OSError, ValueError):
            return 0

    def refused(self) -> Refused | None:
        try:
            return Refused(**json.loads((self.folder / "refused.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def catalog_path(self, bundle: Bundle) -> Path:
        """The bundle's catalogue as a file, written from the verified bundle (never trusted as found on disk)."""
        folder = self.folder / f"v{bundle.version}"
        path = folder / CATALOG_FILE
        data = bundle.files[CATALOG_FILE]
        if not path.is_file() or path.read_bytes() != data:
            folder.mkdir(parents=True, exist_ok=True)
            self._write(path, data)
        return path

    # ---- a bundle offered ---------------------------------------------------------------------------

    def offer(self, envelope: bytes, now: dt.datetime | None = None) -> Bundle | None:
        """Verify and check a bundle from the desk and keep it as pending; None when it is the one the kiosk
        already runs or waits for. BundleRefused (also kept in refused.json) when any rule fails."""
        have = max(self.highest(), *(b.version for b in (self.current(), self.pending()) if b is not None), 0)
        try:
            bundle = verify(envelope, self.trusted, lowest_version=have, now=now or utc_now())
            if bundle.version == have:
                return None
            check_contents(bundle)
        except BundleRefused as refusal:
            self._remember_refusal(envelope, refusal)
            raise
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write(self.folder / "pending.json", envelope)
        log.info("catalogue bundle version %d verified (signed by %s); taken when no visit is on", bundle.version,
                 bundle.keyid)
        return bundle

    def switch(self) -> Bundle | None:
        """The pending bundle becomes the one the kiosk runs (between visits); returns it, or None if none."""
        bundle = self.pending()
        if bundle is None:
            return None
        self.catalog_path(bundle)
        self._write(self.folder / "highest", str(bundle.version).encode())
        os.replace(self.folder / "pending.json", self.folder / "current.json")
        for old in self.folder.glob("v*"):
            if old.is_dir() and old.name != f"v{bundle.version}":
                shutil.rmtree(old, ignore_errors=True)
        (self.folder / "refused.json").unlink(missing_ok=True)
        log.info("now running catalogue bundle version %d", bundle.version)
        return bundle

    # ---- the centre's layer of the settings (kiosk/fleet/layers.py) -----------------------------------

    def centre_layer_revision(self) -> int:
        try:
            return int(json.loads((self.folder / CENTRE_FILE).read_text(encoding="utf-8"))["revision"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def keep_centre_layer(self, answer: dict) -> bool:
        """Keep the centre's settings from its desk ({"revision": N, "values": {section: {key: text}}}) when they
        set only a centre's keys, with accepted values; True when they differ from the ones kept. LayerRefused
        (the kept ones stay) otherwise."""
        from kiosk.fleet.layers import CENTRE, check_layer
        revision = answer.get("revision") if isinstance(answer, dict) else None
        if not isinstance(revision, int):
            raise LayerRefused("the centre's settings came without a revision")
        values = check_layer(CENTRE, answer.get("values"), f"the centre's settings (revision {revision})")
        before = kept_centre_layer(self.folder.parent)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write(self.folder / CENTRE_FILE, json.dumps({"revision": revision, "values": values}).encode())
        return values != before

    # ---- inside -------------------------------------------------------------------------------------

    def _read(self, name: str) -> Bundle | None:
        try:
            envelope = (self.folder / name).read_bytes()
        except OSError:
            return None
        try:
            return verify(envelope, self.trusted, check_expiry=False)
        except BundleRefused as refusal:
            log.error("the kept catalogue bundle %s no longer verifies (%s); not used", name, refusal.refusal.value)
            return None

    def _remember_refusal(self, envelope: bytes, refusal: BundleRefused) -> None:
        try:
            from kiosk.fleet.bundle import peek
            version = peek(envelope).version
        except BundleRefused:
            version = None
        log.warning("catalogue bundle %s refused: %s", version if version is not None else "(unreadable)",
                    refusal)
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {"version": version, "reason": refusal.refusal.value, "detail": refusal.detail,
                  "at": utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")}
        self._write(self.folder / "refused.json", json.dumps(record).encode())

    def _write(self, path: Path, data: bytes) -> None:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as output:
                output.write(data)
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def bundle_catalog(bundle: Bundle):
    """The bundle's catalogue, read and validated as `kiosk catalog check` does, without writing into the kiosk's
    state (a command run as root reads it too); CatalogError naming the entry and field."""
    with tempfile.TemporaryDirectory(prefix="kac-bundle-") as folder:
        path = Path(folder) / CATALOG_FILE
        path.write_bytes(bundle.files[CATALOG_FILE])
        try:
            return load_catalog(path)
        except CatalogError as error:
            raise CatalogError(Path(CATALOG_FILE), error.where, error.field, error.problem) from None


def check_contents(bundle: Bundle) -> None:
    """The bundle's catalogue is valid, and its national settings set only what the national layer may set (valid
    values); BundleRefused(INVALID or FORBIDDEN_SETTING) naming the problem otherwise."""
    try:
        bundle_catalog(bundle)
    except CatalogError as error:
        raise BundleRefused(Refusal.INVALID, str(error)) from None
    if NATIONAL_FILE in bundle.files:
        from kiosk.fleet.layers import LayerRefused, parse_national
        try:
            parse_national(bundle.files[NATIONAL_FILE].decode("utf-8"))
        except UnicodeDecodeError:
            raise BundleRefused(Refusal.INVALID, f"{NATIONAL_FILE}: is not UTF-8 text") from None
        except LayerRefused as refused:
            raise BundleRefused(Refusal.FORBIDDEN_SETTING if refused.forbidden else Refusal.INVALID,
                                str(refused)) from None

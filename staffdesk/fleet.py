"""The national catalogue carried to the kiosks: bundles made for signing, signed ones taken in, rings, who runs what.

The desk never holds the publisher's private key. It makes the unsigned bundle of a catalogue (`unsigned_bundle`),
takes the signed one back only when one of the publisher's public keys verifies it and its catalogue passes the
kiosk's own check (`take_signed`), and offers each kiosk the newest bundle of the rings its centre is in
(`Offers`): the pilot centres' kiosks first, then everyone's. What a kiosk runs comes back with its heartbeats.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.fleet import bundle as bundles
from kiosk.fleet.keys import KeyProblem, PublicKey, load_public
from kiosk.fleet.layers import CENTRE, LayerRefused, check_layer
from kiosk.fleet.store import check_contents
from staffdesk.models import Centre, FleetBundle, Kiosk, KioskHealth, Ring, utcnow

# How long a desk process reuses what it read of the rings: a poll that changes nothing costs no query, and a
# bundle released is offered by every process within this time.
OFFERS_TTL_S = 2.0
DEFAULT_VALID_DAYS = 90


class FleetError(ValueError):
    """Why the desk will not take or release a bundle, in one sentence for the national team."""


def publisher_keys(path: Path | None) -> list[PublicKey]:
    if path is None:
        raise FleetError("this desk has no publisher keys (STAFFDESK_PUBLISHER_KEYS): it carries no bundles")
    try:
        return load_public(path)
    except KeyProblem as problem:
        raise FleetError(str(problem)) from None


def next_version(session: Session) -> int:
    return (session.scalar(select(func.max(FleetBundle.version))) or 0) + 1


def unsigned_bundle(session: Session, catalogue: bytes, valid_days: int = DEFAULT_VALID_DAYS, note: str = "",
                    national: bytes | None = None) -> bytes:
    """The next version's bundle of this catalogue, to be signed where the key is kept; FleetError when the
    catalogue would be refused by every kiosk anyway."""
    files = {bundles.CATALOG_FILE: catalogue}
    if national is not None:
        files[bundles.NATIONAL_FILE] = national
    expires = bundles.utc_now() + dt.timedelta(days=valid_days)
    envelope = bundles.unsigned(files, next_version(session), expires, note)
    try:
        check_contents(bundles.Bundle(envelope, bundles.peek(envelope), files))
    except bundles.BundleRefused as refused:
        raise FleetError(refused.detail) from None
    return envelope


def take_signed(session: Session, envelope: bytes, keys: list[PublicKey], staff_id: int | None = None
                ) -> FleetBundle:
    """Keep a signed bundle, released to no ring yet, when it verifies as a kiosk would verify it; FleetError
    with the reason otherwise (the same words a kiosk reports)."""
    highest = session.scalar(select(func.max(FleetBundle.version))) or 0
    try:
        verified = bundles.verify(envelope, keys, lowest_version=highest + 1)
        check_contents(verified)
    except bundles.BundleRefused as refused:
        if refused.refusal is bundles.Refusal.ROLLBACK:
            raise FleetError(f"version {bundles.peek(envelope).version} is not newer than version {highest}, which "
                             f"the desk has; to undo a release, export and sign the old catalogue again (it becomes "
                             f"version {highest + 1})") from None
        raise FleetError(f"{refused.refusal.value}: {refused.detail}") from None
    row = FleetBundle(version=verified.version, envelope=envelope, keyid=verified.keyid,
                      expires_at=verified.manifest.expires.replace(tzinfo=None), note=verified.manifest.note[:300],
                      uploaded_by=staff_id)
    session.add(row)
    session.commit()
    return row


def release(session: Session, version: int, ring: Ring) -> FleetBundle:
    """Offer the bundle to a ring (pilot, then everyone); a ring never goes back to an older one this way."""
    row = session.get(FleetBundle, version)
    if row is None:
        raise FleetError(f"there is no bundle version {version} on this desk")
    if ring is Ring.NONE:
        raise FleetError("a bundle is released to the pilot ring or to everyone")
    newer = session.scalar(select(func.max(FleetBundle.version)).where(
        FleetBundle.ring.in_(_rings_taking(ring)), FleetBundle.version > version))
    if newer is not None:
        raise FleetError(f"version {newer} is already released there; to undo it, sign this catalogue again as a "
                         "new version")
    if row.expires_at <= utcnow():
        raise FleetError(f"version {version} expired at {row.expires_at:%Y-%m-%d %H:%M} UTC; sign it again")
    if ring is Ring.EVERYONE or row.ring != Ring.EVERYONE.value:
        row.ring, row.ring_at = ring.value, utcnow()
    session.commit()
    return row


def _rings_taking(ring: Ring) -> tuple[str, ...]:
    """The rings whose bundles a kiosk in `ring` takes."""
    return (Ring.PILOT.value, Ring.EVERYONE.value) if ring is Ring.PILOT else (Ring.EVERYONE.value,)


@dataclass(frozen=True)
class Offer:
    version: int
    envelope: bytes


class Offers:
    """The newest bundle each ring is offered, read at most every OFFERS_TTL_S by this process."""

    def __init__(self, read_sessions: sessionmaker[Session]):
        self._sessions = read_sessions
        self._lock = threading.Lock()
        self._read_at = -OFFERS_TTL_S
        self._offers: dict[str, Offer | None] = {}
        self._pilots: frozenset[int] = frozenset()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._read_at >= OFFERS_TTL_S

    def refresh(self) -> None:
        """Read the rings again if they are stale (a database read: off the event loop)."""
        with self._lock:
            if self.stale:
                self._read()

    def for_centre(self, centre_id: int) -> Offer | None:
        self.refresh()
        with self._lock:
            return self._offers[Ring.PILOT.value if centre_id in self._pilots else Ring.EVERYONE.value]

    def forget(self) -> None:
        """Read again at the next poll (a bundle was released by this process)."""
        with self._lock:
            self._read_at = -OFFERS_TTL_S

    def _read(self) -> None:
        with self._sessions() as session:
            self._pilots = frozenset(session.scalars(select(Centre.id).where(Centre.pilot)))
            for ring in (Ring.PILOT, Ring.EVERYONE):
                newest = session.scalar(select(FleetBundle).where(FleetBundle.ring.in_(_rings_taking(ring)))
                                        .order_by(FleetBundle.version.desc()).limit(1))
                self._offers[ring.value] = Offer(newest.version, newest.envelope) if newest is not None else None
        self._read_at = time.monotonic()


# ---- who runs what ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KioskBundle:
    centre: str
    kiosk: str
    version: int | None
    checked: dt.datetime | None
    refused: str
    offered: int | None

    @property
    def behind(self) -> bool:
        return self.offered is not None and (self.version or 0) < self.offered


def fleet_status(session: Session, centre_id: int | None = None) -> list[KioskBundle]:
    """Every kiosk (of one centre, or all), the bundle it runs, when it last checked, what it refused, and the
    bundle its ring is offered now."""
    offered = {}
    for ring in (Ring.PILOT, Ring.EVERYONE):
        offered[ring] = session.scalar(select(func.max(FleetBundle.version))
                                       .where(FleetBundle.ring.in_(_rings_taking(ring))))
    query = (select(Centre.name, Centre.pilot, Kiosk.name, KioskHealth.bundle_version, KioskHealth.bundle_checked,
                    KioskHealth.bundle_refused)
             .join(Kiosk, Kiosk.centre_id == Centre.id)
             .outerjoin(KioskHealth, KioskHealth.kiosk_id == Kiosk.id)
             .order_by(Centre.name, Kiosk.name))
    if centre_id is not None:
        query = query.where(Centre.id == centre_id)
    return [KioskBundle(centre, kiosk, version, checked, refused or "",
                        offered[Ring.PILOT if pilot else Ring.EVERYONE])
            for centre, pilot, kiosk, version, checked, refused in session.execute(query)]


def bundles_on_desk(session: Session) -> list[FleetBundle]:
    return list(session.scalars(select(FleetBundle).order_by(FleetBundle.version.desc())))


def centre_layer(centre: Centre) -> dict:
    """The centre's layer as a kiosk receives it."""
    return {"revision": centre.settings_revision, "values": json.loads(centre.settings_json or "{}")}


def set_centre_layer(session: Session, centre: Centre, values: dict) -> int:
    """The centre manager's values for their kiosks; FleetError with the sentence when a key is not a centre's to
    set (the allow-list of the browser never is) or a value is not accepted. Returns the new revision."""
    try:
        checked = check_layer(CENTRE, values, "the centre's settings")
    except LayerRefused as refused:
        raise FleetError(str(refused)) from None
    centre.settings_json = json.dumps(checked, ensure_ascii=False, sort_keys=True)
    centre.settings_revision += 1
    session.commit()
    return centre.settings_revision


def set_pilot(session: Session, centre_name: str, pilot: bool) -> None:
    centre = session.scalar(select(Centre).where(Centre.name == centre_name))
    if centre is None:
        raise FleetError(f"there is no centre named '{centre_name}'")
    centre.pilot = pilot
    session.commit()

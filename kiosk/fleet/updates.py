"""The kiosk following the national catalogue: asks its desk for a newer bundle, keeps what verifies, and switches to
it between visits — never while a resident is in the middle of one.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable

from kiosk.desk_link.client import DeskRejected, DeskUnavailable
from kiosk.fleet.bundle import NATIONAL_FILE, Bundle, BundleRefused, utc_now
from kiosk.fleet.keys import configured_keys
from kiosk.fleet.layers import LayerRefused
from kiosk.fleet.store import BundleStore

log = logging.getLogger(__name__)


class CatalogueUpdates:
    """Given what it uses: the catalogue service it switches (`use(path)`), `in_visit()` and `post(work)` onto the
    core's thread (where visits start and end). What it runs, when it last asked and what it refused go to the desk
    with the heartbeats (`health`); a bundle run past its expiry as an alert, once.
    """

    def __init__(self, store: BundleStore, catalog, check_s: float, in_visit: Callable[[], bool],
                 post: Callable[[Callable[[], None]], None], settings_changed: Callable[[], None]):
        self.store, self.catalog, self.check_s = store, catalog, check_s
        self._in_visit, self._post, self._settings_changed = in_visit, post, settings_changed
        # New national or centre settings taken: the kiosk starts again with them once no visit is on.
        self.settings_waiting = False
        self.health: dict = {}
        self._last_check = -float("inf")
        self._expiry_told: int | None = None

    @classmethod
    def from_settings(cls, settings, catalog, in_visit, post, settings_changed) -> "CatalogueUpdates | None":
        """None when kiosk.ini names no publisher keys (the kiosk serves its own catalogue file). A key file that
        cannot be used is a ConfigError: the administrator meant the kiosk to follow the national catalogue."""
        if settings.catalog.publisher_keys is None:
            return None
        return cls(BundleStore(settings.kiosk.state_dir, configured_keys(settings)), catalog,
                   settings.catalog.update_check_s, in_visit, post, settings_changed)

    def start(self) -> Bundle | None:
        """Serve the bundle the kiosk runs (`kiosk run` took one that waited, before it read the settings);
        returns it, or None."""
        bundle = self.store.current()
        if bundle is not None:
            self.catalog.use(self.store.catalog_path(bundle))
        self._report_running(bundle)
        return bundle

    def follow(self, desk_link) -> None:
        """Ask the desk before its heartbeats, every check_s, and send what the kiosk runs with each of them."""
        def before_beat(client) -> None:
            if client is not None and time.monotonic() - self._last_check >= self.check_s:
                self.check(client)
                self._tell_expiry(desk_link)
            desk_link.update_health(**self.health)
        desk_link.before_each_heartbeat(before_beat)

    # ---- on the heartbeat's thread -------------------------------------------------------------------

    def check(self, client) -> None:
        """Ask the desk once; a bundle that verifies waits for the visit to end, one that does not is reported."""
        self._last_check = time.monotonic()
        have = max([self.store.highest()] + [b.version for b in (self.store.current(), self.store.pending()) if b])
        try:
            envelope = client.newest_bundle(have)
        except (DeskUnavailable, DeskRejected) as error:
            log.info("could not ask the desk for a newer catalogue bundle: %s", error)
            return
        self.health["bundle_checked"] = utc_now().isoformat(timespec="seconds")
        self._check_centre_layer(client)
        if envelope is None:
            return
        try:
            taken = self.store.offer(envelope)
        except BundleRefused:
            self.health["bundle_refused"] = self._refusal_words()
            return
        if taken is not None:
            self._post(self.between_visits)

    def _check_centre_layer(self, client) -> None:
        """The centre's own settings, from its desk: kept when they are a centre's to set, else refused."""
        have = self.store.centre_layer_revision()
        try:
            answer = client.centre_settings(have)
        except (DeskUnavailable, DeskRejected) as error:
            log.info("could not ask the desk for the centre's settings: %s", error)
            return
        if answer is None:
            return
        try:
            changed = self.store.keep_centre_layer(answer)
        except LayerRefused as refused:
            log.warning("the centre's settings were refused: %s", refused)
            self.health["bundle_refused"] = f"centre settings {answer.get('revision', '?')}: {refused}"[:300]
            return
        if changed:
            self.settings_waiting = True
            self._post(self.between_visits)

    def _tell_expiry(self, desk_link) -> None:
        bundle = self.store.current()
        if bundle is not None and bundle.manifest.expired(utc_now()) and self._expiry_told != bundle.version:
            self._expiry_told = bundle.version
            log.warning("the catalogue bundle this kiosk runs (version %d) has expired", bundle.version)
            desk_link.alert("catalogue-expired", f"version {bundle.version} expired at "
                                                 f"{bundle.manifest.expires:%Y-%m-%d %H:%M} UTC; no newer one came")

    # ---- on the core's thread --------------------------------------------------------------------------

    def between_visits(self) -> None:
        """Take a waiting bundle now, unless a resident's visit is on (the end of that visit calls this again); new
        settings (the bundle's national ones, the centre's) then start the kiosk again."""
        if self._in_visit():
            return
        if self.store.pending() is not None:
            before = self.store.current()
            bundle = self.store.switch()
            if bundle is not None:
                self.catalog.use(self.store.catalog_path(bundle))
                self._report_running(bundle)
                self.settings_waiting |= _national(bundle) != _national(before)
        if self.settings_waiting:
            self._settings_changed()

    def _report_running(self, bundle: Bundle | None) -> None:
        self.health.update(bundle_version=bundle.version if bundle else 0, bundle_refused=self._refusal_words())

    def _refusal_words(self) -> str:
        """The last bundle refused, as the desk shows it: "VERSION REASON: detail" (empty when none)."""
        refused = self.store.refused()
        return f"{refused.version or '?'} {refused.reason}: {refused.detail}"[:300] if refused else ""


def _national(bundle: Bundle | None) -> bytes | None:
    return bundle.files.get(NATIONAL_FILE) if bundle is not None else None


def describe(settings, now: dt.datetime | None = None) -> tuple[bool, str]:
    """What `kiosk catalog version` and `kiosk doctor` say: the bundle run, its signer and expiry, one waiting for
    the visit to end, the last one refused; False when something there needs staff (expired, refused, keys)."""
    if settings.catalog.publisher_keys is None:
        return True, f"{settings.catalog.path} (kiosk.ini's; [catalog] publisher_keys is empty: no national bundle)"
    from kiosk.config import ConfigError
    try:
        store = BundleStore(settings.kiosk.state_dir, configured_keys(settings))
    except ConfigError as problem:
        return False, str(problem)
    now = now or utc_now()
    current, pending, refused = store.current(), store.pending(), store.refused()
    if current is None:
        text, ok = f"no national bundle yet: {settings.catalog.path} (kiosk.ini's) is served", True
    else:
        expired = current.manifest.expired(now)
        signer = f"{current.keyid}{' (' + current.signer + ')' if current.signer else ''}"
        text = (f"national bundle version {current.version}, signed by {signer}, "
                f"{'EXPIRED' if expired else 'expires'} {current.manifest.expires:%Y-%m-%d %H:%M} UTC")
        ok = not expired
    if pending is not None:
        text += f"; version {pending.version} is verified and taken when no visit is on"
    if refused is not None:
        text += f"; refused version {refused.version or '?'} ({refused.reason}: {refused.detail})"
        ok = False
    return ok, text

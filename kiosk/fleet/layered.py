"""kiosk.ini's settings with the national and the centre's layers over it (kiosk/fleet/layers.py): what `kiosk run`
and `kiosk doctor` read on a kiosk that follows the national catalogue."""

from __future__ import annotations

from kiosk.fleet.layers import LayerRefused, kept_centre_layer, parse_national


def load_layered(path=None, starting: bool = False):
    """kiosk.ini's settings with the national and the centre's layers over it, when the kiosk follows the national
    catalogue ([catalog] publisher_keys) and has taken them; else kiosk.ini's alone. `starting`: the kiosk is
    starting, with no visit on, and first takes a bundle that waited for a visit to end (its settings with it)."""
    from kiosk.config import load_settings
    settings = load_settings(path)
    if settings.catalog.publisher_keys is None:
        return settings
    from kiosk.fleet.bundle import NATIONAL_FILE
    from kiosk.fleet.keys import configured_keys
    from kiosk.fleet.store import BundleStore
    store = BundleStore(settings.kiosk.state_dir, configured_keys(settings))
    bundle = (store.switch() if starting else None) or store.current()
    national = {}
    if bundle is not None and NATIONAL_FILE in bundle.files:
        try:
            national = parse_national(bundle.files[NATIONAL_FILE].decode("utf-8"))
        except (LayerRefused, UnicodeDecodeError):  # checked when taken: only a change of the rules gets here
            national = {}
    layers = [layer for layer in (national, kept_centre_layer(settings.kiosk.state_dir)) if layer]
    return load_settings(path, layers=layers) if layers else settings

"""Settings in layers: the national defaults (signed, in the bundle), the centre's own (its manager's, from its desk),
then the kiosk's kiosk.ini for what is only this computer's (its printers, devices, paths, its desk and token).

Which keys each layer may set is declared here, once; the desk refuses a layer that sets another when it is saved,
and a kiosk refuses it again when it comes (a centre may never add a host to the browser's allow-list: residents
type their PIN1 into what opens there). A kiosk following the national catalogue reads kiosk.ini, then the
national layer over it, then the centre's: kiosk.ini's values of the layers' keys are the defaults beneath them.
"""

from __future__ import annotations

import configparser
import dataclasses
import json
from pathlib import Path

NATIONAL, CENTRE = "national", "centre"

# section -> the keys that layer may set.
LAYER_KEYS: dict[str, dict[str, frozenset[str]]] = {
    NATIONAL: {
        "ui": frozenset({"languages", "default_language"}),
        "visit": frozenset({"idle_warning_s", "idle_countdown_s", "goodbye_s"}),
        "printing": frozenset({"page_quota", "job_timeout_s"}),
        "browser": frozenset({"allowed_hosts", "login_hosts"}),
        "staffdesk": frozenset({"heartbeat_s"}),
        "catalog": frozenset({"update_check_s"}),
        "speech": frozenset({"rate", "volume"}),
    },
    CENTRE: {
        "centre": frozenset({"name", "address", "desk_location", "desk_location_en", "desk_location_uk",
                             "desk_direction"}),
        "ui": frozenset({"default_language"}),
        "printing": frozenset({"page_quota"}),
    },
}
CENTRE_FILE = "centre.json"


class LayerRefused(ValueError):
    """A layer that sets a key it may not (`forbidden`), or a value its key does not accept: one sentence."""

    def __init__(self, sentence: str, forbidden: bool = False):
        super().__init__(sentence)
        self.forbidden = forbidden


def allowed_keys(layer: str) -> list[str]:
    return [f"[{section}] {key}" for section, keys in sorted(LAYER_KEYS[layer].items()) for key in sorted(keys)]


def check_layer(layer: str, values: dict, source: str) -> dict[str, dict[str, str]]:
    """The layer's values as {section: {key: text}} once each key is one it may set and each value is accepted
    as kiosk.ini would accept it; LayerRefused naming the first that is not."""
    from kiosk.config import SECTIONS
    if not isinstance(values, dict) or not all(isinstance(keys, dict) for keys in values.values()):
        raise LayerRefused(f"{source}: is not a set of [section] key = value settings")
    checked: dict[str, dict[str, str]] = {}
    for section, keys in values.items():
        for key, value in keys.items():
            if key not in LAYER_KEYS[layer].get(section, ()):
                what = ("a host the browser may open is the national catalogue's to allow"
                        if (section, key) == ("browser", "allowed_hosts") else
                        f"the {layer} layer may set only {', '.join(allowed_keys(layer))}")
                raise LayerRefused(f"{source}: [{section}] {key} cannot be set here: {what}", forbidden=True)
            rule = next(field for field in dataclasses.fields(SECTIONS[section]) if field.name == key).metadata["rule"]
            try:
                rule.parse(str(value))
            except ValueError:
                raise LayerRefused(f"{source}: [{section}] {key} = '{value}' is not accepted; expected "
                                   f"{rule.accepts}") from None
            checked.setdefault(section, {})[key] = str(value)
    return checked


def parse_national(text: str, source: str = "national.ini") -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, default_section="__no_defaults__")
    parser.optionxform = str
    try:
        parser.read_string(text)
    except configparser.Error as error:
        raise LayerRefused(f"{source}: is not in 'key = value' form under [section] headers: "
                           f"{str(error).splitlines()[0]}") from None
    return check_layer(NATIONAL, {section: dict(parser.items(section)) for section in parser.sections()}, source)


def kept_centre_layer(state_dir: Path) -> dict[str, dict[str, str]]:
    """The centre's layer the kiosk took last (checked again: a file in the kiosk's state is never trusted)."""
    path = Path(state_dir) / "fleet" / CENTRE_FILE
    try:
        return check_layer(CENTRE, json.loads(path.read_text(encoding="utf-8"))["values"], str(path))
    except (OSError, ValueError, KeyError, TypeError):
        return {}


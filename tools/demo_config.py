"""Writes the demo's kiosk.ini: the repository's, with its paths made absolute and its devices the demo's own."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH_KEYS = ("state_dir", "runtime_dir", "path", "trusted_ca")


def demo_ini(settings: dict[str, str]) -> str:
    """kiosk.ini with `settings` (key -> value) replaced; keys are unique across its sections."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    for key in PATH_KEYS:
        text = re.sub(rf"^({key} = )(?!/)(.+)$", lambda m: m.group(1) + str(ROOT / m.group(2)), text, flags=re.M)
    for key, value in settings.items():
        text, found = re.subn(rf"^{key} =.*$", f"{key} = {value}", text, flags=re.M)
        if not found:
            raise SystemExit(f"kiosk.ini has no key {key}")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.set)
    Path(args.out).write_text(demo_ini(settings), encoding="utf-8")


if __name__ == "__main__":
    main()

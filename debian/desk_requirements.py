"""Prints the staff desk's share of pyproject.toml's dependencies, one requirement a line, for its own virtualenv.

The desk needs a small part of what the kiosk needs (no Kivy, Playwright, SANE, CUPS or PC/SC): its virtualenv is
built from these requirements and the project installed without its dependencies. The names are the only list;
their version bounds stay in pyproject.toml. debian/rules then imports every staffdesk module with the result, so
a new import the list lacks fails the build instead of the desk.
"""

from __future__ import annotations

import re
import sys
import tomllib


def name_of(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower()


def main(pyproject: str, names: list[str]) -> int:
    with open(pyproject, "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    wanted = {name.lower() for name in names}
    chosen = [requirement for requirement in dependencies if name_of(requirement) in wanted]
    missing = wanted - {name_of(requirement) for requirement in chosen}
    if missing:
        print(f"{pyproject} has no dependency named {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    print("\n".join(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))

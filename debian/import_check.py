"""Imports every module of the given packages (not their Alembic migrations or __main__): run with a packaged
virtualenv's python at build time, it fails the build when the virtualenv lacks something they import."""

from __future__ import annotations

import importlib
import pkgutil
import sys


def main(packages: list[str]) -> int:
    count = 0
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".migrations" in module.name or module.name.endswith(".__main__"):
                continue
            importlib.import_module(module.name)
            count += 1
    print(f"import check: {count} modules of {', '.join(packages)} import")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

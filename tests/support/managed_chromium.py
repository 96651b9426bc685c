"""Chromium with the kiosk's managed policies, as a real kiosk runs it, without touching the machine's /etc/chromium.

A copy of /etc/chromium with the policy file in it is mounted over /etc/chromium for the browser's process only
(a mount namespace of its own), through a wrapper the kiosk starts in place of /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.browser.policies import POLICY_FILE


class ManagedChromium:
    def __init__(self, root: Path):
        self.root = root
        self.etc_chromium = root / "etc-chromium"
        shutil.copytree("/etc/chromium", self.etc_chromium, dirs_exist_ok=True)
        self.policies_dir = self.etc_chromium / "policies" / "managed"
        self.policies_dir.mkdir(parents=True, exist_ok=True)

    def install(self, text: str) -> None:
        (self.policies_dir / POLICY_FILE).write_text(text, encoding="utf-8")

    def wrapper(self) -> Path:
        """An executable that starts Chromium with this copy mounted over the machine's /etc/chromium."""
        wrapper = self.root / "chromium"
        wrapper.write_text("#!/bin/sh\nexec unshare --mount --propagation private sh -c "
                           f"'mount --bind {self.etc_chromium} /etc/chromium && exec /usr/bin/chromium \"$@\"' "
                           "chromium \"$@\"\n")
        wrapper.chmod(0o755)
        return wrapper

"""Whether Chromium's sandbox can shield the resident's pages on this computer, and how the browser is started.

Chromium's first layer is a user namespace (or Debian's setuid `chrome-sandbox` helper), its second seccomp-bpf.
As root it refuses to sandbox at all, which only a developer's checkout does (the demo and the tests); a kiosk
runs as its own user and never opens a page without the sandbox.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Debian's optional chromium-sandbox package: the setuid helper Chromium uses where user namespaces are off.
SETUID_HELPER = Path("/usr/lib/chromium/chrome-sandbox")


@dataclass(frozen=True)
class Sandbox:
    """How the browser may start here: `sandboxed` (the only way on a kiosk), or as root without it (development)."""
    sandboxed: bool
    as_root: bool
    detail: str

    @property
    def usable(self) -> bool:
        """Pages may open: in the sandbox, or in a developer's checkout run as root."""
        return self.sandboxed or self.as_root


ROOT_WARNING = ("the kiosk runs as root, so Chromium runs WITHOUT its sandbox: fine for a developer's checkout, "
                "never for a public computer (install the kac-kiosk package, which runs it as the user 'kiosk')")


def probe() -> Sandbox:
    """Looks once (a few milliseconds): root, else a user namespace this user may make, else the setuid helper."""
    if os.geteuid() == 0:
        return Sandbox(False, True, ROOT_WARNING)
    if _user_namespaces_work():
        return Sandbox(True, False, "Chromium's sandbox is on (user namespaces and seccomp-bpf)")
    if _setuid_helper_ready():
        return Sandbox(True, False, f"Chromium's sandbox is on (the setuid helper {SETUID_HELPER})")
    return Sandbox(False, False, "Chromium's sandbox cannot start: this user may not create user namespaces "
                                 "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0) and "
                                 f"{SETUID_HELPER} is not installed setuid root ('apt install chromium-sandbox'); "
                                 "until then no e-service page is opened on this kiosk")


def _user_namespaces_work() -> bool:
    # Trying is the only sure answer: sysctls, AppArmor and seccomp policies of the host can each forbid it.
    try:
        return subprocess.run(["unshare", "--user", "--map-root-user", "true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _setuid_helper_ready() -> bool:
    try:
        status = SETUID_HELPER.stat()
    except OSError:
        return False
    return status.st_uid == 0 and bool(status.st_mode & 0o4000)

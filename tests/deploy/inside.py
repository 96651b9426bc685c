"""Running a command inside an installed Debian root as that computer would: its own root, not a chroot.

A chroot is not enough for Chromium's sandbox: the kernel refuses a user namespace to a process whose root is
not its mount namespace's root (unshare(2), EPERM). So each command gets a mount namespace of its own in which the
installed root is pivoted to `/`, optionally a network namespace (its own loopback: its pcscd's vpcd port and its
printers cannot meet the test machine's), and runs as `user` through runuser, as systemd's User= would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

# Each command pivots through a folder of its own: several start at once, and one must not remove another's.
PIVOT = ('mount --rbind "$ROOT" "$ROOT" && cd "$ROOT" && old=$(mktemp -d .oldroot.XXXXXX) '
         '&& pivot_root . "$old" && umount -l "/$old" && rmdir "/$old" && cd / && exec "$@"')


def command_inside(root: Path, command: list[str], user: str | None = None, netns: str | None = None,
                   env: dict[str, str] | None = None) -> list[str]:
    """The argument list that runs `command` in `root` (as `user`, in `netns`), for subprocess."""
    inner = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
             *(f"{key}={value}" for key, value in (env or {}).items()), *command]
    if user is not None:
        # runuser opens a PAM session for the user, as the unit's PAMName= does; -u keeps it to this command.
        inner = ["runuser", "-u", user, "--", *inner]
    outer = ["unshare", "--mount", "--propagation", "private", "sh", "-c", PIVOT, "pivot", *inner]
    if netns is not None:
        outer = ["ip", "netns", "exec", netns, *outer]
    return ["env", f"ROOT={root}", *outer]


def run_inside(root: Path, command: list[str], user: str | None = None, netns: str | None = None,
               env: dict[str, str] | None = None, timeout: float = 300, check: bool = True,
               **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command_inside(root, command, user, netns, env), capture_output=True, text=True,
                            timeout=timeout, **options)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def start_inside(root: Path, command: list[str], user: str | None = None, netns: str | None = None,
                 env: dict[str, str] | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen(command_inside(root, command, user, netns, env), **options)

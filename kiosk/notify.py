"""Telling systemd that the kiosk is up and that its screen still answers (the sd_notify protocol, Type=notify).

A datagram of `KEY=VALUE` lines to the Unix socket named in $NOTIFY_SOCKET: READY=1 once the first frame is on
screen, WATCHDOG=1 from the UI thread's clock, STOPPING=1 on the way out. The unit's `WatchdogSec=` restarts a
kiosk whose UI thread stops answering, not only one whose process died.
"""

from __future__ import annotations

import os
import socket

# Half the watchdog interval, as sd_watchdog_enabled(3) advises: one late ping still arrives in time.
PINGS_PER_INTERVAL = 2


class ServiceNotifier:
    """The kiosk's line to systemd; `from_environment` gives None when no service manager listens."""

    def __init__(self, address: str, watchdog_usec: int | None):
        # An address starting with @ is in Linux's abstract namespace.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_interval_s = watchdog_usec / 1_000_000 if watchdog_usec else None
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @classmethod
    def from_environment(cls, environ=os.environ) -> "ServiceNotifier | None":
        address = environ.get("NOTIFY_SOCKET")
        if not address:
            return None
        # WATCHDOG_PID names the unit's main process, which is xinit, not the kiosk (its grandchild, allowed to
        # speak by NotifyAccess=all): the kiosk pings for the visit whatever that pid says.
        usec = environ.get("WATCHDOG_USEC", "")
        return cls(address, int(usec) if usec.isdigit() and int(usec) > 0 else None)

    @property
    def ping_every_s(self) -> float | None:
        """How often the UI thread's clock sends WATCHDOG=1, or None when the unit has no watchdog."""
        return self.watchdog_interval_s / PINGS_PER_INTERVAL if self.watchdog_interval_s else None

    def ready(self, status: str = "") -> None:
        self._send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def watchdog(self) -> None:
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def _send(self, message: str) -> None:
        try:
            self._socket.sendto(message.encode(), self.address)
        except OSError:
            pass  # systemd gone or restarting: the kiosk goes on; a missed ping is the watchdog's to judge

    def close(self) -> None:
        self._socket.close()

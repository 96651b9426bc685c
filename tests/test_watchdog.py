"""The watchdog as systemd sees it: WATCHDOG=1 comes from the UI thread's clock, so a UI thread that hangs stops it."""

import socket
import threading
import time

from kiosk.notify import ServiceNotifier

WATCHDOG_SEC = 1.0


class NotifySocket:
    """systemd's end of $NOTIFY_SOCKET: every message with the time it arrived."""

    def __init__(self, path):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(str(path))
        self.socket.settimeout(0.1)
        self.received: list[tuple[float, str]] = []
        self.open = True
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self):
        while self.open:
            try:
                self.received.append((time.monotonic(), self.socket.recv(4096).decode()))
            except (TimeoutError, OSError):
                continue

    def pings(self, since: float = 0.0) -> list[float]:
        return [at for at, message in self.received if message == "WATCHDOG=1" and at >= since]

    def close(self):
        self.open = False
        self.socket.close()


def test_a_hanging_ui_thread_goes_silent_within_watchdog_sec_and_pings_again_when_it_answers(kiosk, tmp_path):
    from kivy.clock import Clock
    from screens.launch import tell_systemd
    systemd = NotifySocket(tmp_path / "notify")
    notifier = ServiceNotifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "notify"),
                                                 "WATCHDOG_USEC": str(int(WATCHDOG_SEC * 1_000_000))})
    pinging = tell_systemd(notifier)
    # READY=1 comes with the next frame drawn: this app drew its first before the notifier was there, and an app
    # at rest draws none (its opening animations may have run out already on a busy machine).
    kiosk.window.canvas.ask_update()
    try:
        # The pings start with that frame: count two seconds of them from READY=1 (on a busy machine the frame
        # itself may take a good part of a second).
        assert kiosk.wait_until(lambda: any(message.startswith("READY=1") for _, message in systemd.received), 10)
        ready_at = next(at for at, message in systemd.received if message.startswith("READY=1"))
        kiosk.wait(2.0)
        assert len(systemd.pings(since=ready_at)) >= 3  # every half second while the UI answers
        # The UI thread is stuck in one call for three WatchdogSec; the core's and services' threads run on. The
        # hang is timed from inside it: on a busy machine the frame that starts it may come late.
        hang = {}

        def hang_the_ui_thread(_dt):
            hang["from"] = time.monotonic()
            time.sleep(3 * WATCHDOG_SEC)
            hang["to"] = time.monotonic()

        Clock.schedule_once(hang_the_ui_thread, 0)
        assert kiosk.wait_until(lambda: "to" in hang, 10 * WATCHDOG_SEC)
        answered_at = hang["to"]
        # Not one ping while it hung (one sent just before may be read a moment later): systemd would kill and
        # restart the kiosk after WatchdogSec of silence.
        assert [at for at in systemd.pings(since=hang["from"] + 0.3) if at < hang["to"]] == []
        kiosk.wait(1.5)
        assert len(systemd.pings(since=answered_at)) >= 2  # once it answers again, it says so again
    finally:
        for event in pinging:
            event.cancel()
        systemd.close()
        notifier.close()

"""The one map from a device's fault to the kiosk's health picture and to the alerts staff hear of at once."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# A fault the devices report, as (device, kind), and the part of the health picture it sets; faults not listed
# here are not part of the picture and go to staff as an alert of their own ("scanner-jammed").
HEALTH_OF_FAULT = {
    ("printer", "out of paper"): {"printer_paper": "out"}, ("printer", "media-low"): {"printer_paper": "low"},
    ("printer", "out of toner"): {"printer_toner": "out"}, ("printer", "toner-low"): {"printer_toner": "low"},
    ("printer", "marker-supply-low"): {"printer_toner": "low"},
    ("scanner", "no_scanner"): {"scanner_present": False}, ("reader", "missing"): {"reader_present": False},
}
# A device that just worked: the next heartbeat says so (toner stays as last reported).
HEALTH_WHEN_FINE = {"printer": {"printer_paper": "ok"}, "scanner": {"scanner_present": True},
                    "reader": {"reader_present": True}}
# Health that staff must hear about at once, not at the next heartbeat: (health key, value) -> alert kind.
ALERT_OF_HEALTH = {("printer_paper", "out"): "printer-paper-out", ("printer_paper", "low"): "printer-paper-low",
                   ("printer_toner", "out"): "printer-toner-out", ("printer_toner", "low"): "printer-toner-low",
                   ("receipt_paper", "out"): "receipt-paper-out", ("receipt_paper", "low"): "receipt-paper-low",
                   ("reader_present", False): "reader-missing", ("scanner_present", False): "scanner-missing"}


def health_of_fault(device: str, kind: str) -> dict | None:
    """The health picture's part a fault sets, or None when the fault is an alert of its own."""
    return HEALTH_OF_FAULT.get((device, kind))


def alert_of_fault(device: str, kind: str) -> str:
    return f"{device}-{kind.replace(' ', '-')}"


def new_alerts(before: dict, update: dict) -> list[str]:
    """The alerts an update of the health picture raises: faults that were not already reported."""
    return [kind for (name, value), kind in ALERT_OF_HEALTH.items()
            if update.get(name, object()) == value and before.get(name) != value]


def printer_health(problem_value: str | None, warnings: list[str]) -> dict:
    """The A4 printer's part of the picture from what CUPS says of it now."""
    return {"printer_paper": "out" if problem_value == "out of paper" else "low" if "media-low" in warnings else "ok",
            "printer_toner": "out" if problem_value == "out of toner" else
            "low" if {"toner-low", "marker-supply-low"} & set(warnings) else "ok"}


class HealthReporter:
    """What staff hear of the kiosk's devices: a fault as an alert at once (and on screen), the picture in the
    heartbeats; the A4 printer asked every heartbeat, so that no resident is the first to find it out of paper.

    `tell(event)` reaches the screens, `request(work, done, failed)` runs work off the posting thread; `devices`
    (the core) has the `desk` and `printing` services, read when needed: they start later than this.
    """

    def __init__(self, tell, request, devices):
        self._tell, self._request, self._devices = tell, request, devices
        self._printer_answers = True

    def alert(self, device: str, kind: str) -> None:
        """A device fault staff should hear of before a resident tells them."""
        from kiosk import events
        log.warning("%s: %s", device, kind)
        self._tell(events.DeviceHealth(device, kind))
        desk = self._devices.desk_link
        if desk is None:
            return
        health = health_of_fault(device, kind)
        if health is not None:
            desk.update_health(**health)
        else:
            desk.alert(alert_of_fault(device, kind))

    def fine(self, device: str) -> None:
        """A device just worked: the next heartbeat says so."""
        desk = self._devices.desk_link
        if desk is not None:
            desk.update_health(**HEALTH_WHEN_FINE[device])

    def watch_printer(self, stopping, every_s: float) -> None:
        """Ask CUPS every `every_s` until `stopping` is set (on a thread of its own)."""
        while not stopping.wait(every_s):
            self.check_printer()

    def check_printer(self) -> None:
        """The A4 printer's state into the desk's health picture; CUPS not answering is an alert, once."""
        printing, desk = self._devices.printing, self._devices.desk_link
        if printing is not None and desk is not None:
            self._request(printing.printer.status, self._printer_state, self._printer_silent)

    def _printer_state(self, status) -> None:
        self._printer_answers = True
        problem = status.problem
        self._devices.desk_link.update_health(**printer_health(problem.value if problem else None, status.warnings))

    def _printer_silent(self, error) -> None:
        if self._printer_answers:  # once, not every heartbeat
            self._printer_answers = False
            problem = getattr(error, "problem", None)
            self.alert("printer", problem.value if problem else "unreachable")

"""The one map from a device's fault to the kiosk's health picture and to the alerts staff hear of at once."""

from __future__ import annotations

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

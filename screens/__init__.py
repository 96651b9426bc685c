"""The kiosk's screens: one module and one .kv each, listed here and built the first time they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import N_


@dataclass(frozen=True)
class Feature:
    """A main task offered on the home screen."""
    screen: str
    icon: str
    title: str


# The home screen's tiles, in reading order; each names its screen in SCREENS. The eID card has none: it is asked
# for where a task needs it, saying why (screens/eid_login.py), and read whenever it is put in.
FEATURES = (
    Feature("find_service", "search", N_("Find a service")),
    Feature("scan_copy", "scan", N_("Scan and copy")),
    Feature("print", "print", N_("Print")),
    Feature("queue_ticket", "ticket", N_("Take a queue ticket")),
    Feature("video", "video", N_("Book a video consultation")),
)


@dataclass(frozen=True)
class ScreenEntry:
    module: str
    cls: str
    top_bar: bool = True


SCREENS: dict[str, ScreenEntry] = {
    "greeting": ScreenEntry("screens.greeting", "GreetingScreen"),
    "home": ScreenEntry("screens.home", "HomeScreen"),
    "goodbye": ScreenEntry("screens.goodbye", "GoodbyeScreen"),
    "service": ScreenEntry("screens.service", "ServiceScreen"),
    "admin_pin": ScreenEntry("screens.admin_pin", "AdminPinScreen", top_bar=False),
    "admin": ScreenEntry("screens.admin", "AdminScreen", top_bar=False),
    "find_service": ScreenEntry("screens.find_service", "FindServiceScreen"),
    "eid_login": ScreenEntry("screens.eid_login", "EidLoginScreen"),
    "scan_copy": ScreenEntry("screens.scan_copy", "ScanCopyScreen"),
    "print": ScreenEntry("screens.print_document", "PrintScreen"),
    "queue_ticket": ScreenEntry("screens.queue_ticket", "QueueTicketScreen"),
    "video": ScreenEntry("screens.video", "VideoScreen"),
    "eservice": ScreenEntry("screens.eservice", "EServiceScreen"),
}

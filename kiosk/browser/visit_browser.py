"""The visit's e-service browser: whether residents can use it here, made when first needed, gone with the visit."""

from __future__ import annotations

from typing import Callable

from kiosk import events
from kiosk.browser.policies import self_service_works
from kiosk.browser.sandbox import Sandbox
from kiosk.visit import Visit


class VisitBrowser:
    """Chromium for the visit that is on: opened and warmed up in the visit's folder, closed when the visit ends or
    the card it logged in with is taken out. Its events reach the core's listeners on the posting thread, and only
    while a visit is on (BrowserClosed always: the screens follow it).

    `browser` is the BrowserService once made (None before): the e-service screen places the page and types in it.
    """

    def __init__(self, settings, catalog, visit: Callable[[], Visit | None], tell: Callable[[object], None],
                 on_posting_thread: Callable[[Callable[[object], None]], Callable[..., None]],
                 activity: Callable[[str], None]):
        self.settings, self.catalog = settings, catalog
        self._visit, self._tell, self._activity = visit, tell, activity
        self._report = on_posting_thread(self._on_event)
        self.browser = None
        self._made_from = -1  # the catalogue generation whose hosts the browser allows
        self._sandbox: Sandbox | None = None

    @property
    def is_open(self) -> bool:
        return self.browser is not None and self.browser.is_open

    def sandbox(self) -> Sandbox:
        """Whether pages can open in Chromium's sandbox here (looked at once): a kiosk never opens them without."""
        if self._sandbox is None:
            from kiosk.browser import sandbox
            self._sandbox = sandbox.probe()
        return self._sandbox

    def works_here(self) -> bool:
        """Residents can do an e-service themselves at this kiosk (Chromium, its sandbox, the managed policies)."""
        return self_service_works(self.settings, self.catalog.catalog, self.sandbox)

    def attach(self, visit: Visit) -> None:
        """The visit's wipe closes the browser and checks that its processes and profile are gone."""
        from kiosk.browser.service import browser_gone
        visit.add_wiper("browser", lambda: self.close("visit ended"), lambda: browser_gone(visit.directory))

    def open(self, url: str, language: str, bounds) -> None:
        """The e-service's page at `bounds` (below the top bar); BrowserOpened, later BrowserClosed."""
        self._service().open(self._visit().directory, url, language, bounds)

    def warm_up(self, language: str, bounds) -> None:
        """Start the visit's browser out of sight while the resident reads about a service they could do here."""
        visit = self._visit()
        if visit is not None and self.settings.browser.warm_up:
            self._service().warm_up(visit.directory, language, bounds)

    def close(self, reason: str) -> None:
        """Close the browser and wait until it, its processes and its profile are gone."""
        if self.is_open:
            self.browser.close(reason, wait=True)

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.stop()

    def _service(self):
        if self.browser is not None and self._made_from != self.catalog.generation and not self.browser.is_open:
            self.browser.stop()  # a new catalogue came between visits: its hosts, not the old ones
            self.browser = None
        if self.browser is None:
            self._made_from = self.catalog.generation
            from kiosk.browser.service import BrowserService
            self.browser = BrowserService.for_kiosk(self.settings, self.catalog.catalog, self._report,
                                                    self._activity, sandbox=self.sandbox())
        return self.browser

    def _on_event(self, event) -> None:
        visit = self._visit()
        if isinstance(event, events.DownloadReady) and visit is not None:
            visit.record(event)
        if visit is not None or isinstance(event, events.BrowserClosed):
            self._tell(event)

"""Which addresses the resident's browser may open: the catalogue's e-services and the hosts kiosk.ini allows."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


class AllowedHosts:
    """A host is allowed when it, or a domain it belongs to, is listed: "latvija.gov.lv" allows "www.latvija.gov.lv"."""

    def __init__(self, hosts):
        self.hosts = frozenset(host.lower().strip().rstrip(".") for host in hosts if host.strip())

    @classmethod
    def for_kiosk(cls, catalog, extra_hosts) -> "AllowedHosts":
        """The hosts of every "do it yourself" address in the catalogue, and the configured ones."""
        services = catalog.services if catalog is not None else ()
        return cls([host_of(s.channels.self_service.url) for s in services if s.channels.self_service is not None]
                   + list(extra_hosts))

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True  # made by an allowed page itself, not fetched from anywhere
        if parts.scheme not in ("https", "http"):
            return False  # chrome://, view-source:, devtools://, file:// and the like
        host = host_of(url)
        return any(host == allowed or host.endswith("." + allowed) for allowed in self.hosts)

    def patterns(self) -> list[str]:
        """The same list as Chromium's URL filter patterns (a host pattern covers its subdomains)."""
        return sorted(self.hosts)

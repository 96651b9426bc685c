"""The institutions and services staff record matters under, and their names in the reports: the kiosks' catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kiosk.catalog.model import CatalogError, load_catalog

# A municipality's own matters are counted beside the state institutions'; it has no services in the catalogue.
MUNICIPAL = "PASV"
MUNICIPAL_NAMES = {"lv": "Pašvaldība", "en": "Municipality", "uk": "Самоврядування"}


@dataclass(frozen=True)
class Entry:
    """An institution (no `institution`) or a service of one, with its name in lv, en and uk."""
    code: str
    names: dict[str, str] = field(hash=False, compare=False)
    institution: str = ""

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("lv") or self.code


class DeskCatalogue:
    def __init__(self, institutions: list[Entry], services: list[Entry]):
        self.institutions = tuple(institutions)
        self.services = tuple(services)
        self._institutions = {entry.code: entry for entry in self.institutions}
        self._services = {entry.code: entry for entry in self.services}

    def institution(self, code: str) -> Entry | None:
        return self._institutions.get(code)

    def service(self, service_id: str) -> Entry | None:
        return self._services.get(service_id)

    def institution_of(self, service_id: str) -> str:
        found = self._services.get(service_id)
        return found.institution if found else ""

    def institution_name(self, code: str, language: str) -> str:
        found = self._institutions.get(code)
        return found.name(language) if found else code

    def service_name(self, service_id: str, language: str) -> str:
        found = self._services.get(service_id)
        return found.name(language) if found else service_id

    def for_console(self, language: str) -> list[dict]:
        """Institutions with their services, in the staff member's language, for the console's outcome panel."""
        return [{"code": institution.code, "name": institution.name(language),
                 "services": sorted(({"id": service.code, "name": service.name(language)}
                                     for service in self.services if service.institution == institution.code),
                                    key=lambda service: service["name"].casefold())}
                for institution in self.institutions]


@lru_cache(maxsize=4)
def desk_catalogue(path: Path) -> DeskCatalogue:
    """The catalogue at `path`, read once; without one, only the municipality (and codes stand for names)."""
    municipal = Entry(MUNICIPAL, MUNICIPAL_NAMES)
    try:
        catalog = load_catalog(path)
    except CatalogError:
        return DeskCatalogue([municipal], [])
    names = lambda texts: {"lv": texts.lv, "en": texts.en, "uk": texts.uk}  # noqa: E731
    return DeskCatalogue([Entry(i.code, names(i.name)) for i in catalog.institutions] + [municipal],
                         [Entry(s.id, names(s.name), s.institution.code) for s in catalog.services])

"""The e-service catalogue: its entries as typed objects, read from YAML and validated strictly."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kiosk.i18n import LANGUAGES

SCHEMA = 1
KINDS = ("e-service", "information", "consultation")
CHANNELS = ("self", "authorised", "paper", "video", "in_person")
SERVICE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SITUATION_ID = re.compile(r"^[a-z]+(-[a-z]+)*$")
INSTITUTION_CODE = re.compile(r"^[A-Z]{2,10}$")
# The languages whose readers may not know a Latvian institution's abbreviation (see abbreviations_explained).
EXPLAINED_LANGUAGES = ("en", "uk")
MAX_DESCRIPTION = 200


class CatalogError(Exception):
    """A catalogue problem: which entry, which field, what is wrong."""

    def __init__(self, path: Path, where: str, field_name: str, problem: str):
        self.where, self.field, self.problem = where, field_name, problem
        if field_name == "-":
            super().__init__(f"{path}: {where} {problem}")
        else:
            super().__init__(f"{path}: {where}, field '{field_name}' {problem}")


@dataclass(frozen=True)
class Texts:
    """One text in every language of the kiosk."""
    lv: str
    en: str
    uk: str

    def get(self, language: str) -> str:
        return getattr(self, language)


@dataclass(frozen=True)
class Institution:
    code: str
    name: Texts
    site: str  # its own web site (https://), printed as a QR code on receipts about it


@dataclass(frozen=True)
class LifeSituation:
    id: str
    name: Texts


@dataclass(frozen=True)
class SelfService:
    url: str
    eid_required: bool


@dataclass(frozen=True)
class Channels:
    """The ways a service can be done at the centre, in the order a resident is offered them."""
    self_service: SelfService | None = None
    authorised: bool = False
    paper: bool = False
    video: bool = False
    in_person: bool = False

    def names(self) -> list[str]:
        offered = {"self": self.self_service is not None, "authorised": self.authorised, "paper": self.paper,
                   "video": self.video, "in_person": self.in_person}
        return [name for name in CHANNELS if offered[name]]


@dataclass(frozen=True)
class Service:
    id: str
    kind: str
    institution: Institution
    name: Texts
    description: Texts
    channels: Channels
    life_situations: tuple[LifeSituation, ...]
    keywords: dict[str, tuple[str, ...]]
    source: str
    checked: dt.date


@dataclass(frozen=True)
class Catalog:
    version: str
    institutions: tuple[Institution, ...]
    life_situations: tuple[LifeSituation, ...]
    services: tuple[Service, ...]
    path: Path | None = None
    by_id: dict[str, Service] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_id.update({service.id: service for service in self.services})

    def in_situation(self, situation_id: str) -> list[Service]:
        return [s for s in self.services if any(ls.id == situation_id for ls in s.life_situations)]

    def of_institution(self, code: str) -> list[Service]:
        return [s for s in self.services if s.institution.code == code]


def load_catalog(path: Path | str) -> Catalog:
    """Read and validate a catalogue file; raise CatalogError naming the entry, the field and the problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(path, "the file", "-", "does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(path, "the file", "-", f"cannot be read ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "the file"
        raise CatalogError(path, where, "-", f"is not valid YAML ({getattr(error, 'problem', error)})") from None
    return _Reader(path).catalog(data)


class _Reader:
    """Walks the parsed YAML; every check names the entry and field it is about."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, field_name: str, problem: str):
        raise CatalogError(self.path, where, field_name, problem)

    def mapping(self, value, where: str, field_name: str, required: tuple[str, ...], optional=()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, field_name, "must be a mapping of keys to values")
        for key in value:
            if key not in required and key not in optional:
                self.fail(where, f"{field_name}.{key}" if field_name != "-" else str(key),
                          f"is not a known field; known fields are {', '.join(required + tuple(optional))}")
        for key in required:
            if key not in value:
                self.fail(where, f"{field_name}.{key}" if field_name != "-" else key, "is missing")
        return value

    def text(self, value, where: str, field_name: str, limit: int | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, field_name, "must be non-empty text")
        if limit and len(value) > limit:
            self.fail(where, field_name, f"is {len(value)} characters long; at most {limit} are allowed")
        return value.strip()

    def texts(self, value, where: str, field_name: str, limit: int | None = None) -> Texts:
        self.mapping(value, where, field_name, tuple(LANGUAGES))
        return Texts(**{lang: self.text(value[lang], where, f"{field_name}.{lang}", limit) for lang in LANGUAGES})

    def items(self, value, where: str, field_name: str) -> list:
        if not isinstance(value, list) or not value:
            self.fail(where, field_name, "must be a non-empty list")
        return value

    def catalog(self, data) -> Catalog:
        top = "the catalogue"
        self.mapping(data, top, "-", ("schema", "version", "institutions", "life_situations", "services"))
        if data["schema"] != SCHEMA:
            self.fail(top, "schema", f"is {data['schema']!r}; this kiosk reads schema {SCHEMA}")
        version = self.text(str(data["version"]), top, "version")
        institutions = {}
        for number, raw in enumerate(self.items(data["institutions"], top, "institutions"), 1):
            where = f"institution #{number}"
            self.mapping(raw, where, "-", ("code", "name", "site"))
            code = self.text(raw["code"], where, "code")
            if not INSTITUTION_CODE.match(code):
                self.fail(where, "code", f"'{code}' must be 2 to 10 capital letters A-Z")
            if code in institutions:
                self.fail(f"institution {code}", "code", "appears twice")
            site = self.text(raw["site"], f"institution {code}", "site")
            if not site.startswith("https://"):
                self.fail(f"institution {code}", "site", f"'{site}' must be an https:// address")
            institutions[code] = Institution(code, self.texts(raw["name"], f"institution {code}", "name"), site)
        situations = {}
        for number, raw in enumerate(self.items(data["life_situations"], top, "life_situations"), 1):
            where = f"life situation #{number}"
            self.mapping(raw, where, "-", ("id", "name"))
            ident = self.text(raw["id"], where, "id")
            if not SITUATION_ID.match(ident):
                self.fail(where, "id", f"'{ident}' must be lower-case words a-z joined by '-'")
            if ident in situations:
                self.fail(f"life situation {ident}", "id", "appears twice")
            situations[ident] = LifeSituation(ident, self.texts(raw["name"], f"life situation {ident}", "name"))
        services, seen = [], set()
        for number, raw in enumerate(self.items(data["services"], top, "services"), 1):
            service = self.service(raw, number, institutions, situations)
            if service.id in seen:
                self.fail(f"entry {service.id}", "id", "appears twice")
            seen.add(service.id)
            services.append(service)
        return Catalog(version, tuple(institutions.values()), tuple(situations.values()), tuple(services),
                       self.path)

    def service(self, raw, number: int, institutions: dict, situations: dict) -> Service:
        where = f"entry #{number}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where = f"entry {raw['id']}"
        self.mapping(raw, where, "-", ("id", "kind", "institution", "name", "description", "channels",
                                       "life_situations", "keywords", "source", "checked"))
        ident = self.text(raw["id"], where, "id")
        if not SERVICE_ID.match(ident):
            self.fail(where, "id", f"'{ident}' must be lower-case letters and digits joined by '-'")
        if raw["kind"] not in KINDS:
            self.fail(where, "kind", f"is {raw['kind']!r}; expected one of {', '.join(KINDS)}")
        if raw["institution"] not in institutions:
            self.fail(where, "institution", f"'{raw['institution']}' is not among the institutions listed "
                                            f"({', '.join(institutions)})")
        name = self.texts(raw["name"], where, "name")
        description = self.texts(raw["description"], where, "description", MAX_DESCRIPTION)
        for field_name, texts in (("name", name), ("description", description)):
            self.abbreviations_explained(texts, institutions, where, field_name)
        channels = self.channels(raw["channels"], where)
        life = []
        for ident_ in self.items(raw["life_situations"], where, "life_situations"):
            if ident_ not in situations:
                self.fail(where, "life_situations", f"'{ident_}' is not among the life situations listed")
            life.append(situations[ident_])
        keywords = self.mapping(raw["keywords"], where, "keywords", tuple(LANGUAGES))
        words = {}
        for lang in LANGUAGES:
            if not isinstance(keywords[lang], list):
                self.fail(where, f"keywords.{lang}", "must be a list of words or phrases")
            words[lang] = tuple(self.text(w, where, f"keywords.{lang}") for w in keywords[lang])
        source = self.text(raw["source"], where, "source")
        if not source.startswith("https://"):
            self.fail(where, "source", f"'{source}' must be an https:// address")
        checked = raw["checked"]
        try:
            checked = checked if isinstance(checked, dt.date) else dt.date.fromisoformat(str(checked))
        except ValueError:
            self.fail(where, "checked", f"'{checked}' must be a date as YYYY-MM-DD")
        return Service(ident, raw["kind"], institutions[raw["institution"]], name, description, channels,
                       tuple(life), words, source, checked)

    def abbreviations_explained(self, texts: Texts, institutions: dict, where: str, field_name: str) -> None:
        """An institution's abbreviation in English or Ukrainian only after its name: "State Employment Agency (NVA)".

        A Latvian reader knows "NVA"; somebody who reads no Latvian meets it on the screen, on the desk's signs and
        on the institution's pages only as letters, so the text says the name and puts the letters beside it.
        """
        for lang in EXPLAINED_LANGUAGES:
            for code, institution in institutions.items():
                if re.search(rf"(?<!\()\b{code}\b(?!\))", texts.get(lang)):
                    self.fail(where, f"{field_name}.{lang}", f"uses '{code}' alone; write the name with the letters "
                                                            f"after it: '{institution.name.get(lang)} ({code})'")

    def channels(self, raw, where: str) -> Channels:
        self.mapping(raw, where, "channels", (), CHANNELS)
        if not raw:
            self.fail(where, "channels", "must name at least one way: " + ", ".join(CHANNELS))
        flags = {}
        for name in ("authorised", "paper", "video", "in_person"):
            value = raw.get(name, False)
            if not isinstance(value, bool):
                self.fail(where, f"channels.{name}", f"is {value!r}; expected true or false")
            flags[name] = value
        own = None
        if "self" in raw:
            self.mapping(raw["self"], where, "channels.self", ("url", "eid_required"))
            url = self.text(raw["self"]["url"], where, "channels.self.url")
            if not url.startswith("https://"):
                self.fail(where, "channels.self.url", f"'{url}' must be an https:// address")
            if not isinstance(raw["self"]["eid_required"], bool):
                self.fail(where, "channels.self.eid_required", "expected true or false")
            own = SelfService(url, raw["self"]["eid_required"])
        channels = Channels(own, **flags)
        if not channels.names():
            self.fail(where, "channels", "offers no way at all; set at least one to true")
        return channels

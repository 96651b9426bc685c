"""Kiosk settings: kiosk.ini read once into a typed, validated, read-only object."""

from __future__ import annotations

import configparser
import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.i18n import LANGUAGES

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "kiosk.ini"


class ConfigError(Exception):
    """A kiosk.ini problem, worded as one sentence for the administrator."""


# A parser turns the text of one value into its typed value or raises ValueError; `accepts` is the
# phrase an administrator reads after "expected".
@dataclass(frozen=True)
class Rule:
    parse: Callable[[str], Any]
    accepts: str


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError
    return value.strip()


def _whole_number(low: int, high: int) -> Rule:
    def parse(value: str) -> int:
        number = int(value.strip())
        if not low <= number <= high:
            raise ValueError
        return number
    return Rule(parse, f"a whole number from {low} to {high}")


def _one_of(*choices: str) -> Rule:
    def parse(value: str) -> str:
        if value.strip().lower() not in choices:
            raise ValueError
        return value.strip().lower()
    return Rule(parse, "one of " + ", ".join(choices))


# Where a device is, as seen by a resident standing at the screen: the screens say it in their language.
PLACE = _one_of("right", "left", "below")
# Which way the staff desk lies for a resident at the kiosk: the arrow shown beside where it is.
DIRECTION = _one_of("none", "ahead", "left", "right", "behind", "upstairs", "downstairs")


def _yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in ("yes", "true", "on", "1"):
        return True
    if word in ("no", "false", "off", "0"):
        return False
    raise ValueError


def _languages(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip() for code in value.split(",") if code.strip())
    if not codes or any(code not in LANGUAGES for code in codes) or len(set(codes)) != len(codes):
        raise ValueError
    return codes


def _language(value: str) -> str:
    if value.strip() not in LANGUAGES:
        raise ValueError
    return value.strip()


def _pin_hash(value: str) -> str:
    from kiosk.admin_pin import is_pin_hash
    if not is_pin_hash(value.strip()):
        raise ValueError
    return value.strip()


TEXT = Rule(_text, "some text")
OPTIONAL_TEXT = Rule(lambda value: value.strip(), "some text, or nothing")
YES_NO = Rule(_yes_no, "yes or no")
FOLDER = Rule(lambda value: Path(_text(value)), "a folder path")
FILE = Rule(lambda value: Path(_text(value)), "a file path")
LANGUAGE_LIST = Rule(_languages, "a comma-separated list of distinct codes from " + ", ".join(LANGUAGES))
LANGUAGE = Rule(_language, "one of " + ", ".join(LANGUAGES))
PIN_HASH = Rule(_pin_hash, "a line made by 'kiosk hash-pin' (scrypt$N$r$p$salt$hash)")


def setting(rule: Rule, default: Any = dataclasses.MISSING) -> Any:
    return field(default=default, metadata={"rule": rule})


@dataclass(frozen=True)
class KioskSection:
    id: str = setting(TEXT)
    name: str = setting(TEXT)
    # Kept across visits and restarts, never personal data: the last good catalogue, the outbox.
    state_dir: Path = setting(FOLDER)


@dataclass(frozen=True)
class CentreSection:
    name: str = setting(TEXT)
    address: str = setting(TEXT)
    # Where the staff desk is, as a resident finds it (e.g. "1. stāvā, pa kreisi no ieejas"), in Latvian and, for
    # those who read no Latvian, in English and Ukrainian (the Latvian is shown where one is missing); with an
    # arrow the way the desk lies from the kiosk. Said when a resident has to go to the desk.
    desk_location: str = setting(OPTIONAL_TEXT, "")
    desk_location_en: str = setting(OPTIONAL_TEXT, "")
    desk_location_uk: str = setting(OPTIONAL_TEXT, "")
    desk_direction: str = setting(DIRECTION, "none")

    def desk_location_in(self, language: str) -> str:
        """Where the desk is, in `language` when the centre wrote it so, else in Latvian."""
        return getattr(self, f"desk_location_{language}", "") or self.desk_location


@dataclass(frozen=True)
class UiSection:
    languages: tuple[str, ...] = setting(LANGUAGE_LIST, ("lv", "en", "uk"))
    default_language: str = setting(LANGUAGE, "lv")
    fullscreen: bool = setting(YES_NO, True)
    show_cursor: bool = setting(YES_NO, False)


@dataclass(frozen=True)
class VisitSection:
    runtime_dir: Path = setting(FOLDER)
    idle_warning_s: int = setting(_whole_number(10, 3600), 90)
    # WCAG 2.2.1 asks for at least 20 seconds to answer "Are you still here?".
    idle_countdown_s: int = setting(_whole_number(20, 600), 30)
    goodbye_s: int = setting(_whole_number(3, 120), 12)



def _https_origin(value: str) -> str:
    origin = value.strip().rstrip("/")
    if not origin.startswith("https://") or " " in origin or "/" in origin[len("https://"):]:
        raise ValueError
    return origin


def _files(value: str) -> tuple[Path, ...]:
    paths = tuple(Path(part.strip()) for part in value.split(",") if part.strip())
    if not paths:
        raise ValueError
    return paths


PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _picture(value: str) -> Path | None:
    if not value.strip():
        return None
    if Path(value.strip()).suffix.lower() not in PICTURE_SUFFIXES:
        raise ValueError
    return Path(value.strip())


@dataclass(frozen=True)
class EidSection:
    origin: str = setting(Rule(_https_origin, "an https:// origin without a path, e.g. https://kiosk.example.lv"))
    trusted_ca: tuple[Path, ...] = setting(Rule(_files, "one or more PEM files, separated by commas"))
    # Empty: the first reader there is. Otherwise the exact PC/SC name ('pcsc_scan' lists them).
    reader: str = setting(OPTIONAL_TEXT, "")
    # Where the card reader is, seen from the screen: the login screen tells the resident where to put the card.
    reader_place: str = setting(PLACE, "right")
    # A photo of this kiosk's card reader with the card going in, chip first (PNG or JPEG): shown where the card is
    # asked for. None: a drawn card and reader.
    reader_picture: Path | None = setting(Rule(_picture, "a PNG or JPEG file, or nothing for the drawn card and "
                                                         "reader"), None)


@dataclass(frozen=True)
class AdminSection:
    pin_hash: str = setting(PIN_HASH)
    corner_taps: int = setting(_whole_number(3, 10), 5)
    corner_window_s: int = setting(_whole_number(1, 10), 3)


def _receipt_printer(value: str) -> tuple[str, str]:
    """'cups:QUEUE', 'tcp:HOST:PORT', 'usb:VENDOR:PRODUCT' (hex ids), 'file:/dev/usb/lp0' or 'none'."""
    text = value.strip()
    if text == "none":
        return ("none", "")
    kind, _, target = text.partition(":")
    target = target.strip()
    if kind == "cups" and target:
        return (kind, target)
    if kind == "tcp":
        host, _, port = target.rpartition(":")
        if host and port.isdigit() and 0 < int(port) < 65536:
            return (kind, target)
    if kind == "usb":
        vendor, _, product = target.partition(":")
        int(vendor, 16), int(product, 16)  # ValueError when not hex ids
        return (kind, target)
    if kind == "file" and target.startswith("/"):
        return (kind, target)
    raise ValueError


def _http_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if url and not (url.startswith("http://") or url.startswith("https://")) or " " in url:
        raise ValueError
    return url


@dataclass(frozen=True)
class PrintingSection:
    # The CUPS server: empty for the system's own (/run/cups/cups.sock), else host:port or a socket path.
    cups_server: str = setting(OPTIONAL_TEXT, "")
    # The A4 document printer's CUPS queue; empty for the CUPS default printer.
    a4_queue: str = setting(OPTIONAL_TEXT, "")
    # Free pages one resident may print in one visit.
    page_quota: int = setting(_whole_number(0, 500), 20)
    # How long a job may take before the resident is told the printer does not answer.
    job_timeout_s: int = setting(_whole_number(5, 600), 90)
    receipt_printer: tuple[str, str] = setting(
        Rule(_receipt_printer, "cups:QUEUE, tcp:HOST:PORT, usb:VENDOR:PRODUCT (hex), file:/PATH or none"),
        ("none", ""))
    # python-escpos printer profile: TM-T88V is 512 dots wide, TM-T20II 576.
    receipt_profile: str = setting(TEXT, "TM-T88V")
    # Where the A4 printer is, for a resident at the screen: said while printing ("desk": at the staff desk).
    printer_place: str = setting(_one_of("nearby", "right", "left", "below", "desk"), "nearby")


@dataclass(frozen=True)
class ScanningSection:
    # The SANE device ('scanimage -L' lists them); empty for the first one found.
    device: str = setting(OPTIONAL_TEXT, "")
    # Where the system mounts USB sticks (udisks2: /media/<user>); the kiosk offers those mounted below it.
    usb_mount_root: Path = setting(FOLDER, Path("/media"))
    # A photo of this kiosk's scanner with a page face down on the glass, in its corner (PNG or JPEG): shown on
    # the first step of scanning. None: a drawn scanner.
    picture: Path | None = setting(Rule(_picture, "a PNG or JPEG file, or nothing for the drawn scanner"), None)


def _optional_file(value: str) -> Path | None:
    return Path(value.strip()) if value.strip() else None


@dataclass(frozen=True)
class CatalogSection:
    path: Path = setting(FILE)
    # The national publisher's public keys (one 'ed25519 BASE64 comment' a line): with them the kiosk asks its desk
    # for the national catalogue bundle and takes only one they verify (kiosk/fleet). Empty: kiosk.ini's path alone.
    publisher_keys: Path | None = setting(Rule(_optional_file, "a file of the publisher's public keys, or nothing"),
                                          None)
    # Seconds between asking the desk for a newer bundle (an unchanged answer is a few hundred bytes).
    update_check_s: int = setting(_whole_number(30, 86400), 300)


@dataclass(frozen=True)
class StaffdeskSection:
    # The staff desk's address, e.g. http://desk.kac.local:8700; empty for a kiosk without one.
    url: str = setting(Rule(_http_url, "an http:// or https:// address, or nothing"), "")
    # The kiosk's token, printed once by 'staffdesk add-kiosk NAME'.
    token: str = setting(OPTIONAL_TEXT, "")
    heartbeat_s: int = setting(_whole_number(5, 600), 30)
    timeout_s: int = setting(_whole_number(1, 60), 5)
    # The centre's own certificate authority (PEM) for an https:// desk whose certificate it issued; empty: the
    # system's trusted authorities.
    ca_file: Path | None = setting(Rule(_optional_file, "a PEM file of certificate authorities, or nothing"), None)


def _hosts(value: str) -> tuple[str, ...]:
    hosts = tuple(part.strip().lower().rstrip(".") for part in value.split(",") if part.strip())
    for host in hosts:
        if "/" in host or ":" in host or " " in host or "." not in host.strip("."):
            raise ValueError
    return hosts


HOSTS = Rule(_hosts, "host names separated by commas, without https:// or paths (e.g. latvija.gov.lv)")


@dataclass(frozen=True)
class BrowserSection:
    # Debian's Chromium; the browser for "Do it yourself on this computer".
    chromium: Path = setting(FILE, Path("/usr/bin/chromium"))
    # Besides the catalogue's own e-service addresses, these hosts (and their subdomains) open; nothing else does.
    allowed_hosts: tuple[str, ...] = setting(HOSTS, ("latvija.gov.lv", "latvija.lv", "eparaksts.lv", "eid.lv"))
    # Hosts whose request for a client certificate is answered with the eID card's without asking
    # (Chromium's AutoSelectCertificateForUrls).
    login_hosts: tuple[str, ...] = setting(HOSTS, ("latvija.gov.lv", "latvija.lv", "eparaksts.lv"))
    # The eID card's PKCS#11 module (the Latvian eID middleware's, e.g. /usr/lib/otlv-pkcs11.so): registered in
    # the NSS database Chromium reads for the kiosk's user ($HOME/.pki/nssdb). Empty: no eID login in the browser.
    pkcs11_module: Path | None = setting(Rule(_optional_file, "the path of a PKCS#11 module (.so), or nothing"), None)
    # The home folder of the user the browser runs as, whose .pki/nssdb Chromium reads; empty for $HOME.
    home: Path | None = setting(Rule(_optional_file, "a folder path, or nothing"), None)
    # Start the browser (out of sight) while a resident reads about a service they can do here: "Do it yourself"
    # then shows the page in about half the time, for the memory of a browser that may go unused.
    warm_up: bool = setting(YES_NO, True)
    # Where Chromium reads managed policies ('kiosk browser policies' makes the file; 'kiosk doctor' compares).
    policies_dir: Path = setting(FOLDER, Path("/etc/chromium/policies/managed"))
    # Open e-services only when the installed policies are the ones this kiosk.ini makes. "no" is for a
    # developer's checkout and the tests, never a KAC computer.
    require_policies: bool = setting(YES_NO, True)


# ---- [speech]: reading the screen aloud -------------------------------------------------------------------------

SPEECH_ENGINES = ("espeak-ng", "rhvoice", "piper")
# espeak-ng's own voice for each kiosk language; RHVoice and Piper have no voice every kiosk can count on.
ESPEAK_VOICES = {"lv": "lv", "uk": "uk", "en": "en"}
VOLUMES = ("quiet", "normal", "loud")
# For the administrator's messages, which are in English.
LANGUAGE_NAMES = {"lv": "Latvian", "uk": "Ukrainian", "en": "English"}
_VOICE_NAME = re.compile(r"[A-Za-z0-9_-]+(\+[A-Za-z0-9_-]+)*")


@dataclass(frozen=True)
class Voice:
    """One language's voice: an espeak-ng or RHVoice voice name, or a Piper model file."""
    engine: str  # "" while read: the [speech] engine's, settled once the whole section is known
    name: str

    def __str__(self) -> str:
        return f"{self.engine} {self.name}"


def _voice(value: str) -> Voice:
    """'NAME', 'ENGINE:NAME' or nothing; whether NAME suits its engine is checked with the section's engine."""
    text = value.strip()
    engine, colon, name = text.partition(":")
    if colon and engine in SPEECH_ENGINES:
        if not name.strip():
            raise ValueError
        return Voice(engine, name.strip())
    return Voice("", text)


def _engine(value: str) -> str:
    if value.strip() not in SPEECH_ENGINES + ("none",):
        raise ValueError
    return value.strip()


def _volume(value: str) -> str:
    if value.strip() not in VOLUMES:
        raise ValueError
    return value.strip()


VOICE = Rule(_voice, "a voice name, a Piper model file (.onnx), ENGINE:VOICE (ENGINE one of "
             + ", ".join(SPEECH_ENGINES) + ") or nothing")


@dataclass(frozen=True)
class SpeechSection:
    # espeak-ng (Debian main: Latvian, Ukrainian, English), rhvoice, piper, or none: the kiosk never reads aloud.
    engine: str = setting(Rule(_engine, "one of " + ", ".join(SPEECH_ENGINES) + ", none"), "espeak-ng")
    voice_lv: Voice = setting(VOICE, Voice("", ""))
    voice_uk: Voice = setting(VOICE, Voice("", ""))
    voice_en: Voice = setting(VOICE, Voice("", ""))
    # Percent of the voice's own speed.
    rate: int = setting(_whole_number(50, 200), 100)
    # The step each resident starts at; they change it with the volume button.
    volume: str = setting(Rule(_volume, "one of " + ", ".join(VOLUMES)), "normal")
    # The ALSA device aplay plays through ('aplay -L' lists them); empty for the system's default.
    output: str = setting(OPTIONAL_TEXT, "")

    def voice(self, language: str) -> Voice:
        return getattr(self, f"voice_{language}")


def _settle_speech(path: Path, speech: SpeechSection, languages: tuple[str, ...]) -> SpeechSection:
    """Each voice with its engine, a default where one exists, a Piper model read from kiosk.ini's folder; a voice
    that cannot suit its engine is reported like any other wrong value."""
    if speech.engine == "none":
        return speech
    settled = {}
    for language in ESPEAK_VOICES:
        key = f"voice_{language}"
        given: Voice = getattr(speech, key)
        engine, name = given.engine or speech.engine, given.name
        if not name:
            if engine == "espeak-ng":
                name = ESPEAK_VOICES[language]
            elif language in languages:
                raise _speech_error(path, key, "", _voice_wanted(engine, language))
        if name and engine == "piper":
            if not name.endswith(".onnx"):
                raise _speech_error(path, key, _written(given), _voice_wanted(engine, language))
            name = str(_from(path, Path(name)))
        elif name and not _VOICE_NAME.fullmatch(name):
            raise _speech_error(path, key, _written(given), _voice_wanted(engine, language))
        settled[key] = Voice(engine, name)
    return dataclasses.replace(speech, **settled)


def _voice_wanted(engine: str, language: str) -> str:
    named = LANGUAGE_NAMES[language]
    if engine == "piper":
        return f"the path of a Piper voice model for {named} (.onnx, its .onnx.json beside it), or ENGINE:VOICE"
    if engine == "rhvoice" and language == "lv":
        return "espeak-ng:lv or piper:MODEL.onnx (RHVoice has no Latvian voice)"
    if engine == "rhvoice":
        return f"an RHVoice voice for {named} (such as {'anatol or natalia' if language == 'uk' else 'slt or alan'})"
    return f"an espeak-ng voice for {named} (such as {ESPEAK_VOICES[language]}; 'espeak-ng --voices' lists them)"


def _written(voice: Voice) -> str:
    return f"{voice.engine}:{voice.name}" if voice.engine else voice.name


def _speech_error(path: Path, key: str, value: str, accepts: str) -> ConfigError:
    return ConfigError(f"{path}: section [speech], key '{key}' has the value '{value}', which is not accepted; "
                       f"expected {accepts}.")


@dataclass(frozen=True)
class Settings:
    path: Path
    kiosk: KioskSection
    centre: CentreSection
    ui: UiSection
    visit: VisitSection
    catalog: CatalogSection
    eid: EidSection
    admin: AdminSection
    printing: PrintingSection
    scanning: ScanningSection
    staffdesk: StaffdeskSection
    browser: BrowserSection
    speech: SpeechSection
    # Each section's values as the file has them, before relative paths are resolved, for messages that quote them.
    written: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)


SECTIONS: dict[str, type] = {
    "kiosk": KioskSection,
    "centre": CentreSection,
    "ui": UiSection,
    "visit": VisitSection,
    "catalog": CatalogSection,
    "eid": EidSection,
    "admin": AdminSection,
    "printing": PrintingSection,
    "scanning": ScanningSection,
    "staffdesk": StaffdeskSection,
    "browser": BrowserSection,
    "speech": SpeechSection,
}


def load_settings(path: Path | str | None = None, layers: list[dict[str, dict[str, str]]] = ()) -> Settings:
    """Read and validate kiosk.ini; raise ConfigError with one sentence naming what is wrong. `layers` ({section:
    {key: text}}, checked by kiosk/fleet/layers.py) are set over the file's values, in order."""
    path = Path(path or DEFAULT_CONFIG).resolve()
    parser = configparser.ConfigParser(interpolation=None, default_section="__no_defaults__")
    parser.optionxform = str  # keys are case-sensitive names, reported as written
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: the configuration file does not exist; "
                          "pass --config PATH or copy kiosk.ini from the repository.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: the configuration file cannot be read ({error}).") from None
    except configparser.Error as error:
        problem = str(error).splitlines()[0]
        raise ConfigError(f"{path}: the file is not in 'key = value' form under [section] headers: "
                          f"{problem}.") from None

    for layer in layers:
        for section, values in layer.items():
            if not parser.has_section(section):
                parser.add_section(section)
            for key, text in values.items():
                parser.set(section, key, text)
    for section in parser.sections():
        if section not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]; "
                              f"accepted sections are {', '.join('[' + s + ']' for s in SECTIONS)}.")
    values = {name: _read_section(path, parser, name, kind) for name, kind in SECTIONS.items()}
    values["speech"] = _settle_speech(path, values["speech"], values["ui"].languages)
    written = {name: {key: text.strip() for key, text in parser.items(name)} for name in parser.sections()}
    settings = Settings(path=path, **values, written=written)
    _check_together(settings)
    return settings


def _read_section(path: Path, parser: configparser.ConfigParser, name: str, kind: type) -> Any:
    known = {f.name: f for f in dataclasses.fields(kind)}
    given = dict(parser.items(name)) if parser.has_section(name) else {}
    for key in given:
        if key not in known:
            raise ConfigError(f"{path}: section [{name}] has an unknown key '{key}'; "
                              f"accepted keys are {', '.join(known)}.")
    values = {}
    for key, spec in known.items():
        rule: Rule = spec.metadata["rule"]
        if key not in given:
            if spec.default is dataclasses.MISSING:
                raise ConfigError(f"{path}: section [{name}] is missing the key '{key}'; "
                                  f"expected {rule.accepts}.")
            continue
        try:
            values[key] = rule.parse(given[key])
        except ValueError:
            raise ConfigError(f"{path}: section [{name}], key '{key}' has the value '{given[key]}', "
                              f"which is not accepted; expected {rule.accepts}.") from None
    # Relative paths are read from the file's own folder, so a checkout works wherever it is.
    for key, value in values.items():
        if isinstance(value, Path):
            values[key] = _from(path, value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Path):
            values[key] = tuple(_from(path, item) for item in value)
    return kind(**values)


def _from(ini: Path, value: Path) -> Path:
    return value if value.is_absolute() else (ini.parent / value).resolve()


def unusable_path(settings: Settings, section: str, key: str, problem: str, accepts: str) -> ConfigError:
    """A path setting that reads well but leads to nothing usable, worded like every other kiosk.ini error."""
    resolved = getattr(getattr(settings, section), key)
    written = settings.written.get(section, {}).get(key)
    if written is None or _from(settings.path, Path(written)) != resolved:
        written = str(resolved)  # a Settings changed in code after loading: quote what it holds now
    read_as = ("" if Path(written).is_absolute()
               else f", read as {resolved} (a relative path is read from {settings.path.parent})")
    return ConfigError(f"{settings.path}: section [{section}], key '{key}' has the value '{written}'{read_as}, "
                       f"which {problem}; expected {accepts}.")


def _check_together(settings: Settings) -> None:
    if settings.ui.default_language not in settings.ui.languages:
        raise ConfigError(f"{settings.path}: section [ui], key 'default_language' has the value "
                          f"'{settings.ui.default_language}', which is not accepted; expected one of the "
                          f"languages listed in 'languages' ({', '.join(settings.ui.languages)}).")
    picture = settings.scanning.picture
    if picture is not None and not picture.is_file():
        raise unusable_path(settings, "scanning", "picture", "does not exist",
                            "a PNG or JPEG file, or nothing for the drawn scanner")
    if settings.staffdesk.url and not settings.staffdesk.token:
        raise ConfigError(f"{settings.path}: section [staffdesk] names a url but no token; "
                          "'staffdesk add-kiosk NAME' prints one.")
    ca_file = settings.staffdesk.ca_file
    if ca_file is not None and not ca_file.is_file():
        raise unusable_path(settings, "staffdesk", "ca_file", "does not exist",
                            "the PEM file of the centre's certificate authority, or nothing")

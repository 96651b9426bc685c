"""Translations of every resident-facing string: gettext catalogues for Latvian, English and Ukrainian."""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

# Each language is named in itself, as a resident looks for it.
LANGUAGES = {"lv": "Latviešu", "en": "English", "uk": "Українська"}
DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, at display time."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of one language; English is the source language and needs none."""
    path = catalogue_path(language)
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    # The .po files are the single source: compiling them in memory (a few ms) keeps no stale .mo around.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(language: str, message: str) -> str:
    return translations(language).gettext(message)


def translate_plural(language: str, singular: str, plural: str, count: int) -> str:
    return translations(language).ngettext(singular, plural, count)


# Every centre is in Latvia: times on screen and paper are Riga time, whatever the machine's clock zone is.
CENTRE_TIME = ZoneInfo("Europe/Riga")
# Dates as words: "trešdiena, 2026. gada 9. decembris" is read; "09.12.2026" has to be decoded.
BABEL_LOCALES = {"lv": "lv", "en": "en_GB", "uk": "uk"}
AT_TIME = N_("{date}, at {time}")


def moment_in_words(moment, language: str) -> str:
    """A day and time as a resident reads it aloud: weekday, day, month in words, year, then the clock time."""
    from babel.dates import format_date, format_time
    local = moment.astimezone(CENTRE_TIME) if moment.tzinfo else moment
    locale = BABEL_LOCALES.get(language, "en_GB")
    return translate(language, AT_TIME).replace("{date}", format_date(local, "full", locale=locale)).replace(
        "{time}", format_time(local, "H:mm", locale=locale))

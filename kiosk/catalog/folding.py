"""Text as search compares it: lower case, no diacritics, Cyrillic in Latin letters, plain words."""

from __future__ import annotations

import re
import unicodedata

# Ukrainian national transliteration (2010), with the Russian letters people also type.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ы": "y", "э": "e", "ё": "e", "ъ": "",
}
APOSTROPHES = "'’ʼ`"
NON_WORD = re.compile(r"[^a-z0-9]+")
# Words as written, apostrophes inside them kept (Ukrainian "п’ять" is one word).
RAW_WORD = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


class _FoldTable(dict):
    """str.translate table filled one character at a time: folding a whole catalogue stays fast."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in APOSTROPHES:
            out = ""
        elif char in CYRILLIC_TO_LATIN:
            out = CYRILLIC_TO_LATIN[char]
        else:
            out = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no diacritics, Cyrillic in Latin letters, words separated by single spaces."""
    return NON_WORD.sub(" ", text.lower().translate(_TABLE)).strip()


def raw_words(text: str) -> list[str]:
    """The words of a text in lower case, as written (diacritics and Cyrillic kept, for the lemmatiser)."""
    return RAW_WORD.findall(text.lower())


def is_cyrillic(word: str) -> bool:
    return CYRILLIC.search(word) is not None

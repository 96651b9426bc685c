"""Search that forgives: no diacritics, Latin for Cyrillic, typos, half-typed words, synonyms, any language."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kiosk.catalog.model import Catalog, Service
from kiosk.i18n import LANGUAGES

# Ukrainian national transliteration (2010), with the Russian letters people also type.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ы": "y", "э": "e", "ё": "e", "ъ": "",
}
APOSTROPHES = "'’ʼ`"
NON_WORD = re.compile(r"[^a-z0-9]+")

# How much a match in each field counts: a service's own name most, its description least.
FIELD_WEIGHTS = {"name": 1.0, "keyword": 0.95, "situation": 0.7, "institution": 0.6, "description": 0.45}
OTHER_LANGUAGE = 0.9  # a match in another language than the resident's still counts, a little less
MIN_SCORE = 0.5       # below this a result is not sensible enough to show
PHRASE_BONUS = 0.2    # for typing a whole name or keyword, or the start of one
SHORTEST_QUERY = 2
EXACT, PREFIX = 1.0, 0.85  # closeness of a typed word to a catalogue word; typos score below these


def fold(text: str) -> str:
    """Lower case, no diacritics, Cyrillic in Latin letters, words separated by single spaces."""
    text = text.lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return NON_WORD.sub(" ", text).strip()


def allowed_typos(word: str) -> int:
    """One wrong letter in words of four to six letters, two in longer ones, none in shorter."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float  # 0 to 100


class SearchIndex:
    """Built once per catalogue; `search` answers one keystroke's query in about a millisecond.

    Each catalogue word has, per resident language, the entries it occurs in and how much it counts there
    (field weight, lowered for another language), as numpy arrays: a typed word's matches are combined in a
    few vector operations instead of a loop over entries.
    """

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.services = catalog.services
        weights: dict[str, dict[tuple[int, str], float]] = defaultdict(dict)
        phrases: dict[str, set[int]] = defaultdict(set)
        for number, service in enumerate(self.services):
            for text, weight, language in _fields(service):
                for token in fold(text).split():
                    key = (number, language)
                    weights[token][key] = max(weight, weights[token].get(key, 0.0))
            for lang in LANGUAGES:
                for phrase in (service.name.get(lang), *service.keywords[lang]):
                    phrases[fold(phrase)].add(number)
        self._vocabulary = sorted(weights)
        self._token_number = {token: n for n, token in enumerate(self._vocabulary)}
        self._postings = {lang: [self._posting_arrays(weights[token], lang) for token in self._vocabulary]
                          for lang in LANGUAGES}
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._prefixes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for token in self._vocabulary:
            self._by_length[len(token)].append(token)
            for length in range(4, len(token)):
                self._prefixes[length][token[:length]].append(token)
        self._prefix_keys = {length: list(prefixes) for length, prefixes in self._prefixes.items()}
        self._phrases = sorted(phrases)
        self._phrase_entries = [np.fromiter(sorted(phrases[p]), dtype=np.int32) for p in self._phrases]
        self._names = {lang: [s.name.get(lang) for s in self.services] for lang in LANGUAGES}
        self._matches = lru_cache(maxsize=8192)(self._token_matches)

    @staticmethod
    def _posting_arrays(by_entry: dict[tuple[int, str], float], language: str):
        best: dict[int, float] = {}
        for (entry, posting_language), weight in by_entry.items():
            if posting_language not in ("", language):
                weight *= OTHER_LANGUAGE
            best[entry] = max(weight, best.get(entry, 0.0))
        entries = np.fromiter(best, dtype=np.int32, count=len(best))
        return entries, np.fromiter(best.values(), dtype=np.float32, count=len(best))

    def _token_matches(self, typed: str) -> tuple[tuple[int, float], ...]:
        """Catalogue words (by number) that match one typed word, with how closely."""
        matches: dict[str, float] = {}
        if typed in self._token_number:
            matches[typed] = EXACT
        # Half-typed words: every word that starts with what was typed.
        start = bisect.bisect_left(self._vocabulary, typed)
        for token in self._vocabulary[start:]:
            if not token.startswith(typed):
                break
            matches.setdefault(token, PREFIX + 0.1 * len(typed) / len(token))
        typos = allowed_typos(typed)
        if not typos:
            return self._numbered(matches)
        # Typos in whole words, then in the beginnings of longer words (a typo while still typing). Only
        # words whose length is within reach of the typos are compared.
        for length in range(len(typed) - typos, len(typed) + typos + 1):
            for token, distance, _ in process.extract(typed, self._by_length.get(length, ()),
                                                      scorer=Levenshtein.distance, score_cutoff=typos, limit=None):
                matches.setdefault(token, 0.75 - 0.1 * distance)
        for length in (len(typed) - 1, len(typed), len(typed) + 1):
            prefixes = self._prefixes.get(length, {})
            for prefix, distance, _ in process.extract(typed, self._prefix_keys.get(length, ()),
                                                       scorer=Levenshtein.distance, score_cutoff=typos, limit=None):
                for token in prefixes[prefix]:
                    matches.setdefault(token, 0.65 - 0.1 * distance)
        return self._numbered(matches)

    def _numbered(self, matches: dict[str, float]) -> tuple[tuple[int, float], ...]:
        return tuple((self._token_number[token], closeness) for token, closeness in matches.items())

    def _word_scores(self, typed: str, language: str) -> np.ndarray:
        """For every entry, how well its best word matches one typed word (0 when none does)."""
        best = np.zeros(len(self.services), dtype=np.float32)
        matches = self._matches(typed)
        if not matches:
            return best
        postings = self._postings[language]
        entries = np.concatenate([postings[number][0] for number, _ in matches])
        scores = np.concatenate([postings[number][1] * closeness for number, closeness in matches])
        np.maximum.at(best, entries, scores)
        return best

    def _phrase_bonus(self, folded: str) -> np.ndarray:
        bonus = np.zeros(len(self.services), dtype=np.float32)
        start = bisect.bisect_left(self._phrases, folded)
        stop = bisect.bisect_right(self._phrases, folded + "\uffff")
        if start == stop or len(folded) < 3 and self._phrases[start] != folded:
            return bonus
        partial = np.concatenate(self._phrase_entries[start:stop])
        bonus[partial] = PHRASE_BONUS / 2
        if self._phrases[start] == folded:
            bonus[self._phrase_entries[start]] = PHRASE_BONUS
        return bonus

    def forget_queries(self) -> None:
        """Typed words are cached for speed within a visit only: a resident's words must not meet the next one."""
        self._matches.cache_clear()

    def remembers_queries(self) -> bool:
        return self._matches.cache_info().currsize > 0

    def search(self, query: str, language: str = "lv", limit: int = 20) -> list[Hit]:
        """Best first; an empty list when nothing sensible matches."""
        folded = fold(query)
        words = folded.split()
        if len(folded.replace(" ", "")) < SHORTEST_QUERY:
            return []
        # Every typed word counts; one that matches nothing pulls an entry down.
        total = sum(self._word_scores(word, language) for word in words) / len(words)
        total += self._phrase_bonus(folded)
        found = np.flatnonzero(total >= MIN_SCORE)
        if len(found) > limit:
            found = found[np.argpartition(-total[found], limit - 1)[:limit]]
        names = self._names[language]
        ranked = sorted(found, key=lambda entry: (-total[entry], names[entry]))
        return [Hit(self.services[entry], round(min(float(total[entry]), 1.0) * 100, 1)) for entry in ranked]


def _fields(service: Service):
    """(text, weight, language) of everything a service can be found by; "" where no language applies."""
    for lang in LANGUAGES:
        yield service.name.get(lang), FIELD_WEIGHTS["name"], lang
        yield service.description.get(lang), FIELD_WEIGHTS["description"], lang
        yield service.institution.name.get(lang), FIELD_WEIGHTS["institution"], lang
        for keyword in service.keywords[lang]:
            yield keyword, FIELD_WEIGHTS["keyword"], lang
        for situation in service.life_situations:
            yield situation.name.get(lang), FIELD_WEIGHTS["situation"], lang
    yield service.institution.code, FIELD_WEIGHTS["institution"], ""

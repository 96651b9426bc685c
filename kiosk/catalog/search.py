"""Search that forgives: no diacritics, Latin for Cyrillic, typos, half-typed words, synonyms, any language."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

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
SHORTEST_QUERY = 2


def fold(text: str) -> str:
    """Lower case, no diacritics, Cyrillic in Latin letters, words separated by single spaces."""
    text = text.lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float  # 0 to 100


@dataclass(frozen=True)
class _Posting:
    entry: int
    weight: float
    language: str  # "" for text that belongs to no single language (codes)


class SearchIndex:
    """Built once per catalogue; `search` answers one keystroke's query."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.services = catalog.services
        postings: dict[str, list[_Posting]] = defaultdict(list)
        self._names: list[dict[str, str]] = []
        for number, service in enumerate(self.services):
            for text, weight, language in self._fields(service):
                for token in set(fold(text).split()):
                    postings[token].append(_Posting(number, weight, language))
            self._names.append({lang: fold(service.name.get(lang)) for lang in LANGUAGES})
        # Keep only the best posting per (token, entry, language): repeated words must not add up.
        self._postings = {token: _best_postings(items) for token, items in postings.items()}
        self._vocabulary = sorted(self._postings)
        self._prefixes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for token in self._vocabulary:
            for length in range(3, min(len(token), 10) + 1):
                self._prefixes[length][token[:length]].append(token)

    @staticmethod
    def _fields(service: Service):
        for lang in LANGUAGES:
            yield service.name.get(lang), FIELD_WEIGHTS["name"], lang
            yield service.description.get(lang), FIELD_WEIGHTS["description"], lang
            yield service.institution.name.get(lang), FIELD_WEIGHTS["institution"], lang
            for keyword in service.keywords[lang]:
                yield keyword, FIELD_WEIGHTS["keyword"], lang
            for situation in service.life_situations:
                yield situation.name.get(lang), FIELD_WEIGHTS["situation"], lang
        yield service.institution.code, FIELD_WEIGHTS["institution"], ""

    def _token_matches(self, query_token: str) -> dict[str, float]:
        """Catalogue words that match one typed word, with how well (1 = exactly)."""
        matches: dict[str, float] = {}
        if query_token in self._postings:
            matches[query_token] = 1.0
        # Half-typed words: every word that starts with what was typed.
        start = bisect.bisect_left(self._vocabulary, query_token)
        for token in self._vocabulary[start:]:
            if not token.startswith(query_token):
                break
            matches.setdefault(token, 0.8 + 0.15 * len(query_token) / len(token))
        if len(query_token) < 4:
            return matches
        # Typos: one wrong letter in short words, two in long ones, in whole words and in word beginnings.
        allowed = 1 if len(query_token) < 7 else 2
        for token, distance, _ in process.extract(query_token, self._vocabulary, scorer=Levenshtein.distance,
                                                  score_cutoff=allowed, limit=None):
            matches.setdefault(token, 0.75 - 0.1 * distance)
        for length in {len(query_token), len(query_token) - 1, len(query_token) + 1}:
            prefixes = self._prefixes.get(length)
            if not prefixes:
                continue
            for prefix, distance, _ in process.extract(query_token, list(prefixes), scorer=Levenshtein.distance,
                                                       score_cutoff=allowed, limit=None):
                for token in prefixes[prefix]:
                    matches.setdefault(token, 0.65 - 0.1 * distance)
        return matches

    def search(self, query: str, language: str = "lv", limit: int = 20) -> list[Hit]:
        """Best first; an empty list when nothing sensible matches."""
        folded = fold(query)
        tokens = folded.split()
        if len(folded.replace(" ", "")) < SHORTEST_QUERY or not tokens:
            return []
        per_entry: list[dict[int, float]] = []
        for token in tokens:
            best: dict[int, float] = {}
            for matched, closeness in self._token_matches(token).items():
                for posting in self._postings[matched]:
                    score = closeness * posting.weight
                    if posting.language not in ("", language):
                        score *= OTHER_LANGUAGE
                    if score > best.get(posting.entry, 0.0):
                        best[posting.entry] = score
            per_entry.append(best)
        candidates = set().union(*per_entry)
        hits = []
        for entry in candidates:
            # Every typed word counts; one that matches nothing pulls the entry down.
            score = sum(best.get(entry, 0.0) for best in per_entry) / len(tokens)
            name = self._names[entry]
            if name[language].startswith(folded) or any(n.startswith(folded) for n in name.values()):
                score += 0.1
            if score >= MIN_SCORE:
                hits.append(Hit(self.services[entry], round(min(score, 1.0) * 100, 1)))
        hits.sort(key=lambda hit: (-hit.score, hit.service.name.get(language)))
        return hits[:limit]


def _best_postings(items: list[_Posting]) -> tuple[_Posting, ...]:
    best: dict[tuple[int, str], _Posting] = {}
    for posting in items:
        key = (posting.entry, posting.language)
        if key not in best or posting.weight > best[key].weight:
            best[key] = posting
    return tuple(best.values())

"""The catalogue's words and where they occur, as flat numpy arrays built in a few vector operations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.catalog import lemmas as lemmatiser
from kiosk.catalog.folding import fold, raw_words
from kiosk.catalog.meaning import is_meaningless
from kiosk.catalog.model import Service
from kiosk.i18n import LANGUAGES

# How much a match in each field counts: a service's own name most, its description least.
FIELD_WEIGHTS = {"name": 1.0, "keyword": 0.95, "situation": 0.7, "institution": 0.6, "description": 0.45}
OTHER_LANGUAGE = 0.9  # a match in another language than the resident's still counts, a little less
AS_WRITTEN, AS_LEMMA = 1.0, 0.97  # a word's dictionary form counts a little less than the word as written
LANGUAGE_NUMBER = {"": 0, **{lang: n for n, lang in enumerate(LANGUAGES, 1)}}


class TextWords:
    """The catalogue's words as written and as dictionary forms; each text and word worked out once per build."""

    def __init__(self):
        self._folded: dict[str, str] = {}
        self._words: dict[tuple[str, str], tuple[tuple[str, ...], str | None, bool]] = {}
        self._texts: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self._canonical: dict[tuple[str, str], frozenset[str]] = {}

    def folded(self, text: str) -> str:
        try:
            return self._folded[text]
        except KeyError:
            folded = self._folded[text] = fold(text)
            return folded

    def word(self, raw: str, language: str) -> tuple[tuple[str, ...], str | None, bool]:
        """(folded tokens, folded dictionary form if it differs, meaningless) of one word as written."""
        try:
            return self._words[raw, language]
        except KeyError:
            folded = self.folded(raw)
            lemma = lemmatiser.lemma(raw, language) if language else folded
            lemma = lemma if lemma and lemma != folded else None
            found = (tuple(folded.split()), lemma, is_meaningless(folded, {lemma} if lemma else set()))
            self._words[raw, language] = found
            return found

    def tokens(self, text: str, language: str) -> list[tuple[str, float]]:
        """(token, closeness) of a text: every word as written and, where it differs, as its dictionary form."""
        try:
            return self._texts[text, language]
        except KeyError:
            found = []
            for raw in raw_words(text):
                tokens, lemma, _ = self.word(raw, language)
                found.extend((token, AS_WRITTEN) for token in tokens)
                if lemma:
                    found.append((lemma, AS_LEMMA))
            self._texts[text, language] = found
            return found

    def canonical(self, text: str, language: str) -> frozenset[str]:
        """A phrase's meaningful words, each as its dictionary form where there is one."""
        try:
            return self._canonical[text, language]
        except KeyError:
            found = set()
            for raw in raw_words(text):
                tokens, lemma, meaningless = self.word(raw, language)
                if not meaningless and tokens:
                    found.add(lemma or tokens[0])
            canonical = self._canonical[text, language] = frozenset(found)
            return canonical


@dataclass
class Postings:
    """Per catalogue word (numbered in sorted order): the entries it occurs in, with how much it counts there
    for a resident of each language. A word's entries are one slice, bounds[n]:bounds[n + 1], and the words
    that start with the same letters are neighbours: a half-typed word's entries are one slice too."""
    vocabulary: list[str]
    number: dict[str, int]
    bounds: np.ndarray          # int64, len(vocabulary) + 1
    entries: np.ndarray         # int32, one per (word, entry)
    lengths: np.ndarray         # float32, the length of the word each posting belongs to
    weights: dict[str, np.ndarray]  # float32 per resident language, aligned with entries


def build_postings(services: tuple[Service, ...], words: TextWords) -> Postings:
    text_number: dict[tuple[str, str], int] = {}
    text_tokens: list[list[tuple[str, float]]] = []
    records: list[tuple[int, int, int, float]] = []  # (text, entry, language number, field weight)
    for entry, service in enumerate(services):
        for text, weight, language in fields(service):
            number = text_number.get((text, language))
            if number is None:
                number = text_number[text, language] = len(text_tokens)
                text_tokens.append(words.tokens(text, language))
            records.append((number, entry, LANGUAGE_NUMBER[language], weight))
    record_text, record_entry, record_language, record_weight = (np.array(column) for column in zip(*records))
    vocabulary = sorted({token for tokens in text_tokens for token, _ in tokens})
    number = {token: n for n, token in enumerate(vocabulary)}
    # Every text's tokens once, flat; each field record then expands to its text's slice of them.
    flat_tokens = np.array([number[token] for tokens in text_tokens for token, _ in tokens], dtype=np.int32)
    flat_closeness = np.array([c for tokens in text_tokens for _, c in tokens], dtype=np.float32)
    counts = np.array([len(tokens) for tokens in text_tokens], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    repeat = counts[record_text]
    within = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    positions = np.repeat(starts[record_text], repeat) + within
    tokens = flat_tokens[positions]
    entries = np.repeat(record_entry.astype(np.int32), repeat)
    languages = np.repeat(record_language.astype(np.int8), repeat)
    weights = np.repeat(record_weight.astype(np.float32), repeat) * flat_closeness[positions]
    # One posting per (word, entry), with its best weight for each resident language.
    order = np.lexsort((entries, tokens))
    tokens, entries, languages, weights = tokens[order], entries[order], languages[order], weights[order]
    first = np.ones(len(tokens), dtype=bool)
    first[1:] = (tokens[1:] != tokens[:-1]) | (entries[1:] != entries[:-1])
    groups = np.flatnonzero(first)
    per_language = {}
    for lang in LANGUAGES:
        own = (languages == 0) | (languages == LANGUAGE_NUMBER[lang])
        adjusted = np.where(own, weights, weights * np.float32(OTHER_LANGUAGE)).astype(np.float32)
        per_language[lang] = np.maximum.reduceat(adjusted, groups) if len(groups) else adjusted
    tokens, entries = tokens[groups], entries[groups]
    lengths = np.array([len(token) for token in vocabulary], dtype=np.float32)[tokens]
    bounds = np.searchsorted(tokens, np.arange(len(vocabulary) + 1)).astype(np.int64)
    return Postings(vocabulary, number, bounds, entries, lengths, per_language)


def fields(service: Service):
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

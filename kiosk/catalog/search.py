"""Search that forgives: no diacritics, Latin for Cyrillic, typos, half-typed words, word forms, whole sentences."""

from __future__ import annotations

import bisect
import gc
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from kiosk.catalog import lemmas as lemmatiser
from kiosk.catalog.folding import fold, raw_words
from kiosk.catalog.meaning import is_meaningless
from kiosk.catalog.model import Catalog, Service
from kiosk.catalog.postings import AS_LEMMA, TextWords, build_postings
from kiosk.catalog.situations import PHRASES, situations_in
from kiosk.i18n import LANGUAGES

__all__ = ["Hit", "SearchIndex", "fold", "allowed_typos"]

MIN_SCORE = 0.5       # below this a word's match is not sensible enough to show an entry for
KEEP_FRACTION = 0.5   # entries far behind the best one are noise once a sentence (2+ words) matched something
PHRASE_BONUS = 0.2    # for typing a whole name or keyword, or the start of one
SHORTEST_QUERY = 2
# Closeness of a typed word to a catalogue word; typos score below these. Another form of a word in a name
# (vīza → "Vīzas pieteikums") counts a little more than the same form in a keyword.
EXACT, PREFIX, LEMMA = 1.0, 0.85, AS_LEMMA
COMPLETE_PREFIX = 0.6  # a finished word (a space follows) that only starts a catalogue word is another word
STEM = 0.7            # a word known only by its start once its ending is cut off (pabalstiem → pabalst…)
# A life situation the resident speaks of: its words count as matched for its services, which also rank
# higher; a service's first-listed situation is its main one and counts most.
SITUATION_MATCH, SITUATION_BONUS, SITUATION_STEP = 0.85, 0.3, 0.05
TEXT_WITHIN_SITUATION = 0.15  # the words' own matches still order the services of one situation
CONFUSION = 0.3       # a pet's service when a person died, and the other way round, falls behind everything
WEAK_SCORE = 70       # a best result below this is little: "Did you mean" offers the closest names too,
                      # unless a typed word is a catalogue word as it stands (then nothing was misspelt)
SUGGESTION_CUTOFF = 75  # how alike (0-100) a word or name must be to be offered as "Did you mean"
# Typos are looked for among words that start like the typed one (people rarely miss the first letter), with
# the first letters that transliteration and habit mix up counted as one: г is h or g, й is i, j or y...
FIRST_LETTERS = ("gh", "ijy", "ckqx", "vw")
ALIKE = {letter: group for group in FIRST_LETTERS for letter in group}


def allowed_typos(word: str) -> int:
    """One wrong letter in words of four to six letters, two in longer ones, none in shorter."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def _starting_alike(words: list[str], typed: str) -> list[str]:
    """The words of a sorted list whose first letter is the typed word's, or one people mix it up with."""
    found: list[str] = []
    for letter in ALIKE.get(typed[0], typed[0]):
        found += words[bisect.bisect_left(words, letter):bisect.bisect_left(words, letter + "\x7f")]
    return found


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float  # 0 to 100


@dataclass(frozen=True)
class Word:
    """One typed word: folded, its dictionary forms, whether it means anything, which phrase words it is."""
    folded: str
    lemmas: frozenset[str]
    meaningless: bool
    parts: frozenset[int]


@dataclass(frozen=True)
class Matches:
    """The catalogue words one typed word matches: single words (number, closeness), and runs of neighbouring
    words (first, past-the-last, base, per_length) whose closeness is base + per_length / the word's length."""
    single: tuple[tuple[int, float], ...]
    runs: tuple[tuple[int, int, float, float], ...]


class SearchIndex:
    """Built once per catalogue; `search` answers one keystroke's query in about a millisecond.

    Each catalogue word (as written and in its dictionary form) has, per resident language, the entries it
    occurs in and how much it counts there (postings.py): a typed word's matches are combined in a few vector
    operations instead of a loop over entries.
    """

    def __init__(self, catalog: Catalog):
        # Hundreds of thousands of small tuples, none of them cyclic garbage: the cycle collector would only
        # walk them again and again (a third of the build time at 5,000 entries).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(catalog)
        finally:
            if collecting:
                gc.enable()

    @staticmethod
    def keep_out_of_collections() -> None:
        """Move everything alive now out of the cycle collector's sight, the index among it: a full collection
        then no longer walks its objects in the middle of a keystroke (p99 3.9 → 1.0 ms at 5,000 entries).

        Only while no resident's visit is open: whatever is frozen and later becomes cyclic garbage is never
        freed, and nothing of a resident may stay in memory that way. Garbage there is now goes first.
        """
        gc.collect()
        gc.freeze()

    def _build(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.services = catalog.services
        words = TextWords()
        self._postings = build_postings(self.services, words)
        self._vocabulary, self._token_number = self._postings.vocabulary, self._postings.number
        # Per length, sorted: the catalogue words, and the distinct beginnings of longer words (for typos).
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for token in self._vocabulary:
            self._by_length[len(token)].append(token)
        longest = max(self._by_length, default=0)
        self._prefixes = {length: sorted({token[:length] for token in self._vocabulary if len(token) > length})
                          for length in range(4, longest)}
        phrases: list[tuple[str, int]] = []
        # Names and keywords of two or more words, by each of their words, as their words' dictionary forms.
        self._phrases_with: dict[str, list[tuple[frozenset[str], int]]] = defaultdict(list)
        self._suggestion_choices: dict[str, list[tuple[str, int]]] = {lang: [] for lang in LANGUAGES}
        for entry, service in enumerate(self.services):
            for lang in LANGUAGES:
                for phrase in (service.name.get(lang), *service.keywords[lang]):
                    folded = words.folded(phrase)
                    phrases.append((folded, entry))
                    self._suggestion_choices[lang].append((folded, entry))
                    canonical = words.canonical(phrase, lang) if " " in folded else ()
                    if len(canonical) > 1:
                        for form in canonical:
                            self._phrases_with[form].append((canonical, entry))
        # Every name and keyword, folded and sorted, with its entry: a typed start of one is a run of them.
        phrases.sort()
        self._phrases = [phrase for phrase, _ in phrases]
        self._phrase_entries = np.array([entry for _, entry in phrases], dtype=np.int32)
        self._names = {lang: [s.name.get(lang) for s in self.services] for lang in LANGUAGES}
        self._situations = self._situation_arrays()
        # Caches of typed words, for speed within one visit only: forget_queries empties both.
        self._matches = lru_cache(maxsize=8192)(self._token_matches)
        self._words = lru_cache(maxsize=8192)(self._word)

    def _situation_arrays(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per life situation: its entries, and how much each counts (its main situation most; the curator's
        order of entries within a situation breaks ties)."""
        found: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for entry, service in enumerate(self.services):
            for rank, situation in enumerate(service.life_situations):
                entries, factors = found[situation.id]
                factors.append(1.0 - SITUATION_STEP * rank - 0.0005 * len(entries))
                entries.append(entry)
        return {key: (np.array(e, dtype=np.int32), np.array(f, dtype=np.float32)) for key, (e, f) in found.items()}

    # ---- one typed word ------------------------------------------------------------------------

    def _word(self, raw: str) -> Word:
        folded = fold(raw)
        lemmas = frozenset(lemmatiser.lemmas(raw)) - {folded}
        return Word(folded, lemmas, is_meaningless(folded, lemmas), PHRASES.parts_of({folded, *lemmas}))

    def _token_matches(self, typed: str, lemmas: frozenset[str] = frozenset(), complete: bool = False) -> Matches:
        """Catalogue words that match one typed word, with how closely."""
        single: dict[str, float] = {}
        runs = []
        if typed in self._token_number:
            single[typed] = EXACT
        for lemma in lemmas:  # another form of the same word
            if lemma in self._token_number:
                single.setdefault(lemma, LEMMA)
        # Half-typed words: every word that starts with what was typed (neighbours in sorted order).
        run = self._run(typed)
        if run[0] < run[1]:
            runs.append((*run, COMPLETE_PREFIX, 0.0) if complete else (*run, PREFIX, 0.1 * len(typed)))
        typos = allowed_typos(typed)
        if typos:
            # Typos in whole words, then in the beginnings of longer words (a typo while still typing). Only
            # words whose length is within reach of the typos are compared.
            for length in range(len(typed) - typos, len(typed) + typos + 1):
                candidates = _starting_alike(self._by_length.get(length, []), typed)
                for token, distance, _ in process.extract(typed, candidates, scorer=Levenshtein.distance,
                                                          score_cutoff=typos, limit=None):
                    single.setdefault(token, 0.75 - 0.1 * distance)
            for length in (len(typed) - 1, len(typed), len(typed) + 1):
                candidates = _starting_alike(self._prefixes.get(length, []), typed)
                for prefix, distance, _ in process.extract(typed, candidates, scorer=Levenshtein.distance,
                                                           score_cutoff=typos, limit=None):
                    runs.append((*self._run(prefix), 0.65 - 0.1 * distance, 0.0))
        # A word form the dictionary does not know: its ending cut off, what is left may start a known word.
        for cut in range(1, 4):
            if single or runs or len(typed) - cut < 5:
                break
            run = self._run(typed[:-cut])
            if run[0] < run[1]:
                runs.append((*run, STEM - 0.05 * cut, 0.0))
        return Matches(tuple((self._token_number[token], closeness) for token, closeness in single.items()),
                       tuple(runs))

    def _run(self, start: str) -> tuple[int, int]:
        """The numbers of the catalogue words that start with `start`: first and past-the-last."""
        return (bisect.bisect_left(self._vocabulary, start),
                bisect.bisect_left(self._vocabulary, start + "\x7f"))  # words are a-z0-9, all below DEL

    def _word_scores(self, word: Word, language: str, complete: bool) -> np.ndarray:
        """For every entry, how well its best word matches one typed word (0 when none does)."""
        best = np.zeros(len(self.services), dtype=np.float32)
        matches = self._matches(word.folded, word.lemmas, complete)
        postings = self._postings
        bounds, entries, weights = postings.bounds, postings.entries, postings.weights[language]
        for first, past, base, per_length in matches.runs:
            start, stop = bounds[first], bounds[past]
            closeness = base + per_length / postings.lengths[start:stop] if per_length else base
            np.maximum.at(best, entries[start:stop], weights[start:stop] * closeness)
        if matches.single:
            chosen = [(bounds[n], bounds[n + 1], closeness) for n, closeness in matches.single]
            np.maximum.at(best, np.concatenate([entries[a:b] for a, b, _ in chosen]),
                          np.concatenate([weights[a:b] * c for a, b, c in chosen]))
        return best

    def _phrase_bonus(self, folded: str) -> np.ndarray:
        bonus = np.zeros(len(self.services), dtype=np.float32)
        start = bisect.bisect_left(self._phrases, folded)
        stop = bisect.bisect_right(self._phrases, folded + "\uffff")
        if start == stop or len(folded) < 3 and self._phrases[start] != folded:
            return bonus
        bonus[self._phrase_entries[start:stop]] = PHRASE_BONUS / 2
        whole = bisect.bisect_right(self._phrases, folded, start, stop)  # the phrases equal to what was typed
        bonus[self._phrase_entries[start:whole]] = PHRASE_BONUS
        return bonus

    def _covered_phrases(self, words: list[Word]) -> np.ndarray:
        """A name or keyword of several words whose every word was typed, in any order and form
        ("naudu par bērniem" covers "bērnu nauda"), counts as the whole phrase typed."""
        bonus = np.zeros(len(self.services), dtype=np.float32)
        forms = set().union(*({word.folded, *word.lemmas} for word in words))
        for form in forms:
            for phrase, entry in self._phrases_with.get(form, ()):
                if phrase <= forms:
                    bonus[entry] = PHRASE_BONUS
        return bonus

    # ---- privacy -------------------------------------------------------------------------------

    def forget_queries(self) -> None:
        """Typed words are cached for speed within a visit only: a resident's words must not meet the next one."""
        self._matches.cache_clear()
        self._words.cache_clear()

    def remembers_queries(self) -> bool:
        return self._matches.cache_info().currsize > 0 or self._words.cache_info().currsize > 0

    # ---- queries -------------------------------------------------------------------------------

    def words(self, query: str) -> list[Word]:
        return [word for word in map(self._words, raw_words(query)) if word.folded]

    def only_meaningless(self, query: str) -> bool:
        """True when something was typed but none of it says what is needed ("ko man darīt?", "how do I")."""
        words = self.words(query)
        return bool(words) and all(word.meaningless for word in words)

    def situations(self, query: str) -> list[str]:
        """The life situations (ids, in catalogue order) that the query speaks of."""
        spoken = situations_in([word.parts for word in self.words(query)])
        return [s.id for s in self.catalog.life_situations if s.id in spoken and s.id in self._situations]

    def search(self, query: str, language: str = "lv", limit: int = 20) -> list[Hit]:
        """Best first; an empty list when nothing sensible matches."""
        folded = fold(query)
        if len(folded.replace(" ", "")) < SHORTEST_QUERY:
            return []
        words = self.words(query)
        meaningful = [at for at, word in enumerate(words) if not word.meaningless]
        if not meaningful:
            return []
        spoken = situations_in([word.parts for word in words])
        # Words before the last are finished (a space follows); the last may be half-typed.
        last, ends_with_space = len(words) - 1, query != query.rstrip()
        scores = {at: self._word_scores(words[at], language, at < last or ends_with_space) for at in meaningful}
        bonus = np.zeros(len(self.services), dtype=np.float32)
        for situation, positions in self._situations_spoken(spoken).items():
            entries, factors = self._situations[situation]
            for at in positions & scores.keys():
                own = scores[at][entries]
                scores[at][entries] = np.maximum(own, SITUATION_MATCH * factors) + TEXT_WITHIN_SITUATION * own
            np.maximum.at(bonus, entries, SITUATION_BONUS * factors)
        # Every meaningful word counts; one that matches nothing pulls an entry down but empties nothing.
        stacked = np.vstack(list(scores.values()))
        total = stacked.mean(axis=0) + bonus + np.maximum(
            self._phrase_bonus(" ".join(words[at].folded for at in meaningful)),
            self._covered_phrases([words[at] for at in meaningful]))
        total *= self._confusion(spoken)
        keep = stacked.max(axis=0) >= MIN_SCORE
        if len(meaningful) > 1:
            keep &= total >= KEEP_FRACTION * total.max()
        found = np.flatnonzero(keep)
        if len(found) > limit:
            found = found[np.argpartition(-total[found], limit - 1)[:limit]]
        names = self._names[language]
        # On a tie the shorter name is the more specific answer ("vīza" → "Vīzas pieteikums").
        ranked = sorted(found, key=lambda entry: (-total[entry], len(names[entry]), names[entry]))
        return [Hit(self.services[entry], round(min(float(total[entry]), 1.0) * 100, 1)) for entry in ranked]

    def _situations_spoken(self, spoken: dict[str, set[int]]) -> dict[str, set[int]]:
        """The catalogue's situations the query speaks of; the words naming a person belong to a death."""
        found = {situation: positions for situation, positions in spoken.items() if situation in self._situations}
        if "death" in found and "person" in spoken:
            found["death"] = found["death"] | spoken["person"]
        return found

    def _confusion(self, spoken: dict[str, set[int]]) -> np.ndarray | float:
        """A person and a pet are never confused: a death without a pet named is a person's, and one with a
        pet (and no person) named is the pet's."""
        if "death" not in spoken or "death" not in self._situations or "pets" not in self._situations:
            return 1.0
        factor = np.ones(len(self.services), dtype=np.float32)
        pets, death = self._situations["pets"][0], self._situations["death"][0]
        if "pets" not in spoken:
            factor[pets] = CONFUSION
        elif "person" not in spoken:
            factor[np.setdiff1d(death, pets)] = CONFUSION
        return factor

    def suggestions(self, query: str, language: str = "lv", limit: int = 3) -> list[Service]:
        """"Did you mean": when little or nothing matches, the services that the query with each unknown word
        spelt as its closest catalogue word finds, then those whose names are closest to the query."""
        words = [word for word in self.words(query) if not word.meaningless]
        if not words or any(word.folded in self._token_number or word.lemmas & self._token_number.keys()
                             for word in words):
            return []  # a typed word is a catalogue word as it stands: nothing was misspelt
        hits = self.search(query, language, limit=limit)
        if hits and hits[0].score >= WEAK_SCORE:
            return []
        shown = {hit.service.id for hit in hits}
        respelt = []
        for word in words:
            closest = process.extractOne(word.folded, self._vocabulary, scorer=fuzz.ratio,
                                         score_cutoff=SUGGESTION_CUTOFF)
            respelt.append(closest[0] if closest else word.folded)
        found = [hit.service for hit in self.search(" ".join(respelt) + " ", language, limit=limit + len(shown))]
        choices = self._suggestion_choices[language]
        typed = " ".join(word.folded for word in words)
        for _, _, at in process.extract(typed, [text for text, _ in choices], scorer=fuzz.token_sort_ratio,
                                        score_cutoff=SUGGESTION_CUTOFF, limit=limit * 4):
            found.append(self.services[choices[at][1]])
        unique = {service.id: service for service in reversed(found) if service.id not in shown}
        return sorted(unique.values(), key=lambda service: found.index(service))[:limit]

"""Word forms to dictionary forms (suni → suns, собаку → собака, died → die) with simplemma's dictionaries."""

from __future__ import annotations

import logging
import threading

from kiosk.catalog.folding import fold, is_cyrillic

log = logging.getLogger(__name__)
LANGUAGES = ("lv", "uk", "en")
_lock = threading.Lock()
_lemmatizer = None


def _load():
    """simplemma with dictionary look-up only: its rules guess wrong for Latvian (pabalstiem → pabalstas),
    and no cache of its own, since the words it sees are typed by residents (ours is forgotten per visit)."""
    global _lemmatizer
    with _lock:
        if _lemmatizer is None:
            try:
                from simplemma import Lemmatizer
                from simplemma.strategies import DictionaryLookupStrategy
                lemmatizer = Lemmatizer(cache_max_size=0, lemmatization_strategy=DictionaryLookupStrategy())
                for language in LANGUAGES:
                    lemmatizer.lemmatize("a", language)  # loads the language's dictionary (about 0.3 s each)
            except Exception:  # a missing or broken package must not take search down: words stay as typed
                log.exception("the lemmatiser cannot be loaded; searching without word forms")
                lemmatizer = False
            _lemmatizer = lemmatizer
    return _lemmatizer


def warm_up_in_background() -> threading.Thread:
    """Load the dictionaries on a thread of their own, so that no frame and no keystroke waits for them."""
    thread = threading.Thread(target=_load, name="lemmatiser warm-up", daemon=True)
    thread.start()
    return thread


def is_loaded() -> bool:
    return _lemmatizer is not None


def lemma(word: str, language: str) -> str:
    """The folded dictionary form of one lower-case word in `language`, or the folded word when it is unknown."""
    lemmatizer = _lemmatizer if _lemmatizer is not None else _load()
    if lemmatizer and word.isalpha() and is_cyrillic(word) == (language == "uk"):
        return fold(lemmatizer.lemmatize(word, language))
    return fold(word)


def lemmas(word: str) -> set[str]:
    """The folded dictionary forms of a typed word in every language its alphabet can be."""
    languages = ("uk",) if is_cyrillic(word) else ("lv", "en")
    return {lemma(word, language) for language in languages}

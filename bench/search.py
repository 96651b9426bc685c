"""Search speed per keystroke on a 5,000-entry catalogue: the real entries plus generated ones.

1,000 queries (real words with typos, without diacritics, in Latin for Cyrillic, half-typed) are typed one
keystroke at a time; every prefix is one search. Prints index_build_ms (goal: <= 1,000 ms; the word-form
dictionaries are loaded before, as the kiosk does off the UI thread, and their load is printed as
lemmatiser_load_ms), search_p50_ms and search_p99_ms (goal: p99 <= 2 ms),
and ui_update_ms: the median time from a key on the on-screen keyboard to the result list holding the new
rows, in the real app (goal: well inside one 60 Hz frame, 16.7 ms). --quick types 50 queries (2 in the app) on 1,000
entries: for the tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import dataclasses
import random
import statistics
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.catalog import lemmas  # noqa: E402
from kiosk.catalog.model import Catalog, Texts, load_catalog  # noqa: E402
from kiosk.catalog.search import SearchIndex, fold  # noqa: E402

ENTRIES, QUICK_ENTRIES = 5000, 1000
QUERIES, QUICK_QUERIES = 1000, 50
UI_QUERIES, QUICK_UI_QUERIES = 40, 2
SYLLABLES = "ka ra li pa ba sa ta ne mo ru vi de lo ga zi pe ko mu si te".split()


def synthetic_catalog(real: Catalog, rng: random.Random, entries: int) -> Catalog:
    """The real catalogue grown to `entries` with made-up services built from real and invented words."""
    words = sorted({w for s in real.services for lang in ("lv", "en", "uk") for w in s.name.get(lang).split()})
    services = list(real.services)
    while len(services) < entries:
        template = rng.choice(real.services)
        invented = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))

        def name():
            return " ".join(rng.sample(words, 2) + [invented])
        services.append(dataclasses.replace(
            template, id=f"synthetic-{len(services)}", name=Texts(name(), name(), name()),
            keywords={lang: tuple(rng.sample(words, 2)) for lang in ("lv", "en", "uk")}))
    return Catalog(real.version, real.institutions, real.life_situations, tuple(services))


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:at] + word[at + 1:], word[:at] + word[at + 1] + word[at] + word[at + 2:],
                       word[:at] + rng.choice("aeiou") + word[at + 1:]])


def realistic_queries(real: Catalog, rng: random.Random, count: int) -> list[str]:
    sources = [w for s in real.services for lang in ("lv", "en", "uk") for w in
               (s.name.get(lang), *s.keywords[lang])]
    queries = []
    while len(queries) < count:
        text = rng.choice(sources)
        kind = rng.random()
        if kind < 0.3:
            text = fold(text)                      # no diacritics, Cyrillic in Latin letters
        elif kind < 0.6:
            text = " ".join(typo(w, rng) for w in text.split()[:2])
        else:
            text = " ".join(text.split()[:2])
        queries.append(text.lower())
    return queries


def measure_search(index: SearchIndex, queries: list[str]) -> list[float]:
    """Every keystroke of every query; the word cache starts empty for each query, as for a new resident."""
    times = []
    for query in queries:
        index.forget_queries()
        for end in range(1, len(query) + 1):
            began = time.perf_counter()
            index.search(query[:end], "lv")
            times.append((time.perf_counter() - began) * 1000)
    return times


def measure_ui(queries: list[str]) -> float:
    from tools.driver import AppDriver, prepare_environment
    prepare_environment()
    from kiosk.config import load_settings
    from kiosk.idle import Timings
    settings = load_settings(ROOT / "kiosk.ini")
    runtime = Path(tempfile.mkdtemp(prefix="bench-search-"))
    settings = dataclasses.replace(settings, visit=dataclasses.replace(settings.visit, runtime_dir=runtime))
    driver = AppDriver(settings, Timings(3600, 60, 3600))
    driver.app.start_visit("lv")
    driver.app.show("find_service")
    screen = driver.app.screen("find_service")
    keyboard = screen.ids.keyboard
    times = []
    for query in queries:
        screen.query = ""
        for character in query:
            began = time.perf_counter()
            keyboard.dispatch("on_text", character)
            times.append((time.perf_counter() - began) * 1000)
            driver.frames(1)
    driver.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer queries: does the bench still run?")
    quick = parser.parse_args().quick
    rng = random.Random(20261123)
    real = load_catalog(ROOT / "assets" / "catalog" / "catalog.yaml")
    catalog = synthetic_catalog(real, rng, QUICK_ENTRIES if quick else ENTRIES)
    began = time.perf_counter()
    lemmas.warm_up_in_background().join()
    print(f"lemmatiser_load_ms={(time.perf_counter() - began) * 1000:.0f}")
    began = time.perf_counter()
    index = SearchIndex(catalog)
    index.keep_out_of_collections()  # as the kiosk does when it builds the index before any visit
    build_ms = (time.perf_counter() - began) * 1000
    queries = realistic_queries(real, rng, QUICK_QUERIES if quick else QUERIES)
    times = sorted(measure_search(index, queries))
    print(f"entries={len(catalog.services)} keystroke_searches={len(times)} index_build_ms={build_ms:.0f}")
    print(f"search_p50_ms={statistics.median(times):.3f}")
    print(f"search_p99_ms={times[int(len(times) * 0.99)]:.3f}")
    print(f"ui_update_ms={measure_ui(queries[:QUICK_UI_QUERIES if quick else UI_QUERIES]):.2f}")


if __name__ == "__main__":
    main()

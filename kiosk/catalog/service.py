"""The catalogue as the kiosk serves it: read when first needed, searched, browsed, and its queue topics."""

from __future__ import annotations

import threading

from kiosk.config import Settings
from kiosk.i18n import N_
from kiosk.visits import Visits

# A queue ticket for no particular service.
GENERAL_MATTER = N_("Something else, or I am not sure")
# Life situations always among the queue ticket's topic tiles, however few their services: the people they are
# for (Ukrainian civilians, often new to Latvian institutions) should not have to look under "Other topics".
QUEUE_TOPICS_ALWAYS_SHOWN = ("from-ukraine",)


class CatalogService:
    """The e-service catalogue and its search index, read when first needed; typed words leave with each visit."""

    def __init__(self, settings: Settings, visits: Visits):
        self.settings = settings
        # kiosk.ini's catalogue, or the national bundle's once the kiosk runs one (use()).
        self.path = settings.catalog.path
        # Counts the catalogues served: what was made from an earlier one (the browser's allowed hosts) is made again.
        self.generation = 0
        self._index = None
        # The warm-up thread and the UI may both ask for the catalogue or the index first.
        self._load_lock, self._index_lock = threading.Lock(), threading.Lock()
        self._warming = None
        self._frozen = self._closed = False
        self.loaded = None
        visits.add_standing_wiper("typed search words", self._forget_queries, self._remembers_no_query)
        self._visits = visits

    @property
    def catalog(self):
        """The catalogue in use, or None when neither it nor its last good copy can be read."""
        with self._load_lock:
            if self.loaded is None:
                from kiosk.catalog import load_with_fallback
                self.loaded = load_with_fallback(self.path, self.settings.kiosk.state_dir)
        return self.loaded.catalog

    def use(self, path) -> None:
        """Serve the catalogue at `path` from now on (between visits: a national bundle taken); the search index
        is made again on the warm-up thread."""
        with self._index_lock:
            if self._frozen:  # the old index must be collectable once it is dropped
                import gc
                gc.unfreeze()
                self._frozen = False
            with self._load_lock:
                self.path, self.loaded = path, None
                self.generation += 1
            self._index, self._warming = None, None
        self.warm_up()

    def require(self):
        """The catalogue, for a command that cannot go on without one: ConfigError naming [catalog] path if none."""
        if self.loaded is None or self.loaded.catalog is None:
            from kiosk.catalog import load_configured
            self.loaded = load_configured(self.settings)  # or the one sentence about [catalog] path
        return self.loaded.catalog

    def close(self) -> None:
        """Give what was kept out of the collector back to it: a process that builds another core (the tests, a
        restarted app) would otherwise keep every object of this one for ever."""
        with self._index_lock:  # not while the warm-up thread may be about to freeze
            self._closed = True
            if self._frozen:
                import gc
                gc.unfreeze()
                self._frozen = False

    def warm_up(self) -> None:
        """Load the word-form dictionaries (about a second) and build the index on a thread of their own, so
        that neither the first frame nor the first keystroke waits; idempotent."""
        if self._warming is None and self._index is None:
            # Imported here, not on the thread: a module (numpy) imported by two threads at once can reach one of
            # them half made, and the index is built while other threads start.
            import kiosk.catalog.search  # noqa: F401
            self._warming = threading.Thread(target=self.index, name="search warm-up", daemon=True)
            self._warming.start()

    def index(self):
        """The search index, built at the warm-up or when a resident first searches; None without a catalogue."""
        with self._index_lock:
            if self._index is None and self.catalog is not None:
                from kiosk.catalog.search import SearchIndex
                index = SearchIndex(self.catalog)
                self._index = index
                if self._visits.current is None and not self._closed:
                    index.keep_out_of_collections()
                    self._frozen = True
        return self._index

    def _forget_queries(self) -> None:
        index = self._index
        if index is not None:
            index.forget_queries()

    def _remembers_no_query(self) -> bool:
        index = self._index
        return index is None or not index.remembers_queries()

    def search(self, query: str, language: str) -> list:
        index = self.index()
        return [hit.service for hit in index.search(query, language, limit=30)] if index else []

    def suggestions(self, query: str, language: str) -> list:
        """"Did you mean": the services with the closest names, when little or nothing matches the query."""
        index = self.index()
        return index.suggestions(query, language) if index else []

    def situations_spoken(self, query: str, language: str) -> list[tuple[str, str]]:
        """(id, label) of the life situations a query speaks of ("mana mamma nomira" → death)."""
        index = self.index()
        names = {s.id: s.name.get(language) for s in self.catalog.life_situations} if index else {}
        return [(ident, names[ident]) for ident in index.situations(query)] if index else []

    def only_meaningless(self, query: str) -> bool:
        """True when a query has words but none says what is needed ("ko man darīt?")."""
        index = self.index()
        return bool(index) and index.only_meaningless(query)

    def service(self, service_id: str):
        return self.catalog.by_id[service_id]

    def service_or_none(self, service_id: str):
        """The service of that id, or None (none by that id, or no catalogue loaded)."""
        catalog = self.catalog
        return catalog.by_id.get(service_id) if catalog is not None else None

    def browse_choices(self, by: str, language: str) -> list[tuple[str, str]]:
        """(key, label) of every life situation or institution that has services, in `language`."""
        catalog = self.catalog
        if catalog is None:
            return []
        if by == "situation":
            return [(s.id, s.name.get(language)) for s in catalog.life_situations if catalog.in_situation(s.id)]
        return [(i.code, i.name.get(language)) for i in catalog.institutions if catalog.of_institution(i.code)]

    def browse(self, by: str, key: str) -> list:
        catalog = self.catalog
        return catalog.in_situation(key) if by == "situation" else catalog.of_institution(key)

    def queue_services(self, language: str, situation: str | None = None) -> list:
        """Services a staff member helps with at the desk (of one life situation, or all), in the resident's
        alphabet order."""
        catalog = self.catalog
        if catalog is None:
            return []
        services = catalog.in_situation(situation) if situation else catalog.services
        services = [s for s in services if s.channels.in_person]
        return sorted(services, key=lambda service: service.name.get(language).casefold())

    def queue_topics(self, language: str, limit: int = 7) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The queue ticket's topics: (id, label) of the life situations shown as tiles, and of the rest.

        The tiles are the `limit` situations with the most desk services (catalogue order between equals), always
        with those of QUEUE_TOPICS_ALWAYS_SHOWN; the rest, for "Other topics", in the resident's alphabet order.
        A single one left over is shown too: "Other topics" leading to one topic would be a step for nothing.
        """
        catalog = self.catalog
        if catalog is None:
            return [], []
        counts = {situation.id: sum(1 for service in catalog.in_situation(situation.id)
                                    if service.channels.in_person) for situation in catalog.life_situations}
        ranked = sorted((s for s in catalog.life_situations if counts[s.id]), key=lambda s: -counts[s.id])
        shown = ranked[:limit]
        for ident in QUEUE_TOPICS_ALWAYS_SHOWN:
            wanted = next((s for s in ranked if s.id == ident), None)
            if wanted is not None and wanted not in shown:
                shown = shown[:max(limit - 1, 0)] + [wanted]
        rest = [s for s in ranked if s not in shown]
        if len(rest) == 1:
            shown, rest = shown + rest, []
        rest.sort(key=lambda situation: situation.name.get(language).casefold())
        return ([(s.id, s.name.get(language)) for s in shown], [(s.id, s.name.get(language)) for s in rest])

    def situation_name(self, ident: str, language: str) -> str:
        """A life situation's name in `language`, or "" for one the catalogue does not have."""
        situations = self.catalog.life_situations if self.catalog is not None else ()
        return next((s.name.get(language) for s in situations if s.id == ident), "")

    def institution(self, code: str):
        """The catalogue's institution of that code, or None."""
        return next((i for i in (self.catalog.institutions if self.catalog is not None else ()) if i.code == code),
                    None)

    def institution_name(self, code: str, language: str) -> str:
        institution = self.institution(code)
        return institution.name.get(language) if institution is not None else code

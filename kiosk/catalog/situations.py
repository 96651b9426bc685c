"""How residents say which life situation they are in ("mana mamma nomira", "втратила роботу", "moving house")."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.catalog.folding import fold

# Phrases per life situation of the catalogue, in Latvian, Ukrainian (with the Russian people also type) and
# English. A phrase is words that must all occur in the query, in any order; "word*" also matches longer words
# (its inflected forms), a word without "*" matches itself or a typed word whose dictionary form it is. Short
# starts are avoided where they begin other words too (suņ* would match "sunday", kaķ* "kakls").
TRIGGERS = {
    "death": """
        nomira nomirt nomirusi nomiris miris mirusi mirt mirsan* nāve nāves nāvi mūžīb* apbedī* atraitn*
        помер* смерт* поховат* похорон* загину* вдов* умер* скончал*
        die died dead death deceased funeral widow* passed+away lost+husband lost+wife
    """,
    "unemployment": """
        bezdarb* atlaid* atlaist* atlaiž* bez+darba* zaudēj*+darb* zaudēt+darb* pazaudēj*+darb*
        безробіт* звільни* звільн* без+робот* втрат*+робот* безработ* уволи* потерял*+работ* без+работ*
        unemploy* jobless redundan* fired sacked laid+off lost+job* lose+job* no+job*
    """,
    "child-born": """
        piedzim* jaundzim* dzemd* grūtniec* mazul* bērniņ* gaid*+bērn*
        народи* народж* новонарод* немовл* вагітн* пологи* родил* беремен* новорожд*
        born newborn* baby babies pregnan* birth expecting+baby expecting+child
    """,
    "moving": """
        pārvāc* pārvāk* pārceļ* pārcel* pārcēl* jaun*+adres* mainīt+adres* adreses+maiņ* dzīvesviet*
        переїз* переїх* переселя* нов*+адрес* змін*+адрес* переезд* переех*
        move moving moved relocat* new+address change+address address+change
    """,
    "from-ukraine": """
        ukrain* ukraiņ* bēgl* bēgļ*
        україн* біжен* переселен* тимчасов*+захист* украин* беженц*
        refugee* fled came+ukrain* arriv*+ukrain* atbrauc*+ukrain* atbrauk*+ukrain* ierad*+ukrain*
        приїха*+україн* приїзд*+україн* прибу*+україн* приехал*+украин*
    """,
    "pets": """
        suns suni suņa suņi suņu suņus suņiem sunim suņam kaķis kaķi kaķa kaķim kaķu kaķus kaķiem kaķēn*
        sesk* mājdzīvniek* dzīvniek* kucēn* mincis runcis
        собак* пес пса псу кіт кота коту кішк* кицьк* цуцен* кошен* тварин* кот кошк* щен* животн*
        dog dogs puppy puppies cat cats kitten* pet pets ferret* animal*
    """,
}
# Who a death or a move is about: the words that tell a person from a pet, so that "mana mamma nomira"
# never leads to a pet's death registration and "suns nomira" never to a funeral benefit.
PERSON = """
    mamm* māmiņ* māte mātes mātei tēvs tēva tēvam tētis tēt* vīrs vīra vīram vīru sieva* brāl* māsa māsai
    māsas māsu vecmām* vectēv* omīt* opīt* opis radiniek* tuviniek* cilvēk* dēls dēla dēlam meit* bērns bērna
    laulāt* partner*
    мам* мати матір* бать* тат* чолові* дружин* син сина сину доч* брат* сестр* бабус* дідус* родич*
    людин* дитин* муж* жена жены отец
    mother mum mom father dad husband wife spouse son daughter brother sister grand* parent* relative*
    person someone somebody child partner uncle aunt
"""


@dataclass
class Phrases:
    """All phrases, compiled: what one typed word can stand for is found in a few dictionary look-ups."""
    exact: dict[str, set[int]] = field(default_factory=dict)
    prefixes: list[tuple[str, int]] = field(default_factory=list)
    phrases: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # (label, its words' ids)
    starting_with: dict[int, list[int]] = field(default_factory=dict)     # a word's id -> phrases it opens
    words: int = 0

    def add(self, label: str, phrase: str) -> None:
        ids = []
        for word in phrase.split("+"):
            self.words += 1
            text = fold(word.rstrip("*"))
            if word.endswith("*"):
                self.prefixes.append((text, self.words))
            else:
                self.exact.setdefault(text, set()).add(self.words)
            ids.append(self.words)
        self.starting_with.setdefault(ids[0], []).append(len(self.phrases))
        self.phrases.append((label, tuple(ids)))

    def parts_of(self, forms: set[str]) -> frozenset[int]:
        """The phrase words that one typed word (in its folded and dictionary forms) stands for."""
        found: set[int] = set()
        for form in forms:
            found |= self.exact.get(form, set())
            found.update(part for start, part in self.prefixes if form.startswith(start))
        return frozenset(found)


def _compile() -> Phrases:
    phrases = Phrases()
    for situation, text in TRIGGERS.items():
        for phrase in text.replace("|", " ").split():
            phrases.add(situation, phrase)
    for word in PERSON.split():
        phrases.add("person", word)
    return phrases


PHRASES = _compile()


def situations_in(words_parts: list[frozenset[int]]) -> dict[str, set[int]]:
    """For the words of a query (each as the phrase words it stands for): each life situation (and "person")
    it speaks of, with the positions of the words that say so."""
    present: set[int] = set().union(*words_parts) if words_parts else set()
    found: dict[str, set[int]] = {}
    for first in present:
        for number in PHRASES.starting_with.get(first, ()):
            label, part_ids = PHRASES.phrases[number]
            if all(part in present for part in part_ids):
                positions = {at for at, parts in enumerate(words_parts) if parts & set(part_ids)}
                found.setdefault(label, set()).update(positions)
    return found

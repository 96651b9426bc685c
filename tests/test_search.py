"""Search as residents type: a table of realistic queries and the entry each must find in the top 3."""

from pathlib import Path

import pytest

from kiosk.catalog.model import load_catalog
from kiosk.catalog.search import SearchIndex, fold

ROOT = Path(__file__).resolve().parent.parent

# (what the resident types, the kiosk's language, the entry that must be among the first three)
TABLE = [
 ("slimības lapa", "lv", "vsaa-sickness-benefit"),
 ("slimibas lapa", "lv", "vsaa-sickness-benefit"),
 ("slimibas", "lv", "vsaa-sickness-benefit"),
 ("slimbas pabalsts", "lv", "vsaa-sickness-benefit"),
 ("slimī", "lv", "vsaa-sickness-benefit"),
 ("bērnu nauda", "lv", "vsaa-family-state-benefit"),
 ("bernu nauda", "lv", "vsaa-family-state-benefit"),
 ("gimenes pabalsts", "lv", "vsaa-family-state-benefit"),
 ("ģimenes", "lv", "vsaa-family-state-benefit"),
 ("pensija", "lv", "vsaa-old-age-pension"),
 ("vecuma pensija", "lv", "vsaa-old-age-pension"),
 ("pensijas parrekins", "lv", "vsaa-pension-recalculation"),
 ("pārrēķins", "lv", "vsaa-pension-recalculation"),
 ("invaliditates pensija", "lv", "vsaa-disability-pension"),
 ("invalīds", "lv", "vsaa-disability-pension"),
 ("bezdarbs", "lv", "vsaa-unemployment-benefit"),
 ("bezdarbnieka pabalsts", "lv", "vsaa-unemployment-benefit"),
 ("bezdarbnieka statuss", "lv", "nva-unemployed-status"),
 ("bēres", "lv", "vsaa-funeral-benefit"),
 ("beres", "lv", "vsaa-funeral-benefit"),
 ("apbedisanas", "lv", "vsaa-funeral-benefit"),
 ("bērna piedzimšana", "lv", "vsaa-child-birth-benefit"),
 ("piedzimsanas pabalsts", "lv", "vsaa-child-birth-benefit"),
 ("maternitates", "lv", "vsaa-maternity-benefit"),
 ("dekrēts", "lv", "vsaa-maternity-benefit"),
 ("paternitātes", "lv", "vsaa-paternity-benefit"),
 ("vecāku pabalsts", "lv", "vsaa-parental-benefit"),
 ("bērna kopšanas", "lv", "vsaa-child-care-benefit"),
 ("suns", "lv", "ldc-pet-first-registration"),
 ("kaķis", "lv", "ldc-pet-first-registration"),
 ("cipesana", "lv", "ldc-pet-first-registration"),
 ("pazudis suns", "lv", "ldc-pet-lost-found"),
 ("suns nomira", "lv", "ldc-pet-death"),
 ("deklarācija", "lv", "vid-annual-income-declaration"),
 ("gada ienakumu deklaracija", "lv", "vid-annual-income-declaration"),
 ("deklaracja", "lv", "vid-annual-income-declaration"),
 ("nodokļu grāmatiņa", "lv", "vid-salary-tax-booklet"),
 ("algas gramatina", "lv", "vid-salary-tax-booklet"),
 ("nodokļa atvieglojumi", "lv", "vid-tax-reliefs"),
 ("eds parole", "lv", "vid-eds-access"),
 ("dzīvokļa pārdošana", "lv", "vid-capital-gains-consultation"),
 ("zeme", "lv", "vzd-consultation"),
 ("kadastrs", "lv", "vzd-service-application"),
 ("vīza", "lv", "pmlp-visa-application"),
 ("uzturēšanās atļauja", "lv", "pmlp-residence-permit-questionnaire"),
 ("2. līmenis", "lv", "vsaa-pension-2nd-pillar-change"),
 ("otrais pensiju limenis", "lv", "vsaa-pension-2nd-pillar-change"),
 ("vidējā alga izziņa", "lv", "vsaa-average-wage-statement"),
 ("darbnespējas lapas", "lv", "nvd-sick-leave-sheets"),
 ("VSAA", "lv", "vsaa-information"),
 ("platibmaksajumi", "lv", "lad-information"),
 ("buvnieciba", "lv", "bvkb-information"),
 ("uznemumu registrs", "lv", "ur-information"),
 # English
 ("sick leave", "en", "vsaa-sickness-benefit"),
 ("sick pay", "en", "vsaa-sickness-benefit"),
 ("pension", "en", "vsaa-old-age-pension"),
 ("child benefit", "en", "vsaa-family-state-benefit"),
 ("unemployment", "en", "vsaa-unemployment-benefit"),
 ("funeral", "en", "vsaa-funeral-benefit"),
 ("dog", "en", "ldc-pet-first-registration"),
 ("lost cat", "en", "ldc-pet-lost-found"),
 ("tax return", "en", "vid-annual-income-declaration"),
 ("income tax", "en", "vid-annual-income-declaration"),
 ("visa", "en", "pmlp-visa-application"),
 ("residence permit", "en", "pmlp-residence-permit-questionnaire"),
 ("maternity", "en", "vsaa-maternity-benefit"),
 ("disabilty pension", "en", "vsaa-disability-pension"),
 ("unemploymnet", "en", "vsaa-unemployment-benefit"),
 # Ukrainian
 ("собака", "uk", "ldc-pet-first-registration"),
 ("кішка", "uk", "ldc-pet-first-registration"),
 ("sobaka", "uk", "ldc-pet-first-registration"),
 ("пенсія", "uk", "vsaa-old-age-pension"),
 ("pensiia", "uk", "vsaa-old-age-pension"),
 ("віза", "uk", "pmlp-visa-application"),
 ("посвідка на проживання", "uk", "pmlp-residence-permit-questionnaire"),
 ("дитина", "uk", "vsaa-family-state-benefit"),
 ("допомога на дитину", "uk", "vsaa-ukraine-child-benefits"),
 ("безробіття", "uk", "vsaa-unemployment-benefit"),
 ("похорон", "uk", "vsaa-funeral-benefit"),
 ("лікарняний", "uk", "vsaa-sickness-benefit"),
 ("декларація", "uk", "vid-annual-income-declaration"),
 ("тимчасовий захист", "uk", "pmlp-ukraine-protection-cancellation"),
 # Latvian words typed by an English-UI user, and the other way round
 ("slimības pabalsts", "en", "vsaa-sickness-benefit"),
 ("pension", "lv", "vsaa-old-age-pension"),
 # Life situations
 ("bērna piedzimšana", "uk", "vsaa-child-birth-benefit"),
 ("retirement", "en", "vsaa-old-age-pension"),
]
# Queries that match nothing sensible: the kiosk must say so rather than show noise.
NOTHING = ["xyzzy", "qwertyuiop", "пицца", "asdfgh", "football", "zzzz"]


@pytest.fixture(scope="module")
def index():
    return SearchIndex(load_catalog(ROOT / "assets" / "catalog" / "catalog.yaml"))


def test_the_table_is_large_and_varied():
    assert len(TABLE) >= 60
    assert {language for _, language, _ in TABLE} == {"lv", "en", "uk"}


@pytest.mark.parametrize("query, language, expected", TABLE)
def test_query_finds_its_entry_in_the_top_three(index, query, language, expected):
    top = [hit.service.id for hit in index.search(query, language, limit=3)]
    assert expected in top, f"{query!r} ({language}) gave {top}"


@pytest.mark.parametrize("query", NOTHING)
def test_nonsense_finds_nothing(index, query):
    assert index.search(query, "lv") == []


def test_half_typed_words_find_results_as_you_type(index):
    typed = "slimibas pabalsts"
    found_at = [len(index.search(typed[:end], "lv", 3)) > 0 for end in range(1, len(typed) + 1)]
    assert found_at[0] is False  # one letter is not a search
    assert all(found_at[3:])
    assert index.search(typed[:4], "lv", 3)[0].service.id == "vsaa-sickness-benefit"


def test_the_residents_language_comes_first(index):
    # "pabal" starts a Latvian word: Latvian- and English-speaking residents both find benefits,
    # but a match in the resident's own language counts more.
    lv = index.search("pabal", "lv", 5)
    en = index.search("pabal", "en", 5)
    assert lv and en and lv[0].score > en[0].score


def test_results_are_best_first_and_scored(index):
    hits = index.search("pension", "en", 10)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < score <= 100 for score in scores)


@pytest.mark.parametrize("text, folded", [
    ("Slimības lapa", "slimibas lapa"), ("ĢIMENES", "gimenes"), ("Ķ ļ ņ š ž", "k l n s z"),
    ("дитина", "dytyna"), ("посвідка", "posvidka"), ("Україна", "ukraina"), ("п’ять", "piat"),
    ("e-pakalpojums!", "e pakalpojums"),
])
def test_folding_removes_diacritics_and_transliterates(text, folded):
    assert fold(text) == folded


# ---- how residents ask: sentences, word forms, life situations (issue 16) -------------------------------

# (a resident's own words, the kiosk's language, services of which one must be first or in the top three)
SENTENCES = [
    ("vīza māsai", "lv", {"pmlp-visa-application"}),
    ("es palieku bez darba", "lv", {"vsaa-unemployment-benefit", "nva-unemployed-status"}),
    ("suns pārvācas", "lv", {"ldc-pet-address-change"}),
    ("втратила роботу що робити", "uk", {"vsaa-unemployment-benefit", "nva-unemployed-status"}),
    ("зареєструвати собаку", "uk", {"ldc-pet-first-registration"}),
    ("mana mamma nomira", "lv", {"vsaa-funeral-benefit", "vsaa-surviving-spouse-benefit"}),
]


@pytest.mark.parametrize("query, language, expected", SENTENCES)
def test_the_issues_examples_find_their_service_in_the_top_three(index, query, language, expected):
    top = [hit.service.id for hit in index.search(query, language, limit=3)]
    assert expected & set(top), f"{query!r} ({language}) gave {top}"


@pytest.mark.parametrize("query, language", [
    ("mana mamma nomira", "lv"), ("man nomira vīrs", "lv"), ("my mother died", "en"), ("my father passed away", "en"),
    ("помер батько", "uk"), ("pomerla babusia", "uk"), ("nomira", "lv"), ("someone died", "en"),
])
def test_a_persons_death_leads_to_the_funeral_benefit_and_never_shows_a_pet_first(index, query, language):
    hits = index.search(query, language, limit=5)
    first_three = [hit.service.id for hit in hits[:3]]
    assert hits and not hits[0].service.id.startswith("ldc-"), f"{query!r} gave {first_three}"
    assert "vsaa-funeral-benefit" in first_three
    assert index.situations(query) == ["death"]


@pytest.mark.parametrize("query, language", [("suns nomira", "lv"), ("my cat died", "en"), ("помер кіт", "uk")])
def test_a_pets_death_leads_to_the_pets_registration_not_a_funeral(index, query, language):
    hits = index.search(query, language, limit=3)
    assert hits[0].service.id == "ldc-pet-death"
    assert "vsaa-funeral-benefit" not in [hit.service.id for hit in hits]


def test_one_word_that_matches_nothing_lowers_the_score_but_empties_nothing(index):
    alone = index.search("vīza", "lv", 3)
    with_unknown = index.search("vīza zzyzx", "lv", 3)
    assert with_unknown and with_unknown[0].service.id == alone[0].service.id == "pmlp-visa-application"
    assert with_unknown[0].score < alone[0].score


@pytest.mark.parametrize("query", ["ko man darīt", "how do I", "що мені робити", "es gribu", "I want"])
def test_a_query_of_only_meaningless_words_matches_nothing_and_says_so(index, query):
    assert index.search(query, "lv") == []
    assert index.only_meaningless(query)
    assert not index.only_meaningless(query + " pensija")


@pytest.mark.parametrize("query, language, situation", [
    ("man piedzima bērns", "lv", "child-born"), ("we are moving house", "en", "moving"),
    ("приїхали з України", "uk", "from-ukraine"), ("zaudēju darbu", "lv", "unemployment"),
    ("vtratyv robotu", "uk", "unemployment"), ("mūsu kaķis", "lv", "pets"),
])
def test_life_situations_are_heard_in_all_three_languages(index, query, language, situation):
    assert situation in index.situations(query)
    situation_services = {s.id for s in index.catalog.in_situation(situation)}
    assert index.search(query, language, 1)[0].service.id in situation_services


@pytest.mark.parametrize("form, dictionary_form, language", [
    ("suņiem", "suns", "lv"), ("pensijai", "pensija", "lv"), ("bezdarbniekiem", "bezdarbnieks", "lv"),
    ("декларацію", "декларація", "uk"), ("собаці", "собака", "uk"), ("кота", "кіт", "uk"), ("dogs", "dog", "en"),
    ("widows", "widow", "en"),
])
def test_word_forms_find_what_the_dictionary_form_finds(index, form, dictionary_form, language):
    best = index.search(dictionary_form, language, 1)[0].service.id
    assert best in [hit.service.id for hit in index.search(form, language, 3)]


def test_forgetting_queries_forgets_the_typed_words_too(index):
    index.search("mana mamma nomira", "lv")
    index.suggestions("pensja", "lv")
    assert index.remembers_queries()
    index.forget_queries()
    assert not index.remembers_queries()
    # The lemmatiser keeps no words of its own: simplemma's cache of looked-up words is switched off.
    from kiosk.catalog import lemmas
    assert lemmas._lemmatizer._cached_lemmatize.cache_info().currsize == 0


def test_did_you_mean_offers_the_closest_names_only_when_little_matches(index):
    assert index.suggestions("pensija", "lv") == []  # a real word: nothing was misspelt
    assert index.suggestions("xyzzy", "lv") == []     # nothing is close
    close = [service.id for service in index.suggestions("uzturesanas atlaujs pieprasisana", "lv")] + [
        hit.service.id for hit in index.search("uzturesanas atlaujs pieprasisana", "lv", 3)]
    assert "pmlp-residence-permit-questionnaire" in close

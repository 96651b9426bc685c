"""Search quality: queries written as residents speak (lv, uk, en), each with the services that answer it.

Sentences, word forms, typos, no diacritics, Cyrillic typed in Latin letters. Prints top1 (the first result is
an expected service) and top3 (one is among the first three) over the whole set, per language, and every miss.
Goal: top3 >= 95 %, top1 >= 80 %. Run: python bench/search_quality.py [--misses] [--quick]
(--quick is the whole set too: it takes a second or two, and a part of it would be another figure.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.catalog.model import load_catalog  # noqa: E402
from kiosk.catalog.search import SearchIndex  # noqa: E402

FUNERAL, SPOUSE = "vsaa-funeral-benefit", "vsaa-surviving-spouse-benefit"
UNEMPLOYED = ("vsaa-unemployment-benefit", "nva-unemployed-status")
BIRTH = "vsaa-child-birth-benefit"
PET_NEW, PET_MOVE, PET_LOST, PET_DEATH = ("ldc-pet-first-registration", "ldc-pet-address-change",
                                          "ldc-pet-lost-found", "ldc-pet-death")
VISA, PERMIT = "pmlp-visa-application", "pmlp-residence-permit-questionnaire"
PENSION, SICK, FAMILY = "vsaa-old-age-pension", "vsaa-sickness-benefit", "vsaa-family-state-benefit"
DECLARATION = "vid-annual-income-declaration"

# (what the resident types, the kiosk's language, the services that answer it)
QUERIES = [
    # --- Latvian: sentences ------------------------------------------------------------------
    ("vīza māsai", "lv", (VISA,)),
    ("es palieku bez darba", "lv", UNEMPLOYED),
    ("suns pārvācas", "lv", (PET_MOVE,)),
    ("mana mamma nomira", "lv", (FUNERAL, SPOUSE)),
    ("nomira mans vīrs ko darīt", "lv", (SPOUSE, FUNERAL)),
    ("man nomira tētis", "lv", (FUNERAL,)),
    ("vecmāmiņa aizgāja mūžībā", "lv", (FUNERAL,)),
    ("kā saņemt naudu bērēm", "lv", (FUNERAL,)),
    ("mirusi sieva pensija", "lv", (SPOUSE,)),
    ("mūsu suns nomira", "lv", (PET_DEATH,)),
    ("kaķis nomira ko darīt", "lv", (PET_DEATH,)),
    ("mani atlaida no darba", "lv", UNEMPLOYED),
    ("zaudēju darbu", "lv", UNEMPLOYED),
    ("kā reģistrēties par bezdarbnieku", "lv", ("nva-unemployed-status",)),
    ("gribu pieteikt bezdarbnieka pabalstu", "lv", ("vsaa-unemployment-benefit",)),
    ("man piedzima bērns", "lv", (BIRTH,)),
    ("piedzima meitiņa kādi pabalsti", "lv", (BIRTH, "vsaa-information")),
    ("esmu stāvoklī gaidu bērnu", "lv", ("vsaa-maternity-benefit", BIRTH)),
    ("grūtniecības atvaļinājums", "lv", ("vsaa-maternity-benefit",)),
    ("tētim atvaļinājums pēc dzemdībām", "lv", ("vsaa-paternity-benefit",)),
    ("pārvācos uz jaunu dzīvokli ar kaķi", "lv", (PET_MOVE,)),
    ("kur deklarēt dzīvesvietu", "lv", ("pmlp-information",)),
    ("jauna adrese sunim", "lv", (PET_MOVE,)),
    ("gribu reģistrēt suni", "lv", (PET_NEW,)),
    ("nopirku kucēnu", "lv", (PET_NEW,)),
    ("pazuda mans kaķis", "lv", (PET_LOST,)),
    ("atradu svešu suni", "lv", (PET_LOST,)),
    ("pārdevu suni citam saimniekam", "lv", ("ldc-pet-ownership-change",)),
    ("atbraucu no Ukrainas", "lv", (VISA, PERMIT, "vsaa-ukraine-child-benefits", "pmlp-information")),
    ("esmu bēglis no ukrainas", "lv", (VISA, PERMIT, "vsaa-ukraine-child-benefits", "pmlp-information")),
    ("ukraiņu bērniem pabalsts", "lv", ("vsaa-ukraine-child-benefits",)),
    ("kad varu iet pensijā", "lv", (PENSION,)),
    ("gribu pieteikt vecuma pensiju", "lv", (PENSION,)),
    ("pensijas pārrēķināšana", "lv", ("vsaa-pension-recalculation",)),
    ("palielināt pensiju", "lv", ("vsaa-pension-recalculation",)),
    ("esmu slims bērns slimo", "lv", (SICK,)),
    ("saslimu vajag slimības lapu", "lv", (SICK, "nvd-sick-leave-sheets")),
    ("kur redzēt manas slimības lapas", "lv", ("nvd-sick-leave-sheets", SICK)),
    ("naudu par bērniem", "lv", (FAMILY,)),
    ("ģimenes valsts pabalstu", "lv", (FAMILY,)),
    ("nauda par bērnu kopšanu", "lv", ("vsaa-child-care-benefit", "vsaa-parental-benefit")),
    ("māmiņas alga", "lv", ("vsaa-parental-benefit",)),
    ("iesniegt gada deklarāciju", "lv", (DECLARATION,)),
    ("atgūt naudu par ārstu čekiem", "lv", (DECLARATION,)),
    ("aizmirsu EDS paroli", "lv", ("vid-eds-access",)),
    ("jauns darbs algas grāmatiņa", "lv", ("vid-salary-tax-booklet",)),
    ("pārdodu dzīvokli nodoklis", "lv", ("vid-capital-gains-consultation",)),
    ("zemes kadastrālā vērtība", "lv", ("vzd-consultation", "vzd-information")),
    ("invaliditātes grupas noteikšana", "lv", ("vdeavk-information",)),
    ("bērnam ir invaliditāte", "lv", ("vsaa-disabled-child-care-benefit",)),
    ("ratiņkrēsls transporta izdevumi", "lv", ("vsaa-transport-benefit-disabled",)),
    ("otrā pensiju līmeņa mantošana", "lv", ("vsaa-pension-2nd-pillar-inheritance",)),
    ("mainīt pensiju plānu", "lv", ("vsaa-pension-2nd-pillar-change",)),
    ("būvatļauja mājai", "lv", ("bvkb-information",)),
    ("dibināt SIA", "lv", ("ur-information",)),
    ("zemnieku platībmaksājumi", "lv", ("lad-information",)),
    ("ģimenes ārsts", "lv", ("nvd-information",)),
    ("Eiropas veselības karte", "lv", ("nvd-information",)),
    ("rehabilitācija pēc traumas", "lv", ("siva-information",)),
    ("pārmaksātas sociālās iemaksas atmaksa", "lv", ("vsaa-overpaid-contributions",)),
    ("pašam maksāt sociālās iemaksas", "lv", ("vsaa-voluntary-social-insurance",)),
    ("izziņa par vidējo algu", "lv", ("vsaa-average-wage-statement",)),
    ("nodokļa atvieglojums par apgādājamo", "lv", ("vid-tax-reliefs",)),
    # --- Latvian: word forms, typos, no diacritics -----------------------------------------------
    ("pabalstiem bezdarbniekiem", "lv", UNEMPLOYED),
    ("pensijām", "lv", (PENSION, "vsaa-information")),
    ("slimibas pabalstu", "lv", (SICK,)),
    ("apbedisanas pabalstu", "lv", (FUNERAL,)),
    ("mana mamma nomira", "lv", (FUNERAL, SPOUSE)),
    ("vizu", "lv", (VISA,)),
    ("uzturesanas atlauju", "lv", (PERMIT,)),
    ("deklaracijas iesniegsana", "lv", (DECLARATION,)),
    ("bernu pabalsti", "lv", (FAMILY,)),
    ("suni registret", "lv", (PET_NEW,)),
    ("bezdarbnieka pabalsts", "lv", ("vsaa-unemployment-benefit",)),
    ("bezdarbnieka pabalstu", "lv", ("vsaa-unemployment-benefit",)),
    ("vecuma pensiaj", "lv", (PENSION,)),
    ("maternitates pabalsts", "lv", ("vsaa-maternity-benefit",)),
    ("paternitates", "lv", ("vsaa-paternity-benefit",)),
    ("apbedišanas pabalsts", "lv", (FUNERAL,)),
    ("atraitnes pabalsts", "lv", (SPOUSE,)),
    ("piedzimsanas pabalstu", "lv", (BIRTH,)),
    ("slimbas lapa", "lv", (SICK, "nvd-sick-leave-sheets")),
    ("invaliditates pensiju", "lv", ("vsaa-disability-pension",)),
    ("kadastra izzina", "lv", ("vzd-service-application",)),
    ("nodoklu gramatina", "lv", ("vid-salary-tax-booklet",)),
    ("vakances darba meklesana", "lv", ("nva-unemployed-status", "nva-information")),
    ("sunim cips", "lv", (PET_NEW,)),
    # --- Ukrainian --------------------------------------------------------------------------------
    ("втратила роботу що робити", "uk", UNEMPLOYED),
    ("зареєструвати собаку", "uk", (PET_NEW,)),
    ("мене звільнили з роботи", "uk", UNEMPLOYED),
    ("я безробітний", "uk", UNEMPLOYED),
    ("допомога по безробіттю", "uk", ("vsaa-unemployment-benefit",)),
    ("померла мама", "uk", (FUNERAL,)),
    ("помер чоловік пенсіонер", "uk", (SPOUSE,)),
    ("гроші на похорон", "uk", (FUNERAL,)),
    ("у мене народилася дитина", "uk", (BIRTH,)),
    ("народження дитини допомога", "uk", (BIRTH,)),
    ("я вагітна", "uk", ("vsaa-maternity-benefit",)),
    ("декретна відпустка", "uk", ("vsaa-maternity-benefit", "vsaa-parental-benefit")),
    ("ми переїхали з собакою", "uk", (PET_MOVE,)),
    ("нова адреса для кота", "uk", (PET_MOVE,)),
    ("загубився кіт", "uk", (PET_LOST,)),
    ("собака помер", "uk", (PET_DEATH,)),
    ("приїхали з України що робити", "uk", (VISA, PERMIT, "vsaa-ukraine-child-benefits", "pmlp-information")),
    ("біженці з України допомога на дітей", "uk", ("vsaa-ukraine-child-benefits",)),
    ("як отримати посвідку на проживання", "uk", (PERMIT,)),
    ("потрібна віза", "uk", (VISA,)),
    ("скасувати тимчасовий захист", "uk", ("pmlp-ukraine-protection-cancellation",)),
    ("повертаюся в Україну", "uk", ("pmlp-ukraine-protection-cancellation",)),
    ("пенсію за віком", "uk", (PENSION,)),
    ("перерахунок пенсії", "uk", ("vsaa-pension-recalculation",)),
    ("лікарняний лист", "uk", (SICK, "nvd-sick-leave-sheets")),
    ("захворіла дитина", "uk", (SICK,)),
    ("податкова декларація", "uk", (DECLARATION,)),
    ("податкова книжка нова робота", "uk", ("vid-salary-tax-booklet",)),
    ("інвалідність дитини догляд", "uk", ("vsaa-disabled-child-care-benefit",)),
    ("сімейний лікар", "uk", ("nvd-information",)),
    ("зареєструвати фірму", "uk", ("ur-information",)),
    ("пароль EDS", "uk", ("vid-eds-access",)),
    ("довідка про середню зарплату", "uk", ("vsaa-average-wage-statement",)),
    ("допомога на дитину", "uk", (FAMILY, "vsaa-ukraine-child-benefits")),
    # Ukrainian typed in Latin letters, and typos
    ("vtratyla robotu", "uk", UNEMPLOYED),
    ("bezrobitnyi", "uk", UNEMPLOYED),
    ("pomerla mama", "uk", (FUNERAL,)),
    ("pokhoron", "uk", (FUNERAL,)),
    ("zareiestruvaty sobaku", "uk", (PET_NEW,)),
    ("viza", "uk", (VISA,)),
    ("posvidka na prozhyvannia", "uk", (PERMIT,)),
    ("pensiia za vikom", "uk", (PENSION,)),
    ("likarnianyi", "uk", (SICK, "nvd-sick-leave-sheets")),
    ("narodyvsia syn", "uk", (BIRTH,)),
    ("bizhentsi z ukrainy", "uk", (VISA, PERMIT, "vsaa-ukraine-child-benefits", "pmlp-information")),
    ("деклорація", "uk", (DECLARATION,)),
    ("безробитня", "uk", UNEMPLOYED),
    ("пенсыя", "uk", (PENSION,)),
    ("похорони", "uk", (FUNERAL,)),
    # --- English ----------------------------------------------------------------------------------
    ("my mother died", "en", (FUNERAL,)),
    ("my husband passed away", "en", (SPOUSE, FUNERAL)),
    ("who pays for the funeral", "en", (FUNERAL,)),
    ("my dog died", "en", (PET_DEATH,)),
    ("I lost my job what do I do", "en", UNEMPLOYED),
    ("I was fired", "en", UNEMPLOYED),
    ("how to register as unemployed", "en", ("nva-unemployed-status",)),
    ("we had a baby", "en", (BIRTH,)),
    ("baby was born last week", "en", (BIRTH,)),
    ("I am pregnant", "en", ("vsaa-maternity-benefit",)),
    ("paternity leave for dad", "en", ("vsaa-paternity-benefit",)),
    ("we are moving house with our cat", "en", (PET_MOVE,)),
    ("I moved and need to change my dog's address", "en", (PET_MOVE,)),
    ("register my new puppy", "en", (PET_NEW,)),
    ("my cat is missing", "en", (PET_LOST,)),
    ("I came from Ukraine", "en", (VISA, PERMIT, "vsaa-ukraine-child-benefits", "pmlp-information")),
    ("Ukrainian refugee child money", "en", ("vsaa-ukraine-child-benefits",)),
    ("I need a visa", "en", (VISA,)),
    ("residence permits", "en", (PERMIT,)),
    ("when can I retire", "en", (PENSION,)),
    ("apply for my pension", "en", (PENSION,)),
    ("increase my pension", "en", ("vsaa-pension-recalculation",)),
    ("I am sick and can't work", "en", (SICK,)),
    ("sick notes", "en", ("nvd-sick-leave-sheets", SICK)),
    ("child benefits", "en", (FAMILY, "vsaa-ukraine-child-benefits")),
    ("file my tax return", "en", (DECLARATION,)),
    ("forgot EDS password", "en", ("vid-eds-access",)),
    ("selling my flat tax", "en", ("vid-capital-gains-consultation",)),
    ("building permit", "en", ("bvkb-information",)),
    ("start a company", "en", ("ur-information",)),
    ("wheelchair transport costs", "en", ("vsaa-transport-benefit-disabled",)),
    ("disability pension", "en", ("vsaa-disability-pension",)),
    ("unemploymnet benefit", "en", ("vsaa-unemployment-benefit",)),
    ("funreal allowance", "en", (FUNERAL,)),
    ("registering pets", "en", (PET_NEW, "ldc-my-pets")),
    ("widow benefit", "en", (SPOUSE,)),
    ("family doctor", "en", ("nvd-information",)),
    ("farm subsidies", "en", ("lad-information",)),
]


def evaluate(index: SearchIndex, queries=QUERIES) -> tuple[float, float, list[str]]:
    top1 = top3 = 0
    misses = []
    for query, language, expected in queries:
        found = [hit.service.id for hit in index.search(query, language, limit=3)]
        top1 += bool(found) and found[0] in expected
        top3 += any(service in expected for service in found)
        if not found or found[0] not in expected:
            misses.append(f"{query!r} ({language}): expected {expected[0]}, got {found}")
    return top1 / len(queries), top3 / len(queries), misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="also print every query that missed")
    parser.add_argument("--quick", action="store_true", help="accepted as every bench does; the same run")
    args = parser.parse_args()
    index = SearchIndex(load_catalog(ROOT / "assets" / "catalog" / "catalog.yaml"))
    top1, top3, misses = evaluate(index)
    for language in ("lv", "uk", "en"):
        own = [q for q in QUERIES if q[1] == language]
        one, three, _ = evaluate(index, own)
        print(f"{language}: queries={len(own)} top1={one:.1%} top3={three:.1%}")
    print(f"queries={len(QUERIES)}")
    print(f"top1={top1:.1%}")
    print(f"top3={top3:.1%}")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()

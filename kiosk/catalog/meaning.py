"""Words that carry no meaning in a request to a public service centre, in Latvian, Ukrainian and English."""

from __future__ import annotations

from kiosk.catalog.folding import fold

# "virs" (above) and "від" (from) are left out: folded, they are "vīrs" (husband) and VID (the tax office).
# Pronouns, prepositions, question words, "want", "need", "do", "apply", "help", "please", "stay": the frame of a
# sentence, not what it is about. Written as people write them; compared folded (and as dictionary forms),
# so "ka" covers "kā" and "ka", and "shcho" covers "що" typed in Latin letters.
_LATVIAN = """
es tu viņš viņa mēs jūs viņi viņas man mani mans mana manam manai manu mani manas manus manām manējais
mūsu mums mūs tev tevi tavs tava savs sava savu savam savai savi savas sev sevi
ar uz par pie no līdz pēc pirms bez pret priekš dēļ caur starp zem aiz pa
kā ko kas kur kad kāpēc kurš kura kuru kādi kāds kāda kādu kādas cik vai un bet arī jā nē nav ne ka lai
ir bija būs esmu esi esam esat būt tiek tika tiku tikt var varu varētu varam
gribu gribi grib gribētu gribam gribēt vēlos vēlētos vēlēties vajag vajadzētu vajadzīgs vajadzēt
nepieciešams nepieciešama lūdzu paldies sveiki labdien palīdzība palīdzēt palīdziet palīdzi
darīt darīšu izdarīt daru dara tagad jau vēl tikai ļoti arī šis šī šo tas tā to tie tās te tur
palikt palieku paliek paliku palika kaut kas kaut kā kur es
pieteikt pieteikties saņemt dabūt noformēt kārtot
"""
_UKRAINIAN = """
я ти він вона ми ви вони мені мене мій моя моє мої мою моєї моєму нам нас наш наша наше наші
тобі тебе твій твоя свій своя своє свої свою собі себе
в у на з із зі до для про по при над під за через між без біля
що як де коли чому хто який яка яке які яку скільки чи і й та а але також так ні не ну
є був була було були буде бути можу можна може треба потрібно потрібен потрібна потрібні
хочу хоче хочемо хотіла хотів хотіти бажаю будь ласка дякую привіт добрий день
допоможіть допомогти допоможи робити зробити роблю тепер вже ще тільки дуже це цей ця ці той та те там тут
что как где когда почему кто мне меня мой моя хочу нужно надо помогите сделать делать это
отримати оформити подати отримувати
"""
_ENGLISH = """
i me my mine myself we us our you your he him his she her it its they them their
a an the to of for in on at by with from about into over under without than then
how what where when why who which whose can could would should shall will may might must
do does did done doing want wanted wants wanna need needs needed get got getting have has had having
is am are was were be been being please help hello hi thanks thank just also now already still
this that these those there here some any and or but so not no yes very
apply applying receive claim sort arrange
"""

MEANINGLESS = frozenset(fold(word) for word in (_LATVIAN + _UKRAINIAN + _ENGLISH).split())


def is_meaningless(folded: str, lemmas: set[str]) -> bool:
    """True for a word that says nothing about which service is meant, in any of its forms."""
    return folded in MEANINGLESS or any(lemma in MEANINGLESS for lemma in lemmas)

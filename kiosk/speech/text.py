"""What is spoken: the kiosk's own phrases (which may be cached) apart from a resident's, and queue numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Union


@dataclass(frozen=True)
class Phrase:
    """One piece of an utterance; `kiosk` when it is the kiosk's own words (a heading, an explanation, a button),
    the same for every resident, so its sound may be kept in the cache. Anything else is spoken and forgotten."""
    text: str
    kiosk: bool = False


Spoken = Union[str, Phrase, Iterable[Union[str, Phrase]]]


def kiosk_text(text: str) -> Phrase:
    """The kiosk's own words, from the translation catalogue or the e-service catalogue: cacheable."""
    return Phrase(text, kiosk=True)


def phrases(spoken: Spoken) -> tuple[Phrase, ...]:
    """An utterance as phrases; a plain string is never the kiosk's own (the safe default: not cached)."""
    if isinstance(spoken, (str, Phrase)):
        spoken = (spoken,)
    return tuple(part if isinstance(part, Phrase) else Phrase(str(part)) for part in spoken)


# A Latvian personal code (DDMMYY-NNNNN, or 32NNNN-NNNNN since 2017), with or without its hyphen: in a public room
# it is never read out, whoever passes it here by mistake.
_PERSONAL_CODE = re.compile(r"(?<!\d)\d{6}\s?-?\s?\d{5}(?!\d)")


def holds_personal_code(text: str) -> bool:
    return _PERSONAL_CODE.search(text) is not None


# A queue letter is Latin on the ticket; read in a Ukrainian voice it should sound like the letter a Ukrainian
# reader names, not an English "ei".
_CYRILLIC = dict(zip("ABCDEFGHIJKLMNOPRSTUVZ", "АБЦДЕФГХІЙКЛМНОПРСТУВЗ"))


def spoken_queue_number(number: str, language: str = "lv") -> str:
    """A queue number read sign by sign: "A042" -> "A, 0 4 2", "K1-001" -> "K, 1, 0 0 1".

    The comma after a letter makes each voice name the letter (English would read a bare "A" as the article);
    a separator between digit groups is a short pause.
    """
    words: list[str] = []
    for sign in number.strip().upper():
        if sign.isalpha():
            words.append((_CYRILLIC.get(sign, sign) if language == "uk" else sign) + ",")
        elif sign.isdigit():
            words.append(sign)
        elif words and not words[-1].endswith(","):
            words[-1] += ","
    return " ".join(words).rstrip(",")

"""Which card is in the reader, by its ATR: the supported IDEMIA eID cards and the ones we recognise but refuse."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CardKind(enum.Enum):
    LATVIAN_EID = "Latvian eID card"
    LATVIAN_EID_2012 = "Latvian eID card of 2012"
    EPARAKSTS = "eParaksts card"
    UNKNOWN = "not an eID card"


@dataclass(frozen=True)
class CardProfile:
    kind: CardKind
    name: str  # as an administrator would name the card
    supported: bool


PROFILES = {
    bytes.fromhex("3BDB960080B1FE451F830012428F536549440F900020"):
        CardProfile(CardKind.LATVIAN_EID, "Latvian eID (IDEMIA Cosmo 8)", True),
    bytes.fromhex("3BDC960080B1FE451F830012428F54654944320F900012"):
        CardProfile(CardKind.LATVIAN_EID, "Latvian eID (IDEMIA Cosmo X)", True),
    bytes.fromhex("3BDD18008131FE45904C41545649412D65494490008C"):
        CardProfile(CardKind.LATVIAN_EID_2012, "Latvian eID of 2012 (Oberthur)", False),
    bytes.fromhex("3BDF960080B1FE451F838073BC9180F9A00000007780080201A4"):
        CardProfile(CardKind.EPARAKSTS, "eParaksts card (LVRTC)", False),
}

UNKNOWN = CardProfile(CardKind.UNKNOWN, "unknown card", False)


def profile_for(atr: bytes) -> CardProfile:
    return PROFILES.get(bytes(atr), UNKNOWN)

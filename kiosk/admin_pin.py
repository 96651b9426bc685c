"""The administrator's PIN: a salted scrypt hash in kiosk.ini, and a guard that slows down guessing."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable

# scrypt cost: about 50 ms per check here, slow enough for a stolen kiosk.ini, quick enough for a PIN pad.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 6, 12


class PinFormatError(ValueError):
    """The PIN is not 6 to 12 digits."""


def check_pin_format(pin: str) -> None:
    if not (pin.isdigit() and pin.isascii() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise PinFormatError(f"The administrator PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_pin(pin: str) -> str:
    """The kiosk.ini line value for `pin`: scrypt$N$r$p$salt$hash, base64."""
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        raise ValueError(stored)
    return int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)


def is_pin_hash(stored: str) -> bool:
    try:
        n, r, p, salt, digest = _parse(stored)
    except (ValueError, TypeError):
        return False
    return n >= 2**10 and n & (n - 1) == 0 and 0 < r <= 32 and 0 < p <= 16 and len(salt) >= 8 and len(digest) == 32


def verify_pin(pin: str, stored: str) -> bool:
    n, r, p, salt, digest = _parse(stored)
    if not pin.isascii():
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p), digest)


class PinCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinAnswer:
    result: PinCheck
    wait_s: int = 0


class PinGuard:
    """Allows a few tries, then doubles a waiting time after each further wrong PIN (30 s up to 15 min)."""

    FREE_TRIES = 3
    FIRST_WAIT_S = 30
    LONGEST_WAIT_S = 15 * 60

    def __init__(self, stored_hash: str, clock: Callable[[], float] = time.monotonic):
        self._stored = stored_hash
        self._clock = clock
        self._wrong = 0
        self._locked_until = 0.0

    def wait_s(self) -> int:
        return max(0, int(self._locked_until - self._clock() + 0.999))

    def check(self, pin: str) -> PinAnswer:
        if self.wait_s():
            return PinAnswer(PinCheck.LOCKED, self.wait_s())
        if verify_pin(pin, self._stored):
            self._wrong = 0
            return PinAnswer(PinCheck.ACCEPTED)
        self._wrong += 1
        if self._wrong >= self.FREE_TRIES:
            wait = min(self.LONGEST_WAIT_S, self.FIRST_WAIT_S * 2 ** (self._wrong - self.FREE_TRIES))
            self._locked_until = self._clock() + wait
            return PinAnswer(PinCheck.LOCKED, wait)
        return PinAnswer(PinCheck.WRONG)

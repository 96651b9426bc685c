"""Who the card belongs to: names and personal code from the authentication certificate."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

OLD_CODE = re.compile(r"^(\d{2})(\d{2})(\d{2})-?([0-2])(\d{4})$")
NEW_CODE = re.compile(r"^3[2-9]\d{4}-?\d{5}$")
CHECK_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class IdentityError(ValueError):
    """The certificate does not carry a usable name and personal code."""


def personal_code_is_valid(code: str) -> bool:
    """Old codes (DDMMYY-CNNNNN) carry a birth date and a check digit; new ones (32NNNN-NNNNN on) neither."""
    if NEW_CODE.match(code):
        return True
    match = OLD_CODE.match(code)
    if not match:
        return False
    day, month, year, century, rest = match.groups()
    try:
        dt.date(1800 + 100 * int(century) + int(year), int(month), int(day))
    except ValueError:
        return False
    digits = [int(ch) for ch in code.replace("-", "")]
    check = (1101 - sum(w * d for w, d in zip(CHECK_WEIGHTS, digits))) % 11
    return check == digits[10]


def normalise_code(serial: str) -> str:
    """PNOLV-010180-12345 or 01018012345 -> 010180-12345."""
    code = serial.strip().upper()
    if code.startswith("PNOLV-"):
        code = code[len("PNOLV-"):]
    digits = code.replace("-", "")
    if len(digits) != 11 or not digits.isdigit():
        raise IdentityError("the certificate's serial number is not a personal code")
    return f"{digits[:6]}-{digits[6:]}"


@dataclass(frozen=True)
class Identity:
    given_name: str
    surname: str
    personal_code: str
    card: str
    not_after: dt.datetime
    issuer: str
    certificate: bytes  # DER, kept for the PIN proof and the staff desk's checks; wiped with the visit

    @property
    def masked_code(self) -> str:
        """What the screen shows: the first part only, the rest as stars."""
        first, _, rest = self.personal_code.partition("-")
        return f"{first}-{'*' * len(rest)}"

    def as_json(self) -> dict:
        return {"given_name": self.given_name, "surname": self.surname, "personal_code": self.personal_code,
                "card": self.card, "not_after": self.not_after.isoformat()}


def _attribute(name: x509.Name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else None


def identity_from_certificate(der: bytes, card: str) -> Identity:
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        raise IdentityError("the card's certificate cannot be read") from None
    subject = certificate.subject
    given = _attribute(subject, NameOID.GIVEN_NAME)
    surname = _attribute(subject, NameOID.SURNAME)
    if not given or not surname:
        common = _attribute(subject, NameOID.COMMON_NAME) or ""
        given, _, surname = common.partition(" ")
    serial = _attribute(subject, NameOID.SERIAL_NUMBER)
    if not (given and surname and serial):
        raise IdentityError("the certificate has no name or personal code")
    code = normalise_code(serial)
    if not personal_code_is_valid(code):
        raise IdentityError("the personal code in the certificate is not valid")
    issuer = _attribute(certificate.issuer, NameOID.COMMON_NAME) or certificate.issuer.rfc4514_string()
    return Identity(given.title() if given.isupper() else given, surname.title() if surname.isupper() else surname,
                    code, card, certificate.not_valid_after_utc, issuer, der)

"""PIN proof in the Web eID form: a fresh challenge signed by the card, and the checks on the answer."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.eid.card import EidCard, EidError, Problem, challenge_digest
from kiosk.eid.identity import Identity

TOKEN_FORMAT = "web-eid:1.0"
NONCE_BYTES = 32  # 256 bits, as Web eID asks


@dataclass(frozen=True)
class AuthToken:
    """What a staff desk can check again on its own (chain, OCSP): the seam for the authoritative check."""
    certificate: bytes
    algorithm: str
    signature: bytes
    origin: str
    nonce: bytes

    def as_json(self) -> dict:
        return {"format": TOKEN_FORMAT, "unverifiedCertificate": base64.b64encode(self.certificate).decode(),
                "algorithm": self.algorithm, "signature": base64.b64encode(self.signature).decode()}


def algorithm_for(certificate: x509.Certificate) -> tuple[str, str]:
    """(Web eID algorithm name, hash name) for the certificate's key."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256", "sha256"
    if isinstance(key, ec.EllipticCurvePublicKey):
        bits = key.curve.key_size
        return {256: ("ES256", "sha256"), 384: ("ES384", "sha384"), 521: ("ES512", "sha512")}[bits]
    raise EidError(Problem.CARD_ERROR, "the card's key is neither RSA nor EC")


def load_trust(paths: tuple[Path, ...]) -> list[x509.Certificate]:
    """The issuers this kiosk accepts, from PEM files (the demo trusts its own test CA)."""
    trusted = []
    for path in paths:
        trusted.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return trusted


def prove_pin(card: EidCard, identity: Identity, pin: str, origin: str) -> AuthToken:
    """Have the card sign a fresh random challenge with PIN1; the PIN goes no further than the card."""
    certificate = x509.load_der_x509_certificate(identity.certificate)
    algorithm, hash_name = algorithm_for(certificate)
    nonce = secrets.token_bytes(NONCE_BYTES)
    signature, _key = card.sign_with_pin(pin, challenge_digest(origin, nonce, hash_name), hash_name)
    return AuthToken(identity.certificate, algorithm, signature, origin, nonce)


def verify_token(token: AuthToken, trusted: list[x509.Certificate], now: dt.datetime | None = None) -> None:
    """The checks the kiosk makes itself; raise EidError when one fails."""
    now = now or dt.datetime.now(dt.timezone.utc)
    certificate = x509.load_der_x509_certificate(token.certificate)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise EidError(Problem.NOT_TRUSTED, "the certificate is not valid today")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise EidError(Problem.NOT_TRUSTED, "the certificate has no key usage") from None
    if not usage.digital_signature:
        raise EidError(Problem.NOT_TRUSTED, "the certificate is not for authentication")
    issuer = next((ca for ca in trusted if ca.subject == certificate.issuer), None)
    if issuer is None:
        raise EidError(Problem.NOT_TRUSTED, f"the issuer {certificate.issuer.rfc4514_string()} is not trusted")
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        raise EidError(Problem.NOT_TRUSTED, "the certificate was not signed by its issuer") from None
    algorithm, hash_name = algorithm_for(certificate)
    if algorithm != token.algorithm:
        raise EidError(Problem.SIGNATURE_INVALID, "the token names another algorithm than the key's")
    hash_algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_name]
    # The signed message is hash(origin) || hash(nonce); the signature algorithm hashes it once more.
    message = b""
    for part in (token.origin.encode("utf-8"), token.nonce):
        one = hashes.Hash(hash_algorithm)
        one.update(part)
        message += one.finalize()
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(token.signature, message, padding.PKCS1v15(), hash_algorithm)
        else:
            half = len(token.signature) // 2
            if len(token.signature) % 2 or half == 0:
                raise InvalidSignature
            der = encode_dss_signature(int.from_bytes(token.signature[:half], "big"),
                                       int.from_bytes(token.signature[half:], "big"))
            key.verify(der, message, ec.ECDSA(hash_algorithm))
    except InvalidSignature:
        raise EidError(Problem.SIGNATURE_INVALID, "the card's signature does not match its certificate") from None

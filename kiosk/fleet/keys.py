"""The national publisher's Ed25519 keys: the private half where bundles are signed, the public half on every kiosk.

A public key file holds one key a line, as `ed25519 BASE64 comment` (the 32 raw bytes, the way ssh and minisign
write theirs), so that a kiosk can trust a second key while the publisher moves to it; `#` lines are comments. The
private key is PKCS#8 PEM, written readable by its owner alone, and never leaves the computer that signs.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyProblem(ValueError):
    """A key file that cannot be used: which file, and what is wrong, in one sentence."""


@dataclass(frozen=True)
class PublicKey:
    raw: bytes
    comment: str = ""

    @property
    def keyid(self) -> str:
        """A short stable name for the key: the start of its SHA-256, as in a bundle's signatures."""
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def line(self) -> str:
        return f"ed25519 {base64.b64encode(self.raw).decode()} {self.comment}".rstrip()


def generate(private_file: Path, public_file: Path, comment: str) -> PublicKey:
    """A new key pair: the private half written 0600 (never over an existing file), the public half beside it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as output:
        output.write(pem)
    public = public_of(key, comment)
    public_file.write_text(public.line() + "\n", encoding="utf-8")
    return public


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as error:
        raise KeyProblem(f"{path}: cannot be read ({error.strerror})") from None
    except (ValueError, TypeError):
        raise KeyProblem(f"{path}: is not an unencrypted PEM private key made by 'staffdesk catalogue keygen'") \
            from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path}: is not an Ed25519 key")
    return key


def public_of(key: Ed25519PrivateKey, comment: str = "") -> PublicKey:
    return PublicKey(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
                     comment)


def parse_public(text: str, source: str) -> list[PublicKey]:
    """Every key in a public key file's text; KeyProblem naming the line that is not one."""
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(" ")
        encoded, _, comment = rest.strip().partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raw = b""
        if kind != "ed25519" or len(raw) != 32:
            raise KeyProblem(f"{source}, line {number}: is not a public key ('ed25519 BASE64 comment', as "
                            "'staffdesk catalogue keygen' writes it)")
        keys.append(PublicKey(raw, comment.strip()))
    return keys


def load_public(path: Path) -> list[PublicKey]:
    """The keys a kiosk trusts, from the file kiosk.ini names; KeyProblem when it cannot be read or holds none."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KeyProblem(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    keys = parse_public(text, str(path))
    if not keys:
        raise KeyProblem(f"{path}: holds no public key")
    return keys


def configured_keys(settings) -> list[PublicKey]:
    """The keys [catalog] publisher_keys names (it is set); ConfigError in kiosk.ini's words when unusable."""
    from kiosk.config import ConfigError
    try:
        return load_public(settings.catalog.publisher_keys)
    except KeyProblem as problem:
        raise ConfigError(f"{settings.path}: section [catalog], key 'publisher_keys': {problem}.") from None

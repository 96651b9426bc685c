"""A signed bundle: the catalogue and the national settings, under a manifest the publisher's key signs.

The rules are The Update Framework's, for one role: the manifest carries a version that only grows (a kiosk never
takes a lower one: no rollback), an expiry (a kiosk held on an old bundle past it says so: no freeze), and the
length and SHA-256 of every file (checked before a file is used). The key that signs is offline: the desk only
carries bundles, and makes the unsigned one that `staffdesk catalogue sign --key FILE` signs elsewhere.

On the wire and on disk a bundle is one JSON document:

    {"payload": BASE64(manifest JSON), "signatures": [{"keyid": ..., "sig": BASE64}], "files": {NAME: BASE64}}

The signature covers SIGNING_CONTEXT + the payload's bytes exactly as carried, so no JSON is ever re-encoded
before it is checked.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import hashlib
import json
from dataclasses import dataclass

from kiosk.fleet.keys import PublicKey

MANIFEST_TYPE = "kac-fleet-bundle"
SPEC = 1
SIGNING_CONTEXT = b"KAC fleet bundle, spec 1\n"
CATALOG_FILE = "catalog.yaml"
NATIONAL_FILE = "national.ini"  # the national layer of the settings (kiosk/fleet/layers.py)
FILE_NAMES = (CATALOG_FILE, NATIONAL_FILE)
MAX_BYTES = 16 * 1024 * 1024  # a whole bundle; the catalogue today is about 100 kB


class Refusal(str, enum.Enum):
    """Why a bundle was refused: the desk shows these to the national team, with the detail."""
    MALFORMED = "malformed"
    UNTRUSTED = "untrusted-signature"
    ROLLBACK = "rollback"
    EXPIRED = "expired"
    FILE_MISMATCH = "file-mismatch"
    INVALID = "invalid-content"
    FORBIDDEN_SETTING = "forbidden-setting"


class BundleRefused(Exception):
    def __init__(self, refusal: Refusal, detail: str):
        super().__init__(f"{refusal.value}: {detail}")
        self.refusal, self.detail = refusal, detail


@dataclass(frozen=True)
class FileInfo:
    length: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    version: int
    expires: dt.datetime
    signed_at: dt.datetime | None
    files: dict[str, FileInfo]
    note: str = ""

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires


@dataclass(frozen=True)
class Bundle:
    """A bundle whose signature, lengths and hashes have been checked (or, from `unsigned`, are about to be)."""
    envelope: bytes
    manifest: Manifest
    files: dict[str, bytes]
    keyid: str = ""
    signer: str = ""

    @property
    def version(self) -> int:
        return self.manifest.version


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unsigned(files: dict[str, bytes], version: int, expires: dt.datetime, note: str = "") -> bytes:
    """The envelope the desk exports for signing: the manifest of `files`, and no signature yet."""
    if CATALOG_FILE not in files:
        raise ValueError(f"a bundle needs {CATALOG_FILE}")
    unknown = set(files) - set(FILE_NAMES)
    if unknown:
        raise ValueError(f"a bundle carries only {', '.join(FILE_NAMES)}, not {', '.join(sorted(unknown))}")
    manifest = {"type": MANIFEST_TYPE, "spec": SPEC, "version": int(version), "expires": _when(expires),
                "note": note,
                "files": {name: {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                          for name, data in sorted(files.items())}}
    return _envelope(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode(), [], files)


def sign(envelope: bytes, key, signer: PublicKey, now: dt.datetime | None = None) -> bytes:
    """The envelope signed by `key` (an Ed25519 private key), replacing any earlier signature; the manifest is
    stamped with the moment of signing."""
    payload, _signatures, files = _parts(envelope)
    manifest = json.loads(payload)
    manifest["signed_at"] = _when(now or utc_now())
    payload = json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()
    signature = {"keyid": signer.keyid, "sig": base64.b64encode(key.sign(SIGNING_CONTEXT + payload)).decode()}
    return _envelope(payload, [signature], files)


def verify(envelope: bytes, trusted: list[PublicKey], lowest_version: int = 0, now: dt.datetime | None = None,
           check_expiry: bool = True) -> Bundle:
    """The bundle, once every rule holds, in this order: its form, a trusted key's signature, a version no lower
    than `lowest_version`, its expiry (unless `check_expiry` is False: a kiosk re-reading the bundle it runs keeps
    serving it, and says it has expired), and each file's length and hash. BundleRefused says which rule failed."""
    payload, signatures, files = _parts(envelope)
    signer = _signed_by(payload, signatures, trusted)
    manifest = _manifest(payload)
    if manifest.version < lowest_version:
        raise BundleRefused(Refusal.ROLLBACK, f"version {manifest.version} is lower than version {lowest_version}, "
                                              "which this kiosk already had")
    if check_expiry and manifest.expired(now or utc_now()):
        raise BundleRefused(Refusal.EXPIRED, f"version {manifest.version} expired at {_when(manifest.expires)}")
    for name, info in manifest.files.items():
        data = files.get(name)
        if data is None:
            raise BundleRefused(Refusal.FILE_MISMATCH, f"{name} is listed but not carried")
        if len(data) != info.length or hashlib.sha256(data).hexdigest() != info.sha256:
            raise BundleRefused(Refusal.FILE_MISMATCH, f"{name} is not the file the manifest lists (its length "
                                                       "or SHA-256 differ)")
    extra = set(files) - set(manifest.files)
    if extra:
        raise BundleRefused(Refusal.FILE_MISMATCH, f"{', '.join(sorted(extra))} is carried but not listed")
    return Bundle(envelope, manifest, files, signer.keyid, signer.comment)


def peek(envelope: bytes) -> Manifest:
    """The manifest without checking any signature: for the desk to show what it is asked to carry."""
    return _manifest(_parts(envelope)[0])


def _envelope(payload: bytes, signatures: list[dict], files: dict[str, bytes]) -> bytes:
    document = {"payload": base64.b64encode(payload).decode(), "signatures": signatures,
                "files": {name: base64.b64encode(data).decode() for name, data in sorted(files.items())}}
    return json.dumps(document, indent=1).encode()


def _parts(envelope: bytes) -> tuple[bytes, list[dict], dict[str, bytes]]:
    if len(envelope) > MAX_BYTES:
        raise BundleRefused(Refusal.MALFORMED, f"it is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(envelope)
        payload = base64.b64decode(document["payload"], validate=True)
        signatures = list(document["signatures"])
        files = {str(name): base64.b64decode(data, validate=True) for name, data in dict(document["files"]).items()}
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BundleRefused(Refusal.MALFORMED, "it is not a bundle (JSON with payload, signatures and files)") \
            from None
    return payload, signatures, files


def _signed_by(payload: bytes, signatures: list, trusted: list[PublicKey]) -> PublicKey:
    by_id = {key.keyid: key for key in trusted}
    for signature in signatures:
        try:
            key = by_id.get(signature["keyid"])
            raw = base64.b64decode(signature["sig"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            continue
        if key is not None and key.verifies(raw, SIGNING_CONTEXT + payload):
            return key
    if not signatures:
        raise BundleRefused(Refusal.UNTRUSTED, "it is not signed")
    raise BundleRefused(Refusal.UNTRUSTED, "no signature on it is by a key this computer trusts")


def _manifest(payload: bytes) -> Manifest:
    try:
        data = json.loads(payload)
        if data.get("type") != MANIFEST_TYPE or data.get("spec") != SPEC:
            raise ValueError
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError
        files = {str(name): FileInfo(int(info["length"]), str(info["sha256"]))
                 for name, info in dict(data["files"]).items()}
        if CATALOG_FILE not in files or set(files) - set(FILE_NAMES):
            raise ValueError
        signed_at = data.get("signed_at")
        return Manifest(version, _parse_when(data["expires"]), _parse_when(signed_at) if signed_at else None,
                        files, str(data.get("note", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BundleRefused(Refusal.MALFORMED, f"its manifest is not a {MANIFEST_TYPE} of spec {SPEC}") from None


def _parse_when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)

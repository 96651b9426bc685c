"""The conversation with a Latvian eID card: walk PKCS#15 to the certificate, read it, prove the PIN."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Protocol

from kiosk.eid import tlv
from kiosk.eid.identity import Identity, IdentityError, identity_from_certificate

MAIN_AID = bytes.fromhex("A000000077010800070000FE00000100")
AUTH_AID = bytes.fromhex("E828BD080FF2504F5420415750")
ODF_FILE = bytes.fromhex("5031")
PIN1_REFERENCE = 0x01
PIN_LENGTH = (4, 12)
CHUNK = 0xC0  # some readers fail on longer reads (libelectronic-id uses 0xB5/0xC0)
SW_OK = 0x9000
# SHA-256 DigestInfo prefix: RSA cards apply PKCS#1 v1.5 padding themselves and expect a DigestInfo.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class Problem(enum.Enum):
    """What went wrong, in the terms a resident's message is chosen by."""
    NO_READER = "no reader"
    NO_CARD = "no card"
    CARD_REMOVED = "card removed"
    NOT_EID = "not an eID card"
    UNSUPPORTED = "card not supported"
    CARD_ERROR = "card error"
    PIN_FORMAT = "PIN format"
    PIN_WRONG = "wrong PIN"
    PIN_BLOCKED = "PIN blocked"
    NOT_TRUSTED = "certificate not trusted"
    SIGNATURE_INVALID = "signature invalid"


class EidError(Exception):
    """An eID failure; `problem` picks the resident's message, the text is for logs and administrators."""

    def __init__(self, problem: Problem, detail: str = "", tries_left: int | None = None, card: str = ""):
        super().__init__(detail or problem.value)
        self.problem = problem
        self.tries_left = tries_left
        self.card = card


def refusal(profile) -> EidError:
    """The error for a card of another kind: unknown cards are 'not eID', known old ones 'not supported'."""
    from kiosk.eid.profiles import CardKind
    problem = Problem.NOT_EID if profile.kind is CardKind.UNKNOWN else Problem.UNSUPPORTED
    return EidError(problem, f"the card in the reader is {profile.name}: not supported here", card=profile.name)


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the status word."""


@dataclass(frozen=True)
class KeyInfo:
    reference: int
    kind: str  # "rsa" or "ec"


class EidCard:
    """One inserted supported card; every method is one complete exchange and may raise EidError."""

    def __init__(self, transport: Transport, card_name: str):
        self.transport = transport
        self.card_name = card_name
        self.apdus_sent = 0
        self._paths: dict[int, bytes] | None = None
        self._certificate_entry: tuple[bytes, bytes] | None = None  # (id, path)

    # ---- low level --------------------------------------------------------------------------------

    def _send(self, apdu: bytes, allowed: tuple[int, ...] = (SW_OK,)) -> tuple[bytes, int]:
        self.apdus_sent += 1
        data, sw = self.transport.transmit(apdu)
        if sw not in allowed and not (sw & 0xFFF0 == 0x63C0 and 0x63C0 in allowed):
            raise EidError(Problem.CARD_ERROR, f"the card answered {sw:04X} to {apdu[:4].hex().upper()}")
        return data, sw

    def _select_application(self, aid: bytes) -> None:
        self._send(bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid)

    def _select_file(self, fid: bytes) -> int:
        """Select an elementary file by id and return its size from the FCI."""
        data, _ = self._send(bytes([0x00, 0xA4, 0x02, 0x04, len(fid)]) + fid + b"\x00")
        try:
            size = tlv.find(data, 0x80)
        except tlv.TlvError:
            size = None
        if size is None or not size.value:
            raise EidError(Problem.CARD_ERROR, "the card gave no file size")
        return int.from_bytes(size.value, "big")

    def _read_file(self, fid: bytes) -> bytes:
        size = self._select_file(fid)
        content = b""
        while len(content) < size:
            want = min(CHUNK, size - len(content))
            offset = len(content)
            data, _ = self._send(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, want]))
            if not data or len(data) > want:
                raise EidError(Problem.CARD_ERROR, "the card's answer to a read has the wrong length")
            content += data
        return content

    # ---- PKCS#15 ------------------------------------------------------------------------------------

    def _directory_paths(self) -> dict[int, bytes]:
        """From the object directory (5031): which file holds each directory (A0 keys, A4 certificates)."""
        if self._paths is None:
            paths = {}
            try:
                for entry in tlv.parse(self._read_file(ODF_FILE)):
                    path = tlv.find(entry.value, 0x04)
                    if path is not None:
                        paths[entry.tag] = path.value[-2:]
            except tlv.TlvError:
                raise EidError(Problem.CARD_ERROR, "the card's object directory is malformed") from None
            if 0xA4 not in paths:
                raise EidError(Problem.CARD_ERROR, "the card lists no certificate directory")
            self._paths = paths
        return self._paths

    def _certificate_location(self) -> tuple[bytes, bytes]:
        """The authentication certificate's object id and file, from the certificate directory."""
        if self._certificate_entry is None:
            try:
                entries = tlv.parse(self._read_file(self._directory_paths()[0xA4]))
                entry = entries[0]
                common = entry.children()[1]  # CommonCertificateAttributes
                ident = tlv.find(common.value, 0x04)
                path = tlv.find(entry.children()[2].value, 0x04)
            except (tlv.TlvError, IndexError):
                raise EidError(Problem.CARD_ERROR, "the card's certificate directory is malformed") from None
            if ident is None or path is None:
                raise EidError(Problem.CARD_ERROR, "the certificate directory has no path")
            self._certificate_entry = (ident.value, path.value[-2:])
        return self._certificate_entry

    def _key_for(self, certificate_id: bytes) -> KeyInfo:
        """The private key that goes with the certificate, from the private-key directory (A0 EC, 30 RSA)."""
        paths = self._directory_paths()
        if 0xA0 not in paths:
            raise EidError(Problem.CARD_ERROR, "the card lists no private-key directory")
        try:
            for entry in tlv.parse(self._read_file(paths[0xA0])):
                attributes = entry.children()[1]  # CommonKeyAttributes: iD, usage, ..., keyReference
                ident = tlv.find(attributes.value, 0x04)
                reference = tlv.find(attributes.value, 0x02)
                if ident is not None and ident.value == certificate_id and reference is not None:
                    return KeyInfo(int.from_bytes(reference.value, "big"), "ec" if entry.tag == 0xA0 else "rsa")
        except (tlv.TlvError, IndexError):
            raise EidError(Problem.CARD_ERROR, "the card's private-key directory is malformed") from None
        raise EidError(Problem.CARD_ERROR, "no private key goes with the authentication certificate")

    # ---- what callers use ---------------------------------------------------------------------------

    def read_certificate(self) -> bytes:
        self._select_application(MAIN_AID)
        self._select_application(AUTH_AID)
        _, path = self._certificate_location()
        return self._read_file(path)

    def read_identity(self) -> Identity:
        der = self.read_certificate()
        try:
            return identity_from_certificate(der, self.card_name)
        except IdentityError as error:
            raise EidError(Problem.CARD_ERROR, str(error)) from None

    def pin_tries_left(self) -> int:
        self._select_application(MAIN_AID)
        query = bytes.fromhex("00CB3FFF0A4D087006BF81") + bytes([PIN1_REFERENCE]) + bytes.fromhex("02A08000")
        data, _ = self._send(query)
        try:
            left = tlv.find(data, 0x9B)
        except tlv.TlvError:
            left = None
        if left is None or len(left.value) != 1:
            raise EidError(Problem.CARD_ERROR, "the card did not say how many PIN tries are left")
        return left.value[0]

    def sign_with_pin(self, pin: str, digest: bytes, hash_name: str) -> tuple[bytes, KeyInfo]:
        """VERIFY PIN1 and have the authentication key sign `digest`; the PIN is not kept."""
        if not (pin.isascii() and pin.isdigit() and PIN_LENGTH[0] <= len(pin) <= PIN_LENGTH[1]):
            raise EidError(Problem.PIN_FORMAT, "PIN1 is 4 to 12 digits")
        tries = self.pin_tries_left()
        if tries == 0:
            raise EidError(Problem.PIN_BLOCKED, "PIN1 is blocked", tries_left=0)
        self._select_application(AUTH_AID)
        certificate_id, _ = self._certificate_location()
        key = self._key_for(certificate_id)
        algorithm = 0x04 if key.kind == "ec" else 0x02
        self._send(bytes.fromhex("002241A4068001") + bytes([algorithm]) + bytes([0x84, 0x01, key.reference]))
        padded = pin.encode("ascii").ljust(12, b"\xff")
        _, sw = self._send(bytes.fromhex("002000010C") + padded, allowed=(SW_OK, 0x63C0, 0x6983, 0x6984))
        del padded
        if sw & 0xFFF0 == 0x63C0:
            left = sw & 0x0F
            if left == 0:
                raise EidError(Problem.PIN_BLOCKED, "PIN1 is now blocked", tries_left=0)
            raise EidError(Problem.PIN_WRONG, "wrong PIN1", tries_left=left)
        if sw in (0x6983, 0x6984):
            raise EidError(Problem.PIN_BLOCKED, "PIN1 is blocked", tries_left=0)
        payload = (SHA256_DIGEST_INFO + digest) if key.kind == "rsa" else digest
        if key.kind == "rsa" and hash_name != "sha256":
            raise EidError(Problem.CARD_ERROR, "RSA cards sign SHA-256 here")
        signature, _ = self._send(bytes([0x00, 0x88, 0x00, 0x00, len(payload)]) + payload + b"\x00")
        return signature, key


def challenge_digest(origin: str, nonce: bytes, hash_name: str) -> bytes:
    """What the card signs in the Web eID form: hash(hash(origin) || hash(nonce))."""
    def digest(data: bytes) -> bytes:
        return hashlib.new(hash_name, data).digest()
    return digest(digest(origin.encode("utf-8")) + digest(nonce))

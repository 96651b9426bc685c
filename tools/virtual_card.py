"""A virtual Latvian eID card for tests and the demo: speaks vpcd's protocol to pcscd, with faults on demand.

The card is a socket to vpcd (TCP 35963 is reader "Virtual PCD 00 00"): connecting inserts it, closing
removes it. It answers the APDUs the kiosk sends (SELECT, READ BINARY, GET DATA, MSE SET, VERIFY,
INTERNAL AUTHENTICATE) from a PKCS#15 file system built around a certificate issued by a test CA.
vpcd listens on all interfaces: it belongs on test and demo machines only, never on a kiosk.

    python -m tools.virtual_card [--ec] [--given NAME --surname NAME --code CODE]   # insert until Ctrl+C
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.x509.oid import NameOID

from kiosk.eid.card import AUTH_AID, MAIN_AID, SHA256_DIGEST_INFO
from kiosk.eid.tlv import encode

COSMO_8_ATR = "3BDB960080B1FE451F830012428F536549440F900020"
VPCD_PORT = 35963


@dataclass
class CardSpec:
    """Who the card belongs to and how it misbehaves."""
    given_name: str = "Jānis"
    surname: str = "Bērziņš"
    personal_code: str = "010180-12347"
    key_type: str = "rsa"  # or "ec" (P-384)
    atr: str = COSMO_8_ATR
    pin: str = "1234"
    tries_left: int = 3
    max_tries: int = 3
    serial_prefix: bool = True   # newer certificates say PNOLV-DDMMYY-NNNNN
    certificate_file: bytes = b"\x34\x01"
    key_reference: int = 0x81
    # Faults: with the Nth APDU (1-based) the card is pulled, answers garbage, answers too little, or errs.
    disconnect_at: int | None = None
    garbage_at: int | None = None
    truncate_at: int | None = None
    wrong_status_at: int | None = None
    forge_signature: bool = False
    not_after: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=900))


@dataclass
class TestCa:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def make_ca(directory: Path | None = None) -> TestCa:
    """A test CA, made fresh; with `directory` its certificate is written there as ca.pem."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "KAC kiosk TEST eID CA")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .sign(key, hashes.SHA256()))
    ca = TestCa(key, certificate)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ca.pem").write_bytes(ca.pem())
    return ca


def sample_identity(spec: CardSpec | None = None):
    """The identity a card of `spec` gives, without a card: for tests and benchmarks of what holds one."""
    from kiosk.eid.identity import Identity
    spec = spec or CardSpec()
    return Identity(spec.given_name, spec.surname, spec.personal_code, "Latvian eID (virtual card)", spec.not_after,
                    "KAC kiosk TEST eID CA", b"")


def load_or_make_ca(directory: Path) -> TestCa:
    """The test CA kept in `directory` (ca.pem and ca-key.pem), made there the first time."""
    key_path, pem_path = directory / "ca-key.pem", directory / "ca.pem"
    if key_path.exists() and pem_path.exists():
        return TestCa(serialization.load_pem_private_key(key_path.read_bytes(), password=None),
                      x509.load_pem_x509_certificate(pem_path.read_bytes()))
    ca = make_ca(directory)
    save_ca_key(ca, directory)
    return ca


def save_ca_key(ca: TestCa, directory: Path) -> None:
    """The CA's private key beside its certificate, readable by root only (a test CA, never a real one)."""
    key_path = directory / "ca-key.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(ca.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))


def issue(ca: TestCa, spec: CardSpec):
    """The card's authentication key and certificate, as the real cards have them."""
    if spec.key_type == "ec":
        key = ec.generate_private_key(ec.SECP384R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = ("PNOLV-" if spec.serial_prefix else "") + spec.personal_code
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{spec.given_name.upper()} {spec.surname.upper()}"),
        x509.NameAttribute(NameOID.SURNAME, spec.surname.upper()),
        x509.NameAttribute(NameOID.GIVEN_NAME, spec.given_name.upper()),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.certificate.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(spec.not_after)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=spec.key_type == "rsa", data_encipherment=False,
                                                key_agreement=spec.key_type == "ec", key_cert_sign=False,
                                                crl_sign=False, encipher_only=False, decipher_only=False),
                                  critical=True)
                   .sign(ca.key, hashes.SHA256()))
    return key, certificate.public_bytes(serialization.Encoding.DER)


class VirtualCard:
    """One card in reader `port`; `insert()` connects to vpcd in a thread, `remove()` pulls it out."""

    def __init__(self, spec: CardSpec, ca: TestCa, host: str = "127.0.0.1", port: int = VPCD_PORT):
        self.spec = spec
        self.host, self.port = host, port
        self.key, self.certificate = issue(ca, spec)
        self.apdus = 0
        self.received: list[bytes] = []  # every command APDU, for tests that look at what the kiosk sent
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._files = self._file_system()
        self._reset()

    # ---- the card's contents ------------------------------------------------------------------

    def _file_system(self) -> dict[bytes, dict[bytes, bytes]]:
        cert_id = b"\x45"
        def path(fid: bytes) -> bytes:  # a full path from the master file; readers use its last two bytes
            return encode(0x30, encode(0x04, b"\x3f\x00\x50\x15" + fid))
        odf = encode(0xA0, path(b"\x70\x01")) + encode(0xA4, path(b"\x70\x05"))
        cdf = encode(0x30, encode(0x30, encode(0x0C, "Autentifikācija".encode()))
                     + encode(0x30, encode(0x04, cert_id))
                     + encode(0xA1, encode(0x30, path(self.spec.certificate_file))))
        key_attributes = encode(0x30, encode(0x04, cert_id) + encode(0x03, b"\x07\x80")
                                + encode(0x02, bytes([self.spec.key_reference])))
        key_entry = (encode(0x30, encode(0x0C, b"Authentication key")) + key_attributes
                     + encode(0xA1, encode(0x30, path(b"\x3f\x01"))))
        prkdf = encode(0xA0 if self.spec.key_type == "ec" else 0x30, key_entry)
        # Padding after the directories, as real cards have it: readers must stop at the first 00/FF.
        return {MAIN_AID: {}, AUTH_AID: {b"\x50\x31": odf + b"\x00" * 8, b"\x70\x05": cdf + b"\xff" * 16,
                                         b"\x70\x01": prkdf + b"\x00" * 16,
                                         self.spec.certificate_file: self.certificate}}

    def rearm(self, spec: CardSpec) -> "VirtualCard":
        """The same card, with `spec`'s faults and PIN counter from its next command on, as a fresh card of that
        spec would have them: for the cases of a fault matrix, which would otherwise each issue a key and certificate
        (an RSA key is 0.1 s to a second of processor time). Only between commands (out, or in and not in use)."""
        kept = ("given_name", "surname", "personal_code", "key_type", "serial_prefix", "certificate_file",
                "key_reference")
        if any(getattr(spec, name) != getattr(self.spec, name) for name in kept):
            raise ValueError("rearm keeps the card's holder, key and files: make a new card for another")
        self.spec = spec
        self.apdus = 0
        self.received = []
        self._reset()
        return self

    def _reset(self) -> None:
        self._application = None
        self._file = None
        self._verified = False
        self._mse_key = None

    # ---- APDUs --------------------------------------------------------------------------------

    def respond(self, apdu: bytes) -> bytes:
        """The response APDU (data + SW1 SW2) to one command."""
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            if body not in self._files:
                return b"\x6a\x82"
            self._application, self._file = body, None
            return b"\x90\x00"
        if ins == 0xA4 and p1 == 0x02:
            files = self._files.get(self._application, {})
            if body not in files:
                return b"\x6a\x82"
            self._file = body
            if p2 == 0x0C:
                return b"\x90\x00"
            return encode(0x62, encode(0x80, len(files[body]).to_bytes(2, "big"))) + b"\x90\x00"
        if ins == 0xB0:
            content = self._files.get(self._application, {}).get(self._file)
            if content is None:
                return b"\x69\x86"
            offset, length = (p1 << 8) | p2, apdu[4] if len(apdu) > 4 else 256
            if offset >= len(content):
                return b"\x6b\x00"
            return content[offset:offset + length] + b"\x90\x00"
        if ins == 0xCB:
            tries = encode(0xA0, encode(0x9A, bytes([self.spec.max_tries])) + encode(0x9B, bytes([self.spec.tries_left])))
            return encode(0x70, encode(0xBF8101, tries)) + b"\x90\x00"
        if ins == 0x22:
            self._mse_key = body[-1]
            return b"\x90\x00" if self._mse_key == self.spec.key_reference else b"\x6a\x88"
        if ins == 0x20:
            if self.spec.tries_left == 0:
                return b"\x69\x83"
            if body.rstrip(b"\xff").decode("ascii", "replace") == self.spec.pin:
                self.spec.tries_left = self.spec.max_tries
                self._verified = True
                return b"\x90\x00"
            self.spec.tries_left -= 1
            return bytes([0x63, 0xC0 | self.spec.tries_left])
        if ins == 0x88:
            if not self._verified or self._mse_key != self.spec.key_reference:
                return b"\x69\x82"
            return self._sign(body) + b"\x90\x00"
        return b"\x6d\x00"

    def _sign(self, data: bytes) -> bytes:
        if self.spec.key_type == "rsa":
            digest = data[len(SHA256_DIGEST_INFO):] if data.startswith(SHA256_DIGEST_INFO) else data
            if self.spec.forge_signature:
                digest = bytes(len(digest))  # signs something else: the kiosk must notice
            return self.key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        if self.spec.forge_signature:
            data = bytes(len(data))
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(Prehashed(hashes.SHA384()))))
        return r.to_bytes(48, "big") + s.to_bytes(48, "big")

    # ---- the vpcd connection ------------------------------------------------------------------

    def insert(self) -> "VirtualCard":
        self._socket = socket.create_connection((self.host, self.port), timeout=5)
        # Without this, each small answer waits for the last one to be acknowledged (Nagle): 40 ms an APDU.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, name="virtual-eid-card", daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def inserted(self) -> bool:
        return self._socket is not None

    def _serve(self) -> None:
        sock = self._socket
        try:
            while True:
                header = _receive(sock, 2)
                message = _receive(sock, struct.unpack(">H", header)[0])
                if len(message) == 1:
                    if message[0] == 0x04:
                        _send(sock, bytes.fromhex(self.spec.atr))
                    elif message[0] in (0x00, 0x02):
                        self._reset()
                    continue
                self.apdus += 1
                self.received.append(message)
                if self.spec.disconnect_at == self.apdus:
                    self.remove()
                    return
                if self.spec.garbage_at == self.apdus:
                    _send(sock, b"\x12\x34\x56\x78\x61")
                elif self.spec.truncate_at == self.apdus:
                    _send(sock, self.respond(message)[:3] + b"\x90\x00")
                elif self.spec.wrong_status_at == self.apdus:
                    _send(sock, b"\x6f\x00")
                else:
                    try:
                        answer = self.respond(message)
                    except Exception:  # a real card answers every command; never leave pcscd waiting
                        answer = b"\x6f\x00"
                    _send(sock, answer)
        except (OSError, ConnectionError):
            return


def _receive(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        # vpcd sends the length and the APDU in two writes; acknowledging at once lets the second one
        # through without waiting out the delayed-ACK timer (Linux clears this flag after each use).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        data += chunk
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--given", default="Jānis")
    parser.add_argument("--surname", default="Bērziņš")
    parser.add_argument("--code", default="010180-12347")
    parser.add_argument("--pin", default="1234")
    parser.add_argument("--ec", action="store_true", help="an EC P-384 key instead of RSA-2048")
    parser.add_argument("--ca-dir", type=Path, default=Path("build/demo-ca"),
                        help="the test CA's folder (ca.pem, which kiosk.ini trusts, and ca-key.pem): "
                             "made there the first time, used as it is afterwards")
    parser.add_argument("--port", type=int, default=VPCD_PORT)
    args = parser.parse_args()
    ca = load_or_make_ca(args.ca_dir)
    card = VirtualCard(CardSpec(args.given, args.surname, args.code, "ec" if args.ec else "rsa", pin=args.pin),
                       ca, port=args.port).insert()
    print(f"Card of {args.given} {args.surname} inserted (PIN {args.pin}); Ctrl+C removes it.", flush=True)
    try:
        card._thread.join()
    except KeyboardInterrupt:
        card.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

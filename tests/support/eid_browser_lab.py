"""A login page that asks for a TLS client certificate, and a SoftHSM2 token standing in for the eID card.

The token holds a client key and certificate issued by a test CA; the kiosk registers the token's PKCS#11 module
in the NSS database Chromium reads (`$HOME/.pki/nssdb`), as a real kiosk registers the eID middleware's module.
The managed policies reach Chromium through a private mount over /etc/chromium (tests/support/managed_chromium.py).
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import os
import ssl
import subprocess
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.managed_chromium import ManagedChromium

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL, TOKEN_PIN = "kac-test-eid", "1234"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"), x509.NameAttribute(NameOID.COMMON_NAME,
                                                                                         common_name)])


def _certificate(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool = False, server: bool = False):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class EidBrowserLab:
    """Keys, a token, an NSS home and a policy folder under `root`; `login_url` serves the login page."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.home = root / "home"                      # the kiosk user's home: Chromium's NSS database lives here
        self.chromium = ManagedChromium(root)          # its /etc/chromium, for the browser only
        self.etc_chromium = self.chromium.etc_chromium
        self.logins: list[str] = []                    # the common names of the certificates that logged in
        ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _certificate("KAC kiosk TEST login CA", ca_key, _name("KAC kiosk TEST login CA"), ca_key, ca=True)
        self.server_key = ec.generate_private_key(ec.SECP256R1())
        self.server_cert = _certificate("127.0.0.1", self.server_key, self.ca.subject, ca_key, server=True)
        self.client_key = ec.generate_private_key(ec.SECP256R1())
        self.client_cert = _certificate("BERZINS JANIS 010180-12347", self.client_key, self.ca.subject, ca_key)
        self._write_files()
        self._make_token()
        self.server = self._serve(ssl.CERT_REQUIRED)  # the eID login: no card certificate, no page
        self.login_url = f"https://127.0.0.1:{self.server.server_port}/login"
        # A portal that asks every visitor for a certificate, and serves those without one too: on another host
        # name than the login's, so the card is not chosen for it without a question.
        self.portal = self._serve(ssl.CERT_OPTIONAL)
        self.portal_url = f"https://localhost:{self.portal.server_port}/start"

    # ---- files and the token ----------------------------------------------------------------------

    def _write_files(self) -> None:
        pem = serialization.Encoding.PEM
        (self.root / "ca.pem").write_bytes(self.ca.public_bytes(pem))
        (self.root / "server.pem").write_bytes(self.server_cert.public_bytes(pem) + self.server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (self.root / "client-key.pem").write_bytes(self.client_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (self.root / "client.der").write_bytes(self.client_cert.public_bytes(serialization.Encoding.DER))
        (self.root / "tokens").mkdir(exist_ok=True)
        self.softhsm_conf = self.root / "softhsm2.conf"
        self.softhsm_conf.write_text(f"directories.tokendir = {self.root / 'tokens'}\nobjectstore.backend = file\n"
                                     "log.level = ERROR\n")

    def env(self) -> dict[str, str]:
        """What Chromium needs to find the token and this home's NSS database."""
        return {**os.environ, "HOME": str(self.home), "SOFTHSM2_CONF": str(self.softhsm_conf)}

    def _run(self, *command: str) -> None:
        result = subprocess.run(command, env=self.env(), capture_output=True, text=True, input="\n", timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def _make_token(self) -> None:
        self._run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN,
                  "--so-pin", "87654321")
        self._run("softhsm2-util", "--import", str(self.root / "client-key.pem"), "--token", TOKEN_LABEL,
                  "--label", "eid-auth", "--id", "01", "--pin", TOKEN_PIN)
        self._run("pkcs11-tool", "--module", str(SOFTHSM_MODULE), "--token-label", TOKEN_LABEL, "--login",
                  "--pin", TOKEN_PIN, "--write-object", str(self.root / "client.der"), "--type", "cert", "--id", "01",
                  "--label", "eid-auth")

    def trust_login_ca(self, nss_db: Path) -> None:
        """The login server's CA trusted in the NSS database, as a real site's public CA would be."""
        self._run("certutil", "-A", "-d", f"sql:{nss_db}", "-n", "kac-test-login-ca", "-t", "C,,",
                  "-i", str(self.root / "ca.pem"))

    def install_policies(self, text: str) -> None:
        self.chromium.install(text)

    def chromium_wrapper(self) -> Path:
        return self.chromium.wrapper()

    # ---- the login page ---------------------------------------------------------------------------

    def _serve(self, verify_mode) -> http.server.ThreadingHTTPServer:
        lab = self

        class Login(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):
                certificate = self.connection.getpeercert() or {}
                subject = dict(part[0] for part in certificate.get("subject", ()))
                name = subject.get("commonName", "")
                lab.logins.append(name)
                body = (f"<!doctype html><meta charset='utf-8'><body style='margin:0;background:rgb(170,238,255)'>"
                        f"<h1 id='who'>Logged in: {name}</h1></body>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Login)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.root / "server.pem")
        context.load_verify_locations(self.root / "ca.pem")
        context.verify_mode = verify_mode
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, name="eid-login-site", daemon=True).start()
        return server

    def close(self) -> None:
        for server in (self.server, self.portal):
            server.shutdown()
            server.server_close()

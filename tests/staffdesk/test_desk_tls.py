"""Kiosk and desk over TLS as a centre runs them: the package's nginx site in front of the desk, a certificate from
the centre's private CA, and the kiosk trusting that CA through [staffdesk] ca_file (and nothing else)."""

from __future__ import annotations

import datetime
import ipaddress
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.desk_fixtures import DeskServer, ROOT, make_centre, new_database, pg_cluster  # noqa: F401
from kiosk.config import ConfigError, load_settings
from kiosk.desk_link import DeskUnavailable, Reason
from kiosk.desk_link.client import DeskClient
from tools.pg_cluster import free_port, wait_for_port

SITE = ROOT / "deploy/staffdesk/nginx-kac-staffdesk"


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(subject: str, issuer_key, issuer_name, key, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name(subject))
               .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(item) -> bytes:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(serialization.Encoding.PEM)
    return item.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())


@pytest.fixture(scope="module")
def tls_desk(tmp_path_factory, pg_cluster):
    """The desk behind nginx with the package's own site file, its names, ports and certificate paths filled in."""
    folder = tmp_path_factory.mktemp("tls-desk")
    server = DeskServer(new_database("sqlite", pg_cluster, folder), folder).start()
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("KAC centre test CA", ca_key, name("KAC centre test CA"), ca_key, ca=True)
    (folder / "ca.pem").write_bytes(pem(ca))
    (folder / "desk.crt").write_bytes(pem(certificate("127.0.0.1", ca_key, ca.subject, server_key, ca=False)))
    (folder / "desk.key").write_bytes(pem(server_key))
    https, http = free_port(), free_port()
    site = SITE.read_text(encoding="utf-8")
    site = site.replace("127.0.0.1:8700", f"127.0.0.1:{server.port}")
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl").replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("/etc/kac-staffdesk/tls/staffdesk.crt", str(folder / "desk.crt"))
    site = site.replace("/etc/kac-staffdesk/tls/staffdesk.key", str(folder / "desk.key"))
    assert str(server.port) in site and str(https) in site  # the site file still has the shape this test knows
    (folder / "nginx.conf").write_text(f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
                                       f"events {{}}\nhttp {{ access_log off; client_body_temp_path {folder};\n"
                                       f"proxy_temp_path {folder};\n{site}\n}}\n")
    nginx = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(https)
        server.https_url, server.ca_file = f"https://127.0.0.1:{https}", folder / "ca.pem"
        yield server
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()


def test_the_kiosk_reaches_the_desk_through_tls_trusting_the_centres_ca(tls_desk):
    centre = make_centre(tls_desk)
    client = DeskClient(tls_desk.https_url, centre.tokens[0], 5, tls_desk.ca_file)
    client.heartbeat({"printer": "ok"})  # accepted over TLS, through nginx, by the desk
    assert client.video_institutions() is not None


def test_without_the_centres_ca_the_kiosk_does_not_talk_to_the_desk(tls_desk):
    centre = make_centre(tls_desk)
    with pytest.raises(DeskUnavailable) as refused:
        DeskClient(tls_desk.https_url, centre.tokens[0], 5).heartbeat({"printer": "ok"})
    assert refused.value.reason is Reason.UNREACHABLE and "SSLError" in str(refused.value)


def test_a_ca_file_that_is_not_there_stops_the_kiosk_with_a_sentence(tmp_path):
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(text.replace("ca_file =", f"ca_file = {tmp_path / 'centre-ca.pem'}")
                   .replace("url =\n", "url = https://desk.example.lv\n").replace("token =\n", "token = t\n")
                   .replace("path = assets/catalog/catalog.yaml", f"path = {ROOT / 'assets/catalog/catalog.yaml'}"))
    with pytest.raises(ConfigError) as error:
        load_settings(ini)
    assert str(error.value) == (f"{ini}: section [staffdesk], key 'ca_file' has the value '{tmp_path / 'centre-ca.pem'}', "
                                "which does not exist; expected the PEM file of the centre's certificate authority, "
                                "or nothing.")

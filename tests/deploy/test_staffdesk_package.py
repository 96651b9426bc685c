"""kac-staffdesk installed into a fresh Debian 12 root with PostgreSQL and nginx: its user, settings, unit,
database setup, uvicorn workers and nginx site. The roots and the build are in conftest.py."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest

DESK = "/opt/venvs/kac-staffdesk/bin/staffdesk"
ENV_FILE = "/etc/kac-staffdesk/staffdesk.env"
SITE = "/etc/nginx/sites-available/kac-staffdesk"


@pytest.fixture(scope="module")
def postgresql(desk_root):
    """The root's PostgreSQL 15 cluster (made by the package's installation), on its socket only: no TCP port of
    this machine is taken, since a root shares this machine's network."""
    desk_root.run("pg_conftool", "15", "main", "set", "listen_addresses", "")
    desk_root.run("pg_ctlcluster", "15", "main", "start")
    try:
        yield
    finally:
        desk_root.run("pg_ctlcluster", "15", "main", "stop", "--", "-m", "fast", check=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_desk_installs_with_its_user_and_settings(desk_root):
    status = desk_root.run("dpkg-query", "-W", "-f", "${Status}", "kac-staffdesk").stdout
    assert status == "install ok installed"
    entry = desk_root.run("getent", "passwd", "staffdesk").stdout.strip().split(":")
    assert entry[5] == "/var/lib/kac-staffdesk" and entry[6] == "/usr/sbin/nologin"
    assert desk_root.run("id", "-nG", "staffdesk").stdout.split() == ["staffdesk"]
    assert desk_root.run("stat", "-c", "%U %G %a", ENV_FILE).stdout.split() == ["root", "staffdesk", "640"]
    conffiles = desk_root.run("dpkg-query", "-W", "-f", "${Conffiles}", "kac-staffdesk").stdout
    assert ENV_FILE in conffiles and SITE in conffiles
    # PostgreSQL was not running during the installation (no service starts in the root): that did not fail it,
    # and the setup said what to do.
    assert "PostgreSQL does not answer on this server" in desk_root.install_log
    assert (desk_root.path / "etc/systemd/system/multi-user.target.wants/kac-staffdesk.service").is_symlink()


def test_the_desk_unit_verifies(desk_root):
    # A centre's server runs systemd; the package itself needs none of it, so the root has none yet.
    desk_root.install("systemd")
    done = desk_root.run("systemd-analyze", "verify", "kac-staffdesk.service", check=False)
    assert done.returncode == 0, done.stderr
    assert "kac-staffdesk" not in done.stderr, done.stderr


def test_the_desk_virtualenv_holds_the_desk_alone(desk_root):
    desk_root.run(DESK, "--help", user="staffdesk")
    assert not (desk_root.path / "opt/venvs/kac-staffdesk/bin/kiosk").exists()
    missing = desk_root.run("/opt/venvs/kac-staffdesk/bin/python", "-c",
                            "import importlib.util as u; print([m for m in ('kivy', 'playwright', 'sane', 'cups') "
                            "if u.find_spec(m)])").stdout.strip()
    assert missing == "[]"


def test_setup_makes_the_database_and_migrates_it(desk_root, postgresql):
    done = desk_root.run("kac-staffdesk-setup", check=False)
    assert "Made the PostgreSQL role 'staffdesk'" in done.stdout
    assert "Made the PostgreSQL database 'staffdesk'" in done.stdout
    assert "The database is at the newest schema." in done.stdout
    again = desk_root.run("kac-staffdesk-setup", check=False)
    assert "Made the" not in again.stdout, "a second run changes nothing"
    owner = desk_root.run("runuser", "-u", "postgres", "--", "psql", "-XtAc",
                          "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'staffdesk'").stdout
    assert owner.strip() == "staffdesk"
    token = desk_root.run("kac-staffdesk", "add-kiosk", "kiosk-by-the-lift").stdout
    assert token.startswith("token = ")


def test_the_desk_serves_with_two_workers_on_postgresql(desk_root, postgresql):
    desk_root.run("kac-staffdesk-setup", check=False)
    port = free_port()
    # As the unit runs it (ExecStart, with the settings of staffdesk.env), on a free port instead of 8700.
    server = desk_root.popen("sh", "-c", f"set -a; . {ENV_FILE}; exec runuser -u staffdesk -- {DESK} serve "
                                         f"--host 127.0.0.1 --port {port} --proxy 127.0.0.1 --workers 2")
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        assert answer is not None and answer.status == 200
        uid = desk_root.run("id", "-u", "staffdesk").stdout.strip()
        as_desk = [pid for pid in desk_root.processes()
                   if f"\nUid:\t{uid}\t" in Path(f"/proc/{pid}/status").read_text()]
        assert len(as_desk) >= 3, "uvicorn's supervisor and its two workers, all as the user staffdesk"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_more_workers_than_one_are_refused_on_sqlite(desk_root):
    done = desk_root.run(DESK, "serve", "--db", "sqlite:////tmp/desk.sqlite", "--workers", "2", check=False,
                         user="staffdesk")
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr


def test_the_nginx_site_is_accepted_once_its_certificate_is_filled_in(desk_root):
    tls = "/etc/kac-staffdesk/tls"
    desk_root.run("mkdir", "-p", tls)
    desk_root.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                  "/CN=staffdesk.invalid", "-keyout", f"{tls}/staffdesk.key", "-out", f"{tls}/staffdesk.crt")
    enabled = desk_root.path / "etc/nginx/sites-enabled/kac-staffdesk"
    enabled.symlink_to(SITE)
    try:
        done = desk_root.run("nginx", "-t", check=False)
    finally:
        enabled.unlink()
        desk_root.run("rm", "-r", tls)
    assert done.returncode == 0, done.stderr

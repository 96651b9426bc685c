"""The console's word table is complete in every language; the `staffdesk` command works as documented."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    ROOT, centre, desk_server, kiosk_http, pg_cluster)
from staffdesk.messages import LANGUAGES, MESSAGES

STAFFDESK = Path(sys.executable).parent / "staffdesk"


def test_every_message_key_exists_in_every_language():
    keys = set(MESSAGES["en"])
    assert set(MESSAGES) == set(LANGUAGES)
    for language, table in MESSAGES.items():
        assert set(table) == keys, f"{language}: missing {keys - set(table)}, extra {set(table) - keys}"
        assert all(value.strip() for value in table.values()), f"{language} has an empty message"


def test_every_key_the_pages_and_scripts_use_is_in_the_table():
    import re
    package = ROOT / "staffdesk"
    used = set()
    for path in (package / "templates").glob("*.html"):
        used |= set(re.findall(r't\("([a-z_-]+)"\)', path.read_text(encoding="utf-8")))
    for path in (package / "static").glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z_-]+)"\)', path.read_text(encoding="utf-8")))
    assert used and used <= set(MESSAGES["en"]), used - set(MESSAGES["en"])


def test_no_function_in_the_desk_carries_a_gettext_name():
    """The kiosk's message extraction (pybabel -k _ -k N_ -k ngettext) must find nothing in staffdesk/."""
    for path in (ROOT / "staffdesk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        names |= {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Name)}
        assert not names & {"_", "N_", "ngettext"}, path


def staffdesk(*args, stdin="", env=None):
    return subprocess.run([str(STAFFDESK), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_the_staffdesk_command_migrates_and_adds_staff_and_kiosks(tmp_path, pg_cluster, desk_server):
    url = pg_cluster.new_database()
    env = {"STAFFDESK_DATA_DIR": str(tmp_path)}
    done = staffdesk("migrate", "--db", url, env=env)
    assert done.returncode == 0 and "newest schema" in done.stdout
    added = staffdesk("add-staff", "ilze", "--centre", "Cēsis", "--db", url, stdin="a good long password\n", env=env)
    assert added.returncode == 0, added.stderr
    again = staffdesk("add-staff", "ilze", "--db", url, stdin="a good long password\n", env=env)
    assert again.returncode == 1 and "exists already" in again.stderr
    short = staffdesk("add-staff", "juris", "--db", url, stdin="short\n", env=env)
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    kiosk = staffdesk("add-kiosk", "entrance", "--db", url, env=env)
    assert kiosk.returncode == 0 and kiosk.stdout.startswith("token = ")
    assert "a good long password" not in kiosk.stdout + kiosk.stderr
    # Without --db the embedded SQLite in the data folder is used, and `python -m staffdesk` is the same command.
    module = subprocess.run([sys.executable, "-m", "staffdesk", "migrate"], capture_output=True, text=True,
                            env={**os.environ, **env}, cwd=ROOT)
    assert module.returncode == 0 and (tmp_path / "staffdesk.sqlite").exists()


def test_a_printed_token_opens_the_kiosk_api(desk_server):
    kiosk = staffdesk("add-kiosk", f"cli-kiosk-{os.getpid()}-{desk_server.backend}", "--db", desk_server.db_url)
    token = kiosk.stdout.strip().removeprefix("token = ")
    with kiosk_http(desk_server, token) as http:
        assert http.post("/api/kiosk/heartbeat", json={"printer_paper": "ok"}).status_code == 204

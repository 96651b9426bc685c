"""The console's words come from the kiosk's catalogues in the staff member's language; the `staffdesk` command works
as documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    ROOT, centre, desk_server, kiosk_http, pg_cluster)
from kiosk.i18n import translate
from kiosk.desk_link import wire
from staffdesk.usage import STAFF_CHANNELS
from staffdesk.words import LANGUAGES, SCRIPT_WORDS, script_words, words

STAFFDESK = Path(sys.executable).parent / "staffdesk"


def test_the_console_speaks_latvian_unless_told_otherwise():
    assert words(None).gettext("Log in") == words("de").gettext("Log in") == "Pieteikties"
    assert words("en").gettext("Log in") == "Log in"
    assert words("uk").gettext("Log in") == "Увійти"
    assert words("lv").gettext("It is your turn! Go to: {desk}") == "Jūsu kārta! Dodieties uz: {desk}"


def test_where_the_desk_words_a_thing_otherwise_than_the_kiosk_both_keep_their_words():
    """One catalogue for both: the desk's own words for a shared English text live under the context "staff desk"."""
    assert words("lv").pgettext("staff desk", "By institution") == "Pa iestādēm"
    assert translate("lv", "By institution") == "Pēc iestādes"
    assert words("lv").pgettext("staff desk", "Find a service") == "Meklēt pakalpojumu"
    assert translate("lv", "Find a service") == "Atrast pakalpojumu"


def test_every_word_the_scripts_ask_for_is_handed_to_them():
    import re
    package = ROOT / "staffdesk"
    asked = set()
    for path in (package / "static").glob("*.js"):
        asked |= set(re.findall(r'\bt\("([a-z_-]+)"\)', path.read_text(encoding="utf-8")))
    # The names the scripts make: a kiosk's levels and problems, today's figures, the ways of a matter.
    asked |= {f"level_{level}" for level in wire.LEVELS} | {"problem_offline", "problem_never-seen",
                                                             "problem_catalogue-refused"}
    asked |= {f"count_{name}" for name in ("calls", "tickets", "served", "no_shows", "bookings", "alerts")}
    asked |= {f"ch_{channel}" for channel in STAFF_CHANNELS} | {"st_consultations", "st_applications"}
    assert asked == set(SCRIPT_WORDS), (asked - set(SCRIPT_WORDS), set(SCRIPT_WORDS) - asked)
    for language in LANGUAGES:
        handed = script_words(language)
        assert all(handed.values()) and handed["call_next"] == words(language).gettext("Call next")


def test_the_pages_take_their_words_from_the_catalogues_only():
    """No word table beside the catalogues: a template asks gettext for its words, in the page's language."""
    import re
    package = ROOT / "staffdesk"
    for path in (package / "templates").glob("*.html"):
        assert not re.search(r"\bt\(", path.read_text(encoding="utf-8")), path
    assert not (package / "messages.py").exists()


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

"""One signed national catalogue for every kiosk: made and signed with the desk's commands, carried by a real desk
(SQLite and PostgreSQL) to real kiosk cores, pilot centres first, taken only between visits; and every bundle a kiosk
must refuse, refused with its reason while the catalogue it has stays in use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import CALM
# Fixtures come in by import: a conftest.py here would shadow tests/conftest.py's helpers.
from tests.support.desk_fixtures import (  # noqa: F401
    DeskServer, desk_settings, make_centre, new_database, pg_cluster)
from kiosk.core import KioskCore
from kiosk.fleet import bundle as bundles
from kiosk.fleet.bundle import BundleRefused, Refusal
from kiosk.fleet.keys import generate, load_private
from kiosk.fleet.store import BundleStore
from staffdesk.fleet import OFFERS_TTL_S, set_centre_layer

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "assets" / "catalog" / "catalog.yaml"
SERVICE = "vsaa-old-age-pension"
# VSAA moves the e-service: the address every kiosk must follow.
MOVED_TO = "https://e.vsaa.gov.lv/pensija"


def catalogue_with_address(url: str) -> bytes:
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    for service in data["services"]:
        if service["id"] == SERVICE:
            service["channels"]["self"]["url"] = url
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


@dataclasses.dataclass
class Publisher:
    private: Path
    public: Path

    @property
    def key(self):
        return load_private(self.private)


def make_publisher(folder: Path, name: str = "national") -> Publisher:
    folder.mkdir(parents=True, exist_ok=True)
    publisher = Publisher(folder / f"{name}.key", folder / f"{name}.pub")
    generate(publisher.private, publisher.public, f"test {name}")
    return publisher


def signed(publisher: Publisher, catalogue: bytes, version: int, expires_in: dt.timedelta = dt.timedelta(days=30)
           ) -> bytes:
    from kiosk.fleet.keys import public_of
    envelope = bundles.unsigned({bundles.CATALOG_FILE: catalogue}, version, bundles.utc_now() + expires_in)
    key = publisher.key
    return bundles.sign(envelope, key, public_of(key))


# ---- the kiosk's rules, on its own copy ---------------------------------------------------------------------

@pytest.fixture
def publisher(tmp_path) -> Publisher:
    return make_publisher(tmp_path / "keys")


@pytest.fixture
def store(tmp_path, publisher) -> BundleStore:
    from kiosk.fleet.keys import load_public
    store = BundleStore(tmp_path / "state", load_public(publisher.public))
    store.offer(signed(publisher, CATALOG.read_bytes(), 5))
    store.switch()
    return store


def _changed_byte(envelope: bytes) -> bytes:
    document = json.loads(envelope)
    import base64
    data = bytearray(base64.b64decode(document["files"][bundles.CATALOG_FILE]))
    data[data.index(b"https://www.vsaa.gov.lv") + 8] ^= 0x01  # one letter of a host: a look-alike site
    document["files"][bundles.CATALOG_FILE] = base64.b64encode(bytes(data)).decode()
    return json.dumps(document).encode()


REFUSED = {
    "signed by another key": lambda tmp, publisher: signed(make_publisher(tmp / "other", "other"),
                                                           catalogue_with_address(MOVED_TO), 6),
    "a changed byte in a file": lambda tmp, publisher: _changed_byte(signed(publisher, CATALOG.read_bytes(), 6)),
    "a lower version": lambda tmp, publisher: signed(publisher, catalogue_with_address(MOVED_TO), 4),
    "expired": lambda tmp, publisher: signed(publisher, catalogue_with_address(MOVED_TO), 6,
                                             expires_in=dt.timedelta(seconds=-1)),
    "a signed catalogue that is not valid": lambda tmp, publisher: signed(
        publisher, catalogue_with_address("http://plain-http.example.lv"), 6),
    "not signed at all": lambda tmp, publisher: bundles.unsigned(
        {bundles.CATALOG_FILE: catalogue_with_address(MOVED_TO)}, 6, bundles.utc_now() + dt.timedelta(days=1)),
    "not a bundle": lambda tmp, publisher: b"<html>captive portal</html>",
}
def _national_layer(text: str):
    def make(tmp, publisher):
        from kiosk.fleet.keys import public_of
        envelope = bundles.unsigned({bundles.CATALOG_FILE: CATALOG.read_bytes(), bundles.NATIONAL_FILE: text.encode()},
                                    6, bundles.utc_now() + dt.timedelta(days=30))
        return bundles.sign(envelope, publisher.key, public_of(publisher.key))
    return make


REFUSED["national settings that set a kiosk's own key"] = _national_layer("[staffdesk]\nurl = https://evil.example\n")
REFUSED["national settings with a value not accepted"] = _national_layer("[visit]\nidle_countdown_s = 5\n")
REASONS = {"national settings that set a kiosk's own key": Refusal.FORBIDDEN_SETTING,
           "national settings with a value not accepted": Refusal.INVALID,
"signed by another key": Refusal.UNTRUSTED, "a changed byte in a file": Refusal.FILE_MISMATCH,
           "a lower version": Refusal.ROLLBACK, "expired": Refusal.EXPIRED,
           "a signed catalogue that is not valid": Refusal.INVALID, "not signed at all": Refusal.UNTRUSTED,
           "not a bundle": Refusal.MALFORMED}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bundle_that_breaks_a_rule_is_refused_with_its_reason_and_the_catalogue_stays(case, store, publisher,
                                                                                       tmp_path):
    running = store.current()
    with pytest.raises(BundleRefused) as refused:
        store.offer(REFUSED[case](tmp_path, publisher))
    assert refused.value.refusal is REASONS[case]
    assert refused.value.detail and "Traceback" not in refused.value.detail
    kept = store.refused()
    assert kept.reason == REASONS[case].value and kept.detail == refused.value.detail
    assert store.pending() is None and store.switch() is None
    assert store.current().version == running.version == 5
    assert store.catalog_path(store.current()).read_bytes() == CATALOG.read_bytes()


def test_the_kept_bundle_is_checked_again_at_start_and_a_tampered_one_is_not_used(store):
    current = store.folder / "current.json"
    current.write_bytes(_changed_byte(current.read_bytes()))
    assert store.current() is None  # the kiosk then serves kiosk.ini's catalogue
    (store.folder / "v5" / bundles.CATALOG_FILE).write_text("services: []")
    assert store.highest() == 5  # and a lower version stays refused, whatever was deleted or changed


def test_a_rollback_is_refused_even_after_the_kept_copy_is_deleted(store, publisher):
    for name in ("current.json", "pending.json"):
        (store.folder / name).unlink(missing_ok=True)
    with pytest.raises(BundleRefused) as refused:
        store.offer(signed(publisher, catalogue_with_address(MOVED_TO), 3))
    assert refused.value.refusal is Refusal.ROLLBACK
    # To undo a bad release, the publisher signs the old content as a new, higher version.
    assert store.offer(signed(publisher, CATALOG.read_bytes(), 6)).version == 6


# ---- published on a real desk, taken by real kiosks -----------------------------------------------------------

def staffdesk(server: DeskServer, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The desk's command, as the national team runs it on the desk."""
    done = subprocess.run([sys.executable, "-m", "staffdesk", "catalogue", *args, "--db", server.db_url], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise AssertionError(f"staffdesk catalogue {' '.join(args)}: {done.returncode}\n{done.stdout}{done.stderr}")
    return done


def sign_offline(publisher: Publisher, unsigned: Path, out: Path) -> Path:
    """Where the key is kept: no database, no desk."""
    subprocess.run([sys.executable, "-m", "staffdesk", "catalogue", "sign", str(unsigned), "--key",
                    str(publisher.private), "--out", str(out)], cwd=ROOT, check=True, capture_output=True,
                   timeout=60)
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def fleet_desk(request, tmp_path, pg_cluster):
    national = make_publisher(tmp_path / "national-keys")
    server = DeskServer(new_database(request.param, pg_cluster, tmp_path), tmp_path / "desk",
                        STAFFDESK_PUBLISHER_KEYS=str(national.public)).start()
    server.publisher = national
    yield server
    server.stop()


def kiosk_core(desk_settings, server: DeskServer, token: str, keys: Path) -> KioskCore:
    settings = desk_settings(server, token)
    catalog = dataclasses.replace(settings.catalog, publisher_keys=keys)
    core = KioskCore(dataclasses.replace(settings, catalog=catalog), CALM)
    # Asks at every heartbeat, not every update_check_s (five minutes): the test beats when it wants the next one.
    core.catalogue_updates.check_s = 0
    core.prepare()
    core.start_services()
    return core


def address_served(core: KioskCore) -> str:
    return core.catalog.service(SERVICE).channels.self_service.url


def on_core_thread(core: KioskCore) -> None:
    """Whatever the kiosk posted to its core's thread has run."""
    import threading
    done = threading.Event()
    core.post(done.set)
    assert done.wait(10)


def publish(server: DeskServer, tmp_path: Path, catalogue: bytes, ring: str, name: str) -> None:
    (tmp_path / f"{name}.yaml").write_bytes(catalogue)
    staffdesk(server, "export", str(tmp_path / f"{name}.yaml"), "--out", str(tmp_path / f"{name}.unsigned.json"))
    signed_file = sign_offline(server.publisher, tmp_path / f"{name}.unsigned.json", tmp_path / f"{name}.json")
    staffdesk(server, "publish", str(signed_file), "--ring", ring)


def test_the_pilot_ring_takes_a_published_catalogue_first_then_everyone_and_never_mid_visit(fleet_desk, tmp_path,
                                                                                            desk_settings):
    pilot_centre, other_centre = make_centre(fleet_desk), make_centre(fleet_desk)
    staffdesk(fleet_desk, "pilot", pilot_centre.name)
    keys = fleet_desk.publisher.public
    pilot = kiosk_core(desk_settings, fleet_desk, pilot_centre.tokens[0], keys)
    other_settings_folder = tmp_path / "other-kiosk"
    other_settings_folder.mkdir()
    other = kiosk_core(lambda server, token: dataclasses.replace(
        desk_settings(server, token), kiosk=dataclasses.replace(desk_settings(server, token).kiosk,
                                                                 state_dir=other_settings_folder / "state"),
        visit=dataclasses.replace(desk_settings(server, token).visit, runtime_dir=other_settings_folder / "runtime")),
        fleet_desk, other_centre.tokens[0], keys)
    try:
        old = address_served(pilot)
        assert address_served(other) == old != MOVED_TO
        # Nothing published: a kiosk asking gets nothing, and runs its own catalogue.
        assert pilot.desk_link.beat() and pilot.catalog.path == pilot.settings.catalog.path

        publish(fleet_desk, tmp_path, catalogue_with_address(MOVED_TO), "pilot", "moved")
        time.sleep(OFFERS_TTL_S + 0.1)  # the desk's processes read the rings again this often
        other.start_visit()  # a resident at the other centre's kiosk all the while
        for core in (pilot, other):
            assert core.desk_link.beat()
            on_core_thread(core)
        assert address_served(pilot) == MOVED_TO
        assert address_served(other) == old  # not in the pilot ring

        staffdesk(fleet_desk, "release", "1", "--ring", "everyone")
        time.sleep(OFFERS_TTL_S + 0.1)
        assert other.desk_link.beat()
        on_core_thread(other)
        assert other.catalogue_updates.store.pending().version == 1
        assert address_served(other) == old  # the resident's visit goes on with what it started with
        assert other.end_visit("resident").clean
        assert address_served(other) == MOVED_TO

        for core in (pilot, other):  # the next heartbeats say what each runs
            assert core.desk_link.beat()
        status = staffdesk(fleet_desk, "status")
        assert "2 of 2 kiosks run the version offered to them" in status.stdout, status.stdout
        assert f"{pilot_centre.name} / {pilot_centre.kiosk_names[0]}: version 1" in status.stdout
    finally:
        pilot.stop()
        other.stop()


def test_a_kiosk_refuses_what_a_taken_over_desk_carries_and_the_desk_shows_it(tmp_path, pg_cluster, desk_settings):
    # Someone took over a desk and made it trust their own key: the kiosks trust only the publisher's.
    national, intruder = make_publisher(tmp_path / "national"), make_publisher(tmp_path / "intruder", "intruder")
    server = DeskServer(new_database("sqlite", pg_cluster, tmp_path), tmp_path / "desk",
                        STAFFDESK_PUBLISHER_KEYS=str(intruder.public)).start()
    server.publisher = intruder
    try:
        centre = make_centre(server)
        core = kiosk_core(desk_settings, server, centre.tokens[0], national.public)
        try:
            old = address_served(core)
            publish(server, tmp_path, catalogue_with_address("https://vsaa.gov.lv.example.net"), "everyone",
                    "look-alike")
            time.sleep(OFFERS_TTL_S + 0.1)
            assert core.desk_link.beat()
            on_core_thread(core)
            assert address_served(core) == old
            assert core.catalogue_updates.store.refused().reason == Refusal.UNTRUSTED.value
            assert core.desk_link.beat()  # the refusal goes out with the next heartbeat
            status = staffdesk(server, "status", check=False)
            assert status.returncode == 1
            assert "refused 1 untrusted-signature" in status.stdout, status.stdout
        finally:
            core.stop()
    finally:
        server.stop()


def test_the_desk_refuses_to_carry_a_bundle_its_publisher_did_not_sign(fleet_desk, tmp_path):
    (tmp_path / "c.yaml").write_bytes(CATALOG.read_bytes())
    staffdesk(fleet_desk, "export", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "u.json"))
    stranger = make_publisher(tmp_path / "stranger", "stranger")
    sign_offline(stranger, tmp_path / "u.json", tmp_path / "s.json")
    refused = staffdesk(fleet_desk, "publish", str(tmp_path / "s.json"), check=False)
    assert refused.returncode == 1
    assert "untrusted-signature" in refused.stderr and "nothing was published" in refused.stderr
    assert "Traceback" not in refused.stderr


# ---- settings in layers ---------------------------------------------------------------------------------------

def layered_ini(tmp_path: Path, keys: Path) -> Path:
    """The repository's kiosk.ini, following the national catalogue with its state in the test's folder."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    text = text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
    text = text.replace("publisher_keys =\n", f"publisher_keys = {keys}\n")
    text = text.replace("path = assets/catalog/catalog.yaml", f"path = {CATALOG}")
    text = text.replace("trusted_ca = build/demo-ca/ca.pem", f"trusted_ca = {CATALOG}")  # any file: not used here
    ini = tmp_path / "kiosk.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


def test_national_then_centre_settings_lie_over_kiosk_ini_and_a_centre_cannot_widen_the_allow_list(
        store, publisher, tmp_path):
    from kiosk.fleet.layers import LayerRefused
    from kiosk.fleet.layered import load_layered
    ini = layered_ini(tmp_path, publisher.public)
    national = _national_layer("[printing]\npage_quota = 30\n[visit]\nidle_warning_s = 120\n")(tmp_path, publisher)
    assert store.offer(national) is not None and store.switch().version == 6
    assert store.keep_centre_layer({"revision": 1, "values": {"centre": {"name": "Cēsu KAC"},
                                                               "printing": {"page_quota": "10"}}})
    settings = load_layered(ini)
    assert settings.centre.name == "Cēsu KAC"
    assert settings.printing.page_quota == 10  # the centre's, over the national 30
    assert settings.visit.idle_warning_s == 120  # the national one, over kiosk.ini's 90
    assert settings.printing.a4_queue == "" and settings.kiosk.id == "demo-kiosk-1"  # the kiosk's own stay
    with pytest.raises(LayerRefused) as refused:
        store.keep_centre_layer({"revision": 2, "values": {"browser": {"allowed_hosts": "vsaa.gov.lv.example.net"}}})
    assert "allow-list" in str(refused.value) or "national catalogue's to allow" in str(refused.value)
    assert load_layered(ini).browser.allowed_hosts == settings.browser.allowed_hosts  # the kept layer stays
    assert store.centre_layer_revision() == 1


def test_a_centre_manager_sets_the_centres_layer_and_the_kiosk_takes_it_and_starts_again(fleet_desk, tmp_path,
                                                                                        desk_settings):
    from sqlalchemy import select
    from staffdesk import fleet
    from staffdesk.core.db import make_engine, make_sessionmaker
    from staffdesk.models import Centre
    from kiosk import events
    from conftest import Listener
    centre = make_centre(fleet_desk)
    engine = make_engine(fleet_desk.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            row = session.scalar(select(Centre).where(Centre.name == centre.name))
            with pytest.raises(fleet.FleetError) as refused:
                fleet.set_centre_layer(session, row, {"browser": {"allowed_hosts": "evil.example.lv"}})
            assert "national catalogue's to allow" in str(refused.value)
            fleet.set_centre_layer(session, row, {"centre": {"name": "Valkas KAC", "desk_direction": "right"}})
    finally:
        engine.dispose()
    core = kiosk_core(desk_settings, fleet_desk, centre.tokens[0], fleet_desk.publisher.public)
    heard = Listener(core)
    try:
        assert core.desk_link.beat()
        on_core_thread(core)
        assert isinstance(heard.wait_for(events.SettingsChanged), events.SettingsChanged)
        assert core.catalogue_updates.settings_waiting
        from kiosk.fleet.layers import kept_centre_layer
        assert kept_centre_layer(core.settings.kiosk.state_dir) == {
            "centre": {"name": "Valkas KAC", "desk_direction": "right"}}
        assert core.desk_link.beat()  # asked again: the same revision, nothing new
        assert core.catalogue_updates.store.centre_layer_revision() == 1
    finally:
        core.stop()


# ---- the console's catalogue page --------------------------------------------------------------------------------

def test_the_national_team_publishes_from_the_console_and_a_manager_sets_only_the_centres_keys(fleet_desk, tmp_path,
                                                                                              desk_settings):
    import re
    from staffdesk.cli import create_staff
    from tests.support.desk_fixtures import PASSWORD, StaffBrowser
    centre = make_centre(fleet_desk)
    create_staff(fleet_desk.db_url, "national-1", PASSWORD, centre.name, "national")
    create_staff(fleet_desk.db_url, "manager-1", PASSWORD, centre.name, "manager")
    national, manager = StaffBrowser(fleet_desk, "national-1"), StaffBrowser(fleet_desk, "manager-1")
    staff = StaffBrowser(fleet_desk, centre.staff_name)
    try:
        assert staff.http.get("/fleet").status_code == 403  # a desk's staff member sees no such page
        # 1. A catalogue that `kiosk catalog check` would refuse is refused here, with the same sentence.
        broken = national.http.post("/fleet/export", data={"csrf_token": national.csrf},
                                    files={"catalogue": ("catalog.yaml", catalogue_with_address("http://x.lv"))})
        assert broken.status_code == 303
        page = national.http.get(broken.headers["location"])
        assert page.status_code == 422 and "https://" in page.text and "field" in page.text
        # 2. The good one comes back unsigned, is signed where the key is, and is published to everyone.
        unsigned = national.http.post("/fleet/export", data={"csrf_token": national.csrf, "note": "VSAA moved"},
                                      files={"catalogue": ("catalog.yaml", catalogue_with_address(MOVED_TO))})
        assert unsigned.status_code == 200 and "attachment" in unsigned.headers["content-disposition"]
        (tmp_path / "unsigned.json").write_bytes(unsigned.content)
        signed_file = sign_offline(fleet_desk.publisher, tmp_path / "unsigned.json", tmp_path / "signed.json")
        published = national.http.post("/fleet/publish", data={"csrf_token": national.csrf, "ring": "everyone"},
                                       files={"bundle": ("signed.json", signed_file.read_bytes())})
        assert published.status_code == 303 and "done=published-1" in published.headers["location"]
        # Without the CSRF token nothing is published.
        assert national.http.post("/fleet/publish", data={"ring": "everyone"},
                                  files={"bundle": ("signed.json", signed_file.read_bytes())}).status_code == 403
        core = kiosk_core(desk_settings, fleet_desk, centre.tokens[0], fleet_desk.publisher.public)
        try:
            assert core.desk_link.beat()
            on_core_thread(core)
            assert address_served(core) == MOVED_TO
            assert core.desk_link.beat()
            page = national.http.get("/fleet")
            row = re.search(rf'<tr data-kiosk="{centre.kiosk_names[0]}">(.*?)</tr>', page.text).group(1)
            assert '<td class="version">1</td>' in row and "VSAA moved" in page.text
        finally:
            core.stop()
        # 3. A manager sets the centre's name, and may not add a host the browser opens.
        saved = manager.http.post("/fleet/centre-settings", data={"csrf_token": manager.csrf,
                                                                  "centre.name": "Cēsu KAC"})
        assert "done=centre-settings-1" in saved.headers["location"]
        refused = manager.http.post("/fleet/centre-settings", data={
            "csrf_token": manager.csrf, "centre.name": "Cēsu KAC", "browser.allowed_hosts": "evil.example.lv"})
        page = manager.http.get(refused.headers["location"])
        assert page.status_code == 422 and "national catalogue" in page.text
        assert manager.http.post("/fleet/publish", data={"csrf_token": manager.csrf},
                                 files={"bundle": ("s.json", b"{}")}).status_code == 403
    finally:
        for browser in (national, manager, staff):
            browser.http.close()


def test_kiosk_run_starts_again_by_itself_with_the_centres_new_settings(fleet_desk, tmp_path, test_ca):
    """The real `kiosk run`: it takes the centre's settings at its first heartbeat, and, at the greeting with
    nobody at it, executes itself anew (the same process, as systemd's unit sees it) with them."""
    import select
    from sqlalchemy import select as query
    from staffdesk.core.db import make_engine, make_sessionmaker
    from staffdesk.models import Centre
    centre = make_centre(fleet_desk)
    engine = make_engine(fleet_desk.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            set_centre_layer(session, session.scalar(query(Centre).where(Centre.name == centre.name)),
                             {"centre": {"name": "Alūksnes KAC"}})
    finally:
        engine.dispose()
    ini = layered_ini(tmp_path, fleet_desk.publisher.public)
    text = ini.read_text(encoding="utf-8")
    for old, new in ((f"trusted_ca = {CATALOG}", f"trusted_ca = {test_ca.pem_path}"),
                     ("runtime_dir = build/runtime", f"runtime_dir = {tmp_path / 'runtime'}"),
                     ("reader =\n", "reader = Virtual PCD 00 01\n"),  # never the card tests' reader
                     ("url =\n", f"url = {fleet_desk.url}\n"), ("token =\n", f"token = {centre.tokens[0]}\n")):
        assert old in text, old
        text = text.replace(old, new)
    ini.write_text(text, encoding="utf-8")
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_FILELOG": "1"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "kiosk"), "run", "--config", str(ini),
                                "--windowed"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    seen, deadline = [], time.monotonic() + 90
    try:
        while time.monotonic() < deadline and sum("ready" in line for line in seen) < 2:
            if select.select([process.stderr], [], [], 1)[0]:
                seen.append(process.stderr.readline())
        assert sum("kiosk demo-kiosk-1 ready" in line for line in seen) == 2, "".join(seen)
        assert any("starting again with the new settings" in line for line in seen), "".join(seen)
        assert process.poll() is None  # the same process, going on
        from kiosk.fleet.layered import load_layered
        assert load_layered(ini).centre.name == "Alūksnes KAC"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    assert "Traceback" not in "".join(seen)

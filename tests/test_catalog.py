"""The catalogue file: what it must cover, strict validation with precise messages, and the last-good fallback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.catalog import load_with_fallback
from kiosk.catalog.model import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "assets" / "catalog" / "catalog.yaml"
KIOSK = str(Path(sys.executable).parent / "kiosk")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


def test_the_shipped_catalogue_is_valid_and_covers_the_source_article(catalog):
    by_institution = {}
    for service in catalog.services:
        by_institution.setdefault(service.institution.code, []).append(service)
    authorised = {code: [s for s in services if s.channels.authorised] for code, services in by_institution.items()}
    assert len(authorised["VSAA"]) >= 20
    assert len(authorised["LDC"]) >= 7
    assert len(authorised["VID"]) >= 2
    paper = {code: [s for s in services if s.channels.paper] for code, services in by_institution.items()}
    assert len(paper["VID"]) >= 3 and len(paper["VSAA"]) >= 19
    video = {code for code, services in by_institution.items() if any(s.channels.video for s in services)}
    assert {"VSAA", "VID", "VZD"} <= video
    information = {s.institution.code for s in catalog.services if s.kind == "information"}
    assert len(information) >= 12
    assert len(by_institution["PMLP"]) >= 2  # visa application and residence-permit questionnaire
    assert all(s.channels.in_person for s in catalog.services)


def test_every_entry_has_all_three_languages_and_a_checked_source(catalog):
    for service in catalog.services:
        for language in ("lv", "en", "uk"):
            assert service.name.get(language) and service.description.get(language)
        assert service.source.startswith("https://")
        assert service.checked.year >= 2023


def broken_copy(tmp_path, change):
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def first_id(data):
    return data["services"][0]["id"]


@pytest.mark.parametrize("change, field, problem", [
    (lambda d: d["services"][0]["name"].pop("uk"), "name.uk", "is missing"),
    (lambda d: d["services"][0].update(kind="webpage"), "kind", "expected one of e-service"),
    (lambda d: d["services"][0].update(institution="XYZ"), "institution", "'XYZ' is not among the institutions"),
    (lambda d: d["services"][0]["description"].update(lv="x" * 300), "description.lv", "at most 200"),
    (lambda d: d["services"][0].update(channels={}), "channels", "at least one way"),
    (lambda d: d["services"][0]["channels"].update(paper="yes"), "channels.paper", "expected true or false"),
    (lambda d: d["services"][0].update(life_situations=["moon-landing"]), "life_situations",
     "'moon-landing' is not among the life situations"),
    (lambda d: d["services"][0].update(checked="yesterday"), "checked", "YYYY-MM-DD"),
    (lambda d: d["services"][0].update(source="http://example.lv"), "source", "https://"),
    (lambda d: d["services"][0].update(colour="red"), "colour", "is not a known field"),
    # A Ukrainian reader meets "NVA" as three letters: the name goes first.
    (lambda d: d["services"][0]["description"].update(uk="Зареєструйтеся в NVA."), "description.uk",
     "uses 'NVA' alone; write the name with the letters after it: 'Державне агентство зайнятості (NVA)'"),
])
def test_each_mistake_names_the_entry_the_field_and_what_is_wrong(tmp_path, change, field, problem):
    data_id = first_id(yaml.safe_load(CATALOG.read_text(encoding="utf-8")))
    with pytest.raises(CatalogError) as caught:
        load_catalog(broken_copy(tmp_path, change))
    message = str(caught.value)
    assert f"entry {data_id}" in message and f"field '{field}'" in message and problem in message, message


def test_a_duplicate_id_is_named(tmp_path):
    def duplicate(data):
        data["services"].append(dict(data["services"][0]))
    with pytest.raises(CatalogError, match="appears twice"):
        load_catalog(broken_copy(tmp_path, duplicate))


def test_text_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("schema: 1\nservices: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="line [0-9]+ is not valid YAML"):
        load_catalog(path)


def test_catalog_check_command_exit_codes(tmp_path):
    good = subprocess.run([KIOSK, "catalog", "check", str(CATALOG)], capture_output=True, text=True)
    assert good.returncode == 0 and "valid" in good.stdout
    bad = broken_copy(tmp_path, lambda d: d["services"][1].update(kind="webpage"))
    broken = subprocess.run([KIOSK, "catalog", "check", str(bad)], capture_output=True, text=True)
    assert broken.returncode == 2
    assert broken.stderr.count("\n") == 1 and "field 'kind'" in broken.stderr and "Traceback" not in broken.stderr


def test_a_broken_catalogue_keeps_the_last_good_one(tmp_path):
    state = tmp_path / "state"
    path = tmp_path / "catalog.yaml"
    path.write_bytes(CATALOG.read_bytes())
    first = load_with_fallback(path, state)
    assert first.problem is None and (state / "catalog.last-good.yaml").exists()
    path.write_text("schema: 1\nversion: x\n", encoding="utf-8")  # an update that went wrong
    second = load_with_fallback(path, state)
    assert second.from_last_good and second.catalog.services == first.catalog.services
    assert "is missing" in second.problem
    # With no last good copy there is no catalogue, but still no exception.
    third = load_with_fallback(path, tmp_path / "empty-state")
    assert third.catalog is None and third.problem


def test_doctor_reports_a_broken_catalogue_and_the_fallback(tmp_path, pcscd, test_ca, print_lab):
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    text = text.replace("cups_server =", f"cups_server = {print_lab.socket}")
    text = text.replace("runtime_dir = build/runtime", f"runtime_dir = {tmp_path / 'runtime'}")
    text = text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_bytes(CATALOG.read_bytes())
    text = text.replace("path = assets/catalog/catalog.yaml", f"path = {catalog}")
    text = text.replace("trusted_ca = build/demo-ca/ca.pem", f"trusted_ca = {test_ca.pem_path}")
    policies = tmp_path / "policies"
    policies.mkdir()
    text = text.replace("policies_dir = /etc/chromium/policies/managed", f"policies_dir = {policies}")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(text, encoding="utf-8")
    env = {**os.environ, "DISPLAY": os.environ.get("DISPLAY", ":0")}
    subprocess.run([KIOSK, "browser", "policies", "--config", str(ini), "--out", str(policies / "kac-kiosk.json")],
                   check=True, capture_output=True)
    healthy = subprocess.run([KIOSK, "doctor", "--config", str(ini)], env=env, capture_output=True, text=True)
    assert healthy.returncode == 0, healthy.stdout
    catalog.write_text("schema: 2\n", encoding="utf-8")
    result = subprocess.run([KIOSK, "doctor", "--config", str(ini)], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "catalogue" in line)
    assert line.startswith("FAIL") and "last good copy" in line


def test_catalog_search_command_prints_json_best_first(tmp_path):
    import json
    result = subprocess.run([KIOSK, "catalog", "search", "--lang", "en", "--limit", "3", "--json",
                             "--catalog", str(CATALOG), "slimibas lapa"], capture_output=True, text=True)
    assert result.returncode == 0
    items = json.loads(result.stdout)
    assert 1 <= len(items) <= 3
    first = items[0]
    assert first["id"] == "vsaa-sickness-benefit"
    assert first["name"] == "Sickness benefit" and first["name_lv"] == "Slimības pabalsts"
    assert first["institution"] == "VSAA"
    assert first["channels"][0] == "self" and "in_person" in first["channels"]
    assert [item["score"] for item in items] == sorted((item["score"] for item in items), reverse=True)
    nothing = subprocess.run([KIOSK, "catalog", "search", "--json", "--catalog", str(CATALOG), "xyzzy"],
                             capture_output=True, text=True)
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []

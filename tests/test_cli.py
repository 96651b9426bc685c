"""The `kiosk` command as an administrator uses it: run, doctor and hash-pin, with their exit statuses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.admin_pin import verify_pin

ROOT = Path(__file__).resolve().parent.parent
KIOSK = str(Path(sys.executable).parent / "kiosk")


def kiosk(*args, stdin="", env=None):
    return subprocess.run([KIOSK, *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def ini_with(tmp_path, old, new, trusted_ca=None):
    """The repository's kiosk.ini with its folders in tmp_path and the catalogue read from the repository."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    if trusted_ca is not None:
        text = text.replace("trusted_ca = build/demo-ca/ca.pem", f"trusted_ca = {trusted_ca}")
    text = text.replace("runtime_dir = build/runtime", f"runtime_dir = {tmp_path / 'runtime'}")
    text = text.replace("state_dir = build/state", f"state_dir = {tmp_path / 'state'}")
    text = text.replace("path = assets/catalog/catalog.yaml", f"path = {ROOT / 'assets/catalog/catalog.yaml'}")
    assert old in text
    path = tmp_path / "kiosk.ini"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_run_with_a_broken_kiosk_ini_exits_2_with_one_sentence(tmp_path):
    path = ini_with(tmp_path, "idle_warning_s = 90", "idle_warning_s = 9x")
    result = kiosk("run", "--config", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (f"{path}: section [visit], key 'idle_warning_s' has the value '9x', "
                                     "which is not accepted; expected a whole number from 10 to 3600.")
    assert "Traceback" not in result.stderr


def test_run_with_a_missing_kiosk_ini_exits_2(tmp_path):
    result = kiosk("run", "--config", str(tmp_path / "missing.ini"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_doctor_prints_a_line_per_check_and_exits_0_when_all_is_well(tmp_path, pcscd, test_ca, print_lab):
    path = ini_with(tmp_path, "cups_server =", f"cups_server = {print_lab.socket}", trusted_ca=test_ca.pem_path)
    policies = tmp_path / "policies"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "receipt_printer = none", "receipt_printer = cups:kac-receipt").replace(
        "policies_dir = /etc/chromium/policies/managed", f"policies_dir = {policies}"))
    policies.mkdir()
    assert kiosk("browser", "policies", "--config", str(path), "--out", str(policies / "kac-kiosk.json"))\
        .returncode == 0
    result = kiosk("doctor", "--config", str(path), env={"DISPLAY": os.environ.get("DISPLAY", ":0")})
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout
    assert [line.split(":")[0].split(None, 1)[1] for line in lines] == [
        "configuration", "runtime directory", "catalogue", "national catalogue", "card reader", "eID trust",
        "A4 printer", "receipt printer", "scanner", "translations", "icon font", "display", "staff desk outbox", "browser",
        "browser sandbox", "browser window guard", "browser policies", "eID in the browser", "speech"]
    assert all(line.startswith("ok") for line in lines)
    # The tests run as root: all is well for a developer's checkout, and the doctor says it is not for a kiosk.
    assert any(line.startswith("ok    browser sandbox: WARNING: the kiosk runs as root, so Chromium runs WITHOUT "
                               "its sandbox") for line in lines)


def test_doctor_says_when_the_browser_policies_are_missing_or_differ(tmp_path):
    policies = tmp_path / "policies"
    path = ini_with(tmp_path, "policies_dir = /etc/chromium/policies/managed", f"policies_dir = {policies}")
    missing = kiosk("doctor", "--config", str(path), "--json")
    [check] = [c for c in json.loads(missing.stdout) if c["name"] == "browser policies"]
    assert not check["ok"] and "none installed" in check["detail"] and "kiosk browser policies --out" in check["detail"]
    policies.mkdir()
    installed = json.loads(kiosk("browser", "policies", "--config", str(path)).stdout)
    installed["URLAllowlist"].append("example.com")  # someone loosened the list by hand
    (policies / "kac-kiosk.json").write_text(json.dumps(installed))
    differing = kiosk("doctor", "--config", str(path), "--json")
    [check] = [c for c in json.loads(differing.stdout) if c["name"] == "browser policies"]
    assert not check["ok"] and "URLAllowlist" in check["detail"] and "no e-service opens here" in check["detail"]
    # A developer's checkout may open pages without them, and is told that a kiosk may not.
    path.write_text(path.read_text(encoding="utf-8").replace("require_policies = yes", "require_policies = no"))
    developer = kiosk("doctor", "--config", str(path), "--json")
    [check] = [c for c in json.loads(developer.stdout) if c["name"] == "browser policies"]
    assert check["ok"] and check["detail"].startswith("WARNING: ") and "never on a KAC computer" in check["detail"]


def test_doctor_json_reports_a_failing_check_and_exits_1(tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the runtime folder should be")
    path = ini_with(tmp_path, f"runtime_dir = {tmp_path / 'runtime'}", f"runtime_dir = {blocked / 'runtime'}")
    result = kiosk("doctor", "--config", str(path), "--json", env={"DISPLAY": ":0"})
    assert result.returncode == 1
    checks = {check["name"]: check for check in json.loads(result.stdout)}
    assert checks["configuration"]["ok"] is True
    assert checks["runtime directory"]["ok"] is False
    assert "runtime_dir" in checks["runtime directory"]["detail"]


def test_doctor_with_a_broken_kiosk_ini_exits_2(tmp_path):
    path = ini_with(tmp_path, "corner_taps = 5", "corner_taps = 50")
    result = kiosk("doctor", "--config", str(path))
    assert result.returncode == 2 and "'corner_taps' has the value '50'" in result.stderr


def test_hash_pin_reads_standard_input_and_prints_a_line_for_kiosk_ini():
    result = kiosk("hash-pin", stdin="975310\n")
    assert result.returncode == 0
    key, value = result.stdout.strip().split(" = ")
    assert key == "pin_hash" and verify_pin("975310", value)
    assert "975310" not in result.stdout


def test_hash_pin_refuses_a_short_pin():
    result = kiosk("hash-pin", stdin="123\n")
    assert result.returncode == 1 and "6 to 12 digits" in result.stderr


# Its kiosk.ini watches the first card reader, where the card tests put their cards: it runs beside them, not
# at the same time (make test runs the tests marked `cards` in a process of their own).
@pytest.mark.cards
def test_run_starts_the_window_wipes_leftovers_tells_systemd_and_stops_cleanly_on_sigterm(tmp_path):
    import select
    import signal
    import socket
    import time
    path = ini_with(tmp_path, "idle_warning_s = 90", "idle_warning_s = 90")
    leftover = tmp_path / "runtime" / "visit-00aa"
    leftover.mkdir(parents=True)
    (leftover / "scan.pdf").write_bytes(b"%PDF")
    # systemd's side of Type=notify with WatchdogSec=2: a datagram socket the kiosk is told of, as systemd does.
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(str(tmp_path / "notify"))
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_FILELOG": "1",
           "NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}
    process = subprocess.Popen([KIOSK, "run", "--config", str(path), "--windowed"], stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True, env=env)
    seen, deadline = [], time.monotonic() + 60
    try:
        while time.monotonic() < deadline and not any("ready" in line for line in seen):
            if select.select([process.stderr], [], [], 1)[0]:
                seen.append(process.stderr.readline())
        assert any("kiosk demo-kiosk-1 ready" in line for line in seen), "".join(seen)
        assert not leftover.exists()
        told = notifications(systemd, until=lambda told: told.count("WATCHDOG=1") >= 3, timeout_s=30)
        assert told[0].startswith("READY=1"), told  # once the first frame is on screen, before any ping
        assert told.count("WATCHDOG=1") >= 3, told  # every second (half of WatchdogSec), whatever WATCHDOG_PID
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
        assert "STOPPING=1" in notifications(systemd, until=lambda told: "STOPPING=1" in told, timeout_s=5)
    finally:
        process.kill()
        systemd.close()
    assert process.returncode == 0
    assert "kiosk closed by SIGTERM" in rest
    # The tests run as root: the kiosk says at once that its browser would run without Chromium's sandbox.
    assert "Warning: the kiosk runs as root, so Chromium runs WITHOUT its sandbox" in "".join(seen)
    assert "Traceback" not in "".join(seen) + rest


def notifications(systemd, until, timeout_s: float) -> list[str]:
    """What arrived on the notify socket, a message each, until `until(messages)` or the time is up."""
    import time
    told, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline and not until(told):
        systemd.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            told.append(systemd.recv(4096).decode())
        except TimeoutError:
            break
    return told


def ini_outside_the_checkout(tmp_path, catalog_path):
    """The repository's kiosk.ini copied into tmp_path with its relative paths as written, [catalog] path replaced."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    assert "path = assets/catalog/catalog.yaml" in text
    path = tmp_path / "kiosk.ini"
    path.write_text(text.replace("path = assets/catalog/catalog.yaml", f"path = {catalog_path}"), encoding="utf-8")
    return path.resolve()


def no_catalogue_sentence(ini):
    folder = ini.parent
    return (f"{ini}: section [catalog], key 'path' has the value 'assets/catalog/catalog.yaml', read as "
            f"{folder / 'assets/catalog/catalog.yaml'} (a relative path is read from {folder}), which does not "
            f"exist, and there is no last good copy at {folder / 'build/state/catalog.last-good.yaml'} to use "
            f"instead; expected the path of an e-service catalogue file, such as "
            f"{ROOT / 'assets/catalog/catalog.yaml'}.")


@pytest.mark.parametrize("command", [
    ["ticket", "--service", "vsaa-paternity-benefit", "--number", "A-001", "--out", "OUT"],
    ["authorisation", "--service", "vsaa-paternity-benefit", "--out", "OUT"],
    ["catalog", "search", "slimibas"],
    ["run", "--windowed"],
], ids=["ticket", "authorisation", "catalog search", "run"])
def test_every_command_that_needs_the_catalogue_names_catalog_path_and_exits_2(tmp_path, command):
    ini = ini_outside_the_checkout(tmp_path, "assets/catalog/catalog.yaml")
    out = tmp_path / "out"
    result = kiosk(*[str(out) if word == "OUT" else word for word in command], "--config", str(ini))
    assert result.returncode == 2
    assert result.stderr.strip() == no_catalogue_sentence(ini)
    assert result.stdout == "" and not out.exists()


def test_catalog_check_names_catalog_path_when_the_file_is_missing(tmp_path):
    ini = ini_outside_the_checkout(tmp_path, "assets/catalog/catalog.yaml")
    result = kiosk("catalog", "check", "--config", str(ini))
    assert result.returncode == 2
    # Checking the file itself: a last good copy would not make it valid, so the sentence does not mention one.
    assert result.stderr.strip() == no_catalogue_sentence(ini).replace(
        f", and there is no last good copy at {ini.parent / 'build/state/catalog.last-good.yaml'} to use instead", "")


def test_doctor_reports_no_catalogue_as_a_failing_line_and_exits_2(tmp_path):
    ini = ini_outside_the_checkout(tmp_path, "assets/catalog/catalog.yaml")
    result = kiosk("doctor", "--config", str(ini), env={"DISPLAY": ":0"})
    assert result.returncode == 2, result.stdout
    assert f"FAIL  catalogue: {no_catalogue_sentence(ini)}" in result.stdout.splitlines()
    assert "configuration" in result.stdout and "scanner" in result.stdout  # the other checks still ran
    assert "Traceback" not in result.stderr


def test_a_relative_catalog_path_is_read_from_the_folder_of_kiosk_ini(tmp_path):
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "services.yaml").write_bytes((ROOT / "assets/catalog/catalog.yaml").read_bytes())
    ini = ini_outside_the_checkout(tmp_path, "catalogue/services.yaml")
    result = kiosk("catalog", "search", "--json", "--lang", "en", "slimibas lapa", "--config", str(ini))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "vsaa-sickness-benefit"
    # Found there, it is now kept as the last good copy in the state_dir beside it.
    assert (tmp_path / "build" / "state" / "catalog.last-good.yaml").exists()


def test_register_eid_puts_the_cards_module_where_chromium_finds_it_and_doctor_says_so(tmp_path):
    home = tmp_path / "kiosk-user"
    path = ini_with(tmp_path, "pkcs11_module =", "pkcs11_module = /usr/lib/softhsm/libsofthsm2.so")
    path.write_text(path.read_text(encoding="utf-8").replace("\nhome =\n", f"\nhome = {home}\n"), encoding="utf-8")
    (tmp_path / "tokens").mkdir()
    (tmp_path / "softhsm2.conf").write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n")
    env = {"SOFTHSM2_CONF": str(tmp_path / "softhsm2.conf")}
    before = kiosk("doctor", "--config", str(path), "--json", env=env)
    [check] = [c for c in json.loads(before.stdout) if c["name"] == "eID in the browser"]
    assert not check["ok"] and "kiosk browser register-eid" in check["detail"]
    registered = kiosk("browser", "register-eid", "--config", str(path), env=env)
    assert registered.returncode == 0, registered.stderr
    assert "registered in" in registered.stdout and "and loads" in registered.stdout
    assert (home / ".pki" / "nssdb" / "pkcs11.txt").exists()
    after = kiosk("doctor", "--config", str(path), "--json", env=env)
    [check] = [c for c in json.loads(after.stdout) if c["name"] == "eID in the browser"]
    assert check["ok"], check

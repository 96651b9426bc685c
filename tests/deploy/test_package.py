"""kac-kiosk installed into a fresh Debian 12 root as an administrator installs it: its user, files, settings,
units, upgrade and removal. The roots and the build are in conftest.py."""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

KIOSK = "/opt/venvs/kac-kiosk/bin/kiosk"
CONFIG = "/etc/kac-kiosk/kiosk.ini"
POLICIES = "/etc/chromium/policies/managed/kac-kiosk.json"
KIOSK_UNITS = ("kac-kiosk.service", "kac-kiosk-out-of-order.service", "kac-kiosk-automount.service",
               "kac-kiosk-policies.path", "kac-kiosk-policies.service")
DEFAULTS = "/usr/share/kac-kiosk/kiosk.ini.default"
CUPS_SETTINGS = {"PreserveJobFiles": "No", "PreserveJobHistory": "No", "MaxJobTime": "300",
                 "ErrorPolicy": "abort-job", "WebInterface": "No"}


def stat(root, path: str) -> tuple[str, str, str]:
    """owner, group and octal mode of a file in the root, as the root's own users and groups name them."""
    owner, group, mode = root.run("stat", "-c", "%U %G %a", path).stdout.split()
    return owner, group, mode


def test_kiosk_installs_into_a_fresh_root_with_its_depends_alone(kiosk_root):
    status = kiosk_root.run("dpkg-query", "-W", "-f", "${Status} ${Version}", "kac-kiosk").stdout
    assert status.startswith("install ok installed"), status
    kiosk_root.run("apt-get", "check")
    # A kiosk.ini that cannot be used yet (no eID CA) did not fail the installation: the setup said what to do.
    assert "What is left to do on this kiosk computer" in kiosk_root.install_log
    assert "/etc/kac-kiosk/eid-ca.pem does not exist" in kiosk_root.install_log
    assert "pin_hash is still the demo's" in kiosk_root.install_log
    # Debian's Xwrapper.config lets a console user start Xorg, as the unit does: nothing to say about it.
    assert "Xwrapper.config" not in kiosk_root.install_log


def test_the_kiosk_user_has_exactly_its_groups_and_no_login(kiosk_root):
    entry = kiosk_root.run("getent", "passwd", "kiosk").stdout.strip().split(":")
    assert entry[5] == "/var/lib/kac-kiosk"
    assert entry[6] == "/usr/sbin/nologin"
    assert int(entry[2]) < 1000, "a system user"
    assert kiosk_root.run("getent", "shadow", "kiosk").stdout.split(":")[1] in ("*", "!", "!*")
    groups = set(kiosk_root.run("id", "-nG", "kiosk").stdout.split())
    assert groups == {"kiosk", "scanner", "lp", "dialout", "audio"}
    assert stat(kiosk_root, "/var/lib/kac-kiosk") == ("kiosk", "kiosk", "700")


def test_kiosk_ini_is_a_conffile_for_a_real_kiosk_readable_by_the_kiosk_alone(kiosk_root):
    # What the package shipped (the session's other tests may have edited /etc/kac-kiosk/kiosk.ini since, as an
    # administrator would): dpkg's own record of the conffile, and the package's copy of it.
    conffiles = kiosk_root.run("dpkg-query", "-W", "-f", "${Conffiles}", "kac-kiosk").stdout
    shipped = dict(line.split()[:2] for line in conffiles.strip().splitlines())
    assert shipped[CONFIG] == kiosk_root.run("md5sum", DEFAULTS).stdout.split()[0]
    assert stat(kiosk_root, CONFIG) == ("root", "kiosk", "640")
    text = (kiosk_root.path / DEFAULTS.lstrip("/")).read_text()
    values = dict(re.findall(r"^(\w+) = (.*)$", text, flags=re.M))
    assert values["state_dir"] == "/var/lib/kac-kiosk/state"
    assert values["runtime_dir"] == "/run/kac-kiosk/visits"
    assert values["path"] == "/usr/share/kac-kiosk/catalog/catalog.yaml"
    assert values["trusted_ca"] == "/etc/kac-kiosk/eid-ca.pem"
    assert values["usb_mount_root"] == "/media/kiosk"
    assert values["home"] == "/var/lib/kac-kiosk"
    assert values["policies_dir"] == "/etc/chromium/policies/managed"
    assert values["fullscreen"] == "yes"
    # The kiosk user reads it and its catalogue as the kiosk does.
    kiosk_root.run(KIOSK, "catalog", "check", "--config", DEFAULTS, user="kiosk")


def test_chromium_policies_are_root_owned_read_only_and_the_kiosks_own(kiosk_root):
    assert stat(kiosk_root, POLICIES) == ("root", "root", "644")
    assert stat(kiosk_root, "/etc/chromium/policies/managed") == ("root", "root", "755")
    installed = json.loads((kiosk_root.path / POLICIES.lstrip("/")).read_text())
    fresh = json.loads(kiosk_root.run(KIOSK, "browser", "policies", "--config", CONFIG, user="kiosk").stdout)
    assert installed == fresh
    assert installed["URLBlocklist"][0] == "*"


def test_cups_keeps_no_job_files_or_history(kiosk_root):
    lines = [line.split() for line in (kiosk_root.path / "etc/cups/cupsd.conf").read_text().splitlines()]
    for key, value in CUPS_SETTINGS.items():
        assert [words[1:] for words in lines if words and words[0] == key] == [[value]], key


def test_kiosk_setup_changes_nothing_the_second_time(kiosk_root):
    cupsd, policies = kiosk_root.path / "etc/cups/cupsd.conf", kiosk_root.path / POLICIES.lstrip("/")
    kiosk_root.run("kac-kiosk-setup", check=False)
    before = [(path.read_bytes(), path.stat().st_mode) for path in (cupsd, policies)]
    done = kiosk_root.run("kac-kiosk-setup", check=False)
    assert "CUPS already keeps no job files or history." in done.stdout
    assert "pin_hash is still the demo's" in done.stdout, "and it says what is left to do"
    assert done.returncode == 1
    assert [(path.read_bytes(), path.stat().st_mode) for path in (cupsd, policies)] == before


def test_the_kiosk_command_runs_as_the_kiosk_user_on_debians_python(kiosk_root):
    done = kiosk_root.run(KIOSK, "--help", user="kiosk")
    assert "run" in done.stdout and "doctor" in done.stdout
    assert kiosk_root.run("readlink", "-f", "/opt/venvs/kac-kiosk/bin/python").stdout.strip() == "/usr/bin/python3.11"
    # Nothing of the builder's own interpreters (a pyenv Python, a wheel cache) found its way into the package.
    found = kiosk_root.run("grep", "-rlI", "--", "/root/", "/opt/venvs/kac-kiosk/bin", check=False).stdout
    assert found == ""
    libraries = kiosk_root.run("sh", "-c", "find /opt/venvs/kac-kiosk -name '*.so' | xargs readelf -d",
                               check=False).stdout
    assert "/root/" not in libraries


def test_the_packaged_bytecode_is_current_so_running_writes_nothing_into_opt(kiosk_root):
    marker = "/tmp/before-import"
    kiosk_root.run("touch", marker)
    kiosk_root.run("/opt/venvs/kac-kiosk/bin/python", "-c",
                   "import kiosk.cli, kiosk.core, kivy, playwright.sync_api, staffdesk.app")
    written = kiosk_root.run("find", "/opt/venvs/kac-kiosk", "-newer", marker).stdout
    assert written == "", f"root's imports wrote into the virtualenv (removal would leave them): {written[:500]}"


def test_every_kiosk_unit_verifies_and_the_kiosk_starts_at_boot(kiosk_root):
    done = kiosk_root.run("systemd-analyze", "verify", *KIOSK_UNITS, check=False)
    assert done.returncode == 0, done.stderr
    assert "kac-kiosk" not in done.stderr, done.stderr
    enabled = kiosk_root.path / "etc/systemd/system"
    assert (enabled / "multi-user.target.wants/kac-kiosk.service").is_symlink()
    assert (enabled / "kac-kiosk.service.wants/kac-kiosk-automount.service").is_symlink()
    assert (enabled / "multi-user.target.wants/kac-kiosk-policies.path").is_symlink()


def test_systemd_analyze_verify_would_catch_a_broken_unit(kiosk_root):
    """The check above is worth something: the same command refuses a unit whose program is missing."""
    broken = kiosk_root.path / "etc/systemd/system/kac-broken-test.service"
    broken.write_text("[Service]\nExecStart=/usr/lib/kac-kiosk/no-such-program\n")
    try:
        done = kiosk_root.run("systemd-analyze", "verify", "kac-broken-test.service", check=False)
    finally:
        broken.unlink()
    assert done.returncode != 0
    assert "no-such-program" in done.stderr


def test_the_udev_rules_parse(kiosk_root):
    """No USB stick or printer here to fire them: udev's own dry run reads every rules file for a device this
    machine has, and names any line of ours it cannot parse."""
    device = next(Path("/sys/class/block").iterdir()).resolve()
    done = kiosk_root.run("udevadm", "test", "--action=add", str(device), check=False)
    output = done.stdout + done.stderr
    assert "70-kac-kiosk.rules" in output, "udev read the package's rules"
    assert not [line for line in output.splitlines() if "70-kac-kiosk.rules" in line and
                re.search(r"invalid|error|unknown|failed", line, re.I)], output


def test_journald_and_xorg_read_the_packages_settings(kiosk_root):
    journald = kiosk_root.run("systemd-analyze", "cat-config", "systemd/journald.conf").stdout
    assert "# /usr/lib/systemd/journald.conf.d/kac-kiosk.conf" in journald
    assert "SystemMaxUse=200M" in journald and "MaxRetentionSec=30day" in journald
    xorg = (kiosk_root.path / "usr/share/X11/xorg.conf.d/70-kac-kiosk.conf").read_text()
    assert '"DontVTSwitch" "true"' in xorg and '"BlankTime" "0"' in xorg


def test_lintian_reports_no_errors(debs):
    report = debs.linted()
    assert report.stat().st_mtime >= max(debs.kiosk.stat().st_mtime, debs.staffdesk.stat().st_mtime), \
        "the report is on these packages"
    assert [line for line in report.read_text().splitlines() if line.startswith("E:")] == []


# --- upgrade and removal, in a copy of kiosk_root ---------------------------------------------------------------

def repack(deb: Path, out: Path, version: str, change_kiosk_ini: bool) -> Path:
    """The same package as another version, as the next release would arrive: its control file's Version changed
    and, when asked, the kiosk.ini it ships (then dpkg sees both that and the administrator's copy changed; a
    conffile has no line in md5sums). Rewritten member by member (ar, tar), not unpacked to disk: 20,000 files
    would take minutes."""
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        folder = Path(work)
        members = subprocess.run(["ar", "t", str(deb)], capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["ar", "x", str(deb.resolve())], cwd=folder, check=True)
        control_tar = next(name for name in members if name.startswith("control.tar"))
        data_tar = next(name for name in members if name.startswith("data.tar"))
        ini_name = "./etc/kac-kiosk/kiosk.ini"
        if change_kiosk_ini:
            with tarfile.open(folder / data_tar) as data, \
                    tarfile.open(folder / "data.tar", "w", format=tarfile.GNU_FORMAT) as changed:
                for member in data:
                    content = data.extractfile(member) if member.isfile() else None
                    if member.name == ini_name:
                        text = content.read() + b"# A line the next release added.\n"
                        member.size, content = len(text), io.BytesIO(text)
                    changed.addfile(member, content)
            (folder / data_tar).unlink()
            data_tar = "data.tar"
        with tarfile.open(folder / control_tar) as control, \
                tarfile.open(folder / "control.tar", "w", format=tarfile.GNU_FORMAT) as changed:
            for member in control:
                content = control.extractfile(member).read() if member.isfile() else None
                if member.name == "./control":
                    content = re.sub(rb"^Version: .*$", f"Version: {version}".encode(), content, flags=re.M)
                if content is not None:
                    member.size = len(content)
                changed.addfile(member, io.BytesIO(content) if content is not None else None)
        # debian-binary first, as dpkg requires; uncompressed tar members are valid in a .deb (in GNU format:
        # dpkg refuses the PAX headers Python writes by default).
        subprocess.run(["ar", "rc", str(out.resolve()), "debian-binary", "control.tar", data_tar], cwd=folder,
                       check=True)
    return out


def test_an_upgrade_keeps_the_administrators_kiosk_ini(clone_root, debs, tmp_path):
    ini = clone_root.path / CONFIG.lstrip("/")
    changed = re.sub(r"^name = .*$", "name = Kiosk by the lift", ini.read_text(), count=1, flags=re.M)
    assert changed != ini.read_text()
    ini.write_text(changed)
    old = clone_root.run("dpkg-query", "-W", "-f", "${Version}", "kac-kiosk").stdout

    # The next release ships the same kiosk.ini: dpkg keeps the administrator's, asking nothing.
    newer = repack(debs.kiosk, tmp_path / "kac-kiosk_next.deb", f"{old}+1", change_kiosk_ini=False)
    log = clone_root.install(clone_root.copy_in(newer, "/tmp/kac-kiosk_next.deb"))
    assert clone_root.run("dpkg-query", "-W", "-f", "${Version}", "kac-kiosk").stdout == f"{old}+1", log
    assert ini.read_text() == changed
    assert stat(clone_root, CONFIG) == ("root", "kiosk", "640")

    # A release whose kiosk.ini changed too: unattended (--force-confold, as unattended-upgrades does) the
    # administrator's stays, and the package's lands beside it for them to compare.
    newest = repack(debs.kiosk, tmp_path / "kac-kiosk_newest.deb", f"{old}+2", change_kiosk_ini=True)
    clone_root.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "-o",
                   "Dpkg::Options::=--force-confold", clone_root.copy_in(newest, "/tmp/kac-kiosk_newest.deb"))
    assert clone_root.run("dpkg-query", "-W", "-f", "${Version}", "kac-kiosk").stdout == f"{old}+2"
    assert ini.read_text() == changed
    assert "A line the next release added." in (clone_root.path / "etc/kac-kiosk/kiosk.ini.dpkg-dist").read_text()
    # The upgrade's postinst ran the setup again: the policies are still the kiosk's.
    assert stat(clone_root, POLICIES) == ("root", "root", "644")


def test_remove_keeps_the_configuration_and_purge_removes_everything(clone_root):
    clone_root.run("apt-get", "remove", "-y", "-q", "kac-kiosk")
    assert clone_root.run("dpkg-query", "-W", "-f", "${Status}", "kac-kiosk").stdout == "deinstall ok config-files"
    assert not (clone_root.path / "opt/venvs/kac-kiosk").exists(), "the virtualenv went without leftovers"
    assert not (clone_root.path / "usr/sbin/kac-kiosk-setup").exists()
    assert not (clone_root.path / "lib/systemd/system/kac-kiosk.service").exists()
    assert (clone_root.path / CONFIG.lstrip("/")).exists()
    assert (clone_root.path / POLICIES.lstrip("/")).exists()
    assert (clone_root.path / "var/lib/kac-kiosk").exists()

    clone_root.run("apt-get", "purge", "-y", "-q", "kac-kiosk")
    assert clone_root.run("dpkg-query", "-W", "kac-kiosk", check=False).returncode != 0
    # (The administrator's own files in /etc/kac-kiosk, such as eid-ca.pem, are theirs to keep or delete.)
    for gone in (CONFIG.lstrip("/"), "etc/kac-kiosk/kiosk.ini.dpkg-dist", "etc/udisks2/mount_options.conf",
                 POLICIES.lstrip("/"), "var/lib/kac-kiosk", "opt/venvs", "usr/share/kac-kiosk", "usr/lib/kac-kiosk",
                 "etc/systemd/system/multi-user.target.wants/kac-kiosk.service",
                 "etc/systemd/system/kac-kiosk.service.wants"):
        assert not (clone_root.path / gone).exists(), gone
    assert "kac-kiosk" not in clone_root.run("dpkg-statoverride", "--list").stdout
    # The system user stays, as Debian keeps system users (files it owned elsewhere keep a known owner).
    assert clone_root.run("getent", "passwd", "kiosk", check=False).returncode == 0


def test_every_file_the_code_reads_beside_itself_is_installed(kiosk_root):
    """The kv rules, translations, the page script...: each file of the project's packages that is not Python is in
    the installed virtualenv (a missing one showed only when a visit ran on the installed kiosk)."""
    root = Path(__file__).resolve().parents[2]
    site = kiosk_root.path / "opt/venvs/kac-kiosk/lib/python3.11/site-packages"
    listed = subprocess.run(["git", "ls-files", "kiosk", "screens", "printers", "staffdesk"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split()
    data = [name for name in listed if not name.endswith(".py")]
    assert data and [name for name in data if not (site / name).is_file()] == []


def test_chromiums_policies_follow_the_national_catalogue_the_kiosk_took_and_only_a_verified_one(scratch_root,
                                                                                                 tmp_path):
    """A bundle moves an e-service to a host the installed policies do not allow: kac-kiosk-policies.path runs
    kac-kiosk-setup --policies (as root), which makes them from the bundle once the publisher's key verifies it."""
    import datetime as dt
    import yaml
    from kiosk.fleet import bundle as bundles
    from kiosk.fleet.keys import generate, load_private, public_of

    root, moved_host = scratch_root, "e.vsaa-jauna.gov.lv"
    catalogue = yaml.safe_load((root.path / "usr/share/kac-kiosk/catalog/catalog.yaml").read_text())
    catalogue["services"][0]["channels"]["self"] = {"url": f"https://{moved_host}/pieteikums", "eid_required": True}
    files = {bundles.CATALOG_FILE: yaml.safe_dump(catalogue, allow_unicode=True).encode()}

    def bundle_from(name: str) -> bytes:
        generate(tmp_path / f"{name}.key", tmp_path / f"{name}.pub", name)
        key = load_private(tmp_path / f"{name}.key")
        envelope = bundles.unsigned(files, 1, bundles.utc_now() + dt.timedelta(days=30))
        return bundles.sign(envelope, key, public_of(key))

    national, intruder = bundle_from("national"), bundle_from("intruder")
    root.copy_in(tmp_path / "national.pub", "/etc/kac-kiosk/publisher.pub")
    config = root.path / CONFIG.lstrip("/")
    config.write_text(re.sub(r"^publisher_keys =.*$", "publisher_keys = /etc/kac-kiosk/publisher.pub",
                             config.read_text(), flags=re.M))
    fleet = "/var/lib/kac-kiosk/state/fleet"

    def taken_by_the_kiosk(envelope: bytes) -> list[str]:
        (tmp_path / "current.json").write_bytes(envelope)
        root.run("install", "-d", "-o", "kiosk", "-g", "kiosk", "-m", "0700", fleet)
        root.copy_in(tmp_path / "current.json", "/tmp/current.json")
        root.run("install", "-o", "kiosk", "-g", "kiosk", "-m", "0600", "/tmp/current.json", f"{fleet}/current.json")
        done = root.run("kac-kiosk-setup", "--policies", check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "CUPS" not in done.stdout  # the policies alone
        return json.loads((root.path / POLICIES.lstrip("/")).read_text())["URLAllowlist"]

    assert any(moved_host in pattern for pattern in taken_by_the_kiosk(national))
    assert root.run(KIOSK, "catalog", "version", "--config", CONFIG, user="kiosk").stdout.startswith(
        "national bundle version 1, signed by ")
    # A bundle the kiosk user could have put there, signed by anyone else, changes nothing the policies allow.
    assert not any(moved_host in pattern for pattern in taken_by_the_kiosk(intruder))

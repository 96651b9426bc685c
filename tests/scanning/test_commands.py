"""`kiosk scan` end to end: the test backend's pages into a PDF file, and a plain sentence when it cannot."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from kiosk.scanning.commands import EXIT_FAILED, EXIT_OK, add_scan_parser
from kiosk.scanning.problems import Problem
from scanning.helpers import pdf_info

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_scan_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def kiosk_ini(tmp_path: Path) -> Path:
    """The repository's kiosk.ini in a folder of its own: its relative runtime_dir lands in tmp_path."""
    ini = tmp_path / "kiosk.ini"
    shutil.copyfile(ROOT / "kiosk.ini", ini)
    return ini


def test_feeder_pages_into_a_pdf(sane_dir, tmp_path, capsys):
    out = tmp_path / "out.pdf"
    code = run(["scan", "--config", str(kiosk_ini(tmp_path)), "--pages", "3", "--dpi", "75", "--out", str(out)])
    assert code == EXIT_OK, capsys.readouterr().err
    info = pdf_info(out)
    assert info["Pages"] == "3" and "(A4)" in info["Page    1 size"]
    assert capsys.readouterr().out.strip() == f"{out}: 3 page(s)"
    # The pages went through a visit folder of their own, which is gone again.
    assert list((tmp_path / "build" / "runtime").iterdir()) == []


def test_no_scanner_is_one_sentence_and_exit_1(sane_dir, tmp_path, capsys):
    (sane_dir / "dll.conf").write_text("")
    out = tmp_path / "out.pdf"
    code = run(["scan", "--config", str(kiosk_ini(tmp_path)), "--dpi", "75", "--out", str(out)])
    assert code == EXIT_FAILED and not out.exists()
    assert capsys.readouterr().err.strip() == Problem.NO_SCANNER.value


def test_a_device_that_does_not_exist_is_named_with_the_devices_sane_finds(sane_dir, tmp_path, capsys):
    out = tmp_path / "out.pdf"
    code = run(["scan", "--config", str(kiosk_ini(tmp_path)), "--device", "nosuch:0", "--out", str(out)])
    assert code == EXIT_FAILED and not out.exists()
    assert capsys.readouterr().err.strip() == ("There is no SANE device 'nosuch:0' (given with --device); "
                                               "SANE finds test:0 (Noname frontend-tester).")
    # Said before any scanning began: no visit folder was made for it.
    assert not (tmp_path / "build" / "runtime").exists()


def test_a_missing_device_with_no_scanner_at_all_points_at_dll_conf(sane_dir, tmp_path, capsys):
    (sane_dir / "dll.conf").write_text("")
    code = run(["scan", "--config", str(kiosk_ini(tmp_path)), "--device", "nosuch:0", "--out", str(tmp_path / "o.pdf")])
    assert code == EXIT_FAILED
    assert capsys.readouterr().err.strip() == (f"There is no SANE device 'nosuch:0' (given with --device), and "
                                               f"SANE finds no scanner at all; {sane_dir / 'dll.conf'} lists the "
                                               "backends it tries.")


def test_a_missing_device_from_kiosk_ini_names_the_setting(sane_dir, tmp_path, capsys):
    ini = kiosk_ini(tmp_path)
    ini.write_text(ini.read_text(encoding="utf-8").replace("\ndevice =", "\ndevice = upstairs:1"), encoding="utf-8")
    code = run(["scan", "--config", str(ini), "--out", str(tmp_path / "o.pdf")])
    assert code == EXIT_FAILED
    assert capsys.readouterr().err.strip() == (f"There is no SANE device 'upstairs:1' ([scanning] device in "
                                               f"{ini.resolve()}); SANE finds test:0 (Noname frontend-tester).")

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
    # The pages went through a session folder of their own, which is gone again.
    assert list((tmp_path / "build" / "runtime").iterdir()) == []


def test_no_scanner_is_one_sentence_and_exit_1(sane_dir, tmp_path, capsys):
    (sane_dir / "dll.conf").write_text("")
    out = tmp_path / "out.pdf"
    code = run(["scan", "--config", str(kiosk_ini(tmp_path)), "--dpi", "75", "--out", str(out)])
    assert code == EXIT_FAILED and not out.exists()
    assert capsys.readouterr().err.strip() == Problem.NO_SCANNER.value

"""A whole visit (card and PIN, search, scan, copy, the authorisation form, a help call), then nothing of it is left."""

from __future__ import annotations

from kiosk.visit import Visit
from resident_memory import live_objects_of, places_holding
from tools.virtual_card import save_ca_key
from tools.visit_script import made_up_resident, typed_word, whole_visit


def test_after_a_whole_visit_nothing_of_the_resident_is_in_memory(make_driver, print_settings, print_lab, pcscd,
                                                                   test_ca, tmp_path):
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    (ca_dir / "ca.pem").write_bytes(test_ca.pem())
    save_ca_key(test_ca, ca_dir)
    kiosk = make_driver(settings=print_settings)
    given, surname, code, pin = resident = made_up_resident()
    word = typed_word()
    whole_visit(kiosk, ca_dir, pcscd, resident, word, end=False)
    assert len(print_lab.received_documents()) == 2  # the copy of the scan, and the authorisation
    kiosk.frames(5)
    report = kiosk.app.end_session("resident")
    assert report.clean, report
    kiosk.frames(5)

    assert live_objects_of(Visit) == []
    assert places_holding([given, surname, code, code[:6], word, word[:5]]) == []
    assert print_lab.spool_files() == []

"""A whole visit (card and PIN, search, scan, copy, the authorisation form, a help call), then nothing of it is left."""

from __future__ import annotations

from kiosk.visit import Visit
from tests.support.resident_memory import live_objects_of, places_holding
from tools.visit_script import made_up_resident, typed_word, whole_visit


def test_after_a_whole_visit_nothing_of_the_resident_is_in_memory(make_driver, print_settings, print_lab, pcscd,
                                                                   card_ca_dir):
    kiosk = make_driver(settings=print_settings)
    given, surname, code, pin = resident = made_up_resident()
    word = typed_word()
    whole_visit(kiosk, card_ca_dir, pcscd, resident, word, end=False)
    assert len(print_lab.received_documents()) == 2  # the copy of the scan, and the authorisation
    kiosk.frames(5)
    report = kiosk.app.end_visit("resident")
    assert report.clean, report
    kiosk.frames(5)

    assert live_objects_of(Visit) == []
    # No key of the PIN pad keeps the touch (and its time) that pressed it.
    pad = kiosk.app.screen("eid_login").ids.pin_pad.children
    assert pad and [key.text for key in pad if key.last_touch is not None] == []
    assert places_holding([given, surname, code, code[:6], word, word[:5]]) == []
    assert print_lab.spool_files() == []

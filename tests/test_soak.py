"""Whole visits one after another in one app: nothing (Kivy bindings, open files, threads) grows with each visit."""

from __future__ import annotations

from tools.footprint import Footprint, bindings_by_callback
from tools.virtual_card import save_ca_key
from tools.visit_script import made_up_resident, typed_word, whole_visit


def test_whole_visits_leave_no_bindings_files_or_threads_behind(make_driver, print_settings, print_lab, pcscd,
                                                                test_ca, tmp_path):
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    (ca_dir / "ca.pem").write_bytes(test_ca.pem())
    save_ca_key(test_ca, ca_dir)
    kiosk = make_driver(settings=print_settings)

    def visit():
        whole_visit(kiosk, ca_dir, pcscd, made_up_resident(), typed_word())
        kiosk.app.finish_goodbye()
        kiosk.frames(3)

    # The first visits make what is made once (screens, dialogs, the print and scan workers); later ones reuse it.
    visit()
    visit()
    before, callbacks_before = Footprint.now(), bindings_by_callback()
    visit()
    visit()
    after, callbacks_after = Footprint.now(), bindings_by_callback()
    grown = {name: count - callbacks_before[name] for name, count in callbacks_after.items()
             if count > callbacks_before[name]}
    assert after.bindings <= before.bindings, grown
    assert after.fds <= before.fds
    assert after.threads <= before.threads

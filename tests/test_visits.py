"""The visit wipe: every wiper runs, the private folder goes, and the wipe checks that nothing is left."""

import gc
import logging
import stat
import weakref

from kiosk.gesture import CornerTaps
from kiosk.idle import IdlePolicy, IdleState
from kiosk.visits import Visits
from tools.virtual_card import sample_identity


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_visit_folder_is_private_and_gone_after_the_end(tmp_path):
    manager = Visits(tmp_path / "runtime")
    manager.prepare()
    visit = manager.start()
    assert stat.S_IMODE(visit.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "runtime").stat().st_mode) == 0o700
    (visit.directory / "scan-Jānis.pdf").write_bytes(b"%PDF personal")
    (visit.directory / "nested").mkdir()
    (visit.directory / "nested" / "page.png").write_bytes(b"png")
    report = manager.end("test")
    assert report.clean
    assert not visit.directory.exists()
    assert list((tmp_path / "runtime").iterdir()) == []


def test_every_wiper_runs_even_when_one_fails_and_the_failure_is_logged_without_its_text(tmp_path, caplog):
    manager = Visits(tmp_path)
    manager.prepare()
    ran = []
    manager.add_standing_wiper("screens", lambda: ran.append("screens"))
    visit = manager.start()

    def failing():
        raise RuntimeError("could not delete /run/visit/Jānis Bērziņš 010180-12345.pdf")
    visit.add_wiper("scanner", failing)
    visit.add_wiper("identity", lambda: ran.append("identity"))
    with caplog.at_level(logging.DEBUG):
        report = manager.end("test")
    assert ran == ["screens", "identity"]
    assert report.failed == ("scanner",)
    assert not report.clean
    assert "scanner" in caplog.text and "RuntimeError" in caplog.text
    assert "Jānis" not in caplog.text and "010180" not in caplog.text


def test_a_holder_that_still_has_data_after_its_wipe_is_reported(tmp_path):
    manager = Visits(tmp_path)
    manager.prepare()
    held = {"name": "Jānis"}
    manager.start().add_wiper("forgetful", lambda: None, lambda: not held)
    report = manager.end("test")
    assert report.leftovers == ("forgetful",)
    assert manager.last_report is report


def test_nothing_of_the_visit_outlives_it_in_memory(tmp_path):
    manager = Visits(tmp_path)
    manager.prepare()
    visit = manager.start()
    visit.errands.last_problem = "jam"
    visit.card.identity = sample_identity()
    ref = weakref.ref(visit)
    login, desk = visit.card, visit.errands
    del visit
    report = manager.end("test")
    gc.collect()
    assert ref() is None
    assert login.identity is None and desk.last_problem == ""
    assert {"card login", "scan record", "print count", "desk errands"} <= set(report.wipers_run)


def test_leftovers_of_a_crash_are_removed_on_prepare(tmp_path):
    runtime = tmp_path / "runtime"
    (runtime / "visit-deadbeef" / "sub").mkdir(parents=True)
    (runtime / "visit-deadbeef" / "sub" / "scan.pdf").write_bytes(b"old")
    (runtime / "visit-feed").write_text("stray file")
    (runtime / "unrelated.txt").write_text("kept")
    manager = Visits(runtime)
    assert manager.prepare() == 2
    assert sorted(p.name for p in runtime.iterdir()) == ["unrelated.txt"]


def test_idle_policy_warns_counts_down_and_expires():
    clock = FakeClock()
    policy = IdlePolicy(warning_after_s=90, countdown_s=30, clock=clock)
    assert policy.reading().state is IdleState.ACTIVE
    clock.now = 90.2
    reading = policy.reading()
    assert reading.state is IdleState.WARNING and reading.seconds_left == 30
    clock.now = 119.5
    assert policy.reading().seconds_left == 1
    policy.touched()
    assert policy.reading().state is IdleState.ACTIVE
    clock.now = 119.5 + 120
    assert policy.reading().state is IdleState.EXPIRED


def test_corner_taps_need_the_count_within_the_window_and_no_other_touch():
    clock = FakeClock()
    taps = CornerTaps(count=5, window_s=3, clock=clock)
    results = []
    for _ in range(5):
        clock.now += 0.5
        results.append(taps.tap())
    assert results == [False, False, False, False, True]
    for _ in range(4):
        clock.now += 1.0
        assert not taps.tap()
    clock.now += 1.0
    assert not taps.tap()  # five taps, but over more than three seconds
    for _ in range(3):
        taps.tap()
    taps.other_touch()
    assert not taps.tap() and not taps.tap()

"""USB delivery onto a real FAT file system on a loop device: found, written whole, unmounted, or told why not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.scanning.modes import ScanRequest, Source
from kiosk.scanning.problems import Problem
from kiosk.events import DeliveryFailed, SavedToStick, ScanFinished, SticksChanged
from kiosk.usb import UsbStick, WatchedSticks, find_sticks, parse_mountinfo
from scanning.helpers import pdf_info

LOW_DPI = 75


def test_a_mounted_stick_is_found_and_nothing_else(usb_stick, tmp_path):
    sticks = find_sticks(usb_stick.root)
    assert [(s.device, s.mount_point, s.filesystem) for s in sticks] == [
        (usb_stick.loop, usb_stick.mount_point, usb_stick.filesystem)]
    assert sticks[0].label == "KIOSKTEST"
    # The same stick is not offered under another root, and the system's own mounts never are.
    assert find_sticks(tmp_path / "elsewhere") == ()
    assert all(stick.mount_point != Path("/") for stick in find_sticks(Path("/")))


def test_mountinfo_paths_with_spaces_and_what_is_not_a_stick():
    text = "\n".join([
        r"36 25 8:17 / /media/anna/MY\040STICK rw,nosuid,nodev shared:1 - vfat /dev/sdb1 rw,uid=1000",
        r"37 25 8:33 / /media/anna/LOCKED ro,nosuid shared:2 - exfat /dev/sdc1 ro",
        r"38 25 0:40 / /media/anna/ram rw shared:3 - tmpfs tmpfs rw",
        r"39 25 8:49 / /mnt/other rw shared:4 - ext4 /dev/sdd1 rw",
        r"40 25 8:65 / /media rw shared:5 - ext4 /dev/sde1 rw",
    ])
    sticks = parse_mountinfo(text, Path("/media"))
    assert [(s.device, str(s.mount_point), s.label) for s in sticks] == [
        ("/dev/sdb1", "/media/anna/MY STICK", "MY STICK")]


def test_scan_saved_to_the_stick_then_it_is_safe_to_take_out(make_service, events, visit, usb_stick):
    service = make_service()
    service.attach(visit)
    sticks = WatchedSticks(usb_stick.root, lambda found: events.put(SticksChanged(found)), interval_s=0.2)
    watch = sticks.watch()
    offered = events.until(SticksChanged)[-1].sticks
    assert [stick.mount_point for stick in offered] == [usb_stick.mount_point]

    service.scan(ScanRequest(source=Source.FEEDER, dpi=LOW_DPI, max_pages=3))
    assert events.until(ScanFinished)[-1].added == 3
    service.save_to_stick(offered[0], stem="scan-test")
    got = events.until(SavedToStick, DeliveryFailed)
    kept = visit.directory / "scans" / "scan-1.pdf"
    assert got[-1] == SavedToStick(offered[0], "scan-test.pdf", kept) and visit.scans.kept_pdf == kept
    # Unmounted before "you can take it out now": the watcher sees it go (maybe before SavedToStick is out), and the
    # mount point is empty.
    assert not usb_stick.is_mounted()
    changed = [event for event in got if isinstance(event, SticksChanged)] or events.until(SticksChanged)
    assert changed[-1].sticks == ()
    watch.stop()

    # Put back in: the file is there, whole, with every page.
    usb_stick.mount(read_only=True)
    written = usb_stick.mount_point / "scan-test.pdf"
    assert pdf_info(written)["Pages"] == "3"
    assert written.read_bytes() == kept.read_bytes()


def test_a_second_save_never_overwrites(make_service, events, visit, usb_stick):
    service = make_service()
    service.attach(visit)
    (usb_stick.mount_point / "scan-test.pdf").write_bytes(b"the resident's own file")
    stick = find_sticks(usb_stick.root)[0]
    service.scan(ScanRequest(dpi=LOW_DPI))
    events.until(ScanFinished)
    service.save_to_stick(stick, stem="scan-test")
    saved = events.until(SavedToStick, DeliveryFailed)[-1]
    assert saved == SavedToStick(stick, "scan-test-2.pdf", visit.directory / "scans" / "scan-1.pdf")
    usb_stick.mount(read_only=True)
    assert (usb_stick.mount_point / "scan-test.pdf").read_bytes() == b"the resident's own file"


def test_a_full_stick_is_told_and_left_as_it_was(make_service, events, visit, usb_stick):
    service = make_service()
    service.attach(visit)
    stick = find_sticks(usb_stick.root)[0]
    # Fill the stick, leaving less room than one 300 dpi page needs.
    stats = os.statvfs(usb_stick.mount_point)
    filler = usb_stick.mount_point / "holiday.bin"
    room = stats.f_bavail * stats.f_frsize - 8 * 1024
    with open(filler, "wb") as handle:  # written out, not truncated: a sparse file would take no room
        while room > 0:
            room -= handle.write(b"\xa5" * min(room, 1024 * 1024))
    before = sorted(path.name for path in usb_stick.mount_point.iterdir())
    service.scan(ScanRequest(source=Source.FEEDER, max_pages=2))
    events.until(ScanFinished)
    service.save_to_stick(stick)
    assert events.until(SavedToStick, DeliveryFailed)[-1] == DeliveryFailed(Problem.USB_FULL)
    assert sorted(path.name for path in usb_stick.mount_point.iterdir()) == before
    assert usb_stick.is_mounted()  # still the resident's to use: nothing was unmounted


def test_a_read_only_stick_is_told(make_service, events, visit, usb_stick):
    usb_stick.unmount()
    usb_stick.mount(read_only=True)
    # A read-only mount is not offered; a stick that turns read-only after it was offered fails in plain words.
    assert find_sticks(usb_stick.root) == ()
    stick = UsbStick(usb_stick.loop, usb_stick.mount_point, usb_stick.filesystem)
    service = make_service()
    service.attach(visit)
    service.scan(ScanRequest(dpi=LOW_DPI))
    events.until(ScanFinished)
    service.save_to_stick(stick)
    assert events.until(SavedToStick, DeliveryFailed)[-1] == DeliveryFailed(Problem.USB_WRITE_FAILED)


def test_sticks_are_watched_while_any_screen_wants_them_whichever_stops_first(tmp_path):
    """Two screens watch (the print screen, then the scan screen it hands over to): the first to stop leaves the
    other hearing of sticks; when the last stops, nothing more is reported."""
    import queue
    mountinfo = tmp_path / "mountinfo"
    stick_line = r"36 25 8:17 / /media/kiosk/STICK rw,nosuid shared:1 - vfat /dev/sdb1 rw"
    mountinfo.write_text(stick_line + "\n")
    heard: queue.Queue = queue.Queue()
    sticks = WatchedSticks(Path("/media"), heard.put, interval_s=0.05, mountinfo=mountinfo)
    printing, scanning = sticks.watch(), sticks.watch()
    assert [stick.label for stick in heard.get(timeout=2)] == ["STICK"]  # each watcher hears them at once
    assert [stick.label for stick in heard.get(timeout=2)] == ["STICK"]
    printing.stop()
    printing.stop()  # again: harmless, and not the other screen's stop
    mountinfo.write_text("")
    assert heard.get(timeout=2) == ()  # still watched for the scan screen
    scanning.stop()
    mountinfo.write_text(stick_line + "\n")
    with pytest.raises(queue.Empty):
        heard.get(timeout=0.5)  # ten polls' time: nobody watches any more
    assert [stick.label for stick in sticks.find()] == ["STICK"]

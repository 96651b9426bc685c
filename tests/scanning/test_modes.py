"""The resident's choices mapped onto the option names real SANE backends use."""

from __future__ import annotations

from kiosk.scanning.modes import ScanMode, ScanRequest, Source, pick_mode, pick_resolution, pick_source


def test_modes_by_the_names_backends_give_them():
    # Names as different backends spell them; grey wins over black-and-white for text (stamps, signatures, OCR).
    assert pick_mode(ScanMode.TEXT, ["Lineart", "Gray", "Color"]) == "Gray"
    assert pick_mode(ScanMode.TEXT, ["Binary", "Gray", "Color"]) == "Gray"
    assert pick_mode(ScanMode.TEXT, ["Black & White", "True Gray", "24bit Color"]) == "True Gray"
    assert pick_mode(ScanMode.TEXT, ["Lineart", "Color"]) == "Lineart"               # no grey at all
    assert pick_mode(ScanMode.PHOTO, ["Black & White", "True Gray", "24bit Color"]) == "24bit Color"
    assert pick_mode(ScanMode.PHOTO, ["Gray", "Color"]) == "Color"
    assert pick_mode(ScanMode.PHOTO, None) is None  # no mode option: the scanner's own default stays


def test_sources_glass_and_feeder():
    duplex_feeder = ["Flatbed", "ADF Front", "ADF Duplex"]
    assert pick_source(Source.FLATBED, duplex_feeder) == "Flatbed"
    assert pick_source(Source.FEEDER, duplex_feeder) == "ADF Front"  # one-sided: two-sided is not offered
    aligned = ["FlatBed", "Automatic Document Feeder(left aligned)", "Automatic Document Feeder(centrally aligned)"]
    assert pick_source(Source.FEEDER, aligned) == "Automatic Document Feeder(left aligned)"
    assert pick_source(Source.FEEDER, ["Flatbed"]) is None


def test_resolution_nearest_the_scanner_offers():
    assert pick_resolution(300, [75, 150, 300, 600]) == 300
    assert pick_resolution(300, [100, 200, 400, 600]) == 400  # a tie goes to the sharper one
    assert pick_resolution(200, (50.0, 1200.0, 1.0)) == 200
    assert pick_resolution(300, (50.0, 150.0, 1.0)) == 150


def test_defaults_300_dpi_one_page_from_the_glass_all_from_the_feeder():
    assert ScanRequest().resolution == 300 and ScanRequest().page_limit == 1
    assert ScanRequest(mode=ScanMode.PHOTO, dpi=200).resolution == 200
    assert ScanRequest(source=Source.FEEDER).page_limit > 10

"""Receipt-printer layouts and A4 forms, checked by what they contain: bytes, decoded QR codes and PDF text."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import pytest

from printers.escpos_text import ReceiptBuilder, fits_code_page
from printers.forms import AuthorisationData, PaperFormData, authorisation_form, paper_application_form
from printers.layouts import (ReceiptData, ReceiptLabels, TicketData, TicketLabels, queue_ticket,
                              receipt)
from tests.support.printed_output import (ESC_INIT, FULL_CUT, SELECT_CP1257, decoded_qr_codes, pdf_pages,
                                          pdf_text, raster_blocks, text_outside_rasters)


CENTRE = "Rīgas Teikas KAC"
VSAA = "Valsts sociālās apdrošināšanas aģentūra"
FOLLOW_URL = "https://rinda.example.lv/q/teika/A-042"
ISSUED = datetime(2025, 11, 23, 11, 38)
UK_SERVICE = "Допомога у зв’язку з хворобою"
UK_LABELS = TicketLabels(
    people_ahead="Перед вами: {count}",
    expected_wait="Очікування: близько {minutes} хв",
    where_to_go="Чекайте свій номер на екрані",
    follow_hint="Скануйте, щоб стежити за чергою",
    instruction="Зберігайте талон, доки вас не викличуть",
)


def make_ticket(**changes) -> TicketData:
    ticket = TicketData(centre_name=CENTRE, number="A-042", service_name="Slimības pabalsts", issued_at=ISSUED,
                        follow_url=FOLLOW_URL, people_ahead=3, expected_wait_min=12)
    return dataclasses.replace(ticket, **changes)


# --- queue ticket ---------------------------------------------------------------------------------------------

def test_ticket_starts_with_initialise_and_baltic_code_page_and_ends_with_cut():
    data = queue_ticket(make_ticket())
    assert data.startswith(ESC_INIT + SELECT_CP1257)
    assert data.endswith(FULL_CUT)
    # One code page for the whole ticket: no switching mid-word as python-escpos's guessing did.
    assert text_outside_rasters(data).count(b"\x1bt") == 1


def test_ticket_carries_latvian_text_in_cp1257_with_diacritics():
    data = text_outside_rasters(queue_ticket(make_ticket()))
    assert "Slimības pabalsts".encode("cp1257") in data
    assert b"Slim\xeebas pabalsts" in data  # ī is 0xEE in Windows-1257
    assert CENTRE.encode("cp1257") in data
    assert "ī".encode("utf-8") not in data


def test_ticket_number_is_big_text():
    data = text_outside_rasters(queue_ticket(make_ticket()))
    number_at = data.index(b"A-042")
    size_at = data.rindex(b"\x1d!", 0, number_at)
    # GS ! 0x33: four times as wide and four times as tall as normal text.
    assert data[size_at + 2] == 0x33


def test_ticket_shows_date_time_queue_position_wait_and_where_to_go():
    data = text_outside_rasters(queue_ticket(make_ticket()))
    for text in ("23.11.2025 11:38", "People ahead: 3", "Expected wait: about 12 min",
                 "Wait for your number on the screen", "Keep this ticket until your number is called"):
        assert text.encode("cp1257") in data


def test_ticket_leaves_out_queue_position_and_wait_when_unknown():
    data = queue_ticket(make_ticket(people_ahead=None, expected_wait_min=None))
    assert b"People ahead" not in data
    assert b"Expected wait" not in data
    assert b"A-042" in data


def test_ticket_qr_raster_decodes_to_the_follow_url(tmp_path):
    data = queue_ticket(make_ticket())
    assert decoded_qr_codes(data, tmp_path) == [FOLLOW_URL]
    assert b"\x1d(k" not in data  # not the printer's own QR command: a picture, the same on every printer


def test_ukrainian_text_is_printed_as_a_picture_not_as_text(tmp_path):
    data = queue_ticket(make_ticket(service_name=UK_SERVICE, labels=UK_LABELS))
    text = text_outside_rasters(data)
    for codec in ("utf-8", "cp1251", "cp866", "koi8_u", "utf-16-le"):
        assert "Допомога".encode(codec) not in data
        assert "Перед вами".encode(codec) not in data
    assert b"?" not in text
    # The service line is the same picture the builder draws for that text (the service name is bold).
    line = ReceiptBuilder()
    line.text(UK_SERVICE, bold=True)
    [(service_picture, _)] = raster_blocks(line.output())
    assert service_picture in data
    # Everything else is still there: the Latvian centre name as text, the number, the QR code, the cut.
    assert data.startswith(ESC_INIT + SELECT_CP1257)
    assert CENTRE.encode("cp1257") in text
    assert b"A-042" in text
    assert decoded_qr_codes(data, tmp_path) == [FOLLOW_URL]
    assert data.endswith(FULL_CUT)


def test_hryvnia_sign_and_cyrillic_do_not_fit_the_code_page_but_latvian_does():
    assert fits_code_page("Ģimenes valsts pabalsts, ķēķis, Žīgurs")
    assert not fits_code_page("Maksa 10 ₴")
    assert not fits_code_page("Хвороба")


def test_control_characters_in_data_cannot_reach_the_printer():
    data = queue_ticket(make_ticket(service_name="Slimības\x1d\x56\x00 pabalsts\x1b@"))
    assert text_outside_rasters(data).count(FULL_CUT) == 1
    assert text_outside_rasters(data).count(ESC_INIT) == 1
    # The control bytes became spaces; the printable letters after them stay as harmless text.
    assert "Slimības V pabalsts @".encode("cp1257") in data


def test_same_ticket_gives_the_same_bytes():
    assert queue_ticket(make_ticket()) == queue_ticket(make_ticket())


# --- receipt --------------------------------------------------------------------------------------------------

def test_receipt_names_what_was_done_reference_time_centre_and_links_by_qr(tmp_path):
    link = "https://www.latvija.gov.lv/lv/Epakalpojumi/EP155/Apraksts"
    data = receipt(ReceiptData(centre_name=CENTRE, what_was_done="Iesniegts pieteikums: Slimības pabalsts",
                               reference="VSAA-2025-000123", done_at=ISSUED, link_url=link))
    text = text_outside_rasters(data)
    assert data.startswith(ESC_INIT + SELECT_CP1257)
    for part in ("Iesniegts pieteikums: Slimības pabalsts", "Reference: VSAA-2025-000123",
                 "Time: 23.11.2025 11:38", CENTRE):
        assert part.encode("cp1257") in text
    assert decoded_qr_codes(data, tmp_path) == [link]
    assert data.endswith(FULL_CUT)


def test_receipt_line_with_hryvnia_sign_becomes_a_picture():
    data = receipt(ReceiptData(centre_name=CENTRE, what_was_done="Samaksāts 10 ₴", reference="R-1",
                               done_at=ISSUED, link_url="https://example.lv/"))
    assert b"Samaks" not in text_outside_rasters(data)
    assert len(raster_blocks(data)) == 2  # the line and the QR code


# --- no personal data -----------------------------------------------------------------------------------------

PERSONAL = re.compile(r"given|surname|first_?name|last_?name|full_?name|personal|person|birth|phone|e?mail|"
                      r"resident|applicant|address|identity|eid")


@pytest.mark.parametrize("cls, expected", [
    (TicketData, {"centre_name", "number", "service_name", "issued_at", "follow_url", "people_ahead",
                  "expected_wait_min", "labels"}),
    (ReceiptData, {"centre_name", "what_was_done", "reference", "done_at", "link_url", "labels"}),
    (TicketLabels, {"people_ahead", "expected_wait", "where_to_go", "follow_hint", "instruction", "date_format"}),
    (ReceiptLabels, {"title", "reference", "time", "link_hint", "instruction", "date_format"}),
])
def test_ticket_and_receipt_data_have_no_personal_fields(cls, expected):
    names = {f.name for f in dataclasses.fields(cls)}
    # An exact list: a new field has to be added here on purpose, after asking whether it is personal data.
    assert names == expected
    assert not [name for name in names if PERSONAL.search(name)]
    assert cls.__dataclass_params__.frozen


# --- authorisation form and paper application -----------------------------------------------------------------

def authorisation(**changes) -> AuthorisationData:
    data = AuthorisationData(service_name="Slimības pabalsts", institution=VSAA,
                             centre_name=CENTRE, centre_address="Lielvārdes iela 68, Rīga", issued_at=ISSUED,
                             given_name="Jānis", surname="Bērziņš", personal_code="010180-12345")
    return dataclasses.replace(data, **changes)


def test_authorisation_names_the_resident_code_service_and_institution_with_diacritics(tmp_path):
    text = pdf_text(authorisation_form(authorisation()), tmp_path)
    assert "PILNVAROJUMS" in text
    assert "Es, Jānis Bērziņš, personas kods 010180-12345, pilnvaroju Rīgas Teikas KAC darbinieku" in text
    for part in ("Slimības pabalsts", "Valsts sociālās apdrošināšanas aģentūra", "Lielvārdes iela 68, Rīga",
                 "23.11.2025.", "Centra darbinieks"):
        assert part in text
    assert not re.search(r"[\u0400-\u04ff]", text)  # Latvian only when the resident reads Latvian


def test_authorisation_in_ukrainian_mode_has_ukrainian_headings_under_the_latvian(tmp_path):
    data = authorisation(language="uk", service_name_local=UK_SERVICE)
    text = pdf_text(authorisation_form(data), tmp_path)
    assert "PILNVAROJUMS Доручення" in text
    assert "Довіритель (мешканець)" in text
    assert "Я, Jānis Bērziņš, персональний код 010180-12345, доручаю" in text
    assert UK_SERVICE in text
    assert "Es, Jānis Bērziņš" in text  # the Latvian statement is still the one that is signed
    assert pdf_pages(authorisation_form(data), tmp_path) == 1


def test_authorisation_in_english_mode(tmp_path):
    text = pdf_text(authorisation_form(authorisation(language="en")), tmp_path)
    assert "PILNVAROJUMS Authorisation" in text
    assert "I, Jānis Bērziņš, personal code 010180-12345, authorise" in text


def test_authorisation_without_identity_leaves_lines_to_fill_in(tmp_path):
    text = pdf_text(authorisation_form(authorisation(given_name=None, surname=None, personal_code=None)), tmp_path)
    assert "010180-12345" not in text
    assert "Jānis" not in text
    assert re.search(r"_{15,} Personas kods", text)  # a blank line above the label
    assert "Es, augstāk norādītā persona, pilnvaroju" in text


def test_authorisation_with_name_but_no_code_leaves_the_code_blank(tmp_path):
    text = pdf_text(authorisation_form(authorisation(personal_code=None)), tmp_path)
    assert "Es, Jānis Bērziņš, pilnvaroju" in text
    assert re.search(r"_{15,} Personas kods", text)
    assert not re.search(r"\d{6}-\d{5}", text)


def test_authorisation_with_long_names_still_fits_one_page(tmp_path):
    data = authorisation(
        language="uk",
        service_name="Invaliditātes noteikšana un darbspējas ekspertīze personām ar ilgstošu slimību",
        institution="Veselības un darbspējas ekspertīzes ārstu valsts komisija",
        centre_name="Valsts un pašvaldības vienotais klientu apkalpošanas centrs Ogres novada Ikšķiles pilsētā",
        service_name_local="Визначення інвалідності та експертиза працездатності для осіб з тривалою хворобою",
        given_name="Anna Marija", surname="Kalniņa-Ozoliņa")
    assert pdf_pages(authorisation_form(data), tmp_path) == 1


def test_authorisation_is_the_same_file_for_the_same_data():
    assert authorisation_form(authorisation()) == authorisation_form(authorisation())


def test_forms_refuse_an_unknown_language():
    with pytest.raises(ValueError, match="lv, en, uk"):
        authorisation(language="ru")


def test_paper_application_names_the_service_and_leaves_the_rest_blank(tmp_path):
    data = PaperFormData(service_name="Apbedīšanas pabalsts", institution=VSAA,
                         issued_at=ISSUED, language="uk", centre_name=CENTRE,
                         service_name_local="Допомога на поховання")
    pdf = paper_application_form(data)
    text = pdf_text(pdf, tmp_path)
    for part in ("IESNIEGUMS", "Заява", "Apbedīšanas pabalsts", "Допомога на поховання",
                 "Valsts sociālās apdrošināšanas aģentūra", "pa pastu uz norādīto adresi",
                 "uz norādīto e-pasta adresi", "Iesnieguma saturs", "Paraksts"):
        assert part in text
    assert re.search(r"_{15,} Vārds, uzvārds", text)
    assert pdf_pages(pdf, tmp_path) == 1
    assert paper_application_form(data) == pdf

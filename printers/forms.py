"""A4 forms as PDF bytes: the centre's authorisation ("pilnvarojums") and a generic paper application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printers.form_texts import LANGUAGES, STATEMENT, WHO_UNNAMED, WHO_WITH_CODE, bilingual, local
from printers.pdf_form import FormPdf

DATE_FORMAT = "%d.%m.%Y."  # Latvian writing of a date, with the closing full stop
REQUEST_LINES = 10  # with the other parts, what fills one A4 page
SIGNATURES_HEIGHT = 48  # mm: the signature block (rule, headings, two rows of lines) with a little to spare


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")


@dataclass(frozen=True)
class AuthorisationData:
    """What the authorisation names. The resident's fields are None when unknown: the form leaves lines to fill in.

    Service and institution are in Latvian; the *_local names, in the resident's language, are used only in the
    translation beneath the Latvian statement.
    """

    service_name: str
    institution: str
    centre_name: str
    centre_address: str
    issued_at: datetime
    language: str = "lv"
    given_name: str | None = None
    surname: str | None = None
    personal_code: str | None = None
    service_name_local: str | None = None
    institution_local: str | None = None

    def __post_init__(self) -> None:
        _check_language(self.language)


@dataclass(frozen=True)
class PaperFormData:
    """A blank application for a service that accepts paper: only the service, institution and centre are named."""

    service_name: str
    institution: str
    issued_at: datetime
    language: str = "lv"
    centre_name: str | None = None
    centre_address: str | None = None
    service_name_local: str | None = None
    institution_local: str | None = None

    def __post_init__(self) -> None:
        _check_language(self.language)


def _statement(data: AuthorisationData, language: str) -> list[str]:
    """The authorisation's paragraphs in one language, naming the resident when the kiosk knows who they are."""
    name = " ".join(part for part in (data.given_name, data.surname) if part)
    if name and data.personal_code:
        who = WHO_WITH_CODE[language].format(name=name, code=data.personal_code)
    else:
        who = name or WHO_UNNAMED[language]
    in_latvian = language == "lv"
    values = {
        "who": who,
        "centre": data.centre_name,
        "service": data.service_name if in_latvian else (data.service_name_local or data.service_name),
        "institution": data.institution if in_latvian else (data.institution_local or data.institution),
        # The closing full stop belongs to Latvian dates only; elsewhere it would read as the sentence's end.
        "date": data.issued_at.strftime(DATE_FORMAT if in_latvian else "%d.%m.%Y"),
    }
    return [paragraph.format(**values) for paragraph in STATEMENT[language]]


def authorisation_form(data: AuthorisationData) -> bytes:
    """The one-page authorisation for centre staff to apply for an e-service on the resident's behalf."""
    pdf = FormPdf(data.language, "Pilnvarojums", data.issued_at)
    pdf.title_block("authorisation_title", "authorisation_subtitle")
    pdf.inline_field("date", data.issued_at.strftime(DATE_FORMAT))

    pdf.heading("resident")
    pdf.line_cells([("given_name", data.given_name), ("surname", data.surname),
                    ("personal_code", data.personal_code)])

    pdf.heading("e_service")
    pdf.field("service", data.service_name, data.service_name_local)
    pdf.field("institution", data.institution, data.institution_local)

    pdf.heading("authorised")
    pdf.field("centre_name", data.centre_name)
    pdf.field("address", data.centre_address)

    pdf.heading("statement")
    for paragraph in _statement(data, "lv"):
        pdf.paragraph(paragraph)
    if data.language != "lv":
        pdf.helper_paragraph(local("translation_note", data.language))
        for paragraph in _statement(data, data.language):
            pdf.helper_paragraph(paragraph)

    pdf.ensure_room(SIGNATURES_HEIGHT)
    resident_name = " ".join(part for part in (data.given_name, data.surname) if part) or None
    signed_on = data.issued_at.strftime(DATE_FORMAT)
    pdf.signature_columns([
        ("resident_signs", [[("name_surname", resident_name)], [("signature", None), ("date", signed_on)]]),
        # The staff member writes their own name: the kiosk does not know who will be at the desk.
        ("staff_signs", [[("name_surname", None)], [("signature", None), ("date", signed_on)]]),
    ])
    return bytes(pdf.output())


def paper_application_form(data: PaperFormData) -> bytes:
    """A blank one-page application naming the service and institution, to fill in by hand and hand in."""
    pdf = FormPdf(data.language, "Iesniegums", data.issued_at)
    pdf.title_block("application_title")
    pdf.field("to_institution", data.institution, data.institution_local)
    pdf.field("regarding", data.service_name, data.service_name_local)

    pdf.heading("applicant")
    pdf.line_cells([("name_surname", None), ("personal_code", None)])
    pdf.line_cells([("address", None)])
    pdf.line_cells([("phone_email", None)])

    pdf.heading("request")
    pdf.ruled_area(REQUEST_LINES)

    pdf.heading("answer")
    pdf.checkbox("by_post")
    pdf.checkbox("by_email")

    pdf.ensure_room(SIGNATURES_HEIGHT)
    pdf.heading("signatures")
    pdf.line_cells([("signature", None), ("date", None)])

    printed = data.issued_at.strftime("%d.%m.%Y. %H:%M")
    where = ", ".join(part for part in (data.centre_name, data.centre_address) if part)
    pdf.footer_line(f"{bilingual('printed_at', data.language)}: {printed}" + (f" · {where}" if where else ""))
    return bytes(pdf.output())

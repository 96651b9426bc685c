"""Tickets, receipts and forms in the resident's language: the printers' layouts fed with translated words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.catalog.model import Service
from kiosk.i18n import CENTRE_TIME, N_, translate
from printers.forms import AuthorisationData, PaperFormData, authorisation_form, paper_application_form
from printers.layouts import ReceiptData, ReceiptLabels, TicketData, TicketLabels, queue_ticket, receipt

TICKET_WORDS = {
    "people_ahead": N_("People ahead: {count}"),
    "expected_wait": N_("Expected wait: about {minutes} min"),
    "where_to_go": N_("Wait for your number on the screen"),
    "follow_hint": N_("Scan to follow the queue on your phone"),
    "instruction": N_("Keep this ticket until your number is called"),
}
RECEIPT_WORDS = {
    "title": N_("Receipt"),
    "reference": N_("Reference: {reference}"),
    "time": N_("Time: {time}"),
    "link_hint": N_("Scan to open the e-service"),
    "instruction": N_("Keep this receipt"),
}


def ticket_labels(language: str) -> TicketLabels:
    return TicketLabels(**{key: translate(language, words) for key, words in TICKET_WORDS.items()})


def receipt_labels(language: str, link_hint: str | None = None) -> ReceiptLabels:
    labels = {key: translate(language, words) for key, words in RECEIPT_WORDS.items()}
    if link_hint is not None:
        labels["link_hint"] = translate(language, link_hint)
    return ReceiptLabels(**labels)


def ticket_bytes(settings, language: str, number: str, service_name: str, follow_url: str = "",
                 people_ahead: int | None = None, expected_wait_min: int | None = None,
                 issued_at: datetime | None = None) -> bytes:
    return queue_ticket(TicketData(
        centre_name=settings.centre.name, number=number, service_name=service_name,
        issued_at=issued_at or datetime.now(CENTRE_TIME), follow_url=follow_url, people_ahead=people_ahead,
        expected_wait_min=expected_wait_min, labels=ticket_labels(language)), settings.printing.receipt_profile)


def receipt_bytes(settings, language: str, what_was_done: str, reference: str, link_url: str,
                  link_hint: str | None = None, done_at: datetime | None = None) -> bytes:
    return receipt(ReceiptData(
        centre_name=settings.centre.name, what_was_done=what_was_done, reference=reference,
        done_at=done_at or datetime.now(CENTRE_TIME), link_url=link_url, labels=receipt_labels(language, link_hint)),
        settings.printing.receipt_profile)


def authorisation_pdf(settings, service: Service, language: str, identity=None) -> bytes:
    """The authorisation for staff to act for the resident; the eID identity fills the name and code when known."""
    return authorisation_form(AuthorisationData(
        service_name=service.name.lv, institution=service.institution.name.lv,
        service_name_local=service.name.get(language) if language != "lv" else None,
        institution_local=service.institution.name.get(language) if language != "lv" else None,
        centre_name=settings.centre.name, centre_address=settings.centre.address, issued_at=datetime.now(CENTRE_TIME),
        language=language,
        given_name=getattr(identity, "given_name", None), surname=getattr(identity, "surname", None),
        personal_code=getattr(identity, "personal_code", None)))


def paper_form_pdf(settings, service: Service, language: str) -> bytes:
    return paper_application_form(PaperFormData(
        service_name=service.name.lv, institution=service.institution.name.lv, issued_at=datetime.now(CENTRE_TIME),
        language=language, centre_name=settings.centre.name, centre_address=settings.centre.address,
        service_name_local=service.name.get(language) if language != "lv" else None))


def write_form(settings, visit, kind: str, service: Service, language: str) -> Path:
    """The authorisation (named for the resident logged in with eID) or the paper form, written into the visit's
    folder: its path."""
    if kind == "authorised":
        pdf = authorisation_pdf(settings, service, language, visit.card.identity)
    else:
        pdf = paper_form_pdf(settings, service, language)
    folder = visit.directory / "forms"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{kind}.pdf"
    path.write_bytes(pdf)
    return path

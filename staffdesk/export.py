"""A report as the ministry's table (period, total, consultations, applications, then each institution and way), in
CSV or XLSX; the XLSX adds a sheet for every other table of the console's report."""

from __future__ import annotations

import csv
import io

from staffdesk.catalogue import DeskCatalogue
from staffdesk.messages import LANGUAGES, text
from staffdesk.statistics import Report
from staffdesk.usage import STAFF_CHANNELS

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def ministry_table(report: Report, language: str) -> list[list]:
    """The header, then a line per month when the period spans several, then the whole period's line."""
    institutions = report.institution_codes
    header = [text(language, "st_period"), text(language, "st_total"), text(language, "st_consultations"),
              text(language, "st_applications"), *institutions,
              *(text(language, f"ch_{channel}") for channel in STAFF_CHANNELS), text(language, "st_self_service_column")]
    rows = report.months if len(report.months) > 1 else []
    return [header] + [[row.label, row.total, row.consultations, row.applications,
                        *(row.institutions.get(code, 0) for code in institutions),
                        *(row.channels.get(channel, 0) for channel in STAFF_CHANNELS), row.self_service]
                       for row in [*rows, report.whole]]


def to_csv(report: Report, language: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(ministry_table(report, language))
    # The byte-order mark tells spreadsheet programs the text is UTF-8 (institutions' and ways' names in Latvian).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report, catalogue: DeskCatalogue, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    t = lambda key: text(language, key)  # noqa: E731
    book = Workbook()
    sheets = [(t("st_report_sheet"), ministry_table(report, language)),
              (t("st_by_institution"), [[t("institution"), "", t("st_consultations"), t("st_applications"),
                                         t("st_total")]]
               + [[split.code, catalogue.institution_name(split.code, language), split.consultations,
                   split.applications, split.total] for split in report.institutions]),
              (t("st_by_service"), [[t("st_service"), "", t("institution"), t("st_consultations"),
                                     t("st_applications"), t("st_total"), t("st_viewed"), t("st_self_service"),
                                     t("st_forms"), t("st_tickets")]]
               + [[use.code, catalogue.service_name(use.code, language), use.institution, use.consultations,
                   use.applications, use.total, use.viewed, use.self_service, use.forms, use.tickets]
                  for use in report.services]),
              (t("st_by_channel"), [[t("st_channel"), t("st_consultations"), t("st_applications"), t("st_total")]]
               + [[t(f"ch_{split.code}") if split.code in STAFF_CHANNELS else split.code, split.consultations,
                   split.applications, split.total] for split in report.channels]),
              (t("st_by_language"), [[t("st_language"), t("st_visits")]]
               + [[LANGUAGES.get(code, code), visits] for code, visits in report.languages.items()]),
              (t("st_times"), [["", t("st_count"), t("st_median_s"), t("st_p90_s")]]
               + [[t(key), timing.count, timing.median_s, timing.p90_s] for key, timing in (
                   ("st_answer_time", report.help_answered), ("st_wait_time", report.queue_wait),
                   ("st_serve_time", report.queue_serve), ("st_visit_length", report.visits))]
               + [[t("calls"), report.help_calls], [t("st_no_shows"), report.counts.get("queue-no-show", 0)]]),
              (t("st_kiosk_use"), [["", t("st_count")]] + [[t(key), value] for key, value in kiosk_use(report)])]
    if report.per_centre:
        sheets.append((t("st_by_centre"), [[t("st_centre"), t("st_total"), t("st_consultations"),
                                            t("st_applications"), t("st_visits")]]
                       + [[row.name, row.total, row.consultations, row.applications, row.visits]
                          for row in report.per_centre]))
    book.remove(book.active)
    for title, rows in sheets:
        # A sheet's name holds at most 31 characters and none of []:*?/\
        sheet = book.create_sheet(title.translate(str.maketrans("", "", "[]:*?/\\"))[:31])
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kiosk_use(report: Report) -> list[tuple[str, int]]:
    """The kiosks' figures in the console's order: (message key, number)."""
    counts, amounts = report.counts, report.amounts
    return [("st_visits", counts.get("visit", 0)), ("st_services_viewed", counts.get("service-viewed", 0)),
            ("st_self_service", counts.get("self-service-opened", 0)),
            ("st_forms", counts.get("form-printed", 0)), ("st_video_booked", counts.get("video-booked", 0)),
            ("st_tickets", counts.get("ticket-taken", 0)), ("st_pages_printed", amounts.get("pages-printed", 0)),
            ("st_pages_scanned", amounts.get("pages-scanned", 0))]


def file_name(report: Report, extension: str) -> str:
    label = report.period.label.replace(" – ", "_")
    return f"kac-statistics-{label}.{extension}"

"""A report as the ministry's table (period, total, consultations, applications, then each institution and way), in
CSV or XLSX; the XLSX adds a sheet for every other table of the console's report."""

from __future__ import annotations

import csv
import io

from kiosk.i18n import N_
from staffdesk.catalogue import DeskCatalogue
from staffdesk.statistics import Report
from staffdesk.usage import STAFF_CHANNELS
from staffdesk.words import LANGUAGES, channel_name, words

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# The kiosks' figures in the console's order: (what the kiosks count, its words); pages are amounts, not events.
KIOSK_USE = (("visit", N_("Visits")), ("service-viewed", N_("Services viewed")),
             ("self-service-opened", N_("“Do it yourself” opened")), ("form-printed", N_("Forms printed")),
             ("video-booked", N_("Video consultations booked")), ("ticket-taken", N_("Queue tickets")),
             ("pages-printed", N_("Pages printed")), ("pages-scanned", N_("Pages scanned")))
AMOUNTS = ("pages-printed", "pages-scanned")


def ministry_table(report: Report, language: str) -> list[list]:
    """The header, then a line per month when the period spans several, then the whole period's line."""
    _ = words(language).gettext
    institutions = report.institution_codes
    header = [_("Period"), _("Total"), _("Consultations"), _("Applications"), *institutions,
              *(channel_name(language, channel) for channel in STAFF_CHANNELS), _("Self-service at the kiosk")]
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
    catalogue_words = words(language)
    _, pgettext = catalogue_words.gettext, catalogue_words.pgettext
    book = Workbook()
    sheets = [(_("Report"), ministry_table(report, language)),
              (pgettext("staff desk", "By institution"), [[_("Institution"), "", _("Consultations"),
                                                           _("Applications"), _("Total")]]
               + [[split.code, catalogue.institution_name(split.code, language), split.consultations,
                   split.applications, split.total] for split in report.institutions]),
              (_("By service"), [[_("Service"), "", _("Institution"), _("Consultations"), _("Applications"),
                                  _("Total"), _("Viewed at a kiosk"), _("“Do it yourself” opened"),
                                  _("Forms printed"), _("Queue tickets")]]
               + [[use.code, catalogue.service_name(use.code, language), use.institution, use.consultations,
                   use.applications, use.total, use.viewed, use.self_service, use.forms, use.tickets]
                  for use in report.services]),
              (_("By way"), [[_("Way"), _("Consultations"), _("Applications"), _("Total")]]
               + [[channel_name(language, split.code), split.consultations, split.applications, split.total]
                  for split in report.channels]),
              (_("Languages"), [[_("Language"), _("Visits")]]
               + [[LANGUAGES.get(code, code), visits] for code, visits in report.languages.items()]),
              (_("Times"), [["", _("Count"), _("Median, s"), _("90th percentile, s")]]
               + [[label, timing.count, timing.median_s, timing.p90_s] for label, timing in (
                   (_("Time to answer"), report.help_answered), (_("Waiting in the queue"), report.queue_wait),
                   (_("Serving"), report.queue_serve), (_("Visit length"), report.visits))]
               + [[_("Help calls"), report.help_calls], [_("No-shows"), report.counts.get("queue-no-show", 0)]]),
              (_("Kiosk use"), [["", _("Count")]] + [[_(word), value] for _kind, word, value in kiosk_use(report)])]
    if report.per_centre:
        sheets.append((_("By centre"), [[_("Centre"), _("Total"), _("Consultations"), _("Applications"),
                                          _("Visits")]]
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


def kiosk_use(report: Report) -> list[tuple[str, str, int]]:
    """The kiosks' figures in the console's order: (what the kiosks count, its words, number)."""
    return [(kind, word, (report.amounts if kind in AMOUNTS else report.counts).get(kind, 0))
            for kind, word in KIOSK_USE]


def file_name(report: Report, extension: str) -> str:
    label = report.period.label.replace(" – ", "_")
    return f"kac-statistics-{label}.{extension}"

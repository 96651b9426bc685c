"""The console's statistics: a period's report for managers (one centre) and national managers (any centres), with
its CSV and XLSX exports; the same figures as `staffdesk report`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from staffdesk import export, statistics
from staffdesk.api.deps import StaffContext, staff_page
from staffdesk.api.pages import language, render
from staffdesk.catalogue import DeskCatalogue
from staffdesk.models import Role
from staffdesk.queue import local_day

router = APIRouter()


def manager(context: StaffContext = Depends(staff_page)) -> StaffContext:
    if context.staff.role not in (Role.MANAGER.value, Role.NATIONAL.value):
        raise HTTPException(403, "the reports are for managers")
    return context


@dataclass(frozen=True)
class Asked:
    """The report's form as it came (each kind of period has its own field): what the page shows back."""
    period: str
    month: str
    quarter: str
    year: str
    start: str
    end: str
    centres: list[int]

    @property
    def value(self) -> str:
        return {"month": self.month, "quarter": self.quarter, "year": self.year}.get(self.period, "")


def asked(period: Literal[statistics.PERIOD_KINDS] = "month", month: str = Query("", max_length=10),
          quarter: str = Query("", max_length=10), year: str = Query("", max_length=4),
          start: str = Query("", alias="from", max_length=10), end: str = Query("", alias="to", max_length=10),
          centre: list[int] = Query([], max_length=1000)) -> Asked:
    """The current month, quarter and year (and this month so far) stand in for fields left empty."""
    today = local_day()
    return Asked(period, month or f"{today:%Y-%m}", quarter or f"{today.year}-Q{(today.month - 1) // 3 + 1}",
                 year or str(today.year), start or today.replace(day=1).isoformat(), end or today.isoformat(),
                 centre)


def institution_order(catalogue: DeskCatalogue) -> list[str]:
    return [entry.code for entry in catalogue.institutions]


def _scope(session: Session, context: StaffContext, chosen: list[int]) -> list[int] | None:
    """A manager sees their own centre; a national manager the centres they chose, or every centre."""
    if context.staff.role != Role.NATIONAL.value:
        return [context.staff.centre_id]
    return sorted(set(chosen)) or None


def _report(request: Request, context: StaffContext, form: Asked) -> tuple[statistics.Report, list]:
    period = statistics.Period.parse(form.period, form.value, form.start, form.end)
    with request.app.state.read_sessions() as session:
        centres = statistics.all_centres(session) if context.staff.role == Role.NATIONAL.value else []
        report = statistics.build_report(session, period, _scope(session, context, form.centres),
                                         institution_order(request.app.state.catalogue))
    return report, centres


@router.get("/reports")
def report_page(request: Request, form: Asked = Depends(asked), context: StaffContext = Depends(manager)):
    problem, report, centres = "", None, []
    try:
        report, centres = _report(request, context, form)
    except statistics.PeriodError as error:
        problem = str(error)
    lang = language(request)
    return render(request, "reports.html", {
        "staff": context.staff, "csrf_token": context.session.csrf_token, "form": form, "report": report,
        "centres": centres, "problem": problem, "catalogue": request.app.state.catalogue,
        "kiosk_use": export.kiosk_use(report) if report else [], "query": _query_without_language(request),
        "number": lambda value: format_number(value, lang), "duration": format_duration,
        "bar": lambda value, most: bar_width(value, most)}, 422 if problem else 200)


@router.get("/reports/export")
def export_report(request: Request, format: Literal[tuple(export.FORMATS)] = "xlsx",
                  form: Asked = Depends(asked), context: StaffContext = Depends(manager)):
    try:
        report, _centres = _report(request, context, form)
    except statistics.PeriodError as error:
        raise HTTPException(422, str(error)) from None
    lang = language(request)
    body = (export.to_csv(report, lang) if format == "csv"
            else export.to_xlsx(report, request.app.state.catalogue, lang))
    return Response(body, media_type=export.FORMATS[format], headers={
        "Content-Disposition": f'attachment; filename="{export.file_name(report, format)}"'})


def _query_without_language(request: Request) -> str:
    """The report's own query, for the export links and the language links (which add their own lang)."""
    return urlencode([(name, value) for name, value in request.query_params.multi_items() if name != "lang"])


def format_number(value: int | float | None, lang: str) -> str:
    """242,145 in English; 242 145 (a no-break space) in Latvian and Ukrainian."""
    if value is None:
        return "—"
    text = f"{round(value):,}"
    return text if lang == "en" else text.replace(",", "\u00a0")


def format_duration(seconds: float | None) -> str:
    """1:05 (minutes and seconds), 1:02:05 past an hour; — for none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def bar_width(value: int, most: int) -> str:
    """A bar's length as a percentage of the longest one's (SVG attributes: the page allows no inline styles)."""
    return f"{100 * value / most:.1f}%" if most else "0%"


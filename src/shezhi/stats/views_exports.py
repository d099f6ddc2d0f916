"""The exports' views: scope first (404), then the input (400 with a reason), then the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shezhi.core.periods import Period

from . import exports
from .selectors import get_statistics_area

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


def _file(data: bytes, content_type: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """``?table=kpis|areas|departments|workers&from=YYYY-MM-DD&to=YYYY-MM-DD`` as an .xlsx."""
    area = get_statistics_area(request.user, code)  # 404 outside scope
    table = request.GET.get("table") or "kpis"
    if table not in exports.TABLES:
        return _bad_request(
            _("Unknown table %(table)s: choose one of %(tables)s.")
            % {"table": table, "tables": ", ".join(exports.TABLES)}
        )
    try:
        period = Period.of(
            request.GET.get("from"), request.GET.get("to"), today=timezone.localdate()
        )
    except ValueError as exc:
        return _bad_request(str(exc))
    data = exports.workbook(area, period, table)
    return _file(data, XLSX, exports.xlsx_filename(area, table, period), attachment=True)


@login_required
@require_GET
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """``?month=YYYY-MM`` (default: last month): the printable monthly report."""
    area = get_statistics_area(request.user, code)  # 404 outside scope
    try:
        period = exports.month_period(request.GET.get("month"), today=timezone.localdate())
    except ValueError as exc:
        return _bad_request(str(exc))
    data = exports.monthly_report(area, period)
    return _file(data, "application/pdf", exports.pdf_filename(area, period), attachment=False)

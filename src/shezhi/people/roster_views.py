"""Roster pages: upload (queued for the worker), its report, the template, exports."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from shezhi.areas.selectors import get_area
from shezhi.core import jobs

from . import permissions, roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The report page lists this many errors; the counts cover them all.
ERRORS_SHOWN = 1000


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import only the valid rows (rows with errors are skipped and reported)"),
        required=False,
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def upload(request):
    if not roster.can_import_rosters(request.user):
        raise Http404
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start_from_form(
            form,
            roster.start_roster_import,
            refused=roster.RosterRefused,
            actor=request.user,
            valid_rows_only=form.cleaned_data["valid_rows_only"],
        )
        if job is not None:
            return redirect("roster:report", pk=job.pk)
    return render(
        request,
        "people/roster_upload.html",
        {
            "form": form,
            "imports": roster.roster_imports(request.user)[:30],
            "export_areas": permissions.export_areas(request.user),
        },
    )


@login_required
def report(request, pk: int):
    job = jobs.job_or_404(roster.roster_imports(request.user), pk)
    data = job.report or {}
    errors = data.get("errors", [])
    return render(
        request,
        "people/roster_report.html",
        {
            **jobs.page_context(job, testid="roster"),
            "report": data,
            "errors": errors[:ERRORS_SHOWN],
            "errors_total": len(errors),
            "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
        },
    )


@login_required
@require_GET
def template(request):
    if not roster.can_import_rosters(request.user):
        raise Http404
    return _xlsx(roster.roster_template(), "roster-template.xlsx")


@login_required
@require_GET
def export(request, code: str):
    area = get_area(request.user, code)  # 404 outside scope
    if not roster.can_export(request.user, area):
        raise Http404
    data = roster.export_roster(user=request.user, area=area)
    return _xlsx(data, f"roster-{area.code}-{timezone.localdate():%Y%m%d}.xlsx")

"""The Excel pages of the household base: the import page (template, upload, mode, the
earlier imports), an import's report (progress while the worker runs, then the errors by
row and column) and an area's masked export.

Who: those who register households (``permissions``: ``change``) import, into the
areas they work; whoever lists an area's households (``view``) exports it, masked, with
the sensitive tags only for their readers (``transfer.exporting``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.core import jobs

from . import selectors, transfer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 1000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Household workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    valid_rows_only = forms.TypedChoiceField(
        label=_("When some rows have errors"),
        choices=[
            ("", _("Import nothing (all or nothing)")),
            ("1", _("Import the valid rows and report the others")),
        ],
        coerce=bool,
        required=False,
        empty_value=False,
        widget=forms.RadioSelect,
        initial="",
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    if not transfer.can_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start_from_form(
            form,
            transfer.start_import,
            refused=transfer.ImportRefused,
            actor=request.user,
            valid_rows_only=form.cleaned_data["valid_rows_only"],
        )
        if job is not None:
            return redirect("households:import_report", pk=job.pk)
    return render(
        request,
        "households/import.html",
        {
            "form": form,
            "imports": transfer.household_imports(request.user)[:30],
            "max_mb": transfer.max_upload_bytes() // (1024 * 1024),
        },
    )


@login_required
@require_GET
def report(request, pk: int):
    job = jobs.job_or_404(transfer.household_imports(request.user), pk)
    data = job.report or {}
    errors = data.get("errors", [])
    total = data.get("errors_total", len(errors))
    return render(
        request,
        "households/import_report.html",
        {
            **jobs.page_context(job, testid="household-import"),
            "report": data,
            "errors": errors[:ERRORS_SHOWN],
            "errors_total": total,
            "errors_hidden": max(total - ERRORS_SHOWN, 0),
        },
    )


@login_required
@require_GET
def template(request):
    if not transfer.can_import(request.user):
        raise Http404
    return _xlsx(transfer.household_template(), "households-template.xlsx")


@login_required
@require_GET
def export(request, code: str):
    area = selectors.row_area(request.user, code)  # 404 where they do not list households
    data = transfer.export_residents(user=request.user, area=area)
    return _xlsx(data, f"households-{area.code}-{timezone.localdate():%Y%m%d}.xlsx")

"""The web back office's area import: upload, then read the report on the page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shezhi.core import jobs

from . import permissions, selectors, services
from .models import Area


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON or zipped shapefile"),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,.zip"}),
    )
    validate_only = forms.BooleanField(label=_("Only validate (write nothing)"), required=False)


@login_required
def import_list(request):
    if not permissions.can(request.user, "import"):
        raise Http404
    form = AreaImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start_from_form(
            form,
            services.start_area_import,
            refused=services.ImportRefused,
            actor=request.user,
            validate_only=form.cleaned_data["validate_only"],
        )
        if job is not None:
            return redirect("areas:import_detail", pk=job.pk)
    return render(
        request,
        "areas/import_list.html",
        {"form": form, "imports": selectors.area_imports(request.user)[:50]},
    )


def _labelled_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The report's feature counts in tree order, with the levels' and kinds' names."""
    labels = {**dict(Area.Level.choices), **dict(Area.Kind.choices)}
    order = [*Area.Level.values, *Area.Kind.values]
    return [(labels[k], counts[k]) for k in order if k in counts]


@login_required
def import_detail(request, pk: int):
    job = jobs.job_or_404(selectors.area_imports(request.user), pk)
    report = job.report or {}
    return render(
        request,
        "areas/import_detail.html",
        {
            **jobs.page_context(job, testid="import"),
            "errors": report.get("errors", []),
            "warnings": report.get("warnings", []),
            "counts": _labelled_counts(report.get("counts") or {}),
        },
    )

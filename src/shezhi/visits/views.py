"""The visit pages: record a visit from a household's page (phone first), a worker's
visits, a visit's page (with "report as an event" for each hazard found) and its photos.

Thin views: ``forms`` parse, ``services`` decide and write, ``selectors`` read and
scope. A household or a visit outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.core.lists import page_of
from shezhi.core.pages import attempt
from shezhi.core.photos import served
from shezhi.households import selectors as household_selectors

from . import checklist, intervals, permissions, selectors, services
from .forms import VisitForm
from .models import TagProposal, Visit, VisitPhoto

PAGE_SIZE = 30


def _household_for(request, pk: int):
    household = household_selectors.get_household(request.user, pk)
    if not permissions.can(request.user, "record", household):
        raise Http404("No such household.")
    return household


def _named(user, residents):
    """Each resident with ``shown_name``: a child under 14's name in full only for the
    readers of sensitive data (``households.selectors.shown_name``)."""
    residents = list(residents)
    for r in residents:
        r.shown_name = household_selectors.shown_name(user, r)
    return residents


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, household: int) -> HttpResponse:
    """记录走访: whom you met, the checklist, notes, photos; big targets, one page."""
    household = _household_for(request, household)
    residents = _named(request.user, household_selectors.household_residents(household))
    form = VisitForm(request.POST or None, request.FILES or None, residents=residents)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request,
            services.record_visit,
            actor=request.user,
            household=household,
            form=form,
            fields={"tags": "proposals", "at": None},
            success=_("Visit recorded."),
            **form.service_kwargs(),
        )
        if done:
            return redirect("visits:visit", pk=done.value.visit.pk)
    recent = list(selectors.visits(request.user, household=household)[:3])
    return render(
        request,
        "visits/record.html",
        {
            "household": household,
            "form": form,
            "safety": form.items_of(checklist.SAFETY),
            "needs": form.items_of(checklist.NEEDS),
            "recent": recent,
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """走访记录: my visits, or every visit of my area (``?all=1``); one household's
    (``?household=ID``, in scope)."""
    user = request.user
    if not permissions.can(user, "view"):
        raise Http404("Not for you.")
    household = None
    if request.GET.get("household", "").isdigit():
        household = household_selectors.get_household(user, int(request.GET["household"]))
    everyone = bool(request.GET.get("all")) or household is not None
    qs = selectors.visits(user, worker=None if everyone else user, household=household)
    page = page_of(qs, request.GET, order=selectors.ORDER, per_page=PAGE_SIZE)
    return render(
        request,
        "visits/list.html",
        {"page": page, "visits": list(page), "everyone": everyone, "household": household},
    )


@require_GET
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.get_visit(request.user, pk)
    household = visit.household
    proposals = list(
        TagProposal.objects.filter(visit=visit)
        .select_related("resident")
        .only(
            "id", "tag", "add", "resident__id", "resident__name", "resident__tags",
            "resident__birth_year",
        )
    )  # fmt: skip
    _named(request.user, [p.resident for p in proposals])
    for p in proposals:
        p.label = intervals.LABELS.get(p.tag, p.tag)
        p.applied = (p.tag in p.resident.tag_list) == p.add
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "household": household,
            "met": _named(request.user, visit.met.defer(*household_selectors.RESIDENT_DEFER)),
            "hazards": visit.hazards,
            "needs": visit.needs,
            "proposals": proposals,
            "photos": list(visit.photos.all()),
            "may_report": visit.outcome == Visit.Outcome.MET or visit.hazards,
        },
    )


@require_GET
@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    visit = selectors.get_visit(request.user, pk)
    found = VisitPhoto.objects.filter(visit=visit, pk=photo_id).first()
    return served(found.image if found else None)

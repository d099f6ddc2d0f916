"""Residents' own pages: ask to be bound to a household, "my household"; and the
micro-grid worker's list of requests to confirm or refuse.

Thin: forms parse, ``services`` decide, ``selectors`` read and scope. A request outside
the worker's scope is a 404, as an unknown id is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.pages import attempt

from . import permissions, selectors, services
from .binding_forms import BindForm, DecideForm
from .masking import masked_name
from .models import Building, Compound, Household


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _building(value) -> Building | None:
    return Building.objects.filter(pk=_int(value)).defer("footprint").first()


def _compound(value) -> Compound | None:
    return Compound.objects.filter(pk=_int(value)).only("pk", "name").first()


@login_required
@require_http_methods(["GET", "POST"])
def bind(request: HttpRequest) -> HttpResponse:
    """Choose compound → building → unit and room, then name and ID number."""
    if selectors.bound_resident(request.user) is not None:
        return redirect("households:mine")
    compound = building = None
    status = 200
    form = BindForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            household = (
                Household.objects.select_related("building__compound", "micro_grid")
                .defer(
                    "micro_grid__boundary", "building__footprint", "building__compound__boundary"
                )
                .filter(pk=form.cleaned_data["household"])
                .first()
            )
            if household is None:
                form.add_error("household", _("Choose your unit and room."))
                status = 400
            else:
                done = attempt(
                    request,
                    services.request_binding,
                    form=form,
                    user=request.user,
                    household=household,
                    name=form.cleaned_data["name"],
                    id_number=form.cleaned_data["id_number"],
                    success=_("Your request is sent. Your grid worker will confirm it."),
                )
                if done:
                    return redirect("households:bind")
                status = done.status
                building = household.building
        else:
            status = 400
        building = (
            building or Building.objects.filter(pk=_int(request.POST.get("building"))).first()
        )
    else:
        building = _building(request.GET.get("building"))
    if building is not None:
        compound = _compound(building.compound_id)
    elif request.GET.get("compound"):
        compound = (
            Compound.objects.filter(pk=_int(request.GET.get("compound"))).only("pk", "name").first()
        )
    q = request.GET.get("q", "")[:50]
    context = {
        "form": form,
        "q": q,
        "compound": compound,
        "building": building,
        "latest": selectors.binding_of(request.user),
    }
    if building is not None:
        context["households"] = selectors.binding_places(building=building.pk)
    elif compound is not None:
        context["buildings"] = selectors.binding_places(compound=compound.pk)
    else:
        context["compounds"] = selectors.binding_places(q=q)
    return render(request, "households/bind.html", context, status=status)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的家: the bound resident's household, members by name only, its visits."""
    mine = selectors.my_household(request.user)
    if mine is None:
        return redirect("households:bind")
    return render(request, "households/mine.html", {"mine": mine})


@login_required
@require_GET
def bindings(request: HttpRequest) -> HttpResponse:
    """The worker's pending binding requests, oldest first, each with its household's
    residents to choose from (full names: the worker works this household)."""
    if not permissions.can(request.user, "decide_binding"):
        raise Http404
    pending = list(selectors.pending_bindings(request.user)[:100])
    members = selectors.residents_of_households([b.household_id for b in pending])
    rows = [
        {
            "binding": b,
            "residents": members.get(b.household_id, []),
            "matched": b.resident,
            "masked": masked_name(b.name),
        }
        for b in pending
    ]
    return render(request, "households/bindings.html", {"rows": rows})


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    binding = selectors.get_pending_binding(request.user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("households:bindings")
    confirm = form.cleaned_data["action"] == "confirm"
    attempt(
        request,
        services.decide_binding,
        actor=request.user,
        binding=binding,
        confirm=confirm,
        reason=form.cleaned_data.get("reason", ""),
        resident=form.cleaned_data.get("resident"),
        success=_("Confirmed: the resident is bound.") if confirm else _("Refused."),
    )
    return redirect("households:bindings")

"""The resident's phone page: raise a demand (kind, text, place, anonymous) and see
"my demands" with what became of each. Located by the phone's point when the resident
shares it, else by their bound household's micro-grid; the service refuses a demand
with no place, naming the field."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shezhi.core.pages import attempt
from shezhi.households import selectors as household_selectors

from . import selectors, services
from .forms import DemandForm


@require_http_methods(["GET", "POST"])
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: the form on top, one's own demands below, newest first."""
    form = DemandForm(request.POST or None)
    resident = household_selectors.bound_resident(request.user)
    household = resident.household if resident is not None else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            services.submit_demand,
            actor=request.user,
            form=form,
            fields={"location": "address"},
            success=_("Thank you: your demand is recorded."),
            kind=data["kind"],
            text=data["text"],
            address=data["address"],
            lng=data["lng"],
            lat=data["lat"],
            anonymous=data["anonymous"],
            household=household if data["lng"] is None else None,
        )
        if done:
            return redirect("demands:mine")
    demands = list(selectors.mine(request.user).select_related("area")[:50])
    return render(
        request,
        "demands/mine.html",
        {"form": form, "demands": demands, "household": household},
        status=400 if form.is_bound else 200,
    )

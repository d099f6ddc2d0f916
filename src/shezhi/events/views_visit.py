"""A hazard found on a household visit becomes an event in one tap, located at the building.

The visit's page (``visits``) posts here with the checklist item; events reads the visit
through visits' scoped selector (a visit outside the user's scope is a 404), reports the
event through its own ``report_event`` as a patrol report of the worker (so it follows
the normal loop: registration, dispatch, points), at the building's point, in the
category the checklist names, and keeps ``{"visit": id}`` with the report step: the
event's page links back to the visit. The idempotency key is the visit and the item, so
a second tap (or a retry) opens the same event.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.pages import attempt
from shezhi.visits import selectors as visit_selectors

from . import services
from .models import Event


@login_required
@require_POST
def from_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_selectors.get_visit(request.user, pk)
    item = visit_selectors.hazard_of(visit, request.POST.get("item", ""))
    if item is None:
        raise Http404("No such hazard on this visit.")
    household = visit.household
    building = household.building
    place = f"{building.compound.name} {building.label} {household.place_label}"
    done = attempt(
        request,
        services.report_event,
        submitted_by=request.user,
        source=Event.Source.PATROL,
        category=item.event_category,
        description=_("%(hazard)s (found on a household visit)") % {"hazard": item.label},
        lng=visit.lng,
        lat=visit.lat,
        address=place[:200],
        idempotency_key=f"visit-{visit.pk}-{item.code}",
        origin={"visit": visit.pk},
    )
    if not done:
        return redirect("visits:visit", pk=visit.pk)
    if done.value.created:
        messages.success(request, _("Reported as event %(n)s.") % {"n": done.value.event.number})
    return redirect("events:detail", pk=done.value.event.pk)

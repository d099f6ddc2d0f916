"""The resident's phone page: raise a demand (kind, text, place, anonymous) and see
"my demands" with what became of each. Located by the phone's point when the resident
shares it, else by their bound household's micro-grid; the service refuses a demand
with no place, naming the field.

The staff's grouping queue (``queue``): the open groups of the communities they manage,
each with its demands and how many residents asked ("27 户提出"); confirm a group,
split a demand out, merge a group into another of its community. Desktop and phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.lists.pages import page_of
from shezhi.core.pages import attempt
from shezhi.core.photos import served
from shezhi.households import selectors as household_selectors

from . import permissions, selectors, services
from .forms import DemandForm


@require_http_methods(["GET", "POST"])
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: the form on top, one's own demands below, newest first."""
    form = DemandForm(request.POST or None, request.FILES or None)
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
            photos=request.FILES.getlist("photos"),
        )
        if done:
            return redirect("demands:mine")
    demands = list(
        selectors.mine(request.user).select_related("area").prefetch_related("photos")[:50]
    )
    return render(
        request,
        "demands/mine.html",
        {"form": form, "demands": demands, "household": household},
        status=400 if form.is_bound else 200,
    )


@require_GET
@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """A demand's photo, to its submitter and to those whose scope holds it (else 404)."""
    demand = selectors.get_demand(request.user, pk)
    found = demand.photos.filter(pk=photo_id).first()
    return served(found.image if found else None)


QUEUE_PAGE = 20


@never_cache
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """分组队列: open groups, newest first, 20 a page, each with its demands."""
    if not permissions.can(request.user, "manage"):
        raise Http404
    page = page_of(
        selectors.queue(request.user),
        request.GET,
        order=selectors.QUEUE_ORDER,
        per_page=QUEUE_PAGE,
    )
    groups = list(page.object_list)
    ids = [g.pk for g in groups]
    members = selectors.members(ids)
    photos = selectors.photos_of([d.pk for ms in members.values() for d in ms])
    for ms in members.values():
        for d in ms:
            d.shown_photos = photos.get(d.pk, [])
    askers = selectors.group_askers(ids)
    for g in groups:
        g.members = members[g.pk]
        g.askers = askers[g.pk]
        g.merge_into = [o for o in groups if o.area_id == g.area_id and o.pk != g.pk]
    return render(request, "demands/queue.html", {"page": page, "groups": groups})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(reverse("demands:queue"))
    ):
        return redirect(target)
    return redirect("demands:queue")


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.managed_group(request.user, pk)
    attempt(
        request,
        services.confirm_group,
        actor=request.user,
        group=group,
        success=_("The group is confirmed."),
    )
    return _back(request)


@login_required
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.managed_demand(request.user, pk)
    attempt(
        request,
        services.split_demand,
        actor=request.user,
        demand=demand,
        success=_("The demand is in a group of its own."),
    )
    return _back(request)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this group into the one chosen (``into``): its demands move there."""
    other = selectors.managed_group(request.user, pk)
    into = request.POST.get("into", "")
    if not into.isdigit():
        messages.error(request, _("Choose the group to merge into."))
        return _back(request)
    keep = selectors.managed_group(request.user, int(into))
    attempt(
        request,
        services.merge_groups,
        actor=request.user,
        keep=keep,
        other=other,
        success=_("The groups are merged."),
    )
    return _back(request)

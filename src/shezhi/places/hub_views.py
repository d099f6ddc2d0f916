"""Pages of the service hubs (社治港湾 / 港口 / 码头 / 小区服务集装箱): the public directory
("find the hub of your area"), a hub's page (phone first, readable on a wall), and the
staff's list and form.

Thin views: forms parse, ``services`` decide and write, ``selectors`` read and scope.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.areas.models import Area
from shezhi.core.lists import page_of
from shezhi.core.pages import attempt
from shezhi.core.periods import Period

from . import hours as opening
from . import permissions, selectors, services
from .forms import HubForm
from .models import ServiceHub
from .views import _point

HUB_ERROR_FIELDS = {"location": "lng", "opening_hours": "hours"}
MANAGE_PAGE = 30


# ---------------------------------------------------------------------------
# The directory: find the hub of your area


def _own_area(user) -> Area | None:
    """A signed-in person's own area (the first they hold a role over)."""
    own = permissions.scope_areas(user, "know") if user.is_authenticated else None
    return sorted(own, key=lambda a: a.path)[0] if own else None


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    point, error, community = _point(request)
    area = community
    if point is not None and not error:
        try:
            _wgs, chain = locate(point[0], point[1])
            area = area_rows([chain[0].id])[chain[0].id]
        except (OutsideAllDistricts, InvalidCoordinates) as exc:
            error = str(exc)
    elif not error and not community:
        area = _own_area(request.user)
    mine = selectors.hubs_at_area(area) if area is not None else []
    tops = list(selectors.hub_list().filter(rank__lte=2))
    return render(
        request,
        "places/hubs.html",
        {
            "error": error,
            "area": area,
            "mine": mine,
            "tops": tops,
            "communities": Area.objects.filter(level="community")
            .only("code", "name", "path")
            .order_by("path"),
            "community": community,
        },
    )


# ---------------------------------------------------------------------------
# A hub's page


def _period(request: HttpRequest) -> tuple[Period, str, str]:
    """The figures' period (?from=&to=, default this year so far), an error, and which
    preset it is ("month", "year" or "")."""
    today = timezone.localdate()
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    try:
        period = Period.of(start or None, end or None, today=today)
        error = ""
    except ValueError as exc:
        period, error = Period.of(None, None, today=today), str(exc)
    preset = ""
    if period.end == today + dt.timedelta(days=1):
        if period.start == today.replace(day=1):
            preset = "month"
        elif period.start == today.replace(month=1, day=1):
            preset = "year"
    return period, error, preset


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hub = selectors.get_hub(user, pk)
    now = timezone.now()
    state = opening.state(hub.opening_hours, now)
    period, period_error, preset = _period(request)
    children = selectors.child_hubs(hub)
    found = selectors.figures(hub, children, period)
    posts, posts_count = selectors.posts_below(hub)
    today = timezone.localdate()
    return render(
        request,
        "places/hub.html",
        {
            "hub": hub,
            "tier_label": ServiceHub.Tier(hub.tier).label,
            "state": state,
            "week": [
                {**day, "text": opening.label(day["intervals"])}
                for day in opening.week(hub.opening_hours, now)
            ],
            "parents": selectors.parent_hubs(hub),
            "figures": found.figures,
            "own": list(zip(found.figures, found.own, strict=True)),
            "children": found.children,
            "child_tier": _child_tier(hub),
            "on_duty": selectors.on_duty(hub, now),
            "posts": posts,
            "posts_count": posts_count,
            "posts_url": reverse("places:nearby") + "?" + urlencode({"area": hub.area.code}),
            "period": period,
            "period_error": period_error,
            "preset": preset,
            "month_query": urlencode({"from": today.replace(day=1).isoformat()}),
            "year_query": urlencode({"from": today.replace(month=1, day=1).isoformat()}),
            "can_edit": permissions.can(user, "manage", hub.area),
            "wall": request.GET.get("wall") == "1",
        },
    )


def _child_tier(hub: ServiceHub) -> str:
    ranks = {rank: tier for tier, rank in ServiceHub.RANKS.items()}
    tier = ranks.get(hub.rank + 1)
    return str(ServiceHub.Tier(tier).label) if tier else ""


# ---------------------------------------------------------------------------
# Staff: the hubs of their scope


def _require_manager(user) -> None:
    if not permissions.can(user, "manage"):
        raise Http404


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    q = request.GET.get("q", "")[:50]
    tier = request.GET.get("tier", "")
    if tier not in ServiceHub.Tier.values:
        tier = ""
    qs = selectors.hub_list(tier=tier, q=q, base=selectors.manageable_hubs(user))
    page = page_of(qs, request.GET, order=selectors.HUB_ORDER, per_page=MANAGE_PAGE)
    return render(
        request,
        "places/hubs_manage.html",
        {"page": page, "rows": page.object_list, "q": q, "tier": tier,
         "tiers": ServiceHub.Tier.choices},
    )  # fmt: skip


def _form_page(request, form, hub=None, status=200) -> HttpResponse:
    return render(request, "places/hub_form.html", {"form": form, "hub": hub}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    if request.method == "POST":
        form = HubForm(request.POST)
        if form.is_valid():
            done = attempt(
                request,
                services.create_hub,
                form=form,
                fields=HUB_ERROR_FIELDS,
                actor=user,
                success=lambda hub: _("Service hub %(name)s opened.") % {"name": hub.name},
                **form.service_kwargs(),
            )
            if done:
                return redirect("hubs:detail", pk=done.value.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, HubForm())


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hub = selectors.get_managed_hub(user, pk)
    if request.method == "POST":
        form = HubForm(request.POST, hub=hub)
        if form.is_valid():
            done = attempt(
                request,
                services.update_hub,
                form=form,
                fields=HUB_ERROR_FIELDS,
                actor=user,
                hub=hub,
                success=lambda saved: _("Service hub %(name)s saved.") % {"name": saved.name},
                **form.service_kwargs(),
            )
            if done:
                return redirect("hubs:detail", pk=hub.pk)
        return _form_page(request, form, hub, status=400)
    return _form_page(request, HubForm(hub=hub), hub)

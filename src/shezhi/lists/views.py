"""Pages of the three lists: the staff's lists and curation (from the demand groups of
their communities), the matching page of an item (suggestions, the project, its moves),
the resource registry, and a community's public needs list on a phone (no sign-in;
the residents behind a delivered item rate it there). Thin: parse, call a service or
selector, render; a refusal is shown by ``attempt``."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import search
from shezhi.core.pages import attempt
from shezhi.demands.models import Kind
from shezhi.organisations import selectors as organisation_selectors

from . import permissions, selectors, services
from .models import TRANSITIONS, ListProject, NeedItem, Priority, ProviderKind, Status

AREA_CHOICES_MAX = 300


def _staff(user) -> None:
    if not permissions.can(user, "view"):
        raise Http404("No lists here.")


def _areas(user, levels) -> list[Area]:
    """The areas of ``levels`` the user manages (for the forms' choices)."""
    qs = Area.objects.defer("boundary").filter(level__in=levels)
    q = permissions.scope(user, "manage", field="path")
    if q is not None:
        qs = qs.filter(q)
    return list(qs.order_by("path")[:AREA_CHOICES_MAX])


def _area_by_code(user, code: str) -> Area | None:
    area = Area.objects.defer("boundary").filter(code=(code or "")[:30]).first()
    if area is None or not permissions.can(user, "view", area):
        return None
    return area


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The staff's needs lists (newest first) and the form for a new one."""
    user = request.user
    _staff(user)
    values = {
        k: request.POST.get(k, "") for k in ("area", "edition", "title", "starts_on", "ends_on")
    }
    status = 200
    if request.method == "POST":
        done = attempt(
            request,
            services.create_list,
            actor=user,
            area=_area_by_code(user, values["area"]),
            edition=values["edition"],
            title=values["title"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            success=_("The list is made: curate its items, then publish it."),
        )
        if done:
            return redirect("lists:detail", pk=done.value.pk)
        status = done.status
    lists = list(selectors.visible_lists(user)[:100])
    counts = selectors.item_counts([n.pk for n in lists])
    for n in lists:
        n.count = counts.get(n.pk, 0)
    return render(
        request,
        "lists/index.html",
        {
            "lists": lists,
            "values": values,
            "areas": _areas(user, (c.COMMUNITY, c.STREET)),
            "can_manage": permissions.can(user, "manage"),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Curation: the list's items, and the open demand groups of its communities."""
    user = request.user
    needs_list = selectors.get_list(user, pk)
    values = {k: request.POST.get(k, "") for k in ("title", "description", "priority")}
    chosen = request.POST.getlist("groups")
    status = 200
    if request.method == "POST":
        groups = [int(g) for g in chosen if g.isdigit() and len(g) < 12]
        done = attempt(
            request,
            services.add_item,
            actor=user,
            needs_list=needs_list,
            groups=groups,
            title=values["title"],
            description=values["description"],
            priority=values["priority"] or Priority.MEDIUM,
            success=_("The item is on the list."),
        )
        if done:
            return redirect("lists:detail", pk=needs_list.pk)
        status = done.status
    items = selectors.list_items(needs_list)
    cited = selectors.cited_groups(needs_list)
    groups = [g for g in selectors.open_groups(user, needs_list.area)[:200] if g.pk not in cited]
    return render(
        request,
        "lists/detail.html",
        {
            "needs_list": needs_list,
            "items": items,
            "groups": groups,
            "chosen": set(chosen),
            "values": values,
            "priorities": Priority.choices,
            "can_manage": permissions.can(user, "manage", needs_list),
        },
        status=status,
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    needs_list = selectors.get_list(request.user, pk)
    attempt(
        request,
        services.publish_list,
        actor=request.user,
        needs_list=needs_list,
        success=_("Published: the community's page shows its items."),
    )
    return redirect("lists:detail", pk=needs_list.pk)


@never_cache
@login_required
@require_GET
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """An item's matching page: its facts and history, the suggested resources (ranked,
    explained) with the match form, its project and the moves open to it."""
    user = request.user
    it = selectors.get_item(user, pk)
    project = ListProject.objects.select_related("resource", "owner").filter(item=it).first()
    moves = [s for s in TRANSITIONS[it.status] if s != Status.CLAIMED]
    return render(
        request,
        "lists/item.html",
        {
            "item": it,
            "steps": selectors.steps(it),
            "project": project,
            "suggestions": selectors.suggest(it) if it.status == Status.PUBLISHED else [],
            "moves": [(s, Status(s).label) for s in moves],
            "summary": selectors.rating_summary(it),
            "can_manage": permissions.can(user, "manage", it),
            "today": dt.date.today(),
        },
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    it = selectors.get_item(request.user, pk)
    version = request.POST.get("version", "")
    attempt(
        request,
        services.move_item,
        actor=request.user,
        item=it,
        to=request.POST.get("to", ""),
        note=request.POST.get("note", ""),
        outcome=request.POST.get("outcome", ""),
        version=int(version) if version.isdigit() and len(version) < 10 else None,
        success=_("The item has moved on."),
    )
    return redirect("lists:item", pk=it.pk)


@login_required
@require_POST
def match(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    it = selectors.get_item(user, pk)
    rid = request.POST.get("resource", "")
    resource = (
        selectors.visible_resources(user).filter(pk=int(rid)).first()
        if rid.isdigit() and len(rid) < 12
        else None
    )
    attempt(
        request,
        services.match_resource,
        actor=user,
        item=it,
        resource=resource,
        plan=request.POST.get("plan", ""),
        starts_on=request.POST.get("starts_on", ""),
        ends_on=request.POST.get("ends_on", ""),
        capacity_used=request.POST.get("capacity_used", "1") or "1",
        success=_("Matched: the item is claimed and its project begins."),
    )
    return redirect("lists:item", pk=it.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resources(request: HttpRequest) -> HttpResponse:
    """The resource list (资源清单) of the staff's areas, and the form to register one."""
    user = request.user
    _staff(user)
    keys = ("area", "provider_kind", "provider_name", "offer_kind", "title", "description")
    values = {
        k: request.POST.get(k, "") for k in (*keys, "capacity", "capacity_unit", "organisation")
    }
    status = 200
    organisations = organisation_selectors.visible_organisations(user).order_by("name")
    if request.method == "POST":
        # An organisation of the registry as the provider: its row, kind and name.
        org = None
        if values["organisation"]:
            pk = values["organisation"]
            org = organisations.filter(pk=int(pk)).first() if pk.isdigit() else None
            if org is None:
                raise Http404
            values["provider_kind"] = ProviderKind.ORGANISATION
            values["provider_name"] = values["provider_name"] or org.name
        done = attempt(
            request,
            services.register_resource,
            actor=user,
            area=_area_by_code(user, values["area"]),
            provider=org,
            provider_kind=values["provider_kind"],
            provider_name=values["provider_name"],
            offer_kind=values["offer_kind"],
            title=values["title"],
            description=values["description"],
            capacity=values["capacity"],
            capacity_unit=values["capacity_unit"],
            success=_("The resource is on the list."),
        )
        if done:
            return redirect("lists:resources")
        status = done.status
    rows = list(selectors.with_capacity_left(selectors.visible_resources(user))[:200])
    for r in rows:
        r.left = max(r.capacity - r.used, 0)
    return render(
        request,
        "lists/resources.html",
        {
            "resources": rows,
            "values": values,
            "areas": _areas(user, (c.DISTRICT, c.STREET, c.COMMUNITY)),
            "provider_kinds": ProviderKind.choices,
            "organisations": organisations[:300],
            "kinds": Kind.choices,
            "can_manage": permissions.can(user, "manage"),
        },
        status=status,
    )


def _public_rows(request, items: list[NeedItem]) -> list[NeedItem]:
    """Each item with ``may_rate`` for the signed-in resident behind it."""
    user = request.user
    rated = set()
    if user.is_authenticated:
        rated = set(
            selectors.rated_by(user, [i.pk for i in items if i.status in selectors.RATABLE])
        )
    behind = selectors.items_behind(user, [i for i in items if i.status in selectors.RATABLE])
    for i in items:
        i.may_rate = i.pk in behind and i.pk not in rated
        i.rated = i.pk in rated
    return items


@login_required
@require_GET
def my_community(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's (or worker's) community's public needs list."""
    community = selectors.home_community(request.user)
    if community is None:
        raise Http404("No community of yours.")
    return redirect("lists:public", code=community.code)


@require_GET
def public(request: HttpRequest, code: str) -> HttpResponse:
    """A community's needs list, for anyone: its published items, with the residents
    behind each counted, never named."""
    area = selectors.public_community(code)
    # The search box: a longer query is cut to what the search takes (the API says 400).
    q = request.GET.get("q", "").strip()[: search.QUERY_MAX]
    items = _public_rows(request, list(selectors.public_items(area, q)[:200]))
    counts = dict.fromkeys(Status.values, 0)
    for i in items:
        counts[i.status] += 1
    return render(
        request,
        "lists/public.html",
        {
            "area": area,
            "items": items,
            "q": q,
            "counts": [(Status(s).label, n) for s, n in counts.items()],
        },
    )


@require_GET
def public_item(request: HttpRequest, pk: int) -> HttpResponse:
    it = selectors.public_item(pk)
    area = it.area
    items = _public_rows(request, list(selectors.public_items(area).filter(pk=it.pk)))
    return render(
        request, "lists/public.html", {"area": area, "items": items, "counts": [], "one": True}
    )


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    it = selectors.ratable_item(request.user, pk)
    attempt(
        request,
        services.rate_item,
        actor=request.user,
        item=it,
        score=request.POST.get("score", ""),
        comment=request.POST.get("comment", ""),
        success=_("Thank you for your rating."),
    )
    return redirect(f"{_public_url(it)}#item-{it.pk}")


def _public_url(it: NeedItem) -> str:
    return reverse("lists:public", args=[it.area.code])

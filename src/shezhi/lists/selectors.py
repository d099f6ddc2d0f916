"""Reads of the three lists, scoped here (``permissions.scope``).

- Staff and workers read lists, items, resources and projects of their subtree (a
  resource also where it serves them); anyone reads a community's published items
  (``public_items``), which carry counts, never names.
- "The residents behind an item" (``residents_behind``): the distinct households (else
  accounts; a demand with neither counts alone) behind the demands of the item's
  groups, as ``demands.selectors.askers`` counts them, anonymous ones included.
  ``behind_users`` are the accounts among them that may be told and may rate: each
  demand's submitter and the accounts bound to its household.
- Suggestions (``suggest``): the resources that could take an item, ranked and
  explained (``Suggestion.score``'s formula is in its docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.roles import ALL_ROLES
from shezhi.core.scope import held_areas
from shezhi.demands import selectors as demand_selectors
from shezhi.demands.models import Demand, DemandGroup
from shezhi.households.models import Resident

from . import permissions
from .models import ListProject, NeedItem, NeedsList, Rating, Resource, Status
from .search import matching_ids


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


# ----------------------------------------------------------------- lists and items


def visible_lists(user) -> QuerySet[NeedsList]:
    if not permissions.can(user, "view"):
        return NeedsList.objects.none()
    return _scoped(NeedsList.objects.select_related("area"), permissions.scope(user))


def get_list(user, pk) -> NeedsList:
    found = visible_lists(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such list.")
    return found


def visible_items(user) -> QuerySet[NeedItem]:
    if not permissions.can(user, "view"):
        return NeedItem.objects.none()
    return _scoped(NeedItem.objects.select_related("needs_list", "area"), permissions.scope(user))


def get_item(user, pk) -> NeedItem:
    found = visible_items(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such item.")
    return found


def list_items(needs_list: NeedsList) -> list[NeedItem]:
    """A list's items, each with ``rating`` (the average score, or None) and
    ``ratings_count``, in a fixed number of queries."""
    return list(
        needs_list.items.select_related("area")
        .annotate(rating=Avg("ratings__score"), ratings_count=Count("ratings"))
        .order_by("priority", "-id")
    )


def public_community(code: str) -> Area:
    """A community (or street) whose published items anyone may read; else 404."""
    area = Area.objects.defer("boundary").filter(code=code).first()
    if area is None or area.level not in ("community", "street"):
        raise Http404("No such community.")
    return area


def home_community(user) -> Area | None:
    """The community where ``user`` holds a role (the deepest role first: a resident's
    micro-grid lies in it), or None."""
    held = sorted(held_areas(user, ALL_ROLES), key=lambda a: -len(a.path))
    for area in held:
        if c.LEVEL_INDEX.get(area.level, -1) >= c.LEVEL_INDEX[c.COMMUNITY]:
            return (
                Area.objects.defer("boundary")
                .filter(path__in=Area.lineage(area.path), level=c.COMMUNITY)
                .first()
            )
    return None


def public_items(area: Area, q: str = "") -> QuerySet[NeedItem]:
    """The published items of the community (or of the street's communities), whatever
    list holds them: titles, kinds, statuses and counts only; ``q``: only those whose
    title or description holds every word of it (``lists.search``)."""
    qs = NeedItem.objects.filter(
        subtree_q("area_path", area.path), needs_list__published_at__isnull=False
    )
    if q.strip():
        qs = qs.filter(pk__in=matching_ids(q, area.path))
    return (
        qs.select_related("needs_list", "area")
        .annotate(rating=Avg("ratings__score"), ratings_count=Count("ratings"))
        .order_by("priority", "-id")
    )


def public_item(pk) -> NeedItem:
    found = NeedItem.objects.filter(pk=pk, needs_list__published_at__isnull=False).first()
    if found is None:
        raise Http404("No such item.")
    return found


def steps(item: NeedItem):
    return list(item.steps.order_by("id"))


def open_groups(user, area: Area) -> QuerySet[DemandGroup]:
    """The open demand groups of ``area``'s communities that ``user`` reads, each with
    ``residents`` (distinct residents behind it), largest first: curation's source."""
    return (
        demand_selectors.visible_groups(user, counted=True)
        .filter(subtree_q("area_path", area.path), status=DemandGroup.Status.OPEN)
        .select_related("area")
        .order_by("-residents", "-id")
    )


# ----------------------------------------------------------------- residents behind


def _demands_of(item_or_groups) -> QuerySet[Demand]:
    if isinstance(item_or_groups, NeedItem):
        return Demand.objects.filter(group__in=item_or_groups.groups.all())
    return Demand.objects.filter(group__in=list(item_or_groups))


def residents_behind(item_or_groups) -> int:
    """Distinct residents behind an item (or a set of groups):
    |{household h of a demand} ∪ {account u of a demand without a household} ∪
    {demand d with neither}| over the demands of its groups (``askers``)."""
    return demand_selectors.askers(_demands_of(item_or_groups))


def behind_users(item: NeedItem) -> set[int]:
    """The accounts behind an item: each demand's submitter, and the accounts bound to
    the demand's household. Told of its moves; the only ones who may rate it."""
    rows = list(_demands_of(item).values_list("submitter_id", "household_id"))
    users = {s for s, _h in rows if s}
    households = {h for _s, h in rows if h}
    if households:
        users |= set(
            Resident.objects.filter(household_id__in=households, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    return users


def is_behind(user, item: NeedItem) -> bool:
    return bool(user and user.is_authenticated and user.pk in behind_users(item))


def rating_summary(item: NeedItem) -> dict:
    """``rating``: the average score (None before any), ``ratings``: how many."""
    agg = item.ratings.aggregate(rating=Avg("score"), ratings=Count("id"))
    return {"rating": agg["rating"], "ratings": agg["ratings"]}


def ratable_item(user, pk) -> NeedItem:
    """An item ``user`` may rate or read as a rater: a published item they are behind,
    or one in their scope; else 404 (ids leak nothing)."""
    item = public_item(pk)
    if is_behind(user, item) or visible_items(user).filter(pk=pk).exists():
        return item
    raise Http404("No such item.")


# The statuses in which the residents behind an item rate it.
RATABLE = (Status.DELIVERED, Status.EVALUATED)


def rated_by(user, item_ids) -> list[int]:
    """The items among ``item_ids`` that ``user`` has rated."""
    return list(
        Rating.objects.filter(user=user, item_id__in=item_ids).values_list("item_id", flat=True)
    )


def items_behind(user, items) -> set[int]:
    """The items among ``items`` that ``user`` is behind (a few queries for the lot)."""
    if not (user and user.is_authenticated) or not items:
        return set()
    ids = [i.pk for i in items]
    through = NeedItem.groups.through.objects.filter(needitem_id__in=ids)
    group_items: dict[int, set[int]] = {}
    for item_id, group_id in through.values_list("needitem_id", "demandgroup_id"):
        group_items.setdefault(group_id, set()).add(item_id)
    households = set(Resident.objects.filter(user=user).values_list("household_id", flat=True))
    mine = Demand.objects.filter(group_id__in=group_items).filter(
        Q(submitter=user) | Q(household_id__in=households)
    )
    return {i for g in mine.values_list("group_id", flat=True) for i in group_items[g]}


def item_counts(list_ids) -> dict[int, int]:
    return dict(
        NeedItem.objects.filter(needs_list_id__in=list_ids)
        .order_by()
        .values_list("needs_list_id")
        .annotate(n=Count("id"))
    )


def cited_groups(needs_list: NeedsList) -> set[int]:
    return set(
        NeedItem.groups.through.objects.filter(needitem__needs_list=needs_list).values_list(
            "demandgroup_id", flat=True
        )
    )


# ----------------------------------------------------------------- resources, projects


def visible_resources(user) -> QuerySet[Resource]:
    if not permissions.can(user, "view"):
        return Resource.objects.none()
    return _scoped(
        Resource.objects.select_related("area", "provider_type"), permissions.serving_scope(user)
    )


def get_resource(user, pk) -> Resource:
    found = visible_resources(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such resource.")
    return found


def with_capacity_left(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    """Each resource with ``used`` and ``left``: capacity − Σ capacity_used of its
    projects (every project takes its share until the resource is edited)."""
    return qs.annotate(used=Coalesce(Sum("projects__capacity_used"), 0))


def capacity_left(resource: Resource) -> int:
    used = resource.projects.aggregate(n=Coalesce(Sum("capacity_used"), 0))["n"]
    return max(resource.capacity - used, 0)


def visible_projects(user) -> QuerySet[ListProject]:
    if not permissions.can(user, "view"):
        return ListProject.objects.none()
    return _scoped(
        ListProject.objects.select_related("item", "resource", "item__area"),
        permissions.scope(user, field="item__area_path"),
    )


# ----------------------------------------------------------------- suggestions

# The weights of a suggestion's score (``Suggestion``).
SAME_KIND, OTHER_KIND = 100, 40
LOCAL_BONUS = {"community": 20, "general_grid": 20, "micro_grid": 20, "street": 10}
ENOUGH_BONUS = 10


@dataclass
class Suggestion:
    """A resource that could take an item, and why.

    score = kind (100 when the resource offers the item's kind; 40 when it offers
    "other") + locality (20 when it serves the item's community itself, 10 its street,
    0 the district or above) + enough (10 when its capacity left covers every resident
    behind the item). Only active resources that serve the item's community (their
    area is the community or above it) and have capacity left are suggested; ties go
    to the larger capacity left, then the older resource.
    """

    resource: Resource
    left: int
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def suggest(item: NeedItem, *, limit: int = 10) -> list[Suggestion]:
    """The resources that could take ``item``, best first, each explained."""
    kinds = [item.kind] if item.kind == "other" else [item.kind, "other"]
    candidates = with_capacity_left(
        Resource.objects.filter(
            active=True, offer_kind__in=kinds, area_path__in=Area.lineage(item.area_path)
        ).select_related("area")
    )
    out: list[Suggestion] = []
    for r in candidates:
        left = max(r.capacity - r.used, 0)
        if left <= 0:
            continue
        s = Suggestion(resource=r, left=left)
        if r.offer_kind == item.kind:
            s.score += SAME_KIND
            s.reasons.append(_("Offers %(kind)s") % {"kind": r.get_offer_kind_display()})
        else:
            s.score += OTHER_KIND
            s.reasons.append(
                _("Offers other help, not %(kind)s") % {"kind": item.get_kind_display()}
            )
        bonus = LOCAL_BONUS.get(r.area.level, 0)
        s.score += bonus
        s.reasons.append(_("Serves %(area)s") % {"area": r.area.name})
        if left >= max(item.residents, 1):
            s.score += ENOUGH_BONUS
            s.reasons.append(
                _("Capacity left %(left)s %(unit)s: enough for the %(n)s residents behind it")
                % {"left": left, "unit": r.capacity_unit, "n": item.residents}
            )
        else:
            s.reasons.append(
                _("Capacity left %(left)s %(unit)s: fewer than the %(n)s residents behind it")
                % {"left": left, "unit": r.capacity_unit, "n": item.residents}
            )
        out.append(s)
    out.sort(key=lambda s: (-s.score, -s.left, s.resource.pk))
    return out[:limit]


def status_counts(qs: QuerySet[NeedItem]) -> dict[str, int]:
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return {s: counts.get(s, 0) for s in Status.values}


def offered_by(provider) -> QuerySet[Resource]:
    """The resources a provider's own row (e.g. an organisation) offers, newest first."""
    return Resource.objects.filter(
        provider_type=ContentType.objects.get_for_model(provider), provider_id=provider.pk
    ).order_by("-id")


def taken_on_by(provider) -> QuerySet[ListProject]:
    """The list projects (items matched to its resources) a provider took on."""
    return (
        ListProject.objects.filter(
            resource__provider_type=ContentType.objects.get_for_model(provider),
            resource__provider_id=provider.pk,
        )
        .select_related("item", "resource")
        .order_by("-id")
    )

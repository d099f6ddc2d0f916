"""Every read of the household base that lists, finds or counts, in the user's scope.

Lists are built with the shared list primitive (``shezhi.core.lists``): the scope and
the area asked for are path ranges on ``area_path``, pages are keyset cursors, counts
stop at the cap. An object outside the user's scope is a 404, like one that does not
exist. Counts by tag come from ``TagCount`` (no decryption, no link to a person).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.lists import Page, capped_count, keyset_page, subtree_q

from . import identity, permissions
from . import tags as tagset
from .masking import masked_name
from .models import (
    BindingRequest,
    Building,
    Compound,
    Household,
    Resident,
    ResidentMove,
    TagCount,
)

# Never needed to draw a list or a page: the clear values (decrypted only on reveal).
RESIDENT_DEFER = ("phone", "id_number", "birth_date", "sensitive_tags")
AREA_DEFER = ("micro_grid__boundary",)

HOUSEHOLD_ORDER = ("building__compound__name", "building__sort_key", "sort_key", "id")
RESIDENT_ORDER = ("household_id", "id")
COMPOUND_ORDER = ("area_path", "name", "id")
BUILDING_ORDER = ("compound_id", "sort_key", "id")


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


# ---------------------------------------------------------------------------
# Visible rows


def visible_compounds(user) -> QuerySet[Compound]:
    qs = Compound.objects.select_related("community").defer("community__boundary", "boundary")
    return _scoped(qs, permissions.compound_scope(user))


def visible_buildings(user) -> QuerySet[Building]:
    qs = Building.objects.select_related("compound", "micro_grid").defer(
        *AREA_DEFER, "footprint", "compound__boundary"
    )
    return _scoped(qs, permissions.scope(user, "view"))


def visible_households(user) -> QuerySet[Household]:
    qs = Household.objects.select_related("building__compound", "micro_grid").defer(
        *AREA_DEFER, "building__footprint", "building__compound__boundary"
    )
    return _scoped(qs, permissions.scope(user, "view"))


def visible_residents(user) -> QuerySet[Resident]:
    qs = Resident.objects.select_related(
        "household__building__compound", "household__micro_grid"
    ).defer(
        *RESIDENT_DEFER,
        "household__micro_grid__boundary",
        "household__building__footprint",
        "household__building__compound__boundary",
    )
    return _scoped(qs, permissions.scope(user, "view", "household__area_path"))


def _get(qs: QuerySet, pk, what: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj


def get_compound(user, pk) -> Compound:
    return _get(visible_compounds(user), pk, "compound")


def get_building(user, pk) -> Building:
    return _get(visible_buildings(user), pk, "building")


def get_household(user, pk) -> Household:
    return _get(visible_households(user), pk, "household")


def get_resident(user, pk) -> Resident:
    return _get(visible_residents(user), pk, "resident")


def resident_by_id_number(user, id_number: str) -> Resident:
    """The resident holding ``id_number`` (by its blind index), if in scope; else 404."""
    index = pd.blind_index(pd.ID_NUMBER, id_number)
    if not index:
        raise Http404("No such resident.")
    resident = visible_residents(user).filter(id_number_index=index).first()
    if resident is None:
        raise Http404("No such resident.")
    return resident


# ---------------------------------------------------------------------------
# Lists


def compounds(user, *, area: Area | None = None, q: str = "") -> QuerySet[Compound]:
    qs = visible_compounds(user)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path) | Q(area_path__in=Area.lineage(area.path)))
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()))
    return qs


def buildings(user, *, area: Area | None = None, compound: Compound | None = None):
    qs = visible_buildings(user)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if compound is not None:
        qs = qs.filter(compound=compound)
    return qs


def _has_tag(tag: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}tags__contains": tagset.contains(tag)})


def households(
    user,
    *,
    area: Area | None = None,
    building: Building | None = None,
    q: str = "",
    tag: str = "",
    kind: str = "",
) -> QuerySet[Household]:
    """Households in scope, inside ``area``; ``q`` matches a room ("302", "2-302") or a
    resident's name; ``tag`` (a plain tag) keeps those with a resident carrying it."""
    qs = visible_households(user)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if building is not None:
        qs = qs.filter(building=building)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(Exists(Resident.objects.filter(Q(household=OuterRef("pk")) & _has_tag(tag))))
    q = q.strip()
    if q:
        named = Resident.objects.filter(Q(household=OuterRef("pk")) & _named(user, q))
        match = Q(room__icontains=q) | Q(Exists(named))
        unit, sep, room = q.replace("—", "-").partition("-")
        if sep and unit.strip() and room.strip():
            match |= Q(unit=unit.strip(), room__icontains=room.strip())
        qs = qs.filter(match)
    return qs


def residents(
    user,
    *,
    area: Area | None = None,
    household: Household | None = None,
    q: str = "",
    tag: str = "",
) -> QuerySet[Resident]:
    qs = visible_residents(user)
    if area is not None:
        qs = qs.filter(subtree_q("household__area_path", area.path))
    if household is not None:
        qs = qs.filter(household=household)
    if tag:
        qs = qs.filter(_has_tag(tag))
    if q.strip():
        qs = qs.filter(_named(user, q.strip()))
    return qs


def _named(user, q: str) -> Q:
    """Residents whose name holds ``q``, as ``user`` may search them: a child under 14's
    name (sensitive personal information, ``shown_name``) is searched only where the user
    reads sensitive data; elsewhere a child's name finds nothing, not even by the exact
    name, so a search cannot tell where a child of that name lives. By the year of birth
    in SQL; in the year a child turns 14, by the birth date of the few that match."""
    match = Q(name__icontains=q)
    reads = permissions.scope(user, "sensitive", "household__area_path")
    if reads is None:
        return match
    today = timezone.localdate()
    floor = identity.child_year_floor(today)
    edge = visible_residents(user).filter(match, birth_year=floor).exclude(reads)
    young = [
        pk
        for pk, born in edge.values_list("pk", "birth_date").iterator()
        if identity.is_child(floor, born, today)
    ]
    grown = Q(birth_year__isnull=True) | Q(birth_year__lte=floor)
    if young:
        grown &= ~Q(pk__in=young)
    return match & (grown | reads)


def page_of(
    qs: QuerySet, order, *, limit: int, after: str | None = None, before: str | None = None
) -> Page:
    """One keyset page of ``qs`` with its capped count."""
    page = keyset_page(qs, order=order, limit=limit, after=after, before=before)
    page.count = capped_count(qs)
    return page


# ---------------------------------------------------------------------------
# What a household's row and page show


# ---------------------------------------------------------------------------
# Visits, from whoever records them (households imports no feature app)

# ``source({household_id: [plain tags of its residents]})`` → {household_id: mark}, where
# a mark has ``last`` (datetime or None) and ``overdue`` (bool). The visits app registers
# its reader in ``VisitsConfig.ready()``, as people hands core its holdings reader.
VisitMarks = Callable[[dict[int, list[str]]], dict[int, Any]]
_visit_marks: list[VisitMarks] = []


def register_visit_marks(source: VisitMarks) -> None:
    """Where the households' pages read each household's last visit and overdue mark."""
    _visit_marks[:] = [source]


def visit_marks(tags_by_household: dict[int, list[str]]) -> dict[int, Any]:
    """The registered source's marks (one query for a page); none without a source."""
    if not _visit_marks or not tags_by_household:
        return {}
    return _visit_marks[0](tags_by_household)


@dataclass
class HouseholdRow:
    household: Household
    head: Resident | None
    residents: int
    tags: list[str] = field(default_factory=list)
    visit: Any = None  # the visit mark (``visit_marks``): last visit, overdue


def household_rows(items: list[Household]) -> list[HouseholdRow]:
    """The rows of a page of households: head, number of residents, plain tags of its
    residents, the last visit; one query for the residents, one for the visits."""
    by_household: dict[int, list[Resident]] = defaultdict(list)
    for r in (
        Resident.objects.filter(household__in=[h.pk for h in items])
        .only("id", "household_id", "name", "relation", "tags")
        .order_by("household_id", "id")
    ):
        by_household[r.household_id].append(r)
    rows = []
    for h in items:
        people = by_household.get(h.pk, [])
        head = next((r for r in people if r.relation == Resident.Relation.HEAD), None)
        present = {t for r in people for t in r.tag_list}
        rows.append(
            HouseholdRow(
                household=h,
                head=head or (people[0] if people else None),
                residents=len(people),
                tags=[t for t in tagset.PLAIN if t in present],
            )
        )
    marks = visit_marks({row.household.pk: row.tags for row in rows})
    for row in rows:
        row.visit = marks.get(row.household.pk)
    return rows


def household_residents(household: Household) -> list[Resident]:
    people = list(household.residents.defer(*RESIDENT_DEFER).order_by("pk"))
    # The head first, then the others as registered.
    return sorted(people, key=lambda r: r.relation != Resident.Relation.HEAD)


def is_child(resident: Resident, day: dt.date | None = None) -> bool:
    """Under 14 (``identity.is_child``): the encrypted birth date is read only in the
    year the child turns 14."""
    day = day or timezone.localdate()
    return identity.is_child(resident.birth_year, lambda: resident.birth_date, day)


def shown_name(user, resident: Resident, *, reads_sensitive: bool | None = None) -> str:
    """A resident's name as a page that names residents in full shows it to ``user``.

    A child under 14 is sensitive personal information (PIPL art. 28/31): their name in
    full only for the readers of sensitive data over them (``permissions``:
    ``sensitive``), masked (张**) for everyone else. ``reads_sensitive``: that right,
    when the caller already knows it (one check for a whole household)."""
    if not is_child(resident):
        return resident.name
    if reads_sensitive is None:
        reads_sensitive = permissions.can(user, "sensitive", resident)
    return resident.name if reads_sensitive else masked_name(resident.name)


def moves_of(resident: Resident) -> QuerySet[ResidentMove]:
    return resident.moves.select_related("moved_by").order_by("-moved_on", "-pk")


def residents_with_prefetch(qs: QuerySet[Household]) -> QuerySet[Household]:
    return qs.prefetch_related(
        Prefetch("residents", queryset=Resident.objects.defer(*RESIDENT_DEFER).order_by("pk"))
    )


# ---------------------------------------------------------------------------
# Counts: what every role over an area may read


@dataclass
class AreaCounts:
    households: int
    residents: int
    by_kind: dict[str, int]
    by_tag: dict[str, int]
    sensitive: dict[str, int] | None  # None: not for this reader


def may_count(user, area: Area) -> bool:
    return permissions.can(user, "counts", area)


def sees_sensitive_counts(user, area: Area) -> bool:
    return permissions.can(user, "sensitive", area)


def area_counts(user, area: Area) -> AreaCounts:
    """Households, residents, households per kind and residents per tag inside ``area``
    (the caller checks ``may_count``); sensitive tags only for their readers."""
    inside = subtree_q("area_path", area.path)
    by_kind = dict(
        Household.objects.filter(inside).order_by().values_list("kind").annotate(n=Count("id"))
    )
    residents_n = Resident.objects.filter(subtree_q("household__area_path", area.path)).count()
    tallies = dict(
        TagCount.objects.filter(inside).order_by().values_list("tag").annotate(n=Sum("count"))
    )
    sensitive = None
    if sees_sensitive_counts(user, area):
        sensitive = {t: tallies.get(t, 0) or 0 for t in tagset.SENSITIVE_TAGS}
    return AreaCounts(
        households=sum(by_kind.values()),
        residents=residents_n,
        by_kind={k: by_kind.get(k, 0) for k in Household.Kind.values},
        by_tag={t: tallies.get(t, 0) or 0 for t in tagset.PLAIN},
        sensitive=sensitive,
    )


def counts_by_child(area: Area) -> dict[str, dict]:
    """Households, residents and residents per tag for each child path of ``area``: one
    grouped query per table over the path prefix (as ``people.selectors`` does)."""
    length = (area.depth + 1) * Area.steplen
    out: dict[str, dict] = defaultdict(lambda: {"households": 0, "residents": 0, "tags": {}})
    inside = subtree_q("area_path", area.path)
    for path, n in (
        Household.objects.filter(inside)
        .annotate(child=Substr("area_path", 1, length))
        .order_by()
        .values_list("child")
        .annotate(n=Count("id"))
    ):
        out[path]["households"] = n
    for path, n in (
        Resident.objects.filter(subtree_q("household__area_path", area.path))
        .annotate(child=Substr("household__area_path", 1, length))
        .order_by()
        .values_list("child")
        .annotate(n=Count("id"))
    ):
        out[path]["residents"] = n
    for path, tag, n in (
        TagCount.objects.filter(inside)
        .annotate(child=Substr("area_path", 1, length))
        .order_by()
        .values_list("child", "tag")
        .annotate(n=Sum("count"))
    ):
        out[path]["tags"][tag] = n or 0
    return out


def count_area(user, code: str) -> Area:
    """An area whose figures ``user`` may read, by code; else 404."""
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None or not may_count(user, area):
        raise Http404("No such area.")
    return area


def row_area(user, code: str) -> Area:
    """An area whose households ``user`` may list, by code; else 404."""
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None or not permissions.can(user, "view", area):
        raise Http404("No such area.")
    return area


def home_area(user) -> Area | None:
    """Where the household list starts: the top of the user's scope for rows (their
    micro-grid, grid, community …); the first district for a superuser."""
    paths = permissions.in_scope_paths(user, "view")
    if paths is None:
        return Area.objects.filter(depth=1).defer("boundary").order_by("path").first()
    if not paths:
        return None
    return Area.objects.defer("boundary").get(path=paths[0])


def count_home_area(user) -> Area | None:
    paths = permissions.in_scope_paths(user, "counts")
    if paths is None:
        return Area.objects.filter(depth=1).defer("boundary").order_by("path").first()
    if not paths:
        return None
    return Area.objects.defer("boundary").get(path=paths[0])


# ---------------------------------------------------------------------------
# Residents' own sign-ins: binding, "my household", reaching bound residents


def bound_resident(user) -> Resident | None:
    """The resident record a signed-in user is bound to (confirmed), or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Resident.objects.select_related("household__building__compound")
        .defer(
            *RESIDENT_DEFER,
            "household__building__footprint",
            "household__building__compound__boundary",
        )
        .filter(user=user)
        .first()
    )


@dataclass(frozen=True)
class MyHousehold:
    """What a bound resident sees of their household: the place, and the members' names
    only (no phone, ID number, birth date, tag or relation of anyone else)."""

    resident: Resident
    household: Household
    member_names: list[str]
    visits: list | None  # None: no source of visits is registered yet


# Where a bound resident's household visits are read from: the visits module registers
# one function (household → list of visits, newest first, as it wants them shown);
# until it does, "my household" says visits are not recorded here yet.
_visit_sources: list = []


def register_visits_source(source) -> None:
    """The visits module says how to read a household's visits for its resident."""
    _visit_sources[:] = [source]


def my_household(user) -> MyHousehold | None:
    me = bound_resident(user)
    if me is None:
        return None
    household = me.household
    names = list(
        Resident.objects.filter(household=household).order_by("pk").values_list("name", flat=True)
    )
    visits = _visit_sources[0](household) if _visit_sources else None
    return MyHousehold(resident=me, household=household, member_names=names, visits=visits)


def report_prefill(user) -> dict:
    """The report form's address and point for a bound resident (their building), or {}."""
    me = bound_resident(user)
    if me is None:
        return {}
    building = me.household.building
    return {
        "address": f"{building.compound.name} {building.label} {me.household.place_label}"[:200],
        "lng": building.lng,
        "lat": building.lat,
    }


def bound_users_in(area: Area, *, tag: str = "") -> QuerySet:
    """Ids of the users bound to a household inside ``area``'s subtree (broadcasts,
    emergency checks): a values list, one query, no personal data. ``tag``: only the
    residents carrying that plain tag (a campaign's broadcast to a group)."""
    qs = Resident.objects.filter(subtree_q("household__area_path", area.path), user__isnull=False)
    if tag:
        qs = qs.filter(_has_tag(tag))
    return qs.order_by("user_id").values_list("user_id", flat=True)


def is_plain_tag(tag: str) -> bool:
    """Is ``tag`` a plain (non-sensitive) residents' tag one may address a notice to?"""
    return tag in tagset.PLAIN


def binding_of(user):
    """The user's latest binding request, or None."""
    if not user.is_authenticated:
        return None
    return (
        BindingRequest.objects.select_related("household__building__compound")
        .defer("household__building__footprint", "household__building__compound__boundary")
        .filter(user=user)
        .order_by("-created_at", "-pk")
        .first()
    )


BINDING_ORDER = ("created_at", "id")


def pending_bindings(user) -> QuerySet:
    """Pending binding requests the user may decide, oldest first."""
    qs = (
        BindingRequest.objects.filter(status=BindingRequest.Status.PENDING)
        .select_related("household__building__compound", "resident")
        .defer(
            "household__building__footprint",
            "household__building__compound__boundary",
            *(f"resident__{f}" for f in RESIDENT_DEFER),
        )
        .order_by(*BINDING_ORDER)
    )
    return _scoped(qs, permissions.scope(user, "decide_binding"))


def get_pending_binding(user, pk):
    return _get(pending_bindings(user), pk, "binding request")


def binding_places(*, compound: int | None = None, building: int | None = None, q: str = ""):
    """The choices of the binding form, one level at a time: compounds by name (``q``),
    a compound's buildings, a building's households. Names of places only: what any
    signed-in resident may see. ``Http404`` for an unknown compound or building."""
    if building is not None:
        if not Building.objects.filter(pk=building).exists():
            raise Http404("No such building.")
        return list(
            Household.objects.filter(building_id=building)
            .order_by("sort_key", "pk")
            .only("pk", "unit", "room")[:500]
        )
    if compound is not None:
        if not Compound.objects.filter(pk=compound).exists():
            raise Http404("No such compound.")
        return list(
            Building.objects.filter(compound_id=compound)
            .order_by("sort_key", "pk")
            .only("pk", "number")[:500]
        )
    q = " ".join(q.split())
    if not q:
        return []
    return list(
        Compound.objects.filter(Q(name__contains=q) | Q(address__contains=q))
        .select_related("community")
        .only("pk", "name", "address", "community__name")
        .order_by("name", "pk")[:20]
    )


def residents_of_households(household_ids) -> dict[int, list]:
    """Household id → its residents (names and ids only), for the worker's choices."""
    out: dict[int, list] = defaultdict(list)
    for r in (
        Resident.objects.filter(household_id__in=list(household_ids))
        .order_by("household_id", "pk")
        .only("pk", "name", "household_id", "user_id", "id_number_last4")
    ):
        out[r.household_id].append(r)
    return out


def household_to_bind(pk) -> Household | None:
    """The household a resident names in a binding request (any household: the request
    is checked by its worker), with its building and compound; None for an unknown id."""
    return (
        Household.objects.select_related("building__compound", "micro_grid")
        .defer("micro_grid__boundary", "building__footprint", "building__compound__boundary")
        .filter(pk=pk)
        .first()
    )

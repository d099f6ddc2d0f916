"""Every read of the workforce; the only place people's scope applies."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q

from . import permissions
from .models import Assignment, Department, Person, RoleAssignment

# People lists: by name, the id breaking ties.
PEOPLE_ORDER = ("name", "id")


def visible_people(user) -> QuerySet[Person]:
    qs = Person.objects.select_related("area")
    q = permissions.scope(user, "view", field="area__path")
    return qs if q is None else qs.filter(q)


def get_person(user, pk: int) -> Person:
    person = visible_people(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


def people_in(
    user,
    area: Area,
    *,
    category: str = "",
    force_type: str = "",
    role: str = "",
    party_member: bool | None = None,
    veteran: bool | None = None,
    group_leader: bool | None = None,
    q: str = "",
) -> QuerySet[Person]:
    """People whose record lies inside ``area``, filtered; always within the user's scope."""
    qs = visible_people(user).filter(subtree_q("area__path", area.path), active=True)
    if category:
        qs = qs.filter(category=category)
    if force_type:
        qs = qs.filter(force_type=force_type)
    if role:
        qs = qs.filter(
            Exists(
                Assignment.objects.filter(person=OuterRef("pk"), role=role, ended_on__isnull=True)
            )
        )
    for field, value in (
        ("party_member", party_member),
        ("veteran", veteran),
        ("group_leader", group_leader),
    ):
        if value is not None:
            qs = qs.filter(**{field: value})
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(employer__icontains=q.strip()))
    return qs.order_by(*PEOPLE_ORDER)


def current_assignments(area: Area) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(area=area, ended_on__isnull=True)
        .select_related("person")
        .order_by("role", "person__name")
    )


def assignment_history(person: Person) -> QuerySet[Assignment]:
    return person.assignments.select_related("area").order_by("-started_on", "-pk")


def workforce_counts(area: Area) -> dict[str, dict[str, int]]:
    """Active people inside ``area`` per category and per force type."""
    base = Person.objects.filter(subtree_q("area__path", area.path), active=True).order_by()
    by_category = dict(base.values_list("category").annotate(n=Count("id")))
    by_force = dict(base.values_list("force_type").annotate(n=Count("id")))
    return {
        "category": {k: by_category.get(k, 0) for k in Person.Category.values},
        "force_type": {k: by_force.get(k, 0) for k in Person.ForceType.values},
        "total": sum(by_category.values()),
    }


def micro_grids_without_worker(area: Area) -> QuerySet[Area]:
    """General micro-grids inside ``area`` that have no responsible worker now."""
    return Area.objects.filter(
        subtree_q("path", area.path), level=c.MICRO_GRID, kind=c.KIND_GENERAL
    ).exclude(
        Exists(
            Assignment.objects.filter(
                area=OuterRef("pk"), role="responsible_worker", ended_on__isnull=True
            )
        )
    )


@dataclass(frozen=True)
class Candidate:
    person: Person
    rank: int
    reasons: list[str]


def candidates_for(user, micro_grid: Area) -> list[Candidate]:
    """Who could serve as ``micro_grid``'s worker, by the three priorities (三个优先).

    Candidates live or work inside the micro-grid. Order: party members first, then
    group leaders (楼栋长/单元长), then veterans — compared in that order, so a party
    member who is not a veteran ranks above a veteran who is not a party member.
    Ties: fewer current assignments first (spread the load), then the earlier record.
    """
    inside = subtree_q("lives_in__path", micro_grid.path) | subtree_q(
        "works_in__path", micro_grid.path
    )
    people = (
        visible_people(user)
        .filter(inside, active=True)
        .annotate(load=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
    )

    def key(p: Person):
        return (not p.party_member, not p.group_leader, not p.veteran, p.load, p.pk)

    ranked = []
    for rank, p in enumerate(sorted(people, key=key), start=1):
        reasons = []
        if p.party_member:
            reasons.append(_("party member (first priority)"))
        if p.group_leader:
            reasons.append(_("group leader (second priority)"))
        if p.veteran:
            reasons.append(_("veteran (third priority)"))
        if not reasons:
            reasons.append(_("none of the three priorities"))
        reasons.append(_("%(n)d current assignment(s)") % {"n": p.load})
        ranked.append(Candidate(person=p, rank=rank, reasons=reasons))
    return ranked


def visible_departments(user) -> QuerySet[Department]:
    # A department is visible to anyone whose scope lies inside its district.
    qs = Department.objects.select_related("district")
    q = permissions.scope(user, "view_department", field="district__path")
    return qs if q is None else qs.filter(q)


def workforce_counts_by_child(area: Area) -> dict[str, dict]:
    """Active people below ``area`` per child path, by category and force type.

    One grouped query over the path prefix of each person's area, with the same
    definition as ``selectors.workforce_counts`` (active people whose area lies
    inside). People recorded on ``area`` itself come back under its own path.
    """
    length = (area.depth + 1) * Area.steplen
    rows = (
        Person.objects.filter(subtree_q("area__path", area.path), active=True)
        .annotate(child_path=Substr("area__path", 1, length))
        .order_by()
        .values_list("child_path", "category", "force_type")
        .annotate(n=Count("id"))
    )
    out: dict[str, dict] = defaultdict(
        lambda: {"category": Counter(), "force_type": Counter(), "total": 0}
    )
    for path, category, force_type, n in rows:
        out[path]["category"][category] += n
        out[path]["force_type"][force_type] += n
        out[path]["total"] += n
    return out


def role_holdings_of(user) -> list[tuple[str, Area]]:
    """The (role, area) pairs ``user`` holds, in one query, each area without its boundary.

    ``core.scope``'s holdings source (registered in ``PeopleConfig.ready``): read them
    through ``core.scope.role_holdings``, which keeps them for the request.
    """
    return [
        (ra.role, ra.area)
        for ra in RoleAssignment.objects.filter(user=user)
        .select_related("area")
        .defer("area__boundary")
    ]

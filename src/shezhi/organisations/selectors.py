"""Reads of the organisations registry, scoped here (``permissions``).

- The staff of an area read its registry and members (masked names: ``member_rows``).
- Anyone reads an organisation's public face and a community's page (``public_*``):
  names, kinds, stages, member counts and the leader's masked name, nothing else.
- Those who read an area's statistics read the incubation funnel (``funnel``) and the
  forces (``forces``): figures, never a member.

**Forces** (队伍力量, issue 16 §6), one definition::

    forces(area) = | P ∪ M |, by kind
    P = active people of the workforce (people.Person, active) whose area is in the subtree,
        each of the kind of their ``force_type`` (full_time 专职, professional 专业,
        part_time 兼职, service 服务, self_governance 自治)
    M = current members (not left) of the organisations whose area is in the subtree:
        a member who is a person (named as one, or a resident linked to a person) is that
        person, of their force type; any other member is a resident, of kind
        self_governance

counted distinct: a person who is also a member (of one organisation or several) counts
once, under their force type; a resident in two organisations counts once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.periods import Period
from shezhi.households.selectors import masked_name
from shezhi.people.models import Person

from . import permissions
from .models import ORDER, Member, Organisation, Stage, StageMove

FORCE_KINDS: tuple[str, ...] = (
    Person.ForceType.FULL_TIME,
    Person.ForceType.PROFESSIONAL,
    Person.ForceType.PART_TIME,
    Person.ForceType.SERVICE,
    Person.ForceType.SELF_GOVERNANCE,
)
FORCES_NAME = "forces"
FORCES_LABEL = gettext_lazy("Forces (five kinds)")
FORCES_FORMULA = gettext_lazy(
    "distinct people of the workforce (active, area in the subtree; by force type) together"
    " with the current members of the subtree's organisations (a member who is a person"
    " counts as that person, once; any other member counts once as self-governance)"
)
DEFINITIONS = {FORCES_NAME: (FORCES_LABEL, FORCES_FORMULA)}


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def visible_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose registry ``user`` reads (none but for the area's staff)."""
    if not permissions.can(user, "view"):
        return Organisation.objects.none()
    return _scoped(Organisation.objects.all(), permissions.scope(user, "view"))


def registry(user, *, area: Area | None = None, stage: str = "", kind: str = "") -> QuerySet:
    qs = visible_organisations(user)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if stage:
        qs = qs.filter(stage=stage)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def get_organisation(user, pk) -> Organisation:
    org = visible_organisations(user).select_related("area", "compound").filter(pk=pk).first()
    if org is None:
        raise Http404("No such organisation.")
    return org


def get_public_organisation(pk) -> Organisation:
    org = Organisation.objects.select_related("area", "compound").filter(pk=pk).first()
    if org is None:
        raise Http404("No such organisation.")
    return org


def get_member(org: Organisation, pk) -> Member:
    m = Member.objects.filter(organisation=org, pk=pk).first()
    if m is None:
        raise Http404("No such member.")
    return m


def member_counts(org_ids) -> dict[int, int]:
    """Current members per organisation, one statement."""
    rows = (
        Member.objects.filter(organisation_id__in=list(org_ids), left_on__isnull=True)
        .values("organisation_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(org_ids, 0)
    counts.update({r["organisation_id"]: r["n"] for r in rows})
    return counts


def _name_of(member: Member) -> str:
    who = member.resident if member.resident_id else member.person
    return who.name if who is not None else ""


def leader_names(org_ids) -> dict[int, str]:
    """The current leader's masked name (张**) per organisation, one statement."""
    rows = Member.objects.filter(
        organisation_id__in=list(org_ids), left_on__isnull=True, role=Member.Role.LEADER
    ).select_related("resident", "person")
    return {m.organisation_id: masked_name(_name_of(m)) for m in rows}


@dataclass(frozen=True)
class MemberRow:
    member: Member
    name: str  # masked
    source: str  # "resident" or "person"
    link_pk: int  # the resident's or the person's id


def member_rows(org: Organisation, *, current_only: bool = False) -> list[MemberRow]:
    """The members, masked (张**): the staff open a resident's or person's own page (in
    households or people, audited there) to see more."""
    qs = Member.objects.filter(organisation=org).select_related("resident", "person")
    if current_only:
        qs = qs.filter(left_on__isnull=True)
    return [
        MemberRow(
            member=m,
            name=masked_name(_name_of(m)),
            source="resident" if m.resident_id else "person",
            link_pk=m.resident_id or m.person_id,
        )
        for m in qs.order_by("left_on", "role", "pk")
    ]


def stage_counts(path: str) -> dict[str, int]:
    """Organisations per stage in the subtree at ``path`` (every stage named)."""
    rows = (
        Organisation.objects.filter(subtree_q("area_path", path))
        .values("stage")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(ORDER, 0)
    counts.update({r["stage"]: r["n"] for r in rows})
    return counts


def public_community(code: str) -> Area:
    """A community (or a grid under it) by code, for its public page; else 404."""
    area = Area.objects.defer("boundary").filter(code=code, level="community").first()
    if area is None:
        raise Http404("No such community.")
    return area


def community_organisations(community: Area) -> list[dict]:
    """A community's organisations for its public page: kind, stage, member count and
    leader's masked name, by stage (most grown first) then name."""
    orgs = list(
        Organisation.objects.filter(subtree_q("area_path", community.path)).order_by("name")
    )
    ids = [o.pk for o in orgs]
    counts, leaders = member_counts(ids), leader_names(ids)
    orgs.sort(key=lambda o: (-ORDER.index(o.stage), o.name))
    return [{"org": o, "members": counts[o.pk], "leader": leaders.get(o.pk, "")} for o in orgs]


def get_count_area(user, code: str) -> Area:
    """An area whose figures (funnel, forces) ``user`` reads; else 404."""
    area = Area.objects.defer("boundary").filter(code=code).first()
    if area is None or not permissions.can(user, "count", area):
        raise Http404("No such area.")
    return area


@dataclass(frozen=True)
class Funnel:
    area: Area
    period: Period
    stages: dict[str, int]  # organisations at each stage now
    reached: dict[str, int]  # organisations that have ever reached each stage
    moves: dict[tuple[str, str], int]  # (from, to) → moves in the period ("" from: registered)
    children: list[tuple[Area, dict[str, int]]]  # each child area's stages now

    @property
    def total(self) -> int:
        return sum(self.stages.values())

    @property
    def forward(self) -> dict[str, int]:
        """Moves forward in the period, by the stage reached."""
        out = dict.fromkeys(ORDER, 0)
        for (src, dst), n in self.moves.items():
            if src and ORDER.index(dst) > ORDER.index(src):
                out[dst] += n
        return out

    @property
    def back(self) -> int:
        return sum(n for (s, d), n in self.moves.items() if s and ORDER.index(d) < ORDER.index(s))

    @property
    def registered(self) -> int:
        return sum(n for (s, _d), n in self.moves.items() if not s)


def funnel(area: Area, period: Period, children=()) -> Funnel:
    """The incubation funnel of ``area``'s subtree: organisations per stage now; how many
    ever reached each stage (now at it or beyond: a stage is reached by passing it);
    the moves dated in ``period`` (``StageMove.on``), and each child's stages."""
    stages = stage_counts(area.path)
    reached = {s: sum(stages[t] for t in ORDER[i:]) for i, s in enumerate(ORDER)}
    rows = (
        StageMove.objects.filter(
            subtree_q("area_path", area.path), on__gte=period.start, on__lt=period.end
        )
        .values("from_stage", "to_stage")
        .annotate(n=Count("id"))
    )
    moves = {(r["from_stage"], r["to_stage"]): r["n"] for r in rows}
    return Funnel(
        area=area,
        period=period,
        stages=stages,
        reached=reached,
        moves=moves,
        children=[(child, stage_counts(child.path)) for child in children],
    )


def forces(area: Area) -> dict[str, int]:
    """The forces of ``area``'s subtree by kind, and ``total`` (see the module's
    docstring for the definition)."""
    return forces_of([area], within=area)[0]


def forces_of(areas, *, within: Area) -> list[dict[str, int]]:
    """``forces`` of each of ``areas`` (subtrees of ``within``: its children, say), read in
    one pass over ``within``'s people and members."""
    people_rows = list(
        Person.objects.filter(subtree_q("area__path", within.path), active=True).values_list(
            "pk", "force_type", "area__path"
        )
    )
    member_rows = list(
        Member.objects.filter(
            subtree_q("organisation__area_path", within.path), left_on__isnull=True
        ).values_list("person_id", "resident_id", "resident__person_id", "organisation__area_path")
    )
    kind_of = {pk: kind for pk, kind, _path in people_rows}
    # Members who are people of the workforce recorded outside ``within``: their kind too.
    elsewhere = {
        p or rp for p, _r, rp, _path in member_rows if (p or rp) and (p or rp) not in kind_of
    }
    if elsewhere:
        kind_of.update(
            Person.objects.filter(pk__in=elsewhere, active=True).values_list("pk", "force_type")
        )
    # Each row is handed to the areas whose path starts its own, looked up by prefix
    # length (one pass over the rows, not one per area: the district's 8 streets read
    # 40,000 rows once).
    by_path: dict[str, list[int]] = {}
    for i, area in enumerate(areas):
        by_path.setdefault(area.path, []).append(i)
    lengths = sorted({len(p) for p in by_path})

    def owners(path: str):
        for n in lengths:
            yield from by_path.get(path[:n], ())

    persons: list[set] = [set() for _a in areas]
    residents: list[set] = [set() for _a in areas]
    for pk, _kind, path in people_rows:
        for i in owners(path):
            persons[i].add(pk)
    for person_id, resident_id, resident_person_id, path in member_rows:
        pid = person_id or resident_person_id
        for i in owners(path):
            if pid and pid in kind_of:
                persons[i].add(pid)
            elif pid:
                # A person no longer active in the workforce still serves: as a resident.
                residents[i].add(f"p{pid}")
            else:
                residents[i].add(resident_id)
    out = []
    for mine, theirs in zip(persons, residents, strict=True):
        counts = Counter(kind_of[pk] for pk in mine)
        row = {kind: counts.get(kind, 0) for kind in FORCE_KINDS}
        row[Person.ForceType.SELF_GOVERNANCE] += len(theirs)
        row["total"] = sum(row[k] for k in FORCE_KINDS)
        out.append(row)
    return out


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def default_period(today: dt.date) -> Period:
    return Period(today.replace(month=1, day=1), today + dt.timedelta(days=1))

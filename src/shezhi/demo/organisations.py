"""The demo district's self-governance organisations (issue 16 §4 and §6).

626 organisations across the district's communities, in every incubation stage, with
their dated moves (a few back, with the reason), support received (money in fen, space at
a post, training, mentoring), volunteer activities held, and members drawn from the
demo's residents (household base) and people (workforce). Members who are not already
people are enough, with the demo's people, for about 38,000 forces (``FORCES_TARGET``),
as the article counts them; as many as the household base holds, when it is smaller.
Each membership is recorded as taking part (``core.participation``, way
"organisation") on its join day; the step runs after every other that records
participation, and its members' join days put as many of them in the last year as the
demo's figure still needs (``demo.participation``: 52,000 for the whole district, in
proportion to the household base), the others joining before it.

Deterministic (a fixed seed; areas, residents and people in id order) and idempotent
(nothing is made when the district already has organisations). Bulk writes only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import participation
from shezhi.households.models import Compound, Resident
from shezhi.organisations.models import (
    ORDER,
    ActivityHeld,
    Kind,
    Member,
    Organisation,
    Stage,
    StageMove,
    Support,
)
from shezhi.people.models import Person
from shezhi.places.models import ServicePost
from shezhi.volunteering.models import VolunteerActivity

from . import participation as demo_participation

DISTRICT_CODE = "510113"
SEED = 2023
N_ORGANISATIONS = 626
FORCES_TARGET = 38_000
# Stage shares (萌芽, 孵化, 成长, 成熟/登记).
STAGE_WEIGHTS = (0.17, 0.27, 0.33, 0.23)
KIND_WEIGHTS = {
    Kind.COURTYARD_COMMITTEE: 0.22,
    Kind.BUILDING_HEADS: 0.16,
    Kind.OWNERS_COMMITTEE: 0.08,
    Kind.VOLUNTEER_TEAM: 0.24,
    Kind.INTEREST_CLUB: 0.18,
    Kind.SOCIAL_ORGANISATION: 0.10,
    Kind.OTHER: 0.02,
}
TEAMS = ["红袖标巡逻", "邻里互助", "环境美化", "助老", "平安守护", "文明劝导", "小红帽", "敲门"]
CLUBS = ["太极拳队", "合唱团", "书画社", "广场舞队", "乒乓球协会", "川剧票友会", "摄影社", "读书会"]
SOCIAL = ["社工服务中心", "邻里互助社", "老年协会", "妇女儿童之家", "调解工作室", "青少年成长营"]
OTHER = ["居民议事会", "乡贤理事会"]
BACK_REASONS = ["骨干成员搬离，重新培育", "负责人换届，活动暂停", "场地调整，暂停活动半年"]
TRAININGS = ["社会组织财务管理培训", "项目设计与申报培训", "志愿服务规范培训", "议事规则培训"]
MENTORS = ["区社会组织孵化中心结对指导", "专业社工驻点陪伴", "优秀社会组织负责人带教"]


def _name(kind: str, community: Area, compound, rng: random.Random, n: int) -> str:
    place = compound.name if compound is not None else community.name
    if kind == Kind.COURTYARD_COMMITTEE:
        return f"{place}院落自治委员会"
    if kind == Kind.BUILDING_HEADS:
        return f"{place}楼栋长队伍"
    if kind == Kind.OWNERS_COMMITTEE:
        return f"{place}业主委员会"
    if kind == Kind.VOLUNTEER_TEAM:
        return f"{community.name}{rng.choice(TEAMS)}志愿服务队"
    if kind == Kind.INTEREST_CLUB:
        return f"{community.name}{rng.choice(CLUBS)}"
    if kind == Kind.SOCIAL_ORGANISATION:
        return f"{community.name}{rng.choice(SOCIAL)}"
    return f"{community.name}{rng.choice(OTHER)}"


def _dates(rng: random.Random, stage: str, today: dt.date) -> list[dt.date]:
    """The founding day and one day per move up to ``stage``, increasing, before today."""
    steps = ORDER.index(stage)
    founded = today - dt.timedelta(days=rng.randint(60 + 240 * steps, 400 + 420 * steps))
    days = [founded]
    for _ in range(steps):
        gap = rng.randint(60, 420)
        days.append(min(days[-1] + dt.timedelta(days=gap), today - dt.timedelta(days=1)))
    return days


def build_demo_organisations(seed: int = SEED) -> dict[str, int]:
    """Make the demo's organisations; how many of each thing, or {} when present."""
    district = Area.objects.filter(code=DISTRICT_CODE).defer("boundary").first()
    if (
        district is None
        or Organisation.objects.filter(area_path__startswith=district.path).exists()
    ):
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    communities = list(
        Area.objects.filter(path__startswith=district.path, level=c.COMMUNITY)
        .defer("boundary")
        .order_by("path")
    )
    if not communities:
        return {}
    by_path = {a.path: a for a in communities}
    step = Area.steplen

    def community_of(path: str) -> str:
        return path[: 3 * step]

    compounds = defaultdict(list)
    for compound in Compound.objects.filter(area_path__startswith=district.path).order_by("pk"):
        compounds[compound.area_path].append(compound)
    residents = defaultdict(list)  # community path → [(resident id, person id)]
    for pk, person_id, path in (
        Resident.objects.filter(household__area_path__startswith=district.path)
        .order_by("pk")
        .values_list("pk", "person_id", "household__area_path")
        .iterator(chunk_size=20_000)
    ):
        residents[community_of(path)].append((pk, person_id))
    people = defaultdict(list)
    people_count = 0
    for pk, path in (
        Person.objects.filter(area__path__startswith=district.path, active=True)
        .order_by("pk")
        .values_list("pk", "area__path")
    ):
        people[community_of(path)].append(pk)
        people_count += 1
    posts = defaultdict(list)
    for pk, path in ServicePost.objects.filter(
        area_path__startswith=district.path, active=True
    ).values_list("pk", "area_path"):
        posts[community_of(path)].append(pk)

    # Organisations per community: every community has some; the rest at random.
    plan: list[Area] = list(communities)
    while len(plan) < N_ORGANISATIONS:
        plan.append(rng.choice(communities))
    rng.shuffle(plan)
    kinds, kind_w = zip(*KIND_WEIGHTS.items(), strict=True)
    orgs: list[Organisation] = []
    dates: list[list[dt.date]] = []
    names_used: set[tuple[int, str]] = set()
    for community in plan:
        kind = rng.choices(kinds, kind_w)[0]
        pool = compounds.get(community.path) or [None]
        compound = rng.choice(pool) if kind in (
            Kind.COURTYARD_COMMITTEE, Kind.BUILDING_HEADS, Kind.OWNERS_COMMITTEE
        ) else None  # fmt: skip
        name = _name(kind, community, compound, rng, len(orgs))
        n = 2
        base = name
        while (community.pk, name) in names_used:
            name = f"{base}（{n}）" if compound is None else f"{base}{n}组"
            n += 1
        names_used.add((community.pk, name))
        stage = rng.choices(ORDER, STAGE_WEIGHTS)[0]
        days = _dates(rng, stage, today)
        dates.append(days)
        orgs.append(
            Organisation(
                kind=kind,
                name=name,
                area=community,
                area_path=community.path,
                compound=compound,
                description="",
                stage=stage,
                stage_since=days[-1],
                founded_on=days[0],
            )
        )

    # Members: enough residents who are not people for the forces target, spread over
    # the organisations of each community by stage (a grown one has more members).
    wanted = max(0, FORCES_TARGET - people_count)
    size_w = {Stage.SPROUT: 0.4, Stage.INCUBATING: 0.8, Stage.GROWING: 1.3, Stage.MATURE: 1.7}
    total_w = sum(size_w[o.stage] for o in orgs)
    by_community = defaultdict(list)
    for i, o in enumerate(orgs):
        by_community[o.area_path].append(i)
    for pool in residents.values():
        rng.shuffle(pool)
    member_plan: list[list[tuple[str, int]]] = [[] for _ in orgs]
    for path, idxs in by_community.items():
        pool = [r for r in residents.get(path, []) if r[1] is None]
        want = [max(3, round(wanted * size_w[orgs[i].stage] / total_w)) for i in idxs]
        taken = 0
        for i, k in zip(idxs, want, strict=True):
            chosen = pool[taken : taken + k]
            taken += len(chosen)
            # A few residents are in two organisations (they count once).
            if taken > 10 and rng.random() < 0.5:
                chosen += rng.sample(pool[: taken - len(chosen)], min(3, taken - len(chosen)))
            member_plan[i] = [("resident", pk) for pk, _ in chosen]
        # People of the workforce lead or join some (building heads, volunteer teams).
        staff = people.get(path, [])
        for i in idxs:
            if staff and rng.random() < 0.6:
                member_plan[i][:0] = [("person", rng.choice(staff))]

    with transaction.atomic():
        Organisation.objects.bulk_create(orgs, batch_size=1000)
        moves: list[StageMove] = []
        for o, days in zip(orgs, dates, strict=True):
            moves.append(
                StageMove(
                    organisation=o,
                    from_stage="",
                    to_stage=Stage.SPROUT,
                    on=days[0],
                    area_path=o.area_path,
                )
            )
            for j in range(1, len(days)):
                moves.append(
                    StageMove(
                        organisation=o,
                        from_stage=ORDER[j - 1],
                        to_stage=ORDER[j],
                        on=days[j],
                        area_path=o.area_path,
                    )
                )
        # A few went back a stage (and came up again), with the reason.
        for o, days in zip(orgs, dates, strict=True):
            if len(days) >= 3 and rng.random() < 0.06:
                k = len(days) - 1
                mid = days[k - 1] + (days[k] - days[k - 1]) / 2
                moves.append(
                    StageMove(
                        organisation=o,
                        from_stage=ORDER[k - 1],
                        to_stage=ORDER[k - 2],
                        on=mid,
                        reason=rng.choice(BACK_REASONS),
                        area_path=o.area_path,
                    )
                )
                moves.append(
                    StageMove(
                        organisation=o,
                        from_stage=ORDER[k - 2],
                        to_stage=ORDER[k - 1],
                        on=mid + dt.timedelta(days=1),
                        area_path=o.area_path,
                    )
                )
        StageMove.objects.bulk_create(moves, batch_size=2000)

        linked = dict(
            Resident.objects.filter(
                person_id__in={pk for p_ in member_plan for what, pk in p_ if what == "person"}
            ).values_list("person_id", "pk")
        )

        def key(what: str, pk: int) -> str:
            if what == "resident":
                return f"r:{pk}"
            return f"r:{linked[pk]}" if pk in linked else f"p:{pk}"

        members = _members(rng, orgs, dates, member_plan, key, district, today)
        Member.objects.bulk_create(members, batch_size=5000)

        supports: list[Support] = []
        for o, days in zip(orgs, dates, strict=True):
            stage_i = ORDER.index(o.stage)
            span = max(1, (today - days[0]).days)
            for _ in range(stage_i + rng.randint(0, 1)):
                kind = rng.choice(Support.Kind.values)
                on = days[0] + dt.timedelta(days=rng.randrange(span))
                row = Support(organisation=o, kind=kind, on=on)
                if kind == Support.Kind.MONEY:
                    row.amount_fen = rng.randrange(2_000, 50_000) * 100
                elif kind == Support.Kind.SPACE:
                    pool = posts.get(o.area_path)
                    if not pool:
                        continue
                    row.post_id = rng.choice(pool)
                elif kind == Support.Kind.TRAINING:
                    row.note = rng.choice(TRAININGS)
                else:
                    row.note = rng.choice(MENTORS)
                supports.append(row)
        Support.objects.bulk_create(supports, batch_size=2000)

        held: list[ActivityHeld] = []
        by_area = defaultdict(list)
        for o in orgs:
            if o.stage != Stage.SPROUT:
                by_area[o.area_path].append(o)
        for pk, path in VolunteerActivity.objects.filter(
            area_path__startswith=district.path
        ).values_list("pk", "area_path"):
            pool = by_area.get(community_of(path))
            if pool:
                held.append(ActivityHeld(organisation=rng.choice(pool), activity_id=pk))
        ActivityHeld.objects.bulk_create(held, batch_size=1000)

        # Joining is taking part: one participation per membership.
        participation.record_many(
            {
                "way": participation.Way.ORGANISATION,
                "area": by_path[m.organisation.area_path].path,
                "at": timezone.make_aware(dt.datetime.combine(m.joined_on, dt.time(12))),
                "source": m,
                "participant": key(*m.key),
            }
            for m in members
        )
    return {
        "organisations": len(orgs),
        "members": len(members),
        "stage moves": len(moves),
        "supports": len(supports),
        "activities held": len(held),
    }


def _members(rng, orgs, dates, member_plan, key, district, today) -> list[Member]:
    """The memberships with their join days: as many members joined within the last year
    as the demo's participation target still needs (``demo.participation``), the others
    before it (an organisation founded within the year: all its members within it)."""
    year_start = today - dt.timedelta(days=demo_participation.DAYS - 1)
    taking_part = demo_participation.taking_part(district)
    # Whom the year's figure lacks: members not yet counted, in a fixed order.
    owed = demo_participation.target(district.path) - len(taking_part)
    rows = []
    for o, days, plan_ in zip(orgs, dates, member_plan, strict=True):
        seen = set()
        for j, (what, pk) in enumerate(plan_):
            if (what, pk) not in seen:
                seen.add((what, pk))
                rows.append((o, days[0], j, what, pk))
    new_in_year: set[str] = set()
    for _o, founded, _j, what, pk in rows:
        if founded >= year_start and key(what, pk) not in taking_part:
            new_in_year.add(key(what, pk))
    extra = sorted(
        {key(what, pk) for _o, founded, j, what, pk in rows if founded < year_start and j}
        - taking_part
        - new_in_year
    )
    rng.shuffle(extra)
    in_year = new_in_year | set(extra[: max(0, owed - len(new_in_year))])
    members: list[Member] = []
    for o, founded, j, what, pk in rows:
        if j == 0:
            joined = founded
        elif founded >= year_start or key(what, pk) in in_year:
            first = max(founded, year_start)
            joined = first + dt.timedelta(days=rng.randrange(max(1, (today - first).days)))
        else:
            joined = founded + dt.timedelta(days=rng.randrange(max(1, (year_start - founded).days)))
        m = Member(
            organisation=o,
            resident_id=pk if what == "resident" else None,
            person_id=pk if what == "person" else None,
            role=Member.Role.LEADER if j == 0 else Member.Role.MEMBER,
            joined_on=joined,
        )
        m.key = (what, pk)
        members.append(m)
    return members

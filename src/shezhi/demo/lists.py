"""The demo's three lists (issue 16 §3): for every community of the demo district, its
residents' demand groups, a needs list of 2026年第1期 published a month ago with an item
in every stage (published, claimed, in delivery, delivered, evaluated) and its dated
history, the resources of the community and its street (volunteer teams, enterprises,
service posts, departments), and the list projects that matched them; one group per
community is left open for curation.

In the first community the demo resident asked for two of the items: they are told of
the moves, and may rate the delivered one on the public page (the evaluated one they
rated already).

Written in bulk (a few queries per community kind, not per row); deterministic and
idempotent: nothing is written when the demo district is missing or lists exist.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import search
from shezhi.core.lists import subtree_q
from shezhi.core.participation import Way, record_participation
from shezhi.core.search.models import SearchDocument
from shezhi.demands.models import Demand, DemandGroup
from shezhi.households.models import Household
from shezhi.lists import search as list_search
from shezhi.lists.models import (
    ListProject,
    NeedItem,
    NeedItemStep,
    NeedsList,
    Rating,
    Resource,
    Status,
)

from .events.figures import DISTRICT_CODE
from .households import COMMUNITY_CODE

SEED = 2026
EDITION = "2026年第1期"

# (kind, the group's title, what residents wrote)
WISHES = [
    (
        "elderly_care",
        "开办老年助餐点",
        ["希望社区开个老年食堂，独居老人吃饭方便些", "老人做饭难，盼望有助餐点"],
    ),
    (
        "parking",
        "增加夜间停车位",
        ["晚上回来没地方停车，希望增加车位", "小区车位太少，能否共享附近单位车位"],
    ),
    (
        "childcare",
        "开设四点半课堂",
        ["孩子放学没人接，希望有四点半课堂", "双职工家庭盼望社区托管孩子"],
    ),
    ("greenery", "改造小区游园", ["小区花园年久失修，希望改造", "想要一块能散步的绿地"]),
    ("culture_sports", "增设健身器材", ["希望在广场增加健身器材", "老年人想要一个跳舞的场地"]),
    ("convenience", "设置快递柜", ["快递总是放门口丢失，希望装快递柜", "盼望有便民维修点"]),
]
STAGES = [
    Status.EVALUATED,
    Status.DELIVERED,
    Status.IN_DELIVERY,
    Status.CLAIMED,
    Status.PUBLISHED,
]
PROVIDERS = {
    "elderly_care": ("volunteer_team", "{c}志愿服务队", "助老送餐、上门陪护", "人次"),
    "parking": ("enterprise", "青江物业（共建单位）", "夜间错时共享车位", "个"),
    "childcare": ("organisation", "{c}家长互助会", "四点半课堂托管", "人"),
    "greenery": ("department", "区住房和城乡建设局", "老旧小区游园改造", "处"),
    "culture_sports": ("service_post", "{c}党群服务中心", "场地与器材", "套"),
    "convenience": ("enterprise", "邮政快递（共建单位）", "智能快递柜安装", "组"),
}


def _noon(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12, 0))


@transaction.atomic
def build_demo_lists() -> dict[str, int]:
    district = Area.objects.defer("boundary").filter(code=DISTRICT_CODE).first()
    if district is None or NeedsList.objects.exists():
        return {}
    User = get_user_model()
    staff = (
        User.objects.filter(username="community_staff").first()
        or User.objects.filter(username="qbj_admin").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if staff is None:
        return {}
    resident_user = User.objects.filter(username="resident").first()
    rng = random.Random(SEED)
    communities = list(
        Area.objects.defer("boundary")
        .filter(subtree_q("path", district.path), level=c.COMMUNITY)
        .order_by("path")
    )
    streets = {
        a.path: a
        for a in Area.objects.defer("boundary").filter(
            subtree_q("path", district.path), level=c.STREET
        )
    }
    homes: dict[str, list[tuple[int, int, str]]] = {}
    plen = len(communities[0].path) if communities else 0
    for hid, mg, path in (
        Household.objects.filter(subtree_q("area_path", district.path))
        .order_by("id")
        .values_list("id", "micro_grid_id", "area_path")[:40_000]
    ):
        homes.setdefault(path[:plen], []).append((hid, mg, path))

    today = timezone.localdate()
    published = today - timedelta(days=30)
    # Groups, with their demands.
    groups = []
    for com in communities:
        for kind, title, _texts in WISHES:
            groups.append(
                DemandGroup(
                    area=com,
                    area_path=com.path,
                    kind=kind,
                    title=title,
                    confirmed_by=staff,
                    confirmed_at=_noon(published),
                )
            )
    DemandGroup.objects.bulk_create(groups, batch_size=2000)
    demands = []
    first = next((i for i, a in enumerate(communities) if a.code == COMMUNITY_CODE), 0)
    for i, com in enumerate(communities):
        near = homes.get(com.path, [])
        for j, (kind, _title, texts) in enumerate(WISHES):
            group = groups[i * len(WISHES) + j]
            for k in range(rng.randint(3, 12)):
                home = near[rng.randrange(len(near))] if near else None
                mine = i == first and j in (0, 1) and k == 0 and resident_user is not None
                demands.append(
                    Demand(
                        kind=kind,
                        text=texts[k % len(texts)],
                        source=Demand.Source.RESIDENT,
                        anonymous=k % 4 == 3,
                        submitter=resident_user if mine else None,
                        household_id=home[0] if home and not mine else None,
                        area_id=home[1] if home and not mine else com.pk,
                        area_path=home[2] if home and not mine else com.path,
                        group=group,
                        status=Demand.Status.GROUPED,
                    )
                )
    Demand.objects.bulk_create(demands, batch_size=2000)
    behind: dict[int, set[str]] = {}
    for d in demands:
        key = f"h{d.household_id}" if d.household_id else f"u{d.submitter_id or 'd' + str(id(d))}"
        behind.setdefault(d.group_id, set()).add(key)

    # Lists and items: one list per community, an item per stage.
    lists = [
        NeedsList(
            area=com,
            area_path=com.path,
            edition=EDITION,
            title=f"{com.name}需求清单",
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year, 12, 31),
            published_at=_noon(published),
            created_by=staff,
        )
        for com in communities
    ]
    NeedsList.objects.bulk_create(lists, batch_size=2000)
    items, links = [], []
    for i, com in enumerate(communities):
        for j, stage in enumerate(STAGES):
            g = groups[i * len(WISHES) + j]
            items.append(
                NeedItem(
                    needs_list=lists[i],
                    area=com,
                    area_path=com.path,
                    kind=g.kind,
                    title=g.title,
                    priority=1 + j % 3,
                    status=stage,
                    residents=len(behind.get(g.pk, ())),
                    version=STAGES[::-1].index(stage),
                    created_by=staff,
                )
            )
    NeedItem.objects.bulk_create(items, batch_size=2000)
    through = NeedItem.groups.through
    for n, it in enumerate(items):
        i, j = divmod(n, len(STAGES))
        links.append(through(needitem_id=it.pk, demandgroup_id=groups[i * len(WISHES) + j].pk))
    through.objects.bulk_create(links, batch_size=2000)
    # Published items are found by the public list's search (lists.search).
    SearchDocument.objects.bulk_create(
        search.document_rows(list_search.document(it, published=True) for it in items),
        batch_size=2000,
    )

    # Resources: each community's own, and its street's (one of each kind).
    resources: dict[tuple[str, str], Resource] = {}
    for com in communities:
        street = streets.get(com.path[: len(com.path) - Area.steplen], com)
        for kind, (pkind, name, title, unit) in PROVIDERS.items():
            where = com if "{c}" in name else street
            key = (where.path, kind)
            if key not in resources:
                resources[key] = Resource(
                    provider_kind=pkind,
                    provider_name=name.format(c=where.name),
                    offer_kind=kind,
                    title=title,
                    capacity=rng.choice((20, 30, 50, 100)),
                    capacity_unit=unit,
                    area=where,
                    area_path=where.path,
                    created_by=staff,
                )
    Resource.objects.bulk_create(resources.values(), batch_size=2000)

    # Projects for the items past published, and every item's dated history.
    projects, steps, ratings = [], [], []
    order = [
        Status.PUBLISHED,
        Status.CLAIMED,
        Status.IN_DELIVERY,
        Status.DELIVERED,
        Status.EVALUATED,
    ]
    for n, it in enumerate(items):
        com = communities[n // len(STAGES)]
        street = streets.get(com.path[: len(com.path) - Area.steplen], com)
        reached = order.index(it.status)
        day = published
        steps.append(
            NeedItemStep(
                item=it,
                from_status="",
                to_status=Status.PUBLISHED,
                actor=staff,
                note="由居民诉求整理",
                at=_noon(day),
            )
        )
        if reached == 0:
            continue
        res = resources.get((com.path, it.kind)) or resources[(street.path, it.kind)]
        starts = published + timedelta(days=5)
        project = ListProject(
            item=it,
            resource=res,
            capacity_used=rng.randint(1, 5),
            owner=staff,
            plan=f"由{res.provider_name}承接：{res.title}",
            starts_on=starts,
            ends_on=starts + timedelta(days=60),
            started_at=_noon(published + timedelta(days=8)) if reached >= 2 else None,
            delivered_at=_noon(published + timedelta(days=20)) if reached >= 3 else None,
            outcome=f"{it.title}已完成，居民可前往使用" if reached >= 3 else "",
            created_by=staff,
        )
        projects.append(project)
        notes = {
            1: f"匹配资源：{res.provider_name}",
            2: "开始实施",
            3: project.outcome,
            4: "居民评价完成",
        }
        for s in range(1, reached + 1):
            day = published + timedelta(days=(0, 4, 8, 20, 26)[s])
            steps.append(
                NeedItemStep(
                    item=it,
                    from_status=order[s - 1],
                    to_status=order[s],
                    actor=staff,
                    note=notes[s],
                    at=_noon(day),
                )
            )
        if it.status == Status.EVALUATED and n // len(STAGES) == first and resident_user:
            ratings.append(Rating(item=it, user=resident_user, score=5, comment="很方便，谢谢社区"))
    ListProject.objects.bulk_create(projects, batch_size=2000)
    NeedItemStep.objects.bulk_create(steps, batch_size=5000)
    Rating.objects.bulk_create(ratings)
    for r in ratings:
        record_participation(
            way=Way.PROJECT, area=r.item.area_path, source=r.item.project, user=r.user
        )
    return {
        "demand groups": len(groups),
        "demands": len(demands),
        "needs lists": len(lists),
        "items": len(items),
        "resources": len(resources),
        "list projects": len(projects),
    }

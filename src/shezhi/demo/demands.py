"""Demo demands (诉求, issue 16 §2): a few thousand over the demo's year, grouped as the
service groups them, with the residents behind them taking part (§6).

In every community with households, a handful of **wishes many share** (more parking
at one building, a meal point for the elderly, a lift at another building ...), each
asked by between a few and a few dozen households in their own words (paraphrases of
the topic, at the same place), plus single wishes. The same topic at two places is
two wishes (the place decides, as in ``demands.matching``). Demands are collected on
household visits, campaign actions or by staff at the household's micro-grid; the
demo's "resident" account raises a few of its own on the phone page (one anonymous).

Groups come from ``demands.matching.group_all`` over each community's demands in the
order they arrived: the service's own rule, one demand after another. About half the
groups of three or more are confirmed by staff; some demands are closed with what was
done. Each demand's resident (or the account) is recorded as taking part, way
``demand`` (``core.participation.record_many``).

Deterministic (a fixed seed; communities in path order) and idempotent (nothing is
done when any demand exists). Bulk writes only: a few seconds for the district.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.participation import record_many
from shezhi.demands import matching
from shezhi.demands.models import Demand, DemandGroup
from shezhi.demands.services import group_demand
from shezhi.households.models import Household, Resident
from shezhi.people.models import RoleAssignment

from .participation import share

SEED = 16_02
# Demands over the whole district (spread over communities by their households); a
# smaller household base has its share of them (``demo.participation``): 3,000 at 0.2.
TOTAL = 15_000
DAYS = 330

# (kind, wording with {p} where the place goes). The place is a building, a gate or a
# compound's spot; wordings of one topic are paraphrases residents actually use.
TOPICS: list[tuple[str, list[str]]] = [
    ("parking", ["{p}车位太少，晚上回来没地方停车", "{p}停车太难了，希望多划一些停车位",
                 "晚上下班回来{p}找不到车位", "{p}乱停车严重，希望规划停车位"]),
    ("elderly_care", ["希望{p}附近开个老年食堂", "老人吃饭不方便，希望{p}有个助餐点",
                      "能不能给{p}行动不便的老人送餐", "希望在{p}开办长者食堂，解决老人午餐"]),
    ("elderly_care", ["{p}希望加装电梯", "{p}老人爬楼太难，想装电梯",
                      "{p}是老旧楼，能不能加装电梯", "{p}住七楼的老人上下楼太辛苦，盼加梯"]),
    ("culture_sports", ["{p}希望增加健身器材", "{p}的健身器坏了，希望更新一批",
                        "想在{p}有个锻炼的地方", "{p}缺少运动设施，希望装几件健身器"]),
    ("safety", ["{p}路灯太暗，晚上走路不安全", "{p}晚上黑漆漆的，希望装路灯",
                "希望{p}多装几盏路灯", "{p}路灯坏了好久，晚上太暗"]),
    ("convenience", ["希望{p}装个快递柜", "{p}取快递太远了，希望有代收点",
                     "{p}快递没地方放，希望装丰巢柜"]),
    ("childcare", ["希望开设托育点照看两三岁的孩子", "双职工家庭带娃难，希望社区有托管班",
                   "放学后孩子没人照看，希望有四点半课堂", "希望有个婴幼儿托育的地方"]),
    ("convenience", ["{p}电瓶车充电难，希望装充电桩", "{p}飞线充电太危险，希望建充电棚",
                     "希望在{p}设电动车充电点"]),
    ("greenery", ["{p}的树枝太长挡住采光，希望修剪", "{p}大树遮光，能不能剪一剪",
                  "{p}树长得太高了，挡住了窗户"]),
    ("greenery", ["{p}绿化太少，希望补种花草", "{p}杂草丛生，希望整治一下绿地",
                  "希望把{p}的空地改成小花园"]),
    ("culture_sports", ["希望有个活动室给合唱队排练", "老年人没有活动场地，希望开放活动中心",
                        "希望社区腾出一间屋子做活动室"]),
    ("safety", ["{p}经常丢车，希望装监控", "{p}没有摄像头，晚上不安全",
                "希望在{p}加装监控探头"]),
    ("convenience", ["{p}附近没有早餐店，希望引进一家", "早上买早饭不方便，希望{p}有早餐车"]),
    ("convenience", ["附近没有菜市场，买菜太远", "希望{p}有个生鲜便民店",
                     "买菜不方便，希望有卖菜的点"]),
    ("culture_sports", ["{p}希望建儿童游乐设施", "小朋友没地方玩，希望{p}有滑梯秋千",
                        "希望在{p}给孩子们建个游戏区"]),
    ("other", ["{p}广场舞音响太吵，希望管一管", "晚上{p}音乐声音太大，睡不着",
               "希望{p}跳舞的音量小一点"]),
]  # fmt: skip
GATES = ["东门", "西门", "南门", "北门"]
OUTCOMES = [
    "已协调物业在小区内新划停车位，并开放夜间共享车位。",
    "社区已与助餐企业签约，老年助餐点下月开业。",
    "已纳入年度微更新项目，正在征求业主意见。",
    "已报街道，列入需求清单，等待资源对接。",
    "已安排维修，问题已解决，感谢您的反映。",
    "已联系园林部门修剪，预计两周内完成。",
]
SOURCES = [Demand.Source.VISIT] * 5 + [Demand.Source.CAMPAIGN] * 3 + [Demand.Source.STAFF] * 2
OWN = [
    ("parking", "小区车位太少，晚上回来没地方停车", False),
    ("elderly_care", "希望开个老年食堂，家里老人吃饭不方便", True),
    ("greenery", "楼下绿地杂草太多，希望整治一下", False),
]


def _place(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return f"{rng.randint(1, 24)}栋"
    if roll < 0.8:
        return rng.choice(GATES)
    return ""


def _wish(rng: random.Random, topic: int, place: str) -> str:
    text = rng.choice(TOPICS[topic][1])
    if "{p}" not in text or place:
        return text.replace("{p}", place)
    return text.replace("{p}", "")


def build_demo_demands(seed: int = SEED, total: int | None = None) -> dict[str, int] | None:
    """Write the demo's demands, groups and participation; the numbers, or None."""
    if Demand.objects.exists() or not Household.objects.exists():
        return None
    if total is None:
        total = round(TOTAL * share())
    rng = random.Random(seed)
    now = timezone.now()
    communities = list(Area.objects.filter(level=c.COMMUNITY).defer("boundary").order_by("path"))
    residents: dict[int, int] = {}
    for rid, hid in Resident.objects.order_by("pk").values_list("pk", "household_id"):
        residents.setdefault(hid, rid)
    # Households someone lives in (a demand is raised by a resident, counted as taking part).
    homes: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for hid, mg, path in Household.objects.order_by("pk").values_list(
        "pk", "micro_grid_id", "area_path"
    ):
        if hid in residents:
            homes[path[: 3 * Area.steplen]].append((hid, mg, path))
    households = sum(len(homes[a.path]) for a in communities)
    if not households:
        return None

    demands: list[Demand] = []
    plans: list[tuple[Area, list[int]]] = []  # community → its demands' indexes
    for community in communities:
        here = homes[community.path]
        if not here:
            continue
        n = max(3, round(total * len(here) / households))
        picked: list[int] = []
        # A few shared wishes (a topic at a place), sizes falling off; the rest single.
        wishes = []
        left = n
        while left > n * 0.25:
            size = min(left, max(2, int(rng.paretovariate(1.2) * 3)))
            wishes.append((rng.randrange(len(TOPICS)), _place(rng), size))
            left -= size
        wishes += [(rng.randrange(len(TOPICS)), _place(rng), 1) for _ in range(left)]
        items = []
        for topic, place, size in wishes:
            start = rng.randrange(DAYS)
            for _ in range(size):
                day = min(DAYS - 1, start + int(rng.expovariate(1 / 20)))
                items.append((day, topic, place))
        items.sort(key=lambda x: x[0])
        for day, topic, place in items:
            hid, mg, path = rng.choice(here)
            at = now - dt.timedelta(days=DAYS - day, minutes=rng.randrange(600))
            demands.append(
                Demand(
                    kind=TOPICS[topic][0],
                    text=_wish(rng, topic, place),
                    source=rng.choice(SOURCES),
                    household_id=hid,
                    area_id=mg,
                    area_path=path,
                    status=Demand.Status.GROUPED,
                    created_at=at,
                )
            )
            picked.append(len(demands) - 1)
        plans.append((community, picked))

    user = get_user_model().objects.filter(username="resident").first()
    own_home = None
    if user is not None:
        held = RoleAssignment.objects.filter(user=user, role="resident").select_related("area")
        own_home = next((ra.area for ra in held if ra.area.level == c.MICRO_GRID), None)

    with transaction.atomic():
        groups: list[DemandGroup] = []
        members: list[list[int]] = []
        # The service's rule (``matching.group_all``: each demand joins the best earlier
        # match of its community), over each community's demands in the order they came.
        for community, picked in plans:
            labels = matching.group_all((demands[i].text, None) for i in picked)
            by_label: dict[int, list[int]] = defaultdict(list)
            for i, label in zip(picked, labels, strict=True):
                by_label[label].append(i)
            for label in sorted(by_label):
                idx = by_label[label]
                first = demands[idx[0]]
                confirmed = len(idx) >= 3 and rng.random() < 0.5
                groups.append(
                    DemandGroup(
                        area=community,
                        area_path=community.path,
                        kind=first.kind,
                        title=first.text[:200],
                        confirmed_at=first.created_at + dt.timedelta(days=3) if confirmed else None,
                    )
                )
                members.append(idx)
        DemandGroup.objects.bulk_create(groups, batch_size=1000)
        for g, idx in zip(groups, members, strict=True):
            closed = rng.random() < 0.2
            outcome = rng.choice(OUTCOMES)
            for i in idx:
                d = demands[i]
                d.group_id = g.pk
                if closed:
                    d.status = Demand.Status.CLOSED
                    d.outcome = outcome
                    d.closed_at = d.created_at + dt.timedelta(days=rng.randint(7, 40))
        dates = [d.created_at for d in demands]
        Demand.objects.bulk_create(demands, batch_size=1000)
        # auto_now_add stamped them now: their days of the year back, in one pass.
        for d, at in zip(demands, dates, strict=True):
            d.created_at = at
        Demand.objects.bulk_update(demands, ["created_at"], batch_size=1000)
        for g, idx in zip(groups, members, strict=True):
            g.created_at = demands[idx[0]].created_at
        DemandGroup.objects.bulk_update(groups, ["created_at"], batch_size=1000)
        rows = [
            {
                "way": "demand",
                "area": d.area_path,
                "at": d.created_at,
                "source": d,
                "resident": residents[d.household_id],
            }
            for d in demands
            if d.household_id in residents
        ]
        own = 0
        if own_home is not None:
            for n, (kind, text, anonymous) in enumerate(OWN):
                # The service's grouping against what is there now.
                d = Demand.objects.create(
                    kind=kind, text=text, source=Demand.Source.RESIDENT, anonymous=anonymous,
                    submitter=user, area=own_home, area_path=own_home.path,
                    status=Demand.Status.OPEN,
                )  # fmt: skip
                d.created_at = now - dt.timedelta(days=40 - 15 * n)
                d.save(update_fields=["created_at"])
                group_demand(d)
                if n == 0:
                    d.status = Demand.Status.CLOSED
                    d.outcome = OUTCOMES[0]
                    d.closed_at = d.created_at + dt.timedelta(days=12)
                    d.save(update_fields=["status", "outcome", "closed_at"])
                rows.append({"way": "demand", "area": d.area_path, "at": d.created_at,
                             "source": None if anonymous else d, "user": user,
                             "anonymous": anonymous})  # fmt: skip
                own += 1
        record_many(rows)
    return {
        "demands": len(demands) + own,
        "groups": DemandGroup.objects.count(),
        "confirmed groups": sum(1 for g in groups if g.confirmed_at),
        "participations": len(rows),
    }

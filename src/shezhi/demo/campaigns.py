"""The demo's 社治专列 campaign over the district, with all three actions and its results.

- One campaign over 青白江区 for the last six months, moved through the five stages (a
  dated move each month) and now presenting its results.
- 小红帽 rounds: one per community with demo visits in the period: the day and worker of
  a visit there; the worker's visits of that day in the community join the round, and a
  few street stops record wishes that become demands (source=campaign, collected).
- 小广播: one broadcast to the residents with a sign-in (a head of household in each of
  a few thousand households is given one here); its notifications (reach), most read,
  and thousands of answers, each a demand (source=campaign, grouped per community by
  its wording) and a participation (way ``broadcast_answer``).
- 安居包: two packages, taken or refused by a few thousand households.
- Three published results.

Rows are written in bulk (not through the services: the demo writes history as it stood);
deterministic (a fixed seed) and idempotent: nothing is written when a campaign exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Min
from django.db.models.functions import Substr
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.campaigns.models import (
    STAGE_ORDER,
    Broadcast,
    BroadcastAnswer,
    Campaign,
    Package,
    Result,
    Round,
    RoundStop,
    RoundVisit,
    StageMove,
    TakeUp,
)
from shezhi.core.lists import subtree_q
from shezhi.core.participation import Way, record_many
from shezhi.demands.models import Demand, DemandGroup
from shezhi.households.models import Household, Resident
from shezhi.notifications.models import Notification
from shezhi.people.models import RoleAssignment
from shezhi.visits.models import Visit

from .participation import share

SEED = 16
DISTRICT_CODE = "510113"
# Heads of household given a sign-in for the broadcast, for the whole district (a smaller
# household base: its share, ``demo.participation``; 6,000 at 0.2).
SIGN_INS = 30_000
ANSWERED = 0.6  # of those reached
READ = 0.8
TAKE_UPS = 3000
BATCH = 2000
UNUSABLE = UNUSABLE_PASSWORD_PREFIX + "demo"  # no password: these sign in with a code

ANSWERS = [
    ("elderly_care", "希望小区里有老年食堂，老人吃饭方便些"),
    ("elderly_care", "想要社区日间照料中心，白天能照看老人"),
    ("childcare", "希望有放学后的四点半课堂"),
    ("childcare", "小区附近缺少托育点，双职工接送困难"),
    ("parking", "晚上停车难，希望规划更多停车位"),
    ("parking", "电动车充电桩不够，经常排队"),
    ("greenery", "希望把闲置空地改成口袋公园"),
    ("culture_sports", "想要一个能跳广场舞的场地"),
    ("culture_sports", "希望增设健身器材和乒乓球台"),
    ("convenience", "希望设置快递柜，取件方便"),
    ("convenience", "小区门口想要一个便民维修点"),
    ("safety", "楼道灯坏了很久，晚上不安全"),
]
WISHES = [
    ("safety", "临街路口缺少减速带"),
    ("convenience", "沿街商铺希望统一设置垃圾投放点"),
    ("parking", "背街小巷乱停车，希望划线管理"),
    ("greenery", "行道树需要修剪"),
]


def _actor():
    ra = (
        RoleAssignment.objects.filter(role="district_admin", area__code=DISTRICT_CODE)
        .order_by("pk")
        .first()
    )
    if ra is not None:
        return ra.user
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _sign_ins(rng: random.Random, district: Area) -> list[tuple[int, int, int, str]]:
    """Give heads of household without one a sign-in; (user, resident, household, path)."""
    # A tiny base (tests, a quick try) still reaches its first hundred heads.
    wanted = max(100, round(SIGN_INS * share(district.path)))
    heads = list(
        Resident.objects.filter(
            subtree_q("household__area_path", district.path), relation="head", user__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "household_id", "household__area_path")[: wanted * 3]
    )
    heads = sorted(rng.sample(heads, min(wanted, len(heads))))
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"jm{pk}", password=UNUSABLE, is_active=True) for pk, _h, _p in heads],
        batch_size=BATCH,
    )
    # Bind each to its resident in one statement per batch (bulk_update's CASE is slow).
    table, users = Resident._meta.db_table, User._meta.db_table
    pks = [pk for pk, _h, _p in heads]
    with connection.cursor() as cursor:
        for i in range(0, len(pks), 500):
            chunk = pks[i : i + 500]
            cursor.execute(
                f"UPDATE {table} SET user_id = (SELECT u.id FROM {users} u "  # noqa: S608
                f"WHERE u.username = 'jm' || {table}.id) "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
    bound = list(
        Resident.objects.filter(
            subtree_q("household__area_path", district.path), user__isnull=False
        ).values_list("user_id", "pk", "household_id", "household__area_path")
    )
    return bound


def _groups(rows: list[tuple[Area, str, str]]) -> dict[tuple[int, str], int]:
    """One demand group per (community, wording): (community id, text) → group id."""
    wanted = {}
    for community, kind, text in rows:
        wanted[(community.pk, text)] = (community, kind)
    made = DemandGroup.objects.bulk_create(
        [
            DemandGroup(area=com, area_path=com.path, kind=kind, title=text)
            for (_cid, text), (com, kind) in wanted.items()
        ]
    )
    return {(g.area_id, g.title): g.pk for g in made}


@transaction.atomic
def build_demo_campaigns() -> dict[str, int] | None:
    if Campaign.objects.exists():
        return None
    district = Area.objects.filter(code=DISTRICT_CODE).defer("boundary").first()
    actor = _actor()
    if district is None or actor is None:
        return None
    rng = random.Random(SEED)
    today = timezone.localdate()
    start = today - dt.timedelta(days=180)
    now = timezone.now()
    campaign = Campaign.objects.create(
        name="社治专列·青白江2026",
        area=district,
        area_path=district.path,
        starts_on=start,
        ends_on=today + dt.timedelta(days=30),
        summary="小红帽入户、小广播征集、安居包送上门：挖掘需求、发布清单、培育主体、分享案例、推出成果。",
        stage=STAGE_ORDER[-1],
        created_by=actor,
    )
    campaign.organisers.set([actor])
    StageMove.objects.bulk_create(
        [
            StageMove(campaign=campaign, stage=s, by=actor,
                      at=now - dt.timedelta(days=180 - 36 * i))
            for i, s in enumerate(STAGE_ORDER)
        ]
    )  # fmt: skip
    communities = {
        a.path: a
        for a in Area.objects.filter(subtree_q("path", district.path), level=c.COMMUNITY).defer(
            "boundary"
        )
    }

    def community_of(path: str) -> Area | None:
        for p, a in communities.items():
            if path.startswith(p):
                return a
        return None

    # 小红帽 rounds: a visit's day and worker in each community.
    rounds, stops, round_visits, demand_rows = 0, 0, 0, []
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    # One visit per community in the period (communities' paths share one length).
    width = len(next(iter(communities))) if communities else 0
    firsts = (
        Visit.objects.filter(subtree_q("area_path", district.path), at__gte=since)
        .annotate(community=Substr("area_path", 1, width))
        .values("community")
        .annotate(first=Min("pk"))
        .order_by()
    )
    picked = {row["community"]: row["first"] for row in firsts if row["community"] in communities}
    visits = {
        v["pk"]: v
        for v in Visit.objects.filter(pk__in=picked.values()).values(
            "pk", "worker_id", "at", "area_id"
        )
    }
    for path, community in sorted(communities.items()):
        v = visits.get(picked.get(path))
        if v is None:
            continue
        day = timezone.localdate(v["at"])
        r = Round.objects.create(
            campaign=campaign, title=f"小红帽·{community.name}", area=community,
            area_path=community.path, day=day, status=Round.Status.CLOSED,
        )  # fmt: skip
        r.workers.set([v["worker_id"]])
        rounds += 1
        lo = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        ids = Visit.objects.filter(
            subtree_q("area_path", path), worker_id=v["worker_id"], at__gte=lo,
            at__lt=lo + dt.timedelta(days=1),
        ).values_list("pk", flat=True)  # fmt: skip
        made = RoundVisit.objects.bulk_create(
            [RoundVisit(round=r, visit_id=pk) for pk in ids], ignore_conflicts=True
        )
        round_visits += len(made)
        micro = Area.objects.defer("boundary").get(pk=v["area_id"])
        for kind, wish in rng.sample(WISHES, 2):
            RoundStop.objects.create(
                round=r, worker_id=v["worker_id"], area=micro, area_path=micro.path,
                address=f"{community.name}沿街{rng.randint(1, 200)}号", wish=wish, kind=kind,
            )  # fmt: skip
            stops += 1
            demand_rows.append(
                Demand(kind=kind, text=wish, source=Demand.Source.CAMPAIGN,
                       collected_by_id=v["worker_id"], area=micro, area_path=micro.path,
                       campaign=campaign, status=Demand.Status.GROUPED)
            )  # fmt: skip

    # 小广播: reach, reads, answers → demands and participation.
    bound = _sign_ins(rng, district)
    sent = now - dt.timedelta(days=150)
    b = Broadcast.objects.create(
        campaign=campaign, area=district, area_path=district.path,
        title="小广播：家门口还缺什么？",
        body="社治专列正在征集大家的需求，您的意见会进入社区需求清单。",
        question="您最希望家门口增加什么服务或设施？", kind="other", reach=len(bound),
        sent_by=actor, sent_at=sent,
    )  # fmt: skip
    ct = ContentType.objects.get_for_model(Broadcast)
    # The demo's own sign-ins (resident …, not the jm* ones made here) have read their
    # old notices, as a user trying the demo would have: their centre looks lived in.
    named = set(
        get_user_model()
        .objects.filter(pk__in=[u for u, _r, _h, _p in bound])
        .exclude(username__startswith="jm")
        .values_list("pk", flat=True)
    )
    Notification.objects.bulk_create(
        [
            Notification(user_id=u, kind="campaign_broadcast", title=b.title, body=b.body,
                         url=f"/campaigns/broadcasts/{b.pk}/", subject_type=ct,
                         subject_id=b.pk, created_at=sent,
                         read_at=sent + dt.timedelta(hours=rng.randint(1, 72))
                         if rng.random() < READ or u in named else None)
            for u, _r, _h, _p in bound
        ],
        batch_size=BATCH,
    )  # fmt: skip
    answering = [row for row in bound if rng.random() < ANSWERED]
    answers = BroadcastAnswer.objects.bulk_create(
        [
            BroadcastAnswer(broadcast=b, user_id=u, text=ANSWERS[(r * 7) % len(ANSWERS)][1],
                            at=sent + dt.timedelta(hours=rng.randint(2, 24 * 20)))
            for u, r, _h, _p in answering
        ],
        batch_size=BATCH,
    )  # fmt: skip
    if any(a.pk is None for a in answers):
        answers = list(BroadcastAnswer.objects.filter(broadcast=b).order_by("pk"))
    by_user = {a.user_id: a for a in answers}
    households = Household.objects.in_bulk([h for _u, _r, h, _p in answering])
    answer_rows = []
    for u, r, h, p in answering:
        a = by_user[u]
        kind, text = ANSWERS[(r * 7) % len(ANSWERS)]
        micro = households[h].micro_grid_id
        answer_rows.append((a, u, r, h, p, micro, kind, text))
    grouped = [(community_of(d.area_path), d.kind, d.text) for d in demand_rows]
    grouped += [(community_of(p), k, t) for _a, _u, _r, _h, p, _m, k, t in answer_rows]
    groups = _groups([g for g in grouped if g[0] is not None])
    for d in demand_rows:
        com = community_of(d.area_path)
        d.group_id = groups.get((com.pk, d.text)) if com else None
    for a, u, _r, h, p, micro, kind, text in answer_rows:
        com = community_of(p)
        demand_rows.append(
            Demand(kind=kind, text=text, source=Demand.Source.CAMPAIGN, submitter_id=u,
                   household_id=h, area_id=micro, area_path=p, campaign=campaign,
                   broadcast_answer=a, status=Demand.Status.GROUPED,
                   group_id=groups.get((com.pk, text)) if com else None)
        )  # fmt: skip
    Demand.objects.bulk_create(demand_rows, batch_size=BATCH)
    record_many(
        {"way": Way.BROADCAST_ANSWER, "area": p, "at": a.at, "source": a, "resident": r}
        for a, _u, r, _h, p, _m, _k, _t in answer_rows
    )

    # 安居包: two packages, taken or refused by a few thousand households.
    packages = Package.objects.bulk_create(
        [
            Package(campaign=campaign, name="适老安居包", area=district, area_path=district.path,
                    contents="扶手安装、燃气报警器、紧急呼叫器、上门体检"),
            Package(campaign=campaign, name="新市民安居包", area=district,
                    area_path=district.path,
                    contents="社区地图、便民服务清单、子女入学指引、就业推荐"),
        ]
    )  # fmt: skip
    household_ids = list(
        Household.objects.filter(subtree_q("area_path", district.path))
        .order_by("pk")
        .values_list("pk", flat=True)[: TAKE_UPS * 4]
    )
    take_ups = []
    for i, package in enumerate(packages):
        for h in sorted(rng.sample(household_ids, min(TAKE_UPS // (i + 1), len(household_ids)))):
            taken = rng.random() < 0.82
            take_ups.append(
                TakeUp(package=package, household_id=h, recorded_by=actor,
                       answer=TakeUp.Answer.TAKEN if taken else TakeUp.Answer.REFUSED,
                       reason="" if taken else rng.choice(["已自行安装", "暂不需要", "家中无人"]),
                       at=now - dt.timedelta(days=rng.randint(10, 120)))
            )  # fmt: skip
    TakeUp.objects.bulk_create(take_ups, batch_size=BATCH)
    taken = sum(1 for t in take_ups if t.answer == TakeUp.Answer.TAKEN)

    # Results (成果).
    Result.objects.bulk_create(
        [
            Result(campaign=campaign, title="小广播收集需求，进入社区需求清单",
                   summary="居民在手机上回答小广播，每条回答都成为一条需求，按社区归并后进入需求清单。",
                   figures=[{"label": "居民回答", "value": len(answers)},
                            {"label": "送达居民", "value": len(bound)}],
                   published_at=now - dt.timedelta(days=20)),
            Result(campaign=campaign, title="安居包送上门",
                   summary="适老安居包与新市民安居包由网格员逐户送达并记录签收。",
                   figures=[{"label": "签收户数", "value": taken}],
                   published_at=now - dt.timedelta(days=10)),
            Result(campaign=campaign, title="小红帽入户走访",
                   summary="红帽志愿者与网格员结对入户，倾听居民心声。",
                   figures=[{"label": "入户走访", "value": round_visits},
                            {"label": "沿街走访", "value": stops}],
                   published_at=now - dt.timedelta(days=5)),
        ]
    )  # fmt: skip
    return {
        "rounds": rounds,
        "round visits": round_visits,
        "broadcast reach": len(bound),
        "answers": len(answers),
        "demands": len(demand_rows),
        "take-ups": len(take_ups),
    }

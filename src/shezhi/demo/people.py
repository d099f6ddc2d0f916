"""The demo district's workforce, as the article counts it.

347 full-time grid workers covering the 362 general grids, 5,573 micro-grid
workers (one responsible worker in every micro-grid, the rest as members),
3,072 party cadres of organs, enterprises and institutions, 636 street cadres and
640 community committee members embedded in micro-grids. Deterministic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.people.models import Assignment, Department, Person

COUNTS = {
    Person.Category.FULL_TIME_GRID_WORKER: 347,
    Person.Category.MICRO_GRID_WORKER: 5573,
    Person.Category.EMBEDDED_CADRE: 3072,
    Person.Category.STREET_CADRE: 636,
    Person.Category.COMMUNITY_COMMITTEE: 640,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强"
    "红梅玉兰海燕小红小平文华德明晓东晓燕丽华春梅国强淑珍永红婷雪梅俊杰"
)
DEPARTMENTS = [
    ("cg", "区城市管理局"),
    ("zj", "区住房和城乡建设局"),
    ("scjg", "区市场监督管理局"),
    ("gaj", "公安青白江分局"),
    ("yjgl", "区应急管理局"),
    ("mz", "区民政局"),
    ("wj", "区卫生健康局"),
    ("sw", "区水务局"),
    ("gd", "国网青白江供电公司"),
    ("rq", "青白江燃气公司"),
]
ORGANS = [name for _, name in DEPARTMENTS] + [
    "区委组织部",
    "区委社治委",
    "区教育局",
    "区财政局",
    "区人社局",
    "区交通运输局",
    "区生态环境局",
    "成都国际铁路港管委会",
    "区人民医院",
    "区第一中学",
]


def _id_number(rng: random.Random, female: bool) -> str:
    born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    body = f"510113{born:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def build_demo_workforce(seed: int = 2017) -> dict[str, int]:
    """Create the workforce in the demo district; a no-op when it is already there."""
    district = Area.objects.get(code="510113")
    if Person.objects.filter(area__path__startswith=district.path).exists():
        return {}
    rng = random.Random(seed)
    areas = list(
        Area.objects.filter(path__startswith=district.path)
        .order_by("code")
        .only("id", "code", "path", "level", "kind", "name")
    )
    by_code = {a.code: a for a in areas}
    grids = [a for a in areas if a.level == c.GENERAL_GRID]
    micro = [a for a in areas if a.level == c.MICRO_GRID]
    general_micro = [a for a in micro if a.kind == c.KIND_GENERAL]
    micro_by_street = defaultdict(list)
    micro_by_community = defaultdict(list)
    for a in general_micro:
        micro_by_street[a.code[:9]].append(a)
        micro_by_community[a.code[:12]].append(a)
    started = dt.date(2023, 3, 1)
    seen_ids: set[str] = set()

    people: list[Person] = []
    plans: list[tuple[int, Area, str]] = []  # (person position, area, role)

    def person(category, force_type, area, *, employer="", party=0.3, veteran=0.06, leader=0.0):
        female = rng.random() < 0.45
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        idn = _id_number(rng, female)
        while idn in seen_ids:
            idn = _id_number(rng, female)
        seen_ids.add(idn)
        phone = _phone(rng)
        p = Person(
            area=area,
            name=name,
            gender=Person.Gender.FEMALE if female else Person.Gender.MALE,
            category=category,
            force_type=force_type,
            party_member=rng.random() < party,
            veteran=rng.random() < veteran,
            group_leader=rng.random() < leader,
            employer=employer,
            lives_in=area if area.level == c.MICRO_GRID else None,
            phone=phone,
            phone_index=pd.blind_index("phone", phone),
            phone_last4=phone[-4:],
            id_number=idn,
            id_number_index=pd.blind_index("id_number", idn),
            id_number_last4=idn[-4:],
        )
        people.append(p)
        return len(people) - 1

    # Full-time grid workers: every general grid covered; the first few cover two.
    ft = COUNTS[Person.Category.FULL_TIME_GRID_WORKER]
    for i in range(ft):
        grid = grids[i]
        pos = person(
            Person.Category.FULL_TIME_GRID_WORKER,
            Person.ForceType.FULL_TIME,
            by_code[grid.code[:12]],
            employer=f"{by_code[grid.code[:9]].name}综治中心",
            party=0.55,
        )
        plans.append((pos, grid, Assignment.Role.FULL_TIME_WORKER))
    for j, grid in enumerate(grids[ft:]):
        plans.append((j * (ft // len(grids[ft:])), grid, Assignment.Role.FULL_TIME_WORKER))

    # Micro-grid workers: one responsible worker per micro-grid, then members.
    mg = COUNTS[Person.Category.MICRO_GRID_WORKER]
    for i in range(mg):
        area = micro[i] if i < len(micro) else general_micro[i % len(general_micro)]
        role = Assignment.Role.RESPONSIBLE_WORKER if i < len(micro) else Assignment.Role.MEMBER
        pos = person(
            Person.Category.MICRO_GRID_WORKER,
            Person.ForceType.SELF_GOVERNANCE if rng.random() < 0.2 else Person.ForceType.PART_TIME,
            area,
            party=0.35,
            veteran=0.08,
            leader=0.4,
        )
        plans.append((pos, area, role))

    # Cadres embedded in micro-grids (编入微网格).
    for i in range(COUNTS[Person.Category.EMBEDDED_CADRE]):
        area = general_micro[(i * 7) % len(general_micro)]
        organ = ORGANS[i % len(ORGANS)]
        pos = person(
            Person.Category.EMBEDDED_CADRE,
            Person.ForceType.PROFESSIONAL if i % 3 == 0 else Person.ForceType.PART_TIME,
            area,
            employer=organ,
            party=0.9,
        )
        plans.append((pos, area, Assignment.Role.EMBEDDED_CADRE))
    streets = sorted(micro_by_street)
    for i in range(COUNTS[Person.Category.STREET_CADRE]):
        street = streets[i % len(streets)]
        pool = micro_by_street[street]
        area = pool[(i // len(streets)) % len(pool)]
        pos = person(
            Person.Category.STREET_CADRE,
            Person.ForceType.PART_TIME,
            area,
            employer=f"{by_code[street].name}办事处",
            party=0.85,
        )
        plans.append((pos, area, Assignment.Role.EMBEDDED_CADRE))
    communities = sorted(micro_by_community)
    for i in range(COUNTS[Person.Category.COMMUNITY_COMMITTEE]):
        community = communities[i % len(communities)]
        pool = micro_by_community[community]
        area = pool[(i // len(communities)) % len(pool)]
        suffix = "村民委员会" if by_code[community].name.endswith("村") else "居民委员会"
        pos = person(
            Person.Category.COMMUNITY_COMMITTEE,
            Person.ForceType.PART_TIME,
            area,
            employer=f"{by_code[community].name}{suffix}",
            party=0.7,
        )
        plans.append((pos, area, Assignment.Role.EMBEDDED_CADRE))

    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=1000)
        Assignment.objects.bulk_create(
            [
                Assignment(person=people[pos], area=area, role=role, started_on=started)
                for pos, area, role in plans
            ],
            batch_size=1000,
        )
        for code, name in DEPARTMENTS:
            Department.objects.get_or_create(district=district, code=code, defaults={"name": name})
    counts = defaultdict(int)
    for p in people:
        counts[p.category] += 1
    return dict(counts)


def link_demo_users() -> None:
    """Tie the demo worker sign-ins to the people who hold those posts."""
    User = get_user_model()
    for username, code, role in (
        ("mg_worker", "510113001001001001", Assignment.Role.RESPONSIBLE_WORKER),
        ("grid_worker", "510113001001001", Assignment.Role.FULL_TIME_WORKER),
    ):
        user = User.objects.filter(username=username).first()
        held = (
            Assignment.objects.filter(area__code=code, role=role, ended_on__isnull=True)
            .select_related("person")
            .first()
        )
        if user and held and held.person.user_id is None and not hasattr(user, "person"):
            Person.objects.filter(pk=held.person.pk).update(user=user)

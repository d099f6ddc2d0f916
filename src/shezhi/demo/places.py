"""The demo district's 305 service posts (微阵地), as the article counts them.

Deterministic (a fixed seed over areas in path order) and idempotent: nothing is
written when the demo district is missing or already has posts. Every post's
point is drawn inside a general micro-grid of its community and located like
any post (a dedicated micro-grid there wins), so ``area`` is its deepest area.

The mix: one 党群服务中心 per community (83), 100 grid work stations in general
grids, 60 neighbourhood living rooms (会客厅, e.g. 誉府会客厅) in compounds, 30
volunteer points, 15 elderly-care points, 10 children's corners and 7 mediation
rooms: 305.
"""

from __future__ import annotations

import random
from collections import defaultdict

from django.db import transaction
from shapely import prepared
from shapely.geometry import Point, shape

from shezhi.areas import constants as c
from shezhi.areas.locating import locate_many
from shezhi.areas.models import Area
from shezhi.people.models import RoleAssignment
from shezhi.places.models import ServicePost

DEMO_DISTRICT_CODE = "510113"
DEMO_POST_COUNT = 305
SEED = 305
T = ServicePost.Type

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKEND = ("sat", "sun")
ALL_DAYS = WEEKDAYS + WEEKEND

COMPOUND_NAMES = (
    "誉府",
    "锦城华府",
    "凤凰湾",
    "怡湖玺",
    "青江名苑",
    "香岛",
    "金港湾",
    "城厢古镇",
    "御景园",
    "弥牟新居",
    "华严雅居",
    "太平苑",
    "龙湖春江",
    "清泉新村",
    "玉虹花园",
    "川化苑",
    "钢城家园",
    "红阳雅苑",
    "大同小区",
    "福洪花园",
    "姚渡人家",
    "祥福里",
    "人和居",
    "大弯老街",
    "蓝光公园",
    "万科城",
    "中铁城",
    "蜀都花园",
    "翠湖苑",
    "龙腾苑",
    "锦绣华庭",
    "东方雅居",
    "滨江花园",
    "百合苑",
    "欧香小镇",
    "幸福里",
    "清溪苑",
    "金色阳光",
    "同心家园",
    "和美佳苑",
    "阳光城",
    "新华苑",
    "绿洲名邸",
    "桂花园",
    "梧桐里",
    "凤栖苑",
    "竹林苑",
    "书香苑",
    "学府名居",
    "锦江苑",
    "荷塘月色",
    "紫薇苑",
    "丽景苑",
    "东岳苑",
    "惠民小区",
    "四季花城",
    "天鹅湖",
    "春熙苑",
    "花语城",
    "文化苑",
)
ROADS = (
    "华金大道",
    "青江路",
    "凤凰大道",
    "团结路",
    "大同路",
    "弥牟大道",
    "红阳路",
    "川化路",
    "物流大道",
    "香岛大道",
    "同华大道",
    "双元大道",
    "清泉路",
    "太平街",
    "玉虹路",
)

SERVICES = {
    T.PARTY_SERVICE: (
        "党员活动",
        "社保代办",
        "证明开具",
        "政策咨询",
        "法律咨询",
        "就业服务",
        "残疾人服务",
        "民政救助",
        "便民打印",
    ),
    T.GRID_STATION: ("事件上报", "矛盾调解", "入户走访", "安全巡查", "政策宣传", "信息采集"),
    T.LIVING_ROOM: ("邻里议事", "便民维修", "共享书屋", "代收快递", "健康监测", "邻里活动"),
    T.VOLUNTEER: ("志愿者招募", "助老陪伴", "环境清洁", "文明劝导", "小红帽巡逻", "爱心义剪"),
    T.ELDERLY: ("助餐", "日间照料", "健康体检", "文娱活动", "助浴", "心理慰藉"),
    T.CHILDREN: ("课后托管", "四点半课堂", "亲子阅读", "安全教育", "兴趣课程"),
    T.MEDIATION: ("邻里纠纷调解", "物业纠纷调解", "法律援助", "心理疏导"),
}

# Type → how many beyond the one 党群服务中心 per community.
MIX = (
    (T.GRID_STATION, 100),
    (T.LIVING_ROOM, 60),
    (T.VOLUNTEER, 30),
    (T.ELDERLY, 15),
    (T.CHILDREN, 10),
    (T.MEDIATION, 7),
)
STAFF_ROLES = ("micro_grid_worker", "grid_worker", "community_staff", "street_staff")


def _hours(kind: str, rng: random.Random) -> dict:
    office = [["08:30", "12:00"], ["14:00", "17:30"]]
    if kind == T.PARTY_SERVICE:
        hours = dict.fromkeys(WEEKDAYS, office)
        if rng.random() < 0.5:
            hours["sat"] = [["09:00", "12:00"]]
        return hours
    if kind == T.GRID_STATION:
        return {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ALL_DAYS}
    if kind == T.LIVING_ROOM:
        close = rng.choice(("20:30", "21:00", "21:30"))
        return {d: [["09:00", close]] for d in ALL_DAYS}
    if kind == T.VOLUNTEER:
        hours = {d: [["09:00", "17:00"]] for d in WEEKEND}
        hours["wed"] = [["14:00", "17:00"]]
        return hours
    if kind == T.ELDERLY:
        return {d: [["08:00", "18:00"]] for d in ALL_DAYS}
    if kind == T.CHILDREN:
        hours = {d: [["16:00", "19:00"]] for d in WEEKDAYS}
        hours.update({d: [["09:00", "17:00"]] for d in WEEKEND})
        return hours
    return {d: [["09:00", "12:00"], ["14:00", "17:00"]] for d in WEEKDAYS}


def _name(kind: str, community: str, grid: str, compound: str) -> str:
    if kind == T.PARTY_SERVICE:
        return f"{community}党群服务中心"
    if kind == T.GRID_STATION:
        return f"{grid}工作站"
    if kind == T.LIVING_ROOM:
        return f"{compound}会客厅"
    if kind == T.VOLUNTEER:
        return f"{compound}新时代文明实践志愿服务点"
    if kind == T.ELDERLY:
        return f"{community}日间照料中心"
    if kind == T.CHILDREN:
        return f"{community}儿童之家"
    return f"{community}人民调解室"


def _point_in(geometry, rng: random.Random) -> tuple[float, float]:
    """A point drawn inside the polygon (its representative point after 200 misses)."""
    w, s, e, n = geometry.bounds
    test = prepared.prep(geometry)
    for _ in range(200):
        p = Point(rng.uniform(w, e), rng.uniform(s, n))
        if test.contains(p):
            return round(p.x, 6), round(p.y, 6)
    p = geometry.representative_point()
    return round(p.x, 6), round(p.y, 6)


def build_demo_posts(seed: int = SEED) -> int | None:
    """Create the 305 demo posts; the number made, or None when nothing was to do."""
    district = Area.objects.filter(code=DEMO_DISTRICT_CODE).defer("boundary").first()
    if district is None:
        return None
    if ServicePost.objects.filter(area_path__startswith=district.path).exists():
        return None
    rng = random.Random(seed)
    inside = Area.objects.filter(path__startswith=district.path).defer("boundary")
    by_path = {a.path: a for a in inside.filter(depth__lte=district.depth + 3)}
    communities = sorted(
        (a for a in by_path.values() if a.level == c.COMMUNITY), key=lambda a: a.path
    )
    grids = sorted((a for a in by_path.values() if a.level == c.GENERAL_GRID), key=lambda a: a.path)
    micros_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, path in (
        inside.filter(level=c.MICRO_GRID, kind=c.KIND_GENERAL)
        .order_by("path")
        .values_list("pk", "path")
    ):
        micros_of[path[: -Area.steplen]].append((pk, path))
    grids = [g for g in grids if micros_of.get(g.path)]
    if not communities or not grids:
        return None
    step = Area.steplen

    # (type, general grid) for every post: one centre per community, then the mix.
    plan: list[tuple[str, Area]] = []
    for community in communities:
        own = [g for g in grids if g.path.startswith(community.path)]
        if own:
            plan.append((T.PARTY_SERVICE, own[0]))
    station_grids = sorted(rng.sample(grids, min(len(grids), 100)), key=lambda g: g.path)
    plan.extend((T.GRID_STATION, g) for g in station_grids)
    for kind, n in MIX[1:]:
        plan.extend((kind, g) for g in sorted(rng.sample(grids, n), key=lambda g: g.path))
    plan = plan[:DEMO_POST_COUNT]

    # Pick each post's micro-grid, then draw its point inside it.
    picks = []
    compounds = iter(COMPOUND_NAMES * 2)
    for kind, grid in plan:
        micros = micros_of[grid.path]
        micro = micros[0] if kind == T.PARTY_SERVICE else rng.choice(micros)
        compound = ""
        if kind in (T.LIVING_ROOM, T.VOLUNTEER):
            compound = next(compounds)
            if kind == T.VOLUNTEER:
                compound = by_path[grid.path[: 3 * step]].name + compound[:2]
        picks.append((kind, grid, micro, compound))
    boundaries = dict(
        Area.objects.filter(pk__in={p[2][0] for p in picks}).values_list("pk", "boundary")
    )
    shapes = {pk: shape(b) for pk, b in boundaries.items()}
    points = [_point_in(shapes[micro[0]], rng) for _kind, _grid, micro, _c in picks]
    located, rows = locate_many([p[0] for p in points], [p[1] for p in points])
    located_ids = [rows[i].id if i >= 0 else None for i in located.tolist()]
    paths = dict(
        Area.objects.filter(pk__in={i for i in located_ids if i}).values_list("pk", "path")
    )

    staff = defaultdict(list)
    for path, user_id in RoleAssignment.objects.filter(
        role__in=STAFF_ROLES, area__path__startswith=district.path
    ).values_list("area__path", "user_id"):
        staff[path].append(user_id)

    def responsible(path: str) -> int | None:
        # The demo user working closest to the post (micro-grid first, then upwards).
        for cut in range(len(path), district.depth * step, -step):
            users = staff.get(path[:cut])
            if users:
                return min(users)
        return None

    posts = []
    seen: set[tuple[int, str]] = set()
    for (kind, grid, micro, compound), (lng, lat), area_id in zip(
        picks, points, located_ids, strict=True
    ):
        area_id = area_id or micro[0]
        path = paths.get(area_id, micro[1])
        community = by_path[grid.path[: 3 * step]]
        street = by_path[grid.path[: 2 * step]]
        name = _name(kind, community.name, grid.name, compound)
        if (area_id, name) in seen:
            name = f"{name}（{grid.name[-4:]}）"
        seen.add((area_id, name))
        services = list(SERVICES[kind])
        rng.shuffle(services)
        posts.append(
            ServicePost(
                name=name,
                type=kind,
                area_id=area_id,
                area_path=path,
                address=f"{street.name}{community.name}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                lng=lng,
                lat=lat,
                opening_hours=_hours(kind, rng),
                services=sorted(services[: rng.randint(3, min(5, len(services)))]),
                responsible_id=responsible(path),
                phone=f"028-839{rng.randint(10000, 99999)}",
                description="",
                active=True,
            )
        )
    with transaction.atomic():
        ServicePost.objects.bulk_create(posts, batch_size=500)
    return len(posts)

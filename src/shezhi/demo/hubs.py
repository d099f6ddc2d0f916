"""The demo district's four-level 社治港: one 社治港湾, a 社治港口 per street, a 社治码头 per
community and a 小区服务集装箱 in every compound of at least ``COMPOUND_MIN_HOUSEHOLDS``
households.

Works on whatever the demo holds when it runs (the household base may be one community's
compounds or the whole district's): every hub missing is made, in bulk, and those present
are left as they are, so running it again after more compounds arrive adds theirs.
Deterministic (a fixed seed over areas and compounds in path and id order).

Where a hub stands: a community's 码头 at its 党群服务中心 (the community's party and public
service post, when the demo has one), a street's 港口 and the district's 港湾 at the
centre post of their first community; a compound's 集装箱 at its first building. Each has
a duty roster of people of its area (street cadres at a 港口, committee members at a 码头,
micro-grid workers at a 集装箱) on set weekdays.
"""

from __future__ import annotations

import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.households.models import Building, Compound
from shezhi.people.models import Person
from shezhi.places.models import HubDuty, ServiceHub, ServicePost

from .places import ROADS

DISTRICT_CODE = "510113"
SEED = 2015
# A compound this size (households registered) has enough residents for its own
# 小区服务集装箱: about one property-managed compound of six-storey buildings.
COMPOUND_MIN_HOUSEHOLDS = 60

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
OFFICE = {d: [["08:30", "12:00"], ["14:00", "17:30"]] for d in WEEKDAYS}
SERVICES = {
    "district": ["社治委接待", "社会组织孵化", "社区规划咨询", "典型案例展示", "志愿服务调度"],
    "street": ["政务服务代办", "矛盾纠纷调解", "吹哨报到", "社工服务", "法律咨询"],
    "community": ["居民议事", "社保代办", "证明开具", "志愿者招募", "便民服务"],
    "compound": ["邻里议事", "代收快递", "便民维修", "政策宣传", "应急物资"],
}
SUFFIX = {"district": "社治港湾", "street": "社治港口", "community": "社治码头",
          "compound": "小区服务集装箱"}  # fmt: skip
DUTY_CATEGORY = {
    "district": (Person.Category.STREET_CADRE, "社治委值班"),
    "street": (Person.Category.STREET_CADRE, "值班干部"),
    "community": (Person.Category.COMMUNITY_COMMITTEE, "值班社工"),
    "compound": (Person.Category.MICRO_GRID_WORKER, "楼栋微网格员"),
}
# Each person on a roster serves two or three days a week, so somebody is there daily.
ROTAS = (["mon", "wed", "fri"], ["tue", "thu", "sat"], ["mon", "thu", "sun"], ["wed", "sat"],
         ["tue", "fri", "sun"])  # fmt: skip


def _hours(tier: str) -> dict:
    if tier == "compound":
        return {d: [["09:00", "12:00"], ["15:00", "20:00"]] for d in (*WEEKDAYS, "sat", "sun")}
    hours = dict(OFFICE)
    if tier in ("community", "street"):
        hours["sat"] = [["09:00", "12:00"]]
    return hours


@transaction.atomic
def build_demo_hubs(seed: int = SEED) -> dict[str, int] | None:
    """Make the hubs the demo district is missing; how many of each tier, or None when
    there is no demo district."""
    district = Area.objects.filter(code=DISTRICT_CODE).defer("boundary").first()
    if district is None:
        return None
    rng = random.Random(seed)
    top = Area.objects.filter(path__startswith=district.path, depth__lte=district.depth + 2)
    areas = list(top.defer("boundary").order_by("path"))
    areas = [a for a in areas if a.level in (c.DISTRICT, c.STREET, c.COMMUNITY)]
    by_path = {a.path: a for a in areas}
    have_areas = set(
        ServiceHub.objects.filter(compound__isnull=True, area__in=areas).values_list(
            "area_id", flat=True
        )
    )
    # Each community's party and public service centre (the first post of that type).
    centre = {}
    for path, lng, lat in (
        ServicePost.objects.filter(
            area_path__startswith=district.path, type=ServicePost.Type.PARTY_SERVICE
        )
        .order_by("area_path", "pk")
        .values_list("area_path", "lng", "lat")
    ):
        centre.setdefault(path[: 3 * Area.steplen], (lng, lat))

    def point(area: Area) -> tuple[float, float]:
        for path, at in sorted(centre.items()):
            if path.startswith(area.path):
                return at
        return area.centroid_lng, area.centroid_lat

    def address(area: Area) -> str:
        street = by_path.get(area.path[: 2 * Area.steplen])
        community = by_path.get(area.path[: 3 * Area.steplen])
        names = "".join(a.name for a in (street, community) if a is not None) or area.name
        return f"{names}{rng.choice(ROADS)}{rng.randint(1, 399)}号"

    hubs = []
    for area in areas:
        if area.pk in have_areas:
            continue
        lng, lat = point(area)
        hubs.append(
            ServiceHub(
                tier=area.level,
                rank=ServiceHub.RANKS[area.level],
                name=f"{area.name}{SUFFIX[area.level]}",
                area=area,
                area_path=area.path,
                address=address(area),
                lng=lng,
                lat=lat,
                opening_hours=_hours(area.level),
                services=SERVICES[area.level],
                phone=f"028-839{rng.randint(10000, 99999)}",
            )
        )

    # Compounds of the size, without a hub: households counted in one statement.
    sized = (
        Building.objects.filter(area_path__startswith=district.path)
        .values("compound_id")
        .annotate(n=Count("households"), first=Min("id"))
        .filter(n__gte=COMPOUND_MIN_HOUSEHOLDS)
        .order_by("compound_id")
    )
    sized = {row["compound_id"]: row["first"] for row in sized}
    taken = set(
        ServiceHub.objects.filter(compound_id__in=sized).values_list("compound_id", flat=True)
    )
    wanted = [pk for pk in sized if pk not in taken]
    compounds = Compound.objects.select_related("community").defer("community__boundary")
    compounds = compounds.in_bulk(wanted)
    firsts = Building.objects.only("lng", "lat").in_bulk([sized[pk] for pk in wanted])
    for pk in wanted:
        compound, first = compounds[pk], firsts[sized[pk]]
        hubs.append(
            ServiceHub(
                tier="compound",
                rank=ServiceHub.RANKS["compound"],
                name=f"{compound.name}{SUFFIX['compound']}",
                area=compound.community,
                area_path=compound.community.path,
                compound=compound,
                address=compound.address or address(compound.community),
                lng=first.lng,
                lat=first.lat,
                opening_hours=_hours("compound"),
                services=SERVICES["compound"],
            )
        )
    ServiceHub.objects.bulk_create(hubs, batch_size=500)
    _rosters(hubs, rng)  # bulk_create gave each its id (SQLite and PostgreSQL)
    counts: dict[str, int] = defaultdict(int)
    for hub in hubs:
        counts[hub.tier] += 1
    return dict(counts)


def _rosters(hubs: list[ServiceHub], rng: random.Random) -> None:
    """Three people of each hub's area on its roster (one query for all candidates)."""
    if not hubs:
        return
    wanted = {cat for cat, _duty in DUTY_CATEGORY.values()}
    pool: dict[tuple[str, str], list[int]] = defaultdict(list)
    district_paths = sorted({h.area_path[: Area.steplen] for h in hubs})
    rows = Person.objects.filter(active=True, category__in=wanted)
    rows = (
        rows.filter(area__path__startswith=district_paths[0]) if len(district_paths) == 1 else rows
    )
    for pk, category, path in rows.order_by("pk").values_list("pk", "category", "area__path"):
        for cut in range(Area.steplen, min(len(path), 3 * Area.steplen) + 1, Area.steplen):
            pool[(category, path[:cut])].append(pk)
    duties = []
    for hub in hubs:
        category, duty = DUTY_CATEGORY[hub.tier]
        # A compound hub: micro-grid workers of its community.
        found = pool.get((category, hub.area_path), [])
        picked = rng.sample(found, min(3, len(found)))
        for i, person in enumerate(picked):
            duties.append(HubDuty(hub=hub, person_id=person, days=ROTAS[i % len(ROTAS)], duty=duty))
    HubDuty.objects.bulk_create(duties, batch_size=1000)

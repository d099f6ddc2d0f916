"""The demo district's household base, at full scale: compounds in every community,
buildings located in their micro-grids, ~175,000 households and ~500,000 residents with
tags at plausible rates (sensitive ones too).

Places (compounds, buildings) are written in bulk here, as the community staff would
register them; households and residents go through the household import's own path
(``households.transfer.import_cells``: the same row checks, bulk writes, encryption,
audit entries and tag counts as an uploaded workbook), from rows in the workbook's
columns that ``resident_rows`` makes and ``bench/households_import.py`` also writes to
an .xlsx. ``scale`` shrinks it (tests, a quick demo): 1.0 is the district.

Deterministic (a fixed seed over areas in path order) and idempotent: nothing is written
when the demo district is missing or compounds exist already.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import shape

from shezhi.areas import constants as c
from shezhi.areas.locating import locate_many
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.lists import subtree_q
from shezhi.households import tags as T
from shezhi.households.models import Building, Compound, Household, Resident, natural_key
from shezhi.households.transfer import import_cells
from shezhi.households.transfer.format import KIND_ZH, RELATION_ZH, RESIDENCE_ZH, TAG_ZH

from .bulk import indexes_deferred
from .people import GIVEN, SURNAMES
from .places import COMPOUND_NAMES, DEMO_DISTRICT_CODE, ROADS, _point_in

COMMUNITY_CODE = "510113001001"
SEED = 1515
TODAY = dt.date(2026, 11, 1)
PROPERTY_COMPANIES = ("青江物业", "锦华物业服务有限公司", "凤凰物业", "蜀都物业")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Full scale: about 2,100 households per community (83 communities: ~175,000).
HOUSEHOLDS_PER_COMMUNITY = 2100
COMPOUNDS_PER_COMMUNITY = 6
# What ``shezhi demo`` builds unless told (``--households SCALE``): a fifth of the
# district; with the whole of it (1) the demo costs about 190 s of CPU (``bench/demo.py``:
# households ~55 s, visits ~50 s, operations ~25 s, events ~40 s), beyond its 120 s budget.
DEFAULT_HOUSEHOLD_SCALE = 0.2
# Where ID numbers were issued: mostly the district, the rest of Chengdu and beyond.
REGIONS = ("510113",) * 6 + ("510104", "510106", "510107", "510114", "511623", "500101")
KEYS = [
    "community",
    "compound",
    "building",
    "unit",
    "room",
    "kind",
    "name",
    "id_number",
    "phone",
    "relation",
    "residence",
    "arrived_on",
    "tags",
    "sensitive_tags",
]

Progress = Callable[[int, int], None]


def _id_number(born: dt.date, female: bool, rng: random.Random, taken: set[str]) -> str:
    region = rng.choice(REGIONS)
    while True:
        seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
        body = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{seq:03d}"
        number = body + pd.id_check_character(body)
        if number not in taken:
            taken.add(number)
            return number


def _born(rng: random.Random, low: int, high: int) -> dt.date:
    return dt.date(low, 1, 1) + dt.timedelta(days=rng.randrange(0, (high - low) * 365))


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _members(rng: random.Random) -> list[dict]:
    """One household's people: relation, birth date and sex (sizes 1–6, mean about 2.9)."""
    size = rng.choices((1, 2, 3, 4, 5, 6), weights=(14, 26, 28, 18, 9, 5))[0]
    elderly = rng.random() < 0.3
    head_born = _born(rng, 1936, 1960) if elderly else _born(rng, 1961, 1998)
    head_female = rng.random() < 0.4
    people = [{"relation": "head", "born": head_born, "female": head_female}]
    if size >= 2:
        spouse_born = head_born + dt.timedelta(days=rng.randrange(-1500, 1500))
        people.append({"relation": "spouse", "born": spouse_born, "female": not head_female})
    while len(people) < size:
        if elderly:
            kind, born = "grandchild", _born(rng, 2008, 2024)
        elif len(people) == 4 and head_born.year < 1985:
            kind, born = "parent", _born(rng, 1932, max(1933, head_born.year - 18))
        else:
            first = max(head_born.year + 20, 1985)
            kind, born = "child", _born(rng, first, max(first + 1, 2025))
        people.append({"relation": kind, "born": born, "female": rng.random() < 0.5})
    return people


def _tags(person: dict, household: list[dict], rng: random.Random) -> tuple[list, list]:
    age = TODAY.year - person["born"].year
    plain, sensitive = [], []
    adults = [p for p in household if TODAY.year - p["born"].year >= 18]
    if age >= 60 and len(household) == 1:
        plain.append(T.Tag.LIVES_ALONE)
    elif age >= 60 and all(TODAY.year - p["born"].year >= 60 for p in household):
        plain.append(T.Tag.EMPTY_NEST)
    if age >= 80:
        plain.append(T.Tag.VERY_OLD)
    if age < 16 and not [p for p in adults if TODAY.year - p["born"].year < 60]:
        plain.append(T.Tag.LEFT_BEHIND_CHILD)
    if age >= 18 and rng.random() < 0.08:
        plain.append(T.Tag.PARTY_MEMBER)
    if age >= 25 and not person["female"] and rng.random() < 0.04:
        plain.append(T.Tag.VETERAN)
    if age >= 60 and rng.random() < 0.25:
        sensitive.append(T.Tag.CHRONIC_ILLNESS)
    if rng.random() < 0.04:
        sensitive.append(T.Tag.DISABILITY)
    if age >= 18 and rng.random() < 0.02:
        sensitive.append(T.Tag.SUBSISTENCE)
    if person["female"] and 22 <= age <= 38 and rng.random() < 0.05:
        sensitive.append(T.Tag.PREGNANT)
    if age >= 18 and rng.random() < 0.003:
        sensitive.append(T.Tag.KEY_PERSON)
    if age >= 18 and rng.random() < 0.002:
        sensitive.append(T.Tag.COMMUNITY_CORRECTION)
    if (T.Tag.LIVES_ALONE in plain and age >= 75) or T.Tag.DISABILITY in sensitive:
        plain.append(T.Tag.NEEDS_EMERGENCY_HELP)
    return plain, sensitive


def _building_shape(rng: random.Random) -> tuple[int, int, int]:
    """(floors, units, rooms per floor): old six-storey walk-ups to 18-storey towers."""
    return rng.choice(((6, 2, 2), (6, 3, 2), (7, 2, 3), (11, 2, 4), (18, 1, 4), (5, 1, 2)))


def build_places(*, seed: int = SEED, scale: float = 1.0):
    """Compounds in every community of the demo district and their buildings, located
    in their micro-grids; the buildings with their shapes, for ``resident_rows``."""
    district = Area.objects.filter(code=DEMO_DISTRICT_CODE).defer("boundary").first()
    if district is None:
        return None
    rng = random.Random(seed)
    communities = list(
        Area.objects.filter(subtree_q("path", district.path), level=c.COMMUNITY)
        .order_by("path")
        .defer("boundary")
    )
    micro = list(
        Area.objects.filter(
            subtree_q("path", district.path), level=c.MICRO_GRID, kind=c.KIND_GENERAL
        )
        .order_by("path")
        .only("id", "path", "boundary")
    )
    by_community: dict[str, list[Area]] = {}
    depth = len(communities[0].path) if communities else 0
    for m in micro:
        by_community.setdefault(m.path[:depth], []).append(m)
    names = list(COMPOUND_NAMES)
    compounds, planned = [], []
    for community in communities:
        grids = by_community.get(community.path)
        if not grids:
            continue
        households = max(12, round(HOUSEHOLDS_PER_COMMUNITY * scale))
        n_compounds = max(1, min(COMPOUNDS_PER_COMMUNITY, households // 120))
        rng.shuffle(names)
        for i in range(n_compounds):
            phone = f"139{rng.randrange(0, 10**8):08d}"
            compound = Compound(
                name=f"{names[i % len(names)]}{'小区' if i < len(names) else f'{i}期'}",
                community=community,
                area_path=community.path,
                address=f"{community.name}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                property_company=rng.choice(PROPERTY_COMPANIES),
                property_phone=f"028-8{rng.randrange(0, 10**7):07d}",
                property_manager_name=_name(rng),
                property_manager_phone=phone,
                property_manager_phone_index=pd.blind_index(pd.PHONE, phone),
                property_manager_phone_last4=phone[-4:],
            )
            compounds.append(compound)
            share = households // n_compounds
            grid = grids[i % len(grids)]
            number = 0
            while share > 0:
                floors, units, rooms = _building_shape(rng)
                number += 1
                planned.append(
                    (
                        compound,
                        community,
                        grids[(i + number) % len(grids)] if number % 3 == 0 else grid,
                        str(number),
                        floors,
                        units,
                        rooms,
                    )
                )
                share -= floors * units * rooms
    Compound.objects.bulk_create(compounds, batch_size=500)
    shapes = {}
    points = []
    for _compound, _community, grid, *_rest in planned:
        if grid.pk not in shapes:
            shapes[grid.pk] = shape(grid.boundary)
        points.append(_point_in(shapes[grid.pk], rng))
    located, rows = locate_many([p[0] for p in points], [p[1] for p in points])
    areas = {
        a.pk: a
        for a in Area.objects.filter(pk__in={rows[i].id for i in located.tolist() if i >= 0}).only(
            "id", "path", "level"
        )
    }
    buildings, shapes_of = [], {}
    for (compound, community, _grid, number, floors, units, rooms), (lng, lat), i in zip(
        planned, points, located.tolist(), strict=True
    ):
        area = areas.get(rows[i].id) if i >= 0 else None
        if area is None or area.level != c.MICRO_GRID or not area.path.startswith(community.path):
            continue
        building = Building(
            compound=compound,
            number=number,
            sort_key=natural_key(number),
            lng=lng,
            lat=lat,
            micro_grid=area,
            area_path=area.path,
            floors=floors,
            units=units,
        )
        buildings.append(building)
        shapes_of[id(building)] = (community.code, rooms)
    Building.objects.bulk_create(buildings, batch_size=500)
    return [(b, *shapes_of[id(b)]) for b in buildings], len(compounds)


def resident_rows(buildings, *, seed: int = SEED) -> Iterator[dict]:
    """One row a resident, in the household workbook's columns (its Chinese labels)."""
    rng = random.Random(seed + 1)
    taken: set[str] = set()
    kinds = list(KIND_ZH)
    for building, community_code, rooms in buildings:
        compound = building.compound.name
        for unit in range(1, building.units + 1):
            for floor in range(1, building.floors + 1):
                for room in range(1, rooms + 1):
                    kind = rng.choices(kinds, weights=(68, 20, 7, 3, 2))[0]
                    place = {
                        "community": community_code,
                        "compound": compound,
                        "building": building.number,
                        "unit": str(unit) if building.units > 1 else "",
                        "room": f"{floor}{room:02d}",
                        "kind": KIND_ZH[kind],
                    }
                    if kind in ("vacant", "shop"):
                        continue
                    people = _members(rng)
                    floating = kind == "rented"
                    surname = rng.choice(SURNAMES)
                    for person in people:
                        plain, sensitive = _tags(person, people, rng)
                        adult = TODAY.year - person["born"].year >= 16
                        own = person["relation"] in ("head", "child", "grandchild")
                        yield {
                            **place,
                            "name": _name(rng, surname if own else None),
                            "id_number": _id_number(person["born"], person["female"], rng, taken),
                            "phone": f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}"
                            if adult
                            else "",
                            "relation": RELATION_ZH[person["relation"]],
                            "residence": RESIDENCE_ZH[
                                "floating"
                                if floating
                                else rng.choice(("registered",) * 4 + ("permanent",))
                            ],
                            "arrived_on": max(
                                TODAY - dt.timedelta(days=rng.randrange(30, 2000)),
                                person["born"],
                            ).isoformat()
                            if floating
                            else "",
                            "tags": "、".join(TAG_ZH[t] for t in plain),
                            "sensitive_tags": "、".join(TAG_ZH[t] for t in sensitive),
                        }


def build_demo_households(
    seed: int = SEED, *, scale: float = 1.0, progress: Progress | None = None
) -> dict[str, int] | None:
    """Create the demo's compounds, buildings, households and residents; the numbers made,
    or None when nothing was to do."""
    if Compound.objects.exists():
        return None
    with transaction.atomic():
        placed = build_places(seed=seed, scale=scale)
        if placed is None:
            return None
        buildings, compounds = placed
        expected = sum(b.floors * b.units * rooms for b, _c, rooms in buildings)
        # The tables' indexes built once after the rows (``bulk``): they start empty
        # (the audit log nearly: the import adds an entry for each row).
        with indexes_deferred(Household, Resident, *_audit_log()):
            outcome = import_cells(
                actor=None,
                rows=resident_rows(buildings, seed=seed),
                keys=KEYS,
                total=int(expected * 2.7),
                progress=progress,
            )
        if not outcome.written:
            raise RuntimeError(f"The demo's households did not import: {outcome.errors[:5]}")
        _link_demo_resident()
    return {
        "compounds": compounds,
        "buildings": len(buildings),
        "households": outcome.counts["households_created"],
        "residents": outcome.counts["residents_created"],
    }


def _audit_log() -> list:
    if not django_apps.is_installed("auditlog"):
        return []
    from auditlog.models import LogEntry

    return [LogEntry]


def _link_demo_resident() -> None:
    """The demo resident's sign-in is one of the residents of its micro-grid."""
    from shezhi.demo.users import DEMO_USERS

    demo = next(u for u in DEMO_USERS if u.username == "resident")
    user = get_user_model().objects.filter(username=demo.username).first()
    if user is None or Resident.objects.filter(user=user).exists():
        return
    resident = (
        Resident.objects.filter(
            household__micro_grid__code=demo.area_code, relation="head", user__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if resident is not None:
        resident.user = user
        resident.save(update_fields=["user"])

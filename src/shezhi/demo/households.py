"""A first, small household base in the demo district: the compounds of its first community.

One compound per general grid of community 510113001001 (where the demo's micro-grid
worker, grid worker and community staff work), one building in each of the grid's
general micro-grids, a dozen households per building and one to four residents in each,
with tags at plausible rates (sensitive ones too). Deterministic (a fixed seed over areas
in path order) and idempotent: nothing is written when the demo district is missing or
the community already has compounds. The full-scale demo (the whole district's half a
million residents) is a later increment; this keeps ``shezhi demo`` fast.

Buildings are drawn inside their micro-grid and located like any building (a dedicated
micro-grid there wins); residents are written in bulk through the models, so their phones,
ID numbers and birth dates are encrypted as the services would store them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import shape

from shezhi.areas import constants as c
from shezhi.areas.locating import locate_many
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.households import services
from shezhi.households import tags as T
from shezhi.households.models import Building, Compound, Household, Resident, natural_key

from .people import GIVEN, SURNAMES
from .places import COMPOUND_NAMES, ROADS, _point_in

COMMUNITY_CODE = "510113001001"
SEED = 1515
FLOORS = 6
UNITS = 2
ROOMS_PER_FLOOR = 2
# Floors 1–3 of each unit are registered: 12 households a building.
REGISTERED_FLOORS = 3
TODAY = dt.date(2026, 11, 1)
PROPERTY_COMPANIES = ("青江物业", "锦华物业服务有限公司", "凤凰物业", "蜀都物业")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(born: dt.date, female: bool, rng: random.Random, taken: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
        body = f"510113{born:%Y%m%d}{seq:03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
        number = body + check
        if number not in taken:
            taken.add(number)
            return number


def _born(rng: random.Random, low: int, high: int) -> dt.date:
    return dt.date(low, 1, 1) + dt.timedelta(days=rng.randrange(0, (high - low) * 365))


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _members(rng: random.Random) -> list[dict]:
    """One household's people: (relation, birth date, sex) and their situation."""
    size = rng.choices((1, 2, 3, 4), weights=(18, 32, 30, 20))[0]
    elderly = rng.random() < 0.35
    head_born = _born(rng, 1936, 1960) if elderly else _born(rng, 1961, 1996)
    head_female = rng.random() < 0.4
    people = [{"relation": "head", "born": head_born, "female": head_female}]
    if size >= 2:
        spouse_born = head_born + dt.timedelta(days=rng.randrange(-1500, 1500))
        people.append({"relation": "spouse", "born": spouse_born, "female": not head_female})
    for _ in range(size - len(people)):
        if elderly:
            people.append(
                {
                    "relation": "grandchild",
                    "born": _born(rng, 2010, 2022),
                    "female": rng.random() < 0.5,
                }
            )
        else:
            first = max(head_born.year + 20, 1990)
            people.append(
                {
                    "relation": "child",
                    "born": _born(rng, first, max(first + 1, 2023)),
                    "female": rng.random() < 0.5,
                }
            )
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


@transaction.atomic
def build_demo_households(seed: int = SEED) -> dict[str, int] | None:
    """Create the demo's compounds, buildings, households and residents; the numbers made,
    or None when nothing was to do."""
    community = Area.objects.filter(code=COMMUNITY_CODE).defer("boundary").first()
    if community is None or Compound.objects.filter(community=community).exists():
        return None
    rng = random.Random(seed)
    grids = list(
        Area.objects.filter(path__startswith=community.path, level=c.GENERAL_GRID)
        .order_by("path")
        .defer("boundary")
    )
    micro_grids = list(
        Area.objects.filter(
            path__startswith=community.path, level=c.MICRO_GRID, kind=c.KIND_GENERAL
        ).order_by("path")
    )
    if not grids or not micro_grids:
        return None
    names = iter(COMPOUND_NAMES)
    compounds = []
    for i in range(len(grids)):
        manager_phone = f"139{rng.randrange(0, 10**8):08d}"
        compounds.append(
            Compound(
                name=f"{next(names)}小区",
                community=community,
                area_path=community.path,
                address=f"{community.name}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                property_company=PROPERTY_COMPANIES[i % len(PROPERTY_COMPANIES)],
                property_phone=f"028-8{rng.randrange(0, 10**7):07d}",
                property_manager_name=_name(rng),
                property_manager_phone=manager_phone,
                property_manager_phone_index=pd.blind_index(pd.PHONE, manager_phone),
                property_manager_phone_last4=manager_phone[-4:],
            )
        )
    Compound.objects.bulk_create(compounds)
    compound_of = {g.path: compounds[i] for i, g in enumerate(grids)}

    # One building per general micro-grid, drawn inside it and located.
    points = [_point_in(shape(m.boundary), rng) for m in micro_grids]
    located, rows = locate_many([p[0] for p in points], [p[1] for p in points])
    by_id = {m.pk: m for m in micro_grids}
    extra = {
        a.pk: a
        for a in Area.objects.filter(
            pk__in={rows[i].id for i in located.tolist() if i >= 0} - set(by_id)
        ).defer("boundary")
    }
    buildings, numbers = [], {}
    for micro, (lng, lat), i in zip(micro_grids, points, located.tolist(), strict=True):
        area = (by_id.get(rows[i].id) or extra.get(rows[i].id)) if i >= 0 else None
        if area is None or area.level != c.MICRO_GRID:
            continue
        compound = compound_of.get(micro.path[: 4 * Area.steplen])
        if compound is None:
            continue
        number = numbers[compound.pk] = numbers.get(compound.pk, 0) + 1
        buildings.append(
            Building(
                compound=compound,
                number=str(number),
                sort_key=natural_key(str(number)),
                lng=lng,
                lat=lat,
                micro_grid=area,
                area_path=area.path,
                floors=FLOORS,
                units=UNITS,
            )
        )
    Building.objects.bulk_create(buildings)

    households = []
    for building in buildings:
        for unit in range(1, UNITS + 1):
            for floor in range(1, REGISTERED_FLOORS + 1):
                for room in range(1, ROOMS_PER_FLOOR + 1):
                    kind = rng.choices(Household.Kind.values, weights=(70, 18, 8, 2, 2))[0]
                    households.append(
                        Household(
                            building=building,
                            unit=str(unit),
                            room=f"{floor}{room:02d}",
                            sort_key=natural_key(str(unit), f"{floor}{room:02d}"),
                            kind=kind,
                            micro_grid=building.micro_grid,
                            area_path=building.area_path,
                        )
                    )
    Household.objects.bulk_create(households)

    taken: set[str] = set()
    residents = []
    for household in households:
        if household.kind in (Household.Kind.VACANT, Household.Kind.SHOP):
            continue
        people = _members(rng)
        floating = household.kind == Household.Kind.RENTED
        surname = rng.choice(SURNAMES)
        for person in people:
            plain, sensitive = _tags(person, people, rng)
            number = _id_number(person["born"], person["female"], rng, taken)
            phone = f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}"
            adult = TODAY.year - person["born"].year >= 16
            own = person["relation"] in ("child", "grandchild")
            residents.append(
                Resident(
                    household=household,
                    name=_name(rng, surname if own or person["relation"] == "head" else None),
                    sex="female" if person["female"] else "male",
                    birth_date=person["born"].isoformat(),
                    birth_year=person["born"].year,
                    id_number=number,
                    id_number_index=pd.blind_index(pd.ID_NUMBER, number),
                    id_number_last4=number[-4:],
                    phone=phone if adult else "",
                    phone_index=pd.blind_index(pd.PHONE, phone) if adult else "",
                    phone_last4=phone[-4:] if adult else "",
                    relation=person["relation"],
                    residence="floating"
                    if floating
                    else rng.choice(("registered",) * 4 + ("permanent",)),
                    arrived_on=TODAY - dt.timedelta(days=rng.randrange(30, 2000))
                    if floating
                    else None,
                    tags=T.encode(plain),
                    sensitive_tags=T.encode(sensitive),
                )
            )
    Resident.objects.bulk_create(residents, batch_size=500)
    _link_demo_resident()
    services.recount({b.micro_grid_id for b in buildings})
    return {
        "compounds": len(compounds),
        "buildings": len(buildings),
        "households": len(households),
        "residents": len(residents),
    }


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

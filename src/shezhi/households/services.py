"""Every write to the household base: compounds, buildings, households, residents, moves,
tags, reveals.

Keyword-only functions, one transaction each, audited (django-auditlog, registered in
``apps.py``, personal data left out) with the acting user. Everything that can be
refused is checked before anything is written, and refused with a ``BadInput`` naming
the field (400), a ``Forbidden`` (403) for an object the actor sees but may not change,
or a 404 for one outside their scope (``permissions``).

A write that changes who lives in a micro-grid, or their tags, recounts that
micro-grid's ``TagCount`` rows in the same transaction (``recount``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from auditlog.context import set_actor
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import Point

from shezhi.areas import constants as c
from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.scope import holds_role_over
from shezhi.people.models import Person
from shezhi.people.selectors import visible_people

from . import permissions
from . import tags as tagset
from .geometry import clean_polygon
from .identity import id_facts
from .models import Building, Compound, Household, Resident, ResidentMove, TagCount

User = get_user_model()

_UNSET = object()
PHONE_RE = re.compile(r"^[0-9+][0-9 ()\-]{2,19}$")
MAX_TAGS = len(tagset.Tag.values)


# ---------------------------------------------------------------------------
# Permission


def _require(actor, action: str, obj, message: str) -> None:
    """Go on when ``actor`` may ``action`` ``obj``; a 404 when they do not even see it,
    else a refusal (403) saying who may."""
    if permissions.can(actor, action, obj):
        return
    if not permissions.can(actor, "view", obj):
        raise Http404("Not found.")
    raise Forbidden(message)


def _require_change(actor, household: Household) -> None:
    _require(
        actor,
        "change",
        household,
        _("Only those who work this household's area register its residents."),
    )


def _require_places(actor, obj) -> None:
    _require(
        actor,
        "manage_places",
        obj,
        _(
            "Only community staff, street staff and district admins register compounds"
            " and buildings."
        ),
    )


# ---------------------------------------------------------------------------
# Checking input (nothing here writes)


def _text(value, field: str, limit: int, *, required: bool = False, label: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(_("Give a text."), field=field)
    value = value.strip()
    if required and not value:
        raise BadInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise BadInput(
            _("At most %(n)d characters, not %(count)d.") % {"n": limit, "count": len(value)},
            field=field,
        )
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise BadInput(
            _("Unknown value %(value)s; use one of %(choices)s.")
            % {"value": str(value)[:40], "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise BadInput(_("Give a whole number."), field=field) from None
    if not low <= value <= high:
        raise BadInput(
            _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field
        )
    return value


def _day(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(_("Give a date as YYYY-MM-DD."), field=field) from None
    if value.year < 1900:
        raise BadInput(_("The date is before 1900."), field=field)
    if value > timezone.localdate():
        raise BadInput(_("The date is in the future."), field=field)
    return value


def _service_phone(value, field: str) -> str:
    """A compound's service line: public, so not a mobile number (a person's own)."""
    value = _text(value, field, 20)
    if not value:
        return ""
    if not PHONE_RE.match(value):
        raise BadInput(_("%(phone)s is not a phone number.") % {"phone": value}, field=field)
    if re.fullmatch(r"1[3-9]\d{9}", pd.normalise(pd.PHONE, value)):
        raise BadInput(
            _(
                "A mobile number is usually a person's own: enter it as the property manager's"
                " phone, which is stored encrypted."
            ),
            field=field,
        )
    return value


def _personal_phone(value, field: str) -> dict:
    """The encrypted phone, its blind index and last four, under ``field``'s names."""
    value = _text(value, field, 30)
    if value:
        try:
            pd.validate_phone(value)
        except ValidationError as exc:
            raise BadInput(" ".join(exc.messages), field=field) from None
    return {
        field: pd.normalise(pd.PHONE, value) if value else "",
        f"{field}_index": pd.blind_index(pd.PHONE, value) if value else "",
        f"{field}_last4": pd.last4(pd.PHONE, value) if value else "",
    }


def _tags(value, field: str, allowed: Iterable[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise BadInput(_("Give the tags as a list of codes."), field=field)
    allowed = set(allowed)
    out = []
    for item in value:
        if not isinstance(item, str) or item not in tagset.LABELS:
            raise BadInput(
                _("Unknown tag %(tag)s.") % {"tag": str(item)[:40]},
                field=field,
            )
        if item not in allowed:
            if item in tagset.SENSITIVE:
                message = _("%(tag)s is a sensitive tag: give it under sensitive_tags.")
            else:
                message = _("%(tag)s is not a sensitive tag: give it under tags.")
            raise BadInput(message % {"tag": item}, field=field)
        if item not in out:
            out.append(item)
    return out


# ---------------------------------------------------------------------------
# Tag counts


def recount(micro_grid_ids: Iterable[int]) -> None:
    """Recount the ``TagCount`` rows of these micro-grids from their residents.

    Called inside the writing transaction; the micro-grids' rows are locked first
    (PostgreSQL), so two writers in one micro-grid recount one after the other and the
    second sees the first's residents.
    """
    ids = sorted({i for i in micro_grid_ids if i})
    if not ids:
        return
    paths = dict(Area.objects.select_for_update().filter(pk__in=ids).values_list("pk", "path"))
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = Resident.objects.filter(household__micro_grid_id__in=ids).values_list(
        "household__micro_grid_id", "tags", "sensitive_tags"
    )
    for micro_grid_id, plain, sensitive in rows.iterator(chunk_size=2000):
        counts[micro_grid_id].update(tagset.decode(plain) + tagset.decode(sensitive))
    TagCount.objects.filter(micro_grid_id__in=ids).delete()
    TagCount.objects.bulk_create(
        TagCount(micro_grid_id=mg, area_path=paths[mg], tag=tag, count=n)
        for mg in ids
        if mg in paths
        for tag, n in sorted(counts[mg].items())
        if n
    )


# ---------------------------------------------------------------------------
# Compounds


def _community(area) -> Area:
    if not isinstance(area, Area) or area.level != c.COMMUNITY:
        raise BadInput(_("A compound belongs to a community (村/社区)."), field="community")
    return area


def _check_outline(geom, community: Area) -> None:
    """An outline whose inside point lies in the compound's community."""
    point = geom.representative_point()
    try:
        _point, chain = locate(point.x, point.y)
    except (OutsideAllDistricts, InvalidCoordinates) as exc:
        raise BadInput(str(exc), field="boundary") from None
    if not any(a.id == community.pk for a in chain):
        raise BadInput(
            _("The outline lies outside %(community)s.") % {"community": community.name},
            field="boundary",
        )


def _unique_compound(name: str, community: Area, exclude_pk=None) -> None:
    qs = Compound.objects.filter(community=community, name=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise BadInput(
            _("%(community)s already has a compound named %(name)s.")
            % {"community": community.name, "name": name},
            field="name",
        )


def _compound_values(given: dict, community: Area) -> dict:
    out = {}
    if "name" in given:
        out["name"] = _text(given["name"], "name", 100, required=True)
    if "address" in given:
        out["address"] = _text(given["address"], "address", 200)
    if "boundary" in given:
        if given["boundary"] in (None, {}):
            out["boundary"] = None
        else:
            out["boundary"], geom = clean_polygon(given["boundary"], "boundary")
            _check_outline(geom, community)
    if "property_company" in given:
        out["property_company"] = _text(given["property_company"], "property_company", 100)
    if "property_phone" in given:
        out["property_phone"] = _service_phone(given["property_phone"], "property_phone")
    if "property_manager_name" in given:
        out["property_manager_name"] = _text(
            given["property_manager_name"], "property_manager_name", 50
        )
    if "property_manager_phone" in given:
        out.update(_personal_phone(given["property_manager_phone"], "property_manager_phone"))
    return out


def create_compound(
    *,
    actor,
    community: Area,
    name: str,
    address: str = "",
    boundary=None,
    property_company: str = "",
    property_phone: str = "",
    property_manager_name: str = "",
    property_manager_phone: str = "",
) -> Compound:
    """Register a compound (小区/院落) in a community; staff of the community only."""
    community = _community(community)
    _require_places(actor, community)
    values = _compound_values(
        {
            "name": name,
            "address": address,
            "boundary": boundary,
            "property_company": property_company,
            "property_phone": property_phone,
            "property_manager_name": property_manager_name,
            "property_manager_phone": property_manager_phone,
        },
        community,
    )
    _unique_compound(values["name"], community)
    compound = Compound(community=community, area_path=community.path, **values)
    try:
        with transaction.atomic(), set_actor(actor):
            compound.save()
    except IntegrityError:
        raise BadInput(
            _("%(community)s already has a compound named %(name)s.")
            % {"community": community.name, "name": values["name"]},
            field="name",
        ) from None
    return compound


def update_compound(*, actor, compound: Compound, **changes) -> Compound:
    """Change what is given (name, address, boundary, property fields)."""
    _require_places(actor, compound)
    unknown = set(changes) - {
        "name",
        "address",
        "boundary",
        "property_company",
        "property_phone",
        "property_manager_name",
        "property_manager_phone",
    }
    if unknown:
        raise BadInput(_("Unknown field."), field=sorted(unknown)[0])
    values = _compound_values(changes, compound.community)
    if "name" in values:
        _unique_compound(values["name"], compound.community, exclude_pk=compound.pk)
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Compound.objects.select_for_update().get(pk=compound.pk)
            for key, value in values.items():
                setattr(locked, key, value)
            if values:
                locked.save()
    except IntegrityError:
        raise BadInput(_("That name is taken in this community."), field="name") from None
    return locked


# ---------------------------------------------------------------------------
# Buildings


def _locate_building(actor, compound: Compound, lng, lat, crs: str, footprint) -> dict:
    """The building's point, footprint and micro-grid, checked: a micro-grid of the
    compound's community where the actor registers buildings."""
    out = {}
    shape = None
    if footprint is not _UNSET:
        if footprint in (None, {}):
            out["footprint"] = None
        else:
            out["footprint"], shape = clean_polygon(footprint, "footprint")
    if lng in (None, "") and lat in (None, "") and shape is not None:
        inside = shape.representative_point()
        lng, lat, crs = inside.x, inside.y, "wgs84"
    if lng in (None, "") or lat in (None, ""):
        raise BadInput(_("Give the building's location: a point on the map."), field="location")
    try:
        (wlng, wlat), chain = locate(float(lng), float(lat), crs or "wgs84")
    except (OutsideAllDistricts, InvalidCoordinates) as exc:
        raise BadInput(str(exc), field="location") from None
    except (TypeError, ValueError, OverflowError):
        raise BadInput(_("The coordinates are not numbers."), field="location") from None
    if shape is not None and shape.distance(Point(wlng, wlat)) > 1e-6:
        raise BadInput(_("The point lies outside the footprint."), field="footprint")
    deepest = chain[0]
    community = next((a for a in chain if a.level == c.COMMUNITY), None)
    if community is None or community.id != compound.community_id:
        where = community.name if community is not None else deepest.name
        raise BadInput(
            _("The point lies in %(area)s, outside the compound's community %(community)s.")
            % {"area": where, "community": compound.community.name},
            field="location",
        )
    if deepest.level != c.MICRO_GRID:
        raise BadInput(
            _("The point lies in %(area)s but in none of its micro-grids.")
            % {"area": deepest.name},
            field="location",
        )
    micro_grid = area_rows([deepest.id])[deepest.id]
    out.update(lng=wlng, lat=wlat, micro_grid=micro_grid, area_path=micro_grid.path)
    return out


def _unique_building(compound: Compound, number: str, exclude_pk=None) -> None:
    qs = Building.objects.filter(compound=compound, number=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise BadInput(
            _("%(compound)s already has a building %(number)s.")
            % {"compound": compound.name, "number": number},
            field="number",
        )


def create_building(
    *,
    actor,
    compound: Compound,
    number: str,
    lng=None,
    lat=None,
    crs: str = "wgs84",
    footprint=None,
    floors=1,
    units=1,
) -> Building:
    """Register a building, located to its micro-grid by the area locator (a point on a
    border belongs to the area with the lower code; a dedicated micro-grid wins over the
    general one it stands in). It must lie in the compound's community."""
    _require_places(actor, compound)
    number = _text(number, "number", 20, required=True)
    floors = _whole(floors, "floors", 1, 200)
    units = _whole(units, "units", 1, 50)
    placed = _locate_building(actor, compound, lng, lat, crs, footprint)
    _unique_building(compound, number)
    building = Building(compound=compound, number=number, floors=floors, units=units, **placed)
    try:
        with transaction.atomic(), set_actor(actor):
            building.save()
    except IntegrityError:
        raise BadInput(_("That building number is taken."), field="number") from None
    return building


def update_building(
    *,
    actor,
    building: Building,
    number=_UNSET,
    lng=_UNSET,
    lat=_UNSET,
    crs: str = "wgs84",
    footprint=_UNSET,
    floors=_UNSET,
    units=_UNSET,
) -> Building:
    """Change what is given; a moved point is located again, and the building's
    households (and the tag counts) follow it to its new micro-grid."""
    _require_places(actor, building)
    changes: dict = {}
    if number is not _UNSET:
        changes["number"] = _text(number, "number", 20, required=True)
        _unique_building(building.compound, changes["number"], exclude_pk=building.pk)
    if floors is not _UNSET:
        changes["floors"] = _whole(floors, "floors", 1, 200)
    if units is not _UNSET:
        changes["units"] = _whole(units, "units", 1, 50)
    if lng is not _UNSET or lat is not _UNSET or footprint is not _UNSET:
        moved = footprint is not _UNSET and lng is _UNSET and lat is _UNSET
        changes.update(
            _locate_building(
                actor,
                building.compound,
                None if moved else (building.lng if lng is _UNSET else lng),
                None if moved else (building.lat if lat is _UNSET else lat),
                crs,
                footprint,
            )
        )
        if not permissions.can(actor, "manage_places", changes["micro_grid"]):
            raise BadInput(
                _("The point lies outside the areas where you register buildings."),
                field="location",
            )
    old_micro_grid = building.micro_grid_id
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Building.objects.select_for_update().get(pk=building.pk)
            for key, value in changes.items():
                setattr(locked, key, value)
            if changes:
                locked.save()
            if locked.micro_grid_id != old_micro_grid:
                Household.objects.filter(building=locked).update(
                    micro_grid=locked.micro_grid, area_path=locked.area_path
                )
                recount([old_micro_grid, locked.micro_grid_id])
    except IntegrityError:
        raise BadInput(_("That building number is taken."), field="number") from None
    return locked


# ---------------------------------------------------------------------------
# Households


def _place(building: Building, unit, room) -> tuple[str, str]:
    unit = _text(unit, "unit", 10)
    room = _text(room, "room", 20, required=True)
    if unit.isdigit() and not 1 <= int(unit) <= building.units:
        raise BadInput(
            _("Building %(number)s has units 1 to %(units)d.")
            % {"number": building.number, "units": building.units},
            field="unit",
        )
    # Rooms numbered floor + two digits (1502: 15th floor) must be on a floor it has.
    if room.isdigit() and len(room) >= 3 and int(room[:-2]) > building.floors:
        raise BadInput(
            _("Building %(number)s has %(floors)d floors; room %(room)s would be above them.")
            % {"number": building.number, "floors": building.floors, "room": room},
            field="room",
        )
    return unit, room


def _unique_room(building: Building, unit: str, room: str, exclude_pk=None) -> None:
    qs = Household.objects.filter(building=building, unit=unit, room=room)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise BadInput(_("This room is already registered."), field="room")


def create_household(
    *, actor, building: Building, room: str, unit: str = "", kind: str = "other"
) -> Household:
    """Register a household (户) in a building; it lies in the building's micro-grid."""
    _require(
        actor,
        "change",
        building,
        _("Only those who work this building's area register its households."),
    )
    unit, room = _place(building, unit, room)
    kind = _choice(kind, Household.Kind, "kind")
    _unique_room(building, unit, room)
    household = Household(
        building=building,
        unit=unit,
        room=room,
        kind=kind,
        micro_grid=building.micro_grid,
        area_path=building.area_path,
    )
    try:
        with transaction.atomic(), set_actor(actor):
            household.save()
    except IntegrityError:
        raise BadInput(_("This room is already registered."), field="room") from None
    return household


def update_household(
    *, actor, household: Household, unit=_UNSET, room=_UNSET, kind=_UNSET
) -> Household:
    _require_change(actor, household)
    changes = {}
    if unit is not _UNSET or room is not _UNSET:
        changes["unit"], changes["room"] = _place(
            household.building,
            household.unit if unit is _UNSET else unit,
            household.room if room is _UNSET else room,
        )
        _unique_room(household.building, changes["unit"], changes["room"], household.pk)
    if kind is not _UNSET:
        changes["kind"] = _choice(kind, Household.Kind, "kind")
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Household.objects.select_for_update().get(pk=household.pk)
            for key, value in changes.items():
                setattr(locked, key, value)
            if changes:
                locked.save()
    except IntegrityError:
        raise BadInput(_("This room is already registered."), field="room") from None
    return locked


# ---------------------------------------------------------------------------
# Residents

RESIDENT_FIELDS = (
    "name",
    "id_number",
    "phone",
    "sex",
    "birth_date",
    "relation",
    "residence",
    "arrived_on",
    "tags",
    "sensitive_tags",
    "person",
    "user",
)


def _check_head(household: Household, relation: str, exclude_pk=None) -> None:
    if relation != Resident.Relation.HEAD:
        return
    head = household.residents.filter(relation=Resident.Relation.HEAD)
    if exclude_pk is not None:
        head = head.exclude(pk=exclude_pk)
    head = head.only("name").first()
    if head is not None:
        raise BadInput(
            _("This household already has a head: %(name)s.") % {"name": head.name},
            field="relation",
        )


def _person(actor, value, current_pk=None) -> Person | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Person) else value
    try:
        person = visible_people(actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        person = None
    if person is None:
        raise BadInput(_("No such person in your workforce records."), field="person")
    taken = Resident.objects.filter(person=person).exclude(pk=current_pk).exists()
    if taken:
        raise BadInput(_("This person is already linked to another resident."), field="person")
    return person


def _sign_in(value, household: Household, current_pk=None):
    """A resident sign-in: a user holding the resident role where the household is."""
    if value in (None, ""):
        return None
    user = value
    if not isinstance(value, User):
        user = User.objects.filter(username=str(value).strip()[:150], is_active=True).first()
    if (
        user is None
        or user.is_superuser
        or not holds_role_over(user, household.micro_grid, ("resident",))
    ):
        raise BadInput(
            _("There is no resident sign-in of that name in this household's micro-grid."),
            field="user",
        )
    if Resident.objects.filter(user=user).exclude(pk=current_pk).exists():
        raise BadInput(_("This sign-in is already linked to another resident."), field="user")
    return user


def _id_facts_of(resident: Resident | None):
    if resident is None or not resident.id_number_index:
        return None
    try:
        return id_facts(resident.id_number)
    except ValidationError:
        return None


def _resident_values(actor, household: Household, current: Resident | None, given: dict) -> dict:
    """The columns to write for ``given`` (the fields a caller gave), checked together with
    what ``current`` holds: the birth date and sex agree with the ID number."""
    unknown = set(given) - set(RESIDENT_FIELDS)
    if unknown:
        raise BadInput(_("Unknown field."), field=sorted(unknown)[0])
    out: dict = {}
    if "name" in given:
        out["name"] = _text(given["name"], "name", 50, required=True)

    facts = _id_facts_of(current)
    if "id_number" in given:
        raw = _text(given["id_number"], "id_number", 30)
        if raw:
            try:
                facts = id_facts(raw)
            except ValidationError as exc:
                raise BadInput(" ".join(exc.messages), field="id_number") from None
            index = pd.blind_index(pd.ID_NUMBER, facts.number)
            others = Resident.objects.filter(id_number_index=index)
            if current is not None:
                others = others.exclude(pk=current.pk)
            if others.exists():
                raise BadInput(
                    _("A resident with this ID number is already registered."), field="id_number"
                )
            out.update(
                id_number=facts.number, id_number_index=index, id_number_last4=facts.number[-4:]
            )
        else:
            facts = None
            out.update(id_number="", id_number_index="", id_number_last4="")

    birth = _day(given["birth_date"], "birth_date") if "birth_date" in given else _UNSET
    sex = given.get("sex", _UNSET)
    if sex not in (_UNSET, "", None):
        sex = _choice(sex, Resident.Sex, "sex")
    if facts is not None:
        if birth not in (_UNSET, None) and birth != facts.birth_date:
            raise BadInput(
                _("The birth date %(given)s disagrees with the ID number's %(id)s.")
                % {"given": birth.isoformat(), "id": facts.birth_date.isoformat()},
                field="birth_date",
            )
        if sex not in (_UNSET, "", None) and sex != facts.sex:
            raise BadInput(
                _("The sex disagrees with the ID number's (its 17th digit)."), field="sex"
            )
        if "id_number" in given or birth is not _UNSET or sex is not _UNSET:
            out.update(
                birth_date=facts.birth_date.isoformat(),
                birth_year=facts.birth_date.year,
                sex=facts.sex,
            )
    else:
        if birth is not _UNSET:
            out.update(
                birth_date=birth.isoformat() if birth else "",
                birth_year=birth.year if birth else None,
            )
        if sex is not _UNSET:
            out["sex"] = sex or ""

    if "phone" in given:
        out.update(_personal_phone(given["phone"], "phone"))
    if "relation" in given:
        out["relation"] = _choice(given["relation"], Resident.Relation, "relation")
        _check_head(household, out["relation"], current.pk if current else None)
    if "residence" in given:
        out["residence"] = _choice(given["residence"], Resident.Residence, "residence")
    if "arrived_on" in given:
        arrived = _day(given["arrived_on"], "arrived_on")
        born = facts.birth_date if facts is not None else (birth if birth is not _UNSET else None)
        if arrived and born and arrived < born:
            raise BadInput(_("The arrival date is before the birth date."), field="arrived_on")
        out["arrived_on"] = arrived
    if "tags" in given:
        out["tags"] = tagset.encode(_tags(given["tags"], "tags", tagset.PLAIN))
    if given.get("sensitive_tags") is not None:
        _require(
            actor,
            "sensitive",
            household,
            _(
                "Only the staff of the area and the household's micro-grid worker read and"
                " set sensitive tags."
            ),
        )
        chosen = tagset.encode(
            _tags(given["sensitive_tags"], "sensitive_tags", tagset.SENSITIVE_TAGS)
        )
        if current is None or chosen != current.sensitive_tags:
            out["sensitive_tags"] = chosen
            out["sensitive_changed_at"] = timezone.now()
    if "person" in given:
        out["person"] = _person(actor, given["person"], current.pk if current else None)
    if "user" in given:
        out["user"] = _sign_in(given["user"], household, current.pk if current else None)
    return out


def _integrity(exc: IntegrityError) -> BadInput:
    text = str(exc)
    if "id_number" in text:
        return BadInput(
            _("A resident with this ID number is already registered."), field="id_number"
        )
    if "person" in text:
        return BadInput(_("This person is already linked to another resident."), field="person")
    if "user" in text:
        return BadInput(_("This sign-in is already linked to another resident."), field="user")
    return BadInput(_("This household already has a head."), field="relation")


def create_resident(*, actor, household: Household, name: str, **fields) -> Resident:
    """Register a resident of ``household``.

    A valid ID number (GB 11643 check character) gives the birth date and sex; a birth
    date or sex that disagrees with it is refused, as is an ID number already registered
    (found by its blind index) or a second head of the household.
    """
    _require_change(actor, household)
    values = _resident_values(actor, household, None, {"name": name, **fields})
    resident = Resident(household=household, **values)
    try:
        with transaction.atomic(), set_actor(actor):
            resident.save()
            recount([household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return resident


def update_resident(*, actor, resident: Resident, **changes) -> Resident:
    """Change what is given; the household changes only by ``move_resident``."""
    household = resident.household
    _require_change(actor, household)
    current = Resident.objects.get(pk=resident.pk)
    values = _resident_values(actor, household, current, changes)
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            for key, value in values.items():
                setattr(locked, key, value)
            if values:
                locked.save()
            if {"tags", "sensitive_tags"} & set(values):
                recount([household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return locked


def set_tags(*, actor, resident: Resident, tags=None, sensitive_tags=None) -> Resident:
    """Set a resident's plain tags and, for their readers, the sensitive ones; ``None``
    leaves a set as it is."""
    changes = {}
    if tags is not None:
        changes["tags"] = tags
    if sensitive_tags is not None:
        changes["sensitive_tags"] = sensitive_tags
    return update_resident(actor=actor, resident=resident, **changes)


def move_resident(
    *,
    actor,
    resident: Resident,
    to_household: Household,
    moved_on=None,
    reason: str = "",
    relation: str = Resident.Relation.OTHER,
) -> ResidentMove:
    """Move a resident to another household; the move is kept as history."""
    source = resident.household
    _require_change(actor, source)
    if not permissions.can(actor, "change", to_household):
        if permissions.can(actor, "view", to_household):
            raise Forbidden(
                _("Only those who work the new household's area register its residents.")
            )
        raise Http404("Not found.")
    if to_household.pk == source.pk:
        raise BadInput(_("The resident already lives in this household."), field="to_household")
    moved_on = _day(moved_on, "moved_on") or timezone.localdate()
    reason = _text(reason, "reason", 200)
    relation = _choice(relation, Resident.Relation, "relation")
    _check_head(to_household, relation)
    try:
        with transaction.atomic(), set_actor(actor):
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            if locked.household_id != source.pk:
                raise BadInput(
                    _("Somebody moved this resident meanwhile; open the page again."),
                    field="to_household",
                )
            locked.household = to_household
            locked.relation = relation
            locked.save()
            move = ResidentMove.objects.create(
                resident=locked,
                from_household=source,
                to_household=to_household,
                from_path=source.area_path,
                to_path=to_household.area_path,
                from_label=str(source)[:200],
                to_label=str(to_household)[:200],
                moved_on=moved_on,
                reason=reason,
                moved_by=actor if getattr(actor, "pk", None) else None,
            )
            recount([source.micro_grid_id, to_household.micro_grid_id])
    except IntegrityError as exc:
        raise _integrity(exc) from None
    return move


# ---------------------------------------------------------------------------
# Reveals

# Each value a reveal may show → the action that opens it.
REVEALS = {"phone": "reveal_phone", "id_number": "reveal_id_number", "sensitive_tags": "sensitive"}


def reveal(*, actor, resident: Resident, field: str, reason: str) -> str:
    """One stored value in clear, after recording who saw it, when and why
    (``core.models.PersonalDataView``); sensitive tags come back as ",code,code,"."""
    if field not in REVEALS:
        raise BadInput(
            _("Only a phone, an ID number or the sensitive tags can be revealed."), field="field"
        )
    _require(
        actor,
        REVEALS[field],
        resident,
        _("Your role does not open this value; ask the community staff."),
    )
    try:
        return pd.reveal(actor=actor, obj=resident, field=field, reason=reason)
    except ValidationError as exc:
        raise BadInput(" ".join(exc.messages), field="reason") from None


def reveal_sensitive_tags(*, actor, resident: Resident, reason: str) -> list[str]:
    return tagset.decode(
        reveal(actor=actor, resident=resident, field="sensitive_tags", reason=reason)
    )

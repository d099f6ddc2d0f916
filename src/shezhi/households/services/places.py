"""Writes of places: compounds (小区/院落) and buildings (楼栋), located in the area tree."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from shapely.geometry import Point

from shezhi.areas import constants as c
from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.areas.models import Area
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput

from .. import permissions
from ..geometry import clean_polygon
from ..models import Building, Compound, Household
from .checks import (
    _UNSET,
    _personal_phone,
    _require_places,
    _service_phone,
    _text,
    _whole,
    recount,
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

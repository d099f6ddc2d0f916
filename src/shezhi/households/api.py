"""The household base under /api/v1/households: compounds, buildings, households,
residents, moves, tags, reveals and counts.

Every list and object is limited to the caller's scope (``permissions``): an id or an
area code outside it answers 404. Department staff and alliance viewers read counts
only (``/households/counts``). Residents come masked (name, phone, ID number); one
value shows in clear only through ``/reveal``, which records who, when and why. A
refusal answers ``{"detail", "code", "field"}`` naming the field, nothing written.
Lists are keyset-paged: pass ``next_cursor`` back as ``after`` (``prev_cursor`` as
``before``); ``count`` stops at 1,000 (``count_capped``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from shezhi.areas.geo.crs import CRS_CHOICES
from shezhi.areas.models import Area
from shezhi.core.apitypes import AreaRef, ErrorOut, Id, Limit, NotFoundOut
from shezhi.core.errors import BadInput

from . import selectors, services
from . import tags as tagset
from .masking import masked_name, masked_value
from .models import Building, Compound, Household, Resident
from .transfer_api import router as transfer_router

router = Router()
# The import's state (its own module: this one holds the places and residents).
router.add_router("", transfer_router)

KINDS = Literal[tuple(Household.Kind.values)]  # type: ignore[valid-type]
RELATIONS = Literal[tuple(Resident.Relation.values)]  # type: ignore[valid-type]
RESIDENCES = Literal[tuple(Resident.Residence.values)]  # type: ignore[valid-type]
SEXES = Literal[("", *Resident.Sex.values)]  # type: ignore[valid-type]
PLAIN_TAGS = Literal[tagset.PLAIN]  # type: ignore[valid-type]
SENSITIVE_TAGS = Literal[tagset.SENSITIVE_TAGS]  # type: ignore[valid-type]
ANY_TAG = Literal[tuple(tagset.Tag.values)]  # type: ignore[valid-type]
CRS = Literal[tuple(CRS_CHOICES)]  # type: ignore[valid-type]
REVEALABLE = Literal[tuple(services.REVEALS)]  # type: ignore[valid-type]
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}
Cursor = str | None
CURSOR = Field(None, max_length=400, description="a cursor this list gave out")
Polygon = dict[str, Any]


# ---------------------------------------------------------------------------
# Shapes


def _area(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


class CompoundOut(Schema):
    id: int
    name: str
    community: AreaRef
    address: str
    boundary: Polygon | None = Field(description="GeoJSON Polygon or MultiPolygon, WGS84")
    property_company: str
    property_phone: str = Field(description="the company's service line")
    property_manager_name: str
    property_manager_phone: str = Field(description="masked: only the last four digits show")

    @staticmethod
    def resolve_community(obj: Compound) -> dict:
        return _area(obj.community)

    @staticmethod
    def resolve_boundary(obj: Compound):
        if "boundary" in obj.get_deferred_fields():
            return None
        return obj.boundary

    @staticmethod
    def resolve_property_manager_phone(obj: Compound) -> str:
        return masked_value("phone", obj.property_manager_phone_last4)


class BuildingOut(Schema):
    id: int
    compound_id: int
    compound_name: str
    number: str
    label: str
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    footprint: Polygon | None = None
    micro_grid: AreaRef
    floors: int
    units: int

    @staticmethod
    def resolve_compound_name(obj: Building) -> str:
        return obj.compound.name

    @staticmethod
    def resolve_label(obj: Building) -> str:
        return obj.label

    @staticmethod
    def resolve_footprint(obj: Building):
        return None if "footprint" in obj.get_deferred_fields() else obj.footprint

    @staticmethod
    def resolve_micro_grid(obj: Building) -> dict:
        return _area(obj.micro_grid)


class HouseholdOut(Schema):
    id: int
    building_id: int
    compound_name: str
    building: str = Field(description="the building as people name it (3栋)")
    unit: str
    room: str
    address: str = Field(description="compound, building, unit and room")
    kind: str
    micro_grid: AreaRef

    @staticmethod
    def resolve_compound_name(obj: Household) -> str:
        return obj.building.compound.name

    @staticmethod
    def resolve_building(obj: Household) -> str:
        return obj.building.label

    @staticmethod
    def resolve_address(obj: Household) -> str:
        return str(obj)

    @staticmethod
    def resolve_micro_grid(obj: Household) -> dict:
        return _area(obj.micro_grid)


class ResidentOut(Schema):
    id: int
    household_id: int
    name: str = Field(description="masked in lists: the first character, then stars")
    sex: str
    birth_year: int | None
    relation: str
    residence: str
    arrived_on: dt.date | None
    tags: list[str] = Field(description="plain tags; sensitive ones only through /reveal")
    phone: str = Field(description="masked: only the last four digits show")
    id_number: str = Field(description="masked: only the last four characters show")

    @staticmethod
    def resolve_name(obj: Resident) -> str:
        return masked_name(obj.name)

    @staticmethod
    def resolve_tags(obj: Resident) -> list[str]:
        return obj.tag_list

    @staticmethod
    def resolve_phone(obj: Resident) -> str:
        return masked_value("phone", obj.phone_last4)

    @staticmethod
    def resolve_id_number(obj: Resident) -> str:
        return masked_value("id_number", obj.id_number_last4)


class MoveOut(Schema):
    id: int
    from_household_id: int | None
    to_household_id: int | None
    from_label: str
    to_label: str
    moved_on: dt.date
    reason: str


def _shown_name(obj: Resident, context) -> str:
    request = (context or {}).get("request")
    return selectors.shown_name(getattr(request, "user", None), obj)


FULL_NAME = (
    "in full: the caller works this household's area; a child under 14 (PIPL art. 28/31)"
    " in full only for the readers of sensitive data, masked for the others"
)


class ResidentDetailOut(ResidentOut):
    name: str = Field(description=FULL_NAME)
    household: str = Field(description="the household's address")
    person_id: int | None
    user: str | None = Field(description="the linked resident sign-in's username")
    moves: list[MoveOut] = Field(description="newest first")

    @staticmethod
    def resolve_name(obj: Resident, context) -> str:
        return _shown_name(obj, context)

    @staticmethod
    def resolve_household(obj: Resident) -> str:
        return str(obj.household)

    @staticmethod
    def resolve_user(obj: Resident) -> str | None:
        return obj.user.get_username() if obj.user_id else None

    @staticmethod
    def resolve_moves(obj: Resident):
        return list(selectors.moves_of(obj))


class HouseholdResidentOut(ResidentOut):
    name: str = Field(description=FULL_NAME)

    @staticmethod
    def resolve_name(obj: Resident, context) -> str:
        return _shown_name(obj, context)


class HouseholdDetailOut(HouseholdOut):
    residents: list[HouseholdResidentOut] = Field(description="the head first")

    @staticmethod
    def resolve_residents(obj: Household):
        return selectors.household_residents(obj)


class PageMeta(Schema):
    next_cursor: str | None = Field(description="pass as `after` for the next page")
    prev_cursor: str | None = Field(description="pass as `before` for the page before")
    count: int = Field(description="rows matching, up to 1,000")
    count_capped: bool = Field(description="true: at least `count` rows match")


class CompoundPage(PageMeta):
    items: list[CompoundOut]


class BuildingPage(PageMeta):
    items: list[BuildingOut]


class HouseholdPage(PageMeta):
    items: list[HouseholdOut]


class ResidentPage(PageMeta):
    items: list[ResidentOut]


def _listed(qs, order: tuple[str, ...], filters: ListQuery) -> dict:
    """The shape every list here answers: one keyset page of ``qs`` in ``order`` (``after``
    or ``before`` a cursor, ``limit`` rows) and the count of matching rows, capped."""
    page = selectors.page_of(
        qs, order, limit=filters.limit, after=filters.after, before=filters.before
    )
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "count": page.count.value,
        "count_capped": page.count.capped,
    }


# ---------------------------------------------------------------------------
# Input


class ListQuery(Schema):
    area: str = Field("", max_length=18, description="only inside this area (a code)")
    limit: Limit = 50
    after: Cursor = CURSOR
    before: Cursor = CURSOR


class CompoundQuery(ListQuery):
    q: str = Field("", max_length=50, description="name or address contains")


class BuildingQuery(ListQuery):
    compound: Id | None = None


class HouseholdQuery(ListQuery):
    building: Id | None = None
    q: str = Field("", max_length=50, description="a room (302, 2-302) or a resident's name")
    tag: PLAIN_TAGS | None = Field(None, description="with a resident carrying this plain tag")  # type: ignore[valid-type]
    kind: KINDS | None = None  # type: ignore[valid-type]


class ResidentQuery(ListQuery):
    household: Id | None = None
    q: str = Field("", max_length=50, description="name contains")
    tag: PLAIN_TAGS | None = None  # type: ignore[valid-type]


class CompoundIn(Schema):
    community: str = Field(max_length=18, description="the community's code")
    name: str = Field(max_length=100)
    address: str = Field("", max_length=200)
    boundary: Polygon | None = Field(None, description="GeoJSON Polygon or MultiPolygon, WGS84")
    property_company: str = Field("", max_length=100)
    property_phone: str = Field(
        "", max_length=20, description="the company's service line (not a mobile number)"
    )
    property_manager_name: str = Field("", max_length=50)
    property_manager_phone: str = Field(
        "", max_length=30, description="a person's phone: stored encrypted, shown masked"
    )


class CompoundPatch(Schema):
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    boundary: Polygon | None = Field(None, description="null removes the outline")
    property_company: str | None = Field(None, max_length=100)
    property_phone: str | None = Field(None, max_length=20)
    property_manager_name: str | None = Field(None, max_length=50)
    property_manager_phone: str | None = Field(None, max_length=30)


LOCATION_HELP = (
    "The point (or, without it, a point inside `footprint`) is located to its micro-grid;"
    " a point outside the compound's community, or in none of its micro-grids, answers 400"
    " with `field`: location."
)


class BuildingIn(Schema):
    compound: Id
    number: str = Field(max_length=20, description="3, A座 …")
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    footprint: Polygon | None = Field(None, description="GeoJSON Polygon, WGS84")
    floors: int = Field(1, ge=1, le=200)
    units: int = Field(1, ge=1, le=50)


class BuildingPatch(Schema):
    number: str | None = Field(None, max_length=20)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    footprint: Polygon | None = None
    floors: int | None = Field(None, ge=1, le=200)
    units: int | None = Field(None, ge=1, le=50)


class HouseholdIn(Schema):
    building: Id
    unit: str = Field("", max_length=10, description="blank for a building without units")
    room: str = Field(max_length=20)
    kind: KINDS = "other"  # type: ignore[valid-type]


class HouseholdPatch(Schema):
    unit: str | None = Field(None, max_length=10)
    room: str | None = Field(None, max_length=20)
    kind: KINDS | None = None  # type: ignore[valid-type]


ID_HELP = (
    "18 characters (GB 11643); its check character is verified, and it gives the birth"
    " date and sex. An ID number already registered answers 400 naming this field."
)


class ResidentIn(Schema):
    household: Id
    name: str = Field(max_length=50)
    id_number: str = Field("", max_length=30, description=ID_HELP)
    phone: str = Field("", max_length=30)
    sex: SEXES = Field("", description="taken from the ID number when given")  # type: ignore[valid-type]
    birth_date: dt.date | None = Field(
        None, description="taken from the ID number when given; must agree with it"
    )
    relation: RELATIONS = Field("other", description="one head per household")  # type: ignore[valid-type]
    residence: RESIDENCES = "registered"  # type: ignore[valid-type]
    arrived_on: dt.date | None = None
    tags: list[PLAIN_TAGS] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    sensitive_tags: list[SENSITIVE_TAGS] | None = Field(  # type: ignore[valid-type]
        None,
        max_length=20,
        description="only for the staff of the area and the household's micro-grid worker",
    )
    person: Id | None = Field(None, description="a workforce record (people) living here")
    user: str = Field("", max_length=150, description="a resident sign-in's username")


class ResidentPatch(Schema):
    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=30, description=ID_HELP)
    phone: str | None = Field(None, max_length=30)
    sex: SEXES | None = None  # type: ignore[valid-type]
    birth_date: dt.date | None = None
    relation: RELATIONS | None = None  # type: ignore[valid-type]
    residence: RESIDENCES | None = None  # type: ignore[valid-type]
    arrived_on: dt.date | None = None
    tags: list[PLAIN_TAGS] | None = Field(None, max_length=20)  # type: ignore[valid-type]
    sensitive_tags: list[SENSITIVE_TAGS] | None = Field(None, max_length=20)  # type: ignore[valid-type]
    person: Id | None = None
    user: str | None = Field(None, max_length=150)


class TagsIn(Schema):
    tags: list[PLAIN_TAGS] | None = Field(None, max_length=20, description="null: leave")  # type: ignore[valid-type]
    sensitive_tags: list[SENSITIVE_TAGS] | None = Field(  # type: ignore[valid-type]
        None, max_length=20, description="null: leave; readers of sensitive tags only"
    )


class MoveIn(Schema):
    to_household: Id
    moved_on: dt.date | None = Field(None, description="default today")
    reason: str = Field("", max_length=200)
    relation: RELATIONS = Field("other", description="relation in the new household")  # type: ignore[valid-type]


class ResidentRevealIn(Schema):
    field: REVEALABLE = Field(description="phone, id_number or sensitive_tags")  # type: ignore[valid-type]
    reason: str = Field(max_length=200, description="why you need it; recorded with your name")


class TagOut(Schema):
    code: str
    label: str


class ResidentRevealOut(Schema):
    field: str
    value: str = Field(description="the value; for sensitive_tags the codes, comma-separated")
    tags: list[TagOut] | None = Field(None, description="sensitive_tags: the codes and labels")


class LookupIn(Schema):
    id_number: str = Field(max_length=30)


class CountsOut(Schema):
    area: AreaRef
    households: int
    residents: int
    by_kind: dict[str, int] = Field(description="households per kind")
    by_tag: dict[str, int] = Field(description="residents per plain tag")
    sensitive: dict[str, int] | None = Field(
        description="residents per sensitive tag: only for their readers, else null"
    )


# Fields a PATCH may set to null: the value removed.
NULLABLE = {"boundary", "footprint", "birth_date", "arrived_on", "person", "user"}


def _changes(payload: Schema) -> dict:
    changes = payload.dict(exclude_unset=True)
    for key, value in changes.items():
        if value is None and key not in NULLABLE:
            raise BadInput(_("%(field)s cannot be null.") % {"field": key}, field=key)
    return changes


def _row_area(request, code: str) -> Area | None:
    return selectors.row_area(request.user, code) if code else None


def _optional(get, request, pk):
    """The object a list is narrowed to (``get``: a scoped selector, 404 outside the
    caller's scope), None when none is given."""
    return None if pk is None else get(request.user, pk)


# ---------------------------------------------------------------------------
# Compounds


@router.get(
    "/households/compounds",
    response={200: CompoundPage, 400: ErrorOut, 404: NotFoundOut},
    summary="Compounds (小区/院落) in scope",
)
def list_compounds(request: HttpRequest, filters: Query[CompoundQuery]):
    qs = selectors.compounds(request.user, area=_row_area(request, filters.area), q=filters.q)
    return _listed(qs, selectors.COMPOUND_ORDER, filters)


@router.post(
    "/households/compounds",
    response={201: CompoundOut, **WRITE_ERRORS},
    summary="Register a compound in a community (staff)",
)
def create_compound(request: HttpRequest, payload: CompoundIn):
    data = payload.dict()
    community = selectors.row_area(request.user, data.pop("community"))
    compound = services.create_compound(actor=request.user, community=community, **data)
    return Status(201, compound)


@router.get(
    "/households/compounds/{compound_id}",
    response={200: CompoundOut, 404: NotFoundOut},
    summary="One compound",
)
def compound_detail(request: HttpRequest, compound_id: int):
    compound = selectors.get_compound(request.user, compound_id)
    compound.boundary = Compound.objects.values_list("boundary", flat=True).get(pk=compound.pk)
    return compound


@router.patch(
    "/households/compounds/{compound_id}",
    response={200: CompoundOut, **WRITE_ERRORS},
    summary="Change a compound (only the fields given)",
)
def update_compound(request: HttpRequest, compound_id: int, payload: CompoundPatch):
    compound = selectors.get_compound(request.user, compound_id)
    return services.update_compound(actor=request.user, compound=compound, **_changes(payload))


# ---------------------------------------------------------------------------
# Buildings


@router.get(
    "/households/buildings",
    response={200: BuildingPage, 400: ErrorOut, 404: NotFoundOut},
    summary="Buildings (楼栋) in scope",
)
def list_buildings(request: HttpRequest, filters: Query[BuildingQuery]):
    compound = _optional(selectors.get_compound, request, filters.compound)
    qs = selectors.buildings(request.user, area=_row_area(request, filters.area), compound=compound)
    return _listed(qs, selectors.BUILDING_ORDER, filters)


@router.post(
    "/households/buildings",
    response={201: BuildingOut, **WRITE_ERRORS},
    summary="Register a building, located to its micro-grid (staff)",
    description=LOCATION_HELP,
)
def create_building(request: HttpRequest, payload: BuildingIn):
    data = payload.dict()
    compound = selectors.get_compound(request.user, data.pop("compound"))
    building = services.create_building(actor=request.user, compound=compound, **data)
    return Status(201, building)


@router.get(
    "/households/buildings/{building_id}",
    response={200: BuildingOut, 404: NotFoundOut},
    summary="One building",
)
def building_detail(request: HttpRequest, building_id: int):
    building = selectors.get_building(request.user, building_id)
    building.footprint = Building.objects.values_list("footprint", flat=True).get(pk=building.pk)
    return building


@router.patch(
    "/households/buildings/{building_id}",
    response={200: BuildingOut, **WRITE_ERRORS},
    summary="Change a building; a moved point is located again",
    description=LOCATION_HELP + " Its households follow it to the new micro-grid.",
)
def update_building(request: HttpRequest, building_id: int, payload: BuildingPatch):
    building = selectors.get_building(request.user, building_id)
    changes = _changes(payload)
    return services.update_building(actor=request.user, building=building, **changes)


# ---------------------------------------------------------------------------
# Counts (every role over the area, read-only roles included)


class CountsQuery(Schema):
    area: str = Field(max_length=18, description="the area's code")


@router.get(
    "/households/counts",
    response={200: CountsOut, 404: NotFoundOut},
    summary="Households, residents and residents per tag in an area",
    description="What department staff and alliance viewers read (they get no rows)."
    " Sensitive tags are counted only for their readers (the area's staff, the"
    " micro-grid's worker); for everyone else `sensitive` is null.",
)
def counts(request: HttpRequest, filters: Query[CountsQuery]):
    area = selectors.count_area(request.user, filters.area)
    figures = selectors.area_counts(request.user, area)
    return {
        "area": _area(area),
        "households": figures.households,
        "residents": figures.residents,
        "by_kind": figures.by_kind,
        "by_tag": figures.by_tag,
        "sensitive": figures.sensitive,
    }


# ---------------------------------------------------------------------------
# Residents


@router.get(
    "/households/residents",
    response={200: ResidentPage, 400: ErrorOut, 404: NotFoundOut},
    summary="Residents in scope (masked)",
)
def list_residents(request: HttpRequest, filters: Query[ResidentQuery]):
    household = _optional(selectors.get_household, request, filters.household)
    qs = selectors.residents(
        request.user,
        area=_row_area(request, filters.area),
        household=household,
        q=filters.q,
        tag=filters.tag or "",
    )
    return _listed(qs, selectors.RESIDENT_ORDER, filters)


@router.post(
    "/households/residents",
    response={201: ResidentDetailOut, **WRITE_ERRORS},
    summary="Register a resident of a household",
    description="A bad ID number (length, region, date, check character), a birth date or"
    " sex disagreeing with it, an ID number already registered, or a second head of the"
    " household answers 400 naming the field; nothing is written.",
)
def create_resident(request: HttpRequest, payload: ResidentIn):
    data = payload.dict()
    household = selectors.get_household(request.user, data.pop("household"))
    resident = services.create_resident(actor=request.user, household=household, **data)
    return Status(201, selectors.get_resident(request.user, resident.pk))


@router.post(
    "/households/residents/lookup",
    response={200: ResidentDetailOut, **WRITE_ERRORS},
    summary="Find a resident by ID number (exact, through its blind index)",
    description="POST, so the number stays out of addresses and access logs. Outside the"
    " caller's scope, or unknown: 404.",
)
def lookup(request: HttpRequest, payload: LookupIn):
    return selectors.resident_by_id_number(request.user, payload.id_number)


@router.get(
    "/households/residents/{resident_id}",
    response={200: ResidentDetailOut, 404: NotFoundOut},
    summary="One resident (name in full; phone and ID number masked)",
)
def resident_detail(request: HttpRequest, resident_id: int):
    return selectors.get_resident(request.user, resident_id)


@router.patch(
    "/households/residents/{resident_id}",
    response={200: ResidentDetailOut, **WRITE_ERRORS},
    summary="Change a resident (only the fields given)",
)
def update_resident(request: HttpRequest, resident_id: int, payload: ResidentPatch):
    resident = selectors.get_resident(request.user, resident_id)
    services.update_resident(actor=request.user, resident=resident, **_changes(payload))
    return selectors.get_resident(request.user, resident_id)


@router.put(
    "/households/residents/{resident_id}/tags",
    response={200: ResidentDetailOut, **WRITE_ERRORS},
    summary="Set a resident's tags",
    description="Sensitive tags (残疾, 慢病, 孕产妇, 低保/特困, 重点人员, 社区矫正) only by"
    " the area's staff and the household's micro-grid worker (403 for anyone else).",
)
def set_tags(request: HttpRequest, resident_id: int, payload: TagsIn):
    resident = selectors.get_resident(request.user, resident_id)
    services.set_tags(
        actor=request.user,
        resident=resident,
        tags=payload.tags,
        sensitive_tags=payload.sensitive_tags,
    )
    return selectors.get_resident(request.user, resident_id)


@router.post(
    "/households/residents/{resident_id}/move",
    response={200: MoveOut, **WRITE_ERRORS},
    summary="Move a resident to another household (kept as history)",
)
def move(request: HttpRequest, resident_id: int, payload: MoveIn):
    resident = selectors.get_resident(request.user, resident_id)
    target = selectors.get_household(request.user, payload.to_household)
    return services.move_resident(
        actor=request.user,
        resident=resident,
        to_household=target,
        moved_on=payload.moved_on,
        reason=payload.reason,
        relation=payload.relation,
    )


@router.post(
    "/households/residents/{resident_id}/reveal",
    response={200: ResidentRevealOut, **WRITE_ERRORS},
    summary="Show one personal value in clear (audited)",
    description="A phone: those who work the area; an ID number: the area's staff;"
    " sensitive tags: the area's staff and the household's micro-grid worker. Each reveal"
    " is recorded with the caller, the time and the reason.",
)
def reveal(request: HttpRequest, resident_id: int, payload: ResidentRevealIn):
    resident = selectors.get_resident(request.user, resident_id)
    value = services.reveal(
        actor=request.user, resident=resident, field=payload.field, reason=payload.reason
    )
    out = {"field": payload.field, "value": value}
    if payload.field == "sensitive_tags":
        codes = tagset.decode(value)
        out["value"] = ",".join(codes)
        out["tags"] = [{"code": c, "label": str(tagset.LABELS[c])} for c in codes]
    return out


# ---------------------------------------------------------------------------
# Households (after the routes above: "compounds", "residents" … are not ids)


@router.get(
    "/households",
    response={200: HouseholdPage, 400: ErrorOut, 404: NotFoundOut},
    summary="Households (户) in scope",
)
def list_households(request: HttpRequest, filters: Query[HouseholdQuery]):
    building = _optional(selectors.get_building, request, filters.building)
    qs = selectors.households(
        request.user,
        area=_row_area(request, filters.area),
        building=building,
        q=filters.q,
        tag=filters.tag or "",
        kind=filters.kind or "",
    )
    return _listed(qs, selectors.HOUSEHOLD_ORDER, filters)


@router.post(
    "/households",
    response={201: HouseholdOut, **WRITE_ERRORS},
    summary="Register a household in a building",
)
def create_household(request: HttpRequest, payload: HouseholdIn):
    data = payload.dict()
    building = selectors.get_building(request.user, data.pop("building"))
    household = services.create_household(actor=request.user, building=building, **data)
    return Status(201, household)


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, 404: NotFoundOut},
    summary="One household and its residents (phones and ID numbers masked)",
)
def household_detail(request: HttpRequest, household_id: int):
    return selectors.get_household(request.user, household_id)


@router.patch(
    "/households/{household_id}",
    response={200: HouseholdOut, **WRITE_ERRORS},
    summary="Change a household's unit, room or kind",
)
def update_household(request: HttpRequest, household_id: int, payload: HouseholdPatch):
    household = selectors.get_household(request.user, household_id)
    return services.update_household(actor=request.user, household=household, **_changes(payload))

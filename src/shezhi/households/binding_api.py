"""Residents' own household under /api/v1/accounts: choose the place, ask to be bound,
read "my household"; and the micro-grid worker's pending requests and decisions.

Signed in (token or session). A resident reads only their own request and household
(names of the other members, nothing else about them); a worker reads and decides the
requests of the households in their scope (``permissions``: 404 outside it). Refusals
answer ``{"detail", "code", "field"}`` naming the field, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from shezhi.core.apitypes import ErrorOut, Flag, Id, NotFoundOut

from . import selectors, services
from .models import BindingRequest, Household

router = Router()

WRITE_ERRORS = {400: ErrorOut, 404: NotFoundOut, 409: ErrorOut}


class PlaceOut(Schema):
    id: int
    label: str


class PlacesQuery(Schema):
    q: str = Field("", max_length=50, description="part of a compound's name or address")
    compound: Id | None = Field(None, description="list this compound's buildings")
    building: Id | None = Field(None, description="list this building's households")


def _place_label(obj) -> str:
    if isinstance(obj, Household):
        return str(obj.place_label)
    if hasattr(obj, "number"):
        return str(obj.label)
    community = getattr(obj, "community", None)
    return f"{obj.name} · {community.name}" if community is not None else obj.name


@router.get(
    "/accounts/places",
    response={200: list[PlaceOut], 404: NotFoundOut},
    summary="Places to choose for a binding request, one level at a time",
    description=(
        "With `building`: its households; with `compound`: its buildings; else the"
        " compounds whose name or address contains `q` (at most 20). Names of places only."
    ),
)
def places(request, query: Query[PlacesQuery]):
    found = selectors.binding_places(compound=query.compound, building=query.building, q=query.q)
    return [{"id": p.pk, "label": _place_label(p)} for p in found]


class BindIn(Schema):
    household: Id
    name: str = Field(max_length=50, description="your name as registered")
    id_number: str = Field(
        max_length=25, description="the last four characters of your ID number, or all 18"
    )


class BindingOut(Schema):
    id: int
    household: int = Field(alias="household_id")
    place: str
    status: Literal[tuple(BindingRequest.Status.values)]  # type: ignore[valid-type]
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_place(obj: BindingRequest) -> str:
        return str(obj.household)


@router.post(
    "/accounts/binding",
    response={201: BindingOut, **WRITE_ERRORS},
    summary="Ask to be bound to your household",
    description=(
        "The micro-grid worker of the household confirms or refuses. The answer is the"
        " same whether or not the name and ID number match a registered resident."
    ),
)
def ask(request, payload: BindIn):
    household = selectors.household_to_bind(payload.household)
    if household is None:
        raise Http404
    made = services.request_binding(
        user=request.user, household=household, name=payload.name, id_number=payload.id_number
    )
    return Status(201, made)


@router.get(
    "/accounts/binding",
    response={200: BindingOut, 404: NotFoundOut},
    summary="Your latest binding request",
)
def latest(request):
    found = selectors.binding_of(request.user)
    if found is None:
        raise Http404
    return found


class MyHouseholdOut(Schema):
    household: int
    place: str
    address: str = Field(description="what a report's address is filled in with")
    lng: float = Field(description="the building's point, WGS84: a report's point")
    lat: float
    members: list[str] = Field(description="the members' names, nothing else about them")
    visits: list[str] | None = Field(
        description="the household's visits; null until visits are recorded on the platform"
    )


@router.get(
    "/accounts/household",
    response={200: MyHouseholdOut, 404: NotFoundOut},
    summary="The household your sign-in is bound to",
)
def my_household(request):
    mine = selectors.my_household(request.user)
    if mine is None:
        raise Http404
    building = mine.household.building
    return {
        "household": mine.household.pk,
        "place": str(mine.household),
        "address": selectors.report_prefill(request.user)["address"],
        "lng": building.lng,
        "lat": building.lat,
        "members": mine.member_names,
        "visits": None if mine.visits is None else [str(v) for v in mine.visits],
    }


class ResidentChoice(Schema):
    id: int
    name: str
    bound: bool


class PendingOut(BindingOut):
    name: str = Field(description="the name the resident gave")
    id_last4: str
    matched_resident: int | None = Field(alias="resident_id")
    residents: list[ResidentChoice]

    @staticmethod
    def resolve_residents(obj: BindingRequest) -> list[dict]:
        return [
            {"id": r.pk, "name": r.name, "bound": r.user_id is not None}
            for r in getattr(obj, "choices", [])
        ]


@router.get(
    "/accounts/binding/requests",
    response=list[PendingOut],
    summary="Pending binding requests you may decide (oldest first, at most 100)",
)
def pending(request):
    rows = list(selectors.pending_bindings(request.user)[:100])
    members = selectors.residents_of_households([b.household_id for b in rows])
    for b in rows:
        b.choices = members.get(b.household_id, [])
    return rows


class DecideIn(Schema):
    confirm: Flag = Field(description="true: confirm; false: refuse (a reason is needed)")
    reason: str = Field("", max_length=200)
    resident: Id | None = Field(
        None, description="the household's resident this is (default: the matched one)"
    )


@router.post(
    "/accounts/binding/requests/{binding_id}/decide",
    response={200: BindingOut, **WRITE_ERRORS},
    summary="Confirm or refuse a binding request",
)
def decide(request, binding_id: Id, payload: DecideIn):
    binding = selectors.get_pending_binding(request.user, binding_id)
    return services.decide_binding(
        actor=request.user,
        binding=binding,
        confirm=payload.confirm,
        reason=payload.reason,
        resident=payload.resident,
    )

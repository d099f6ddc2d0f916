"""Emergency operations under /api/v1/operations/…

- ``GET /operations``: the operations meeting the caller's areas; ``POST`` starts one
  (street staff, district admins; the area must be in emergency mode).
- ``GET /operations/{id}``: one operation; ``…/dashboard``: its figures over the
  caller's part (counts only, what the page polls); ``…/stand-down`` ends it.
- ``GET …/lines``: the households the caller checks, vulnerable first (keyset pages);
  ``POST …/lines/{line_id}/check``: an outcome, once per request key, 409 naming who
  recorded it first; ``POST …/lines/{line_id}/hand-outs``: supplies signed for.
- ``POST …/roll-call``: the caller on duty or unavailable, with a location.

An operation or line outside the caller's areas is a 404; refusals are the project's
one shape ``{"detail", "code", "field"}`` (bad_input 400, forbidden 403, conflict and
not_allowed 409).
"""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas.selectors import get_area
from shezhi.core.api import created
from shezhi.core.apitypes import ErrorOut, Flag, Id, KeysetPaging, NotFoundOut

from . import selectors, services
from .models import Kind, Need, Outcome, RollCall

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut}

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
OUTCOMES = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
NEEDS = Literal[tuple(Need.values)]  # type: ignore[valid-type]
STATUSES = Literal[tuple(RollCall.Status.values)]  # type: ignore[valid-type]
Key = Field(..., min_length=1, max_length=64, description="the client's key: a retry records once")


class OperationOut(Schema):
    id: int
    title: str
    kind: str
    state: str
    area_code: str = Field(alias="area.code")
    area_name: str = Field(alias="area.name")
    instructions: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    households: int
    vulnerable: int


class OperationIn(Schema):
    area: str = Field(..., max_length=32, description="the area's code (in emergency mode)")
    kind: KINDS  # type: ignore[valid-type]
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX)
    instructions: str = Field("", max_length=services.INSTRUCTIONS_MAX)
    request_key: str = Field("", max_length=64)


class CheckLineOut(Schema):
    id: int
    household_id: int
    place: str
    micro_grid_id: int
    vulnerable: bool
    outcome: str
    needs: list[str]
    notes: str
    checked_at: dt.datetime | None
    version: int
    need_event_id: int | None

    @staticmethod
    def resolve_place(line) -> str:
        h = line.household
        return f"{h.building.compound.name} {h.building.label} {h.place_label}"

    @staticmethod
    def resolve_vulnerable(line) -> bool:
        return line.rank == 0

    @staticmethod
    def resolve_needs(line) -> list[str]:
        return line.need_list


class CheckOutcomeIn(Schema):
    outcome: OUTCOMES  # type: ignore[valid-type]
    needs: list[NEEDS] = Field(default_factory=list, max_length=5)  # type: ignore[valid-type]
    notes: str = Field("", max_length=services.NOTES_MAX)
    request_key: str = Key
    version: int | None = Field(None, ge=0, le=2**31 - 1, description="re-check: the version seen")


class HandOutIn(Schema):
    item: str = Field(..., min_length=1, max_length=50)
    quantity: int = Field(..., ge=1, le=10_000)
    signed_by: str = Field(..., min_length=1, max_length=50)
    request_key: str = Key


class HandOutOut(Schema):
    id: int
    line_id: int
    item: str
    quantity: int
    handed_at: dt.datetime


class RollCallIn(Schema):
    status: STATUSES  # type: ignore[valid-type]
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    note: str = Field("", max_length=200)
    request_key: str = Field("", max_length=64)


class RollCallOut(Schema):
    id: int
    status: str
    lng: float | None
    lat: float | None
    reported_at: dt.datetime


class DashboardOut(Schema):
    operation: int
    state: str
    ended_at: str | None
    total: dict
    children: list[dict]
    levels: dict
    workers: dict
    needs: dict


@router.get("/operations", response=list[OperationOut], summary="Operations in my areas")
def list_operations(request: HttpRequest):
    return list(selectors.visible_operations(request.user)[:100])


@router.post("/operations", response={201: OperationOut, **ERRORS}, summary="Start an operation")
def start(request: HttpRequest, payload: OperationIn):
    area = get_area(request.user, payload.area)
    op = services.start_operation(
        actor=request.user,
        area=area,
        kind=payload.kind,
        title=payload.title,
        instructions=payload.instructions,
        request_key=payload.request_key,
    )
    return Status(201, op)


@router.get(
    "/operations/{operation_id}", response={200: OperationOut, 404: NotFoundOut}, summary="One"
)
def detail(request: HttpRequest, operation_id: Id):
    return selectors.get_operation(request.user, operation_id)


@router.get(
    "/operations/{operation_id}/dashboard",
    response={200: DashboardOut, 404: NotFoundOut},
    summary="The figures of my part of the operation (counts only)",
)
def dashboard(request: HttpRequest, operation_id: Id):
    op = selectors.get_operation(request.user, operation_id)
    return selectors.dashboard(request.user, op).as_dict()


@router.post(
    "/operations/{operation_id}/stand-down",
    response={200: OperationOut, **ERRORS},
    summary="Stand the operation down",
)
def stand_down(request: HttpRequest, operation_id: Id):
    op = selectors.get_operation(request.user, operation_id)
    return services.stand_down(actor=request.user, operation=op)


@router.get(
    "/operations/{operation_id}/lines",
    response={200: list[CheckLineOut], 404: NotFoundOut},
    summary="The households I check, vulnerable first",
)
@paginate(KeysetPaging)
def lines(request: HttpRequest, operation_id: Id, todo: Flag = False):
    op = selectors.get_operation(request.user, operation_id, "check")
    return selectors.lines(request.user, op, todo=todo).order_by(*selectors.LINE_ORDER)


@router.post(
    "/operations/{operation_id}/lines/{line_id}/check",
    response={200: CheckLineOut, 201: CheckLineOut, **ERRORS},
    summary="Record a household's check (201; 200 for a retried request)",
)
def check(request: HttpRequest, operation_id: Id, line_id: Id, payload: CheckOutcomeIn):
    op = selectors.get_operation(request.user, operation_id, "check")
    line = selectors.get_line(request.user, op, line_id)
    done = services.record_check(
        actor=request.user,
        line=line,
        outcome=payload.outcome,
        needs=payload.needs,
        notes=payload.notes,
        request_key=payload.request_key,
        version=payload.version,
    )
    return Status(201 if done.created else 200, selectors.lines(request.user, op).get(pk=line.pk))


@router.post(
    "/operations/{operation_id}/lines/{line_id}/hand-outs",
    response={201: HandOutOut, **ERRORS},
    summary="Supplies handed to the household, signed for",
)
def hand_out(request: HttpRequest, operation_id: Id, line_id: Id, payload: HandOutIn):
    def line_of(user, ids):
        op = selectors.get_operation(user, ids[0], "check")
        return selectors.get_line(user, op, ids[1])

    return created(
        request, line_of, (operation_id, line_id), services.hand_out, into="line", payload=payload
    )


@router.post(
    "/operations/{operation_id}/roll-call",
    response={200: RollCallOut, **ERRORS},
    summary="Report in: on duty (with my location) or unavailable",
)
def roll_call(request: HttpRequest, operation_id: Id, payload: RollCallIn):
    op = selectors.get_operation(request.user, operation_id, "roll_call")
    return services.report_roll_call(
        actor=request.user,
        operation=op,
        status=payload.status,
        lng=payload.lng,
        lat=payload.lat,
        note=payload.note,
        request_key=payload.request_key,
    )

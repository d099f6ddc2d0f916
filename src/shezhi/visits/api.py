"""Household visits under /api/v1/visits: list (keyset-paged), record, one visit.

Scoped like the pages (``permissions``): a visit, a household or an area outside the
caller's scope answers 404; department staff and alliance viewers read the coverage
figures (``/api/v1/stats/visit-coverage``), not visits. A refusal answers ``{"detail",
"code", "field"}`` naming the field, nothing written. A retried POST with the same
``idempotency_key`` answers the first visit (200, not 201) and pays nothing again.
Photos are sent with the phone page's form (multipart); the API records the rest.
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas.models import Area
from shezhi.core.apitypes import AreaRef, Day, ErrorOut, Flag, Id, KeysetPaging, Moment, NotFoundOut
from shezhi.households import selectors as household_selectors
from shezhi.households.models import Household

from . import checklist, intervals, permissions, selectors, services
from .models import Visit

router = Router()

OUTCOMES = Literal[tuple(Visit.Outcome.values)]  # type: ignore[valid-type]
ITEMS = Literal[checklist.CODES]  # type: ignore[valid-type]
TAGS = Literal[intervals.ALLOWED_TAGS]  # type: ignore[valid-type]
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}


class ItemOut(Schema):
    code: str
    group: str
    label: str


class ProposalIn(Schema):
    resident: Id
    tag: TAGS  # type: ignore[valid-type]
    add: bool = True


class ProposalOut(Schema):
    resident: int
    tag: str
    add: bool


class VisitIn(Schema):
    household: Id
    outcome: OUTCOMES = "met"  # type: ignore[valid-type]
    met: list[Id] = Field(default_factory=list, max_length=50, description="resident ids")
    other_person: str = Field("", max_length=100, description="someone else met (encrypted)")
    items: list[ITEMS] = Field(default_factory=list, max_length=len(checklist.CODES))  # type: ignore[valid-type]
    notes: str = Field("", max_length=2000, description="stored encrypted")
    tag_proposals: list[ProposalIn] = Field(default_factory=list, max_length=50)
    at: Moment | None = Field(None, description="when it happened; default now; up to 7 days ago")
    idempotency_key: str = Field("", max_length=64)


class VisitOut(Schema):
    id: int
    household: int
    address: str = Field(description="compound, building, unit and room")
    worker: str
    at: dt.datetime
    outcome: str
    items: list[ItemOut]
    micro_grid: AreaRef
    lng: float = Field(description="the building's point, WGS84")
    lat: float

    @staticmethod
    def resolve_household(v: Visit) -> int:
        return v.household_id

    @staticmethod
    def resolve_address(v: Visit) -> str:
        h = v.household
        return f"{h.building.compound.name} {h.building.label} {h.place_label}"

    @staticmethod
    def resolve_worker(v: Visit) -> str:
        return v.worker.get_full_name() or v.worker.username

    @staticmethod
    def resolve_items(v: Visit) -> list[dict]:
        return [
            {
                "code": c,
                "group": checklist.BY_CODE[c].group,
                "label": str(checklist.BY_CODE[c].label),
            }
            for c in v.items
        ]

    @staticmethod
    def resolve_micro_grid(v: Visit) -> dict:
        return {"code": v.area.code, "name": v.area.name, "level": v.area.level}


class VisitDetailOut(VisitOut):
    met: list[int] = Field(description="ids of the residents met")
    other_person: str
    notes: str
    tag_proposals: list[ProposalOut]
    photos: int = Field(description="how many photos (shown on the visit's page)")

    @staticmethod
    def resolve_met(v: Visit) -> list[int]:
        return sorted(v.met.values_list("pk", flat=True))

    @staticmethod
    def resolve_tag_proposals(v: Visit) -> list[dict]:
        return [
            {"resident": p.resident_id, "tag": p.tag, "add": p.add} for p in v.tag_proposals.all()
        ]

    @staticmethod
    def resolve_photos(v: Visit) -> int:
        return v.photos.count()


class VisitQuery(Schema):
    area: str = Field("", max_length=30, description="an area's code, in your scope")
    household: Id | None = None
    mine: Flag = Field(False, description="only my own visits")
    since: Day | None = Field(None, description="first local day")
    until: Day | None = Field(None, description="last local day, inclusive")


def _area(user, code: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None or not permissions.can(user, "view", area):
        raise Http404("No such area.")
    return area


@router.get(
    "/visits",
    response={200: list[VisitOut], 400: ErrorOut, 404: NotFoundOut},
    summary="Household visits in scope, newest first",
)
@paginate(KeysetPaging)
def list_visits(request: HttpRequest, filters: Query[VisitQuery]):
    user = request.user
    household = None
    if filters.household is not None:
        household = household_selectors.get_household(user, filters.household)
    qs = selectors.visits(
        user,
        area=_area(user, filters.area),
        worker=user if filters.mine else None,
        household=household,
        since=filters.since,
        until=filters.until,
    )
    return qs


@router.post(
    "/visits",
    response={201: VisitDetailOut, 200: VisitDetailOut, **WRITE_ERRORS},
    summary="Record a household visit (pays the household_visit piece rate once)",
    description="Only residents of the household can be met; 'nobody_home' meets nobody;"
    " tag proposals name plain tags only (sensitive ones are set on the resident's page);"
    " 'at' at most 7 days ago and not in the future. A refusal is a 400 naming the field.",
)
def create_visit(request: HttpRequest, payload: VisitIn):
    user = request.user
    household: Household = household_selectors.get_household(user, payload.household)
    if not permissions.can(user, "record", household):
        raise Http404("No such household.")
    done = services.record_visit(
        actor=user,
        household=household,
        outcome=payload.outcome,
        met=payload.met,
        other_person=payload.other_person,
        items=payload.items,
        notes=payload.notes,
        tag_proposals=[p.dict() for p in payload.tag_proposals],
        at=payload.at,
        idempotency_key=payload.idempotency_key,
    )
    visit = selectors.get_visit(user, done.visit.pk)
    return Status(201 if done.created else 200, visit)


@router.get(
    "/visits/{visit_id}",
    response={200: VisitDetailOut, 404: NotFoundOut},
    summary="One visit (notes and the other person met in clear, for its readers)",
)
def visit_detail(request: HttpRequest, visit_id: Id):
    return selectors.get_visit(request.user, visit_id)

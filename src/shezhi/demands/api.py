"""Demands under /api/v1/demands and /api/v1/demand-groups.

- ``GET /demands``: keyset-paged, newest first. A worker or staff: the demands of their
  subtree (``?mine=true``: their own); anyone else: their own, with what became of each.
- ``POST /demands``: a resident's own demand (``source=resident``, the default), or one
  collected by a worker or staff of the area (``source=staff|campaign``: paid
  ``demand_collected`` once). A point locates it; without one, ``area`` (a code in the
  caller's scope) and ``address``.
- ``POST /demands/with-photos``: the same as form fields (multipart), with up to six
  ``photos``; a bad photo answers 400 (``photos``) with nothing written.
  ``GET /demands/{id}/photos/{photo_id}``: a photo, to those who may read the demand.
- ``GET /demands/{id}``: one's own, or one in scope; else 404. ``asker`` is null for an
  anonymous demand (but to its submitter). The address and notes are not served here.
- ``GET /demand-groups``: the groups in scope with their distinct residents;
  ``GET /demand-groups/{id}`` one with its demands; the staff confirm, merge, split a
  demand out, close a demand with the outcome its submitter is told.
- Department staff and alliance viewers read the counts (the hubs' figures), never a
  demand: every demand or group is a 404 for them. A refusal is a 400 naming the field.
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from shezhi.areas.models import Area
from shezhi.core.apitypes import AreaRef, ErrorOut, Flag, Id, KeysetPaging, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.core.photos import served

from . import permissions, selectors, services
from .models import Demand, Kind

router = Router()

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
SOURCES = Literal["resident", "staff", "campaign"]
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}


class DemandIn(Schema):
    kind: KINDS  # type: ignore[valid-type]
    text: str = Field(max_length=services.TEXT_MAX)
    anonymous: bool = False
    source: SOURCES = "resident"  # type: ignore[valid-type]
    lng: float | None = Field(None, description="WGS84; with lat, locates the demand")
    lat: float | None = None
    area: str = Field("", max_length=30, description="an area's code, when no point is given")
    address: str = Field("", max_length=services.ADDRESS_MAX, description="stored encrypted")


class PhotoOut(Schema):
    id: int
    url: str = Field(description="the photo (JPEG), to those who may read the demand")
    width: int
    height: int


def photo_url(demand_id: int, photo_id: int) -> str:
    return f"/api/v1/demands/{demand_id}/photos/{photo_id}"


class DemandOut(Schema):
    id: int
    kind: str
    text: str
    source: str
    anonymous: bool
    asker: str | None = Field(description="who asked; null when anonymous (but to them)")
    status: str
    outcome: str
    group: int | None
    area: AreaRef
    created_at: dt.datetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(d: Demand) -> list[dict]:
        return [
            {"id": p.pk, "url": photo_url(d.pk, p.pk), "width": p.width, "height": p.height}
            for p in d.photos.all()
        ]

    @staticmethod
    def resolve_group(d: Demand) -> int | None:
        return d.group_id

    @staticmethod
    def resolve_area(d: Demand) -> dict:
        return {"code": d.area.code, "name": d.area.name, "level": d.area.level}

    @staticmethod
    def resolve_asker(d: Demand, context) -> str | None:
        who = selectors.asker(d, context["request"].user)
        return who.username if who is not None else None


class GroupOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    confirmed: bool
    residents: int = Field(description="distinct households (else residents) who asked")
    area: AreaRef

    @staticmethod
    def resolve_confirmed(g) -> bool:
        return g["confirmed"] if isinstance(g, dict) else g.confirmed_at is not None

    @staticmethod
    def resolve_area(g) -> dict:
        if isinstance(g, dict):
            return g["area"]
        return {"code": g.area.code, "name": g.area.name, "level": g.area.level}


class GroupDetailOut(GroupOut):
    demands: list[DemandOut]


class DemandQuery(Schema):
    mine: Flag = Field(False, description="only my own demands")


class CloseIn(Schema):
    outcome: str = Field(max_length=services.OUTCOME_MAX, description="told to the resident")


class MergeIn(Schema):
    other: Id = Field(description="the group merged into this one (then closed)")


def _group_out(group, residents: int) -> dict:
    a = group.area
    return {
        "id": group.pk,
        "kind": group.kind,
        "title": group.title,
        "status": group.status,
        "confirmed": group.confirmed_at is not None,
        "residents": residents,
        "area": {"code": a.code, "name": a.name, "level": a.level},
    }


def _area(user, code: str, source: str) -> Area | None:
    """The area named by code: for a collected demand, one the caller works (else 404)."""
    if not code:
        return None
    area = Area.objects.filter(code=code).defer("boundary").first()
    action = "submit" if source == Demand.Source.RESIDENT else "collect"
    if area is None or not permissions.can(user, action, area):
        raise Http404("No such area.")
    return area


@router.get(
    "/demands", response={200: list[DemandOut], 400: ErrorOut}, summary="Demands: mine, or in scope"
)
@paginate(KeysetPaging)
def list_demands(request: HttpRequest, filters: Query[DemandQuery]):
    user = request.user
    if filters.mine or not permissions.can(user, "view"):
        qs = selectors.mine(user)
    else:
        qs = selectors.visible_demands(user)
    return qs.select_related("area").prefetch_related("photos").order_by("-id")


@router.post(
    "/demands",
    response={201: DemandOut, **WRITE_ERRORS},
    summary="Raise a demand (a resident's own) or collect one (workers and staff)",
)
def create_demand(request: HttpRequest, payload: DemandIn):
    return _create(request, payload, ())


@router.post(
    "/demands/with-photos",
    response={201: DemandOut, **WRITE_ERRORS},
    summary="Raise or collect a demand with photos (multipart)",
    description="The same fields as form fields, plus up to six `photos` (JPEG, PNG or WebP),"
    " each resized and stripped of EXIF. A photo too big or not an image answers 400"
    " naming `photos`, with nothing written.",
)
def create_demand_with_photos(
    request: HttpRequest, payload: Form[DemandIn], photos: File[list[UploadedFile]] = None
):
    return _create(request, payload, photos or ())


@router.get(
    "/demands/{demand_id}/photos/{photo_id}",
    response={200: None, 404: NotFoundOut},
    summary="One of a demand's photos (JPEG)",
    description="To those who may read the demand (its submitter, workers and staff of its"
    " area); else 404.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def demand_photo(request: HttpRequest, demand_id: Id, photo_id: Id):
    demand = selectors.get_demand(request.user, demand_id)
    found = demand.photos.filter(pk=photo_id).first()
    return served(found.image if found else None)


def _create(request: HttpRequest, payload: DemandIn, photos):
    user = request.user
    done = services.submit_demand(
        actor=user,
        kind=payload.kind,
        text=payload.text,
        source=payload.source,
        anonymous=payload.anonymous,
        lng=payload.lng,
        lat=payload.lat,
        area=_area(user, payload.area, payload.source),
        address=payload.address,
        photos=photos,
    )
    return Status(201, done.demand)


@router.get("/demands/{demand_id}", response={200: DemandOut, 404: NotFoundOut})
def demand_detail(request: HttpRequest, demand_id: Id):
    return selectors.get_demand(request.user, demand_id)


def _managed_demand(user, pk) -> Demand:
    d = selectors.visible_demands(user).filter(pk=pk).first()
    if d is None:
        raise Http404("No such demand.")
    return d


@router.post(
    "/demands/{demand_id}/close",
    response={200: DemandOut, **WRITE_ERRORS},
    summary="Close a demand with the outcome its submitter is told (staff)",
)
def close_demand(request: HttpRequest, demand_id: Id, payload: CloseIn):
    d = _managed_demand(request.user, demand_id)
    return services.close_demand(actor=request.user, demand=d, outcome=payload.outcome)


@router.post(
    "/demands/{demand_id}/split",
    response={200: GroupOut, **WRITE_ERRORS},
    summary="Take a demand out of its group into a group of its own (staff)",
)
def split_demand(request: HttpRequest, demand_id: Id):
    d = _managed_demand(request.user, demand_id)
    group = services.split_demand(actor=request.user, demand=d)
    return _group_out(group, selectors.group_askers([group.pk])[group.pk])


@router.get(
    "/demand-groups",
    response={200: list[GroupOut], 400: ErrorOut},
    summary="Demand groups in scope",
)
@paginate(KeysetPaging)
def list_groups(request: HttpRequest):
    return (
        selectors.visible_groups(request.user, counted=True).select_related("area").order_by("-id")
    )


@router.get("/demand-groups/{group_id}", response={200: GroupDetailOut, 404: NotFoundOut})
def group_detail(request: HttpRequest, group_id: Id):
    g = selectors.get_group(request.user, group_id)
    out = _group_out(g, selectors.group_askers([g.pk])[g.pk])
    out["demands"] = list(
        g.demands.select_related("area").prefetch_related("photos").order_by("-id")
    )
    return out


@router.post(
    "/demand-groups/{group_id}/confirm",
    response={200: GroupOut, **WRITE_ERRORS},
    summary="Confirm a group (staff)",
)
def confirm_group(request: HttpRequest, group_id: Id):
    g = selectors.get_group(request.user, group_id)
    g = services.confirm_group(actor=request.user, group=g)
    return _group_out(g, selectors.group_askers([g.pk])[g.pk])


@router.post(
    "/demand-groups/{group_id}/merge",
    response={200: GroupOut, **WRITE_ERRORS},
    summary="Merge another group of the same community into this one (staff)",
)
def merge_groups(request: HttpRequest, group_id: Id, payload: MergeIn):
    user = request.user
    keep = selectors.get_group(user, group_id)
    other = selectors.visible_groups(user).filter(pk=payload.other).first()
    if other is None:
        raise BadInput(_("No such group."), field="other")
    g = services.merge_groups(actor=user, keep=keep, other=other)
    return _group_out(g, selectors.group_askers([g.pk])[g.pk])

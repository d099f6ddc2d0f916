"""The three lists under /api/v1/lists and /api/v1/resources.

- ``GET /lists``: the needs lists in scope (workers and staff), newest first;
  ``POST /lists``: a community's or a street's list for an edition (staff);
  ``GET /lists/{id}`` with its items; ``POST /lists/{id}/publish``;
  ``POST /lists/{id}/items``: an item curated from demand groups.
- ``GET /lists/items`` (``?status=``), ``GET /lists/items/{id}`` (its dated steps, its
  project, its ratings' average), ``POST /lists/items/{id}/move`` (``to``: in_delivery,
  delivered with ``outcome``, evaluated, published to release), ``GET
  /lists/items/{id}/suggestions`` (ranked, explained), ``POST /lists/items/{id}/match``
  (claims it with a resource: a list project), ``POST /lists/items/{id}/ratings`` (the
  residents behind a delivered item, once each).
- ``GET /lists/projects``: the list projects in scope.
- ``GET /lists/public/{code}``: a community's published items, no sign-in: titles,
  kinds, statuses, counts; never who asked.
- ``GET|POST /resources``, ``GET /resources/{id}``, ``POST /resources/{id}/active``.

Out of scope: 404. A refusal: 400 naming the field, 403, or 409 (``not_allowed``: the
table has no such move; ``conflict``: someone moved the item first).
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas.models import Area
from shezhi.core.api import created
from shezhi.core.apitypes import AreaRef, Day, ErrorOut, Id, KeysetPaging, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.demands.models import Kind

from . import permissions, selectors, services
from .models import ListProject, NeedItem, NeedsList, ProviderKind, Resource
from .models import Status as ItemStatus

router = Router()

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
STATUSES = Literal[tuple(ItemStatus.values)]  # type: ignore[valid-type]
PROVIDERS = Literal[tuple(ProviderKind.values)]  # type: ignore[valid-type]
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut}


def _area_ref(a: Area) -> dict:
    return {"code": a.code, "name": a.name, "level": a.level}


class NeedsListOut(Schema):
    id: int
    title: str
    edition: str
    starts_on: dt.date
    ends_on: dt.date
    published: bool
    published_at: dt.datetime | None
    area: AreaRef

    @staticmethod
    def resolve_area(n: NeedsList) -> dict:
        return _area_ref(n.area)


class NeedItemOut(Schema):
    id: int
    needs_list: int
    title: str
    description: str
    kind: str
    priority: int
    status: str
    version: int
    residents: int = Field(description="distinct residents (households) behind the item")
    groups: list[int]
    area: AreaRef

    @staticmethod
    def resolve_needs_list(i: NeedItem) -> int:
        return i.needs_list_id

    @staticmethod
    def resolve_groups(i: NeedItem) -> list[int]:
        return sorted(g.pk for g in i.groups.all())

    @staticmethod
    def resolve_area(i: NeedItem) -> dict:
        return _area_ref(i.area)


class NeedsListDetailOut(NeedsListOut):
    items: list[NeedItemOut]

    @staticmethod
    def resolve_items(n: NeedsList) -> list[NeedItem]:
        return n.items_out


class NeedItemStepOut(Schema):
    from_status: str
    to_status: str
    note: str
    at: dt.datetime


class ListProjectOut(Schema):
    id: int
    item: int
    resource: int
    owner: str
    plan: str
    starts_on: dt.date
    ends_on: dt.date
    capacity_used: int
    outcome: str
    started_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @staticmethod
    def resolve_item(p: ListProject) -> int:
        return p.item_id

    @staticmethod
    def resolve_resource(p: ListProject) -> int:
        return p.resource_id

    @staticmethod
    def resolve_owner(p: ListProject) -> str:
        return p.owner.get_full_name() or p.owner.username


class NeedItemDetailOut(NeedItemOut):
    steps: list[NeedItemStepOut]
    project: ListProjectOut | None
    rating: float | None = Field(description="the average score, 1 to 5")
    ratings: int

    @staticmethod
    def resolve_steps(i: NeedItem) -> list:
        return i.steps_out

    @staticmethod
    def resolve_project(i: NeedItem):
        return i.project_out

    @staticmethod
    def resolve_rating(i: NeedItem) -> float | None:
        return i.summary["rating"]

    @staticmethod
    def resolve_ratings(i: NeedItem) -> int:
        return i.summary["ratings"]


class PublicNeedItemOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    priority: int
    status: str
    residents: int
    rating: float | None
    ratings: int
    edition: str
    area: AreaRef

    @staticmethod
    def resolve_ratings(i: NeedItem) -> int:
        return i.ratings_count

    @staticmethod
    def resolve_edition(i: NeedItem) -> str:
        return i.needs_list.edition

    @staticmethod
    def resolve_area(i: NeedItem) -> dict:
        return _area_ref(i.area)


class ListResourceOut(Schema):
    id: int
    provider_kind: str
    provider_name: str
    provider_type: str | None = Field(description="the provider's own record, as app.model")
    provider_id: int | None
    offer_kind: str
    title: str
    description: str
    capacity: int
    capacity_unit: str
    capacity_left: int
    active: bool
    area: AreaRef

    @staticmethod
    def resolve_provider_type(r: Resource) -> str | None:
        t = r.provider_type
        return f"{t.app_label}.{t.model}" if t is not None else None

    @staticmethod
    def resolve_capacity_left(r: Resource) -> int:
        used = getattr(r, "used", None)
        return max(r.capacity - used, 0) if used is not None else selectors.capacity_left(r)

    @staticmethod
    def resolve_area(r: Resource) -> dict:
        return _area_ref(r.area)


class ResourceSuggestionOut(Schema):
    resource: ListResourceOut
    score: int = Field(description="kind (100/40) + locality (20/10/0) + enough capacity (10)")
    reasons: list[str]


class NeedsListIn(Schema):
    area: str = Field(max_length=30, description="a community's or a street's code")
    edition: str = Field(max_length=services.EDITION_MAX, description="e.g. 2026年第2期")
    title: str = Field(max_length=services.TITLE_MAX)
    starts_on: Day
    ends_on: Day


class NeedItemIn(Schema):
    groups: list[Id] = Field(max_length=services.GROUPS_MAX, description="demand group ids")
    title: str = Field("", max_length=services.TITLE_MAX, description="default: the group's")
    description: str = Field("", max_length=services.TEXT_MAX)
    priority: int = Field(2, ge=1, le=3, description="1 high, 2 medium, 3 low")


class NeedItemMoveIn(Schema):
    to: STATUSES  # type: ignore[valid-type]
    note: str = Field("", max_length=services.TEXT_MAX)
    outcome: str = Field("", max_length=services.TEXT_MAX, description="needed to deliver")
    version: int | None = Field(None, ge=0, le=2**31, description="the item's, as read")


class NeedItemMatchIn(Schema):
    resource: Id
    plan: str = Field(max_length=services.TEXT_MAX)
    starts_on: Day
    ends_on: Day
    capacity_used: int = Field(1, ge=1, le=services.CAPACITY_MAX)
    version: int | None = Field(None, ge=0, le=2**31)


class NeedItemRatingIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=services.COMMENT_MAX)


class NeedItemRatingOut(Schema):
    item: int
    score: int
    comment: str

    @staticmethod
    def resolve_item(r) -> int:
        return r.item_id


class ListResourceIn(Schema):
    area: str = Field(max_length=30, description="the area served (its whole subtree)")
    provider_kind: PROVIDERS  # type: ignore[valid-type]
    provider_name: str = Field(max_length=services.TITLE_MAX)
    offer_kind: KINDS  # type: ignore[valid-type]
    title: str = Field(max_length=services.TITLE_MAX)
    description: str = Field("", max_length=services.TEXT_MAX)
    capacity: int = Field(ge=1, le=services.CAPACITY_MAX)
    capacity_unit: str = Field(max_length=services.UNIT_MAX, description="人次, 场, 个 …")


class ResourceActiveIn(Schema):
    active: bool


class NeedItemQuery(Schema):
    status: STATUSES | None = None  # type: ignore[valid-type]


def _managed_area(user, code: str) -> Area:
    area = Area.objects.defer("boundary").filter(code=code).first()
    if area is None or not permissions.can(user, "view", area):
        raise Http404("No such area.")
    return area


def _item_detail(item: NeedItem) -> NeedItem:
    item.summary = selectors.rating_summary(item)
    item.steps_out = selectors.steps(item)
    item.project_out = ListProject.objects.select_related("owner").filter(item=item).first()
    return item


# ----------------------------------------------------------------- needs lists


@router.get(
    "/lists", response={200: list[NeedsListOut], 400: ErrorOut}, summary="Needs lists in scope"
)
@paginate(KeysetPaging)
def list_lists(request: HttpRequest):
    return selectors.visible_lists(request.user).order_by("-id")


@router.post(
    "/lists",
    response={201: NeedsListOut, **WRITE_ERRORS},
    summary="A needs list for an edition (staff)",
)
def create_list(request: HttpRequest, payload: NeedsListIn):
    user = request.user
    made = services.create_list(
        actor=user,
        area=_managed_area(user, payload.area),
        edition=payload.edition,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, made)


@router.get(
    "/lists/items",
    response={200: list[NeedItemOut], 400: ErrorOut},
    summary="Needs list items in scope",
)
@paginate(KeysetPaging)
def list_items(request: HttpRequest, filters: Query[NeedItemQuery]):
    qs = selectors.visible_items(request.user).prefetch_related("groups")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-id")


@router.get(
    "/lists/projects",
    response={200: list[ListProjectOut], 400: ErrorOut},
    summary="List projects (项目清单) in scope",
)
@paginate(KeysetPaging)
def list_projects(request: HttpRequest):
    return selectors.visible_projects(request.user).select_related("owner").order_by("-id")


@router.get(
    "/lists/public/{code}",
    response={200: list[PublicNeedItemOut], 400: ErrorOut, 404: NotFoundOut},
    auth=None,
    summary="A community's published needs list items (no sign-in)",
)
@paginate(KeysetPaging)
def public_items(request: HttpRequest, code: str, q: str = ""):
    """``q``: only the items whose title or description holds every word of it (Chinese
    words, whole: 老 does not find 老人); more than 100 characters is a 400 naming ``q``."""
    return selectors.public_items(selectors.public_community(code[:30]), q)


@router.get("/lists/{list_id}", response={200: NeedsListDetailOut, 404: NotFoundOut})
def list_detail(request: HttpRequest, list_id: Id):
    n = selectors.get_list(request.user, list_id)
    n.items_out = list(n.items.select_related("area").prefetch_related("groups"))
    return n


@router.post(
    "/lists/{list_id}/publish",
    response={200: NeedsListOut, **WRITE_ERRORS},
    summary="Publish a needs list (staff)",
)
def publish_list(request: HttpRequest, list_id: Id):
    n = selectors.get_list(request.user, list_id)
    return services.publish_list(actor=request.user, needs_list=n)


@router.post(
    "/lists/{list_id}/items",
    response={201: NeedItemOut, **WRITE_ERRORS},
    summary="Curate an item from demand groups (staff)",
)
def add_item(request: HttpRequest, list_id: Id, payload: NeedItemIn):
    return created(
        request, selectors.get_list, list_id, services.add_item, into="needs_list", payload=payload
    )


# ----------------------------------------------------------------- items


@router.get("/lists/items/{item_id}", response={200: NeedItemDetailOut, 404: NotFoundOut})
def item_detail(request: HttpRequest, item_id: Id):
    return _item_detail(selectors.get_item(request.user, item_id))


@router.post(
    "/lists/items/{item_id}/move",
    response={200: NeedItemDetailOut, **WRITE_ERRORS},
    summary="Move an item along its life cycle (staff)",
)
def move_item(request: HttpRequest, item_id: Id, payload: NeedItemMoveIn):
    item = selectors.get_item(request.user, item_id)
    item = services.move_item(
        actor=request.user,
        item=item,
        to=payload.to,
        note=payload.note,
        outcome=payload.outcome,
        version=payload.version,
    )
    return _item_detail(item)


@router.get(
    "/lists/items/{item_id}/suggestions",
    response={200: list[ResourceSuggestionOut], 404: NotFoundOut},
    summary="Resources that could take the item, ranked and explained",
)
def suggestions(request: HttpRequest, item_id: Id):
    item = selectors.get_item(request.user, item_id)
    return [
        {"resource": s.resource, "score": s.score, "reasons": s.reasons}
        for s in selectors.suggest(item)
    ]


@router.post(
    "/lists/items/{item_id}/match",
    response={201: ListProjectOut, **WRITE_ERRORS},
    summary="Claim an item with a resource: a list project (staff)",
)
def match(request: HttpRequest, item_id: Id, payload: NeedItemMatchIn):
    user = request.user
    item = selectors.get_item(user, item_id)
    resource = selectors.visible_resources(user).filter(pk=payload.resource).first()
    if resource is None:
        raise BadInput(_("No such resource."), field="resource")
    project = services.match_resource(
        actor=user,
        item=item,
        resource=resource,
        plan=payload.plan,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        capacity_used=payload.capacity_used,
        version=payload.version,
    )
    return Status(201, project)


@router.post(
    "/lists/items/{item_id}/ratings",
    response={201: NeedItemRatingOut, **WRITE_ERRORS},
    summary="Rate a delivered item (the residents behind it, once each)",
)
def rate(request: HttpRequest, item_id: Id, payload: NeedItemRatingIn):
    return created(
        request, selectors.ratable_item, item_id, services.rate_item, into="item", payload=payload
    )


# ----------------------------------------------------------------- resources


@router.get(
    "/resources",
    response={200: list[ListResourceOut], 400: ErrorOut},
    summary="Resources (资源清单) in scope or serving it",
)
@paginate(KeysetPaging)
def list_resources(request: HttpRequest):
    return selectors.with_capacity_left(selectors.visible_resources(request.user)).order_by("-id")


@router.post(
    "/resources",
    response={201: ListResourceOut, **WRITE_ERRORS},
    summary="Register a resource (staff)",
)
def create_resource(request: HttpRequest, payload: ListResourceIn):
    user = request.user
    made = services.register_resource(
        actor=user,
        area=_managed_area(user, payload.area),
        provider_kind=payload.provider_kind,
        provider_name=payload.provider_name,
        offer_kind=payload.offer_kind,
        title=payload.title,
        description=payload.description,
        capacity=payload.capacity,
        capacity_unit=payload.capacity_unit,
    )
    return Status(201, made)


@router.get("/resources/{resource_id}", response={200: ListResourceOut, 404: NotFoundOut})
def resource_detail(request: HttpRequest, resource_id: Id):
    return selectors.get_resource(request.user, resource_id)


@router.post(
    "/resources/{resource_id}/active",
    response={200: ListResourceOut, **WRITE_ERRORS},
    summary="Offer a resource again, or no longer (staff)",
)
def resource_active(request: HttpRequest, resource_id: Id, payload: ResourceActiveIn):
    r = selectors.get_resource(request.user, resource_id)
    return services.set_resource_active(actor=request.user, resource=r, active=payload.active)

"""Service posts (微阵地) under /api/v1/posts.

Public reads (no sign-in): the active posts, nearest first from a point, and one
active post. Staff writes and the staff registry are scoped: a post outside the
areas where the caller manages posts answers 404; a refusal answers
``{"detail", "code", "field"}`` with its status, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from shezhi.areas.geo.crs import CRS_CHOICES, to_wgs84
from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.core.apitypes import (
    AreaRef,
    DayText,
    ErrorOut,
    Flag,
    Id,
    Limit,
    Moment,
    NotFoundOut,
    Offset,
)
from shezhi.core.errors import BadInput
from shezhi.core.lists import capped_count, keyset_page
from shezhi.core.periods import Period

from . import permissions, selectors, services
from .models import ServiceHub, ServicePost
from .present import hub_dict, post_dict

router = Router()

TYPES = Literal[tuple(ServicePost.Type.values)]  # type: ignore[valid-type]
CRS = Literal[tuple(CRS_CHOICES)]  # type: ignore[valid-type]
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}


# ---------------------------------------------------------------------------
# Schemas


class PostPhotoOut(Schema):
    id: int
    url: str
    caption: str


class PostOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    area: AreaRef
    address: str
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    opening_hours: dict[str, list[list[str]]] = Field(
        description='weekly hours in local time, e.g. {"mon": [["08:30", "12:00"]]}'
    )
    services: list[str]
    phone: str = Field(description="the post's public phone")
    description: str
    responsible_name: str = Field(description="the responsible person's name, nothing else")
    open_now: bool
    today: list[list[str]]
    today_label: str
    closes_at: dt.datetime | None = Field(None, description="when open: closing time")
    opens_at: dt.datetime | None = Field(None, description="when closed: next opening")
    distance_m: float | None = Field(None, description="from the given point, great circle")
    url: str = Field(description="the post's public page")
    photos: list[PostPhotoOut] | None = None


class PostListOut(Schema):
    items: list[PostOut]
    count: int = Field(description="posts matching (before limit/offset); nearest: items shown")


class StaffPostOut(PostOut):
    active: bool
    responsible: str | None = Field(None, description="the responsible user's username")
    created_at: dt.datetime
    updated_at: dt.datetime
    edit_url: str


class StaffPostListOut(Schema):
    items: list[StaffPostOut]
    count: int


HOURS_HELP = (
    'days mon..sun, each a list of ["HH:MM", "HH:MM"] intervals, start before end, no'
    " overlaps; a missing day is closed"
)


CONFIRM_HELP = (
    "true confirms that a mobile `phone` (1[3-9] and 9 digits) is the post's public service"
    " number, not somebody's personal phone: the public page shows it to everybody. A new"
    " mobile number without it answers 400 naming this field; landlines, 400/800 and"
    " hotline numbers need no confirmation"
)


class PostIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    type: TYPES  # type: ignore[valid-type]
    lng: float
    lat: float
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    address: str = Field("", max_length=200)
    opening_hours: dict[str, list[list[str]]] = Field(default_factory=dict, description=HOURS_HELP)
    services: list[str] = Field(default_factory=list, max_length=20)
    responsible: str = Field("", description="username of a user holding a role in the area")
    phone: str = Field("", max_length=20)
    public_mobile_confirmed: bool = Field(False, description=CONFIRM_HELP)
    description: str = Field("", max_length=2000)
    active: Flag = True


class PostPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    type: TYPES | None = None  # type: ignore[valid-type]
    lng: float | None = None
    lat: float | None = None
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    address: str | None = Field(None, max_length=200)
    opening_hours: dict[str, list[list[str]]] | None = Field(None, description=HOURS_HELP)
    services: list[str] | None = Field(None, max_length=20)
    responsible: str | None = Field(None, description="username; empty string for none")
    phone: str | None = Field(None, max_length=20)
    public_mobile_confirmed: bool = Field(False, description=CONFIRM_HELP)
    description: str | None = Field(None, max_length=2000)
    active: Flag | None = Field(None, description="false deactivates (hidden from the public)")
    remove_photos: list[Id] = Field(default_factory=list, description="ids of photos to drop")


class PublicFilters(Schema):
    lng: float | None = Field(None, description="with lat: nearest first from this point")
    lat: float | None = None
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    open_now: Flag = Field(False, description="only posts open now (or at `at`)")
    at: Moment | None = Field(None, description="the moment for open_now (default now)")
    type: TYPES | None = None  # type: ignore[valid-type]
    area: str = Field("", description="only posts inside the area with this code")
    within_m: float | None = Field(None, gt=0, le=200_000, description="search radius, metres")
    limit: int = Field(20, ge=1, le=100)
    offset: Offset = Field(0, description="without a point only")


class StaffFilters(Schema):
    area: str = Field("", description="only inside this area (in the caller's scope)")
    type: TYPES | None = None  # type: ignore[valid-type]
    active: Flag | None = None
    q: str = Field("", max_length=50, description="name or address contains")
    limit: Limit = 50
    offset: Offset = 0


# ---------------------------------------------------------------------------
# Public


@router.get(
    "/posts",
    auth=None,
    response={200: PostListOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Service posts (public): nearest first from a point, or all by area",
    description="Active posts only. With `lng` and `lat` the nearest come first (great-circle"
    " distance, `distance_m`), up to `limit`; `open_now=true` keeps those open now. Without a"
    " point, posts are listed by area and name. Opening state is in local time.",
)
def list_posts(request: HttpRequest, filters: Query[PublicFilters]):
    if (filters.lng is None) != (filters.lat is None):
        missing = "lat" if filters.lat is None else "lng"
        raise BadInput(_("Give both lng and lat, or neither."), field=missing)
    area = selectors.public_area(filters.area) if filters.area else None
    at = filters.at
    if filters.lng is not None:
        lng, lat = _wgs84(filters.lng, filters.lat, filters.crs)
        found = selectors.nearest(
            lng,
            lat,
            at=at,
            open_only=filters.open_now,
            limit=filters.limit,
            within_m=filters.within_m,
            type=filters.type or "",
            area=area,
        )
        items = [post_dict(n.post, state=n.state, distance_m=n.distance_m) for n in found]
        return {"items": items, "count": len(items)}
    rows = selectors.public_list(type=filters.type or "", area=area)
    if filters.open_now:
        from . import hours as opening

        posts = [p for p in rows if opening.is_open(p.opening_hours, at)]
        page = posts[filters.offset : filters.offset + filters.limit]
        return {"items": [post_dict(p, at=at) for p in page], "count": len(posts)}
    count = rows.count()
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"items": [post_dict(p, at=at) for p in page], "count": count}


def _patch(payload, nullable: tuple[str, ...] = ()) -> tuple[str, dict]:
    """A PATCH body's coordinate system and the fields it gives; a null for a field that
    cannot be empty is a 400 naming it."""
    changes = payload.dict(exclude_unset=True)
    crs = changes.pop("crs", "wgs84")
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise BadInput(_("%(field)s cannot be null.") % {"field": key}, field=key)
    return crs, changes


def _wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise BadInput(_("Coordinates out of range."), field="lng")
    if crs == "wgs84":
        return lng, lat
    x, y = to_wgs84(lng, lat, crs)
    return float(x), float(y)


@router.get(
    "/posts/manage",
    response={200: StaffPostListOut, 404: NotFoundOut},
    summary="The staff registry: posts (active or not) where I manage posts",
    description="Community staff, street staff and district admins see the posts of their"
    " areas; others an empty list. An `area` outside the caller's scope answers 404.",
)
def registry(request: HttpRequest, filters: Query[StaffFilters]):
    user = request.user
    area = selectors.managed_area(user, filters.area) if filters.area else None
    qs = selectors.registry(
        user, area=area, type=filters.type or "", active=filters.active, q=filters.q
    )
    count = qs.count()
    page = qs[filters.offset : filters.offset + filters.limit]
    return {"items": [post_dict(p, staff=True) for p in page], "count": count}


@router.get(
    "/posts/manage/{post_id}",
    response={200: StaffPostOut, 404: NotFoundOut},
    summary="One post in the staff registry (active or not)",
)
def registry_post(request: HttpRequest, post_id: int):
    post = selectors.get_managed_post(request.user, post_id)
    return post_dict(post, staff=True, photos=True)


@router.get(
    "/posts/{post_id}",
    auth=None,
    response={200: PostOut, 404: NotFoundOut},
    summary="One active service post (public)",
    description="With this week's hours, whether it is open now, its services and photos."
    " A deactivated post answers 404.",
)
def get_post(request: HttpRequest, post_id: int, at: Moment | None = None):
    return post_dict(selectors.get_public_post(post_id), at=at, photos=True)


# ---------------------------------------------------------------------------
# Staff writes


@router.post(
    "/posts",
    response={201: StaffPostOut, 400: ErrorOut, 403: ErrorOut},
    summary="Register a service post",
    description="Community staff, street staff and district admins, inside their areas. The"
    " point (wgs84, gcj02 or bd09; stored as WGS84) is located to its micro-grid; a point"
    " outside every district or outside the caller's areas answers 400 (`field`: location)."
    " Bad opening hours answer 400 naming the day. Nothing is written on any error.",
)
def create_post(request: HttpRequest, payload: PostIn):
    post = services.create_post(actor=request.user, **payload.dict())
    return Status(201, post_dict(post, staff=True, photos=True))


@router.patch(
    "/posts/{post_id}",
    response={200: StaffPostOut, **ERRORS},
    summary="Change a service post (only the fields given); active=false deactivates",
    description="A post outside the caller's scope answers 404; one the caller may see but not"
    " change, 403. A moved point is located again and must stay in the caller's areas.",
)
def update_post(request: HttpRequest, post_id: int, payload: PostPatch):
    user = request.user
    post = _staff_post(user, post_id)
    crs, changes = _patch(payload, nullable=("responsible",))
    post = services.update_post(actor=user, post=post, crs=crs, **changes)
    return post_dict(post, staff=True, photos=True)


@router.post(
    "/posts/{post_id}/photos",
    response={200: StaffPostOut, **ERRORS},
    summary="Add photos to a service post (multipart `photos`)",
    description="Each photo is checked, resized and stripped of EXIF; a bad one answers 400"
    " with nothing written.",
)
def add_photos(request: HttpRequest, post_id: int, photos: File[list[UploadedFile]] = None):
    user = request.user
    post = _staff_post(user, post_id)
    post = services.update_post(actor=user, post=post, photos=photos or ())
    return post_dict(post, staff=True, photos=True)


def _staff_post(user, post_id: int) -> ServicePost:
    """The post for a write: any post the caller holds a role over (the service refuses
    those they may not change); otherwise 404."""
    from django.http import Http404

    post = (
        ServicePost.objects.select_related("area")
        .defer("area__boundary")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not permissions.can(user, "know", post.area):
        raise Http404("No such service post.")
    return post


# ---------------------------------------------------------------------------
# Service hubs (社治港湾 / 港口 / 码头 / 小区服务集装箱) under /api/v1/hubs
#
# Public reads (no sign-in): the active hubs, keyset-paged; the hubs serving a point or
# an area; one hub with its parents, children, posts and today's roster; its figures
# and its children's. Writes: the staff over the hub's area (a compound hub: its
# community); a hub outside the caller's scope answers 404, nothing written on a 4xx.

TIERS = Literal[tuple(ServiceHub.Tier.values)]  # type: ignore[valid-type]
HUB_PAGE_MAX = 100


class CompoundRef(Schema):
    id: int
    name: str


class HubOut(Schema):
    id: int
    name: str
    tier: str = Field(description="district (社治港湾), street (社治港口), community (社治码头)"
                      " or compound (小区服务集装箱)")  # fmt: skip
    tier_label: str
    area: AreaRef = Field(description="the area served (a compound hub: its community)")
    compound: CompoundRef | None = None
    address: str
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    opening_hours: dict[str, list[list[str]]]
    services: list[str]
    phone: str = Field(description="the hub's public phone")
    description: str
    open_now: bool
    today_label: str
    url: str = Field(description="the hub's public page")


class StaffHubOut(HubOut):
    active: bool
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    edit_url: str


class HubPageOut(Schema):
    items: list[HubOut]
    count: int = Field(description="hubs matching, counted up to 1,000")
    count_capped: bool
    next_cursor: str | None = Field(description="the `cursor` of the next page; null: last")


class HubFilters(Schema):
    tier: TIERS | None = None  # type: ignore[valid-type]
    area: str = Field("", max_length=40, description="only hubs inside the area with this code")
    q: str = Field("", max_length=50, description="name or address contains")
    limit: int = Field(50, ge=1, le=HUB_PAGE_MAX)
    cursor: str | None = Field(None, max_length=1000, description="a page's `next_cursor`")


class HubsAtOut(Schema):
    area: AreaRef | None = Field(description="the deepest area found (a point: located)")
    items: list[HubOut] = Field(description="district, street and community hubs, top first,"
                                " then the community's compound hubs")  # fmt: skip


class OnDutyOut(Schema):
    name: str
    duty: str


class HubPostRef(Schema):
    id: int
    name: str
    type: str
    url: str


class HubDetailOut(StaffHubOut):
    parents: list[HubOut]
    children: list[HubOut]
    on_duty: list[OnDutyOut] = Field(description="today's roster: names and duties only")
    posts: list[HubPostRef] = Field(description="the first active posts in the hub's reach")
    posts_count: int = Field(description="active posts in its reach, counted up to 1,000")
    posts_url: str = Field(description="the posts page of its area")
    # The staff side's fields, for the staff who manage the hub only (else null).
    active: bool | None = None  # type: ignore[assignment]
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    edit_url: str | None = None  # type: ignore[assignment]


class FigureDefOut(Schema):
    key: str
    label: str
    definition: str


class FigureRowOut(Schema):
    id: int
    name: str
    tier: str
    values: dict[str, int | None] = Field(description="figure key → value; null: not defined")


class HubFiguresOut(Schema):
    period: dict[str, str]
    figures: list[FigureDefOut] = Field(description="the figures registered (places.hooks)")
    hub: FigureRowOut
    children: list[FigureRowOut]


class HubFigureQuery(Schema):
    from_: DayText = Field("", alias="from", description="first day; default 1 January")
    to: DayText = Field("", description="last day, inclusive; default today")


class DutyIn(Schema):
    person: Id = Field(description="a person (people) with a record inside the hub's area")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        min_length=1, max_length=7
    )
    duty: str = Field("", max_length=30)


class HubIn(Schema):
    tier: TIERS  # type: ignore[valid-type]
    name: str = Field(min_length=1, max_length=100)
    area: str = Field("", max_length=40, description="the area's code (not for a compound hub)")
    compound: Id | None = Field(None, description="the compound's id (a compound hub only)")
    lng: float
    lat: float
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    address: str = Field("", max_length=200)
    opening_hours: dict[str, list[list[str]]] = Field(default_factory=dict, description=HOURS_HELP)
    services: list[str] = Field(default_factory=list, max_length=20)
    phone: str = Field("", max_length=20)
    public_mobile_confirmed: bool = Field(False, description=CONFIRM_HELP)
    description: str = Field("", max_length=2000)
    active: Flag = True
    duties: list[DutyIn] = Field(default_factory=list, max_length=50)


class HubPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    lng: float | None = None
    lat: float | None = None
    crs: CRS = "wgs84"  # type: ignore[valid-type]
    address: str | None = Field(None, max_length=200)
    opening_hours: dict[str, list[list[str]]] | None = Field(None, description=HOURS_HELP)
    services: list[str] | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    public_mobile_confirmed: bool = Field(False, description=CONFIRM_HELP)
    description: str | None = Field(None, max_length=2000)
    active: Flag | None = Field(None, description="false takes the hub off the public pages")
    duties: list[DutyIn] | None = Field(None, max_length=50, description="replaces the roster")


@router.get(
    "/hubs",
    auth=None,
    response={200: HubPageOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Service hubs (public), top-down by area: keyset-paged",
    description="Active hubs in (area path, tier, id) order; pass `next_cursor` back as"
    " `cursor` for the next page. `area` keeps the hubs inside that area (an unknown code"
    " answers 404).",
)
def list_hubs(request: HttpRequest, filters: Query[HubFilters]):
    area = selectors.public_area(filters.area) if filters.area else None
    qs = selectors.hub_list(tier=filters.tier or "", area=area, q=filters.q)
    counted = capped_count(qs)
    page = keyset_page(qs, order=selectors.HUB_ORDER, limit=filters.limit, after=filters.cursor)
    return {
        "items": [hub_dict(h) for h in page.items],
        "count": counted.value,
        "count_capped": counted.capped,
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/hubs/at",
    auth=None,
    response={200: HubsAtOut, 400: ErrorOut, 404: NotFoundOut},
    summary="The hubs serving a point or an area (find the hub of your area)",
    description="Give `lng` and `lat` (located like any point; outside every district: 400"
    " naming `location`) or `area` (a code). Answers the district's, street's and"
    " community's hubs, top first, then the compound hubs of the community.",
)
def hubs_at(
    request: HttpRequest,
    lng: float | None = None,
    lat: float | None = None,
    crs: CRS = "wgs84",  # type: ignore[valid-type]
    area: str = Query("", max_length=40),
):
    found = _area_at(lng, lat, crs, area)
    if found is None:
        return {"area": None, "items": []}
    items = [hub_dict(h) for h in selectors.hubs_at_area(found)]
    return {"area": {"code": found.code, "name": found.name, "level": found.level}, "items": items}


def _area_at(lng, lat, crs: str, code: str):
    if code:
        return selectors.public_area(code)
    if lng is None or lat is None:
        raise BadInput(
            _("Give lng and lat, or an area."), field="lat" if lng is not None else "lng"
        )
    try:
        _point, chain = locate(lng, lat, crs)
    except (OutsideAllDistricts, InvalidCoordinates) as exc:
        raise BadInput(str(exc), field="location") from None
    return area_rows([chain[0].id])[chain[0].id]


@router.get(
    "/hubs/{hub_id}",
    auth=None,
    response={200: HubDetailOut, 404: NotFoundOut},
    summary="One service hub: its parents, child hubs, posts and today's roster",
    description="Active hubs for anybody; an inactive one for the staff who manage it.",
)
def get_hub(request: HttpRequest, hub_id: Id):
    user = request.user
    hub = selectors.get_hub(user, hub_id)
    return _hub_detail(user, hub)


def _hub_detail(user, hub: ServiceHub) -> dict:
    posts, posts_count = selectors.posts_below(hub)
    out = hub_dict(hub, staff=permissions.can(user, "manage", hub.area))
    out.update(
        parents=[hub_dict(h) for h in selectors.parent_hubs(hub)],
        children=[hub_dict(h) for h in selectors.child_hubs(hub)],
        on_duty=[{"name": d.name, "duty": d.duty} for d in selectors.on_duty(hub)],
        posts=[
            {
                "id": p.pk,
                "name": p.name,
                "type": p.type,
                "url": reverse("places:detail", args=[p.pk]),
            }
            for p in posts
        ],
        posts_count=posts_count,
        posts_url=reverse("places:nearby") + f"?area={hub.area.code}",
    )
    return out


@router.get(
    "/hubs/{hub_id}/figures",
    auth=None,
    response={200: HubFiguresOut, 400: ErrorOut, 404: NotFoundOut},
    summary="A hub's figures and each child hub's, over a period",
    description="Only the figures some app has registered (events handled, volunteers …;"
    " `figures` names them with their definitions). A null value: the figure has no"
    " meaning there (a compound without buildings). Counts only, never a person.",
)
def hub_figures(request: HttpRequest, hub_id: Id, q: Query[HubFigureQuery]):
    hub = selectors.get_hub(request.user, hub_id)
    try:
        period = Period.of(q.from_, q.to, today=timezone.localdate())
    except ValueError as exc:
        raise BadInput(str(exc), field="period") from None
    found = selectors.figures(hub, selectors.child_hubs(hub), period)
    keys = [f.key for f in found.figures]

    def row(h, values):
        return {
            "id": h.pk,
            "name": h.name,
            "tier": h.tier,
            "values": dict(zip(keys, values, strict=True)),
        }

    return {
        "period": {"start": period.start.isoformat(), "end": period.last.isoformat()},
        "figures": [
            {"key": f.key, "label": str(f.label), "definition": str(f.definition)}
            for f in found.figures
        ],
        "hub": row(hub, found.own),
        "children": [row(h, v) for h, v in found.children],
    }


@router.post(
    "/hubs",
    response={201: HubDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Open a service hub",
    description="Community staff, street staff and district admins, for an area (or a"
    " compound of a community) in their scope: `tier` district/street/community names the"
    " area by `area` code, of that level; `compound` names the compound. One hub per area or"
    " compound (400 naming `area` or `compound`). The point must lie inside the area served"
    " (400 naming `location`). Nothing is written on any error.",
)
def create_hub(request: HttpRequest, payload: HubIn):
    data = payload.dict()
    data["duties"] = [dict(d) for d in data["duties"]]
    hub = services.create_hub(actor=request.user, **data)
    hub = selectors.get_hub(request.user, hub.pk)
    return Status(201, _hub_detail(request.user, hub))


@router.patch(
    "/hubs/{hub_id}",
    response={200: HubDetailOut, **ERRORS},
    summary="Change a service hub (only the fields given); `duties` replaces the roster",
    description="A hub outside the caller's scope answers 404; one the caller knows but may"
    " not change, 403. The tier and the area or compound served do not change.",
)
def update_hub(request: HttpRequest, hub_id: Id, payload: HubPatch):
    user = request.user
    hub = _staff_hub(user, hub_id)
    crs, changes = _patch(payload)
    if "duties" in changes:
        changes["duties"] = [dict(d) for d in changes["duties"]]
    services.update_hub(actor=user, hub=hub, crs=crs, **changes)
    return _hub_detail(user, selectors.get_hub(user, hub.pk))


def _staff_hub(user, hub_id: int) -> ServiceHub:
    """A hub for a write: any hub the caller holds a role over (the service refuses those
    they may not change); otherwise 404."""
    from django.http import Http404

    hub = (
        ServiceHub.objects.select_related("area", "compound")
        .defer("area__boundary", "compound__boundary")
        .filter(pk=hub_id)
        .first()
    )
    if hub is None or not permissions.knows_hub(user, hub):
        raise Http404("No such service hub.")
    return hub

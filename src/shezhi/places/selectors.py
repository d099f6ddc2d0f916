"""Every read of service posts; the only place the staff's scope applies.

Posts are public information: anybody may list the active ones and open an
active post's page. The staff registry (inactive posts included) is scoped to
the areas where the user manages posts; a post outside it is a 404.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.lists import capped_count, subtree_q
from shezhi.households.models import Compound
from shezhi.people.models import RoleAssignment

from . import hooks, permissions
from . import hours as opening
from .models import ServiceHub, ServicePost

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# Without a radius, only posts within this distance are considered (the whole district).
DEFAULT_WITHIN_M = 50_000
# What a post's card needs: its area and its responsible person's name, in one query.
RELATED = ("area", "responsible__person")
DEFERRED = ("area__boundary", "responsible__person__phone", "responsible__person__id_number")


# ---------------------------------------------------------------------------
# Public reads


def public_posts() -> QuerySet[ServicePost]:
    return ServicePost.objects.filter(active=True)


def get_public_post(pk) -> ServicePost:
    """An active post by id (for anybody), else 404."""
    post = public_posts().filter(pk=pk).select_related(*RELATED).defer(*DEFERRED).first()
    if post is None:
        raise Http404("No such service post.")
    return post


def public_list(*, type: str = "", area: Area | None = None) -> QuerySet[ServicePost]:
    qs = public_posts()
    if type:
        qs = qs.filter(type=type)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    return qs.select_related(*RELATED).defer(*DEFERRED).order_by("area_path", "name", "pk")


def public_area(code: str) -> Area:
    """Any area by code (areas are public places on the resident pages), else 404."""
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None:
        raise Http404("No such area.")
    return area


def communities_with_posts() -> list[Area]:
    """The communities residents can pick when the browser gives no location."""
    paths = set(public_posts().order_by().values_list("area_path", flat=True).distinct())
    prefixes = {p[: 3 * Area.steplen] for p in paths}
    return list(
        Area.objects.filter(level="community", path__in=prefixes).defer("boundary").order_by("path")
    )


# ---------------------------------------------------------------------------
# Nearest


@dataclass
class Nearby:
    post: ServicePost
    distance_m: float | None  # None: listed by area, before any location
    state: opening.OpenState

    @property
    def open(self) -> bool:
        return self.state.open


def haversine_m(lng0: float, lat0: float, lngs, lats) -> np.ndarray:
    """Great-circle distances in metres from one point to many (WGS84 sphere)."""
    lng0r, lat0r = math.radians(lng0), math.radians(lat0)
    lngr = np.radians(np.asarray(lngs, dtype=float))
    latr = np.radians(np.asarray(lats, dtype=float))
    a = (
        np.sin((latr - lat0r) / 2) ** 2
        + math.cos(lat0r) * np.cos(latr) * np.sin((lngr - lng0r) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _bbox(lng: float, lat: float, within_m: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(within_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(within_m / (EARTH_RADIUS_M * coslat)))
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


def nearest(
    lng: float,
    lat: float,
    *,
    at: dt.datetime | None = None,
    open_only: bool = True,
    limit: int = DEFAULT_LIMIT,
    within_m: float | None = None,
    type: str = "",
    area: Area | None = None,
) -> list[Nearby]:
    """Active posts nearest to (lng, lat) (WGS84), closest first, each with its open state.

    ``open_only``: only those open at ``at`` (default now). Candidates are first
    cut to a box ``within_m`` around the point (default 50 km), then measured
    on the great circle with numpy, so a few thousand posts cost a millisecond.
    """
    at = at or timezone.now()
    limit = max(1, min(int(limit), MAX_LIMIT))
    radius = float(within_m) if within_m else DEFAULT_WITHIN_M
    w, s, e, n = _bbox(lng, lat, radius)
    qs = public_posts().filter(lng__gte=w, lng__lte=e, lat__gte=s, lat__lte=n)
    if type:
        qs = qs.filter(type=type)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    rows = list(qs.order_by().values_list("pk", "lng", "lat", "opening_hours"))
    if not rows:
        return []
    dist = haversine_m(lng, lat, [r[1] for r in rows], [r[2] for r in rows])
    ids = np.array([r[0] for r in rows])
    order = np.lexsort((ids, dist))  # distance, then id: a stable order for ties
    picked: list[tuple[int, float, opening.OpenState]] = []
    for i in order:
        d = float(dist[i])
        if d > radius:
            break
        state = opening.state(rows[i][3], at)
        if open_only and not state.open:
            continue
        picked.append((rows[i][0], d, state))
        if len(picked) >= limit:
            break
    posts = (
        ServicePost.objects.select_related(*RELATED)
        .defer(*DEFERRED)
        .in_bulk([p[0] for p in picked])
    )
    return [Nearby(posts[pk], d, state) for pk, d, state in picked if pk in posts]


# ---------------------------------------------------------------------------
# Before any location: the posts of the person's area

# At most this many posts of an area go on the map before a location is known.
AREA_MAP_LIMIT = 500


def home_area(user) -> Area | None:
    """Where the nearby page starts before the browser gives a location.

    A signed-in person's own area, widened to its community (a micro-grid holds a
    post or two; its community is the neighbourhood they walk in); staff above a
    community keep their street or district. Anybody else, or somebody whose area
    has no post: the first district with posts (its posts all go on the map)."""
    with_posts = set(public_posts().order_by().values_list("area_path", flat=True).distinct())

    def has_posts(path: str) -> bool:
        return any(p.startswith(path) for p in with_posts)

    if not with_posts:
        return None
    own = permissions.scope_areas(user, "know")  # None: a superuser, who has no area
    if own:
        cut = 3 * Area.steplen
        for area in sorted(own, key=lambda a: a.path):
            path = area.path[:cut] if len(area.path) > cut else area.path
            if has_posts(path):
                return area if path == area.path else Area.objects.defer("boundary").get(path=path)
    districts = sorted({p[: Area.steplen] for p in with_posts})
    return Area.objects.defer("boundary").get(path=districts[0])


def in_area(
    area: Area,
    *,
    at: dt.datetime | None = None,
    type: str = "",
    limit: int = AREA_MAP_LIMIT,
) -> list[Nearby]:
    """The active posts of ``area``'s subtree, open ones first, then by name (no distance:
    no location is known yet)."""
    at = at or timezone.now()
    qs = public_list(type=type, area=area)[:limit]
    found = [Nearby(p, None, opening.state(p.opening_hours, at)) for p in qs]
    found.sort(key=lambda n: (not n.state.open, n.post.name, n.post.pk))
    return found


# ---------------------------------------------------------------------------
# The staff registry


def manageable_posts(user) -> QuerySet[ServicePost]:
    """Every post (active or not) in the areas where ``user`` manages posts."""
    qs = ServicePost.objects.all()
    q = permissions.scope(user, "manage", field="area_path")
    return qs if q is None else qs.filter(q)


def registry(
    user,
    *,
    area: Area | None = None,
    type: str = "",
    active: bool | None = None,
    q: str = "",
) -> QuerySet[ServicePost]:
    qs = manageable_posts(user)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if type:
        qs = qs.filter(type=type)
    if active is not None:
        qs = qs.filter(active=active)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs.select_related(*RELATED).defer(*DEFERRED).order_by("area_path", "name", "pk")


def get_managed_post(user, pk) -> ServicePost:
    """A post the user manages (active or not), else 404."""
    post = manageable_posts(user).filter(pk=pk).select_related(*RELATED).defer(*DEFERRED).first()
    if post is None:
        raise Http404("No such service post.")
    return post


def managed_area(user, code: str) -> Area:
    """An area by code inside the user's management scope, else 404."""
    qs = Area.objects.filter(code=code).defer("boundary")
    q = permissions.scope(user, "manage", field="path")
    if q is not None:
        qs = qs.filter(q)
    area = qs.first()
    if area is None:
        raise Http404("No such area.")
    return area


def responsible_candidates(user, limit: int = 200) -> list[str]:
    """Usernames holding a role inside the user's management scope (for the form's hints)."""
    qs = RoleAssignment.objects.filter(role__in=permissions.RESPONSIBLE_ROLES)
    q = permissions.scope(user, "manage", field="area__path")
    if q is not None:
        qs = qs.filter(q)
    return list(
        qs.order_by("user__username").values_list("user__username", flat=True).distinct()[:limit]
    )


def responsible_options(user, limit: int = 200) -> list[tuple[str, str]]:
    """(username, "name · area") of the people who may be made responsible for a post in
    the user's scope: the form offers them by name, the way people know each other."""
    qs = RoleAssignment.objects.filter(role__in=permissions.RESPONSIBLE_ROLES)
    q = permissions.scope(user, "manage", field="area__path")
    if q is not None:
        qs = qs.filter(q)
    rows = qs.order_by("user__username", "area__path").values_list(
        "user__username",
        "user__person__name",
        "user__first_name",
        "user__last_name",
        "area__name",
    )
    options: dict[str, str] = {}
    for username, person_name, first, last, area_name in rows:
        if username in options:
            continue
        name = person_name or f"{last}{first}".strip() or username
        options[username] = f"{name} · {area_name}"
        if len(options) >= limit:
            break
    return list(options.items())


# ---------------------------------------------------------------------------
# The service hubs (社治港湾 / 港口 / 码头 / 小区服务集装箱)

# A subtree's hubs top-down: the area's path, the tier's rank, the id (an index).
HUB_ORDER = ("area_path", "rank", "id")
HUB_RELATED = ("area", "compound")
HUB_DEFERRED = (
    "area__boundary",
    "compound__boundary",
    "compound__property_manager_phone",
)
# Posts listed on a hub page (the rest: the posts page of its area).
HUB_POSTS_SHOWN = 10


def _hubs(qs: QuerySet[ServiceHub]) -> QuerySet[ServiceHub]:
    return qs.select_related(*HUB_RELATED).defer(*HUB_DEFERRED)


def public_hubs() -> QuerySet[ServiceHub]:
    return ServiceHub.objects.filter(active=True)


def hub_list(
    *, tier: str = "", area: Area | None = None, q: str = "", base=None
) -> QuerySet[ServiceHub]:
    """Hubs (active ones, or ``base``) in ``HUB_ORDER``, filtered by tier, inside ``area``
    and by a name or address containing ``q``."""
    qs = public_hubs() if base is None else base
    if tier:
        qs = qs.filter(tier=tier)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return _hubs(qs).order_by(*HUB_ORDER)


def get_public_hub(pk) -> ServiceHub:
    """An active hub by id (for anybody), else 404."""
    hub = _hubs(public_hubs().filter(pk=pk)).first()
    if hub is None:
        raise Http404("No such service hub.")
    return hub


def manageable_hubs(user) -> QuerySet[ServiceHub]:
    """Every hub (active or not) in the areas where ``user`` manages hubs."""
    q = permissions.scope(user, "manage", field="area_path")
    qs = ServiceHub.objects.all()
    return qs if q is None else qs.filter(q)


def get_managed_hub(user, pk) -> ServiceHub:
    hub = _hubs(manageable_hubs(user).filter(pk=pk)).first()
    if hub is None:
        raise Http404("No such service hub.")
    return hub


def get_hub(user, pk) -> ServiceHub:
    """An active hub for anybody; an inactive one for those who manage it; else 404."""
    hub = _hubs(ServiceHub.objects.filter(pk=pk)).first()
    if hub is None or not (hub.active or permissions.can(user, "manage", hub.area)):
        raise Http404("No such service hub.")
    return hub


def child_hubs(hub: ServiceHub) -> list[ServiceHub]:
    """The next tier's active hubs inside the hub's area (a community hub: the compound
    hubs of its community; a compound hub has none)."""
    if hub.tier == ServiceHub.Tier.COMPOUND:
        return []
    qs = public_hubs().filter(rank=hub.rank + 1)
    if hub.tier == ServiceHub.Tier.COMMUNITY:
        qs = qs.filter(area_id=hub.area_id)
    else:
        qs = qs.filter(subtree_q("area_path", hub.area_path))
    return list(_hubs(qs).order_by(*HUB_ORDER))


def parent_hubs(hub: ServiceHub) -> list[ServiceHub]:
    """The active hubs above this one, top first (its area's ancestors' hubs)."""
    step = Area.steplen
    paths = [hub.area_path[:cut] for cut in range(step, len(hub.area_path) + 1, step)]
    qs = public_hubs().filter(area_path__in=paths, compound__isnull=True, rank__lt=hub.rank)
    return list(_hubs(qs).order_by(*HUB_ORDER))


def hubs_at_area(area: Area) -> list[ServiceHub]:
    """The hubs serving ``area``: those of its district, street and community (top
    first), then the compound hubs of its community."""
    step = Area.steplen
    paths = [area.path[:cut] for cut in range(step, min(len(area.path), 3 * step) + 1, step)]
    qs = public_hubs().filter(area_path__in=paths)
    community = paths[-1] if len(paths) == 3 else None
    qs = qs.filter(Q(compound__isnull=True) | Q(area_path=community))
    return list(_hubs(qs).order_by(*HUB_ORDER))


def hub_reach(hub: ServiceHub) -> list[str]:
    """The area paths the hub covers (``hooks.reach``): its area, or its compound's
    micro-grids."""
    return hooks.reach([hub.target])[0]


def posts_below(hub: ServiceHub, limit: int = HUB_POSTS_SHOWN) -> tuple[list[ServicePost], int]:
    """The active posts in the hub's reach (first ``limit`` by area and name) and how
    many there are (capped like every count of a long list)."""
    reach = hub_reach(hub)
    if not reach:
        return [], 0
    q = Q()
    for path in reach:
        q |= subtree_q("area_path", path)
    qs = public_posts().filter(q)
    rows = list(
        qs.select_related("area")
        .defer("area__boundary")
        .order_by("area_path", "name", "pk")[:limit]
    )
    count = len(rows) if len(rows) < limit else capped_count(qs).value
    return rows, count


@dataclass(frozen=True)
class OnDuty:
    name: str
    duty: str


def on_duty(hub: ServiceHub, at: dt.datetime | None = None) -> list[OnDuty]:
    """Today's roster: the active people on duty at the hub on today's weekday."""
    today = opening.day_key(timezone.localtime(at or timezone.now()).date())
    rows = (
        hub.duties.filter(person__active=True)
        .order_by("pk")
        .values_list("person__name", "duty", "days")
    )
    return [OnDuty(name, duty) for name, duty, days in rows if today in (days or [])]


def duties_of(hub: ServiceHub) -> list:
    return list(hub.duties.select_related("person").only("days", "duty", "person__name"))


@dataclass
class HubFigures:
    """Registered figures (``hooks.hub_figures``) for a hub and its children."""

    figures: list  # HubFigure
    own: list  # one value per figure
    children: list  # (hub, values) per child


def figures(hub: ServiceHub, children: list[ServiceHub], period) -> HubFigures:
    """Each registered figure for the hub and each child: one call of each provider."""
    targets = [hub.target, *(c.target for c in children)]
    registered = hooks.hub_figures()
    columns = [f.counts(targets, period) for f in registered]
    values = [[col[i] for col in columns] for i in range(len(targets))]
    return HubFigures(registered, values[0], list(zip(children, values[1:], strict=True)))


def hub_area(code: str) -> Area:
    return public_area(code)


def compounds_for_hubs(community: Area) -> list:
    """The compounds of a community (for the staff form's choice of a compound hub)."""
    return list(
        Compound.objects.filter(community=community).only("id", "name").order_by("name", "id")
    )


__all__ = [
    "Nearby",
    "child_hubs",
    "figures",
    "get_hub",
    "get_managed_post",
    "get_public_post",
    "hub_list",
    "hubs_at_area",
    "nearest",
]

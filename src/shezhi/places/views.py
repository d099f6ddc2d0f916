"""Pages of the service posts: the resident's "nearby" page, a post's public page, and the
staff registry with its create/edit forms.

Thin views: forms parse, ``services`` decide and write, ``selectors`` read and scope.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas.geo.crs import CRS_CHOICES, to_wgs84
from shezhi.areas.models import Area
from shezhi.core.pages import attempt
from shezhi.core.photos import served

from . import hours as opening
from . import permissions, selectors, services
from .forms import PostForm, RegistryFilterForm
from .models import ServicePost, ServicePostPhoto
from .present import distance_label, post_dict, responsible_name

NEARBY_LIMIT = 10
REGISTRY_PAGE = 50
# A service error's field → the form field it is shown next to.
ERROR_FIELDS = {"location": "lng", "opening_hours": "hours"}


# ---------------------------------------------------------------------------
# Where the resident is


def _point(request: HttpRequest) -> tuple[tuple[float, float] | None, str, Area | None]:
    """The point asked for: ?lng=&lat= (with ?crs=), or ?community=<code>'s centre.

    Returns (point or None, an error message or "", the community picked or None).
    """
    raw_lng, raw_lat = request.GET.get("lng", "").strip(), request.GET.get("lat", "").strip()
    if raw_lng or raw_lat:
        try:
            lng, lat = float(raw_lng), float(raw_lat)
        except ValueError:
            return None, _("The location is not two numbers."), None
        if not (math.isfinite(lng) and math.isfinite(lat)) or abs(lng) > 180 or abs(lat) > 90:
            return None, _("The location is out of range."), None
        crs = request.GET.get("crs", "wgs84")
        if crs not in CRS_CHOICES:
            return None, _("Unknown coordinate system."), None
        if crs != "wgs84":
            x, y = to_wgs84(lng, lat, crs)
            lng, lat = float(x), float(y)
        return (lng, lat), "", None
    code = request.GET.get("community", "").strip()
    if code:
        community = Area.objects.filter(code=code, level="community").defer("boundary").first()
        if community is None:
            return None, _("No such community."), None
        return (community.centroid_lng, community.centroid_lat), "", community
    return None, "", None


def _frame() -> str:
    roots = list(Area.objects.filter(depth=1).only("min_lng", "min_lat", "max_lng", "max_lat"))
    if not roots:
        return ""
    values = [
        min(a.min_lat for a in roots),
        min(a.min_lng for a in roots),
        max(a.max_lat for a in roots),
        max(a.max_lng for a in roots),
    ]
    return ",".join(f"{v:.6f}" for v in values)


def _nearby(request: HttpRequest):
    """(point, error, community, include closed, type, found, area): the nearest posts
    from a point; before any point, the posts of an area (?area=<code>, else the
    person's own, ``selectors.home_area``), so the map is never empty."""
    point, error, community = _point(request)
    include_closed = request.GET.get("all") == "1"
    type_ = request.GET.get("type", "")
    if type_ not in ServicePost.Type.values:
        type_ = ""
    found, area = [], None
    if point is not None:
        found = selectors.nearest(
            point[0],
            point[1],
            open_only=not include_closed,
            limit=NEARBY_LIMIT,
            type=type_,
        )
    elif not error:
        code = request.GET.get("area", "").strip()
        area = selectors.public_area(code) if code else selectors.home_area(request.user)
        if area is not None:
            found = selectors.in_area(area, type=type_)
    return point, error, community, include_closed, type_, found, area


def _card(n, rank: int) -> dict:
    post = n.post
    return {
        "rank": rank,
        "post": post,
        "url": reverse("places:detail", args=[post.pk]),
        "type_label": ServicePost.Type(post.type).label,
        "distance": distance_label(n.distance_m),
        "distance_m": "" if n.distance_m is None else round(n.distance_m),
        "open": n.state.open,
        "today": opening.label(n.state.today),
        "closes_at": n.state.closes_at,
        "closes_label": n.state.closes_label,
        "opens_at": n.state.opens_at,
        "services": post.services or [],
    }


def _query(point, include_closed: bool, type_: str) -> str:
    params = {}
    if point is not None:
        params.update(lng=f"{point[0]:.6f}", lat=f"{point[1]:.6f}")
    if include_closed:
        params["all"] = "1"
    if type_:
        params["type"] = type_
    return urlencode(params)


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """附近的微阵地: the nearest open posts from the resident's location, as a list and a map."""
    point, error, community, include_closed, type_, found, area = _nearby(request)
    # Before a location: the area's posts on the map, its first few in the list.
    cards = [_card(n, i) for i, n in enumerate(found[:NEARBY_LIMIT], 1)]
    i18n = {
        "locating": _("Finding your location…"),
        "denied": _("The browser may not use your location. Tap the map or pick a community."),
        "unavailable": _("Your location is not available now. Tap the map or pick a community."),
        "timeout": _("Finding your location took too long. Tap the map or pick a community."),
        "unsupported": _("This browser cannot find your location. Tap the map instead."),
        "open": _("Open now"),
        "closed": _("Closed now"),
        "load_failed": _("Could not load the map's posts."),
    }
    query = _query(point, include_closed, type_)
    if area is not None:
        query = urlencode({"area": area.code, **({"type": type_} if type_ else {})})
    return render(
        request,
        "places/nearby.html",
        {
            "point": point,
            "point_text": f"{point[0]:.6f},{point[1]:.6f}" if point else "",
            "error": error,
            "community": community,
            "communities": selectors.communities_with_posts(),
            "include_closed": include_closed,
            "type": type_,
            "types": ServicePost.Type.choices,
            "cards": cards,
            "area": area,
            "area_count": len(found),
            "data_url": reverse("places:nearby_data") + (f"?{query}" if query else ""),
            "toggle_url": "?" + _query(point, not include_closed, type_),
            "map_bbox": _frame(),
            "map_i18n": json.dumps(i18n, ensure_ascii=False),
        },
    )


@require_GET
def nearby_data(request: HttpRequest) -> JsonResponse:
    """The map's feed: the same posts as the page's list, as GeoJSON points."""
    point, error, _community, _all, _type, found, area = _nearby(request)
    if error:
        return JsonResponse({"error": error}, status=400)
    features = []
    for rank, n in enumerate(found, 1):
        post = n.post
        features.append(
            {
                "type": "Feature",
                "id": post.pk,
                "geometry": {"type": "Point", "coordinates": [post.lng, post.lat]},
                "properties": {
                    "id": post.pk,
                    "rank": rank,
                    "name": post.name,
                    "type": post.type,
                    "type_label": str(ServicePost.Type(post.type).label),
                    "open": n.state.open,
                    "today": opening.label(n.state.today),
                    "distance": distance_label(n.distance_m),
                    "distance_m": None if n.distance_m is None else round(n.distance_m, 1),
                    "url": reverse("places:detail", args=[post.pk]),
                },
            }
        )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "point": list(point) if point else None,
            "area": {"code": area.code, "name": area.name} if area is not None else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------------------
# A post's public page


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.get_public_post(pk)
    now = timezone.now()
    state = opening.state(post.opening_hours, now)
    return render(
        request,
        "places/detail.html",
        {
            "post": post,
            "info": post_dict(post, state=state),
            "type_label": ServicePost.Type(post.type).label,
            "state": state,
            "week": [
                {**day, "text": opening.label(day["intervals"])}
                for day in opening.week(post.opening_hours, now)
            ],
            "photos": list(post.photos.all()),
            "can_edit": permissions.can(request.user, "manage", post.area),
        },
    )


@require_GET
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """A post's photo: public while the post is active (posts are public places)."""
    post = selectors.get_public_post(pk)
    found = ServicePostPhoto.objects.filter(pk=photo_id, post=post).first()
    return served(found.image if found else None, public=True)


# ---------------------------------------------------------------------------
# The staff registry


def _require_manager(user) -> None:
    if not permissions.can(user, "manage"):
        raise Http404


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    form = RegistryFilterForm(request.GET or None)
    f = form.filters() if request.GET else {"q": "", "area": "", "type": "", "active": None}
    area = selectors.managed_area(user, f["area"]) if f["area"] else None
    qs = selectors.registry(user, area=area, type=f["type"], active=f["active"], q=f["q"])
    paginator = Paginator(qs, REGISTRY_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "post": p,
            "type_label": ServicePost.Type(p.type).label,
            "open": opening.is_open(p.opening_hours, now),
            "today": opening.label(opening.today_hours(p.opening_hours, now)),
            # The person's name, as people know them (not their sign-in name).
            "responsible": responsible_name(p.responsible),
        }
        for p in page_obj.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "places/manage.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page_obj,
            "total": paginator.count,
            "area": area,
            "query": params.urlencode(),
        },
    )


def _form_page(request, form, post=None, status=200) -> HttpResponse:
    user = request.user
    bbox = services.managed_areas_bbox(user)
    point = ""
    if form.is_bound:
        try:
            lng, lat = float(form.data.get("lng", "")), float(form.data.get("lat", ""))
            if -180 <= lng <= 180 and -90 <= lat <= 90:
                point = f"{lng:.6f},{lat:.6f}"
        except ValueError:
            point = ""
    elif post is not None:
        point = f"{post.lng:.6f},{post.lat:.6f}"
    i18n = {
        "placed": _("Point placed. Tap the map again to move it."),
        "locating": _("Finding your location…"),
        "located": _("Location found (within about %(m)s m)."),
        "denied": _("The browser may not use your location. Tap the map instead."),
        "unavailable": _("Your location is not available now. Tap the map instead."),
        "timeout": _("Finding your location took too long. Tap the map instead."),
        "unsupported": _("This browser cannot find your location. Tap the map instead."),
    }
    return render(
        request,
        "places/post_form.html",
        {
            "form": form,
            "post": post,
            "location_errors": form.errors.get("lng", []) + form.errors.get("lat", []),
            "map_bbox": ",".join(f"{v:.6f}" for v in bbox) if bbox else "",
            "map_point": point,
            "map_i18n": json.dumps(i18n, ensure_ascii=False),
            "candidates": selectors.responsible_options(user),
            "responsible_name": responsible_name(post.responsible) if post is not None else "",
            "photos": list(post.photos.all()) if post is not None else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES)
        if form.is_valid():
            done = attempt(
                request,
                services.create_post,
                form=form,
                fields=ERROR_FIELDS,
                actor=user,
                success=lambda post: _("Service post %(name)s registered.") % {"name": post.name},
                **form.service_kwargs(),
            )
            if done:
                return redirect("places:detail", pk=done.value.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, PostForm())


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    post = selectors.get_managed_post(user, pk)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, post=post)
        if form.is_valid():
            kwargs = form.service_kwargs()
            done = attempt(
                request,
                services.update_post,
                form=form,
                fields=ERROR_FIELDS,
                actor=user,
                post=post,
                remove_photos=[int(i) for i in form.cleaned_data.get("remove_photos") or []],
                success=lambda saved: _("Service post %(name)s saved.") % {"name": saved.name},
                **kwargs,
            )
            if done:
                query = urlencode({"q": done.value.name})
                return redirect(f"{reverse('places:manage')}?{query}")
        return _form_page(request, form, post, status=400)
    return _form_page(request, PostForm(post=post), post)


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.get_managed_post(request.user, pk)
    attempt(
        request,
        services.deactivate_post,
        actor=request.user,
        post=post,
        success=_("%(name)s is no longer shown to residents.") % {"name": post.name},
    )
    return redirect("places:edit", pk=post.pk)


@login_required
@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.get_managed_post(request.user, pk)
    attempt(
        request,
        services.reactivate_post,
        actor=request.user,
        post=post,
        success=_("%(name)s is shown to residents again.") % {"name": post.name},
    )
    return redirect("places:edit", pk=post.pk)

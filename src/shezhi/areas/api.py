"""Areas and locating under /api/v1/, scoped like the pages."""

from typing import Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.core.apitypes import AreaRef, ErrorOut, Paging

from . import constants as c
from . import locating, selectors
from .models import Area

router = Router()


class AreaOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    dedicated_type: str
    parent_code: str | None
    centroid: tuple[float, float] = Field(description="[lng, lat] WGS84")
    bbox: tuple[float, float, float, float] = Field(
        description="[min lng, min lat, max lng, max lat]"
    )
    area_m2: float
    children: int

    @staticmethod
    def resolve_centroid(obj: Area):
        return (obj.centroid_lng, obj.centroid_lat)

    @staticmethod
    def resolve_bbox(obj: Area):
        return (obj.min_lng, obj.min_lat, obj.max_lng, obj.max_lat)

    @staticmethod
    def resolve_children(obj: Area):
        return obj.numchild


class AreaDetailOut(AreaOut):
    ancestors: list[AreaRef]
    counts: dict[str, int] = Field(
        description="areas inside, per level (micro-grids also per kind)"
    )


class AreaFilters(Schema):
    q: str = Field("", description="part of the name, or the start of the code")
    level: Literal["", *c.LEVELS] = ""  # type: ignore[valid-type]
    kind: Literal["", *c.KINDS] = ""  # type: ignore[valid-type]
    dedicated_type: Literal["", *c.DEDICATED_TYPES] = ""  # type: ignore[valid-type]
    within: str = Field("", description="only areas inside the area with this code")


@router.get("/areas", response=list[AreaOut], summary="List and search areas")
@paginate(Paging)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]):
    within = selectors.get_area(request.user, filters.within) if filters.within else None
    return selectors.search(
        request.user,
        q=filters.q,
        level=filters.level,
        kind=filters.kind,
        dedicated_type=filters.dedicated_type,
        within=within,
    ).defer("boundary")


@router.get("/areas/{code}", response=AreaDetailOut, summary="One area by code")
def area_detail(request: HttpRequest, code: str):
    area = selectors.get_area(request.user, code)
    area.ancestors = selectors.ancestors(area)
    area.counts = selectors.level_counts(area)
    return area


@router.get("/areas/{code}/children", response=list[AreaOut], summary="An area's children")
def area_children(request: HttpRequest, code: str):
    area = selectors.get_area(request.user, code)
    return selectors.children(request.user, area).defer("boundary")


def _feature(area: Area) -> dict:
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "kind": area.kind or None,
            "dedicated_type": area.dedicated_type or None,
            "children": area.numchild,
        },
        "geometry": area.boundary,
    }


def _geojson(data: dict) -> JsonResponse:
    return JsonResponse(
        data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )


@router.get("/areas/{code}/boundary", summary="An area's boundary as a GeoJSON Feature")
def area_boundary(request: HttpRequest, code: str):
    return _geojson(_feature(selectors.get_area(request.user, code)))


@router.get(
    "/areas/{code}/children/boundaries",
    summary="The boundaries of an area's children as a GeoJSON FeatureCollection",
)
def children_boundaries(request: HttpRequest, code: str):
    area = selectors.get_area(request.user, code)
    return _geojson(
        {
            "type": "FeatureCollection",
            "features": [_feature(a) for a in selectors.children(request.user, area)],
        }
    )


class LocatedOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    dedicated_type: str


class LocateOut(Schema):
    lng: float = Field(description="WGS84 longitude of the point")
    lat: float = Field(description="WGS84 latitude of the point")
    areas: list[LocatedOut] = Field(description="the chain of areas containing it, deepest first")


class LocateQuery(Schema):
    lng: float
    lat: float
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"


@router.get(
    "/locate",
    response={200: LocateOut, 400: ErrorOut, 404: ErrorOut},
    summary="The areas containing a point, deepest first (within the caller's scope)",
)
def locate(request: HttpRequest, query: Query[LocateQuery]):
    try:
        (lng, lat), chain = locating.locate(query.lng, query.lat, query.crs)
    except locating.InvalidCoordinates as exc:
        return Status(400, {"detail": str(exc), "code": "invalid_coordinates"})
    except locating.OutsideAllDistricts as exc:
        return Status(404, {"detail": str(exc), "code": "outside_all_districts"})
    # The point's areas are answered only inside the caller's scope, like every read.
    if not selectors.visible_areas(request.user).filter(code=chain[0].code).exists():
        return Status(
            404,
            {
                "detail": gettext("The point lies outside the areas you may see."),
                "code": "outside_your_areas",
            },
        )
    return {"lng": lng, "lat": lat, "areas": chain}

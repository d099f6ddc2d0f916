"""Small hand-made territories and users for tests.

Areas are written straight through treebeard (not the importer) so tests of the
pages and the API don't depend on the validator; the importer has its own tests.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from shapely.geometry import box, mapping

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.areas.services import derive_geometry_fields
from shezhi.core.models import RoleAssignment

PASSWORD = "correct-horse-battery-9"


def square(lng0: float, lat0: float, lng1: float, lat1: float) -> dict:
    return mapping(box(lng0, lat0, lng1, lat1))


def make_area(
    parent: Area | None,
    code: str,
    name: str,
    geometry: dict,
    *,
    kind: str = "",
    dedicated_type: str = "",
) -> Area:
    level = c.level_for_code(code)
    if level == c.MICRO_GRID and not kind:
        kind = c.KIND_GENERAL
    fields = dict(
        code=code,
        name=name,
        level=level,
        kind=kind,
        dedicated_type=dedicated_type,
        boundary=geometry,
        **derive_geometry_fields(geometry),
    )
    if parent is None:
        return Area.objects.add_root(fields)
    area = Area.objects.add_child(parent, fields)
    parent.refresh_from_db()
    return area


# The territory the page and API tests share, as (key, code, name, bounds, kind, type).
TERRITORY_SPEC = [
    ("district", "510113", "测试区", (104.0, 30.6, 104.4, 30.8), "", ""),
    ("street1", "510113001", "东风街道", (104.0, 30.6, 104.2, 30.8), "", ""),
    ("street2", "510113002", "西湖街道", (104.2, 30.6, 104.4, 30.8), "", ""),
    ("community", "510113001001", "凤凰社区", (104.0, 30.6, 104.1, 30.8), "", ""),
    ("community2", "510113001002", "同心村", (104.1, 30.6, 104.2, 30.8), "", ""),
    ("grid", "510113001001001", "凤凰社区第1网格", (104.0, 30.6, 104.1, 30.7), "", ""),
    ("grid2", "510113001001002", "凤凰社区第2网格", (104.0, 30.7, 104.1, 30.8), "", ""),
    ("micro1", "510113001001001001", "第1微网格", (104.0, 30.6, 104.05, 30.7), "general", ""),
    ("micro2", "510113001001001002", "第2微网格", (104.05, 30.6, 104.1, 30.7), "general", ""),
    (
        "school",
        "510113001001001501",
        "实验小学",
        (104.045, 30.65, 104.055, 30.66),
        "dedicated",
        "school",
    ),
]


def build_territory() -> dict[str, Area]:
    """Two districts; the first (``TERRITORY_SPEC``) nested down to micro-grids.

    District 510113 (测试区) spans lng 104.00–104.40, lat 30.60–30.80:
    streets 001 (west half) and 002 (east half); community 001001 is the west
    half of street 001; grid ...001 is its south half; micro-grids 001 and 002
    split that grid west/east; a dedicated school 501 sits across their border.
    District 510114 (邻区) is a separate square to the east.
    """
    by_code: dict[str, Area] = {}
    keyed: dict[str, Area] = {}
    spec = [
        *TERRITORY_SPEC,
        ("other_district", "510114", "邻区", (104.5, 30.6, 104.9, 30.8), "", ""),
    ]
    for key, code, name, bounds, kind, dtype in spec:
        parent = by_code.get(code[:-3]) if len(code) > 6 else None
        if parent is not None:
            parent.refresh_from_db()
        by_code[code] = keyed[key] = make_area(
            parent, code, name, square(*bounds), kind=kind, dedicated_type=dtype
        )
    return {key: Area.objects.get(pk=area.pk) for key, area in keyed.items()}


def make_user(username: str, *, role: str | None = None, area: Area | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role and area:
        department = None
        if role == "department_staff":
            # Department staff always act for a department of the area's district.
            from shezhi.people.models import Department

            district = Area.objects.get(path=area.path[: Area.steplen])
            department, _ = Department.objects.get_or_create(
                district=district, code="cg", defaults={"name": "区城市管理局"}
            )
        RoleAssignment.objects.create(user=user, role=role, area=area, department=department)
    return user


def territory_features():
    from shezhi.areas.features import AreaFeature

    return [
        AreaFeature(
            code=code,
            name=name,
            level=c.level_for_code(code),
            parent_code=code[:-3] if len(code) > 6 else None,
            geometry=square(*bounds),
            kind=kind,
            dedicated_type=dtype,
            location=f"feature #{i + 1}",
        )
        for i, (_key, code, name, bounds, kind, dtype) in enumerate(TERRITORY_SPEC)
    ]


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection", "features": [f.to_geojson() for f in features]}

"""A feature's geometry checked: polygons, rings and plausible lng/lat."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from .. import report as r
from ..report import Report

# Lng/lat rectangle of mainland China (as in geo.crs), for the swapped hint.
_CHINA = (72.004, 137.8347, 0.8293, 55.8271)


# ---------------------------------------------------------------------------
# Geometry


class _BadCoordinates(Exception):
    pass


def _check_geometry(geometry: Any, who: str, code: str | None, where: str, report: Report):
    def err(kind: str, message: str, **kw: Any) -> None:
        report.error(kind, message, code=code, where=where, **kw)

    if not isinstance(geometry, dict):
        err(
            r.BAD_FEATURE,
            _("%(feature)s: its geometry is not a GeoJSON geometry object.") % {"feature": who},
        )
        return
    gtype = geometry.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        err(
            r.WRONG_GEOMETRY_TYPE,
            _("%(feature)s is a %(type)s; areas must be a Polygon or MultiPolygon.")
            % {"feature": who, "type": gtype},
            data={"type": str(gtype)},
        )
        return
    try:
        points = _polygon_points(geometry.get("coordinates"), gtype == "MultiPolygon")
    except _BadCoordinates as e:
        err(
            r.BAD_COORDINATES,
            _("%(feature)s: %(reason)s") % {"feature": who, "reason": e.args[0]},
            data=e.args[1] if len(e.args) > 1 else {},
        )
        return

    xy = np.asarray(points, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    in_range = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    swapped_in_range = (np.abs(y) <= 180) & (np.abs(x) <= 90)
    if not in_range.all():
        if swapped_in_range.all():
            _report_swapped(err, who, xy)
            return
        first = xy[np.argmin(in_range)]
        projected = bool(np.abs(xy).max() > 1000)
        hint = (
            _(
                " They look like metres of a projected coordinate system; export in WGS84 "
                "longitude/latitude."
            )
            if projected
            else ""
        )
        err(
            r.COORDINATES_OUT_OF_RANGE,
            _(
                "%(feature)s: %(count)d of its %(total)d points are outside longitude "
                "-180…180 / latitude -90…90, the first being [%(x)s, %(y)s].%(hint)s"
            )
            % {
                "feature": who,
                "count": int((~in_range).sum()),
                "total": len(xy),
                "x": f"{first[0]:g}",
                "y": f"{first[1]:g}",
                "hint": hint,
            },
            data={"first": [float(first[0]), float(first[1])], "projected": projected},
        )
        return
    # In range both ways round: only where the platform is used (China) can tell.
    lng0, lng1, lat0, lat1 = _CHINA
    outside = ~((x >= lng0) & (x <= lng1) & (y >= lat0) & (y <= lat1))
    swapped_inside = (y >= lng0) & (y <= lng1) & (x >= lat0) & (x <= lat1)
    if outside.all() and swapped_inside.all():
        _report_swapped(err, who, xy)


def _report_swapped(err: Callable[..., None], who: str, xy: np.ndarray) -> None:
    first = xy[0]
    err(
        r.SWAPPED_COORDINATES,
        _(
            "%(feature)s: its coordinates seem to be [latitude, longitude]; GeoJSON and "
            "shapefiles need [longitude, latitude]. The first point [%(x)s, %(y)s] would be "
            "[%(y)s, %(x)s]. Swap the axes when exporting."
        )
        % {"feature": who, "x": f"{first[0]:g}", "y": f"{first[1]:g}"},
        # Where the area would be once swapped back.
        lng=float(first[1]),
        lat=float(first[0]),
        data={"first": [float(first[0]), float(first[1])]},
    )


def _polygon_points(coords: Any, multi: bool) -> list[tuple[float, float]]:
    """All positions of a Polygon / MultiPolygon's coordinates, checking their shape."""
    if not isinstance(coords, list) or not coords:
        raise _BadCoordinates(_("its geometry has no coordinates."))
    polygons = coords if multi else [coords]
    points: list[tuple[float, float]] = []
    for pi, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            raise _BadCoordinates(
                _(
                    "polygon %(polygon)d has no rings; MultiPolygon coordinates are a list of "
                    "polygons, each a list of rings."
                )
                % {"polygon": pi}
                if multi
                else _("the coordinates are not a list of rings."),
                {"polygon": pi},
            )
        for ri, ring in enumerate(rings, start=1):
            place = (
                _("ring %(ring)d of polygon %(polygon)d") % {"ring": ri, "polygon": pi}
                if multi
                else _("ring %(ring)d") % {"ring": ri}
            )
            info = {"polygon": pi, "ring": ri}
            if not isinstance(ring, list):
                raise _BadCoordinates(
                    _("%(place)s is not a list of points.") % {"place": place}, info
                )
            for k, pos in enumerate(ring, start=1):
                if (
                    not isinstance(pos, list)
                    or len(pos) < 2
                    or not all(_is_number(v) for v in pos[:2])
                ):
                    raise _BadCoordinates(
                        _("point %(point)d of %(place)s is not a pair of numbers: %(value)s.")
                        % {"point": k, "place": place, "value": _short(pos)},
                        {**info, "point": k},
                    )
                points.append((pos[0], pos[1]))
            if len(ring) < 4:
                raise _BadCoordinates(
                    _(
                        "%(place)s has %(count)d points; a ring needs at least 4, the last "
                        "repeating the first."
                    )
                    % {"place": place, "count": len(ring)},
                    {**info, "points": len(ring)},
                )
            if ring[0][:2] != ring[-1][:2]:
                raise _BadCoordinates(
                    _(
                        "%(place)s is not closed: its last point %(last)s differs from its "
                        "first %(first)s."
                    )
                    % {"place": place, "last": _short(ring[-1]), "first": _short(ring[0])},
                    info,
                )
    return points


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."

"""A compound's outline or a building's footprint, checked before it is stored."""

from __future__ import annotations

import json

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from shezhi.core.errors import BadInput

# A courtyard's outline or a building's footprint: a few dozen points, never thousands.
MAX_POINTS = 5000


def clean_polygon(value, field: str) -> tuple[dict, shapely.Geometry]:
    """``value`` as a stored GeoJSON Polygon or MultiPolygon (WGS84) and its geometry;
    a ``BadInput`` naming ``field`` for anything else."""
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise BadInput(_("Give a GeoJSON Polygon or MultiPolygon (WGS84)."), field=field)
    try:
        geom = shape(value)
        points = shapely.get_coordinates(geom)
    except Exception:
        raise BadInput(
            _("The coordinates are not a GeoJSON polygon's rings of [longitude, latitude]."),
            field=field,
        ) from None
    if len(points) > MAX_POINTS:
        raise BadInput(
            _("At most %(n)d points, please; simplify the outline.") % {"n": MAX_POINTS},
            field=field,
        )
    if (
        not len(points)
        or not np.isfinite(points).all()
        or (np.abs(points[:, 0]) > 180).any()
        or (np.abs(points[:, 1]) > 90).any()
    ):
        raise BadInput(
            _("Every point must be a WGS84 longitude (−180…180) and latitude (−90…90)."),
            field=field,
        )
    if geom.is_empty or not geom.is_valid or geom.area == 0:
        reason = explain_validity(geom) if not geom.is_empty else _("empty")
        raise BadInput(_("The outline is not a valid polygon: %(reason)s.") % {"reason": reason},
                       field=field)  # fmt: skip
    return json.loads(shapely.to_geojson(geom)), geom

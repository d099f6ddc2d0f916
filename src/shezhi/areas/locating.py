"""Which areas contain a point: the process-wide spatial index, kept current.

Each process builds one ``AreaIndex`` from the stored boundaries and rebuilds it
when ``BoundaryRevision`` moves (any boundary written by any process), so
several app servers answer alike without a broker. The revision is read at most
once per snapshot period (``core.snapshot``); a write in this process clears it.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _

from shezhi.core.snapshot import Snapshot

from .geo.crs import CRS_CHOICES, to_wgs84
from .geo.locator import AreaIndex, IndexEntry, InvalidCoordinates, OutsideAllDistricts
from .models import Area, BoundaryRevision

__all__ = [
    "CRS_CHOICES",
    "InvalidCoordinates",
    "LocatedArea",
    "OutsideAllDistricts",
    "area_rows",
    "current_index",
    "locate",
    "locate_many",
]


@dataclass(frozen=True)
class LocatedArea:
    id: int
    code: str
    name: str
    level: str
    kind: str
    dedicated_type: str


class _State:
    def __init__(self, revision: tuple, index: AreaIndex | None, rows: list[LocatedArea]):
        self.revision = revision
        self.index = index
        self.rows = rows
        # Area rows (without boundaries) by id, filled on demand: any write to an
        # area moves the revision, which replaces this state and so this cache.
        self.areas: dict[int, Area] = {}


_lock = threading.Lock()
_state = _State((-1, ""), None, [])


def _read_revision() -> tuple:
    row = BoundaryRevision.objects.filter(pk=1).values_list("revision", "token").first()
    return row or (0, "")


revision_snapshot = Snapshot(_read_revision, "areas.boundary_revision")


def _revision() -> tuple:
    return revision_snapshot.get()


def _build(revision: tuple) -> _State:
    rows = list(
        Area.objects.order_by("path").values_list(
            "id", "code", "name", "level", "kind", "dedicated_type", "boundary"
        )
    )
    if not rows:
        return _State(revision, None, [])
    ids = {r[1]: r[0] for r in rows}
    geoms = shapely.from_geojson([json.dumps(r[6]) for r in rows])
    entries = [
        IndexEntry(
            id=r[0],
            code=r[1],
            level=r[3],
            kind=r[4],
            # The code's prefix is the parent's code (enforced on import).
            parent_id=ids.get(r[1][:-3]) if len(r[1]) > 6 else None,
            geometry=g,
        )
        for r, g in zip(rows, geoms, strict=True)
    ]
    located = [LocatedArea(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    state = _State(revision, AreaIndex(entries), located)
    # Every report needs its area's row: load them all with the index (a few ms).
    state.areas = Area.objects.defer("boundary").in_bulk()
    return state


def current_index() -> _State:
    """The index for the stored boundaries, rebuilt if any boundary changed."""
    global _state
    revision = _revision()
    state = _state
    if state.revision == revision:
        return state
    with _lock:
        if _state.revision != revision:
            _state = _build(revision)
        return _state


def area_rows(ids) -> dict[int, Area]:
    """Areas by id without their boundaries, from this process's cache when it can."""
    state = current_index()
    cached = state.areas
    missing = [i for i in ids if i not in cached]
    if missing:
        cached.update(Area.objects.defer("boundary").in_bulk(missing))
    return {i: cached[i] for i in ids if i in cached}


def locate(
    lng: float, lat: float, crs: str = "wgs84"
) -> tuple[tuple[float, float], list[LocatedArea]]:
    """The WGS84 point and the chain of areas containing it, deepest first.

    Raises ``InvalidCoordinates`` for impossible input and ``OutsideAllDistricts``
    when no district contains the point: never a guess.
    """
    if crs not in CRS_CHOICES:
        raise InvalidCoordinates(
            _("Unknown coordinate system %(crs)s; use one of %(choices)s.")
            % {"crs": crs, "choices": ", ".join(CRS_CHOICES)}
        )
    _check_range(lng, lat)
    if crs == "wgs84":  # the usual case: no numpy round trip for one point
        wlng, wlat = float(lng), float(lat)
    else:
        wlng, wlat = (float(v) for v in to_wgs84(lng, lat, crs))
    state = current_index()
    outside = OutsideAllDistricts(
        _("The point (%(lng).7f, %(lat).7f) lies outside every district.")
        % {"lng": wlng, "lat": wlat}
    )
    if state.index is None:
        raise outside
    try:
        chain = state.index.locate(wlng, wlat)
    except OutsideAllDistricts:
        raise outside from None
    return (wlng, wlat), [state.rows[i] for i in chain]


def locate_many(lng, lat, crs: str = "wgs84") -> tuple[np.ndarray, list[LocatedArea]]:
    """Batch form: each point's deepest area as a position in the returned rows (-1: outside)."""
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    wlng, wlat = to_wgs84(lng, lat, crs)
    state = current_index()
    if state.index is None:
        return np.full(lng.shape, -1, dtype=np.int64), []
    return state.index.locate_many(wlng, wlat), state.rows


def _check_range(lng: float, lat: float) -> None:
    # The locator checks again; here it guards the CRS formulas from nonsense.
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise InvalidCoordinates(_("Longitude and latitude must be finite numbers."))
    if abs(lat) > 90 and abs(lng) <= 90:
        raise InvalidCoordinates(
            _("Latitude %(lat)s is out of range (−90…90); longitude and latitude look swapped.")
            % {"lat": lat}
        )
    if abs(lng) > 180 or abs(lat) > 90:
        raise InvalidCoordinates(
            _("Coordinates out of range: longitude %(lng)s, latitude %(lat)s.")
            % {"lng": lng, "lat": lat}
        )

"""Local metric projection for tolerances and areas in metres.

A district spans a few tens of kilometres, so an equirectangular projection
centred on the data (x = R·Δλ·cos φ0, y = R·Δφ) is accurate to well under 0.5%
there, which is ample for tolerances of metres and gap areas in m², and needs
no PROJ database.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
_DEG = math.pi / 180.0


class LocalMetric:
    """Projects WGS84 geometries to metres around (lng0, lat0) and back."""

    def __init__(self, lng0: float, lat0: float):
        self.lng0 = lng0
        self.lat0 = lat0
        self._kx = EARTH_RADIUS_M * _DEG * math.cos(lat0 * _DEG)
        self._ky = EARTH_RADIUS_M * _DEG

    @classmethod
    def around(cls, geoms) -> LocalMetric:
        """A projection centred on the bounding box of ``geoms``."""
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
        return cls((minx + maxx) / 2.0, (miny + maxy) / 2.0)

    def _fwd(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - self.lng0) * self._kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self._ky
        return out

    def _inv(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = coords[:, 0] / self._kx + self.lng0
        out[:, 1] = coords[:, 1] / self._ky + self.lat0
        return out

    def to_metres(self, geom):
        """WGS84 → local metres (works on one geometry or an array)."""
        return shapely.transform(geom, self._fwd)

    def to_wgs84(self, geom):
        """Local metres → WGS84 (works on one geometry or an array)."""
        return shapely.transform(geom, self._inv)

    def xy_to_metres(self, lng, lat):
        return (
            (np.asarray(lng, dtype=float) - self.lng0) * self._kx,
            (np.asarray(lat, dtype=float) - self.lat0) * self._ky,
        )

"""Which area a point belongs to: the process-wide spatial index.

The rule
--------
Among all areas whose polygon *covers* the point (boundary included):

1. the deepest level wins (micro-grid over general grid over community over
   street over district);
2. at the same level a dedicated micro-grid wins over a general one (a school's
   grid overlapping the general micro-grids around it takes its points);
3. if still tied, which only happens for a point exactly on an edge shared by
   two areas of the same level and kind, the lowest code wins.

A point that no district covers is outside the index. The rule reads only the
polygons, never the tree, so a child drawn slightly beyond its parent still
takes the points it covers.

How it is fast
--------------
A uniform grid of cells is laid over the index's extent. Each polygon's
rings are densified to half a cell and the cells around every sample are
marked *near* that polygon; every cell within ¾ of a cell of a polygon's
boundary is thereby marked. A polygon a cell is not near either contains that
whole cell or misses it entirely, so one point-in-polygon test at the cell's
centre decides it for every point of the cell. Scanning the polygons best rank
first therefore gives each cell the best polygon covering it outright. Most
cells need nothing more: a query is a floor() and a table look-up. A cell
where some polygon ranked better than that is near keeps those polygons as
candidates, in rank order; its points are tested against them one round at a
time (``shapely.intersects_xy`` on prepared polygons, vectorised over the
points) and the first hit wins, else the cell's outright polygon does.

The result is exact, not approximate: the grid only decides which exact
point-in-polygon tests are needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from shezhi.areas.constants import KIND_DEDICATED, KINDS, LEVEL_INDEX, LEVELS

# Default grid resolution: cells per side of a typical deepest-level area, and
# a cap on the number of cells (4 bytes each for the table, plus the build
# scan). Finer cells leave fewer points needing a polygon test but cost more
# to build; these were measured on the demo district (see bench/locate.py).
CELLS_PER_AREA_SIDE = 12
MAX_CELLS = 4_000_000

_OUTSIDE = -1


class InvalidCoordinates(ValueError):
    """Longitude/latitude not finite or outside ±180 / ±90."""


class OutsideAllDistricts(ValueError):
    """The point is valid but no district of the index covers it."""


@dataclass(frozen=True, slots=True)
class IndexEntry:
    id: int
    code: str
    level: str  # one of constants.LEVELS
    kind: str  # "general" / "dedicated" for micro-grids, "" otherwise
    parent_id: int | None
    geometry: BaseGeometry  # Polygon or MultiPolygon, WGS84 (lng, lat)


def check_coordinates(lng: float, lat: float) -> tuple[float, float]:
    """``(lng, lat)`` as floats, or InvalidCoordinates saying what is wrong."""
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError):
        raise InvalidCoordinates(f"coordinates must be numbers, got ({lng!r}, {lat!r})") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InvalidCoordinates(f"coordinates must be finite, got ({x}, {y})")
    problems = []
    if abs(x) > 180.0:
        problems.append(f"longitude {x} is outside ±180")
    if abs(y) > 90.0:
        problems.append(f"latitude {y} is outside ±90")
    if problems:
        message = "; ".join(problems)
        if abs(y) > 90.0 and abs(x) <= 90.0:
            message += f" (were they swapped? expected (lng, lat), e.g. ({y}, {x}))"
        raise InvalidCoordinates(message)
    return x, y


class AreaIndex:
    """Point → area look-up over a fixed set of areas; see the module docstring.

    Positions returned by the queries index into ``entries``. The index is
    immutable once built and safe to share between threads. Building it
    prepares the entries' geometries in place (``shapely.prepare``).
    """

    def __init__(self, entries: Sequence[IndexEntry], *, cell_size: float | None = None):
        self.entries: tuple[IndexEntry, ...] = tuple(entries)
        n = len(self.entries)
        self._position_of_id: dict[int, int] = {}
        for pos, e in enumerate(self.entries):
            _check_entry(e)
            if e.id in self._position_of_id:
                raise ValueError(f"duplicate area id {e.id} (code {e.code})")
            self._position_of_id[e.id] = pos
        for e in self.entries:
            if e.parent_id is not None and e.parent_id not in self._position_of_id:
                raise ValueError(
                    f"area {e.code} (id {e.id}) has parent id {e.parent_id} not in the index"
                )

        # rank 0 is the best area under the rule; position breaks exact ties
        # (duplicate codes) so the order is total and deterministic.
        by_rank = sorted(
            range(n),
            key=lambda p: (
                -LEVEL_INDEX[self.entries[p].level],
                self.entries[p].kind != KIND_DEDICATED,
                self.entries[p].code,
                p,
            ),
        )
        self._by_rank = np.asarray(by_rank, dtype=np.intp)
        # Polygons in rank order, so a candidate's rank is its index here.
        self._polys = np.empty(n, dtype=object)
        self._polys[:] = [self.entries[p].geometry for p in by_rank]
        shapely.prepare(self._polys)
        self._build_grid(cell_size)
        # GEOS builds a prepared polygon's point locator lazily, on the first
        # test that passes the envelope check; do it now, so that concurrent
        # queries (shapely releases the GIL) only ever read shared state.
        if n:
            b = shapely.bounds(self._polys)
            shapely.intersects_xy(self._polys, (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)

    def __len__(self) -> int:
        return len(self.entries)

    # -- building -----------------------------------------------------------

    def _build_grid(self, cell_size: float | None) -> None:
        n = len(self._polys)
        if n:
            minx, miny, maxx, maxy = shapely.total_bounds(self._polys)
            if not np.isfinite([minx, miny, maxx, maxy]).all():
                raise ValueError("area geometries have non-finite coordinates")
        else:
            minx = miny = maxx = maxy = 0.0
        if cell_size is None:
            deepest = self.entries[self._by_rank[0]].level if n else None
            typical = [e.geometry for e in self.entries if e.level == deepest]
            cell_size = _default_cell_size(typical, (minx, miny, maxx, maxy))
        s = float(cell_size)
        if not (s > 0.0 and math.isfinite(s)):
            raise ValueError(f"cell_size must be a positive number, got {cell_size!r}")
        # Two cells of padding keep every boundary sample's 3×3 neighbourhood on
        # the grid, and make anything off the grid outside every polygon.
        self._x0 = minx - 2.0 * s
        self._y0 = miny - 2.0 * s
        self._inv = 1.0 / s
        self._nx = int((maxx - self._x0) * self._inv) + 3
        self._ny = int((maxy - self._y0) * self._inv) + 3
        ncells = self._nx * self._ny
        self.cell_size = s

        # Samples no more than s/2 apart along every ring: each boundary point
        # is within s/4 of one, and the 3×3 block around a sample's cell spans
        # ≥ s each side of it, so every cell within 3s/4 of a boundary is near.
        dense = shapely.segmentize(self._polys, s / 2.0)
        xy, sample_rank = shapely.get_coordinates(dense, return_index=True)
        sx, sy = self._cell_xy(xy[:, 0], xy[:, 1])
        group = np.searchsorted(sample_rank, np.arange(n + 1))

        # Best polygon covering each cell outright (the cell is not near its
        # boundary and its centre is inside), as a rank; n where none does.
        outright = np.full(ncells, n, dtype=np.int64)
        grid = outright.reshape(self._ny, self._nx)
        cx = self._x0 + (np.arange(self._nx) + 0.5) * s
        cy = self._y0 + (np.arange(self._ny) + 0.5) * s
        near_rank: list[np.ndarray] = []
        near_cell: list[np.ndarray] = []
        for r in range(n):
            g0, g1 = group[r], group[r + 1]
            if g0 == g1:  # empty geometry
                continue
            # The polygon's cells plus one on each side for the 3×3 spread.
            ix0, ix1 = sx[g0:g1].min() - 1, sx[g0:g1].max() + 2
            iy0, iy1 = sy[g0:g1].min() - 1, sy[g0:g1].max() + 2
            block = grid[iy0:iy1, ix0:ix1]
            mark = np.zeros(block.shape, dtype=bool)
            mark[sy[g0:g1] - iy0, sx[g0:g1] - ix0] = True
            near = mark.copy()
            near[1:] |= mark[:-1]
            near[:-1] |= mark[1:]
            mark = near.copy()
            near[:, 1:] |= mark[:, :-1]
            near[:, :-1] |= mark[:, 1:]
            free = block == n
            rows, cols = np.nonzero(free & ~near)
            if rows.size:
                hit = shapely.intersects_xy(self._polys[r], cx[ix0 + cols], cy[iy0 + rows])
                block[rows[hit], cols[hit]] = r
            # Near cells that no better polygon covers outright: this polygon
            # is a candidate there. (Rank order makes "better" = "seen before".)
            rows, cols = np.nonzero(free & near)
            near_rank.append(np.full(rows.size, r, dtype=np.int64))
            near_cell.append((iy0 + rows) * self._nx + (ix0 + cols))

        # Candidates per cell, best first: a stable sort by cell keeps rank order.
        cand_rank = np.concatenate([np.empty(0, np.int64), *near_rank])
        cand_cell = np.concatenate([np.empty(0, np.int64), *near_cell])
        order = np.argsort(cand_cell, kind="stable")
        cand_rank, cand_cell = cand_rank[order], cand_cell[order]
        first = np.flatnonzero(np.diff(cand_cell, prepend=-1))
        mixed = cand_cell[first]

        fallback = np.r_[self._by_rank, _OUTSIDE][outright]  # rank n (none) → -1
        # state >= 0: the answer's position; -1: outside; <= -2: mixed cell #(-2 - state).
        state = fallback.astype(np.int32)
        state[mixed] = -2 - np.arange(mixed.size)
        self._state = state
        self._mixed_fallback = fallback[mixed]
        self._mixed_start = first
        self._mixed_count = np.diff(np.r_[first, cand_rank.size])
        self._cand = cand_rank
        self.stats = {
            "cells": ncells,
            "mixed_cells": int(mixed.size),
            "candidates": int(cand_rank.size),
        }

    def _cell_xy(self, x, y):
        """Cell column and row of coordinates known to lie on the grid."""
        ix = np.floor((np.asarray(x, dtype=float) - self._x0) * self._inv).astype(np.int64)
        iy = np.floor((np.asarray(y, dtype=float) - self._y0) * self._inv).astype(np.int64)
        return ix, iy

    # -- queries ------------------------------------------------------------

    def locate_many(self, lng, lat) -> np.ndarray:
        """Position of the winning area for each point, or -1 outside every district.

        Non-finite or out-of-range coordinates simply give -1 here; use
        ``locate`` (or ``check_coordinates``) for a message.
        """
        x, y = np.broadcast_arrays(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float))
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        out = np.full(x.size, _OUTSIDE, dtype=np.intp)
        if x.size:
            self._locate_flat(out, x, y)
        return out.reshape(shape)

    def _locate_flat(self, out: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
        # Huge coordinates overflow to inf, which the range test drops.
        with np.errstate(over="ignore", invalid="ignore"):
            fx = (x - self._x0) * self._inv
            fy = (y - self._y0) * self._inv
        # The comparisons are False for NaN, so NaN drops out here.
        on = (fx >= 0.0) & (fx < self._nx) & (fy >= 0.0) & (fy < self._ny)
        idx = np.flatnonzero(on)
        cell = fy[idx].astype(np.int64) * self._nx + fx[idx].astype(np.int64)
        st = self._state[cell]
        out[idx] = st
        mixed = st <= -2
        if mixed.any():
            self._resolve_mixed(out, x, y, idx[mixed], -2 - st[mixed].astype(np.int64))

    def _resolve_mixed(self, out, x, y, pts, m) -> None:
        """Test points of mixed cells against their cell's candidates, best first."""
        start = self._mixed_start[m]
        count = self._mixed_count[m]
        result = self._mixed_fallback[m].copy()
        open_ = np.arange(pts.size)  # points still without a hit, as indexes into pts
        k = 0
        while open_.size:
            open_ = open_[count[open_] > k]
            if not open_.size:
                break
            rank = self._cand[start[open_] + k]
            p = pts[open_]
            hit = shapely.intersects_xy(self._polys[rank], x[p], y[p])
            result[open_[hit]] = self._by_rank[rank[hit]]
            open_ = open_[~hit]
            k += 1
        out[pts] = result

    def locate(self, lng: float, lat: float) -> list[int]:
        """Positions from the winning area up to its district, deepest first.

        Raises InvalidCoordinates for a bad pair and OutsideAllDistricts when no
        district covers the point.
        """
        x, y = check_coordinates(lng, lat)
        pos = int(self.locate_many([x], [y])[0])
        if pos < 0:
            message = f"({x}, {y}) is not inside any district of the index"
            if abs(x) <= 90.0 and self.locate_many([y], [x])[0] >= 0:
                message += f"; ({y}, {x}) is: were lng and lat swapped?"
            raise OutsideAllDistricts(message)
        return self.chain(pos)

    def chain(self, position: int) -> list[int]:
        """``position`` then its ancestors' positions, up to the root."""
        out = [position]
        parent = self.entries[position].parent_id
        while parent is not None:
            position = self._position_of_id[parent]
            if len(out) > len(self.entries):
                raise ValueError(f"cycle in parent ids through area {self.entries[position].code}")
            out.append(position)
            parent = self.entries[position].parent_id
        return out

    def position_of_id(self, area_id: int) -> int:
        return self._position_of_id[area_id]


def _check_entry(e: IndexEntry) -> None:
    if e.level not in LEVEL_INDEX:
        raise ValueError(f"area {e.code}: level {e.level!r} is not one of {', '.join(LEVELS)}")
    if e.kind not in (*KINDS, ""):
        raise ValueError(f"area {e.code}: kind {e.kind!r} is not one of {', '.join(KINDS)} or ''")
    if not isinstance(e.geometry, Polygon | MultiPolygon):
        raise ValueError(f"area {e.code}: geometry must be a Polygon or MultiPolygon")


def _default_cell_size(typical: list[BaseGeometry], bounds) -> float:
    """A cell ``CELLS_PER_AREA_SIDE`` times smaller than a median deepest-level area."""
    minx, miny, maxx, maxy = bounds
    extent = max(maxx - minx, maxy - miny)
    if not extent > 0.0:
        return 1.0
    areas = shapely.area(np.asarray(typical, dtype=object))
    areas = areas[areas > 0]
    s = math.sqrt(float(np.median(areas))) / CELLS_PER_AREA_SIDE if areas.size else extent
    # At most MAX_CELLS cells (an index spanning many far-apart districts), and
    # at least a few per side.
    s = max(s, math.sqrt((maxx - minx + 4 * s) * (maxy - miny + 4 * s) / MAX_CELLS))
    return min(s, extent / 4.0)

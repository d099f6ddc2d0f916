"""A deterministic demo territory shaped like Qingbaijiang District, Chengdu (青白江区).

``build_demo_features(seed)`` returns the whole hierarchy the article describes
(83 村/社区 总网格, 362 一般网格, 2,049 微网格 and 534 专属微网格) as
``AreaFeature`` objects with WGS84 GeoJSON geometries that pass the platform's
geometry rules: valid polygons, children tiling their parent exactly, dedicated
micro-grids small, inside their grid and disjoint.

How it is built:

1. An irregular outline of about 379 km² and a population density with an urban
   core (大弯/红阳) and town seats are laid out in local metres.
2. Each level is cut top-down by a Voronoi diagram whose seeds come from a
   density-weighted k-means (a centroidal Voronoi tessellation), so urban cells
   are small and rural villages large. Every cell is the intersection of convex
   Voronoi cells with the outline.
3. The micro-grid cells are noded into one planar graph and polygonized, so each
   edge exists once; a smooth displacement field then bends the straight
   Voronoi edges, applied per vertex so shared edges stay shared.
4. The faces go to WGS84 and are snap-rounded onto the 1e-7° grid as one
   arrangement; every level above is the coverage union of its children's
   faces, so tiling and containment hold exactly after rounding.
5. Dedicated micro-grids are rotated rectangles or L-shapes placed a few metres
   inside a general grid, apart from each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from shezhi.areas import constants as k
from shezhi.areas.features import AreaFeature
from shezhi.areas.geo.metric import LocalMetric

from . import names as dn

CENTRE_LNG = 104.25
CENTRE_LAT = 30.78
TARGET_AREA_M2 = 379.0e6  # the district's official 378.94 km²
GRID_DEG = 1e-7  # GeoJSON coordinates are rounded to 7 decimals

N_COMMUNITIES = 83
N_GRIDS = 362
N_MICRO = 2049
N_DEDICATED = 534

MIN_GRIDS_PER_COMMUNITY = 2
MIN_MICROS_PER_GRID = 3

DEDICATED_MARGIN_M = 8.0  # distance kept from the general grid's border
DEDICATED_GAP_M = 6.0  # distance kept between two dedicated micro-grids

_NODING_GRID_M = 1e-3  # snaps float noise between sibling edges before polygonizing
_SEGMENT_M = 120.0  # densify edges so the warp bends them instead of only moving ends


@dataclass(eq=False)
class _Unit:
    code: str
    name: str
    level: str
    parent: _Unit | None
    geom: Any  # metres while cutting, WGS84 once finalised
    pts: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # density samples
    children: list[_Unit] = field(default_factory=list)
    n_children: int = 0
    stem: str = ""
    urban: bool = False  # 社区 / 街道 rather than 村 / 镇
    anchor: tuple[float, float] = (0.0, 0.0)

    @property
    def mass(self) -> float:
        return float(len(self.pts))


def build_demo_features(seed: int = 2017) -> list[AreaFeature]:
    """The demo district's features, parents before children, each level by code."""
    return _Builder(seed).build()


def _stem(name: str) -> str:
    for suffix in ("街道", "社区", "镇", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer shares of ``total`` ≥ ``minimum`` each, by largest remainder."""
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("too few to give every parent its minimum")
    w = np.asarray(weights, dtype=float) + 1e-9
    share = w / w.sum() * rest
    out = np.floor(share).astype(int)
    order = np.argsort(-(share - out), kind="stable")
    out[order[: rest - out.sum()]] += 1
    return out + minimum


def _clockwise_order(units_xy: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """Indices sorted clockwise from north around ``centre`` (a plausible numbering)."""
    ang = np.arctan2(units_xy[:, 0] - centre[0], units_xy[:, 1] - centre[1]) % (2 * math.pi)
    return np.argsort(ang, kind="stable")


class _Builder:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.metric = LocalMetric(CENTRE_LNG, CENTRE_LAT)

    # ------------------------------------------------------------------ layout

    def build(self) -> list[AreaFeature]:
        outline = self._outline()
        self._setup_density(outline)
        district = _Unit(dn.DISTRICT_CODE, dn.DISTRICT_NAME, k.DISTRICT, None, outline)
        district.pts = self._sample(outline, 150_000)

        streets = self._cut_streets(district)
        communities = self._cut_communities(streets)
        for c, n in zip(
            communities,
            _allocate(N_GRIDS, np.array([c.mass for c in communities]), MIN_GRIDS_PER_COMMUNITY),
            strict=True,
        ):
            c.n_children = int(n)
        grids = self._cut_numbered(communities, k.GENERAL_GRID, "{}第{}网格")
        for g, n in zip(
            grids,
            _allocate(N_MICRO, np.array([g.mass for g in grids]), MIN_MICROS_PER_GRID),
            strict=True,
        ):
            g.n_children = int(n)
        micros = self._cut_numbered(grids, k.MICRO_GRID, "{}第{}微网格")

        self._finalise(district, streets, communities, grids, micros)
        dedicated = self._place_dedicated(grids)

        feats = [self._feature(u) for u in [district, *streets, *communities, *grids]]
        feats += [self._feature(u, kind=k.KIND_GENERAL) for u in micros]
        feats += dedicated
        feats.sort(key=lambda f: (k.LEVEL_INDEX[f.level], f.code))
        return feats

    def _outline(self) -> Any:
        """A star-shaped, wavy outline of the target area centred on the origin."""
        rng = self.rng
        t = np.linspace(0.0, 2 * math.pi, 720, endpoint=False)
        # Harmonics in log r (so r > 0 and the star-shaped polygon stays simple),
        # falling off like a rough natural boundary's; a weak second harmonic
        # keeps the east-west elongation set below.
        log_r = np.zeros_like(t)
        for harmonic in range(2, 41):
            amp = rng.uniform(0.3, 1.0) * (0.04 if harmonic == 2 else 0.3 / harmonic)
            log_r += amp * np.cos(harmonic * t + rng.uniform(0, 2 * math.pi))
        # Per-vertex roughness, lightly smoothed, like a boundary following fields.
        noise = rng.normal(0.0, 0.006, t.size)
        log_r += (np.roll(noise, 1) + noise + np.roll(noise, -1)) / 3.0
        r = np.exp(log_r)
        x, y = 1.55 * r * np.cos(t), r * np.sin(t)
        poly = shapely.Polygon(np.column_stack([x, y]))
        s = math.sqrt(TARGET_AREA_M2 / poly.area)
        return shapely.Polygon(np.column_stack([x * s, y * s]))

    def _setup_density(self, outline: Any) -> None:
        # (x, y, amplitude, sigma) in metres: the 大弯-红阳 core, 大同's new town,
        # then each town's seat.
        peaks = [(-1400.0, 2600.0, 14.0, 2200.0), (2600.0, -600.0, 4.0, 1400.0)]
        self.anchors = []
        for _suffix, _name, (ax, ay), seat, _comms in dn.STREETS:
            px, py = ax * 1000.0, ay * 1000.0
            # Keep an anchor inside whatever outline this seed drew.
            while not shapely.contains_xy(outline, px, py):
                px, py = px * 0.9, py * 0.9
            self.anchors.append((px, py))
            if seat:
                peaks.append((px, py, seat, 900.0))
        self.peaks = np.array(peaks)
        self.rho_max = 1.0 + float(self.peaks[:, 2].sum())

    def _density(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        rho = np.ones_like(x)
        for cx, cy, amp, sigma in self.peaks:
            rho += amp * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2.0 * sigma * sigma))
        return rho

    def _sample(self, poly: Any, n: int) -> np.ndarray:
        """``n`` points inside ``poly`` drawn from the density, by rejection."""
        minx, miny, maxx, maxy = poly.bounds
        shapely.prepare(poly)
        chunks, got = [], 0
        batch = max(4 * n, 2000)
        while got < n:
            x = self.rng.uniform(minx, maxx, batch)
            y = self.rng.uniform(miny, maxy, batch)
            keep = self.rng.uniform(0.0, self.rho_max, batch) < self._density(x, y)
            x, y = x[keep], y[keep]
            keep = shapely.contains_xy(poly, x, y)
            chunk = np.column_stack([x[keep], y[keep]])
            chunks.append(chunk)
            got += len(chunk)
            batch = min(batch * 2, 2_000_000)
        return np.concatenate(chunks)[:n]

    # ----------------------------------------------------------------- cutting

    def _cut_streets(self, district: _Unit) -> list[_Unit]:
        for _attempt in range(20):
            jitter = self.rng.normal(0.0, 250.0, (len(self.anchors), 2))
            cells = self._cells(district.geom, np.array(self.anchors) + jitter)
            if cells is not None:
                break
        else:
            raise RuntimeError("could not cut the district into streets")
        streets = []
        for (suffix, name, _a, _s, _c), anchor, cell in zip(
            dn.STREETS, self.anchors, cells, strict=True
        ):
            u = _Unit(dn.DISTRICT_CODE + suffix, name, k.STREET, district, cell)
            u.stem, u.urban, u.anchor = _stem(name), name.endswith("街道"), anchor
            u.pts = district.pts[shapely.contains_xy(cell, district.pts[:, 0], district.pts[:, 1])]
            district.children.append(u)
            streets.append(u)
        return streets

    def _cut_communities(self, streets: list[_Unit]) -> list[_Unit]:
        assert sum(len(s[4]) for s in dn.STREETS) == N_COMMUNITIES
        out = []
        for street, spec in zip(streets, dn.STREETS, strict=True):
            names = spec[4]
            cells, pts = self._split(street.geom, street.pts, len(names))
            # The seat community takes the cell nearest the street's anchor.
            reps = shapely.get_coordinates(shapely.point_on_surface(np.array(cells)))
            dist = np.hypot(reps[:, 0] - street.anchor[0], reps[:, 1] - street.anchor[1])
            n_urban = n_rural = 0
            for name, i in zip(names, np.argsort(dist, kind="stable"), strict=True):
                urban = name.endswith("社区")
                if urban:
                    n_urban += 1
                    suffix = f"{n_urban:03d}"
                else:
                    n_rural += 1
                    suffix = f"{200 + n_rural:03d}"
                u = _Unit(street.code + suffix, name, k.COMMUNITY, street, cells[i])
                u.stem, u.urban, u.pts = _stem(name), urban, pts[i]
                street.children.append(u)
                out.append(u)
        return out

    def _cut_numbered(self, parents: list[_Unit], level: str, pattern: str) -> list[_Unit]:
        out = []
        for parent in parents:
            cells, pts = self._split(parent.geom, parent.pts, parent.n_children)
            reps = shapely.get_coordinates(shapely.point_on_surface(np.array(cells)))
            centre = shapely.get_coordinates(shapely.point_on_surface(parent.geom))[0]
            for number, i in enumerate(_clockwise_order(reps, centre), start=1):
                u = _Unit(
                    f"{parent.code}{number:03d}",
                    pattern.format(parent.name, number),
                    level,
                    parent,
                    cells[i],
                )
                u.pts = pts[i]
                parent.children.append(u)
                out.append(u)
        return out

    def _split(self, poly: Any, pts: np.ndarray, n: int) -> tuple[list[Any], list[np.ndarray]]:
        """Cut ``poly`` into ``n`` cells of roughly equal population."""
        if n == 1:
            return [poly], [pts]
        if len(pts) < 30 * n:
            pts = np.concatenate([pts, self._sample(poly, 30 * n - len(pts))])
        cells = None
        for _attempt in range(12):
            seeds = self._seeds(poly, pts, n)
            attempt = None if seeds is None else self._cells(poly, seeds)
            if attempt is None:
                continue
            cells = attempt  # usable; a retry only hopes for no tiny cell
            if shapely.area(np.array(cells)).min() > 0.04 * poly.area / n:
                break
        if cells is None:
            raise RuntimeError("could not cut a cell")
        out_pts = []
        for cell in cells:
            shapely.prepare(cell)
            out_pts.append(pts[shapely.contains_xy(cell, pts[:, 0], pts[:, 1])])
        return cells, out_pts

    def _seeds(self, poly: Any, pts: np.ndarray, n: int) -> np.ndarray | None:
        """Density-weighted k-means (k-means++ start, Lloyd steps) on samples."""
        rng = self.rng
        if len(pts) > 60 * n + 100:
            pts = pts[rng.choice(len(pts), 60 * n + 100, replace=False)]
        m = len(pts)
        centres = np.empty((n, 2))
        centres[0] = pts[rng.integers(m)]
        d2 = ((pts - centres[0]) ** 2).sum(1)
        for i in range(1, n):
            total = d2.sum()
            j = rng.choice(m, p=d2 / total) if total > 0 else rng.integers(m)
            centres[i] = pts[j]
            d2 = np.minimum(d2, ((pts - centres[i]) ** 2).sum(1))
        for _ in range(10):
            lab = ((pts[:, None, :] - centres[None, :, :]) ** 2).sum(2).argmin(1)
            cnt = np.bincount(lab, minlength=n)
            ok = cnt > 0
            sx = np.bincount(lab, weights=pts[:, 0], minlength=n)
            sy = np.bincount(lab, weights=pts[:, 1], minlength=n)
            centres[ok, 0] = sx[ok] / cnt[ok]
            centres[ok, 1] = sy[ok] / cnt[ok]
        # A centroid can fall outside a concave parent; its nearest member can't.
        outside = ~shapely.contains_xy(poly, centres[:, 0], centres[:, 1])
        for i in np.flatnonzero(outside):
            members = pts[lab == i] if (lab == i).any() else pts
            centres[i] = members[((members - centres[i]) ** 2).sum(1).argmin()]
        if len(np.unique(np.round(centres, 3), axis=0)) < n:
            return None
        return centres

    def _cells(self, poly: Any, seeds: np.ndarray) -> list[Any] | None:
        """Voronoi cells of ``seeds`` clipped to ``poly``, one Polygon per seed."""
        if len(seeds) == 1:
            return [poly]
        env = shapely.buffer(shapely.envelope(poly), 1000.0, join_style="mitre")
        vor = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=env, ordered=True)
        clipped = shapely.intersection(shapely.get_parts(vor), poly)
        mains: list[Any] = []
        orphans: list[Any] = []
        for (sx, sy), g in zip(seeds, clipped, strict=True):
            parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0.0]
            if not parts:
                return None
            home = [p for p in parts if shapely.intersects_xy(p, sx, sy)]
            main = home[0] if home else max(parts, key=lambda p: p.area)
            mains.append(main)
            orphans += [p for p in parts if p is not main]
        # A convex cell can cross a bay of the outline; give the far piece to the
        # sibling it borders most rather than leave a split cell.
        for piece in orphans:
            touch = shapely.area(shapely.intersection(shapely.buffer(piece, 0.5), mains))
            j = int(np.argmax(touch))
            merged = shapely.union(mains[j], piece)
            if merged.geom_type != "Polygon":
                merged = shapely.union(mains[j], piece, grid_size=_NODING_GRID_M)
            if merged.geom_type != "Polygon":
                return None
            mains[j] = merged
        return mains

    # -------------------------------------------------------------- finishing

    def _warp_fn(self):
        """A smooth displacement field with Lipschitz constant ≤ 0.5 (so a homeomorphism)."""
        rng = self.rng
        waves = []
        for lam, gain in ((9000.0, 0.15), (5000.0, 0.15), (3000.0, 0.12), (1800.0, 0.08)):
            theta = rng.uniform(0, 2 * math.pi)
            wv = 2 * math.pi / lam * np.array([math.cos(theta), math.sin(theta)])
            amp = gain * lam / (2 * math.pi)
            phi = rng.uniform(0, 2 * math.pi)
            dir_ = rng.uniform(0, 2 * math.pi)
            waves.append((wv, amp * np.array([math.cos(dir_), math.sin(dir_)]), phi))

        def warp(xy: np.ndarray) -> np.ndarray:
            out = xy.copy()
            for wv, disp, phi in waves:
                s = np.sin(xy @ wv + phi)
                out += s[:, None] * disp[None, :]
            return out

        return warp

    def _finalise(self, district, streets, communities, grids, micros) -> None:
        cells = np.array([u.geom for u in micros])
        # One planar graph: every edge once, so faces share exact vertices.
        lines = shapely.unary_union(shapely.boundary(cells), grid_size=_NODING_GRID_M)
        lines = shapely.segmentize(lines, _SEGMENT_M)
        faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
        owner = _assign(faces, cells)

        warp = self._warp_fn()
        faces = shapely.transform(faces, warp)
        whole = shapely.coverage_union_all(faces)
        scale = math.sqrt(TARGET_AREA_M2 / whole.area)
        centre = shapely.get_coordinates(shapely.centroid(whole))[0]
        # Pointwise maps only, so a vertex shared by two faces stays one vertex.
        faces = self.metric.to_wgs84(shapely.transform(faces, lambda xy: (xy - centre) * scale))
        # Snap-round the whole arrangement once, so rounding cannot split an edge.
        lines = shapely.unary_union(shapely.boundary(faces), grid_size=GRID_DEG)
        faces2 = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
        owner2 = owner[_assign(faces2, faces)]

        by_micro: list[list[int]] = [[] for _ in micros]
        for i, m in enumerate(owner2):
            by_micro[m].append(i)
        for u, idx in zip(micros, by_micro, strict=True):
            if not idx:
                raise RuntimeError(f"micro-grid {u.code} lost its area")
            u.geom = faces2[idx[0]] if len(idx) == 1 else shapely.coverage_union_all(faces2[idx])
        for level in (grids, communities, streets, [district]):
            for u in level:
                u.geom = shapely.coverage_union_all(np.array([c.geom for c in u.children]))
        for u in [district, *streets, *communities, *grids, *micros]:
            if u.geom.geom_type != "Polygon" or not u.geom.is_valid:
                # Never expected; surfaced loudly rather than exported broken.
                raise RuntimeError(f"{u.code} came out as an invalid {u.geom.geom_type}")

    # -------------------------------------------------------------- dedicated

    def _place_dedicated(self, grids: list[_Unit]) -> list[AreaFeature]:
        rng = self.rng
        metric = self.metric
        gm = metric.to_metres(np.array([g.geom for g in grids]))
        inner = shapely.buffer(gm, -DEDICATED_MARGIN_M, join_style="mitre")
        shapely.prepare(inner)
        areas = shapely.area(gm)
        masses = np.array([g.mass for g in grids]) + 1.0
        angles = _long_side_angles(gm)
        street_names = [s[1] for s in dn.STREETS]
        street_of = np.array([street_names.index(g.parent.parent.name) for g in grids])
        community_of = np.array([g.parent.code for g in grids])
        placed: list[list[Any]] = [[] for _ in grids]
        count = np.zeros(len(grids))
        used: set[str] = set()
        results: list[tuple[int, str, str, Any]] = []

        for dtype, street, fixed_name, fixed_size in self._dedicated_plan(street_of):
            by_area = dtype in ("enterprise", "construction_site", "other")
            tried = np.zeros(len(grids), dtype=bool)
            while True:
                pool = (street_of == street) & ~tried
                if not pool.any():
                    pool = ~tried  # the street is full: a neighbour's grid will do
                if not pool.any():
                    raise RuntimeError(f"could not place a dedicated {dtype} micro-grid")
                w = np.where(pool, (areas if by_area else masses) / (1.0 + count) ** 2, 0.0)
                gi = int(rng.choice(len(grids), p=w / w.sum()))
                tried[gi] = True
                if fixed_name is not None:
                    spec = (fixed_name, fixed_size, False)
                else:
                    spec = self._dedicated_name(dtype, grids[gi], used)
                    if spec is None:
                        # Names depend on the community only: its other grids can't help.
                        tried |= community_of == community_of[gi]
                        continue
                name, (fw, fd), lshape = spec
                fp = self._fit(inner[gi], placed[gi], fw, fd, angles[gi], lshape)
                if fp is None:
                    continue
                placed[gi].append(fp)
                count[gi] += 1
                used.add(name)
                results.append((gi, name, dtype, fp))
                break

        feats = []
        numbers = np.zeros(len(grids), dtype=int)
        for gi, name, dtype, fp in results:
            numbers[gi] += 1
            geom = shapely.set_precision(metric.to_wgs84(fp), GRID_DEG)
            if geom.geom_type != "Polygon" or not geom.is_valid:
                raise RuntimeError(f"dedicated footprint {name} is invalid")
            grid = grids[gi]
            feats.append(
                AreaFeature(
                    code=f"{grid.code}{500 + numbers[gi]:03d}",
                    name=name,
                    level=k.MICRO_GRID,
                    parent_code=grid.code,
                    geometry=_geojson(geom),
                    kind=k.KIND_DEDICATED,
                    dedicated_type=dtype,
                )
            )
        return feats

    def _dedicated_plan(self, street_of: np.ndarray):
        """(type, street index, fixed name, fixed size) for each dedicated micro-grid."""
        rng = self.rng
        street_names = [s[1] for s in dn.STREETS]
        plan: list[tuple[str, int, str | None, tuple[float, float] | None]] = []
        left = dict(dn.DEDICATED_COUNTS)
        for name, dtype, street, w, d in dn.LANDMARKS:
            plan.append((dtype, street_names.index(street), name, (w, d)))
            left[dtype] -= 1
        grids_per_street = np.bincount(street_of, minlength=len(street_names))
        generated = []
        for dtype, n in left.items():
            # sqrt: the dense core has many small grids but not that many schools.
            p = np.array(dn.STREET_AFFINITY[dtype], dtype=float) * np.sqrt(grids_per_street)
            for s in rng.choice(len(street_names), size=n, p=p / p.sum()):
                generated.append((dtype, int(s), None, None))
        plan += [generated[i] for i in rng.permutation(len(generated))]
        assert len(plan) == N_DEDICATED
        return plan

    def _dedicated_name(self, dtype: str, grid: _Unit, used: set[str]):
        """(name, (width, depth), L-shaped?) for a new ``dtype`` in ``grid``, or None."""
        rng = self.rng
        community = grid.parent
        street = community.parent
        lshape = dtype in ("enterprise", "hospital", "school") and rng.random() < 0.3
        if dtype == "enterprise":
            port = street.name in dn.PORT_STREETS and rng.random() < 0.5
            for _ in range(30):
                trade_name = dn.TRADE_NAMES[rng.integers(len(dn.TRADE_NAMES))]
                trade, wr, dr = dn.TRADES[rng.integers(len(dn.TRADES))]
                if port and trade not in dn.PORT_TRADES:
                    continue
                if port:
                    prefix = dn.PORT_PREFIX
                else:
                    prefix = dn.ENTERPRISE_PREFIXES[rng.integers(len(dn.ENTERPRISE_PREFIXES))]
                name = f"{prefix}{trade_name}{trade}有限公司"
                if name not in used:
                    return name, (rng.uniform(*wr), rng.uniform(*dr)), lshape
            return None
        scope_ok = {
            "any": True,
            "urban": community.urban,
            "rural": not community.urban,
            "jiedao": street.urban,
            "town": not street.urban,
        }
        templates = [t for t in dn.TEMPLATES[dtype] if scope_ok[t[1]]]
        for i in rng.permutation(len(templates)):
            pattern, _scope, wr, dr = templates[i]
            name = pattern.format(c=community.stem, C=community.name, s=street.stem, S=street.name)
            if name not in used:
                return name, (rng.uniform(*wr), rng.uniform(*dr)), lshape
        return None

    def _fit(self, inner, placed, w, d, angle, lshape):
        """A footprint inside ``inner`` and clear of ``placed``, shrinking if needed."""
        rng = self.rng
        if inner.is_empty:
            return None
        for scale in (1.0, 0.85, 0.72, 0.6):
            fw, fd = w * scale, d * scale
            core = shapely.buffer(inner, -0.5 * min(fw, fd), quad_segs=2)
            if core.is_empty:
                continue
            minx, miny, maxx, maxy = core.bounds
            x = rng.uniform(minx, maxx, 48)
            y = rng.uniform(miny, maxy, 48)
            ok = shapely.contains_xy(core, x, y)
            for px, py in zip(x[ok][:12], y[ok][:12], strict=True):
                fp = _footprint(px, py, fw, fd, angle + rng.normal(0.0, 0.1), lshape)
                if not shapely.contains(inner, fp):
                    continue
                if placed and shapely.dwithin(np.array(placed), fp, DEDICATED_GAP_M).any():
                    continue
                return fp
        return None

    # ----------------------------------------------------------------- output

    def _feature(self, u: _Unit, kind: str = "") -> AreaFeature:
        return AreaFeature(
            code=u.code,
            name=u.name,
            level=u.level,
            parent_code=u.parent.code if u.parent else None,
            geometry=_geojson(u.geom),
            kind=kind,
        )


def _assign(pieces: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each piece, the index of the target it overlaps most."""
    tree = shapely.STRtree(targets)
    pi, ti = tree.query(shapely.point_on_surface(pieces), predicate="intersects")
    hits = np.bincount(pi, minlength=len(pieces))
    owner = np.full(len(pieces), -1)
    single = hits[pi] == 1
    owner[pi[single]] = ti[single]
    for i in np.flatnonzero(owner < 0):
        cand = tree.query(pieces[i], predicate="intersects")
        if len(cand) == 0:
            cand = tree.query_nearest(pieces[i])
        overlap = shapely.area(shapely.intersection(pieces[i], targets[cand]))
        owner[i] = cand[int(np.argmax(overlap))]
    return owner


def _long_side_angles(polygons: np.ndarray) -> list[float]:
    """Direction of each polygon's oriented envelope's long side, in radians."""
    out = []
    for e in shapely.oriented_envelope(polygons):
        (x0, y0), (x1, y1), (x2, y2) = shapely.get_coordinates(e)[:3]
        if math.hypot(x1 - x0, y1 - y0) >= math.hypot(x2 - x1, y2 - y1):
            out.append(math.atan2(y1 - y0, x1 - x0))
        else:
            out.append(math.atan2(y2 - y1, x2 - x1))
    return out


def _footprint(cx, cy, w, d, angle, lshape):
    if lshape:
        # A building complex missing one corner.
        fx, fy = 0.55, 0.6
        local = np.array(
            [[0, 0], [w, 0], [w, fy * d], [fx * w, fy * d], [fx * w, d], [0, d]], dtype=float
        )
    else:
        local = np.array([[0, 0], [w, 0], [w, d], [0, d]], dtype=float)
    local -= (w / 2.0, d / 2.0)
    c, s = math.cos(angle), math.sin(angle)
    xy = local @ np.array([[c, s], [-s, c]]) + (cx, cy)
    return shapely.Polygon(xy)


def _ring(ring: Any) -> list[list[float]]:
    return np.round(shapely.get_coordinates(ring), 7).tolist()


def _geojson(polygon: Any) -> dict[str, Any]:
    polygon = shapely.orient_polygons(polygon)  # RFC 7946: exteriors counter-clockwise
    rings = [_ring(polygon.exterior), *(_ring(r) for r in polygon.interiors)]
    return {"type": "Polygon", "coordinates": rings}

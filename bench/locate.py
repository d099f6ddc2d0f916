"""Batch point location: AreaIndex.locate_many against geopandas and bare STRtrees.

    python bench/locate.py [--points 1000000] [--seed N] [--synthetic]

Builds the demo district's areas (``shezhi.demo.areas.geometry``), or with
``--synthetic`` a nested tessellation of the same shape made here, draws N
seeded uniform points in the district's bounding box and times, on one core:

  (a) ``AreaIndex.locate_many`` (index build reported apart);
  (b) ``geopandas.sjoin(points, areas, predicate="intersects")`` then the
      winner rule with pandas;
  (c) ``shapely.STRtree.query(points, predicate="intersects")`` then the
      winner rule with numpy;
  (d) an STRtree queried by bounding box only, ``shapely.intersects_xy`` on
      prepared polygons for the candidate pairs, then the winner rule: the
      best plain vectorised shapely does. (``query`` with a predicate prepares
      the query geometry, here the point, and tests it against unprepared
      polygons, so (c) and geopandas slow down with the vertex count.)

"intersects" is used throughout because for a point against a polygon it is
"covered by": boundaries included, as the locator's rule says ("within" would
drop points on edges). Each method's clock runs from the raw lng/lat arrays to
one answer per point. All must agree point for point: the script exits 1 when
they do not.
"""

from __future__ import annotations

import os

# One core: pin the BLAS/OpenMP pools before numpy loads, and the process too.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import shapely  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shezhi.areas import constants as C  # noqa: E402
from shezhi.areas.features import AreaFeature  # noqa: E402
from shezhi.areas.geo.locator import AreaIndex, IndexEntry  # noqa: E402

TARGET_SECONDS_PER_MILLION = 1.5


# -- synthetic district --------------------------------------------------------


def _split(poly, n, rng):
    """``poly`` cut into ``n`` Voronoi pieces seeded inside it."""
    if n == 1:
        return [poly]
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    seeds = np.empty((0, 2))
    while len(seeds) < n:
        xs = rng.uniform(minx, maxx, 4 * n)
        ys = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(poly, xs, ys)
        seeds = np.r_[seeds, np.c_[xs[inside], ys[inside]]]
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds[:n]), extend_to=poly)
    pieces = []
    for cell in shapely.get_parts(cells):
        parts = [p for p in shapely.get_parts(shapely.intersection(cell, poly)) if p.area > 0]
        parts = [p for p in parts if p.geom_type == "Polygon"]
        if parts:
            pieces.append(parts[0] if len(parts) == 1 else shapely.multipolygons(parts))
    return pieces


def _counts(total, n, rng):
    """``total`` split into ``n`` uneven positive parts."""
    w = rng.uniform(0.5, 1.5, n)
    c = np.maximum(1, np.floor(w / w.sum() * total)).astype(int)
    while c.sum() < total:
        c[rng.integers(n)] += 1
    while c.sum() > total:
        i = rng.integers(n)
        c[i] -= c[i] > 1
    return c


def synthetic_features(seed: int = 7) -> list[AreaFeature]:
    """A district shaped like the demo one: 8 streets, 83 communities, 362
    general grids, 2,066 general micro-grids tiling them and 534 dedicated
    micro-grids overlapping those. Edges are densified and gently warped so
    that areas have tens of vertices, as surveyed boundaries do.
    """
    rng = np.random.default_rng(seed)
    cx, cy, rx, ry = 104.35, 30.83, 0.12, 0.09  # about the demo district's size
    t = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = 1 + 0.12 * np.sin(3 * t + 1) + 0.07 * np.sin(7 * t) + rng.normal(0, 0.01, t.size)
    district = shapely.Polygon(np.c_[cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)])
    items: list[tuple[str, str, str | None, object, str]] = [
        ("510113", C.DISTRICT, None, district, "")
    ]
    comm_counts = _counts(83, 8, rng)
    grid_counts = _counts(362, 83, rng)
    micro_counts = _counts(2066, 362, rng)
    ci = gi = 0
    for si, street in enumerate(_split(district, 8, rng)):
        scode = f"510113{si + 1:03d}"
        items.append((scode, C.STREET, "510113", street, ""))
        for k, comm in enumerate(_split(street, int(comm_counts[si]), rng)):
            ccode = f"{scode}{k + 1:03d}"
            items.append((ccode, C.COMMUNITY, scode, comm, ""))
            for j, grid in enumerate(_split(comm, int(grid_counts[ci]), rng)):
                gcode = f"{ccode}{j + 1:03d}"
                items.append((gcode, C.GENERAL_GRID, ccode, grid, ""))
                for m, micro in enumerate(_split(grid, int(micro_counts[gi]), rng)):
                    items.append((f"{gcode}{m + 1:03d}", C.MICRO_GRID, gcode, micro, "general"))
                gi += 1
            ci += 1
    grids = [it for it in items if it[1] == C.GENERAL_GRID]
    used: dict[str, int] = {}
    for _ in range(534):
        gcode, _, _, grid, _ = grids[rng.integers(len(grids))]
        centre = shapely.point_on_surface(grid)
        blob = shapely.intersection(
            centre.buffer(math.sqrt(grid.area) * rng.uniform(0.1, 0.3)), grid
        )
        blob = max((p for p in shapely.get_parts(blob) if p.area > 0), key=lambda p: p.area)
        used[gcode] = used.get(gcode, 500) + 1
        items.append((f"{gcode}{used[gcode]:03d}", C.MICRO_GRID, gcode, blob, "dedicated"))

    geoms = np.array([it[3] for it in items], dtype=object)
    step = math.sqrt(district.area / 2600) / 6
    geoms = shapely.segmentize(geoms, step)
    # A smooth warp maps shared vertices to the same place, so tiles still tile.
    amp, k = step / 2, 2 * math.pi / (6 * step)
    geoms = shapely.transform(
        geoms,
        lambda xy: xy + amp * np.c_[np.sin(k * xy[:, 1]), np.sin(k * xy[:, 0] + 1.0)],
    )
    return [
        AreaFeature(
            code=code,
            name=code,
            level=level,
            parent_code=parent,
            geometry=shapely.geometry.mapping(g),
            kind=kind,
            dedicated_type="other" if kind == "dedicated" else "",
        )
        for (code, level, parent, _, kind), g in zip(items, geoms, strict=True)
    ]


# -- the methods -----------------------------------------------------------------


def rank_of(entries: list[IndexEntry]) -> np.ndarray:
    """Each entry's place under the rule (0 best), computed independently."""
    order = sorted(
        range(len(entries)),
        key=lambda i: (
            -C.LEVEL_INDEX[entries[i].level],
            entries[i].kind != C.KIND_DEDICATED,
            entries[i].code,
        ),
    )
    rank = np.empty(len(entries), dtype=np.int64)
    rank[order] = np.arange(len(entries))
    return rank


def by_strtree(tree, rank, x, y) -> np.ndarray:
    points = shapely.points(x, y)
    pt, area = tree.query(points, predicate="intersects")
    order = np.lexsort((rank[area], pt))
    pt, area = pt[order], area[order]
    first = np.flatnonzero(np.diff(pt, prepend=-1))
    out = np.full(x.size, -1, dtype=np.int64)
    out[pt[first]] = area[first]
    return out


def by_strtree_prepared(tree, rank, x, y) -> np.ndarray:
    """Bounding-box candidates, then the predicate on prepared polygons."""
    pt, area = tree.query(shapely.points(x, y))
    hit = shapely.intersects_xy(tree.geometries[area], x[pt], y[pt])
    pt, area = pt[hit], area[hit]
    order = np.lexsort((rank[area], pt))
    pt, area = pt[order], area[order]
    first = np.flatnonzero(np.diff(pt, prepend=-1))
    out = np.full(x.size, -1, dtype=np.int64)
    out[pt[first]] = area[first]
    return out


def by_geopandas(areas, x, y) -> np.ndarray:
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
    joined = gpd.sjoin(points, areas, how="inner", predicate="intersects")
    best = (
        joined.reset_index(names="point")
        .sort_values(["point", "rank"])
        .drop_duplicates("point", keep="first")
    )
    out = np.full(x.size, -1, dtype=np.int64)
    out[best["point"].to_numpy()] = best["position"].to_numpy()
    return out


# -- main ------------------------------------------------------------------------


def load_features(synthetic: bool) -> tuple[list[AreaFeature], str]:
    if synthetic:
        return synthetic_features(), "synthetic district"
    # The demo package sits above the apps (its __init__ loads models): Django first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    try:
        from shezhi.demo.areas.geometry import build_demo_features
    except ImportError as exc:
        sys.exit(f"cannot build the demo district ({exc}); run with --synthetic")
    return build_demo_features(), "demo district"


def to_entries(features: list[AreaFeature]) -> list[IndexEntry]:
    ids = {f.code: i + 1 for i, f in enumerate(features)}
    geoms = [shapely.geometry.shape(f.geometry) for f in features]
    return [
        IndexEntry(
            id=ids[f.code],
            code=f.code,
            level=f.level,
            kind=f.kind or "",
            parent_id=ids[f.parent_code] if f.parent_code else None,
            geometry=g,
        )
        for f, g in zip(features, geoms, strict=True)
    ]


def timed(fn, *args):
    """``fn(*args)``, its wall-clock seconds and its process CPU seconds.

    On a shared machine the wall clock includes time other processes had the
    core; the CPU time is what the method itself used.
    """
    w, c = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - w, time.process_time() - c


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--seed", type=int, default=1, help="for the points (default 1)")
    parser.add_argument(
        "--synthetic", action="store_true", help="use a synthetic district, not the demo one"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    import geopandas as gpd

    features, label = load_features(args.synthetic)
    entries = to_entries(features)
    levels = {lv: sum(e.level == lv for e in entries) for lv in C.LEVELS}
    dedicated = sum(e.kind == C.KIND_DEDICATED for e in entries)
    vertices = int(shapely.get_num_coordinates([e.geometry for e in entries]).sum())
    print(f"{label}: {len(entries)} areas ({', '.join(f'{v} {k}' for k, v in levels.items())};")
    print(f"  {dedicated} dedicated micro-grids), {vertices:,} vertices")

    districts = [e.geometry for e in entries if e.level == C.DISTRICT]
    minx, miny, maxx, maxy = shapely.total_bounds(districts)
    rng = np.random.default_rng(args.seed)
    n = args.points
    x = rng.uniform(minx, maxx, n)
    y = rng.uniform(miny, maxy, n)
    print(f"{n:,} uniform points in the district bbox, seed {args.seed}, one core")

    # Builds, reported apart from the queries.
    index, t_index, _ = timed(AreaIndex, entries)
    rank = rank_of(entries)
    # Fresh geometries for the others: building the index prepared its own.
    geoms = np.array([shapely.geometry.shape(f.geometry) for f in features], dtype=object)
    tree, t_tree, _ = timed(shapely.STRtree, geoms)
    prepared = shapely.from_wkb(shapely.to_wkb(geoms))
    t = time.perf_counter()
    tree_prepared = shapely.STRtree(prepared)
    shapely.prepare(prepared)
    t_tree_prepared = time.perf_counter() - t

    def make_frame():
        frame = gpd.GeoDataFrame(
            {"position": np.arange(len(entries)), "rank": rank}, geometry=list(geoms)
        )
        frame.sindex  # noqa: B018 - builds the spatial index now, not inside the join
        return frame

    frame, t_frame, _ = timed(make_frame)

    ours, t_ours, c_ours = timed(index.locate_many, x, y)
    gp, t_gp, c_gp = timed(by_geopandas, frame, x, y)
    st, t_st, c_st = timed(by_strtree, tree, rank, x, y)
    sp, t_sp, c_sp = timed(by_strtree_prepared, tree_prepared, rank, x, y)

    print()
    print(f"{'method':<36}{'build s':>9}{'query s':>9}{'cpu s':>9}{'points/s':>13}{'× ours':>8}")
    for name, build, secs, cpu in (
        ("AreaIndex.locate_many", t_index, t_ours, c_ours),
        ("geopandas.sjoin + pandas winner", t_frame, t_gp, c_gp),
        ("STRtree.query + numpy winner", t_tree, t_st, c_st),
        ("STRtree bbox + prepared xy + winner", t_tree_prepared, t_sp, c_sp),
    ):
        print(
            f"{name:<36}{build:>9.3f}{secs:>9.3f}{cpu:>9.3f}{n / secs:>13,.0f}{secs / t_ours:>8.1f}"
        )
    stats = index.stats
    print(
        f"index: cell {index.cell_size:.6f}°, {stats['cells']:,} cells, "
        f"{stats['mixed_cells']:,} with candidates; "
        f"{int((ours >= 0).sum()):,} points inside, {int((ours < 0).sum()):,} outside"
    )

    print()
    budget = TARGET_SECONDS_PER_MILLION * n / 1e6
    fast = t_ours <= budget
    print(
        f"target: ours ≤ {budget:.2f} s for {n:,} points (1.5 s per million): "
        f"{'PASS' if fast else 'MISS'} ({t_ours:.3f} s wall, {c_ours:.3f} s CPU)"
    )
    print(
        f"target: geopandas at least as slow as ours: "
        f"{'PASS' if t_gp >= t_ours else 'MISS'} ({t_gp / t_ours:.1f}×)"
    )
    bad = {
        name: int((other != ours).sum())
        for name, other in (("geopandas", gp), ("STRtree", st), ("prepared", sp))
    }
    print(f"disagreements with ours: {', '.join(f'{k} {v}' for k, v in bad.items())} (must be 0)")
    if any(bad.values()):
        for i in np.flatnonzero((gp != ours) | (st != ours) | (sp != ours))[:5]:
            print(f"  point {i} ({x[i]!r}, {y[i]!r}): ours {ours[i]}, geopandas {gp[i]}, ", end="")
            print(f"STRtree {st[i]}, prepared {sp[i]}")
        return 1
    print("all methods agree point for point")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Point → area look-up on small hand-built polygons (pure shapely, no database)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from shezhi.areas import constants as C
from shezhi.areas.geo.locator import (
    AreaIndex,
    IndexEntry,
    InvalidCoordinates,
    OutsideAllDistricts,
)


@pytest.fixture(autouse=True)
def _test_settings():
    # These tests need no Django: shadow the suite's settings fixture so they
    # also run with the django plugin disabled.
    yield


# Layout in "units" of 0.001° from (120.0, 30.0); computing every coordinate the
# same way keeps shared edges exactly shared.
X0, Y0, U = 120.0, 30.0, 0.001


def P(x, y):
    return X0 + x * U, Y0 + y * U


def B(x0, y0, x1, y1, holes=()):
    shell = box(*P(x0, y0), *P(x1, y1))
    return Polygon(shell.exterior, [box(*P(*h[:2]), *P(*h[2:])).exterior for h in holes])


# code: (level, kind, geometry). Parents follow from the code prefix.
LAYOUT = {
    # District A: two streets; S1 has two communities.
    "330106": (C.DISTRICT, "", B(0, 0, 100, 100)),
    "330106001": (C.STREET, "", B(0, 0, 50, 100)),
    "330106002": (C.STREET, "", B(50, 0, 100, 100)),  # no communities drawn
    "330106001001": (C.COMMUNITY, "", B(0, 0, 50, 50)),
    "330106001002": (C.COMMUNITY, "", B(0, 50, 50, 100)),
    "330106001001001": (C.GENERAL_GRID, "", B(0, 0, 25, 50)),
    "330106001001002": (C.GENERAL_GRID, "", B(25, 0, 50, 50)),
    # A general grid with a hole: the hole belongs to the community.
    "330106001002001": (C.GENERAL_GRID, "", B(0, 50, 50, 100, holes=[(20, 70, 30, 80)])),
    # Micro-grids: M1 | M2 share the edge x = 10; G2 is only partly covered (by M3).
    "330106001001001001": (C.MICRO_GRID, C.KIND_GENERAL, B(0, 0, 10, 50)),
    "330106001001001002": (C.MICRO_GRID, C.KIND_GENERAL, B(10, 0, 25, 50)),
    "330106001001002001": (C.MICRO_GRID, C.KIND_GENERAL, B(25, 0, 40, 50)),
    # A dedicated micro-grid over M1 and M2, with a higher code than both.
    "330106001001001901": (C.MICRO_GRID, C.KIND_DEDICATED, B(5, 35, 15, 45)),
    # District B, far to the east; its street is a MultiPolygon.
    "330107": (C.DISTRICT, "", B(200, 0, 300, 100)),
    "330107001": (
        C.STREET,
        "",
        MultiPolygon([B(200, 0, 240, 100), B(260, 0, 300, 40)]),
    ),
}


def make_entries(layout=LAYOUT, order=None):
    codes = list(layout) if order is None else order
    ids = {code: 1000 + i for i, code in enumerate(sorted(layout))}
    entries = []
    for code in codes:
        level, kind, geom = layout[code]
        parent = ids.get(code[:-3]) if len(code) > 6 else None
        entries.append(IndexEntry(ids[code], code, level, kind, parent, geom))
    return entries


@pytest.fixture(scope="module", params=[None, 0.0004, 0.03], ids=["default", "fine", "coarse"])
def index(request):
    # Entries deliberately out of code order: the rule must not depend on it.
    order = sorted(LAYOUT, reverse=True)
    return AreaIndex(make_entries(order=order), cell_size=request.param)


def codes(index, positions):
    return [index.entries[p].code for p in positions]


def one(index, x, y):
    """Winner's code, checking that the single and the batch form agree."""
    chain = index.locate(*P(x, y))
    batch = index.locate_many(*map(np.array, zip(P(x, y), strict=True)))
    assert batch.tolist() == [chain[0]]
    return index.entries[chain[0]].code


def test_chain_is_deepest_first_up_to_the_district(index):
    assert codes(index, index.locate(*P(3, 3))) == [
        "330106001001001001",
        "330106001001001",
        "330106001001",
        "330106001",
        "330106",
    ]


def test_shared_edge_goes_to_the_lower_code(index):
    assert one(index, 10, 3) == "330106001001001001"
    # The edge between two general grids (and micro-grids M2 | M3).
    assert one(index, 25, 10) == "330106001001001002"


def test_boundary_is_included(index):
    assert one(index, 0, 25) == "330106001001001001"  # the district's outer edge
    assert one(index, 5, 40) == "330106001001001901"  # the dedicated grid's edge
    assert one(index, 100, 100) == "330106002"  # a corner of the district


def test_dedicated_beats_general(index):
    assert one(index, 7, 40) == "330106001001001901"
    assert one(index, 12, 40) == "330106001001001901"
    assert one(index, 12, 30) == "330106001001001002"


def test_general_grid_not_covered_by_micro_grids(index):
    assert one(index, 45, 20) == "330106001001002"
    assert codes(index, index.locate(*P(45, 20)))[1] == "330106001001"


def test_hole_goes_to_the_parent(index):
    assert one(index, 25, 75) == "330106001002"
    assert one(index, 15, 75) == "330106001002001"
    assert one(index, 20, 75) == "330106001002001"  # the hole's ring is the grid's boundary


def test_street_without_communities(index):
    assert codes(index, index.locate(*P(75, 50))) == ["330106002", "330106"]


def test_several_districts_and_multipolygons(index):
    assert codes(index, index.locate(*P(220, 50))) == ["330107001", "330107"]
    assert codes(index, index.locate(*P(280, 20))) == ["330107001", "330107"]
    assert codes(index, index.locate(*P(280, 70))) == ["330107"]


@pytest.mark.parametrize("xy", [(150, 50), (-1, 50), (50, 101), (400, 400)])
def test_outside_every_district(index, xy):
    with pytest.raises(OutsideAllDistricts, match="not inside any district"):
        index.locate(*P(*xy))
    assert index.locate_many(*map(np.array, zip(P(*xy), strict=True))).tolist() == [-1]


def test_outside_hint_when_lng_and_lat_look_swapped():
    idx = AreaIndex([IndexEntry(1, "650102", C.DISTRICT, "", None, box(80.0, 40.0, 80.1, 40.1))])
    assert idx.locate(80.05, 40.05) == [0]
    with pytest.raises(OutsideAllDistricts, match="swapped"):
        idx.locate(40.05, 80.05)


@pytest.mark.parametrize(
    ("lng", "lat", "message"),
    [
        (181.0, 30.0, "longitude 181.0 is outside ±180"),
        (120.0, -90.5, "latitude -90.5 is outside ±90"),
        (30.0, 120.0, "swapped"),
        (float("nan"), 30.0, "finite"),
        (120.0, float("inf"), "finite"),
        ("east", 30.0, "numbers"),
    ],
)
def test_invalid_coordinates(index, lng, lat, message):
    with pytest.raises(InvalidCoordinates, match=message):
        index.locate(lng, lat)


def test_invalid_coordinates_are_value_errors():
    assert issubclass(InvalidCoordinates, ValueError)
    assert issubclass(OutsideAllDistricts, ValueError)


def test_batch_gives_minus_one_for_nonsense_and_keeps_shape(index):
    out = index.locate_many(
        [[np.nan, 1e308], [-1e308, P(3, 3)[0]]], [[30.0, 30.0], [30.0, P(3, 3)[1]]]
    )
    assert out.shape == (2, 2)
    assert out[0].tolist() == [-1, -1] and out[1, 0] == -1
    assert index.entries[out[1, 1]].code == "330106001001001001"
    assert index.locate_many([], []).shape == (0,)


def brute_force(entries, x, y):
    """The rule, literally: every covering area, then sort by it."""
    rank = {
        i: (-C.LEVEL_INDEX[e.level], e.kind != C.KIND_DEDICATED, e.code)
        for i, e in enumerate(entries)
    }
    out = np.full(len(x), -1)
    for j, (px, py) in enumerate(zip(x, y, strict=True)):
        hits = [i for i, e in enumerate(entries) if shapely.intersects_xy(e.geometry, px, py)]
        if hits:
            out[j] = min(hits, key=rank.__getitem__)
    return out


def lattice_and_random_points(rng, n, units_x, units_y):
    # Half on the unit lattice, where every edge of the layout lies.
    ix = rng.integers(units_x[0], units_x[1] + 1, n // 2)
    iy = rng.integers(units_y[0], units_y[1] + 1, n // 2)
    lx, ly = P(ix, iy)
    (x0, y0), (x1, y1) = P(units_x[0], units_y[0]), P(units_x[1], units_y[1])
    rx = rng.uniform(x0, x1, n - n // 2)
    ry = rng.uniform(y0, y1, n - n // 2)
    return np.r_[lx, rx], np.r_[ly, ry]


def test_batch_single_and_brute_force_agree(index):
    rng = np.random.default_rng(7)
    x, y = lattice_and_random_points(rng, 3000, (-10, 310), (-10, 110))
    batch = index.locate_many(x, y)
    assert np.array_equal(batch, brute_force(index.entries, x, y))
    for j in range(0, x.size, 10):
        if batch[j] < 0:
            with pytest.raises(OutsideAllDistricts):
                index.locate(x[j], y[j])
        else:
            assert index.locate(x[j], y[j])[0] == batch[j]


def voronoi_layout(seed):
    """A nested tessellation with slanted edges, clipped pieces and overlaps."""
    rng = np.random.default_rng(seed)
    district = Polygon([P(0, 0), P(90, 10), P(100, 80), P(40, 100), P(-5, 60)])
    layout = {"330106": (C.DISTRICT, "", district)}

    def split(code, level, kind, geom, k):
        seeds = shapely.multipoints(np.c_[P(rng.uniform(0, 100, k), rng.uniform(0, 100, k))])
        cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=geom))
        for i, cell in enumerate(cells):
            piece = shapely.intersection(cell, geom)
            if piece.is_empty or piece.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            layout[f"{code}{i + 1:03d}"] = (level, kind, piece)

    split("330106", C.STREET, "", district, 3)
    for code in [c for c in layout if len(c) == 9]:
        split(code, C.COMMUNITY, "", layout[code][2], 3)
    for code in [c for c in layout if len(c) == 12]:
        split(code, C.GENERAL_GRID, "", layout[code][2], 3)
    for code in [c for c in layout if len(c) == 15]:
        split(code, C.MICRO_GRID, C.KIND_GENERAL, layout[code][2], 4)
        centre = shapely.point_on_surface(layout[code][2])
        blob = shapely.intersection(centre.buffer(6 * U), layout[code][2])
        if blob.geom_type in ("Polygon", "MultiPolygon") and not blob.is_empty:
            layout[f"{code}901"] = (C.MICRO_GRID, C.KIND_DEDICATED, blob)
    return layout


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("cell_size", [None, 0.0003, 0.01])
def test_random_tessellation_matches_brute_force(seed, cell_size):
    entries = make_entries(voronoi_layout(seed))
    idx = AreaIndex(entries, cell_size=cell_size)
    rng = np.random.default_rng(seed)
    x, y = lattice_and_random_points(rng, 1500, (-10, 110), (-10, 110))
    # And the polygons' own vertices, which lie on shared edges and corners.
    vertices = shapely.get_coordinates([e.geometry for e in entries])
    x, y = np.r_[x, vertices[::3, 0]], np.r_[y, vertices[::3, 1]]
    assert np.array_equal(idx.locate_many(x, y), brute_force(entries, x, y))


def test_rejects_inconsistent_entries():
    geom = B(0, 0, 1, 1)
    with pytest.raises(ValueError, match="level"):
        AreaIndex([IndexEntry(1, "330106", "county", "", None, geom)])
    with pytest.raises(ValueError, match="duplicate area id 1"):
        AreaIndex([IndexEntry(1, "330106", C.DISTRICT, "", None, geom)] * 2)
    with pytest.raises(ValueError, match="parent id 9"):
        AreaIndex([IndexEntry(1, "330106001", C.STREET, "", 9, geom)])
    with pytest.raises(ValueError, match="Polygon"):
        AreaIndex([IndexEntry(1, "330106", C.DISTRICT, "", None, geom.exterior)])


def test_empty_index_finds_nothing():
    idx = AreaIndex([])
    assert idx.locate_many([120.0], [30.0]).tolist() == [-1]
    with pytest.raises(OutsideAllDistricts):
        idx.locate(120.0, 30.0)


def test_concurrent_queries_agree():
    # Queries release the GIL inside GEOS; a shared index must answer alike.
    from concurrent.futures import ThreadPoolExecutor

    entries = make_entries(voronoi_layout(4))
    idx = AreaIndex(entries)
    rng = np.random.default_rng(4)
    x, y = lattice_and_random_points(rng, 20000, (-10, 110), (-10, 110))
    expected = idx.locate_many(x, y)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: idx.locate_many(x, y), range(8)))
    assert all(np.array_equal(r, expected) for r in results)

"""The demo territory (青白江区): counts, codes, names and the geometry rules.

The geometry checks are the ones the platform's validator applies, done here
independently with shapely in a local metric projection.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from shezhi.areas import constants as k
from shezhi.areas.geo.metric import LocalMetric
from shezhi.demo.areas.geometry import build_demo_features

TOL_M = 1.0  # the validator's distance tolerance
STREETS = {"大弯街道", "红阳街道", "大同街道", "弥牟镇", "城厢镇", "姚渡镇", "清泉镇", "福洪镇"}


@pytest.fixture(autouse=True)
def _test_settings():
    """Overrides the suite's Django settings fixture: this is plain geometry, no Django."""


@pytest.fixture(scope="module")
def feats():
    return build_demo_features()


@pytest.fixture(scope="module")
def by_code(feats):
    return {f.code: f for f in feats}


@pytest.fixture(scope="module")
def metric_geoms(feats):
    """code → geometry in local metres, parsed back from the GeoJSON."""
    wgs = {f.code: shape(f.geometry) for f in feats}
    metric = LocalMetric.around([wgs["510113"]])
    codes = list(wgs)
    projected = metric.to_metres(np.array([wgs[c] for c in codes]))
    return dict(zip(codes, projected, strict=True))


def _children(feats, kind=None):
    out = defaultdict(list)
    for f in feats:
        if f.parent_code is not None and (kind is None or f.kind in ("", kind)):
            out[f.parent_code].append(f)
    return out


def test_counts_per_level_and_kind(feats):
    counts = Counter((f.level, f.kind) for f in feats)
    assert counts == {
        (k.DISTRICT, ""): 1,
        (k.STREET, ""): 8,
        (k.COMMUNITY, ""): 83,
        (k.GENERAL_GRID, ""): 362,
        (k.MICRO_GRID, k.KIND_GENERAL): 2049,
        (k.MICRO_GRID, k.KIND_DEDICATED): 534,
    }


def test_codes_are_well_formed_unique_and_prefixed(feats, by_code):
    assert len(by_code) == len(feats)
    for f in feats:
        assert k.level_for_code(f.code) == f.level, f.code
        if f.level == k.DISTRICT:
            assert f.code == "510113" and f.parent_code is None
            continue
        parent = by_code[f.parent_code]
        assert f.code.startswith(parent.code)
        assert parent.level == k.parent_level(f.level)


def test_micro_grid_numbering(feats):
    numbers = defaultdict(lambda: defaultdict(list))
    for f in feats:
        if f.level == k.MICRO_GRID:
            numbers[f.parent_code][f.kind].append(int(f.code[-3:]))
    for grid, kinds in numbers.items():
        general = sorted(kinds[k.KIND_GENERAL])
        assert general == list(range(1, len(general) + 1)), grid
        dedicated = sorted(kinds[k.KIND_DEDICATED])
        assert dedicated == list(range(501, 501 + len(dedicated))), grid


def test_order_is_parents_first_then_code(feats):
    keys = [(k.LEVEL_INDEX[f.level], f.code) for f in feats]
    assert keys == sorted(keys)


def test_names_and_types(feats, by_code):
    by_level = defaultdict(list)
    for f in feats:
        by_level[(f.level, f.kind)].append(f)
    assert by_code["510113"].name == "青白江区"
    assert {f.name for f in by_level[(k.STREET, "")]} == STREETS
    communities = [f.name for f in by_level[(k.COMMUNITY, "")]]
    assert len(set(communities)) == 83
    assert all(re.fullmatch(r"\w+(社区|村)", n) for n in communities)
    for f in by_level[(k.GENERAL_GRID, "")]:
        assert f.name == f"{by_code[f.parent_code].name}第{int(f.code[-3:])}网格"
    for f in by_level[(k.MICRO_GRID, k.KIND_GENERAL)]:
        assert f.name == f"{by_code[f.parent_code].name}第{int(f.code[-3:])}微网格"
        assert f.dedicated_type == ""
    dedicated = by_level[(k.MICRO_GRID, k.KIND_DEDICATED)]
    assert len({f.name for f in dedicated}) == 534
    assert {f.dedicated_type for f in dedicated} == set(k.DEDICATED_TYPES)
    for f in feats:
        if f.level != k.MICRO_GRID:
            assert f.kind == "" and f.dedicated_type == ""
    # A couple of flagship names made it in.
    names = {f.name for f in dedicated}
    assert {"青白江区人民医院", "青白江区实验小学"} <= names


def test_deterministic_and_seeded(feats):
    dump = json.dumps([f.to_geojson() for f in feats], ensure_ascii=False)
    again = json.dumps([f.to_geojson() for f in build_demo_features()], ensure_ascii=False)
    assert dump == again
    other = json.dumps([f.to_geojson() for f in build_demo_features(7)], ensure_ascii=False)
    assert other != dump


def test_geometries_are_rounded_valid_polygons(feats):
    for f in feats:
        assert f.geometry["type"] == "Polygon", f.code
        coords = np.concatenate([np.asarray(r) for r in f.geometry["coordinates"]])
        assert np.array_equal(np.round(coords, 7), coords), f.code
        assert all(round(v, 7) == v for v in coords.ravel()), f.code
        g = shape(f.geometry)
        assert shapely.is_valid(g), (f.code, shapely.is_valid_reason(g))
        assert g.exterior.is_ccw, f.code


def test_district_location_and_area(metric_geoms, by_code):
    g = shape(by_code["510113"].geometry)
    c = g.centroid
    assert abs(c.x - 104.25) < 0.1 and abs(c.y - 30.78) < 0.1
    area_km2 = metric_geoms["510113"].area / 1e6
    assert 300 < area_km2 < 460
    # Irregular: neither a disc nor a box.
    hull = shapely.convex_hull(metric_geoms["510113"])
    assert metric_geoms["510113"].area / hull.area < 0.97
    assert len(by_code["510113"].geometry["coordinates"][0]) > 200


def test_children_inside_parent(feats, metric_geoms):
    parents = {f.parent_code for f in feats if f.parent_code}
    grown = {c: shapely.buffer(metric_geoms[c], TOL_M) for c in parents}
    for f in feats:
        if f.parent_code:
            assert grown[f.parent_code].covers(metric_geoms[f.code]), f.code


def test_siblings_tile_parent(feats, metric_geoms, by_code):
    for parent_code, kids in _children(feats, k.KIND_GENERAL).items():
        geoms = np.array([metric_geoms[f.code] for f in kids])
        parent = metric_geoms[parent_code]
        # No gaps.
        gap = shapely.difference(parent, shapely.coverage_union_all(geoms)).area
        assert gap < 1.0, (parent_code, gap)
        # No overlaps between siblings.
        if len(geoms) > 1:
            tree = shapely.STRtree(geoms)
            a, b = tree.query(geoms, predicate="intersects")
            keep = a < b
            overlap = shapely.area(shapely.intersection(geoms[a[keep]], geoms[b[keep]])).sum()
            assert overlap < 1e-3, (parent_code, overlap)
        # Shared edges stay shared: the areas add up exactly in degrees too.
        wgs_sum = sum(shape(f.geometry).area for f in kids)
        wgs_parent = shape(by_code[parent_code].geometry).area
        assert abs(wgs_sum - wgs_parent) <= 1e-9 * wgs_parent, parent_code


def test_counts_add_up_per_parent(feats):
    kids = _children(feats, k.KIND_GENERAL)
    for f in feats:
        if f.level in (k.DISTRICT, k.STREET, k.COMMUNITY, k.GENERAL_GRID):
            assert kids[f.code], f.code


def test_dedicated_micro_grids(feats, metric_geoms):
    dedicated = [f for f in feats if f.kind == k.KIND_DEDICATED]
    geoms = np.array([metric_geoms[f.code] for f in dedicated])
    for f, g in zip(dedicated, geoms, strict=True):
        grid = metric_geoms[f.parent_code]
        assert grid.covers(g), f.code
        assert g.distance(grid.exterior) >= 3.0, f.code
        w, d = _dimensions(g)
        assert 20.0 <= w <= d <= 450.0, (f.code, f.dedicated_type, w, d)
        assert g.area >= 500.0
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    assert (a == b).all(), "dedicated micro-grids overlap or touch"


def test_sizes_are_plausible(feats, metric_geoms):
    areas = defaultdict(list)
    for f in feats:
        if f.kind != k.KIND_DEDICATED:
            areas[f.level].append(metric_geoms[f.code].area)
    micro = np.array(areas[k.MICRO_GRID])
    assert micro.min() > 2_000  # no sliver micro-grids
    assert 50_000 < np.median(micro) < 400_000
    community = np.array(areas[k.COMMUNITY])
    assert community.max() / community.min() > 5  # urban small, rural large


def _dimensions(g):
    """Short and long side of the minimum rotated rectangle, in metres."""
    xy = shapely.get_coordinates(shapely.oriented_envelope(g))
    sides = sorted(np.hypot(*np.diff(xy[:3], axis=0).T))
    return sides[0], sides[1]

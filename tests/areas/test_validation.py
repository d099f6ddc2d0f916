"""Checking how the areas fit together: hierarchy, containment, overlaps, gaps."""

from __future__ import annotations

import dataclasses
import json
import math
import time

import numpy as np
import pytest
import shapely
from django.utils import translation
from shapely.geometry import box, mapping

from shezhi.areas import report as r
from shezhi.areas.features import AreaFeature
from shezhi.areas.files import read_area_bytes
from shezhi.areas.geo.metric import LocalMetric
from shezhi.areas.report import Report
from shezhi.areas.validation import validate_features

LNG0, LAT0 = 116.40, 39.90
METRIC = LocalMetric(LNG0, LAT0)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rect(x0, y0, x1, y1):
    """A GeoJSON rectangle given in metres east/north of (LNG0, LAT0)."""
    return mapping(METRIC.to_wgs84(box(x0, y0, x1, y1)))


def area(code, geometry, *, kind="", dedicated_type="", parent="auto", name=None, n=None):
    level = {6: "district", 9: "street", 12: "community", 15: "general_grid", 18: "micro_grid"}[
        len(code)
    ]
    if level == "micro_grid" and not kind:
        kind = "general"
    return AreaFeature(
        code=code,
        name=name or f"Area {code}",
        level=level,
        parent_code=(code[:-3] if len(code) > 6 else None) if parent == "auto" else parent,
        geometry=geometry,
        kind=kind,
        dedicated_type=dedicated_type,
        location=f"feature #{n}" if n else "",
    )


D = "110101"
S1, S2 = D + "001", D + "002"
C1 = S1 + "001"
G1, G2 = C1 + "001", C1 + "002"
M1, M2, M3 = G1 + "001", G1 + "002", G1 + "501"


def territory():
    """A clean, fully covered hierarchy 800 m × 400 m; numbered as in a file."""
    specs = [
        (D, rect(0, 0, 800, 400), {}),
        (S1, rect(0, 0, 400, 400), {}),
        (S2, rect(400, 0, 800, 400), {}),  # a street without communities: fine
        (C1, rect(0, 0, 400, 400), {}),
        (G1, rect(0, 0, 200, 400), {}),
        (G2, rect(200, 0, 400, 400), {}),
        (M1, rect(0, 0, 100, 400), {}),
        (M2, rect(100, 0, 200, 400), {}),
        # A dedicated school across the general micro-grids' border, by design.
        (M3, rect(80, 150, 120, 250), {"kind": "dedicated", "dedicated_type": "school"}),
    ]
    return [area(code, g, n=i, **kw) for i, (code, g, kw) in enumerate(specs, start=1)]


def by_code(features):
    return {f.code: f for f in features}


def only(report: Report, kind: str):
    found = report.of_kind(kind)
    assert len(found) == 1, [(p.kind, p.message) for p in report.problems]
    return found[0]


def metres_of(p):
    x, y = METRIC.xy_to_metres(p.lng, p.lat)
    return float(x), float(y)


def test_clean_territory_has_no_problems():
    report = validate_features(territory())
    assert report.problems == []
    assert report.counts["micro_grid"] == 3 and report.counts["dedicated"] == 1


def test_duplicate_code():
    features = territory()
    features.append(area(M2, rect(100, 0, 200, 400), n=10))
    p = only(validate_features(features), r.DUPLICATE_CODE)
    assert p.code == M2 and p.where == "feature #10" and p.data["other_where"] == "feature #8"
    assert M2 in p.message and "feature #8" in p.message


def test_invalid_geometry_gives_the_reason_and_place():
    features = territory()
    # A bow-tie: its edges cross at (150 m, 200 m).
    bowtie = METRIC.to_wgs84(shapely.Polygon([(100, 0), (200, 400), (200, 0), (100, 400)]))
    by_code(features)[M2].geometry = mapping(bowtie)
    report = validate_features(features)
    p = only(report, r.INVALID_GEOMETRY)
    assert p.code == M2 and p.where == "feature #8" and "Self-intersection" in p.data["reason"]
    assert M2 in p.message and "crosses itself" in p.message
    x, y = metres_of(p)
    assert x == pytest.approx(150, abs=0.01) and y == pytest.approx(200, abs=0.01)
    # The broken micro-grid leaves no coverage warning behind it.
    assert report.warnings == []


def test_unknown_parent():
    features = [f for f in territory() if f.code != C1]
    report = validate_features(features)
    assert [(p.kind, p.code) for p in report.problems] == [
        (r.UNKNOWN_PARENT, G1),
        (r.UNKNOWN_PARENT, G2),
    ]
    assert C1 in report.problems[0].message and G1 in report.problems[0].message
    # A parent the reader already reported (and dropped) is not reported again.
    assert validate_features(features, dropped_codes={C1}).problems == []


def test_a_root_must_be_a_district():
    features = territory()
    by_code(features)[S2].parent_code = None
    p = only(validate_features(features), r.LEVEL_OUT_OF_ORDER)
    assert p.code == S2 and p.where == "feature #3" and S2 in p.message


def test_level_out_of_order():
    features = territory()
    # A community hung straight under the district.
    features.append(area(D + "009009", rect(400, 0, 800, 400), parent=D, n=10))
    report = validate_features(features)
    p = only(report, r.LEVEL_OUT_OF_ORDER)
    assert p.code == D + "009009" and p.where == "feature #10"
    assert "community" in p.message and "street" in p.message
    assert report.of_kind(r.PARENT_CODE_MISMATCH) == []


def test_parent_code_mismatch():
    features = territory()
    # A street of another district's code hung under this district.
    features.append(area("110102001", rect(400, 0, 800, 400), parent=D, n=10))
    report = validate_features(features)
    p = only(report, r.PARENT_CODE_MISMATCH)
    assert p.code == "110102001" and p.where == "feature #10"
    assert "110102001" in p.message and D in p.message
    assert report.of_kind(r.LEVEL_OUT_OF_ORDER) == []


def test_not_inside_parent_beyond_the_tolerance():
    features = territory()
    # M2 pokes 10 m east of G1 into G2 over 100 m of height.
    by_code(features)[M2].geometry = mapping(
        METRIC.to_wgs84(shapely.union_all([box(100, 0, 200, 400), box(200, 100, 210, 200)]))
    )
    report = validate_features(features)
    p = only(report, r.NOT_INSIDE_PARENT)
    assert p.code == M2 and p.where == "feature #8" and M2 in p.message and G1 in p.message
    assert p.data["outside_m"] == pytest.approx(10, abs=0.1)
    assert p.data["outside_m2"] == pytest.approx(10 * 100, rel=0.01)
    x, y = metres_of(p)
    assert 209 < x <= 210.01 and 99.9 < y < 200.1
    # The poke also overlaps the neighbouring grid's micro-grids? No: G2 has none.
    assert report.of_kind(r.SIBLING_OVERLAP) == []


def test_within_tolerance_is_fine():
    features = territory()
    by_code(features)[M2].geometry = rect(100, -0.5, 200.8, 400)
    by_code(features)[M1].geometry = rect(-0.6, 0, 100.4, 400.5)  # 0.4 m onto M2
    assert validate_features(features).problems == []
    assert validate_features(features, tolerance_m=0.1).of_kind(r.NOT_INSIDE_PARENT)


def test_sibling_overlap_of_the_same_kind_only():
    features = territory()
    by_code(features)[M1].geometry = rect(0, 0, 105, 400)  # 5 m onto M2
    features.append(
        area(G1 + "502", rect(90, 180, 110, 260), kind="dedicated", dedicated_type="market", n=10)
    )  # a second dedicated one overlapping the school by 10 m × 70 m
    report = validate_features(features)
    overlaps = report.of_kind(r.SIBLING_OVERLAP)
    assert [(p.code, p.data["other_code"]) for p in overlaps] == [
        (M1, M2),
        (M3, G1 + "502"),
    ]
    general, dedicated = overlaps
    assert general.where == "feature #7 and feature #8" and general.data["other_where"]
    assert general.data["overlap_m2"] == pytest.approx(5 * 400, rel=0.01)
    assert M1 in general.message and M2 in general.message
    x, y = metres_of(general)
    assert 100 < x < 105 and 0 < y < 400
    assert dedicated.data["overlap_m2"] == pytest.approx(20 * 70, rel=0.01)
    # General and dedicated micro-grids overlap by design: only those two pairs.
    assert len(report.errors) == 2


def test_overlap_is_found_through_many_siblings():
    # A row of 60 micro-grids where only the last two overlap.
    grid = [area(D, rect(0, 0, 6000, 100), n=1)]
    code = D
    for _level in ("street", "community", "general grid"):
        code = code + "001"
        grid.append(area(code, rect(0, 0, 6000, 100), n=len(grid) + 1))
    for k in range(60):
        x1 = (k + 1) * 100 + (30 if k == 58 else 0)
        grid.append(area(f"{code}{k + 1:03d}", rect(k * 100, 0, x1, 100), n=len(grid) + 1))
    report = validate_features(grid)
    p = only(report, r.SIBLING_OVERLAP)
    assert p.code == f"{code}059" and p.data["other_code"] == f"{code}060"


def ellipsoid_area(lng0, lat0, lng1, lat1):
    """m² of a small lng/lat rectangle on the WGS84 ellipsoid (radii of curvature)."""
    a, e2 = 6378137.0, 0.00669437999014
    phi = math.radians((lat0 + lat1) / 2)
    w = 1 - e2 * math.sin(phi) ** 2
    m = a * (1 - e2) / w**1.5  # meridional
    n = a / math.sqrt(w)  # prime vertical
    return math.radians(lat1 - lat0) * m * math.radians(lng1 - lng0) * n * math.cos(phi)


def test_coverage_gap_area_is_right():
    hole = (116.4013, 39.9003, 116.4017, 39.9007)
    features = [
        area(D, mapping(box(116.400, 39.900, 116.402, 39.901)), n=1),
        area(S1, mapping(box(116.400, 39.900, 116.402, 39.901)), n=2),
        area(C1, mapping(box(116.400, 39.900, 116.402, 39.901)), n=3),
        area(G1, mapping(box(116.400, 39.900, 116.402, 39.901)), n=4),
        area(M1, mapping(box(116.400, 39.900, 116.401, 39.901)), n=5),
        area(M2, mapping(box(116.401, 39.900, 116.402, 39.901).difference(box(*hole))), n=6),
        # A dedicated micro-grid does not fill the hole.
        area(M3, mapping(box(*hole)), kind="dedicated", dedicated_type="hospital", n=7),
    ]
    report = validate_features(features)
    assert report.errors == []
    p = only(report, r.COVERAGE_GAP)
    assert p.severity == "warning" and p.code == G1 and p.where == "feature #4"
    expected = ellipsoid_area(*hole)  # ≈ 34 m × 44 m
    assert p.data["gap_m2"] == pytest.approx(expected, rel=0.01)
    assert p.data["parts"] == 1 and G1 in p.message
    assert hole[0] < p.lng < hole[2] and hole[1] < p.lat < hole[3]


def test_gap_at_every_level_and_none_without_children():
    features = territory()
    by_code(features)[S2].geometry = rect(400, 0, 790, 400)  # 10 m × 400 m uncovered
    report = validate_features(features)
    p = only(report, r.COVERAGE_GAP)
    assert p.code == D and p.data["gap_m2"] == pytest.approx(4000, rel=0.01)
    # A grid whose micro-grids are all dedicated is not covered at all.
    features = [f for f in territory() if f.code not in (M1, M2)]
    p = only(validate_features(features), r.COVERAGE_GAP)
    assert p.code == G1 and p.data["gap_m2"] == pytest.approx(200 * 400, rel=0.01)


def test_parent_only_in_existing():
    existing = [f for f in territory() if len(f.code) <= 15]
    new = [f for f in territory() if len(f.code) == 18]
    assert validate_features(new, existing=existing).problems == []
    # Without the context the parent is unknown.
    assert {p.kind for p in validate_features(new).problems} == {r.UNKNOWN_PARENT}


def test_overlap_with_an_existing_sibling():
    existing = [f for f in territory() if f.code != M2]
    new = area(M2, rect(95, 0, 200, 400), n=1)  # 5 m onto the stored M1
    report = validate_features([new], existing=existing)
    p = only(report, r.SIBLING_OVERLAP)
    assert p.code == M2 and p.where == "feature #1" and p.data["other_code"] == M1
    assert "already imported" in p.message and p.data["other_where"] == ""
    assert report.warnings == []  # the grid is covered once M2 is in


def test_existing_flaws_are_not_this_files_fault():
    existing = territory()
    # Stored data that is already wrong: M1 overlaps M2 and leaves G1.
    by_code(existing)[M1].geometry = rect(-20, 0, 150, 400)
    # A file that only adds a community to the other street.
    new = [area(S2 + "001", rect(400, 0, 800, 400), n=1)]
    assert validate_features(new, existing=existing).problems == []


def test_file_replaces_existing_areas_with_its_code():
    existing = territory()
    by_code(existing)[M1].geometry = rect(0, 0, 150, 400)  # stored wrongly
    fixed = area(M1, rect(0, 0, 100, 400), n=1)
    assert validate_features([fixed], existing=existing).problems == []


def test_replacing_a_parent_checks_its_stored_children():
    existing = territory()
    smaller = area(G1, rect(0, 0, 200, 300), n=1)  # M1, M2 still reach y = 400
    report = validate_features([smaller], existing=existing)
    problems = report.of_kind(r.NOT_INSIDE_PARENT)
    assert sorted(p.data["child_code"] for p in problems) == [M1, M2]
    assert all(p.code == G1 and p.where == "feature #1" for p in problems)
    # G1 is now smaller than C1 leaves room for: a gap in the community.
    assert only(report, r.COVERAGE_GAP).code == C1


def test_a_file_with_many_mistakes_reports_them_all():
    features = territory()
    by_code(features)[M1].geometry = rect(0, 0, 110, 400)  # overlaps M2
    by_code(features)[G2].geometry = rect(200, 0, 420, 400)  # leaves C1
    by_code(features)[S2].parent_code = "110109"  # unknown
    features.append(area(M1, rect(0, 0, 10, 10), n=10))  # duplicate
    report = validate_features(features)
    kinds = sorted(p.kind for p in report.errors)
    assert kinds == sorted(
        [
            r.SIBLING_OVERLAP,
            r.NOT_INSIDE_PARENT,
            r.UNKNOWN_PARENT,
            r.PARENT_CODE_MISMATCH,
            r.DUPLICATE_CODE,
        ]
    )


def test_progress_is_reported_to_the_end():
    calls = []
    validate_features(territory(), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_reader_and_validator_together():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": f.code,
                    "name": f.name,
                    "level": f.level,
                    "kind": f.kind,
                    "dedicated_type": f.dedicated_type,
                },
                "geometry": f.geometry,
            }
            for f in territory()
        ],
    }
    doc["features"][3]["properties"]["level"] = "village"  # C1 is dropped while reading
    features, report = read_area_bytes(json.dumps(doc).encode(), filename="a.json", max_bytes=10**7)
    report.extend(validate_features(features, dropped_codes=report.codes_with_errors()))
    assert [(p.kind, p.code) for p in report.problems] == [(r.BAD_PROPERTY, C1)]
    stored = json.loads(json.dumps(report.to_dict()))
    assert Report.from_dict(stored).errors[0].code == C1


# ---------------------------------------------------------------------------
# A whole district


def _split(total, parts, rng):
    counts = np.full(parts, total // parts)
    counts[rng.choice(parts, total - counts.sum(), replace=False)] += 1
    return counts


def _cells(polygon, n, rng):
    """``polygon`` cut into ``n`` Voronoi cells."""
    if n == 1:
        return [polygon]
    minx, miny, maxx, maxy = polygon.bounds
    seeds = []
    while len(seeds) < n:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(p):
            seeds.append(p)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=polygon)
    )
    pieces = shapely.intersection(cells, polygon)
    return [max(shapely.get_parts(p), key=lambda g: g.area) for p in pieces]


def synthetic_district(seed=7):
    """8 streets, 83 communities, 362 grids, 2,049 general + 534 dedicated micro-grids.

    A wavy district of ~20 km × 15 km (2,000 boundary vertices) cut into
    Voronoi cells level by level, so neighbours share computed edges as real
    GIS data does; dedicated micro-grids are small discs inside general ones.
    """
    rng = np.random.default_rng(seed)
    features = []

    def add(geom, code, kind="", dedicated_type=""):
        geometry = json.loads(shapely.to_geojson(METRIC.to_wgs84(geom)))  # lists, as read
        features.append(
            area(code, geometry, kind=kind, dedicated_type=dedicated_type, n=len(features) + 1)
        )

    t = np.linspace(0, 2 * math.pi, 2000, endpoint=False)
    wave = 1 + 0.03 * np.sin(7 * t) + 0.01 * np.sin(53 * t)
    root = shapely.Polygon(np.c_[10000 * wave * np.cos(t), 7500 * wave * np.sin(t)])
    add(root, D)
    communities, grids = [], []
    streets = _cells(root, 8, rng)
    for si, (street, n) in enumerate(zip(streets, _split(83, 8, rng), strict=True)):
        add(street, f"{D}{si + 1:03d}")
        for ci, community in enumerate(_cells(street, int(n), rng)):
            communities.append((f"{D}{si + 1:03d}{ci + 1:03d}", community))
            add(community, communities[-1][0])
    for (code, community), n in zip(communities, _split(362, 83, rng), strict=True):
        for gi, grid in enumerate(_cells(community, int(n), rng)):
            grids.append((f"{code}{gi + 1:03d}", grid))
            add(grid, grids[-1][0])
    general = _split(2049, 362, rng)
    dedicated = _split(534, 362, rng)
    for (code, grid), n, d in zip(grids, general, dedicated, strict=True):
        cells = _cells(grid, int(n), rng)
        for mi, micro in enumerate(cells):
            add(micro, f"{code}{mi + 1:03d}")
        # Schools inside distinct general micro-grids, so they never overlap.
        for k, cell in enumerate(cells[: int(d)]):
            reach = shapely.maximum_inscribed_circle(cell)
            centre = shapely.get_point(reach, 0)
            disc = centre.buffer(min(30.0, 0.5 * reach.length), quad_segs=4)
            add(disc, f"{code}{501 + k:03d}", "dedicated", "school")
    return features


@pytest.fixture(scope="module")
def district():
    with translation.override("en"):
        return synthetic_district()


def test_a_whole_district_validates_in_seconds(district):
    counts = Report()
    counts.count_features(district)
    assert counts.counts == {
        "district": 1,
        "street": 8,
        "community": 83,
        "general_grid": 362,
        "micro_grid": 2583,
        "general": 2049,
        "dedicated": 534,
    }
    start = time.perf_counter()
    report = validate_features(district)
    elapsed = time.perf_counter() - start
    assert report.problems == []
    # About half a second on a laptop core; generous for slow CI machines.
    assert elapsed < 10, elapsed


def test_mistakes_are_found_in_a_whole_district(district):
    features = [dataclasses.replace(f) for f in district]
    micro = [f for f in features if f.level == "micro_grid" and f.kind == "general"]
    victim = micro[1000]
    # Blow one micro-grid up by 30 m: it overlaps its siblings.
    grown = METRIC.to_metres(shapely.from_geojson(json.dumps(victim.geometry))).buffer(30)
    victim.geometry = mapping(METRIC.to_wgs84(grown))
    start = time.perf_counter()
    report = validate_features(features, existing=district)
    assert time.perf_counter() - start < 10
    assert report.of_kind(r.SIBLING_OVERLAP)
    assert {p.kind for p in report.errors} <= {r.SIBLING_OVERLAP, r.NOT_INSIDE_PARENT}
    for p in report.errors:
        assert victim.code in (p.code, p.data.get("other_code"))

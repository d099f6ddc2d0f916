"""WGS84 / GCJ-02 / BD-09 transforms (pure numpy, no database)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shezhi.areas.geo import crs


@pytest.fixture(autouse=True)
def _test_settings():
    # These tests need no Django: shadow the suite's settings fixture so they
    # also run with the django plugin disabled.
    yield


# Published examples of the coordtransform libraries
# (wandergis/coordtransform, test/app.js), all with input (116.404, 39.915).
WGS_TO_GCJ = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))
GCJ_TO_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351021))
# Their reverses are the one-step approximations, metres off the exact inverse.
GCJ_TO_WGS_ONE_STEP = ((116.404, 39.915), (116.39775550083061, 39.91359571849836))
BD_TO_GCJ_ONE_STEP = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))

# googollee/eviltransform python/test.py: (wgs lng, wgs lat) → (gcj lng, gcj lat).
EVILTRANSFORM = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

# Well inside the China rectangle, so that no point nor its image crosses it.
in_china = st.tuples(
    st.floats(min_value=73.0, max_value=135.0, allow_nan=False),
    st.floats(min_value=3.0, max_value=53.0, allow_nan=False),
)


def test_forward_matches_published_examples():
    (src, dst) = WGS_TO_GCJ
    assert crs.wgs84_to_gcj02(*src) == pytest.approx(dst, abs=1e-12)
    (src, dst) = GCJ_TO_BD
    assert crs.gcj02_to_bd09(*src) == pytest.approx(dst, abs=1e-12)
    for wgs, gcj in EVILTRANSFORM:
        assert crs.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


def test_exact_reverses_invert_published_forward_examples():
    src, dst = WGS_TO_GCJ
    assert crs.gcj02_to_wgs84(*dst) == pytest.approx(src, abs=1e-9)
    src, dst = GCJ_TO_BD
    assert crs.bd09_to_gcj02(*dst) == pytest.approx(src, abs=1e-9)
    for wgs, gcj in EVILTRANSFORM:
        assert crs.gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-9)


def test_exact_reverse_is_close_to_but_better_than_one_step():
    src, one_step = GCJ_TO_WGS_ONE_STEP
    exact = crs.gcj02_to_wgs84(*src)
    assert exact == pytest.approx(one_step, abs=1e-5)
    # The exact answer reproduces its input; the one-step answer does not.
    assert crs.wgs84_to_gcj02(*exact) == pytest.approx(src, abs=1e-9)
    assert crs.wgs84_to_gcj02(*one_step) != pytest.approx(src, abs=1e-7)

    src, one_step = BD_TO_GCJ_ONE_STEP
    exact = crs.bd09_to_gcj02(*src)
    assert exact == pytest.approx(one_step, abs=1e-5)
    assert crs.gcj02_to_bd09(*exact) == pytest.approx(src, abs=1e-9)
    assert crs.gcj02_to_bd09(*one_step) != pytest.approx(src, abs=1e-7)


def test_wgs_to_bd_composes_through_gcj():
    src, gcj = WGS_TO_GCJ
    assert crs.wgs84_to_bd09(*src) == pytest.approx(crs.gcj02_to_bd09(*gcj), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(in_china)
def test_gcj_round_trip(point):
    lng, lat = point
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lng, lat))
    assert abs(back[0] - lng) < 1e-8 and abs(back[1] - lat) < 1e-8
    back = crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(lng, lat))
    assert abs(back[0] - lng) < 1e-8 and abs(back[1] - lat) < 1e-8


@settings(max_examples=300, deadline=None)
@given(in_china)
def test_bd_round_trip(point):
    lng, lat = point
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lng, lat))
    assert abs(back[0] - lng) < 1e-8 and abs(back[1] - lat) < 1e-8
    back = crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lng, lat))
    assert abs(back[0] - lng) < 1e-8 and abs(back[1] - lat) < 1e-8


@settings(max_examples=200, deadline=None)
@given(in_china, st.sampled_from(crs.CRS_CHOICES))
def test_to_and_from_wgs84_round_trip(point, name):
    lng, lat = point
    back = crs.to_wgs84(*crs.from_wgs84(lng, lat, name), name)
    assert abs(back[0] - lng) < 1e-8 and abs(back[1] - lat) < 1e-8


@pytest.mark.parametrize(
    "point",
    [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (72.0, 30.0), (100.0, 56.0)],
)
def test_gcj_is_identity_outside_china(point):
    assert crs.wgs84_to_gcj02(*point) == point
    assert crs.gcj02_to_wgs84(*point) == point
    assert crs.to_wgs84(*point, "gcj02") == point


def test_rectangle_edges_are_inside():
    # The published test is inclusive: a point on the edge is shifted.
    for point in [(72.004, 30.0), (137.8347, 30.0), (100.0, 0.8293), (100.0, 55.8271)]:
        assert crs.wgs84_to_gcj02(*point) != point


def test_arrays_and_scalars_agree():
    rng = np.random.default_rng(20240601)
    lng = np.r_[rng.uniform(73, 135, 200), rng.uniform(-180, 70, 50)]
    lat = np.r_[rng.uniform(3, 53, 200), rng.uniform(-80, 80, 50)]
    functions = [
        crs.wgs84_to_gcj02,
        crs.gcj02_to_wgs84,
        crs.gcj02_to_bd09,
        crs.bd09_to_gcj02,
        crs.wgs84_to_bd09,
        crs.bd09_to_wgs84,
    ]
    for f in functions:
        ax, ay = f(lng, lat)
        assert isinstance(ax, np.ndarray) and ax.shape == lng.shape
        for i in range(0, lng.size, 7):
            sx, sy = f(lng[i], lat[i])
            assert isinstance(sx, float) and isinstance(sy, float)
            # Same arithmetic; the iterative reverses may stop one step apart.
            assert sx == pytest.approx(ax[i], abs=1e-10)
            assert sy == pytest.approx(ay[i], abs=1e-10)


def test_shapes_broadcast_and_python_sequences_work():
    x, y = crs.wgs84_to_gcj02([[116.404, 121.5]], 39.915)
    assert x.shape == y.shape == (1, 2)
    x, y = crs.to_wgs84([], [], "bd09")
    assert x.shape == (0,)


def test_nan_passes_through_without_hanging():
    x, y = crs.gcj02_to_wgs84(np.array([np.nan, 116.4]), np.array([39.9, np.nan]))
    assert np.isnan(x[0]) and np.isnan(y[1])
    assert all(np.isnan(v) for v in crs.bd09_to_wgs84(float("nan"), 39.9))


def test_wgs84_is_identity_and_a_copy():
    lng = np.array([116.404])
    x, _ = crs.to_wgs84(lng, np.array([39.915]), "wgs84")
    x[0] = 0.0
    assert lng[0] == 116.404


@pytest.mark.parametrize("bad", ["WGS84", "epsg:4326", "", None])
def test_unknown_crs_is_rejected(bad):
    for f in (crs.to_wgs84, crs.from_wgs84):
        with pytest.raises(ValueError, match=r"wgs84.*gcj02.*bd09"):
            f(116.4, 39.9, bad)

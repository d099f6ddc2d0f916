"""Chinese map coordinate systems: WGS84, GCJ-02 and BD-09.

WGS84 is what GNSS receivers and this platform store. GCJ-02 ("Mars
coordinates") is the obfuscated system that Gaode/AMap, Tencent and most
Chinese web maps use; BD-09 is Baidu's further offset of GCJ-02.

The forward transforms are the published formulas (Krasovsky 1940 ellipsoid,
a = 6378245.0, e² = 0.00669342162296594323; BD-09 with x_pi = π·3000/180).
As in the published code, GCJ-02 only shifts points inside the usual China
rectangle (lng 72.004–137.8347, lat 0.8293–55.8271); points outside it pass
through unchanged. The rectangle is coarse (it includes Korea, Japan and parts
of South-East Asia) but it is what the map providers' clients use, so it is
what makes our numbers agree with theirs.

The published reverse transforms are one-step approximations, off by up to
about 5 m (GCJ-02; 0.6 m typical) and 0.2 m (BD-09) inside China. Here
GCJ-02 → WGS84 and BD-09 → GCJ-02 are solved iteratively: start from the
one-step approximation and correct by the forward residual until the forward
transform reproduces the input to better than ``TOLERANCE_DEG``. The
offsets vary slowly (their Jacobians are within ~0.02 of the identity), so the
fixed-point iteration contracts fast: three or four steps are typical.

Every function accepts scalars or array-likes (broadcast against each other)
and returns ``(lng, lat)``: floats for scalar input, numpy arrays otherwise.
"""

from __future__ import annotations

import math

import numpy as np

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
CRS_CHOICES: tuple[str, ...] = (WGS84, GCJ02, BD09)

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m)
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

# The rectangle inside which GCJ-02 applies its offset.
CHINA_LNG_MIN, CHINA_LNG_MAX = 72.004, 137.8347
CHINA_LAT_MIN, CHINA_LAT_MAX = 0.8293, 55.8271

# The reverses stop when the forward transform of the estimate reproduces the
# input to this many degrees (≈ 0.1 mm); MAX_ITERATIONS is a safety net only.
TOLERANCE_DEG = 1e-9
MAX_ITERATIONS = 30


def _arrays(lng, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    x = np.asarray(lng, dtype=float)
    y = np.asarray(lat, dtype=float)
    scalar = x.ndim == 0 and y.ndim == 0
    x, y = np.broadcast_arrays(x, y)
    return x, y, scalar


def _result(x: np.ndarray, y: np.ndarray, scalar: bool):
    if scalar:
        return float(x), float(y)
    return x, y


def _in_china(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= CHINA_LNG_MIN) & (x <= CHINA_LNG_MAX) & (y >= CHINA_LAT_MIN) & (y <= CHINA_LAT_MAX)


def _gcj_offset(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 shift (dlng, dlat) in degrees at WGS84 (x, y), unmasked."""
    u = x - 105.0
    v = y - 35.0
    pi = math.pi
    # Terms shared by both polynomials.
    common = (20.0 * np.sin(6.0 * u * pi) + 20.0 * np.sin(2.0 * u * pi)) * 2.0 / 3.0
    su = np.sqrt(np.abs(u))
    dlat = -100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * su + common
    dlat += (20.0 * np.sin(v * pi) + 40.0 * np.sin(v / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(v / 12.0 * pi) + 320.0 * np.sin(v * pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * su + common
    dlng += (20.0 * np.sin(u * pi) + 40.0 * np.sin(u / 3.0 * pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(u / 12.0 * pi) + 300.0 * np.sin(u / 30.0 * pi)) * 2.0 / 3.0
    rad = y / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(rad) * pi)
    return dlng, dlat


def _wgs_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx, dy = _gcj_offset(x, y)
    inside = _in_china(x, y)
    return np.where(inside, x + dx, x), np.where(inside, y + dy, y)


def _gcj_to_wgs(gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # The mask is decided on the GCJ-02 input, as the published inverse does;
    # the iteration itself uses the unmasked offset so that a solution a few
    # hundred metres across the rectangle's edge still converges.
    inside = _in_china(gx, gy)
    dx, dy = _gcj_offset(gx, gy)
    x, y = gx - dx, gy - dy
    return _refine(x, y, gx, gy, _gcj_forward_unmasked, inside)


def _gcj_forward_unmasked(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx, dy = _gcj_offset(x, y)
    return x + dx, y + dy


def _gcj_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj(bx: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Published one-step inverse as the starting point.
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gx, gy = z * np.cos(theta), z * np.sin(theta)
    return _refine(gx, gy, bx, by, _gcj_to_bd, np.ones(bx.shape, dtype=bool))


def _refine(x, y, tx, ty, forward, active) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point solve of forward(x, y) = (tx, ty) from the estimate (x, y).

    Only entries flagged ``active`` are solved; the others are returned as the
    target unchanged (points outside China for GCJ-02). Non-finite entries drop
    out at once so a NaN in an array does not keep the loop spinning.
    """
    x = np.where(active, x, tx)
    y = np.where(active, y, ty)
    todo = np.flatnonzero(active & np.isfinite(x) & np.isfinite(y))
    for _ in range(MAX_ITERATIONS):
        if todo.size == 0:
            break
        fx, fy = forward(x.flat[todo], y.flat[todo])
        ex = fx - tx.flat[todo]
        ey = fy - ty.flat[todo]
        x.flat[todo] -= ex
        y.flat[todo] -= ey
        # Converged once the residual before this correction was within
        # tolerance; the correction just applied only makes it better.
        todo = todo[(np.abs(ex) >= TOLERANCE_DEG) | (np.abs(ey) >= TOLERANCE_DEG)]
    return x, y


def wgs84_to_gcj02(lng, lat):
    """WGS84 → GCJ-02 (published formula; identity outside China)."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_wgs_to_gcj(x, y), scalar)


def gcj02_to_wgs84(lng, lat):
    """GCJ-02 → WGS84, exact to ``TOLERANCE_DEG`` (identity outside China)."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_gcj_to_wgs(x, y), scalar)


def gcj02_to_bd09(lng, lat):
    """GCJ-02 → BD-09 (published formula)."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_gcj_to_bd(x, y), scalar)


def bd09_to_gcj02(lng, lat):
    """BD-09 → GCJ-02, exact to ``TOLERANCE_DEG``."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_bd_to_gcj(x, y), scalar)


def wgs84_to_bd09(lng, lat):
    """WGS84 → BD-09 through GCJ-02."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_gcj_to_bd(*_wgs_to_gcj(x, y)), scalar)


def bd09_to_wgs84(lng, lat):
    """BD-09 → WGS84 through GCJ-02, both steps exact to ``TOLERANCE_DEG``."""
    x, y, scalar = _arrays(lng, lat)
    return _result(*_gcj_to_wgs(*_bd_to_gcj(x, y)), scalar)


def _check_crs(crs: str) -> None:
    if crs not in CRS_CHOICES:
        accepted = ", ".join(repr(c) for c in CRS_CHOICES)
        raise ValueError(f"unknown coordinate system {crs!r}: expected one of {accepted}")


def to_wgs84(lng, lat, crs: str):
    """Coordinates given in ``crs`` (one of ``CRS_CHOICES``) → WGS84."""
    _check_crs(crs)
    x, y, scalar = _arrays(lng, lat)
    if crs == WGS84:
        # Copies, so callers never get their own array back to mutate.
        return _result(x.copy(), y.copy(), scalar)
    if crs == GCJ02:
        return _result(*_gcj_to_wgs(x, y), scalar)
    return _result(*_gcj_to_wgs(*_bd_to_gcj(x, y)), scalar)


def from_wgs84(lng, lat, crs: str):
    """WGS84 → coordinates in ``crs`` (one of ``CRS_CHOICES``)."""
    _check_crs(crs)
    x, y, scalar = _arrays(lng, lat)
    if crs == WGS84:
        return _result(x.copy(), y.copy(), scalar)
    if crs == GCJ02:
        return _result(*_wgs_to_gcj(x, y), scalar)
    return _result(*_gcj_to_bd(*_wgs_to_gcj(x, y)), scalar)

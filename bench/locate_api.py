"""Single-point locate through the API, in-process: p50 against the 5 ms target.

    python bench/locate_api.py [--requests 2000] [--data-dir DIR]

Uses its own SQLite database (built once with the demo district) unless
DATABASE_URL is set. Beside the API figures it prints the bare service call
(``locating.locate``) so the API's own overhead is visible.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]  # noqa: E731
    return statistics.median(s), pick(0.95), pick(0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "shezhi-bench"))
    args = parser.parse_args()

    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("demo", "--no-progress", verbosity=0, stdout=devnull)

    from shezhi.areas import locating
    from shezhi.areas.models import Area
    from shezhi.core.models import ApiToken

    user = get_user_model().objects.get(username="admin")
    _, raw = ApiToken.issue(user=user, name="bench")
    district = Area.objects.get(code="510113")
    rng = np.random.default_rng(7)
    from shapely import contains_xy
    from shapely.geometry import shape

    poly = shape(district.boundary)
    pts = []
    while len(pts) < args.requests:
        x = rng.uniform(district.min_lng, district.max_lng, 4 * args.requests)
        y = rng.uniform(district.min_lat, district.max_lat, 4 * args.requests)
        keep = contains_xy(poly, x, y)
        pts.extend(zip(x[keep], y[keep], strict=True))
    pts = pts[: args.requests]

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(f"/api/v1/locate?lng={pts[0][0]}&lat={pts[0][1]}")  # builds the index once

    api_ms = []
    for lng, lat in pts:
        t = time.perf_counter()
        resp = client.get(f"/api/v1/locate?lng={lng}&lat={lat}")
        api_ms.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, resp.content
    bare_ms = []
    for lng, lat in pts:
        t = time.perf_counter()
        locating.locate(lng, lat)
        bare_ms.append((time.perf_counter() - t) * 1000)

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"single-point locate, {args.requests} points inside the demo district, {db}")
    print(f"{'path':<34}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, samples in (
        ("GET /api/v1/locate (in-process)", api_ms),
        ("locating.locate() (service)", bare_ms),
    ):
        p50, p95, p99 = percentiles(samples)
        print(f"{name:<34}{p50:>10.3f}{p95:>10.3f}{p99:>10.3f}")
    p50 = percentiles(api_ms)[0]
    ok = p50 < 5.0
    print(f"target: API p50 < 5 ms -> {'PASS' if ok else 'FAIL'} ({p50:.3f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

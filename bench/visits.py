"""Household visits at the district's scale: the demo's year of visits, the coverage
figures, the worker's pages and recording a visit.

    python bench/visits.py [--households 160000] [--requests 50]

Builds the demo district and workforce (no event history) into its own SQLite database
unless DATABASE_URL is set, then 160,000 households spread over every general
micro-grid (a building each), with residents tagged 独居老人 (3 %) and 高龄 (5 %), and
writes their year of visits with the demo's own step (``demo.visits``). Then, in-process:

- coverage (``stats.coverage``: the one definition) of the district, a street and a
  community, and of the district's streets (one grouped query), cold and warm;
- the coverage API for the district, as a district admin;
- a micro-grid worker's households list (last visit and overdue for 30 rows) and their
  visits list; a community's visits API page;
- ``visits.services.record_visit`` through the service (with its points), one by one.

Targets (this machine, SQLite): district coverage under 1 s, a street's under 300 ms,
each page under 150 ms (the work pages' target, issue 14), a recorded visit under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGETS_MS = {"district": 1000.0, "street": 300.0, "page": 150.0, "record": 50.0}


def _p50(fn, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _once(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=160_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database a previous run built (SQLite)"
    )
    parser.add_argument(
        "--data-dir", default=os.path.join(tempfile.gettempdir(), "shezhi-bench-visits")
    )
    args = parser.parse_args()
    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    if not os.environ.get("DATABASE_URL"):
        db_file = Path(args.data_dir) / "visits.sqlite3"
        db_file.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            db_file.unlink(missing_ok=True)
        os.environ["SHEZHI_SQLITE_PATH"] = str(db_file)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command(
            "demo", "--no-progress", "--no-events", "--if-empty", verbosity=0, stdout=devnull
        )

    from shezhi.areas import constants as c
    from shezhi.areas.models import Area
    from shezhi.core.lists import subtree_q
    from shezhi.demo.visits import build_demo_visits
    from shezhi.households.models import Building, Compound, Household, Resident
    from shezhi.stats import coverage
    from shezhi.visits import services
    from shezhi.visits.models import Visit

    db = connection.vendor
    rng = random.Random(7)
    district = Area.objects.get(code="510113")
    micro = list(
        Area.objects.filter(level=c.MICRO_GRID, kind=c.KIND_GENERAL)
        .defer("boundary")
        .order_by("path")
    )
    have = Household.objects.count()
    started = time.perf_counter()
    if have < args.households:
        communities = {a.path: a for a in Area.objects.filter(level=c.COMMUNITY).defer("boundary")}
        per = -(-(args.households - have) // len(micro))
        compounds, buildings = {}, []
        for m in micro:
            community = communities[m.path[: 3 * Area.steplen]]
            if community.path not in compounds:
                compounds[community.path] = Compound.objects.get_or_create(
                    community=community,
                    name=f"基准小区{community.code}",
                    defaults={"area_path": community.path},
                )[0]
            buildings.append(
                Building(
                    compound=compounds[community.path],
                    number=f"B{m.code}",
                    micro_grid=m,
                    area_path=m.path,
                    lng=m.centroid_lng,
                    lat=m.centroid_lat,
                    sort_key=m.code,
                )
            )
        Building.objects.bulk_create(buildings, batch_size=2000)
        rows, residents = [], []
        for b in Building.objects.filter(number__startswith="B").select_related("micro_grid"):
            for i in range(per):
                rows.append(
                    Household(
                        building=b,
                        unit="1",
                        room=f"{i + 1:04d}",
                        sort_key=f"{i:08d}",
                        micro_grid_id=b.micro_grid_id,
                        area_path=b.area_path,
                    )
                )
        Household.objects.bulk_create(rows, batch_size=5000)
        tagged = Household.objects.filter(room__regex=r"^\d{4}$").values_list("pk", flat=True)
        for pk in tagged.iterator():
            roll = rng.random()
            tags = (
                ",lives_alone,very_old," if roll < 0.03 else (",very_old," if roll < 0.08 else "")
            )
            if tags:
                residents.append(Resident(household_id=pk, name="居民", tags=tags))
        Resident.objects.bulk_create(residents, batch_size=5000)
    households_n = Household.objects.count()
    built = time.perf_counter() - started
    if args.reuse and Visit.objects.exists():
        print(f"{db}: {households_n:,} households, {Visit.objects.count():,} visits (reused)")
    else:
        t = time.perf_counter()
        made = build_demo_visits()
        visits_s = time.perf_counter() - t
        print(
            f"{db}: {households_n:,} households ({built:.1f} s to build), "
            f"{made['visits']:,} visits and {made['residents met']:,} residents met written by "
            f"the demo step in {visits_s:.1f} s ({made['visits'] / visits_s:,.0f} visits/s)"
        )
    today = timezone.localdate()

    street = Area.objects.defer("boundary").get(code="510113001")
    community = Area.objects.defer("boundary").get(code="510113001001")
    streets = list(Area.objects.filter(subtree_q("path", district.path), depth=2).defer("boundary"))
    rows = []

    def figure(label, fn, target, *, uncached=False):
        if uncached:
            # Coverage answers are shared for a minute (stats.coverage): time the work.
            inner = fn

            def fn():
                cache.clear()
                inner()

        cold = _once(fn)
        p50, p95 = _p50(fn, args.requests)
        ok = "ok" if p50 <= target else "OVER"
        rows.append(
            f"  {label:<44} cold {cold:7.1f} ms  p50 {p50:7.1f}  p95 {p95:7.1f}"
            f"   target {target:.0f} ms  {ok}"
        )

    cov = coverage.area_coverage(district, today)
    figure(
        "coverage, district",
        lambda: coverage.area_coverage(district, today),
        TARGETS_MS["district"],
        uncached=True,
    )
    figure(
        "coverage, the district's streets",
        lambda: coverage.children_coverage(district, streets, today),
        TARGETS_MS["district"],
        uncached=True,
    )
    figure(
        "coverage, a street",
        lambda: coverage.area_coverage(street, today),
        TARGETS_MS["street"],
        uncached=True,
    )
    figure(
        "coverage, a community",
        lambda: coverage.area_coverage(community, today),
        TARGETS_MS["street"],
        uncached=True,
    )

    User = get_user_model()
    admin, worker, staff = (
        User.objects.get(username=u) for u in ("qbj_admin", "mg_worker", "community_staff")
    )

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    def page(client, url):
        def get():
            resp = client.get(url)
            assert resp.status_code == 200, (url, resp.status_code)

        return get

    figure(
        "API /stats/visit-coverage, district",
        page(client_for(admin), f"/api/v1/stats/visit-coverage?area={district.code}"),
        TARGETS_MS["district"],
        uncached=True,
    )
    wc = client_for(worker)
    figure(
        "page /households/ (worker: last visit, overdue)",
        page(wc, "/households/"),
        TARGETS_MS["page"],
    )
    figure("page /visits/ (worker's own)", page(wc, "/visits/"), TARGETS_MS["page"])
    figure(
        "page /stats/<district>/ (coverage shared)",
        page(client_for(admin), f"/stats/{district.code}/"),
        TARGETS_MS["page"],
    )
    figure(
        "API /visits?limit=100 (community staff)",
        page(client_for(staff), "/api/v1/visits?limit=100"),
        TARGETS_MS["page"],
    )

    mine = list(Household.objects.filter(micro_grid__code="510113001001001001")[:200])
    it = iter(range(10**9))

    def record():
        services.record_visit(
            actor=worker, household=mine[next(it) % len(mine)], outcome="nobody_home", items=["gas"]
        )

    figure("record_visit (service, with its points)", record, TARGETS_MS["record"])
    print(
        f"coverage of the district today: {cov.covered:,} / {cov.households:,} = "
        f"{(cov.rate or 0) * 100:.1f} % ("
        + ", ".join(f"{c.label} {c.covered}/{c.households}" for c in cov.classes)
        + ")"
    )
    print(f"{args.requests} runs each after one cold run, in-process:")
    print("\n".join(rows))
    return 1 if any(r.endswith("OVER") for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())

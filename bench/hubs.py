"""The service hubs' pages at demo scale: server time and queries per tier, cold and warm.

    python bench/hubs.py [--requests 50] [--data-dir DIR]

Builds the demo (with its year of events, a few minutes) into its own SQLite database
unless the data folder (or DATABASE_URL) already holds it, then renders in-process, as
an anonymous visitor, the page of the 港湾 (8 street hubs below it), of a 港口 (its
communities' 码头), of the first community's 码头 (its 集装箱) and of a 集装箱, and the
figures API of each; cold (the cache cleared before each request) and warm. Target: a
cold page under 150 ms (issue 14's target for work pages) and the same number of queries
whatever the tier.
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
TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--data-dir", default=os.path.join(tempfile.gettempdir(), "shezhi-bench-hubs")
    )
    args = parser.parse_args()

    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("demo", "--no-progress", verbosity=0, stdout=devnull)

    from shezhi.places.models import ServiceHub

    hubs = {tier: ServiceHub.objects.filter(tier=tier).order_by("area_path", "id").first()
            for tier in ServiceHub.Tier.values}  # fmt: skip
    client = Client()
    print(f"{connection.vendor}; hubs: "
          + ", ".join(f"{ServiceHub.objects.filter(tier=t).count()} {t}"
                      for t in ServiceHub.Tier.values))  # fmt: skip
    print(f"{'request':<44} {'children':>8} {'queries':>7} {'cold p50':>9} {'warm p50':>9}")
    worst = 0.0
    queries = set()
    for tier, hub in hubs.items():
        if hub is None:
            print(f"{tier}: no hub in the demo")
            continue
        children = ServiceHub.objects.filter(
            rank=hub.rank + 1, area_path__startswith=hub.area_path
        ).count() if tier != "compound" else 0  # fmt: skip
        for label, url in ((f"{tier} hub page", f"/hubs/{hub.pk}/"),
                           (f"{tier} figures API", f"/api/v1/hubs/{hub.pk}/figures")):  # fmt: skip
            assert client.get(url).status_code == 200, url
            executed: list[str] = []

            def count(run, sql, *rest, executed=executed):
                executed.append(sql)
                return run(sql, *rest)

            with connection.execute_wrapper(count):
                client.get(url)
            timings = {}
            for mode in ("cold", "warm"):
                found = []
                for _ in range(args.requests):
                    if mode == "cold":
                        cache.clear()
                    started = time.perf_counter()
                    response = client.get(url)
                    found.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                timings[mode] = statistics.median(found)
            if label.endswith("page"):
                worst = max(worst, timings["cold"])
                queries.add(len(executed))
            print(f"{label:<44} {children:>8} {len(executed):>7}"
                  f" {timings['cold']:>7.1f}ms {timings['warm']:>7.1f}ms")  # fmt: skip
    ok = worst < TARGET_MS
    print(f"slowest cold hub page p50: {worst:.1f} ms (target < {TARGET_MS:.0f} ms);"
          f" queries per page: {sorted(queries)}")  # fmt: skip
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

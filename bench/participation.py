"""Residents taking part: the district's count over a year (issue 16 §6, "Speed").

    python bench/participation.py [--participants 60000] [--ways 2.5]

Writes ``--participants`` participants spread over a district of 10 streets, 100
communities and 1,000 micro-grids, each taking part in 1 to 5 ways (``--ways`` on
average: demands, broadcast answers, organisations, activities, projects) at random
moments of the year, with ``core.participation.record_many``, into its own SQLite
database (or the database of DATABASE_URL, under a path prefix of its own that it
clears first). Then times, warm, side by side, main's way (every read counts the rows:
``core.participation.count_participants``/``count_by_way``) and the one definition as
it is now (``stats.participation``, cached until a write beneath the area):

- the district's count over the year, and its breakdown by way;
- a street's count over the year; a community's over a month;
- the first read after a write beneath the district (counted anew), and a street's
  read after a write in another street (still cached).

Target: the district's count over the year under 300 ms (SQLite and PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 300.0
# A district of the bench's own (paths of treebeard's alphabet no real tree reaches first).
DISTRICT = "ZZZ0"
STEP = 4


def _p50(fn, n: int) -> float:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def _path(*parts: int) -> str:
    return DISTRICT + "".join(f"{p:0{STEP}d}" for p in parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=60_000)
    parser.add_argument("--ways", type=float, default=2.5, help="ways per participant, mean")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--keep", action="store_true", help="keep the rows (a later run with --reuse skips writing)"
    )
    parser.add_argument("--reuse", action="store_true", help="count the rows a --keep run left")
    parser.add_argument(
        "--data-dir", default=os.path.join(tempfile.gettempdir(), "shezhi-bench-participation")
    )
    args = parser.parse_args()
    os.environ.setdefault("SHEZHI_DATA_DIR", args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    if not os.environ.get("DATABASE_URL"):
        db_file = Path(args.data_dir) / "participation.sqlite3"
        db_file.parent.mkdir(parents=True, exist_ok=True)
        os.environ["SHEZHI_SQLITE_PATH"] = str(db_file)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from shezhi.core.models import Participation
    from shezhi.core.participation import Way, record_many
    from shezhi.core.periods import Period
    from shezhi.stats import participation as taking_part

    tz = timezone.get_current_timezone()
    year = dt.datetime(2026, 1, 1, tzinfo=tz)
    seconds = 365 * 24 * 3600
    rng = random.Random(6)
    ways = list(Way.values)
    mine = Participation.objects.filter(area_path__startswith=DISTRICT)
    if not (args.reuse and mine.exists()):
        mine.delete()
    started = time.perf_counter()

    def rows():
        for n in range(args.participants):
            street, community, micro = rng.randrange(10), rng.randrange(10), rng.randrange(10)
            home = _path(street, community, micro)
            k = min(5, max(1, round(rng.expovariate(1 / args.ways))))
            for _ in range(k):
                yield {
                    "way": rng.choice(ways),
                    "area": home,
                    "at": year + dt.timedelta(seconds=rng.randrange(seconds)),
                    "participant": f"r:{900_000_000 + n}",
                }

    written = mine.count() if args.reuse and mine.exists() else record_many(rows())
    # The steady state: the table's statistics known, PostgreSQL's visibility map set (as
    # autovacuum leaves them), so the count reads the index alone or hashes a scan.
    with connection.cursor() as cur:
        table = Participation._meta.db_table
        cur.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
    build_s = time.perf_counter() - started
    whole = Period(dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    district_total = taking_part.area_taking_part(DISTRICT, whole).total
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores (a shared machine times slower)")
    print(
        f"{connection.vendor}: {written} participations of {args.participants} participants"
        f" written in {build_s:.1f} s; the district's count over 2026: {district_total}"
    )
    start, end = taking_part.bounds(whole)
    m_start, m_end = taking_part.bounds(march)
    from django.core.cache import cache

    from shezhi.core import participation

    def main_way(area, a, b):
        # main's way: both counts read from the rows on every call.
        return participation.count_participants(area, a, b), participation.count_by_way(area, a, b)

    def write_in(path):
        # One more participation (a resident's demand) under ``path``: turns its counts over.
        participation.record_participation(
            way=Way.DEMAND, area=path, at=year, resident=rng.randrange(10**9)
        )

    # (name, before: main's way, after: the cached definition)
    cases = [
        (
            "district, a year (count)",
            lambda: participation.count_participants(DISTRICT, start, end),
            lambda: participation.participants(DISTRICT, start, end),
        ),
        (
            "district, a year (count and by way)",
            lambda: main_way(DISTRICT, start, end),
            lambda: taking_part.area_taking_part(DISTRICT, whole),
        ),
        (
            "street, a year (count and by way)",
            lambda: main_way(_path(3), start, end),
            lambda: taking_part.area_taking_part(_path(3), whole),
        ),
        (
            "community, a month (count and by way)",
            lambda: main_way(_path(3, 4), m_start, m_end),
            lambda: taking_part.area_taking_part(_path(3, 4), march),
        ),
    ]
    ok = True
    print(f"  {'':38s} {'before (main)':>14s} {'after (cached)':>15s}")
    for name, before, after in cases:
        before()  # warm the database's pages
        b50 = _p50(before, args.repeat)
        cache.clear()
        after()  # the first read fills the cache
        a50 = _p50(after, args.repeat)
        mark = ""
        if name == "district, a year (count)":
            passed = a50 < TARGET_MS
            ok &= passed
            mark = f"  (target < {TARGET_MS:.0f} ms): " + ("PASS" if passed else "FAIL")
        print(f"  {name:38s} p50 {b50:7.1f} ms   p50 {a50:8.2f} ms{mark}")

    # What a write costs the reads: the first read after a write beneath the area counts
    # anew (main's cost, once); a write elsewhere leaves the area's answer cached.
    district = lambda: taking_part.area_taking_part(DISTRICT, whole)  # noqa: E731
    street = lambda: taking_part.area_taking_part(_path(3), whole)  # noqa: E731
    district(), street()
    samples_cold, samples_other = [], []
    for _ in range(args.repeat):
        write_in(_path(7, 1, 1))  # street 7: beneath the district, beside street 3
        t = time.perf_counter()
        district()
        samples_cold.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        street()
        samples_other.append((time.perf_counter() - t) * 1000)
    print(
        "  after a write in street 7: the district's count and by way, read again"
        f" p50 {statistics.median(samples_cold):7.1f} ms (counted anew);"
        f" street 3's p50 {statistics.median(samples_other):6.2f} ms (still cached)"
    )
    if not args.keep:
        mine.delete()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

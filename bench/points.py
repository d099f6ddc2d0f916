"""The points ledger: awards through the service layer, and a balance read.

    python bench/points.py [--db pg|sqlite|both] [--awards 20000] [--history 100000]

Targets (issue 6): awards through the service layer at 2,000 ledger entries/s or
more on PostgreSQL; a person's balance read in constant time, checked against
the sum of their entries in the same run.

For each database, one run in its own process, on a fresh database (SQLite in a
new data folder; PostgreSQL: ``createdb -U postgres -h 127.0.0.1
shezhi_bench_points``, trust auth, dropped at the end), migrated, with the test
territory (tests/factories.build_territory: two districts, streets, communities,
grids, micro-grids) and ``--people`` sign-ins holding a micro-grid.

1. Awards: ``incentives.services.award_piece`` exactly as the event workflow calls
   it (rule ``event_closed_on_time``: 5 routine points, daily cap 50, so the cap's
   sum is read each time), each in its own transaction (autocommit: the service's
   ``atomic`` is the transaction), a new cause each, people taken in turn, moments
   spread over 30 days (under the cap: every award writes). Each award is one
   transfer and two entries (the person's account, the district's issuing
   account). Run by 1 process, then by ``--procs`` processes at once (a server
   runs several workers; each process has its own connection), each timed from
   a common start to its last commit; entries/s = entries written / wall time.
   Then 10 % of the causes are awarded again (a service that runs twice): each
   must return the first transfer and write nothing.
2. Balance: one person is given ``--history`` more transfers (written in bulk,
   the account's stored balance set to their sum, as the service keeps it), a
   second person has the handful from step 1. ``selectors.balances(user)`` is
   timed for both (median of 200 calls; a new connection first for the cold
   figure), beside the sum of the person's entries (what the balance would cost
   without the stored column). Constant time: the long history's read within 2×
   the short one's (plus 0.2 ms of noise) while the sum grows with it.
3. Checks: the ledger sums to zero, every transfer balances, every person
   account's stored balance equals the sum of its entries
   (``selectors.check_ledger``), none negative; the number of entries written
   equals 2 × awards.

Exits 1 when the PostgreSQL target or a check fails (SQLite's awards figure is
shown, not judged: its writers take turns on one file lock).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "shezhi_bench_points"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
TARGET_ENTRIES_PER_S = 2000
KIND = "event_closed_on_time"


def setup_django(migrate: bool = False) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def build_world(people: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from shezhi.people.models import RoleAssignment
    from tests.factories import build_territory

    territory = build_territory()
    micro = [territory["micro1"], territory["micro2"]]
    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench{i:05d}", password=password) for i in range(people)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role="micro_grid_worker", area=micro[i % 2])
        for i, u in enumerate(users)
    )
    return {"user_ids": [u.pk for u in users], "areas": [a.pk for a in micro]}


BASE = (2026, 10, 1, 9)


def award_range(args) -> tuple[int, float, float, int]:
    """Worker: award causes [lo, hi); returns (written, start, end, errors)."""
    lo, hi, world, start_at = args
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from shezhi.areas.models import Area
    from shezhi.incentives.services import award_piece

    connection.close()
    User = get_user_model()
    users = list(User.objects.filter(pk__in=world["user_ids"]).order_by("pk"))
    areas = {a.pk: a for a in Area.objects.filter(pk__in=world["areas"]).defer("boundary")}
    base = datetime(*BASE, tzinfo=timezone.get_default_timezone())
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.perf_counter()
    written = 0
    for i in range(lo, hi):
        user = users[i % len(users)]
        t = award_piece(
            kind=KIND,
            user=user,
            area=areas[world["areas"][(i % len(users)) % 2]],
            cause_type="event",
            cause_id=str(i),
            cause_ref=f"QBJ-{i}",
            at=base + timedelta(minutes=(i * 7) % (30 * 24 * 60)),
        )
        written += t is not None
    t1 = time.perf_counter()
    connection.close()
    return written, t0, t1, 0


def run_awards(world: dict, lo: int, n: int, procs: int) -> dict:
    from django.db import connection

    connection.close()
    chunk = n // procs
    ranges = [
        (lo + k * chunk, lo + (k + 1) * chunk if k < procs - 1 else lo + n) for k in range(procs)
    ]
    start_at = time.time() + 1.0
    ctx = mp.get_context("fork")
    with ctx.Pool(procs) as pool:
        results = pool.map(award_range, [(a, b, world, start_at) for a, b in ranges])
    written = sum(r[0] for r in results)
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return {
        "procs": procs,
        "awards": n,
        "written": written,
        "seconds": wall,
        "awards_per_s": written / wall,
        "entries_per_s": 2 * written / wall,
    }


def repeat_awards(world: dict, n: int) -> dict:
    """A tenth of the causes awarded again: the first transfer comes back, nothing written."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shezhi.areas.models import Area
    from shezhi.incentives.models import Entry, Transfer
    from shezhi.incentives.services import award_piece

    User = get_user_model()
    users = list(User.objects.filter(pk__in=world["user_ids"]).order_by("pk"))
    areas = {a.pk: a for a in Area.objects.filter(pk__in=world["areas"]).defer("boundary")}
    base = datetime(*BASE, tzinfo=timezone.get_default_timezone())
    before = (Transfer.objects.count(), Entry.objects.count())
    same = 0
    t0 = time.perf_counter()
    sample = range(0, n, 10)
    for i in sample:
        first = Transfer.objects.get(cause_key=f"{KIND}:event:{i}")
        again = award_piece(
            kind=KIND,
            user=users[i % len(users)],
            area=areas[world["areas"][(i % len(users)) % 2]],
            cause_type="event",
            cause_id=str(i),
            at=base + timedelta(minutes=(i * 7) % (30 * 24 * 60)),
        )
        same += again is not None and again.pk == first.pk
    seconds = time.perf_counter() - t0
    after = (Transfer.objects.count(), Entry.objects.count())
    return {
        "repeats": len(sample),
        "same_transfer": same,
        "written": [after[0] - before[0], after[1] - before[1]],
        "seconds": seconds,
    }


def give_history(user_id: int, district_id: int, area_id: int, n: int) -> None:
    """``n`` awards of 1 point to one person, written in bulk (the bench's long history)."""
    from django.db import transaction
    from django.utils import timezone

    from shezhi.areas.models import Area
    from shezhi.incentives.models import Account, Entry, Transfer
    from shezhi.incentives.services import _person_accounts, system_account

    area = Area.objects.defer("boundary").get(pk=area_id)
    base = datetime(2025, 1, 1, tzinfo=timezone.get_default_timezone())
    with transaction.atomic():
        account_id, balance = _person_accounts(user_id, ["other"])["other"]
        issuing = system_account(district_id, Account.Kind.ISSUING, "other")
        step = 10_000
        for lo in range(0, n, step):
            transfers = Transfer.objects.bulk_create(
                Transfer(
                    kind="award",
                    user_id=user_id,
                    district_id=district_id,
                    area=area,
                    area_path=area.path,
                    bucket="other",
                    points=1,
                    earning=True,
                    rule="volunteer_hour",
                    cause_type="activity",
                    cause_id=f"h{i}",
                    cause_key=f"volunteer_hour:activity:h{i}",
                    at=base + timedelta(minutes=i),
                )
                for i in range(lo, min(n, lo + step))
            )
            entries = []
            for k, t in enumerate(transfers, start=lo + 1):
                entries.append(
                    Entry(transfer=t, account_id=account_id, amount=1, balance_after=balance + k)
                )
                entries.append(Entry(transfer=t, account_id=issuing, amount=-1))
            Entry.objects.bulk_create(entries)
        Account.objects.filter(pk=account_id).update(balance=balance + n)


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure_balance(world: dict, history: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Sum

    from shezhi.areas.models import Area
    from shezhi.incentives import selectors
    from shezhi.incentives.models import Entry

    User = get_user_model()
    long_user = User.objects.get(pk=world["user_ids"][0])
    short_user = User.objects.get(pk=world["user_ids"][1])
    area = Area.objects.defer("boundary").get(pk=world["areas"][0])
    district = Area.objects.get(path=area.path[: Area.steplen])
    t = time.perf_counter()
    give_history(long_user.pk, district.pk, area.pk, history)
    built = time.perf_counter() - t
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")

    def entries_sum(user):
        return (
            Entry.objects.filter(account__user=user, account__kind="person").aggregate(
                s=Sum("amount")
            )["s"]
            or 0
        )

    out = {"history_built_s": built}
    for label, user in (("long", long_user), ("short", short_user)):
        connection.close()
        t = time.perf_counter()
        balance = selectors.balances(user).total
        cold = (time.perf_counter() - t) * 1000
        out[label] = {
            "entries": Entry.objects.filter(account__user=user).count(),
            "balance": balance,
            "sum_of_entries": entries_sum(user),
            "cold_ms": cold,
            "balance_ms": median_ms(lambda u=user: selectors.balances(u), 200),
            "sum_ms": median_ms(lambda u=user: entries_sum(u), 20),
        }
    return out


def child(args) -> None:
    from django.db import connection

    t0 = time.perf_counter()
    setup_django(migrate=True)
    from shezhi.incentives import selectors
    from shezhi.incentives.models import Entry, Transfer

    world = build_world(args.people)
    result = {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "setup_s": time.perf_counter() - t0,
        "load_before": os.getloadavg()[0],
    }
    runs = []
    lo = 0
    for procs in (1, args.procs):
        runs.append(run_awards(world, lo, args.awards, procs))
        lo += args.awards
    result["runs"] = runs
    result["repeat"] = repeat_awards(world, args.awards)
    result["balance"] = measure_balance(world, args.history)
    check = selectors.check_ledger()
    result["check"] = {
        "entries_sum": check.entries_sum,
        "unbalanced": check.unbalanced_transfers,
        "drifted": check.drifted_accounts,
        "negative": check.negative_accounts,
        "ok": check.ok,
        "transfers": Transfer.objects.count(),
        "entries": Entry.objects.count(),
        "expected_entries": 2 * sum(r["written"] for r in runs) + 2 * args.history,
    }
    result["load_after"] = os.getloadavg()[0]
    Path(args.child).write_text(json.dumps(result, default=str))


def run_db(name: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"shezhi-bench-points-{name}-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHEZHI_DEBUG")}
    env.update(SHEZHI_DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="shezhi.settings")
    pg = ["-U", "postgres", "-h", "127.0.0.1"]
    if name == "pg":
        env["DATABASE_URL"] = PG_URL
        subprocess.run(
            ["dropdb", *pg, "--if-exists", PG_DB], check=True, env=env, capture_output=True
        )
        subprocess.run(["createdb", *pg, PG_DB], check=True, env=env)
    try:
        print(
            f"[{name}] {args.awards:,} awards ×2 runs, {args.history:,} history…", file=sys.stderr
        )
        out = tmp / "result.json"
        subprocess.run(
            [
                sys.executable, __file__, "--child", str(out), "--awards", str(args.awards),
                "--history", str(args.history), "--people", str(args.people),
                "--procs", str(args.procs),
            ],
            env=env,
            check=True,
        )  # fmt: skip
        return {"name": name, **json.loads(out.read_text())}
    finally:
        if name == "pg":
            subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=False, env=env)
        shutil.rmtree(tmp, ignore_errors=True)


def report(res: dict) -> bool:
    ok = True
    judged = res["name"] == "pg"
    title = f"PostgreSQL {res['server']}" if judged else "SQLite"
    print(f"\n== {title}  (load average {res['load_before']:.2f} → {res['load_after']:.2f})")
    print(f"  {'awards':<28}{'awards/s':>10}{'entries/s':>11}{'target':>9}  verdict")
    best = max(r["entries_per_s"] for r in res["runs"])
    for r in res["runs"]:
        label = f"{r['written']:,} by {r['procs']} process{'es' if r['procs'] > 1 else ''}"
        print(
            f"  {label:<28}{r['awards_per_s']:>10,.0f}{r['entries_per_s']:>11,.0f}"
            f"{TARGET_ENTRIES_PER_S:>9,}  "
            + (
                ("PASS" if r["entries_per_s"] >= TARGET_ENTRIES_PER_S else "below")
                if judged
                else "(not judged)"
            )
        )
    if judged and best < TARGET_ENTRIES_PER_S:
        ok = False
    rep = res["repeat"]
    repeat_ok = rep["same_transfer"] == rep["repeats"] and rep["written"] == [0, 0]
    ok &= repeat_ok
    print(
        f"  causes awarded again: {rep['repeats']:,}, same transfer back {rep['same_transfer']:,},"
        f" rows written {rep['written']}  {'OK' if repeat_ok else 'FAIL'}"
    )
    b = res["balance"]
    print(
        f"  {'balance read':<28}{'entries':>10}{'balance()':>11}{'cold':>9}"
        f"{'sum(entries)':>14}  equal"
    )
    for label in ("short", "long"):
        row = b[label]
        equal = row["balance"] == row["sum_of_entries"]
        ok &= equal
        print(
            f"  {label + ' history':<28}{row['entries']:>10,}{row['balance_ms']:>9.3f}ms"
            f"{row['cold_ms']:>7.2f}ms{row['sum_ms']:>12.2f}ms  {'OK' if equal else 'MISMATCH'}"
        )
    constant = b["long"]["balance_ms"] <= 2 * b["short"]["balance_ms"] + 0.2
    ok &= constant
    print(
        f"  constant time: {b['long']['entries']:,} entries read in"
        f" {b['long']['balance_ms']:.3f} ms"
        f" vs {b['short']['entries']:,} in {b['short']['balance_ms']:.3f} ms"
        f" (sum of entries: {b['long']['sum_ms'] / max(b['short']['sum_ms'], 1e-9):.0f}× slower)"
        f"  {'PASS' if constant else 'FAIL'}"
    )
    c = res["check"]
    counted = c["entries"] == c["expected_entries"]
    ok &= c["ok"] and counted
    print(
        f"  ledger: entries sum {c['entries_sum']}, unbalanced transfers {c['unbalanced']},"
        f" drifted balances {c['drifted']}, negative {c['negative']},"
        f" entries {c['entries']:,} (expected {c['expected_entries']:,})"
        f"  {'OK' if c['ok'] and counted else 'FAIL'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    parser.add_argument("--awards", type=int, default=20000)
    parser.add_argument("--history", type=int, default=100000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    names = ["pg", "sqlite"] if args.db == "both" else [args.db]
    results = [run_db(name, args) for name in names]
    print(
        f"\nbench/points.py — target: ≥ {TARGET_ENTRIES_PER_S:,} entries/s on PostgreSQL;"
        " balance in constant time"
    )
    verdicts = [report(r) for r in results]  # every report printed, then judged
    ok = all(verdicts)
    print("\nALL PASS" if ok else "\nSOME TARGET OR CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

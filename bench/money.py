"""The money ledger under load, on PostgreSQL: payments through the service layer, and
payments, approvals and expenses racing on one project and one fund.

    python bench/money.py [--payments 2000] [--procs 1,4] [--threads 200]
                          [--baseline-src /work/main/src | --baseline-src none]

Targets (issue 17): at least 1,000 payments/s recorded through the service layer on
PostgreSQL (each payment: the payment row, its transfer and legs, the match drawn, the
audit log), by ``projects.services.record_payment`` (one payment per transaction) or
``record_payments`` (a batch, a settlement file: ``--batch`` lines per transaction); a
project's balance read in constant time, checked against the sum of its entries in the same run; 200
parallel payments and expenses (threads, each its own connection) against one project
and one fund ending exact: no overspend, no match above the ratio, the ledger summing to
zero (``ledger.check()``).

A fresh database (``createdb -U postgres -h 127.0.0.1 shezhi_bench_money``, trust auth,
dropped at the end), migrated, with the test territory (tests/factories.build_territory).

1. Throughput: ``--payments`` payments over 50 projects in crowdfunding (targets far
   above what is paid, ratio 1:1, cap large), by 1 process then each of ``--procs``
   processes (fork, each its own connection), timed from a common start to the last
   commit; then ``--batch-payments`` in batches of ``--batch`` lines the same way, the
   processes each paying into its own share of the projects (a settlement file is one
   channel's or one collector's: concurrent batches rarely pay the same project), then
   again all into the same 50 (each batch locks every project it pays, so there the
   processes wait for each other: printed as a second figure); with the statements one
   payment, and one batch, sends (BEGIN and COMMIT included). The single payments, and
   the batches when it has ``record_payments``, with the code at ``--baseline-src``
   (main's checkout; a fresh database) are printed side by side, or the figures
   recorded before the one-statement payment when that code cannot be run.
2. Balance: a project given ``--history`` more payments; ``ledger.balance`` (one row)
   timed against the sum of its entries (median of 100 calls).
3. Race on one project and one fund (``--threads`` threads started together):
   - half pay into one project whose cap is reached part-way (the rest must be refused,
     never taking it above its cap), while the other half approve other projects that
     each reserve their match from the same fund (which cannot cover them all: the fund
     must never go below zero);
   - then ``--threads`` expenses on the delivered project asking for more than it holds
     in all: those accepted must sum to at most what it held, to the fen.
   Then ``ledger.check()`` over everything.

Exits 1 when a target or a check fails.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "shezhi_bench_money"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
TARGET_PAYMENTS_PER_S = 1000
# Measured before the one-statement payment (issue 17 first increment, same machine).
BASELINE_RECORDED = {"statements": 13, "runs": {1: 41, 2: 74}}


def setup_django(migrate: bool = False) -> None:
    # The baseline run imports the platform from another checkout (same schema).
    sys.path.insert(0, os.environ.get("SHEZHI_BENCH_SRC") or str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def build_world(args) -> dict:
    from django.utils import timezone

    from shezhi.projects import services
    from tests.factories import build_territory, make_user

    t = build_territory()
    admin = make_user("bench_admin", role="district_admin", area=t["district"])
    residents = [make_user(f"bench_res{i}", role="resident", area=t["micro1"]) for i in range(3)]
    services.set_rules(
        actor=admin, district=t["district"], backing_threshold=1, match_ratio_bp=10000,
        match_cap=1_000_000_000, overfunding_pct=0,
    )  # fmt: skip
    fund = services.open_fund(actor=admin, community=t["community"], name="基金")
    services.allocate(actor=admin, fund=fund, amount=1_000_000_000, reference="bench")

    def funding(target, cap=None):
        if cap is not None:
            services.set_rules(
                actor=admin, district=t["district"], backing_threshold=1,
                match_ratio_bp=5000, match_cap=cap, overfunding_pct=0,
            )  # fmt: skip
        p = services.propose(
            actor=residents[0], area=t["micro1"], title="项目", problem="p", plan="q",
            budget=[{"kind": "materials", "description": "料", "amount": target}],
            deadline=timezone.now() + timedelta(days=30),
        )  # fmt: skip
        services.back(actor=residents[1], project=p)
        p.refresh_from_db()
        return services.review(actor=admin, project=p, decision="approve")

    projects = [funding(900_000_000 // 60).pk for _ in range(50)]
    return {"admin": admin.pk, "projects": projects, "funding": funding, "t": t, "fund": fund}


def pay_range(args) -> tuple[int, float, float]:
    lo, hi, admin_id, projects, start_at = args
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shezhi.projects import services
    from shezhi.projects.models import Project

    connection.close()
    admin = get_user_model().objects.get(pk=admin_id)
    ps = list(Project.objects.filter(pk__in=projects).order_by("pk"))
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.perf_counter()
    done = 0
    for i in range(lo, hi):
        services.record_payment(
            actor=admin, project=ps[i % len(ps)], payer_name="张三", amount=100 + i % 900,
            channel="wechat", reference=f"wx{i}",
        )  # fmt: skip
        done += 1
    t1 = time.perf_counter()
    connection.close()
    return done, t0, t1


def pay_batches(args) -> tuple[int, float, float]:
    """Payments recorded ``size`` lines at a time (``record_payments``), lines spread
    over the projects as a settlement file would be."""
    lo, hi, admin_id, projects, start_at, size = args
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shezhi.projects import services

    connection.close()
    admin = get_user_model().objects.get(pk=admin_id)
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.perf_counter()
    done = 0
    for start in range(lo, hi, size):
        lines = [
            {"project": projects[i % len(projects)], "payer_name": "张三",
             "amount": 100 + i % 900, "channel": "alipay", "reference": f"ali{i}"}
            for i in range(start, min(hi, start + size))
        ]  # fmt: skip
        done += sum(r.created for r in services.record_payments(actor=admin, lines=lines))
    t1 = time.perf_counter()
    connection.close()
    return done, t0, t1


def statements_per_payment(world) -> int:
    """The statements one payment sends on a warm project (BEGIN and COMMIT included)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.projects import services
    from shezhi.projects.models import Project

    admin = get_user_model().objects.get(pk=world["admin"])
    p = Project.objects.get(pk=world["projects"][-1])
    counts = []
    for k in range(2):
        with CaptureQueriesContext(connection) as q:
            services.record_payment(
                actor=admin, project=p, payer_name="赵六", amount=100, channel="bank",
                reference=f"count{k}-{os.getpid()}",
            )  # fmt: skip
        counts.append(len(q.captured_queries))
    return counts[-1]


def run_payments(world, lo, n, procs, batch=0, shared=False) -> dict:
    """``n`` payments by ``procs`` processes; batches go to a set of projects of each
    process's own (a settlement file is one channel's or one collector's: two files
    rarely pay the same project), or to all the projects in every process (``shared``:
    each batch then waits for the other's locks on the projects both pay)."""
    from django.db import connection

    connection.close()
    chunk = n // procs
    ranges = [
        (lo + k * chunk, lo + (k + 1) * chunk if k < procs - 1 else lo + n) for k in range(procs)
    ]
    ps = world["projects"]
    start_at = time.time() + 1.0
    with mp.get_context("fork").Pool(procs) as pool:
        if batch:
            res = pool.map(
                pay_batches,
                [
                    (a, b, world["admin"], ps if shared else ps[k::procs], start_at, batch)
                    for k, (a, b) in enumerate(ranges)
                ],
            )
        else:
            res = pool.map(
                pay_range, [(a, b, world["admin"], world["projects"], start_at) for a, b in ranges]
            )
    done = sum(r[0] for r in res)
    wall = max(r[2] for r in res) - min(r[1] for r in res)
    return {
        "procs": procs, "payments": done, "seconds": wall, "per_s": done / wall,
        "projects": "shared" if shared or procs == 1 else "own",
    }  # fmt: skip


def statements_per_batch(world, size) -> int:
    """The statements one batch of ``size`` lines sends (BEGIN and COMMIT included)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.projects import services

    admin = get_user_model().objects.get(pk=world["admin"])
    ps = world["projects"]
    with CaptureQueriesContext(connection) as q:
        services.record_payments(
            actor=admin,
            lines=[
                {"project": ps[i % len(ps)], "payer_name": "赵六", "amount": 100,
                 "channel": "bank", "reference": f"bcount{i}-{os.getpid()}"}
                for i in range(size)
            ],
        )  # fmt: skip
    return len(q.captured_queries)


def median_ms(fn, runs=100) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure_balance(world, history) -> dict:
    from django.contrib.auth import get_user_model

    from shezhi.projects import ledger, services
    from shezhi.projects.models import Project

    admin = get_user_model().objects.get(pk=world["admin"])
    long_p = Project.objects.get(pk=world["projects"][0])
    for i in range(history):
        services.record_payment(
            actor=admin, project=long_p, payer_name="李四", amount=50, channel="bank",
            reference=f"hist{i}",
        )  # fmt: skip
    long_p.refresh_from_db()
    short_p = world["funding"](10_000)
    entries = ledger.MoneyEntry.objects.filter(account_id=long_p.account_id).count()
    return {
        "entries": entries,
        "balance_ms_long": median_ms(lambda: ledger.balance(long_p.account_id)),
        "balance_ms_short": median_ms(lambda: ledger.balance(short_p.account_id)),
        "sum_ms_long": median_ms(lambda: ledger.entries_sum(long_p.account_id)),
        "equal": ledger.balance(long_p.account_id) == ledger.entries_sum(long_p.account_id),
    }


def race(world, threads: int, max_conns: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from shezhi.core.errors import EventError
    from shezhi.projects import ledger, services
    from shezhi.projects.models import Expense, MoneyAccount, Project

    admin = get_user_model().objects.get(pk=world["admin"])
    # One project: target 30,000 fen, ratio 1:2 (5000 bp), match cap 10,000: full at
    # 20,000 of residents' money + 10,000 match.
    target = world["funding"](30_000, cap=10_000)
    # Projects to approve against the same fund, which is first drained to leave room
    # for only some of them.
    fund = world["fund"]
    waiting = []
    for _ in range(threads // 2):
        p = services.propose(
            actor=get_user_model().objects.get(username="bench_res0"), area=world["t"]["micro1"],
            title="待审", problem="p", plan="q",
            budget=[{"kind": "labour", "description": "工", "amount": 40_000}],
            deadline=timezone.now() + timedelta(days=30),
        )  # fmt: skip
        services.back(actor=get_user_model().objects.get(username="bench_res1"), project=p)
        waiting.append(Project.objects.get(pk=p.pk))
    held = ledger.balance(fund.account_id)
    ALLOCATIONS_IN = MoneyAccount.Kind.ALLOCATIONS_IN
    leave = 10_000 * (threads // 4) + 5_000  # room for a quarter of the approvals
    ledger_transfer_out = held - leave
    with transaction.atomic():
        ledger.lock(fund.account_id)
        ledger.transfer(
            kind="allocation", legs=[(fund.account_id, -ledger_transfer_out), (
                ledger.boundary_account(world["t"]["district"].pk, ALLOCATIONS_IN),
                ledger_transfer_out)], holding={fund.account_id}, cause_type="bench-drain",
            cause_id="1", at=timezone.now(),
        )  # fmt: skip
    outcomes = {"paid": 0, "pay_refused": 0, "approved": 0, "approve_refused": 0,
                "spent": 0, "spend_refused": 0, "errors": []}  # fmt: skip
    lock = threading.Lock()
    # PostgreSQL here takes 100 connections: the threads start together and each opens
    # its own connection once one of ``slots`` is free.
    slots = threading.BoundedSemaphore(max_conns)
    barrier = threading.Barrier(threads)

    def work(k):
        try:
            barrier.wait()
            slots.acquire()
            if k % 2 == 0:
                try:
                    services.record_payment(
                        actor=admin, project=target, payer_name="王五", amount=1_000,
                        channel="alipay", reference=f"race{k}",
                    )  # fmt: skip
                    key = "paid"
                except EventError:
                    key = "pay_refused"
            else:
                try:
                    services.review(actor=admin, project=waiting[k // 2], decision="approve")
                    key = "approved"
                except EventError:
                    key = "approve_refused"
            with lock:
                outcomes[key] += 1
        except Exception as e:
            with lock:
                outcomes["errors"].append(repr(e))
        finally:
            connection.close()
            slots.release()

    def spend(k):
        try:
            barrier.wait()
            slots.acquire()
            try:
                services.record_expense(
                    actor=admin, project=target, payee="店", description="料", amount=1_000 + k
                )
                key = "spent"
            except EventError:
                key = "spend_refused"
            with lock:
                outcomes[key] += 1
        except Exception as e:
            with lock:
                outcomes["errors"].append(repr(e))
        finally:
            connection.close()
            slots.release()

    t0 = time.perf_counter()
    for fn in (work, spend):
        barrier = threading.Barrier(threads)
        ts = [threading.Thread(target=fn, args=(k,)) for k in range(threads)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
    seconds = time.perf_counter() - t0
    target.refresh_from_db()
    spent = sum(Expense.objects.filter(project=target).values_list("amount", flat=True))
    raised = target.paid_in + target.matched
    check = ledger.check()
    return {
        **outcomes,
        "seconds": seconds,
        "raised": raised,
        "funding_cap": target.funding_cap,
        "paid_in": target.paid_in,
        "matched": target.matched,
        "spent_fen": spent,
        "balance": ledger.balance(target.account_id),
        "fund_balance": ledger.balance(fund.account_id),
        "exact": (
            raised <= target.funding_cap
            and target.matched <= target.paid_in * target.match_ratio_bp // 10000
            and spent <= raised
            and ledger.balance(target.account_id) == raised - spent
            and ledger.balance(fund.account_id) >= 0
            and not outcomes["errors"]
        ),
        "check_ok": check.ok,
        "check": check.lines(),
    }


def child(args) -> None:
    from django.db import connection

    setup_django(migrate=True)
    world = build_world(args)
    result = {"server": connection.pg_version, "load_before": os.getloadavg()[0]}
    result["statements"] = statements_per_payment(world)
    runs, lo = [], 0
    for procs in sorted({1, *args.procs}):
        runs.append(run_payments(world, lo, args.payments, procs))
        lo += args.payments
    result["runs"] = runs
    if args.batch and not args.no_batch:
        result["batch_statements"] = statements_per_batch(world, args.batch)
        batch_runs = []
        for procs in sorted({1, *args.procs}):
            for shared in (False, True) if procs > 1 else (False,):
                batch_runs.append(
                    run_payments(
                        world, lo, args.batch_payments, procs, batch=args.batch, shared=shared
                    )
                )
                lo += args.batch_payments
        result["batch_runs"] = batch_runs
    if args.only_payments:
        result["load_after"] = os.getloadavg()[0]
        Path(args.child).write_text(json.dumps(result, default=str))
        return
    result["balance"] = measure_balance(world, args.history)
    result["race"] = race(world, args.threads, args.max_conns)
    result["load_after"] = os.getloadavg()[0]
    Path(args.child).write_text(json.dumps(result, default=str))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=2000)
    ap.add_argument(
        "--procs",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[2],
        help="process counts to run besides 1, e.g. 2 or 2,4",
    )
    ap.add_argument(
        "--baseline-src",
        default="/work/main/src",
        help="a checkout's src to run the same payments with (none: the recorded figures)",
    )
    ap.add_argument(
        "--batch", type=int, default=500, help="lines per record_payments batch (0: none)"
    )
    ap.add_argument("--batch-payments", type=int, default=20_000)
    ap.add_argument("--only-payments", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-batch", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--history", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=200)
    ap.add_argument("--max-conns", type=int, default=80, help="connections open at once")
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        child(args)
        return 0
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHEZHI_DEBUG")}
    tmp = Path(tempfile.mkdtemp(prefix="shezhi-bench-money-"))
    env.update(
        SHEZHI_DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="shezhi.settings", DATABASE_URL=PG_URL
    )
    pg = ["-U", "postgres", "-h", "127.0.0.1"]
    procs = ",".join(str(p) for p in args.procs)

    def run(child_env, *extra) -> dict:
        subprocess.run(
            ["dropdb", *pg, "--if-exists", PG_DB], check=True, env=env, capture_output=True
        )
        subprocess.run(["createdb", *pg, PG_DB], check=True, env=env)
        try:
            out = tmp / "result.json"
            out.unlink(missing_ok=True)
            subprocess.run(
                [sys.executable, __file__, "--child", str(out), "--payments", str(args.payments),
                 "--procs", procs, "--history", str(args.history),
                 "--threads", str(args.threads), "--max-conns", str(args.max_conns),
                 "--batch", str(args.batch), "--batch-payments", str(args.batch_payments),
                 *extra],
                env=child_env, check=True,
            )  # fmt: skip
            return json.loads(out.read_text())
        finally:
            subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=False, env=env)

    res = run(env)
    base, base_note = None, "baseline recorded"
    src = Path(args.baseline_src) if args.baseline_src != "none" else None
    if src and (src / "shezhi/projects").is_dir():
        try:
            # Its batches too, when it has them (``record_payments``).
            has_batch = (src / "shezhi/projects/services/batch.py").is_file()
            extra = ["--only-payments"] + ([] if has_batch else ["--no-batch"])
            base = run({**env, "SHEZHI_BENCH_SRC": str(src)}, *extra)
            base_note = f"baseline measured ({src})"
        except (subprocess.CalledProcessError, OSError, ValueError) as e:
            print(f"  (baseline at {src} could not run: {e})")
    ok = True
    print(
        f"== PostgreSQL {res['server']}  (load {res['load_before']:.2f} → {res['load_after']:.2f})"
    )
    best = max(r["per_s"] for r in res["runs"])
    if base is not None:
        base_stmts = base["statements"]
        base_rates = {r["procs"]: r["per_s"] for r in base["runs"]}
        print(f"  {base_note}: load {base['load_before']:.2f} → {base['load_after']:.2f}")
    else:
        base_stmts, base_rates = BASELINE_RECORDED["statements"], BASELINE_RECORDED["runs"]
    print(f"  statements per payment: {res['statements']} (baseline {base_stmts}; {base_note})")
    print(f"  {'processes':>9}  {'this code':>12}  {base_note:>24}")
    for r in res["runs"]:
        was = base_rates.get(r["procs"])
        was_s = f"{was:,.0f}/s" if was is not None else "-"
        print(
            f"  {r['procs']:>9}  {r['per_s']:>10,.0f}/s  {was_s:>24}   ({r['payments']:,} payments)"
        )
    print(f"  one payment per transaction: best {best:,.0f}/s")
    base_batch = {
        (r["procs"], r["projects"]): r["per_s"] for r in (base or {}).get("batch_runs", [])
    }
    for r in res.get("batch_runs", []):
        where = {"own": "each process its own projects", "shared": "the same projects"}
        was = base_batch.get((r["procs"], r["projects"]))
        was_s = f"{was:,.0f}/s" if was is not None else "(no batch there)"
        print(
            f"  {r['procs']:>9}  {r['per_s']:>10,.0f}/s  {was_s:>24}"
            f"   ({r['payments']:,} payments in batches of {args.batch};"
            f" {res['batch_statements']} statements a batch"
            + (f"; {where[r['projects']]})" if r["procs"] > 1 else ")")
        )
        best = max(best, r["per_s"])
    verdict = best >= TARGET_PAYMENTS_PER_S
    ok &= verdict
    print(
        f"  best {best:,.0f}/s vs target {TARGET_PAYMENTS_PER_S:,}: {'PASS' if verdict else 'FAIL'}"
    )
    b = res["balance"]
    constant = b["balance_ms_long"] <= 2 * b["balance_ms_short"] + 0.2 and b["equal"]
    ok &= constant
    print(
        f"  balance of a project with {b['entries']:,} entries: {b['balance_ms_long']:.3f} ms"
        f" (short history {b['balance_ms_short']:.3f} ms; summing its entries"
        f" {b['sum_ms_long']:.3f} ms); equals its entries: {b['equal']}:"
        f" {'PASS' if constant else 'FAIL'}"
    )
    r = res["race"]
    print(
        f"  race, {args.threads} threads ×2 in {r['seconds']:.1f} s: paid {r['paid']}"
        f" (refused {r['pay_refused']}), approved {r['approved']} (refused"
        f" {r['approve_refused']}), spent {r['spent']} (refused {r['spend_refused']})"
    )
    print(
        f"  project raised {r['raised']:,} of cap {r['funding_cap']:,} (residents"
        f" {r['paid_in']:,}, match {r['matched']:,}), spent {r['spent_fen']:,}, holds"
        f" {r['balance']:,}; fund holds {r['fund_balance']:,}; errors {r['errors'][:3]}"
    )
    exact = r["exact"] and r["check_ok"]
    ok &= exact
    print("  " + "; ".join(r["check"]))
    print(f"  exact after the race, ledger sound: {'PASS' if exact else 'FAIL'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

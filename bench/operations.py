"""An emergency operation over the whole district: the fan-out and the dashboard.

    python bench/operations.py [--households 160000] [--residents-per 3] [--runs 30]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shezhi_bench_ops python bench/operations.py

Uses its own SQLite database under --data-dir (kept between runs; the households are
written once) unless DATABASE_URL is set (create the PostgreSQL database first:
``createdb -h 127.0.0.1 -U postgres shezhi_bench_ops``). Builds the demo district's
areas (2,583 micro-grids), then writes ``--households`` households in compounds and
buildings spread over every micro-grid, with ``--residents-per`` residents each, 8 % of
households carrying a vulnerable tag (独居老人, 高龄 …), straight into the tables (the
households app's bulk import may not be on this branch).

Then it times, against the issue's targets:

(a) starting an operation over the whole district (``services.start_operation``: the
    check of emergency mode, one check line per household and one tally per micro-grid,
    in one transaction): target 10 s;
(b) the dashboard of that operation once every household has an outcome (written in
    bulk: reached / absent / refused / needs help), for the district admin: the
    selector, the polled ``data.json`` and the page, in-process (server time), p50 and
    p95 over ``--runs``: target p50 < 300 ms;
(c) for information: the after-action report (figures, workbook, PDF).
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
FANOUT_TARGET_S = 10.0
DASHBOARD_TARGET_MS = 300.0
VULNERABLE_SHARE = 0.08


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("SHEZHI_DATA_DIR", data_dir)
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_households(target: int, per: int) -> int:
    """Compounds, buildings, households and residents over every micro-grid (once)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shezhi.areas import constants as c
    from shezhi.areas.models import Area
    from shezhi.demo.areas import build_demo_areas
    from shezhi.households.models import Building, Compound, Household, Resident

    build_demo_areas()
    have = Household.objects.count()
    if have >= target:
        return have
    if have:
        sys.exit(f"{have} households already, fewer than {target}: use a new --data-dir")
    grids = list(Area.objects.filter(level=c.MICRO_GRID).defer("boundary").order_by("path"))
    communities = {a.code: a for a in Area.objects.filter(level=c.COMMUNITY).defer("boundary")}
    now = timezone.now()
    per_grid = -(-target // len(grids))
    buildings_per_grid = -(-per_grid // 12)
    t0 = time.perf_counter()
    with transaction.atomic():
        compounds = Compound.objects.bulk_create(
            [
                Compound(name=f"小区{g.code}", community=communities[g.code[:12]],
                         area_path=communities[g.code[:12]].path)
                for g in grids
            ],
            batch_size=2000,
        )  # fmt: skip
        buildings = Building.objects.bulk_create(
            [
                Building(compound=comp, number=str(b + 1), sort_key=f"{b + 1:08d}",
                         lng=g.centroid_lng, lat=g.centroid_lat, micro_grid=g,
                         area_path=g.path, floors=6, units=2)
                for g, comp in zip(grids, compounds, strict=True)
                for b in range(buildings_per_grid)
            ],
            batch_size=5000,
        )  # fmt: skip
        hh_table = Household._meta.db_table
        rows = []
        made = 0
        for b in buildings:
            for k in range(12):
                if made >= target:
                    break
                unit, room = str(k // 6 + 1), f"{k % 6 // 2 + 1}0{k % 2 + 1}"
                rows.append((b.pk, unit, room, f"{unit}|{room}", "owner_occupied",
                             b.micro_grid_id, b.area_path, now, now))  # fmt: skip
                made += 1
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {hh_table} (building_id, unit, room, sort_key, kind,"
                " micro_grid_id, area_path, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        ids = list(Household.objects.order_by("id").values_list("id", flat=True))
        res = []
        every = round(1 / VULNERABLE_SHARE)
        for i, hid in enumerate(ids):
            for j in range(per):
                tags = ""
                if j == 0 and i % every == 0:
                    tags = (",lives_alone,", ",very_old,", ",needs_emergency_help,")[i % 3]
                elif j == 1 and i % 7 == 0:
                    tags = ",party_member,"
                relation = "head" if j == 0 else "other"
                blank = ("",) * 8  # sex, birth date, phone (3), ID number (3)
                res.append(
                    (hid, f"居民{i}-{j}", *blank, relation, "registered", tags, "", now, now)
                )
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {Resident._meta.db_table} (household_id, name, sex, birth_date,"
                " phone, phone_index, phone_last4, id_number, id_number_index,"
                " id_number_last4, relation, residence, tags, sensitive_tags, created_at,"
                " updated_at) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                res,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"wrote {len(ids):,} households and {len(res):,} residents in "
          f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    return len(ids)


def admin_user():
    from django.contrib.auth import get_user_model

    from shezhi.areas.models import Area
    from shezhi.people.models import RoleAssignment

    User = get_user_model()
    user, made = User.objects.get_or_create(username="ops_bench_admin")
    if made:
        user.set_password("bench-pass-123")
        user.save()
        RoleAssignment.objects.create(
            user=user, role="district_admin", area=Area.objects.get(code="510113")
        )
    return user


def clear_operations() -> None:
    from django.db import connection

    from shezhi.events.models import EmergencyPeriod
    from shezhi.operations.models import CheckLine, GridTally, Operation, RollCall

    with connection.cursor() as cur:
        for model in (CheckLine, GridTally, RollCall):
            cur.execute(f"DELETE FROM {model._meta.db_table}")
    Operation.objects.all().delete()
    EmergencyPeriod.objects.filter(reason="bench").delete()


def fill_outcomes(op) -> None:
    """Every household checked (bulk: the bench measures reading, not 160,000 taps)."""
    from django.db import connection
    from django.utils import timezone

    from shezhi.operations.models import CheckLine, GridTally

    line, tally = CheckLine._meta.db_table, GridTally._meta.db_table
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {line} SET outcome = CASE id %% 20 WHEN 0 THEN 'needs_help'"
            " WHEN 1 THEN 'absent' WHEN 2 THEN 'refused' ELSE 'reached' END,"
            " needs = CASE id %% 20 WHEN 0 THEN ',food,' ELSE '' END,"
            " checked_at = %s, first_checked_at = %s, version = 1 WHERE operation_id = %s",
            [now, now, op.pk],
        )
        for outcome, column in (("reached", "reached"), ("absent", "absent"),
                                ("refused", "refused"), ("needs_help", "needs_help")):  # fmt: skip
            cur.execute(
                f"UPDATE {tally} SET {column} = (SELECT COUNT(*) FROM {line} l"
                f" WHERE l.operation_id = {tally}.operation_id"
                f" AND l.micro_grid_id = {tally}.micro_grid_id AND l.outcome = %s)"
                " WHERE operation_id = %s",
                [outcome, op.pk],
            )
        cur.execute(
            f"UPDATE {tally} SET checked = households, vulnerable_checked = vulnerable"
            " WHERE operation_id = %s",
            [op.pk],
        )
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {line}")


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=160_000)
    parser.add_argument("--residents-per", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--data-dir", default=str(ROOT / "bench" / ".cache" / "operations"))
    args = parser.parse_args()
    os.makedirs(args.data_dir, exist_ok=True)
    setup_django(args.data_dir if not os.environ.get("DATABASE_URL") else tempfile.mkdtemp())

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shezhi.areas.models import Area
    from shezhi.events.models import EmergencyPeriod
    from shezhi.operations import reports, selectors, services

    n = write_households(args.households, args.residents_per)
    user = admin_user()
    district = Area.objects.get(code="510113")
    clear_operations()
    EmergencyPeriod.objects.create(area=district, reason="bench", started_at=timezone.now(),
                                   started_by=user)  # fmt: skip
    grids = Area.objects.filter(level="micro_grid").count()
    print(f"database: {connection.vendor}; {n:,} households in {grids:,} micro-grids")

    t = time.perf_counter()
    op = services.start_operation(actor=user, area=district, kind="flood", title="全区防汛扫楼")
    fanout = time.perf_counter() - t
    verdict = "ok" if fanout <= FANOUT_TARGET_S else "OVER"
    print(
        f"(a) start over the district: {op.households:,} check lines, {op.vulnerable:,}"
        f" vulnerable, {fanout:.2f} s   (target ≤ {FANOUT_TARGET_S:.0f} s: {verdict})"
    )

    fill_outcomes(op)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)

    def selector():
        # A fresh user object each time: nothing cached between requests.
        from django.contrib.auth import get_user_model

        fresh = get_user_model().objects.get(pk=user.pk)
        selectors.dashboard(fresh, op)

    def data_json():
        resp = client.get(f"/operations/{op.pk}/data.json")
        assert resp.status_code == 200

    def page():
        resp = client.get(f"/operations/{op.pk}/")
        assert resp.status_code == 200

    board = selectors.dashboard(user, op)
    print(f"    outcomes written: {board.total.checked:,} of {board.total.households:,}")
    for name, fn in (("selector", selector), ("data.json (polled)", data_json),
                     ("page", page)):  # fmt: skip
        p50, p95 = timed(fn, args.runs)
        verdict = "ok" if p50 < DASHBOARD_TARGET_MS else "OVER"
        print(f"(b) dashboard {name:<20} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
              f"   (target p50 < {DASHBOARD_TARGET_MS:.0f} ms: {verdict})")  # fmt: skip

    t = time.perf_counter()
    report = reports.after_action(user, op)
    figures = time.perf_counter() - t
    t = time.perf_counter()
    xlsx = reports.workbook(report)
    pdf = reports.pdf(report)
    drawn = time.perf_counter() - t
    print(f"(c) after-action report: figures {figures:.2f} s, xlsx {len(xlsx) // 1024} KB +"
          f" PDF {len(pdf) // 1024} KB drawn in {drawn:.2f} s")  # fmt: skip
    clear_operations()


if __name__ == "__main__":
    main()

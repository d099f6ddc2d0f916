"""Time a 10,000-row roster import against the 30 s target, beside one-by-one creation.

    python bench/roster_import.py            # a fresh SQLite demo district in a temp folder
    DATABASE_URL=postgres://… python bench/roster_import.py   # that database

With DATABASE_URL the demo district is built there unless present (and stays), with the
keys of SHEZHI_DATA_DIR (or the key settings) as for any other command; the people the
benchmark creates are deleted again, with their assignments and audit entries.

Builds the demo district (``shezhi demo``), then a roster of 10,000 valid people with
assignments across it (micro-grid members, embedded cadres, full-time grid workers
covering one or two general grids; every row with a phone and an ID number), and
times ``import_roster`` end to end: reading the .xlsx, every check, encryption, blind
indexes, the bulk writes and their audit entries, the commit. Beside it, in the same
run, the baseline: the same rows through ``services.create_person`` + ``services.assign``
one at a time. That path takes minutes for 10,000 rows, so it is timed on the first 500
rows and extrapolated (linear: each row costs the same handful of queries).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

ROWS = 10_000
SAMPLE = 500
TARGET_S = 30.0
# Far from the demo's own ID numbers (510113…), so no row collides with them.
REGION = "510121"


def id_number(n: int) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 15_000)
    body = f"{REGION}{born:%Y%m%d}{n // 15_000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def build_rows():
    """(cells for the workbook, kwargs for the one-by-one baseline) per row."""
    from shezhi.areas import constants as c
    from shezhi.areas.models import Area
    from shezhi.people import roster
    from shezhi.people.models import Assignment, Person

    district = Area.objects.get(code="510113")
    inside = Area.objects.filter(path__startswith=district.path).only("code", "level", "kind")
    micro = [a for a in inside if a.level == c.MICRO_GRID and a.kind == c.KIND_GENERAL]
    grids = [a for a in inside if a.level == c.GENERAL_GRID]
    by_code = {a.code: a for a in inside}
    label = roster.choice_label
    rows, plans = [], []
    for n in range(ROWS):
        mg = micro[n % len(micro)]
        kind = n % 20
        if kind < 12:
            category, force, role, areas = "micro_grid_worker", "part_time", "member", [mg]
        elif kind < 17:
            category, force, role, areas = "embedded_cadre", "professional", "embedded_cadre", [mg]
        elif kind < 19:
            g = n % len(grids)
            areas = [grids[g]] if kind == 17 else [grids[g], grids[(g + 1) % len(grids)]]
            category, force, role = "full_time_grid_worker", "full_time", "full_time_worker"
        else:
            category, force, role, areas = "other", "self_governance", "", []
        name = f"测{n:05d}"
        phone = f"139{n:08d}"
        idn = id_number(n)
        started = dt.date(2024, 1, 1) + dt.timedelta(days=n % 365)
        flags = (n % 3 == 0, n % 17 == 0, n % 5 == 0)
        rows.append(
            [
                name,
                idn,
                phone,
                label("gender", Person.Gender.MALE if int(idn[16]) % 2 else Person.Gender.FEMALE),
                mg.code,
                label("category", category),
                label("force_type", force),
                *(roster.yes_no(f) for f in flags),
                "区民政局" if category == "embedded_cadre" else "",
                mg.code,
                "",
                "；".join(a.code for a in areas),
                label("role", Assignment.Role(role)) if role else "",
                started if areas else "",
            ]
        )
        plans.append(
            {
                "area": by_code[mg.code],
                "name": name,
                "category": category,
                "force_type": force,
                "phone": phone,
                "id_number": idn,
                "gender": Person.Gender.MALE if int(idn[16]) % 2 else Person.Gender.FEMALE,
                "party_member": flags[0],
                "veteran": flags[1],
                "group_leader": flags[2],
                "employer": "区民政局" if category == "embedded_cadre" else "",
                "lives_in": by_code[mg.code],
                "assignments": [(a, role, started) for a in areas],
            }
        )
    return rows, plans


def cleanup() -> None:
    """Remove what a run created (people, assignments, their audit entries)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from shezhi.core import personal_data as pd
    from shezhi.people.models import Assignment, Person

    ids = [pd.blind_index("id_number", id_number(n)) for n in range(ROWS)]
    people = Person.objects.filter(id_number_index__in=ids)
    person_ids = list(people.values_list("pk", flat=True))
    assignment_ids = list(
        Assignment.objects.filter(person_id__in=person_ids).values_list("pk", flat=True)
    )
    if apps.is_installed("auditlog"):
        from auditlog.models import LogEntry

        for model, pks in ((Person, person_ids), (Assignment, assignment_ids)):
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=pks
            ).delete()
    Assignment.objects.filter(pk__in=assignment_ids).delete()
    Person.objects.filter(pk__in=person_ids).delete()


def measure() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import translation

    from shezhi.people import roster, services
    from shezhi.people.roster import workbooks

    translation.activate("zh-hans")
    actor = get_user_model().objects.get(username="qbj_admin")  # district admin
    cleanup()
    rows, plans = build_rows()
    data = workbooks._workbook(rows, example=False, masked_note=False)
    print(
        f"database: {connection.vendor}; roster: {ROWS} rows, "
        f"{sum(len(p['assignments']) for p in plans)} assignments, {len(data) / 1e6:.1f} MB"
    )

    # Baseline first (then removed), so both paths write into the same database state.
    started = time.perf_counter()
    for plan in plans[:SAMPLE]:
        plan = dict(plan)
        assignments = plan.pop("assignments")
        person = services.create_person(actor=actor, **plan)
        for area, role, day in assignments:
            services.assign(actor=actor, person=person, area=area, role=role, started_on=day)
    sample_s = time.perf_counter() - started
    cleanup()

    started = time.perf_counter()
    read = roster.read_roster(data, within=roster.manager_paths(actor))
    read_s = time.perf_counter() - started
    assert read.ok, read.errors[:5]

    started = time.perf_counter()
    outcome = roster.import_roster(actor=actor, data=data)
    import_s = time.perf_counter() - started
    assert outcome.written and not outcome.errors, outcome.errors[:5]
    assert outcome.people_created == ROWS
    cleanup()

    baseline_s = sample_s * ROWS / SAMPLE
    ok = import_s < TARGET_S
    print(
        f"import_roster, {ROWS} rows end to end: {import_s:.1f} s = {ROWS / import_s:,.0f} rows/s "
        f"(target < {TARGET_S:.0f} s) — {outcome.people_created} people, "
        f"{outcome.assignments_created} assignments"
    )
    print(f"  of which reading and checking alone (read_roster): {read_s:.1f} s")
    print(
        f"baseline, create_person + assign one by one: {sample_s:.1f} s for the first {SAMPLE} "
        f"rows = {SAMPLE / sample_s:,.0f} rows/s; extrapolated to {ROWS} rows: "
        f"{baseline_s:.0f} s ({baseline_s / import_s:.0f}x slower)"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    if os.environ.get("_ROSTER_BENCH_CHILD"):
        return measure()
    env = dict(os.environ, _ROSTER_BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="shezhi.settings")
    cmd = [sys.executable, "-m", "shezhi"]
    with tempfile.TemporaryDirectory() as data:
        if not env.get("DATABASE_URL"):
            env["SHEZHI_DATA_DIR"] = data  # a fresh SQLite database and keys
        # With DATABASE_URL, the environment's data folder (or key settings) holds that
        # database's keys: the demo build reads what it encrypted before.
        print("building the demo district (shezhi demo)…", file=sys.stderr)
        subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cmd, "demo", "--no-progress"], env=env, check=True, capture_output=True)
        return subprocess.run([sys.executable, __file__], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

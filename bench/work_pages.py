"""Every list API and work page with 1,000,000 events in the database, cold and warm.

    PYTHONPATH=src .venv/bin/python bench/work_pages.py [--db sqlite|postgres]
        [--events 1000000] [--rebuild] [--cache DIR] [--runs 5] [--only TEXT]
        [--plans all|fail|none] [--json PATH] [--build-only]

Target (issue 14): every list API and work page answers within 150 ms cold, on
SQLite and on PostgreSQL, with 1,000,000 events, and its query count does not
grow with the rows shown. Exits 1 when a request misses the target or fails.

1. The database, built once and kept: ``bench/.cache/work_pages_sqlite.sqlite3``
   (SQLite, WAL; ``--cache DIR`` for another folder, e.g. one shared by several
   checkouts) or the PostgreSQL database ``shezhi_bench_pages`` on 127.0.0.1:5432
   (user postgres, trust auth, created when missing); with another ``--events``
   than 1,000,000 their names end in ``_<events>``. What the build holds is written
   last, in ``work_pages_sqlite[_<events>].json`` beside the file or as the
   PostgreSQL database's comment: without it the database is built again.
   ``--rebuild`` builds it again anyway. The bench has its own fixed keys (secret,
   personal data), so a database built in one checkout serves every other. Every
   run first applies the migrations the code has and the database lacks (a
   branch's new indexes, timed and reported), as a deployment would, and warns
   when the database holds migrations the code lacks (applied by another
   checkout: their indexes stay). To compare a branch with main, measure main
   first, then the branch; measure main again only after ``--rebuild``. Both with
   ``--json``, ``bench/compare_json.py MAIN.json BRANCH.json`` prints them side by side.

   What it holds, at the bench's moment (Wednesday 25 November 2026, 10:00,
   Asia/Shanghai), all written in bulk (executemany on SQLite, COPY on
   PostgreSQL; indexes dropped during the load and created again, foreign keys
   checked once, as ``bench/kpis.py`` does):

   - ``bench/kpis.py``'s world and events: the demo district's areas (8 streets,
     83 communities, 362 general grids, 2,583 micro-grids), a micro-grid worker
     per micro-grid, the categories' departments, ``--events`` events over the
     year with their rows as of that moment, KPI facts and daily sums;
   - the demo's workforce (10,268 people on the roster with their posts) and its
     sign-ins (``shezhi demo``: qbj_admin, dawan_staff, community_staff,
     mg_worker, dept_cg, resident …); ``mg_worker`` is the worker of its
     micro-grid's events; two dispatchers per community, one per street and two
     staff per department besides;
   - residents: one account per 8 events a year (125,000 at 1,000,000), each
     living in a micro-grid and reporting in their community (a few report
     much more than most); resident and API reports are theirs. The demo's
     ``resident`` is the reporter with a long history: 0.3 % of the reports
     (3,000 at 1,000,000);
   - followers: the reporter of every report with one, and "me too" on 3 % of
     residents' reports (two on average, from the same community), with
     ``me_too_count`` to match;
   - the history (``EventTransition``): report, register, dispatch (a
     department's return and the re-dispatch), accept, escalation when overdue,
     deferral asked and approved, rework, reopen, handle, verify, rate, void,
     merge, "me too", whistle, report-in, whistle rating: about six rows an event;
   - whistles (吹哨): 2 % of the events dispatched to a community or a department,
     blown by the community, summoning one to three departments (the category's
     first), mostly reported in within the 30 minutes, rated after the close; open
     while the event is;
   - notifications: the handler's dispatch and closing notices (the worker, the
     community's dispatchers or the department's staff), the reporter's news
     (taken on, handled, resolved) for residents; read within hours, 5 % never;
   - points: the reporter's award for each registered report (2) and the
     handler's for each event closed on time (5), each a transfer with its two
     entries and running balance, person accounts holding their sums;
   - service posts: the demo's 305; volunteer activities: one a week at each post
     over the year and four weeks ahead, with sign-ups (60 % of the places),
     past ones checked in and out.

   Not modelled: anonymous reports, rework deductions and daily caps on points,
   volunteer-hour points, photos. Then the database is brought to rest as a live one
   is: PostgreSQL vacuumed and analysed (autovacuum's work); SQLite's WAL
   checkpointed and no ``ANALYZE`` (the platform runs none, so SQLite plans without
   statistics). The build's time is printed part by part: about 6 minutes on SQLite
   and 7 on PostgreSQL at 1,000,000 events on two shared cores (4 and 5 GB);
   ``--events 20000`` builds a small one in under a minute, for trying the bench.
2. Each request (see ``requests_of``) through ``django.test.Client`` in this
   process, as the role named, signed in with ``force_login``, the clock held at
   the bench's moment (``django.utils.timezone.now`` patched): server time
   (middleware, session, view, queries, template or JSON), no network, no browser.
   After one untimed request of each (imports, templates):

   cold   the database connection closed and the Django cache cleared before each
          run: a new SQLite connection (its page cache empty; the operating
          system's file cache stays warm, as on a live server) or a new PostgreSQL
          backend (shared buffers stay warm); in-process snapshots (categories,
          rules) are kept, as a running worker has them. Median of ``--runs``.
   warm   the same request again on the same connection: median of ``--runs``.

   "queries" counts the statements of one cold and one warm request
   (``CaptureQueriesContext``). One more cold request is timed statement by
   statement (the fetching of each one's rows included): its SQL time and its
   slowest statement, whose plan is printed (``EXPLAIN QUERY PLAN`` on SQLite,
   ``EXPLAIN`` on PostgreSQL).
3. The table: PASS when the cold median is within 150 ms. The machine's load
   average is printed before and after: another process on the same cores slows
   every figure. ``--json`` writes every figure to a file as well.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
TARGET_MS = 150.0
DEFAULT_EVENTS = 1_000_000
PG_DB = "shezhi_bench_pages"
PG = ["-U", "postgres", "-h", "127.0.0.1"]
SEED = 2026
BUILD_VERSION = 1  # bump when the build changes: cached databases are built again

# Rates of the world around the events.
EVENTS_PER_RESIDENT = 8
LONG_HISTORY_SHARE = 0.003
ME_TOO_SHARE = 0.03
WHISTLE_SHARE = 0.02
NEVER_READ = 0.05

DISTRICT, STREET, COMMUNITY = "510113", "510113001", "510113001001"
# The bench's own keys (its data are made up): a database built in one checkout reads the
# same in another, its roster's phones included.
BENCH_KEYS = {
    "SHEZHI_SECRET_KEY": "work-pages-bench-not-a-secret-9f3c2a7e5b1d4c8a6e0f",
    "SHEZHI_PERSONAL_DATA_KEYS": "biRPMtQreKvEK2qbFVr44V6EZJ6rASiSkE_4pMC7YPM=",
    "SHEZHI_BLIND_INDEX_KEY": "GULyAtPGr4bj1HMmVx_dvCcwEgx36kJ7ufxh4dZD31k",
}
MG_CODE = "510113001001001001"


# ---------------------------------------------------------------------------
# Where the database lives


def names(db: str, events: int, cache: Path, copy: str | None = None) -> dict:
    tail = "" if events == DEFAULT_EVENTS else f"_{events}"
    if copy:  # --compare: each side's own copy of the database (its own migrations)
        tail += f"_{copy}"
    return {
        "cache": cache,
        "sqlite": cache / f"work_pages_sqlite{tail}.sqlite3",
        "pg_db": PG_DB + tail,
        "sidecar": cache / f"work_pages_sqlite{tail}.json",
    }


def configure(db: str, where: dict, code: Path = ROOT) -> None:
    """Environment for Django before it starts: the cached database, the data folder."""
    where["cache"].mkdir(parents=True, exist_ok=True)
    os.environ.pop("SHEZHI_DEBUG", None)
    os.environ.update(BENCH_KEYS)
    os.environ["SHEZHI_DATA_DIR"] = str(where["cache"] / "data")
    os.environ.setdefault("SHEZHI_STATIC_MANIFEST", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shezhi.settings"
    if db == "postgres":
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{where['pg_db']}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SHEZHI_SQLITE_PATH"] = str(where["sqlite"])
    sys.path.insert(0, str(code / "src"))  # the code measured: this checkout's or --code's
    sys.path.insert(0, str(ROOT / "bench"))


def pg_exists(name: str) -> bool:
    found = subprocess.run(
        ["psql", *PG, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip() == "1"


def fresh_database(db: str, where: dict) -> None:
    """Remove the cached database and what says it was finished; create an empty one."""
    if db == "postgres":
        subprocess.run(["dropdb", *PG, "--if-exists", where["pg_db"]], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run(["createdb", *PG, where["pg_db"]], check=True)
    else:
        where["sidecar"].unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(where["sqlite"]) + suffix).unlink(missing_ok=True)


def cached(db: str, where: dict, events: int) -> dict | None:
    """What a finished build of this size and version holds, or None.

    SQLite: the sidecar beside the file. PostgreSQL: the database's comment (written
    last), so that every checkout finds the one database and none drops it.
    """
    if db == "postgres":
        if not pg_exists(where["pg_db"]):
            return None
        found = subprocess.run(
            ["psql", *PG, "-tAc", "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
             f" WHERE datname = '{where['pg_db']}'", "postgres"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not found.startswith("{"):
            return None
        info = json.loads(found)
    else:
        if not where["sidecar"].exists() or not where["sqlite"].exists():
            return None
        info = json.loads(where["sidecar"].read_text())
    if info.get("events") != events or info.get("version") != BUILD_VERSION:
        return None
    return info


def finished(db: str, where: dict, info: dict) -> None:
    """Say the build is finished, where ``cached`` looks."""
    from django.db import connection

    text = json.dumps(info, ensure_ascii=False)
    if db == "postgres":
        with connection.cursor() as cursor:
            literal = "'" + text.replace("'", "''") + "'"
            cursor.execute(
                f"COMMENT ON DATABASE {connection.ops.quote_name(where['pg_db'])} IS {literal}"
            )
    else:
        where["sidecar"].write_text(text)


# ---------------------------------------------------------------------------
# Bulk writing


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def complete(model, columns: dict, now_text: str) -> dict:
    """``columns`` with every other column of ``model`` given its default (raw SQL has none)."""
    from django.db import models

    out = dict(columns)
    for f in model._meta.concrete_fields:
        if f.column in out or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.column] = now_text
        elif f.has_default():
            value = f.get_default()
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
            elif isinstance(value, datetime):
                value = _utc_text(value)
            out[f.column] = value
        elif f.null:
            out[f.column] = None
        elif isinstance(f, (models.CharField, models.TextField)):
            out[f.column] = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
    return out


def insert(model, columns: dict, now_text: str) -> int:
    """Write rows (numpy arrays or constants per column) in bulk; how many."""
    import kpis
    import numpy as np

    cols = complete(model, columns, now_text)
    n = next(len(v) for v in cols.values() if hasattr(v, "__len__") and not isinstance(v, str))
    if n == 0:
        return 0
    cols = {k: (np.full(n, None, dtype=object) if v is None else v) for k, v in cols.items()}
    kpis.write_rows(model._meta.db_table, cols)
    return n


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def nullable(ids):
    import kpis

    return kpis._nullable(ids)


def event_numbers(ev, idx) -> list[str]:
    """``Event.number`` of the events at ``idx``: the year of ``created_at`` (as stored,
    UTC) and the id."""
    import numpy as np

    years = ev["created"][idx].astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64)
    return [
        f"{y + 1970}{i:07d}" for y, i in zip(years.tolist(), ev["id"][idx].tolist(), strict=True)
    ]


def texts(epoch):
    """Epoch seconds (NaN: none) as the database's UTC text (None for NaN)."""
    import kpis

    return kpis._ts(epoch)


# ---------------------------------------------------------------------------
# The build


def build(args, where: dict) -> dict:
    """Build the whole database (see the docstring); the sidecar's contents."""
    import kpis
    import numpy as np
    from django.core.management import call_command
    from django.utils import timezone

    from shezhi.core.periods import Period

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - t

    zone = timezone.get_default_timezone()
    now = datetime(*kpis.NOW, tzinfo=zone)
    now_text = _utc_text(now)
    period = Period(now.date() - timedelta(days=kpis.DAYS - 1), now.date() + timedelta(days=1))
    rng = np.random.default_rng(args.seed)

    t = time.perf_counter()
    world = kpis.build_world()
    seconds["areas and workers (kpis.build_world)"] = time.perf_counter() - t
    t = time.perf_counter()
    demo_people()
    seconds["demo workforce and sign-ins"] = time.perf_counter() - t
    t = time.perf_counter()
    cast = build_cast(world, args.events, rng, now_text)
    seconds["dispatchers, department staff, residents"] = time.perf_counter() - t

    t = time.perf_counter()
    data = kpis.generate(world, args.events, args.seed, now, period.start)
    del data["clock"]
    ev = data["ev"]
    route_reports(ev, world, cast, rng)
    followers = make_followers(ev, cast, rng, now.timestamp())
    ev["me_too_count"] = np.bincount(
        followers["event_idx"][followers["kind"] == "me_too"], minlength=len(ev["id"])
    ).astype(np.int64)
    seconds["events generated"] = time.perf_counter() - t

    original = kpis.event_columns

    def event_columns(data, world, now):
        columns = original(data, world, now)
        columns["me_too_count"] = data["ev"]["me_too_count"]
        return columns

    kpis.event_columns = event_columns
    try:
        parts = kpis.load(data, world, now, period.start)
    finally:
        kpis.event_columns = original
    seconds["events, facts, sums (kpis.load)"] = sum(
        v for k, v in parts.items() if not k.endswith("_count")
    )

    t = time.perf_counter()
    from shezhi.demo.places import build_demo_posts

    posts = build_demo_posts() or 0
    seconds["service posts (demo)"] = time.perf_counter() - t
    rows = {"events": len(ev["id"]), "posts": posts}
    rows.update(write_the_rest(ev, world, cast, followers, rng, now, now_text, seconds))
    t = time.perf_counter()
    rest(now)
    seconds["sequences, vacuum / checkpoint"] = time.perf_counter() - t
    build_s = time.perf_counter() - t0

    leaves = world["cat_id"][ev["cat"]]
    from shezhi.events.models import Category

    busiest_leaf = int(np.bincount(leaves).argmax())
    class_code = Category.objects.select_related("parent").get(pk=busiest_leaf).parent.code
    return {
        "version": BUILD_VERSION,
        "events": args.events,
        "seed": args.seed,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_s": build_s,
        "seconds": seconds,
        "rows": rows,
        "residents": len(cast["res_ids"]),
        "long_history": int(cast["long_history"]),
        "class_code": class_code,
        "states": {
            str(k): int(v) for k, v in zip(*np.unique(ev["state"], return_counts=True), strict=True)
        },
    }


def demo_people() -> None:
    """The demo's workforce (roster) and sign-ins, the departments under their demo names."""
    from shezhi.demo.people import DEPARTMENTS, build_demo_workforce, link_demo_users
    from shezhi.demo.users import ensure_demo_users
    from shezhi.people.models import Department

    build_demo_workforce()
    ensure_demo_users()
    link_demo_users()
    for code, name in DEPARTMENTS:
        Department.objects.filter(district__code=DISTRICT, code=code).update(name=name)


def build_cast(world: dict, n_events: int, rng, now_text: str) -> dict:
    """Dispatchers, department staff and residents (users and role assignments, in bulk)."""
    import numpy as np
    from django.contrib.auth import get_user_model

    from shezhi.areas import constants as c
    from shezhi.areas.models import Area
    from shezhi.people.models import Department, RoleAssignment

    User = get_user_model()
    users = {u.username: u.pk for u in User.objects.filter(username__in=[
        "qbj_admin", "dawan_staff", "community_staff", "mg_worker", "dept_cg", "dept_zj",
        "resident", "grid_worker",
    ])}  # fmt: skip
    district = world["district"]
    comm_paths, mg_comm = np.unique(world["mg_comm_path"], return_inverse=True)
    comm_ids = dict(
        Area.objects.filter(path__startswith=district.path, level=c.COMMUNITY).values_list(
            "path", "pk"
        )
    )
    streets = list(
        Area.objects.filter(path__startswith=district.path, level=c.STREET)
        .order_by("path")
        .values_list("pk", "code")
    )
    departments = list(
        Department.objects.filter(district=district).order_by("code").values_list("pk", "code")
    )
    n_comm = len(comm_paths)
    n_mg = len(world["mg_id"])
    n_res = max(300, n_events // EVENTS_PER_RESIDENT)
    first = next_id(User)

    # Users: 2 dispatchers per community, 1 per street, 2 staff per department, residents.
    usernames, roles = [], []  # roles: (role, area id, department id or None)
    for i, path in enumerate(comm_paths):
        for k in range(2):
            usernames.append(f"bench_cs_{i}_{k}")
            roles.append(("community_staff", comm_ids[path], None))
    for pk, code in streets:
        usernames.append(f"bench_ss_{code}")
        roles.append(("street_staff", pk, None))
    for pk, code in departments:
        for k in range(2):
            usernames.append(f"bench_dept_{code}_{k}")
            roles.append(("department_staff", district.pk, pk))
    staff = len(usernames)
    # Residents: one per community first (none is empty), then anywhere.
    first_mg = np.unique(mg_comm, return_index=True)[1]
    res_mg = np.concatenate([first_mg, rng.integers(0, n_mg, n_res - n_comm)])
    ids = np.arange(first, first + staff + n_res, dtype=np.int64)
    usernames += [f"bench_res_{i}" for i in range(n_res)]
    insert(
        User,
        {
            "id": ids,
            "username": np.array(usernames, dtype=object),
            "password": "!",
            "is_superuser": False,
            "is_staff": False,
            "is_active": True,
            "date_joined": now_text,
        },
        now_text,
    )
    res_ids = ids[staff:]
    role_rows = {
        "user_id": ids,
        "role": np.array([r[0] for r in roles] + ["resident"] * n_res, dtype=object),
        "area_id": np.concatenate(
            [np.array([r[1] for r in roles], dtype=np.int64), world["mg_id"][res_mg]]
        ),
        "department_id": np.array([r[2] for r in roles] + [None] * n_res, dtype=object),
    }
    insert(RoleAssignment, role_rows, now_text)

    # Who is who, as arrays the generators index.
    cs = np.full((n_comm, 3), -1, dtype=np.int64)
    cs[:, :2] = ids[: 2 * n_comm].reshape(n_comm, 2)
    demo_comm = int(np.searchsorted(comm_paths, Area.objects.get(code=COMMUNITY).path))
    cs[demo_comm, 2] = users["community_staff"]
    dept_index = {pk: i for i, (pk, _code) in enumerate(departments)}
    dept_staff = np.full((len(departments), 3), -1, dtype=np.int64)
    base = 2 * n_comm + len(streets)
    for i, (_pk, code) in enumerate(departments):
        dept_staff[i, :2] = ids[base + 2 * i : base + 2 * i + 2]
        if f"dept_{code}" in users:
            dept_staff[i, 2] = users[f"dept_{code}"]
    order = np.argsort(mg_comm[res_mg], kind="stable")
    res_sorted = res_ids[order]
    res_comm = mg_comm[res_mg][order]
    start = np.searchsorted(res_comm, np.arange(n_comm))
    count = np.bincount(res_comm, minlength=n_comm)

    # The demo's micro-grid worker works its micro-grid (its events and patrols).
    mg_path = Area.objects.get(code=MG_CODE).path
    world["mg_worker"][int(np.nonzero(world["mg_path"] == mg_path)[0][0])] = users["mg_worker"]
    return {
        "users": users,
        "mg_comm": mg_comm,
        "comm_paths": comm_paths,
        "comm_ids": np.array([comm_ids[p] for p in comm_paths], dtype=np.int64),
        "cs": cs,
        "dept_index": dept_index,
        "dept_ids": np.array([pk for pk, _c in departments], dtype=np.int64),
        "dept_staff": dept_staff,
        "res_ids": res_ids,
        "res_sorted": res_sorted,
        "res_start": start,
        "res_count": count,
        "long_history": max(30, int(n_events * LONG_HISTORY_SHARE)),
    }


def route_reports(ev: dict, world: dict, cast: dict, rng) -> None:
    """Resident and API reports to residents of the event's community (a few far more
    active than most); the long-history reporter's share to the demo's resident;
    hotline calls entered by the community's dispatchers."""
    import numpy as np

    comm = cast["mg_comm"][ev["mg"]]
    idx = np.nonzero(np.isin(ev["source"], ["resident", "api"]))[0]
    c = comm[idx]
    pick = (rng.random(len(idx)) ** 3 * cast["res_count"][c]).astype(np.int64)
    who = cast["res_sorted"][cast["res_start"][c] + pick]
    ev["reporter"][idx] = who
    ev["submitted_by"][idx] = who
    long = rng.choice(idx, min(len(idx), cast["long_history"]), replace=False)
    ev["reporter"][long] = cast["users"]["resident"]
    ev["submitted_by"][long] = cast["users"]["resident"]
    hot = np.nonzero(ev["source"] == "hotline")[0]
    ev["submitted_by"][hot] = cast["cs"][comm[hot], 0]


def make_followers(ev: dict, cast: dict, rng, now_t: float) -> dict:
    """The reporter of each report with one; "me too" from the same community."""
    import numpy as np

    n = len(ev["id"])
    has = np.nonzero(ev["reporter"] >= 0)[0]
    eligible = np.isin(ev["source"], ["resident", "api"]) & ~np.isin(
        ev["state"], ["voided", "merged"]
    )
    chosen = np.nonzero(eligible & (rng.random(n) < ME_TOO_SHARE))[0]
    comm = cast["mg_comm"][ev["mg"][chosen]]
    size = cast["res_count"][comm]
    k = np.minimum(rng.geometric(0.5, len(chosen)), size - 1)
    rep = np.repeat(chosen, k)
    j = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    base = np.repeat(rng.integers(0, 1 << 30, len(chosen)), k)
    c = np.repeat(comm, k)
    user = cast["res_sorted"][cast["res_start"][c] + (base + j) % cast["res_count"][c]]
    keep = user != ev["reporter"][rep]
    rep, user = rep[keep], user[keep]
    when = ev["created"][rep] + rng.exponential(2 * 86400, len(rep))
    end = np.where(np.isnan(ev["closed_at"][rep]), now_t, ev["closed_at"][rep])
    when = np.minimum(when, np.maximum(end - 60, ev["created"][rep] + 60))
    return {
        "event_idx": np.concatenate([has, rep]),
        "user": np.concatenate([ev["reporter"][has], user]),
        "kind": np.concatenate(
            [np.full(len(has), "reporter", dtype=object), np.full(len(rep), "me_too", dtype=object)]
        ),
        "at": np.concatenate([ev["created"][has], np.floor(when)]),
    }


class Rows:
    """Columns gathered in parts, then concatenated (and sorted by a time column)."""

    def __init__(self):
        self.parts: list[dict] = []

    def add(self, **columns) -> None:
        import numpy as np

        n = next(len(v) for v in columns.values() if isinstance(v, np.ndarray))
        if n:
            self.parts.append(
                {k: v if isinstance(v, np.ndarray) else np.full(n, v, dtype=object)
                 for k, v in columns.items()}
            )  # fmt: skip

    def columns(self, order_by: str) -> dict:
        import numpy as np

        if not self.parts:
            return {}
        keys = self.parts[0].keys()
        out = {}
        for k in keys:
            values = [p[k] for p in self.parts]
            if any(v.dtype == object for v in values):
                values = [v.astype(object) for v in values]
            out[k] = np.concatenate(values)
        order = np.argsort(out[order_by], kind="stable")
        return {k: v[order] for k, v in out.items()}


def write_the_rest(ev, world, cast, followers, rng, now, now_text, seconds) -> dict:
    """Followers, history, whistles, notifications, points, activities: in bulk."""

    import kpis

    from shezhi.events.models import EventFollower, EventTransition, Whistle, WhistleSummons
    from shezhi.incentives.models import Account, Entry, Transfer
    from shezhi.notifications.models import Notification
    from shezhi.volunteering.models import Signup, VolunteerActivity

    now_t = now.timestamp()
    counts = {}
    t = time.perf_counter()
    handler = handler_actors(ev, world, cast, rng)
    whistles = make_whistles(ev, cast, handler, rng, now_t)
    history = make_history(ev, world, cast, handler, followers, whistles, now_t)
    notes = make_notifications(ev, world, cast, handler, now_t, rng)
    points = make_points(ev, world, handler)
    activities = make_activities(cast, rng, now)
    seconds["history, notices, points generated"] = time.perf_counter() - t

    tables = [
        m._meta.db_table
        for m in (EventFollower, EventTransition, Whistle, WhistleSummons, Notification,
                  Account, Transfer, Entry, VolunteerActivity, Signup)
    ]  # fmt: skip
    with kpis.BulkLoad(tables) as bulk:
        for label, model, columns in (
            ("followers", EventFollower, followers_columns(ev, followers)),
            ("transitions", EventTransition, history),
            ("whistles", Whistle, whistles["whistle"]),
            ("summonses", WhistleSummons, whistles["summons"]),
            ("notifications", Notification, notes),
            ("accounts", Account, points["accounts"]),
            ("transfers", Transfer, points["transfers"]),
            ("entries", Entry, points["entries"]),
            ("activities", VolunteerActivity, activities["activity"]),
            ("sign-ups", Signup, activities["signup"]),
        ):
            s = time.perf_counter()
            counts[label] = insert(model, columns, now_text)
            seconds[f"{label} written"] = time.perf_counter() - s
        t = time.perf_counter()
    seconds[f"{len(bulk.indexes)} indexes and the foreign keys"] = time.perf_counter() - t
    return counts


def followers_columns(ev, followers) -> dict:
    return {
        "event_id": ev["id"][followers["event_idx"]],
        "user_id": followers["user"],
        "kind": followers["kind"],
        "created_at": texts(followers["at"]),
    }


def handler_actors(ev, world, cast, rng) -> dict:
    """Per event: the community's dispatcher, the department's staff member, the one who
    handles (worker, dispatcher or department staff) and the handling department."""
    import numpy as np

    n = len(ev["id"])
    comm = cast["mg_comm"][ev["mg"]]
    dispatcher = cast["cs"][comm, rng.integers(0, 2, n)]
    dept = world["cat_dept"][ev["cat"]]
    di = np.array([cast["dept_index"].get(int(d), -1) for d in range(int(dept.max()) + 2)])
    dept_i = np.where(dept >= 0, di[np.maximum(dept, 0)], -1)
    pick = np.where(dept_i >= 0, cast["dept_staff"][np.maximum(dept_i, 0), 0], -1)
    worker = world["mg_worker"][ev["mg"]]
    final = ev["kind"]  # 0 worker, 1 community, 2 department
    actor = np.select([final == 0, final == 1], [worker, dispatcher], pick)
    return {
        "comm": comm,
        "dispatcher": dispatcher,
        "dept_i": dept_i,
        "dept_staff": pick,
        "worker": worker,
        "actor": actor,
    }


def make_whistles(ev, cast, handler, rng, now_t: float) -> dict:
    """Whistles over events dispatched to a community or a department, their summonses."""
    import numpy as np

    n = len(ev["id"])
    holder = ev["holder"]
    dispatched = ~np.isnan(ev["dispatched_at"])
    idx = np.nonzero(dispatched & np.isin(holder, [1, 2]) & (rng.random(n) < WHISTLE_SHARE))[0]
    d = ev["dispatched_at"][idx]
    end = np.where(np.isnan(ev["closed_at"][idx]), now_t, ev["closed_at"][idx])
    blown = np.floor(d + np.minimum(4 * 3600, 0.2 * (end - d)))
    comm = cast["mg_comm"][ev["mg"][idx]]
    w_ids = np.arange(1, len(idx) + 1, dtype=np.int64)
    whistle = {
        "id": w_ids,
        "event_id": ev["id"][idx],
        "area_id": cast["comm_ids"][comm],
        "blown_by_id": cast["cs"][comm, 0],
        "reason": "社区无法独立解决，请相关部门到场协同处置。",
        "blown_at": texts(blown),
        "closed_at": texts(ev["closed_at"][idx]),
    }
    # One to three departments each, the category's own (when it has one) first.
    n_dept = len(cast["dept_ids"])
    k = np.minimum(1 + rng.binomial(2, 0.3, len(idx)), n_dept)
    own = handler["dept_i"][idx]
    start = np.where(own >= 0, own, rng.integers(0, n_dept, len(idx)))
    rep = np.repeat(np.arange(len(idx)), k)
    j = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    dept_i = (np.repeat(start, k) + j) % n_dept
    due = blown[rep] + 30 * 60
    open_ = np.isnan(ev["closed_at"][idx][rep])
    late = rng.random(len(rep))
    reported = ~(open_ & (late < 0.2))
    report_at = np.floor(blown[rep] + rng.uniform(300, 2400, len(rep)))
    report_at = np.minimum(report_at, np.maximum(end[rep] - 60, blown[rep] + 60))
    rated = reported & ~open_ & (rng.random(len(rep)) < 0.6)
    staff = cast["dept_staff"][dept_i, 0]
    summons = {
        "whistle_id": w_ids[rep],
        "department_id": cast["dept_ids"][dept_i],
        "due_at": texts(due),
        "reported_in_at": texts(np.where(reported, report_at, np.nan)),
        "reported_in_by_id": nullable(np.where(reported, staff, -1)),
        "note": np.where(reported, "已到场，正在协同处置。", "").astype(object),
        "rating": nullable(np.where(rated, rng.integers(2, 5, len(rep)), -1)),
        "rating_comment": "",
    }
    return {
        "whistle": whistle,
        "summons": summons,
        "event_idx": idx,
        "blown": blown,
        "rep": rep,
        "report_at": report_at,
        "reported": reported,
        "rated": rated,
        "staff": staff,
        "end": end,
        "dept_i": dept_i,
    }


def make_history(ev, world, cast, handler, followers, whistles, now_t: float) -> dict:
    """Each event's ``EventTransition`` rows (see the docstring), sorted by time."""
    import numpy as np

    n = len(ev["id"])
    ids = ev["id"]
    nan = np.isnan
    rows = Rows()
    state = ev["state"]
    kinds = np.array(["worker", "community", "department"])

    def add(idx, at, action, from_state, to_state, actor, data="{}"):
        idx = np.asarray(idx)
        rows.add(
            event_id=ids[idx],
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=nullable(np.asarray(actor)),
            at=np.floor(np.asarray(at, dtype=np.float64)),
            reason="",
            data=data,
        )

    every = np.arange(n)
    add(
        every,
        ev["created"],
        "report",
        "",
        "reported",
        ev["submitted_by"],
        np.array([f'{{"source": "{s}"}}' for s in ev["source"]], dtype=object),
    )
    reg = np.nonzero(~nan(ev["registered_at"]))[0]
    add(
        reg,
        ev["registered_at"][reg],
        "register",
        "reported",
        "registered",
        handler["dispatcher"][reg],
    )

    # Dispatches: a department's return and the re-dispatch before the current one.
    disp = ~nan(ev["dispatched_at"])
    returned_now = state == "returned"
    bounced = disp & (ev["redispatch_count"] > 0)
    r = np.nonzero(bounced)[0]
    gap = ev["dispatched_at"][r] - ev["registered_at"][r]
    first_at = ev["registered_at"][r] + 0.2 * gap
    back_at = ev["registered_at"][r] + 0.6 * gap
    add(
        r,
        first_at,
        "dispatch",
        "registered",
        "dispatched",
        handler["dispatcher"][r],
        '{"handler_kind": "department"}',
    )
    add(
        r, back_at, "return", "dispatched", "returned", handler["dept_staff"][r], '{"bounce": true}'
    )
    d = np.nonzero(disp)[0]
    kind_now = np.where(bounced, ev["kind"], ev["first_kind"])[d]
    add(
        d,
        ev["dispatched_at"][d],
        "dispatch",
        np.where(bounced[d], "returned", "registered").astype(object),
        "dispatched",
        handler["dispatcher"][d],
        np.array([f'{{"handler_kind": "{kinds[k]}"}}' for k in kind_now], dtype=object),
    )
    rn = np.nonzero(returned_now & disp)[0]
    add(
        rn,
        ev["dispatched_at"][rn] + np.minimum(5400, 0.5 * (now_t - ev["dispatched_at"][rn])),
        "return",
        "dispatched",
        "returned",
        handler["dept_staff"][rn],
        '{"bounce": true}',
    )

    # Accept, escalate, deferral.
    end = np.where(nan(ev["handled_at"]), now_t, ev["handled_at"])
    acc = np.nonzero(ev["accepted"] & disp & ~returned_now)[0]
    accept_at = ev["dispatched_at"] + np.minimum(2400, 0.3 * (end - ev["dispatched_at"]))
    add(acc, accept_at[acc], "accept", "dispatched", "accepted", handler["actor"][acc])
    esc = np.nonzero((ev["escalation_count"] > 0) & ~nan(ev["deadline_at"]))[0]
    add(
        esc,
        np.minimum(ev["deadline_at"][esc] + 60, now_t - 1),
        "escalate_overdue",
        "accepted",
        "accepted",
        -np.ones(len(esc), dtype=np.int64),
        '{"escalated": true}',
    )
    paused = np.nonzero((ev["deferred"] | ev["defer_asked"]) & ev["accepted"])[0]
    ask_at = accept_at[paused] + 0.5 * (now_t - accept_at[paused])
    add(
        paused,
        ask_at,
        "request_deferral",
        "accepted",
        "deferral_requested",
        handler["actor"][paused],
    )
    granted = np.nonzero(ev["deferred"] & ev["accepted"])[0]
    add(
        granted,
        accept_at[granted] + 0.75 * (now_t - accept_at[granted]),
        "approve_deferral",
        "deferral_requested",
        "deferred",
        handler["dispatcher"][granted],
    )

    # Handling, rework, reopen, verification, rating.
    handled = ~nan(ev["handled_at"])
    closed = ~nan(ev["closed_at"])
    span = ev["handled_at"] - accept_at
    rw = np.nonzero(closed & (ev["rework_count"] > 0))[0]
    add(
        rw,
        accept_at[rw] + 0.4 * span[rw],
        "handle",
        "accepted",
        "handled",
        handler["actor"][rw],
        '{"within_deadline": true, "working_seconds": 60}',
    )
    add(
        rw,
        accept_at[rw] + 0.5 * span[rw],
        "verify_fail",
        "handled",
        "accepted",
        handler["dispatcher"][rw],
    )
    ro = np.nonzero(closed & (ev["reopen_count"] > 0))[0]
    add(
        ro,
        accept_at[ro] + 0.6 * span[ro],
        "handle",
        "accepted",
        "handled",
        handler["actor"][ro],
        '{"within_deadline": true, "working_seconds": 120}',
    )
    add(
        ro,
        accept_at[ro] + 0.7 * span[ro],
        "verify_pass",
        "handled",
        "closed",
        handler["dispatcher"][ro],
    )
    add(ro, accept_at[ro] + 0.8 * span[ro], "reopen", "closed", "accepted", ev["reporter"][ro])
    h = np.nonzero(handled)[0]
    within = ev["within"][h]
    working = ev["working"][h]
    add(
        h,
        ev["handled_at"][h],
        "handle",
        "accepted",
        "handled",
        handler["actor"][h],
        np.array(
            [
                f'{{"within_deadline": {"true" if w else "false"}, "working_seconds": {s}}}'
                for w, s in zip(within.tolist(), working.tolist(), strict=True)
            ],
            dtype=object,
        ),
    )
    c = np.nonzero(closed)[0]
    add(c, ev["closed_at"][c], "verify_pass", "handled", "closed", handler["dispatcher"][c])
    rt = np.nonzero(~nan(ev["rated_at"]))[0]
    add(
        rt,
        ev["rated_at"][rt],
        "rate",
        "closed",
        "closed",
        ev["reporter"][rt],
        np.array([f'{{"rating": "{x}"}}' for x in ev["rating"][rt]], dtype=object),
    )

    # Void, merge.
    voided = np.nonzero(state == "voided")[0]
    void_at = np.where(
        nan(ev["registered_at"][voided]),
        ev["created"][voided] + 1800,
        ev["registered_at"][voided] + 600,
    )
    add(
        voided,
        np.minimum(void_at, now_t - 1),
        "void",
        np.where(nan(ev["registered_at"][voided]), "reported", "registered").astype(object),
        "voided",
        handler["dispatcher"][voided],
        '{"void_kind": "invalid"}',
    )
    merged = np.nonzero(state == "merged")[0]
    add(
        merged,
        np.minimum(ev["created"][merged] + 1800, now_t - 1),
        "merge",
        "reported",
        "merged",
        handler["dispatcher"][merged],
        np.array([f'{{"master": {m}}}' for m in ev["master"][merged]], dtype=object),
    )

    # "Me too", whistles, report-ins, whistle ratings.
    mt = followers["kind"] == "me_too"
    mi = followers["event_idx"][mt]
    add(
        mi,
        followers["at"][mt],
        "me_too",
        state[mi].astype(object),
        state[mi].astype(object),
        followers["user"][mt],
    )
    wi = whistles["event_idx"]
    w_state = np.where(nan(ev["handled_at"][wi]), "accepted", "handled").astype(object)
    add(
        wi,
        whistles["blown"],
        "whistle",
        w_state,
        w_state,
        whistles["whistle"]["blown_by_id"],
        '{"report_in_minutes": 30}',
    )
    rep, ok = whistles["rep"], whistles["reported"]
    ri = wi[rep][ok]
    add(
        ri,
        whistles["report_at"][ok],
        "report_in",
        w_state[rep][ok],
        w_state[rep][ok],
        whistles["staff"][ok],
        '{"on_time": true}',
    )
    rated = whistles["rated"]
    qi = wi[rep][rated]
    add(
        qi,
        np.minimum(whistles["end"][rep][rated] + 3600, now_t - 1),
        "rate_whistle",
        "closed",
        "closed",
        whistles["whistle"]["blown_by_id"][rep][rated],
    )

    columns = rows.columns("at")
    columns["at"] = texts(columns["at"])
    return columns


def make_notifications(ev, world, cast, handler, now_t: float, rng) -> dict:
    """Dispatch and closing notices to the handlers, the residents' news to their reports."""
    import kpis
    import numpy as np
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from shezhi.events.models import Category, Event
    from shezhi.events.wording import RESIDENT_STATES

    S = Event.State
    ids = ev["id"]
    nan = np.isnan
    names = dict(Category.objects.values_list("pk", "name"))
    cat_names = np.array([names[int(pk)] for pk in world["cat_id"]], dtype=object)[ev["cat"]]
    with override(settings.LANGUAGE_CODE):
        template = _("Event %(number)s (%(category)s): %(what)s")
        words = {
            "dispatch": str(S.DISPATCHED.label),
            "verify_pass": str(S.CLOSED.label),
            "register_r": str(RESIDENT_STATES[S.REGISTERED]),
            "handle_r": str(RESIDENT_STATES[S.HANDLED]),
            "verify_pass_r": str(RESIDENT_STATES[S.CLOSED]),
        }
    rows = Rows()

    # The handlers of each event: the worker, the community's dispatchers (the demo's
    # community_staff in the first community) or the department's staff.
    holder = np.where(ev["holder"] >= 0, ev["holder"], ev["kind"])
    to = np.full((len(ids), 3), -1, dtype=np.int64)
    to[holder == 0, 0] = handler["worker"][holder == 0]
    com = holder == 1
    to[com] = cast["cs"][handler["comm"][com]]
    dep = (holder == 2) & (handler["dept_i"] >= 0)
    to[dep] = cast["dept_staff"][handler["dept_i"][dep]]

    def tell(mask, at, action, what, recipients):
        idx = np.nonzero(mask)[0]
        if recipients.ndim == 1:
            recipients = recipients[:, None]
        users = recipients[idx]
        keep = users >= 0
        e = np.repeat(idx, keep.sum(axis=1))
        rows.add(
            idx=e,
            user_id=users[keep],
            kind=f"event.{action}",
            created=np.floor(at[e]),
            what=what,
        )

    resident_report = np.isin(ev["source"], ["resident", "api"]) & (ev["reporter"] >= 0)
    tell(~nan(ev["dispatched_at"]), ev["dispatched_at"], "dispatch", words["dispatch"], to)
    tell(~nan(ev["closed_at"]), ev["closed_at"], "verify_pass", words["verify_pass"], to)
    tell(resident_report & ~nan(ev["registered_at"]), ev["registered_at"], "register",
         words["register_r"], ev["reporter"])  # fmt: skip
    tell(resident_report & ~nan(ev["handled_at"]), ev["handled_at"], "handle",
         words["handle_r"], ev["reporter"])  # fmt: skip
    tell(resident_report & ~nan(ev["closed_at"]), ev["closed_at"], "verify_pass",
         words["verify_pass_r"], ev["reporter"])  # fmt: skip
    columns = rows.columns("created")
    e = columns.pop("idx").astype(np.int64)
    what = columns.pop("what")
    numbers = event_numbers(ev, e)
    columns["title"] = np.array(
        [template % {"number": num, "category": cat, "what": w}
         for num, cat, w in zip(numbers, cat_names[e].tolist(), what.tolist(), strict=True)],
        dtype=object,
    )  # fmt: skip
    descriptions = np.array(kpis.DESCRIPTIONS, dtype=object)
    columns["body"] = descriptions[ids[e] % len(descriptions)]
    columns["url"] = np.array([f"/events/{i}/" for i in ids[e].tolist()], dtype=object)
    columns["subject_type_id"] = ContentType.objects.get_for_model(Event).pk
    columns["subject_id"] = ids[e]
    created = columns.pop("created")
    read = created + rng.exponential(8 * 3600, len(created))
    read = np.where((read > now_t) | (rng.random(len(created)) < NEVER_READ), np.nan, read)
    columns["created_at"] = texts(created)
    columns["read_at"] = texts(read)
    return columns


def make_points(ev, world, handler) -> dict:
    """Awards for registered reports (the reporter) and on-time closings (the handler):
    transfers, their two entries each with the running balance, the accounts."""
    import numpy as np

    from shezhi.incentives.rules import DEFAULTS

    nan = np.isnan
    ids = ev["id"]
    district = world["district"].pk
    reg_points = DEFAULTS["event_registered"][1]
    close_points = DEFAULTS["event_closed_on_time"][1]
    a = np.nonzero(~nan(ev["registered_at"]) & (ev["reporter"] >= 0))[0]
    b = np.nonzero(~nan(ev["closed_at"]) & ev["within"] & (handler["actor"] >= 0))[0]
    idx = np.concatenate([a, b])
    user = np.concatenate([ev["reporter"][a], handler["actor"][b]])
    at = np.floor(np.concatenate([ev["registered_at"][a], ev["closed_at"][b]]))
    points = np.concatenate([np.full(len(a), reg_points), np.full(len(b), close_points)])
    rule = np.concatenate(
        [np.full(len(a), "event_registered", dtype=object),
         np.full(len(b), "event_closed_on_time", dtype=object)]
    )  # fmt: skip
    bucket = np.where(ev["emergency"][idx], "emergency", "routine").astype(object)
    order = np.lexsort((idx, at))
    idx, user, at, points, rule, bucket = (x[order] for x in (idx, user, at, points, rule, bucket))
    n = len(idx)
    t_ids = np.arange(1, n + 1, dtype=np.int64)

    # Accounts: each person's per bucket (with its sum), the district's issuing ones.
    keys, account_of = np.unique(user * 2 + (bucket == "emergency"), return_inverse=True)
    owner = keys // 2
    acc_bucket = np.where(keys % 2 == 1, "emergency", "routine").astype(object)
    balance = np.bincount(account_of, weights=points).astype(np.int64)
    issuing = {"routine": len(keys) + 1, "emergency": len(keys) + 2}
    accounts = {
        "id": np.arange(1, len(keys) + 3, dtype=np.int64),
        "kind": np.concatenate([np.full(len(keys), "person", dtype=object),
                                np.array(["issuing", "issuing"], dtype=object)]),
        "bucket": np.concatenate([acc_bucket, np.array(["routine", "emergency"], dtype=object)]),
        "user_id": nullable(np.concatenate([owner, [-1, -1]])),
        "district_id": nullable(np.concatenate([np.full(len(keys), -1), [district, district]])),
        "balance": np.concatenate([balance, [0, 0]]),
    }  # fmt: skip
    # Running balance per person account, in transfer order.
    by_account = np.lexsort((t_ids, account_of))
    running = np.cumsum(points[by_account])
    group_start = np.r_[0, np.nonzero(np.diff(account_of[by_account]))[0] + 1]
    offsets = np.repeat(running[group_start] - points[by_account][group_start],
                        np.diff(np.r_[group_start, n]))  # fmt: skip
    after = np.empty(n, dtype=np.int64)
    after[by_account] = running - offsets
    numbers = [str(i) for i in ids[idx].tolist()]
    transfers = {
        "id": t_ids,
        "kind": "award",
        "user_id": user,
        "district_id": district,
        "area_id": world["mg_id"][ev["mg"][idx]],
        "area_path": world["mg_path"][ev["mg"][idx]].astype(object),
        "bucket": bucket,
        "points": points,
        "earning": True,
        "rule": rule,
        "cause_type": "event",
        "cause_id": np.array(numbers, dtype=object),
        "cause_ref": np.array(event_numbers(ev, idx), dtype=object),
        "cause_key": np.array([f"{r}:event:{i}" for r, i in zip(rule.tolist(), numbers,
                                                                strict=True)], dtype=object),
        "private_cause": False,
        "at": texts(at),
    }  # fmt: skip
    issuing_id = np.where(bucket == "emergency", issuing["emergency"], issuing["routine"])
    entries = {
        "transfer_id": np.repeat(t_ids, 2),
        "account_id": np.column_stack([accounts["id"][account_of], issuing_id]).ravel(),
        "amount": np.column_stack([points, -points]).ravel(),
        "balance_after": nullable(np.column_stack([after, np.full(n, -1)]).ravel()),
    }
    return {"accounts": accounts, "transfers": transfers, "entries": entries}


def make_activities(cast, rng, now: datetime) -> dict:
    """One activity a week at each post over the year and four weeks ahead; sign-ups."""
    import numpy as np
    from django.utils import timezone

    from shezhi.places.models import ServicePost

    zone = timezone.get_default_timezone()
    posts = list(ServicePost.objects.values_list("pk", "area_id", "area_path", "responsible_id"))
    if not posts:
        return {"activity": {"id": np.array([], dtype=np.int64)}, "signup": {}}
    first = (now - timedelta(days=365)).date()
    weeks = 52 + 4
    n = len(posts) * weeks
    post_i = np.repeat(np.arange(len(posts)), weeks)
    week = np.tile(np.arange(weeks), len(posts))
    day = rng.integers(0, 7, n)
    hour = np.where(rng.random(n) < 0.5, 9, 14)
    midnight = np.array(
        [datetime.combine(first + timedelta(days=d), datetime.min.time(), zone).timestamp()
         for d in range(weeks * 7)]
    )  # fmt: skip
    starts = midnight[week * 7 + day] + hour * 3600
    ends = starts + 2 * 3600
    slots = rng.integers(10, 31, n)
    cancelled = rng.random(n) < 0.03
    taken = np.where(cancelled, 0, rng.binomial(slots, 0.6))
    now_t = now.timestamp()
    ids = np.arange(1, n + 1, dtype=np.int64)
    pk, area, path, responsible = (np.array(x, dtype=object) for x in zip(*posts, strict=True))
    titles = np.array(["邻里议事会", "环境清洁志愿服务", "助老上门探访", "四点半课堂",
                       "法律咨询进社区", "垃圾分类宣传"], dtype=object)  # fmt: skip
    activity = {
        "id": ids,
        "post_id": pk[post_i].astype(np.int64),
        "title": titles[ids % len(titles)],
        "description": "",
        "starts_at": texts(starts),
        "ends_at": texts(ends),
        "slots": slots,
        "signed_up": taken,
        "status": np.where(cancelled, "cancelled", "published").astype(object),
        "area_id": area[post_i].astype(np.int64),
        "area_path": path[post_i],
        "created_by_id": responsible[post_i],
        "created_at": texts(starts - 14 * 86400),
        "updated_at": texts(np.minimum(starts - 14 * 86400, now_t)),
        "cancelled_at": texts(np.where(cancelled, np.minimum(starts - 86400, now_t), np.nan)),
        "cancel_reason": np.where(cancelled, "天气原因", "").astype(object),
    }
    # Sign-ups: consecutive residents from a random place, so none signs up twice.
    rep = np.repeat(np.arange(n), taken)
    j = np.arange(len(rep)) - np.repeat(np.cumsum(taken) - taken, taken)
    residents = cast["res_ids"]
    user = residents[(np.repeat(rng.integers(0, len(residents), n), taken) + j) % len(residents)]
    past = ends[rep] <= now_t
    signed = np.minimum(starts[rep] - rng.uniform(3600, 10 * 86400, len(rep)), now_t - 60)
    signup = {
        "activity_id": ids[rep],
        "user_id": user,
        "status": "signed_up",
        "signed_up_at": texts(np.floor(signed)),
        "checked_in_at": texts(np.where(past, starts[rep], np.nan)),
        "checked_out_at": texts(np.where(past, ends[rep], np.nan)),
        "check_out_method": np.where(past, "sweep", "").astype(object),
        "minutes": np.where(past, 120, 0),
    }
    return {"activity": activity, "signup": signup}


def rest(now: datetime) -> None:
    """Sequences past the ids written; the database brought to rest, as a live one is."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------------------
# The requests


def requests_of(info: dict, ids: dict) -> list[tuple[str, str, str]]:
    """(what, role, url) for every list API and work page measured."""
    n = info["events"]
    offset = min(100_000, n // 10)
    events = "/api/v1/events?limit=50"
    queue = f"/events/queue/{DISTRICT}/?tab="
    out = [
        ("events API", "district admin", events),
        ("events API", "street staff", events),
        ("events API", "micro-grid worker", events),
        ("events API", "community staff", events),
        ("events API state=closed", "district admin", events + "&state=closed"),
        ("events API state=dispatched,accepted", "street staff",
         events + "&state=dispatched&state=accepted"),
        ("events API sla=red", "district admin", events + "&sla=red"),
        ("events API sla=yellow", "district admin", events + "&sla=yellow"),
        (f"events API offset={offset:,}", "district admin", events + f"&offset={offset}"),
        ("events API area=community", "district admin", events + f"&area={COMMUNITY}"),
        ("events API category=class", "district admin", events + f"&category={info['class_code']}"),
        ("events API source=hotline", "district admin", events + "&source=hotline"),
        ("events API reported one week", "district admin",
         events + "&reported_from=2026-11-18&reported_to=2026-11-24"),
        ("events API handler=me", "community staff", events + "&handler=me"),
        ("events API mine=true", "resident (long history)", events + "&mine=true"),
        ("events API", "department staff", events),
        # Filters that meet rarely or never, each over a large set (issue 14 on PostgreSQL:
        # an empty answer must not cost a walk of the whole year).
        ("events API category=class&source=api", "street staff",
         events + f"&category={info['class_code']}&source=api"),
        ("events API category=leaf&source=api", "street staff",
         events + f"&category={ids['quiet_leaf']}&source=api"),
        ("events API category=leaf&source=api", "district admin",
         events + f"&category={ids['quiet_leaf']}&source=api"),
        ("events API area=community", "department staff", events + f"&area={COMMUNITY}"),
        ("events API state=closed&sla=red", "district admin", events + "&state=closed&sla=red"),
        ("events API state=closed&sla=red", "street staff", events + "&state=closed&sla=red"),
        ("events API source=api&state=voided", "street staff",
         events + "&source=api&state=voided"),
        ("events API mine=false&source=api&state=merged", "community staff",
         events + "&mine=false&source=api&state=merged"),
        ("我的任务 inbox", "community staff", "/events/inbox/"),
        ("我的任务 inbox", "micro-grid worker", "/events/inbox/"),
        ("我的任务 inbox", "department staff", "/events/inbox/"),
        ("department page", "department staff", "/events/department/"),
        *[(f"queue, district: {tab}", "district admin", queue + tab) for tab in (
            "to_register", "to_dispatch", "returned", "overdue", "deferral", "to_verify",
            "escalated")],
        ("queue, community: to_register", "community staff",
         f"/events/queue/{COMMUNITY}/?tab=to_register"),
        ("my reports", "resident (long history)", "/events/mine/"),
        ("my reports, page 20", "resident (long history)", "/events/mine/?page=20"),
        ("people page, district", "district admin", f"/people/area/{DISTRICT}/"),
        ("people page, street", "street staff", f"/people/area/{STREET}/"),
        ("people API, district", "district admin", f"/api/v1/people?area={DISTRICT}&limit=50"),
        ("notifications page", "community staff", "/notifications/"),
        ("notifications API", "community staff", "/api/v1/notifications?limit=50"),
        ("notifications page", "resident (long history)", "/notifications/"),
        ("points: my statement, this month", "micro-grid worker", "/points/"),
        ("points: a person's statement", "district admin", f"/points/people/{ids['mg_worker']}/"),
        ("points API statement, this month", "resident (long history)",
         "/api/v1/points/statement?from=2026-11-01&to=2026-11-25"),
        ("points API statement, all", "resident (long history)", "/api/v1/points/statement"),
        ("posts API, district", "resident (long history)", f"/api/v1/posts?area={DISTRICT}"),
        ("posts registry page", "district admin", "/posts/manage/"),
        ("posts registry API", "district admin", "/api/v1/posts/manage"),
        ("activities page", "resident (long history)", "/volunteering/"),
        ("activities API", "resident (long history)", "/api/v1/volunteering/activities"),
        ("activities managed, past", "district admin", "/volunteering/manage/?when=past"),
    ]  # fmt: skip
    return out


ROLES = {
    "district admin": "qbj_admin",
    "street staff": "dawan_staff",
    "community staff": "community_staff",
    "micro-grid worker": "mg_worker",
    "department staff": "dept_cg",
    "resident (long history)": "resident",
}


def explain(sql: str, params: list) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        # (id, parent, notused, detail): indent by depth.
        depth = {0: -1}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        return lines
    return [str(r[0]) for r in rows]


def measure(args, info: dict, serve=None, on_row=None) -> dict:
    from unittest import mock

    import kpis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    zone = timezone.get_default_timezone()
    frozen = datetime(*kpis.NOW, tzinfo=zone).astimezone(UTC)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES.values())}
    ids = {name: u.pk for name, u in users.items()}
    # The least reported subcategory of the busiest class: a filter that meets the others
    # rarely (the class's own code is in the build's info).
    from django.db.models import Count as Counted

    from shezhi.events.models import Category

    leaves = Category.objects.filter(parent__code=info["class_code"]).annotate(n=Counted("events"))
    ids["quiet_leaf"] = min(leaves, key=lambda c: (c.n, c.code)).code
    cases = requests_of(info, ids)
    if args.only:
        cases = [c for c in cases if any(o.lower() in " ".join(c).lower() for o in args.only)]
    if serve is not None:
        cases = serve(cases)  # --serve: the driver names each case in turn
    out: dict = {"load_before": os.getloadavg(), "rows": []}

    def cold():
        connection.close()
        cache.clear()

    with mock.patch.object(timezone, "now", lambda: frozen):
        clients = {}
        for role, username in ROLES.items():
            client = Client()
            client.force_login(users[username])
            clients[role] = client
        for what, role, url in cases:
            client = clients[role]
            row = {"what": what, "role": role, "url": url}
            out["rows"].append(row)

            def fetch(client=client, url=url):
                response = client.get(url)
                if response.status_code != 200:
                    raise AssertionError(f"HTTP {response.status_code}")
                return response

            try:
                fetch()  # the first of its kind: imports, templates
                cold()
                with kpis.Statements() as st, CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    response = fetch()
                    row["one_ms"] = (time.perf_counter() - t) * 1000
                row["cold_queries"] = len(ctx.captured_queries)
                row["kb"] = len(response.content) / 1024
                row["sql_ms"] = sum(ms for _s, _p, ms in st.log)
                slowest = max(st.log, key=lambda x: x[2]) if st.log else None
                times = []
                for _ in range(args.runs):
                    cold()
                    t = time.perf_counter()
                    fetch()
                    times.append((time.perf_counter() - t) * 1000)
                row["cold_ms"], row["cold_all"] = statistics.median(times), times
                fetch()
                with CaptureQueriesContext(connection) as ctx:
                    fetch()
                row["warm_queries"] = len(ctx.captured_queries)
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    fetch()
                    times.append((time.perf_counter() - t) * 1000)
                row["warm_ms"], row["warm_all"] = statistics.median(times), times
                if slowest is not None:
                    row["slowest_ms"] = slowest[2]
                    row["slowest_sql"] = slowest[0]
                    wanted = args.plans == "all" or (
                        args.plans == "fail" and row["cold_ms"] > TARGET_MS
                    )
                    if wanted:
                        row["plan"] = explain(slowest[0], slowest[1])
            except Exception as exc:  # a failed request is a FAIL row, not the end
                row["error"] = f"{type(exc).__name__}: {exc}"[:300]
            print(f"  {what} · {role}: " + (
                row.get("error") or f"{row['cold_ms']:.1f} ms cold, {row['warm_ms']:.1f} warm"
            ), file=sys.stderr, flush=True)  # fmt: skip
            if on_row is not None:
                on_row(row)
    out["load_after"] = os.getloadavg()
    return out


# ---------------------------------------------------------------------------
# The report


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns, a CJK character taking two."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def report(db: str, info: dict, result: dict, migrated: list, migrate_s: float) -> bool:
    import re

    from django.db import connection

    if connection.vendor == "postgresql":
        v = connection.pg_version
        label = f"PostgreSQL {v // 10000}.{v % 10000} (database {connection.settings_dict['NAME']})"
    else:
        label = (
            f"SQLite {connection.Database.sqlite_version} (WAL), {connection.settings_dict['NAME']}"
        )
    print(f"== {label} ==")
    rows = info["rows"]
    print(
        f"{info['events']:,} events, {rows.get('transitions', 0):,} transitions, "
        f"{rows.get('followers', 0):,} followers, {rows.get('whistles', 0):,} whistles "
        f"({rows.get('summonses', 0):,} summonses), {rows.get('notifications', 0):,} "
        f"notifications, {rows.get('transfers', 0):,} points transfers "
        f"({rows.get('entries', 0):,} entries), {rows.get('posts', 0):,} posts, "
        f"{rows.get('activities', 0):,} activities ({rows.get('sign-ups', 0):,} sign-ups), "
        f"{info['residents']:,} residents; the long-history reporter has "
        f"{info['long_history']:,} reports"
    )
    total = info["events"] or 1
    states = sorted(info["states"].items(), key=lambda kv: -kv[1])
    print("states: " + ", ".join(f"{k} {v / total:.1%}" for k, v in states))
    parts = ", ".join(f"{k} {v:.1f}" for k, v in info["seconds"].items())
    print(f"built {info['built_at']} in {info['build_s']:.0f} s: {parts}")
    if migrated:
        print(f"migrations applied now ({migrate_s:.1f} s): {', '.join(migrated)}")
    load_b, load_a = result["load_before"], result["load_after"]
    print(
        f"load average before {load_b[0]:.2f} {load_b[1]:.2f} {load_b[2]:.2f}, after "
        f"{load_a[0]:.2f} {load_a[1]:.2f} {load_a[2]:.2f} ({os.cpu_count()} CPUs, shared)"
    )
    runs = len(next((r["cold_all"] for r in result["rows"] if "cold_all" in r), []))
    print(
        f"cold: connection closed and cache cleared before each run; medians of {runs}; "
        f"queries cold/warm; SQL ms and the slowest statement's ms (fetching included) of one "
        f"more cold request; target ≤ {TARGET_MS:.0f} ms cold"
    )
    head = (
        f"{'request':<38}{'role':<25}{'cold ms':>9}{'min–max':>15}{'warm ms':>9}"
        f"{'queries':>9}{'SQL ms':>8}{'slowest':>9}{'KB':>6}  verdict"
    )
    print(head)
    ok = True
    for r in result["rows"]:
        if "error" in r:
            ok = False
            print(f"{pad(r['what'], 38)}{r['role']:<25}{r['error']}  FAIL")
            continue
        passed = r["cold_ms"] <= TARGET_MS
        ok &= passed
        spread = f"{min(r['cold_all']):.0f}–{max(r['cold_all']):.0f}"
        queries = f"{r['cold_queries']}/{r['warm_queries']}"
        print(
            f"{pad(r['what'], 38)}{r['role']:<25}{r['cold_ms']:>9.1f}{spread:>15}"
            f"{r['warm_ms']:>9.1f}{queries:>9}{r['sql_ms']:>8.1f}"
            f"{r.get('slowest_ms', 0):>9.1f}{r['kb']:>6.0f}  {'PASS' if passed else 'FAIL'}"
        )
    failed = [r for r in result["rows"] if "error" not in r and r["cold_ms"] > TARGET_MS]
    print(
        f"{len(result['rows']) - len(failed) - sum('error' in r for r in result['rows'])} of "
        f"{len(result['rows'])} requests within {TARGET_MS:.0f} ms cold"
    )
    planned = [r for r in result["rows"] if r.get("plan")]
    if planned:
        print()
        print("the slowest statement of one cold request, and its plan:")
        for r in planned:
            # The column list says little and hides the WHERE clause: elided.
            sql = re.sub(r"\s+", " ", r["slowest_sql"])
            columns = re.match(r"SELECT (?:DISTINCT )?(.+?) FROM ", sql)
            if columns and len(columns.group(1)) > 60:
                sql = sql[: columns.start(1)] + "…" + sql[columns.end(1) :]
            print(
                f"- {r['what']} · {r['role']}: {r['slowest_ms']:.1f} ms of a "
                f"{r['one_ms']:.1f} ms request"
            )
            print(f"    {sql[:700]}{'…' if len(sql) > 700 else ''}")
            for line in r["plan"]:
                print(f"      {line}")
    return ok


# ---------------------------------------------------------------------------
# Two checkouts side by side (--compare)


def copy_database(db: str, original: dict, where: dict) -> dict:
    """A copy of the built database for one side of a comparison, with what says it is
    built; its own migrations are applied to it afterwards, as to the original."""
    target = where["pg_db"] if db == "postgres" else where["sqlite"]
    print(f"[{db}] copying the database to {target}…", file=sys.stderr, flush=True)
    if db == "postgres":
        subprocess.run(["dropdb", *PG, "--if-exists", where["pg_db"]], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run(["createdb", *PG, "-T", original["pg_db"], where["pg_db"]], check=True)
        text = subprocess.run(
            ["psql", *PG, "-tAc", "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
             f" WHERE datname = '{original['pg_db']}'", "postgres"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        literal = "'" + text.replace("'", "''") + "'"
        subprocess.run(["psql", *PG, "-qc", f'COMMENT ON DATABASE "{where["pg_db"]}" IS {literal}',
                        "postgres"], check=True)  # fmt: skip
        return json.loads(text)
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(str(where["sqlite"]) + suffix).unlink(missing_ok=True)
    source = sqlite3.connect(original["sqlite"])
    target = sqlite3.connect(where["sqlite"])
    with target:
        source.backup(target)  # consistent, whatever the WAL holds
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    source.close()
    info = json.loads(original["sidecar"].read_text())
    where["sidecar"].write_text(json.dumps(info, ensure_ascii=False))
    return info


def serve(args, info: dict, proto, migrated: list, migrate_s: float) -> int:
    """One side of --compare: say which requests there are, then time each the driver
    names (a line with its index), answering with its row (JSON lines on ``proto``)."""
    from django.db import connection

    def send(message: dict) -> None:
        proto.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")
        proto.flush()

    def named(cases):
        name = str(connection.settings_dict["NAME"])
        send({"cases": cases, "info": info, "migrated": migrated, "migrate_s": migrate_s,
              "vendor": connection.vendor, "name": name})  # fmt: skip
        for line in sys.stdin:
            if not line.strip():
                break
            yield cases[int(line)]

    result = measure(args, info, serve=named, on_row=send)
    send({"done": True, "load_before": result["load_before"], "load_after": result["load_after"]})
    return 0


def compare(args) -> int:
    """This checkout and ``--compare DIR`` side by side: two processes, each with its own
    code and database: ``DIR``'s code on the built database (which must hold none of this
    checkout's own migrations: build it from ``DIR``), this checkout's on a copy of it
    (``…_after``, made when missing; its migrations applied to it), and each request
    timed by one then the other, in turn, so that both meet the same load of the shared
    cores. Prints the two side by side, and the plans asked for."""
    import compare_json

    other = Path(args.compare).resolve()
    passed = []
    for flag in ("--db", args.db, "--cache", args.cache, "--events", str(args.events),
                 "--runs", str(args.runs), "--plans", args.plans):  # fmt: skip
        passed.append(flag)
    for name in args.only or []:
        passed += ["--only", name]
    sides = {}
    # The other checkout on the built database, this one on its copy (its migrations);
    # this one first: PostgreSQL copies a database nobody is connected to.
    for label, code, copy in (("after", ROOT, "after"), ("before", other, None)):
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", *passed,
                   "--code", str(code), *(["--copy", copy] if copy else [])]  # fmt: skip
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True)  # fmt: skip
        hello = json.loads(process.stdout.readline() or "null") or {}
        if "cases" not in hello:
            process.kill()
            print(f"the {label} side did not start ({code})", file=sys.stderr)
            return 2
        sides[label] = {"process": process, "hello": hello, "rows": [], "code": code}
    cases = sides["after"]["hello"]["cases"]
    if [tuple(c) for c in sides["before"]["hello"]["cases"]] != [tuple(c) for c in cases]:
        print("note: the two sides list different requests; timing this side's", file=sys.stderr)
    names_before = {tuple(c): i for i, c in enumerate(sides["before"]["hello"]["cases"])}
    for i, case in enumerate(cases):
        order = ("before", "after") if i % 2 == 0 else ("after", "before")
        for label in order:
            side = sides[label]
            index = i if label == "after" else names_before.get(tuple(case))
            if index is None:
                continue
            side["process"].stdin.write(f"{index}\n")
            side["process"].stdin.flush()
            side["rows"].append(json.loads(side["process"].stdout.readline()))
    outputs = {}
    for label, side in sides.items():
        side["process"].stdin.write("\n")
        side["process"].stdin.flush()
        done = json.loads(side["process"].stdout.readline())
        side["process"].wait()
        hello = side["hello"]
        outputs[label] = {"db": args.db, "info": hello["info"], "code": str(side["code"]),
                          "database": hello["name"], "migrated": hello["migrated"],
                          "load_before": done["load_before"], "load_after": done["load_after"],
                          "rows": side["rows"]}  # fmt: skip
    print("command: bench/work_pages.py " + " ".join(sys.argv[1:]))
    for label in ("before", "after"):
        out = outputs[label]
        print(f"{label}: the code of {out['code']} on {out['database']}; migrations applied "
              f"on this run: {', '.join(out['migrated']) or 'none'}")  # fmt: skip
    print("each request timed by one side then the other, in turn (cold: as in a single run)")
    if args.json:
        stem = Path(args.json)
        for label, out in outputs.items():
            stem.with_suffix(f".{label}.json").write_text(
                json.dumps(out, ensure_ascii=False, indent=1, default=str)
            )
    ok = compare_json.side_by_side(outputs["before"], outputs["after"], "main", "branch")
    for label in ("before", "after"):
        planned = [r for r in outputs[label]["rows"] if r.get("plan")]
        if planned:
            print()
            print(f"{label}: the slowest statement of one cold request, and its plan:")
            for r in planned:
                print(f"- {r['what']} · {r['role']}: {r['slowest_ms']:.1f} ms of a "
                      f"{r['one_ms']:.1f} ms request")  # fmt: skip
                print(f"    {' '.join(r['slowest_sql'].split())[:700]}")
                for line in r["plan"]:
                    print(f"      {line}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--cache", default=str(CACHE), help="where the SQLite database and the data folder live"
    )
    parser.add_argument("--build-only", action="store_true", help="build (if needed), no timing")
    parser.add_argument("--runs", type=int, default=5, help="cold and warm runs per request")
    parser.add_argument(
        "--only", action="append", help="only requests whose name, role or URL holds this"
    )
    parser.add_argument(
        "--plans", choices=("all", "fail", "none"), default="all", help="which plans to print"
    )
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument(
        "--compare",
        metavar="DIR",
        help="another checkout (e.g. main's worktree): its code and this one's side by side, "
        "request by request, each on its own copy of the database",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--copy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        return compare(args)

    proto = None
    if args.serve:  # stdout carries the driver's protocol; everything else to stderr
        proto, sys.stdout = sys.stdout, sys.stderr
    where = names(args.db, args.events, Path(args.cache).resolve(), args.copy)
    configure(args.db, where, Path(args.code).resolve() if args.code else ROOT)
    info = None if args.rebuild else cached(args.db, where, args.events)
    if info is None and args.copy:
        original = names(args.db, args.events, Path(args.cache).resolve())
        if cached(args.db, original, args.events) is None:
            print("build the database first (without --compare)", file=sys.stderr)
            return 2
        info = copy_database(args.db, original, where)
    if info is None:
        fresh_database(args.db, where)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    print("command: bench/work_pages.py " + " ".join(sys.argv[1:]))
    print(
        f"target (issue 14): every list API and work page within {TARGET_MS:.0f} ms cold with "
        f"{args.events:,} events"
    )
    if info is None:
        print(f"[{args.db}] building {args.events:,} events…", file=sys.stderr, flush=True)
        info = build(args, where)
        finished(args.db, where, info)
        connection.close()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    migrated = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    # Applied by another checkout (a branch's indexes): its figures are not this code's.
    foreign = sorted(
        f"{app}.{name}"
        for app, name in executor.recorder.applied_migrations()
        if (app, name) not in executor.loader.disk_migrations
        and app in {m.app_label for m in executor.loader.disk_migrations.values()}
    )
    if foreign:
        print(
            "WARNING: the database holds migrations this code lacks (applied by another "
            f"checkout; their indexes stay): {', '.join(foreign)}. --rebuild to measure this "
            "code alone."
        )
    t = time.perf_counter()
    if migrated:
        call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t
    if args.build_only:
        print(f"built in {info['build_s']:.0f} s; {', '.join(migrated) or 'no migrations'} applied")
        return 0
    if proto is not None:
        return serve(args, info, proto, migrated, migrate_s)
    print(f"[{args.db}] timing…", file=sys.stderr, flush=True)
    result = measure(args, info)
    ok = report(args.db, info, result, migrated, migrate_s)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"db": args.db, "info": info, **result}, ensure_ascii=False, indent=1)
        )
    print()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

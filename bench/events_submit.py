"""Photo-less submissions through the API against a running server: the issue's speed target.

    python bench/events_submit.py                  # SQLite, then PostgreSQL
    python bench/events_submit.py --db sqlite      # or --db pg
    python bench/events_submit.py --concurrency 8,32 --duration 20 --workers 2

Target (issue 4): POST /api/v1/events sustains at least 300 events/s on SQLite and 400/s
on PostgreSQL with p99 under 150 ms, on this 2-core machine, with the load tool in a
second process. In the same run: the same server's trivial endpoint (GET /api/v1/health)
and the database's raw insert rate, with both ratios.

For each database, one run:

1. a fresh database (SQLite in a new data folder; PostgreSQL: ``createdb -U postgres -h
   127.0.0.1 shezhi_bench_submit``, trust auth, dropped again at the end), migrated, with
   the demo district's areas, workforce and sign-ins (the demo's own functions; not its
   event history). Every general grid gets a full-time grid worker sign-in, as in a staffed
   deployment, so each report notifies its grid's dispatcher and enqueues a delivery task
   (``--no-staff``: the bare demo, where most reports notify nobody). A pool of resident
   sign-ins with API tokens (one token taken from POST /api/v1/auth/token on the live
   server), reporting at random points inside the district's micro-grids.
2. the real server, started as ``shezhi run`` starts it: gunicorn, ``--workers 2`` (sync),
   access log on, DEBUG off, bound to 127.0.0.1 on a free port.
3. wrk (Debian package; installed with apt-get when missing) in its own process, with
   ``bench/events_submit/load.lua``: each request a JSON report with a unique
   Idempotency-Key and the next token of the pool; a warm-up, then a fixed duration at
   each concurrency level. Throughput, p50/p99 latency, non-2xx answers (must be 0).
4. GET /api/v1/health with the same tool and concurrency levels.
5. the database's raw insert rate: single-row INSERTs into the events table with the
   columns and values of a real event, each its own transaction, from one process
   through the driver (sqlite3 / psycopg), no Django.
6. the table, and the check that the events table holds exactly one event per 2xx answer
   (plus those still in flight when wrk stopped, which the server finishes after the
   client has gone), each with its history row and its follower, and no key twice.

Beside the figures it prints ``report_event()`` called in one process without HTTP: the
service's own ceiling per core.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "events_submit"
LUA = HERE / "load.lua"
TARGETS = {"sqlite": 300.0, "pg": 400.0}
P99_TARGET_MS = 150.0
PG_DB = "shezhi_bench_submit"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
PASSWORD = "bench-submit-2026"
DESCRIPTIONS = (
    "小区门口垃圾桶满溢，已两天无人清运，气味很大。",
    "人行道地砖松动翘起，老人经过容易绊倒。",
    "楼道里堆放杂物，堵住了消防通道。",
    "路灯不亮，晚上这一段路很黑。",
    "井盖缺失，旁边只放了一个锥桶。",
    "有商户占道经营，车辆无法通行。",
    "绿化带里有人乱倒建筑垃圾。",
    "邻居装修噪音从早到晚，影响休息。",
)


# ---------------------------------------------------------------------------
# Child: prepare the database (Django, in its own process per database)


def child_setup(out: Path, *, residents: int, points: int, staff: bool, service: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from shapely import contains_xy
    from shapely.geometry import shape

    from shezhi.areas import constants as c
    from shezhi.areas.locating import locate
    from shezhi.areas.models import Area
    from shezhi.core.models import ApiToken
    from shezhi.demo.areas import build_demo_areas
    from shezhi.demo.people import build_demo_workforce, link_demo_users
    from shezhi.demo.users import ensure_demo_users
    from shezhi.events import services
    from shezhi.events.models import Category, Event
    from shezhi.people.models import RoleAssignment

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_demo_areas()
    build_demo_workforce()
    ensure_demo_users()
    link_demo_users()
    User = get_user_model()
    district = Area.objects.get(code="510113")
    inside = Area.objects.filter(path__startswith=district.path)
    if staff:
        grids = list(inside.filter(level=c.GENERAL_GRID).defer("boundary").order_by("code"))
        made = User.objects.bulk_create(
            [User(username=f"bench_gw_{g.code}", password="!") for g in grids]
        )
        if made[0].pk is None:  # a database that does not return new ids
            made = list(User.objects.filter(username__startswith="bench_gw_").order_by("username"))
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role="grid_worker", area=g)
                for u, g in zip(made, grids, strict=True)
            ]
        )

    micro = list(inside.filter(level=c.MICRO_GRID).order_by("path"))
    rng = np.random.default_rng(2026)
    pts: list[tuple[float, float]] = []
    for grid in rng.choice(len(micro), size=points):
        area = micro[grid]
        poly = shape(area.boundary)
        x0, y0, x1, y1 = poly.bounds
        for _ in range(20):
            x = rng.uniform(x0, x1, 64)
            y = rng.uniform(y0, y1, 64)
            keep = contains_xy(poly, x, y)
            if keep.any():
                lng, lat = float(x[keep][0]), float(y[keep][0])
                break
        else:
            p = poly.representative_point()
            lng, lat = p.x, p.y
        locate(lng, lat)  # raises if the point were outside the district
        pts.append((round(lng, 7), round(lat, 7)))

    categories = list(
        Category.objects.filter(parent__isnull=False, active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    bodies = [
        json.dumps(
            {
                "category": categories[i % len(categories)],
                "description": DESCRIPTIONS[i % len(DESCRIPTIONS)],
                "lng": lng,
                "lat": lat,
                "address": f"测试路{i % 997 + 1}号",
            },
            ensure_ascii=False,
        )
        for i, (lng, lat) in enumerate(pts)
    ]

    general = [a for a in micro if a.kind == c.KIND_GENERAL]
    users, tokens = [], []
    for i in range(residents):
        user = User.objects.create(username=f"bench_resident_{i:03d}")
        RoleAssignment.objects.create(user=user, role="resident", area=general[i % len(general)])
        users.append(user)
        if i == 0:  # this one signs in through the API on the live server
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        else:
            tokens.append(ApiToken.issue(user=user, name="bench")[1])

    # The service alone, in this process: no HTTP, no middleware, no serialising.
    sample = services.report_event(
        submitted_by=users[0],
        source="api",
        category=categories[0],
        description=DESCRIPTIONS[0],
        lng=pts[0][0],
        lat=pts[0][1],
        idempotency_key="bench-template",
    ).event
    t0 = time.perf_counter()
    for i in range(service):
        body = json.loads(bodies[i % len(bodies)])
        services.report_event(
            submitted_by=users[i % len(users)],
            source="api",
            category=body["category"],
            description=body["description"],
            lng=body["lng"],
            lat=body["lat"],
            address=body["address"],
            idempotency_key=f"svc-{i}",
        )
    service_s = time.perf_counter() - t0
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    state = {
        "vendor": connection.vendor,
        "sqlite_path": str(connection.settings_dict["NAME"]) if sqlite else "",
        "table": Event._meta.db_table,
        "template_id": sample.pk,
        "tokens": tokens,
        "bodies": bodies,
        "password_user": users[0].username,
        "micro_grids": len(micro),
        "categories": len(categories),
        "staffed_grids": inside.filter(level=c.GENERAL_GRID).count() if staff else 0,
        "service_per_s": service / service_s if service else 0.0,
        "setup_s": time.perf_counter() - started,
    }
    out.write_text(json.dumps(state, ensure_ascii=False))


# ---------------------------------------------------------------------------
# Raw SQL from the parent (no Django): counts, checks, the raw insert rate


class Db:
    def __init__(self, vendor: str, sqlite_path: str = ""):
        self.vendor = vendor
        if vendor == "sqlite":
            self.conn = sqlite3.connect(sqlite_path, isolation_level=None, timeout=30)
            # The project's own pragmas (settings.DATABASES).
            self.conn.executescript(
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            )
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(PG_URL, autocommit=True)
            self.mark = "%s"

    def one(self, sql: str, *params):
        return self.conn.execute(sql.replace("?", self.mark), params).fetchone()

    def all(self, sql: str, *params):
        return self.conn.execute(sql.replace("?", self.mark), params).fetchall()

    def pg_pids(self) -> list[int]:
        return [
            pid
            for (pid,) in self.all(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR "
                "backend_type IN ('walwriter', 'checkpointer', 'background writer')"
            )
        ]

    def close(self) -> None:
        self.conn.close()


def check_events(db: Db, table: str, prefix: str) -> dict:
    like = prefix + "%"
    events, keys = db.one(
        f"SELECT count(*), count(DISTINCT idempotency_key) FROM {table} "
        "WHERE idempotency_key LIKE ?",
        like,
    )
    (transitions,) = db.one(
        f"SELECT count(*) FROM events_eventtransition t JOIN {table} e ON t.event_id = e.id "
        "WHERE e.idempotency_key LIKE ? AND t.action = 'report'",
        like,
    )
    (followers,) = db.one(
        f"SELECT count(*) FROM events_eventfollower f JOIN {table} e ON f.event_id = e.id "
        "WHERE e.idempotency_key LIKE ?",
        like,
    )
    return {"events": events, "keys": keys, "transitions": transitions, "followers": followers}


def replay_check(base: str, db: Db, table: str, tokens, bodies, runid: str, n: int) -> dict:
    """Send ``n`` requests of a run again, same key, token and body: each must answer 200
    with the event the first one made, and nothing new may be written."""
    rows = db.all(
        f"SELECT id, idempotency_key FROM {table} WHERE idempotency_key LIKE ? ORDER BY id",
        runid + "-%",
    )
    picked = rows[:: max(1, len(rows) // n)][:n]
    (before,) = db.one(f"SELECT count(*) FROM {table}")
    same = 0
    for event_id, key in picked:
        tid, sent = (int(x) for x in key.rsplit("-", 2)[1:])
        # The request load.lua made for that key (its tables are 1-based).
        req = urllib.request.Request(
            base + "/api/v1/events",
            data=bodies[(sent * 7 + tid) % len(bodies)].encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer " + tokens[(sent + tid) % len(tokens)],
                "Idempotency-Key": key,
            },
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            same += resp.status == 200 and json.load(resp)["id"] == event_id
    (after,) = db.one(f"SELECT count(*) FROM {table}")
    return {"sent": len(picked), "same": same, "created": after - before}


def raw_insert_rate(db: Db, table: str, template_id: int, seconds: float) -> tuple[float, int]:
    """Rows/s of single-row INSERTs, each committed, with the columns of a real event."""
    cur = db.conn.execute(f"SELECT * FROM {table} WHERE id = {int(template_id)}")
    columns = [d[0] for d in cur.description]
    row = dict(zip(columns, cur.fetchone(), strict=True))
    del row["id"]
    cols = list(row)
    key_at = cols.index("idempotency_key")
    values = [row[c] for c in cols]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([db.mark] * len(cols))})"
    conn = db.conn
    n = 0
    if db.vendor == "sqlite":
        started = time.perf_counter()
        deadline = started + seconds
        while True:
            values[key_at] = f"raw-{n}"
            conn.execute("BEGIN IMMEDIATE")  # as Django's transaction_mode
            conn.execute(sql, values)
            conn.execute("COMMIT")
            n += 1
            if n % 50 == 0 and time.perf_counter() >= deadline:
                break
        elapsed = time.perf_counter() - started
        conn.execute(f"DELETE FROM {table} WHERE idempotency_key LIKE 'raw-%'")
    else:
        import psycopg

        with psycopg.connect(PG_URL) as pg:  # autocommit off: one transaction per row
            started = time.perf_counter()
            deadline = started + seconds
            while True:
                values[key_at] = f"raw-{n}"
                pg.execute(sql, values)
                pg.commit()
                n += 1
                if n % 50 == 0 and time.perf_counter() >= deadline:
                    break
            elapsed = time.perf_counter() - started
            pg.execute(f"DELETE FROM {table} WHERE idempotency_key LIKE 'raw-%'")
            pg.commit()
    return n / elapsed, n


# ---------------------------------------------------------------------------
# Server and load tool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(base: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped (exit {proc.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /api/v1/health in {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def api_token(base: str, username: str) -> str:
    req = urllib.request.Request(
        base + "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": PASSWORD, "name": "bench"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["token"]


def lua_data(path: Path, tokens: list[str], bodies: list[str]) -> None:
    def lit(s: str) -> str:
        assert "]==]" not in s
        return f"[==[{s}]==]"

    path.write_text(
        "TOKENS = {"
        + ",".join(lit(t) for t in tokens)
        + "}\nBODIES = {\n"
        + ",\n".join(lit(b) for b in bodies)
        + "}\n",
        encoding="utf-8",
    )


TICK = os.sysconf("SC_CLK_TCK")


def tree_pids(root: int) -> list[int]:
    """``root`` and its descendants (the gunicorn master and its workers)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(p for p, pp in parent.items() if pp == pid)
    return found


def cpu_by_pid(pids) -> dict[int, float]:
    """User + system CPU seconds so far of each given process still alive."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return out


class CpuMeter:
    """CPU seconds spent over a run by the server's processes and the database's.

    ``db_pids`` lists PostgreSQL's processes serving this database (its backends and the
    WAL writer, checkpointer, background writer); none for SQLite, which runs inside the
    server's processes. A process that exits during the run drops out of the count.
    """

    def __init__(self, server_pid: int, db_pids=None):
        self.server_pid, self.db_pids = server_pid, db_pids

    def _snapshot(self):
        server = cpu_by_pid(tree_pids(self.server_pid))
        db = cpu_by_pid(self.db_pids()) if self.db_pids else {}
        t = os.times()
        return server, db, t.children_user + t.children_system

    def start(self) -> None:
        self.t0 = self._snapshot()

    def stop(self) -> dict:
        t1 = self._snapshot()

        def delta(i):
            # A process born during the run counts from zero.
            return sum(cpu - self.t0[i].get(pid, 0.0) for pid, cpu in t1[i].items())

        return {"server_cpu": delta(0), "db_cpu": delta(1), "wrk_cpu": t1[2] - self.t0[2]}


def wrk(url: str, conns: int, seconds: float, *script_args: str, meter=None) -> dict:
    cmd = [
        "wrk",
        f"-t{min(2, conns)}",
        f"-c{conns}",
        f"-d{seconds:g}s",
        # Far above any answer, so every latency is recorded (wrk leaves out of its
        # percentiles whatever takes longer than its timeout).
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
        "--",
        *script_args,
    ]
    if meter is not None:
        meter.start()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = meter.stop() if meter is not None else {}
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{out}")
    r = json.loads(line[len("BENCH ") :])
    r["seconds"] = r["duration_us"] / 1e6
    r["rate"] = r["s2xx"] / r["seconds"]
    r["p50_ms"], r["p90_ms"], r["p99_ms"] = (r[k] / 1000 for k in ("p50_us", "p90_us", "p99_us"))
    r["non2xx"] = r["s4xx"] + r["s5xx"] + r["sother"]
    r["socket_errors"] = r["connect"] + r["read"] + r["write"]
    # wrk calls request() once more than it sends, on its first thread, to check the
    # script (script_verify_request); the rest of sent - received was in flight at the stop.
    r["in_flight"] = r["sent"] - 1 - r["received"]
    r.update(cpu)
    if cpu and r["received"]:
        # CPU per answer: what each request costs whatever else the machine is doing.
        for k in ("server_cpu", "db_cpu", "wrk_cpu"):
            r[k.replace("_cpu", "_ms")] = 1000 * r[k] / r["received"]
    return r


def settle(db: Db, table: str, quiet: float = 0.6, limit: float = 30.0) -> None:
    """Until the server has finished what wrk left in flight (the count stops moving)."""
    last, since, deadline = None, time.monotonic(), time.monotonic() + limit
    while time.monotonic() < deadline:
        (now,) = db.one(f"SELECT count(*) FROM {table}")
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------
# One database


def run_db(name: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"shezhi-bench-submit-{name}-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHEZHI_DEBUG")}
    env.update(
        SHEZHI_DATA_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="shezhi.settings",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    )
    pg = ["-U", "postgres", "-h", "127.0.0.1"]
    if name == "pg":
        env["DATABASE_URL"] = PG_URL
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True, env=env)
        subprocess.run(["createdb", *pg, PG_DB], check=True, env=env)
    server = None
    db = None
    try:
        print(f"[{name}] preparing the database and the demo district…", file=sys.stderr)
        state_path = tmp / "state.json"
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child-setup",
                str(state_path),
                "--residents",
                str(args.residents),
                "--service",
                str(args.service),
                *(["--no-staff"] if args.no_staff else []),
            ],
            env=env,
            check=True,
        )
        state = json.loads(state_path.read_text())
        table = state["table"]
        db = Db(state["vendor"], state["sqlite_path"])

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp / "server.log"
        # As `shezhi run` starts it (core/management/commands/run.py).
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "shezhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        if args.threads > 1:
            cmd += ["--threads", str(args.threads)]
        with open(log, "wb") as log_fh:
            server = subprocess.Popen(
                cmd,
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=log_fh,
                start_new_session=True,
            )
        wait_up(base, server, log)
        tokens = [api_token(base, state["password_user"]), *state["tokens"]]
        data = tmp / "data.lua"
        lua_data(data, tokens, state["bodies"])

        nonce = secrets.token_hex(3)
        print(f"[{name}] server up on {base}; warming up…", file=sys.stderr)
        runs = []
        meter = CpuMeter(server.pid, db.pg_pids if name == "pg" else None)
        load_before = os.getloadavg()
        # Each worker builds its spatial index on its first report: warm up until every
        # worker has answered a few (at most five rounds).
        for round_ in range(5):
            runid = f"{nonce}-w{round_}"
            warm = wrk(base, args.concurrency[0], args.warmup, "submit", str(data), runid)
            runs.append((f"warm-up{round_ + 1}", runid + "-", warm))
            if warm["s2xx"] >= 10 * args.workers * max(args.threads, 1):
                break
        wrk(base, args.concurrency[0], args.warmup, "health")
        settle(db, table)
        submit, health = {}, {}
        for conns in args.concurrency:
            print(f"[{name}] submissions, {conns} connections…", file=sys.stderr)
            r = wrk(
                base, conns, args.duration, "submit", str(data), f"{nonce}-c{conns}", meter=meter
            )
            submit[conns] = r
            runs.append((f"c{conns}", f"{nonce}-c{conns}-", r))
            settle(db, table)
        for conns in args.concurrency:
            print(f"[{name}] health, {conns} connections…", file=sys.stderr)
            health[conns] = wrk(base, conns, args.duration, "health", meter=meter)
            time.sleep(0.5)
        settle(db, table)
        load_after = os.getloadavg()

        checks = []
        for label, prefix, r in runs:
            found = check_events(db, table, prefix)
            expected = r["s2xx"] + r["in_flight"]
            ok = (
                found["events"] == expected
                and found["keys"] == found["events"]
                and found["transitions"] == found["events"]
                and found["followers"] == found["events"]
                and r["s200"] == 0  # every key was new: nothing answered as a replay
                and r["non2xx"] == 0
                and r["socket_errors"] == 0
            )
            checks.append((label, r, found, expected, ok))
        replays = replay_check(
            base, db, table, tokens, state["bodies"], f"{nonce}-c{args.concurrency[0]}", 20
        )
        stop(server)
        # With the server stopped: the database to itself.
        print(f"[{name}] raw inserts…", file=sys.stderr)
        raw_rate, raw_rows = raw_insert_rate(db, table, state["template_id"], args.raw_seconds)
    finally:
        stop(server)
        if db is not None:
            db.close()
        if name == "pg":
            subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=False, env=env)
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "name": name,
        "state": state,
        "submit": submit,
        "health": health,
        "checks": checks,
        "replays": replays,
        "raw_rate": raw_rate,
        "raw_rows": raw_rows,
        "load": (load_before, load_after),
    }


def report(res: dict, args) -> bool:
    name, state = res["name"], res["state"]
    target = TARGETS[name]
    label = {"sqlite": "SQLite (WAL)", "pg": "PostgreSQL"}[name]
    workers = (
        f"{args.workers} sync workers"
        if args.threads <= 1
        else f"{args.workers} workers × {args.threads} threads (gthread)"
    )
    before, after = res["load"]
    cores = os.cpu_count() or 1
    print()
    print(
        f"== {label}: gunicorn {workers}, wrk -t2, {args.duration:g} s per level after a "
        f"{args.warmup:g} s warm-up; {len(state['tokens']) + 1} residents, "
        f"{len(state['bodies'])} points in {state['micro_grids']} micro-grids, "
        f"{state['categories']} categories, "
        + (
            f"a grid worker sign-in in each of {state['staffed_grids']} general grids"
            if state["staffed_grids"]
            else "the bare demo's sign-ins"
        )
    )
    print(
        f"   machine: {cores} cores; load average {before[0]:.1f} before the load, "
        f"{after[0]:.1f} after (above {cores} means other work shared the cores)"
    )
    db_col = "db" if name == "pg" else ""
    print(
        f"{'what':<30}{'conns':>6}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>8}"
        f"{'CPU ms/req: app':>17}{db_col:>5}{'wrk':>5}   target"
    )

    def cpu(r):
        db_ms = f"{r.get('db_ms', 0):>5.1f}" if name == "pg" else " " * 5
        return f"{r.get('server_ms', 0):>17.1f}{db_ms}{r.get('wrk_ms', 0):>5.2f}"

    best = None
    for conns, r in res["submit"].items():
        ok = r["rate"] >= target and r["p99_ms"] < P99_TARGET_MS and r["non2xx"] == 0
        if ok and (best is None or r["rate"] > best[1]["rate"]):
            best = (conns, r)
        print(
            f"{'POST /api/v1/events':<30}{conns:>6}{r['rate']:>8.0f}{r['p50_ms']:>8.1f}"
            f"{r['p99_ms']:>8.1f}{r['non2xx']:>8}{cpu(r)}   ≥{target:.0f}/s & p99<"
            f"{P99_TARGET_MS:.0f}: {'PASS' if ok else 'FAIL'}"
        )
    for conns, r in res["health"].items():
        print(
            f"{'GET /api/v1/health (trivial)':<30}{conns:>6}{r['rate']:>8.0f}"
            f"{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}{r['non2xx']:>8}{cpu(r)}"
        )
    print(
        f"{'raw INSERT, a commit per row':<30}{1:>6}{res['raw_rate']:>8.0f}"
        "   rows/s: one process, the driver only, no server running"
    )
    print(
        f"{'report_event() in-process':<30}{1:>6}{state['service_per_s']:>8.0f}"
        "   events/s: one process, the service alone, no HTTP"
    )
    top_submit = max(res["submit"].values(), key=lambda r: r["rate"])
    top_health = max(res["health"].values(), key=lambda r: r["rate"])
    print(
        f"ratios (best level of each): submissions / trivial endpoint = "
        f"{top_submit['rate']:.0f} / {top_health['rate']:.0f} = "
        f"{top_submit['rate'] / top_health['rate']:.2f}; "
        f"submissions / raw inserts = {top_submit['rate']:.0f} / {res['raw_rate']:.0f} = "
        f"{top_submit['rate'] / res['raw_rate']:.3f}"
    )
    per_req = [
        r.get("server_ms", 0) + r.get("db_ms", 0) + r.get("wrk_ms", 0)
        for r in res["submit"].values()
        if r.get("server_ms")
    ]
    if per_req:
        cost = min(per_req)
        print(
            f"CPU per submission (app + db + wrk): {cost:.1f} ms -> at most "
            f"{cores * 1000 / cost:.0f}/s on {cores} cores with nothing else running"
        )
    all_ok = True
    for label_, r, found, expected, ok in res["checks"]:
        all_ok &= ok
        print(
            f"check {label_:>8}: {r['s2xx']} × 2xx ({r['s201']} created, {r['s200']} replayed)"
            f" + {r['in_flight']} in flight at wrk's stop = {expected}; in the database "
            f"{found['events']} events, {found['keys']} keys, {found['transitions']} report "
            f"steps, {found['followers']} followers; non-2xx {r['non2xx']}, socket errors "
            f"{r['socket_errors']} -> {'OK' if ok else 'MISMATCH'}"
            + (f"\n  first error: {r['first_error']}" if r["first_error"] else "")
        )
    rp = res["replays"]
    replays_ok = rp["same"] == rp["sent"] and rp["created"] == 0
    all_ok &= replays_ok
    print(
        f"check replays: {rp['sent']} requests sent again with their key -> {rp['same']} answered "
        f"200 with the first event, {rp['created']} events created -> "
        f"{'OK' if replays_ok else 'MISMATCH'}"
    )
    if best is not None:
        conns, r = best
        verdict = f"PASS ({r['rate']:.0f}/s, p99 {r['p99_ms']:.1f} ms at {conns} connections)"
    else:
        verdict = f"FAIL (best {top_submit['rate']:.0f}/s)"
    print(f"target {label}: ≥ {target:.0f} events/s with p99 < {P99_TARGET_MS:.0f} ms -> {verdict}")
    if not all_ok:
        print("integrity: MISMATCH between the answers and the events table (see above)")
    return best is not None and all_ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "pg", "both"), default="both")
    parser.add_argument(
        "--concurrency",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[8, 16, 32, 64],
        help="wrk connection counts, comma-separated (default 8,16,32,64)",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (shezhi run: 2)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads (1: sync)")
    parser.add_argument("--residents", type=int, default=64)
    parser.add_argument("--raw-seconds", type=float, default=5.0)
    parser.add_argument("--service", type=int, default=300, help="in-process report_event calls")
    parser.add_argument("--no-staff", action="store_true", help="no grid worker per general grid")
    parser.add_argument("--child-setup", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_setup:
        child_setup(
            Path(args.child_setup),
            residents=args.residents,
            points=2000,
            staff=not args.no_staff,
            service=args.service,
        )
        return 0
    ensure_wrk()
    print("command: python bench/events_submit.py " + " ".join(sys.argv[1:]))
    names = ["sqlite", "pg"] if args.db == "both" else [args.db]
    ok = True
    for name in names:
        ok &= report(run_db(name, args), args)
    print()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

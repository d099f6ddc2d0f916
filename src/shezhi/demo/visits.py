"""A year of household visits (入户走访) for whatever households the demo has.

Works on every household there is, in bulk (the demo's first community today, the whole
district once the household demo is scaled up): each household is visited at about its
interval (``visits.intervals``: weekly for the elderly living alone, fortnightly for the
very old, every two or three months for the rest), with jitter, some visits missed (so
coverage is realistic, not 100 %), a few nobody-home, the odd hazard or need ticked. The
visitor is the user who works the household's area most closely (a micro-grid worker
there, else a grid worker, else the staff of its community, street or district: always
someone whose scope holds the household).

Rows are written as plain INSERTs in batches (not the service: a year's history is not paid
again through the points ledger, as the demo's events history is written as it stood).
Deterministic (a fixed seed) and idempotent: nothing is written when visits exist.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.households.models import Household, Resident
from shezhi.people.models import RoleAssignment
from shezhi.visits import checklist, intervals
from shezhi.visits.models import Visit

from .bulk import indexes_deferred

SEED = 2026
DAYS = 365
BATCH = 5000
MISSED = 0.12  # share of due visits that did not happen
NOBODY_HOME = 0.12
HAZARD = 0.02
NEED = 0.05
# The nearest role first: who visits a household (someone whose scope holds it; a
# household nobody works is not visited).
VISITOR_ROLES = (
    "micro_grid_worker",
    "grid_worker",
    "community_staff",
    "street_staff",
    "district_admin",
)


def _met(residents: list[int], rng: random.Random) -> list[int]:
    """Whom a visit met: mostly the one who opened the door, sometimes two, now and then
    the whole household."""
    roll = rng.random()
    if len(residents) == 1 or roll < 0.65:
        return [rng.choice(residents)]
    if len(residents) == 2 or roll < 0.9:
        return rng.sample(residents, k=2)
    return list(residents)


def _adapter() -> Callable[[dt.datetime], object]:
    """A naive UTC datetime as the connection stores it: what ``adapt_datetimefield_value``
    gives, without its checks at every one of two million rows (SQLite: naive UTC text)."""
    adapt = connection.ops.adapt_datetimefield_value
    if not settings.USE_TZ:
        return adapt
    if connection.vendor == "sqlite":
        return str
    return lambda at: adapt(at.replace(tzinfo=dt.UTC))


def _visitors() -> dict[str, int]:
    """Area path → the user visiting there (the deepest holder, nearest role first)."""
    found: dict[str, tuple[int, int, int]] = {}
    for user_id, role, path in RoleAssignment.objects.filter(role__in=VISITOR_ROLES).values_list(
        "user_id", "role", "area__path"
    ):
        rank = (-len(path), VISITOR_ROLES.index(role), user_id)
        if path not in found or rank < found[path]:
            found[path] = rank
    return {path: rank[2] for path, rank in found.items()}


def _visitor_for(path: str, visitors: dict[str, int], fallback: int | None, steplen: int = 3):
    while path:
        if path in visitors:
            return visitors[path]
        path = path[:-steplen] if len(path) > steplen else ""
    return fallback


def build_demo_visits(
    seed: int = SEED, progress: Callable[[int, int], None] | None = None
) -> dict[str, int] | None:
    """Write the year's visits; the numbers made, or None when nothing was to do."""
    if Visit.objects.exists() or not Household.objects.exists():
        return None
    rng = random.Random(seed)
    visitors = _visitors()
    fallback_id = None
    tags: dict[int, set[str]] = defaultdict(set)
    people: dict[int, list[int]] = defaultdict(list)
    for pk, household_id, text in Resident.objects.values_list("pk", "household_id", "tags"):
        people[household_id].append(pk)
        tags[household_id].update(t for t in (text or "").split(",") if t)
    households = list(
        Household.objects.order_by("pk").values_list(
            "pk", "micro_grid_id", "area_path", "building__lng", "building__lat"
        )
    )
    now = timezone.now()
    # Visits are drawn in the district's local time (their hours are its working hours)
    # and stored in UTC, with naive datetimes and the zone's offset now: a zone-aware
    # datetime costs a conversion at every one of a million visits (Asia/Shanghai keeps
    # one offset all year; elsewhere a summer visit would be an hour off, in a demo).
    offset = timezone.localtime(now).utcoffset()
    local_now = now.replace(tzinfo=None) + offset
    day_ago = local_now - dt.timedelta(days=1)
    codes = {
        g: [i.code for i in checklist.items_of(g)] for g in (checklist.SAFETY, checklist.NEEDS)
    }
    made = met_rows = 0
    next_id = 1
    visits: list[tuple] = []
    met_pairs: list[tuple[int, int]] = []
    adapt = _adapter()
    visit_sql = (
        f"INSERT INTO {Visit._meta.db_table} (id, household_id, worker_id, at, outcome,"  # noqa: S608
        " other_person, checklist, notes, area_id, area_path, lng, lat, idempotency_key,"
        " created_at) VALUES (%s, %s, %s, %s, %s, '', %s, '', %s, %s, %s, %s, '', %s)"
    )
    met_sql = (
        f"INSERT INTO {Visit.met.through._meta.db_table} (visit_id, resident_id)"  # noqa: S608
        " VALUES (%s, %s)"
    )
    created = adapt(now.replace(tzinfo=None))
    no_items = checklist.encode([])

    def flush() -> None:
        # Plain INSERTs of tuples: a year of a district's visits is a million rows, and
        # model instances cost ten times what the database does.
        nonlocal met_rows
        with connection.cursor() as cursor:
            cursor.executemany(visit_sql, visits)
            cursor.executemany(met_sql, met_pairs)
        met_rows += len(met_pairs)
        visits.clear()
        met_pairs.clear()

    interval_days: dict[frozenset, int] = {}

    def generate() -> None:
        nonlocal made, next_id
        for n, (pk, micro_grid_id, path, lng, lat) in enumerate(households, 1):
            worker = _visitor_for(path, visitors, fallback_id, Area.steplen)
            if worker is None:
                continue
            held = frozenset(tags.get(pk, ()))
            days = interval_days.get(held)
            if days is None:
                days = interval_days[held] = intervals.interval_for(held).days
            # Visits a little more often than the interval asks, so most households are
            # covered and the ones whose visit was missed show as overdue.
            step = max(1.0, days * 0.8)
            back = rng.uniform(0, step)
            while back < DAYS:
                if rng.random() >= MISSED:
                    # Local time: the worker's working hours, 09:00–17:59.
                    at = local_now - dt.timedelta(days=back, hours=rng.uniform(-3, 3))
                    if at < day_ago:
                        at = at.replace(hour=rng.randint(9, 17))
                    nobody = not people.get(pk) or rng.random() < NOBODY_HOME
                    items = []
                    if rng.random() < HAZARD:
                        items.append(rng.choice(codes[checklist.SAFETY]))
                    if not nobody and rng.random() < NEED:
                        items.append(rng.choice(codes[checklist.NEEDS]))
                    met = [] if nobody else _met(people[pk], rng)
                    outcome = Visit.Outcome.NOBODY_HOME if nobody else Visit.Outcome.MET
                    visits.append((next_id, pk, worker, adapt(at - offset), outcome,
                                   checklist.encode(items) if items else no_items,
                                   micro_grid_id, path, lng, lat, created))  # fmt: skip
                    met_pairs.extend((next_id, r) for r in met)
                    next_id += 1
                    made += 1
                back += step * rng.uniform(0.85, 1.15)
            if len(visits) >= BATCH:
                flush()
                if progress:
                    progress(n, len(households))
        if visits:
            flush()

    # One transaction (one commit, not one a batch), and the tables' indexes built once at
    # the end instead of kept up row by row (a third of the time at a district's scale).
    with transaction.atomic(), indexes_deferred(Visit, Visit.met.through):
        generate()
    _reset_sequences()
    if progress:
        progress(len(households), len(households))
    return {"visits": made, "residents met": met_rows, "households": len(households)}


def _reset_sequences() -> None:
    """PostgreSQL: the visits' id sequence past the ids written here (SQLite needs none)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Visit])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

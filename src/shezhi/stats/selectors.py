"""Every read of the statistics for a user: scope first, then the one KPI definition.

Who sees an area's numbers (``permissions``): those who work in it and the
read-only roles (a resident's role opens no statistics); everyone else gets 404
for that area, as for any object outside their scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.areas.selectors import level_counts, root_areas
from shezhi.core.periods import Period
from shezhi.core.roles import GRID_ROLES
from shezhi.events.models import Category, Event, EventTransition, WhistleSummons
from shezhi.events.selectors import CLOCK_STATES
from shezhi.people.models import Department, Person, RoleAssignment
from shezhi.people.selectors import workforce_counts

from . import permissions
from .counters import COUNTERS
from .kpis import AreaKpis, Kpis, area_kpis, cached, counter_sums
from .models import CategoryRollup, EventFact


def _subtree(field: str, area: Area) -> Q:
    """Inside ``area``'s subtree, as a range on a path column (an index can serve it).

    ``startswith`` is a case-insensitive LIKE on SQLite, which no index serves.
    """
    return Q(**{f"{field}__gte": area.path, f"{field}__lt": area.path + "~"})


def statistics_areas(user):
    """Areas whose statistics ``user`` may read."""
    q = permissions.scope(user, "view", field="path")
    qs = Area.objects.defer("boundary")
    return qs if q is None else qs.filter(q)


def get_statistics_area(user, code: str) -> Area:
    """The area with ``code`` if its statistics are in the user's scope; else 404."""
    area = statistics_areas(user).filter(code=code).first()
    if area is None:
        raise Http404("No such area.")
    return area


def kpis_for(user, code: str, period: Period) -> AreaKpis:
    return area_kpis(get_statistics_area(user, code), period)


# ---------------------------------------------------------------------------
# Rankings


@dataclass
class RankedArea:
    rank: int
    area: Area
    kpis: Kpis


def area_ranking(result: AreaKpis) -> list[RankedArea]:
    """The children of one area (one level) by composite score.

    Ties, and areas without a score (nothing to judge yet, placed last), are
    ordered by completion rate, then by more events reported, then by code;
    areas tied on score and completion rate share a rank.
    """

    def key(item):
        area, kp = item
        return (
            kp.score is None,
            -(kp.score or 0),
            -(kp.completion_rate or 0),
            -kp.reported,
            area.code,
        )

    ordered = sorted(result.children, key=key)
    out: list[RankedArea] = []
    for i, (area, kp) in enumerate(ordered):
        rank = i + 1
        if out and (kp.score, kp.completion_rate) == (
            out[-1].kpis.score,
            out[-1].kpis.completion_rate,
        ):
            rank = out[-1].rank
        out.append(RankedArea(rank, area, kp))
    return out


@dataclass
class DepartmentRow:
    rank: int
    department: Department
    summoned: int
    on_time: int
    late: int  # reported in after the due time
    missing: int  # not reported in (yet)
    rating: float | None  # mean of the whistle-blowers' 1–4 ratings
    dispatched: int  # events dispatched to it in the period
    bounces: int  # of those dispatches, sent back as not theirs

    @property
    def on_time_rate(self) -> float | None:
        """Report-in on-time rate (报到及时率): reported in by the due time / summoned."""
        return self.on_time / self.summoned if self.summoned else None

    @property
    def bounce_rate(self) -> float | None:
        return self.bounces / self.dispatched if self.dispatched else None


def _moment_range(period: Period) -> tuple[datetime, datetime]:
    return period.window


def department_ranking(area: Area, period: Period) -> list[DepartmentRow]:
    """The district's departments by whistle response and bounces, for events in ``area``.

    Summonses count by when the whistle was blown, dispatches and bounces by
    when they happened. Order: report-in on-time rate (none last), then mean
    rating, then fewer bounces, then code; equal on all three share a rank.
    """
    start, end = _moment_range(period)
    district_path = area.path[: Area.steplen]
    departments = {d.code: d for d in Department.objects.filter(district__path=district_path)}
    stats: dict[str, dict] = {
        code: {"summoned": 0, "on_time": 0, "late": 0, "missing": 0, "rating": None,
               "dispatched": 0, "bounces": 0}
        for code in departments
    }  # fmt: skip
    summonses = (
        WhistleSummons.objects.filter(
            _subtree("whistle__event__area_path", area),
            whistle__blown_at__gte=start,
            whistle__blown_at__lt=end,
            department__code__in=list(departments),
        )
        .values("department__code")
        .annotate(
            summoned=Count("id"),
            on_time=Count("id", filter=Q(reported_in_at__lte=F("due_at"))),
            late=Count("id", filter=Q(reported_in_at__gt=F("due_at"))),
            missing=Count("id", filter=Q(reported_in_at__isnull=True)),
            rating=Avg("rating"),
        )
        .order_by()
    )
    for row in summonses:
        code = row.pop("department__code")
        stats[code].update(row)
    steps = (
        EventTransition.objects.filter(
            _subtree("event__area_path", area),
            at__gte=start,
            at__lt=end,
            action__in=("dispatch", "return"),
        )
        .filter(data__handler_kind="department")
        .annotate(dept=KT("data__handler_department"), bounce=KT("data__bounce"))
        .values_list("action", "dept", "bounce")
    )
    for action, code, bounce in steps:
        if code not in stats:
            continue
        if action == "dispatch":
            stats[code]["dispatched"] += 1
        elif bounce in ("true", "1", True):
            stats[code]["bounces"] += 1
    rows = [DepartmentRow(0, departments[code], **values) for code, values in stats.items()]

    def key(r: DepartmentRow):
        return (r.on_time_rate is None, -(r.on_time_rate or 0), -(r.rating or 0), r.bounces)

    rows.sort(key=lambda r: (*key(r), r.department.code))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and key(rows[i - 1]) == key(row) else i + 1
    return rows


@dataclass
class WorkerRow:
    rank: int
    user_id: int
    name: str
    reported: int  # events found on patrol
    handled: int  # results reported
    verified: int  # verifications done (passed or failed)

    @property
    def pieces(self) -> int:
        """Pieces of work (计件): patrol reports + handlings + verifications."""
        return self.reported + self.handled + self.verified


def worker_ranking(area: Area, period: Period, limit: int = 100) -> list[WorkerRow]:
    """Grid workers serving inside ``area`` by pieces of work in ``period``.

    Ties: more handled, then the name; equal pieces and handled share a rank.
    """
    start, end = _moment_range(period)
    workers = set(
        RoleAssignment.objects.filter(
            _subtree("area__path", area), role__in=GRID_ROLES
        ).values_list("user_id", flat=True)
    )
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"reported": 0, "handled": 0, "verified": 0}
    )
    steps = (
        EventTransition.objects.filter(
            _subtree("event__area_path", area),
            at__gte=start,
            at__lt=end,
            actor_id__in=workers,
            action__in=("report", "handle", "verify_pass", "verify_fail"),
        )
        .annotate(source=KT("data__source"))
        .values_list("actor_id", "action", "source")
    )
    for actor, action, source in steps:
        if action == "report":
            if source == "patrol":
                counts[actor]["reported"] += 1
        elif action == "handle":
            counts[actor]["handled"] += 1
        else:
            counts[actor]["verified"] += 1
    names = _display_names(counts)
    rows = [WorkerRow(0, user, names.get(user, str(user)), **c) for user, c in counts.items()]
    rows.sort(key=lambda r: (-r.pieces, -r.handled, r.name))
    for i, row in enumerate(rows):
        same = i and (rows[i - 1].pieces, rows[i - 1].handled) == (row.pieces, row.handled)
        row.rank = rows[i - 1].rank if same else i + 1
    return rows[:limit]


def _display_names(user_ids) -> dict[int, str]:
    """The worker's name from the roster when linked, else the sign-in name."""
    from django.contrib.auth import get_user_model

    names = dict(
        get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "username")
    )
    names.update(Person.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "name"))
    return names


# ---------------------------------------------------------------------------
# What the dashboard draws besides the KPI tables


def top_categories(area: Area, period: Period, limit: int = 10) -> list[tuple[Category, int]]:
    """Subcategories by events reported in ``area`` over ``period``, most first (then code)."""
    if area.depth < 3:
        rows = (
            CategoryRollup.objects.filter(
                _subtree("path", area), day__gte=period.start, day__lt=period.end
            )
            .values("category_id")
            .annotate(n=Sum("reported"))
        )
    else:
        rows = (
            EventFact.objects.filter(
                _subtree("area_path", area),
                reported_on__gte=period.start,
                reported_on__lt=period.end,
            )
            .values("category_id")
            .annotate(n=Count("pk"))
        )
    counts = {r["category_id"]: r["n"] for r in rows.order_by() if r["n"]}
    categories = Category.objects.select_related("parent").in_bulk(list(counts))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], categories[kv[0]].code))
    return [(categories[pk], n) for pk, n in ranked[:limit]]


def daily_totals(area: Area, period: Period) -> dict[date, dict[str, int]]:
    """Counter sums per day reported, for trend charts (days without reports left out)."""
    out = {}
    for day, values in counter_sums(area, period, "day").items():
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        out[day] = dict(zip(COUNTERS, values, strict=True))
    return out


def trend(area: Area, period: Period) -> list[tuple[date, Kpis]]:
    """The KPIs per day, or per month when the period is longer than 92 days.

    Each point is the cohort of its own day or month (the same definition as
    ``area_kpis``), so the points do not average to the period's figure.
    """
    days = daily_totals(area, period)
    monthly = (period.end - period.start) > timedelta(days=92)
    buckets: dict[date, dict[str, int]] = {}
    day = period.start
    while day < period.end:
        key = day.replace(day=1) if monthly else day
        buckets.setdefault(key, dict.fromkeys(COUNTERS, 0))
        day += timedelta(days=1)
    for day, totals in days.items():
        key = day.replace(day=1) if monthly else day
        bucket = buckets[key]
        for name, value in totals.items():
            bucket[name] += value
    return [(key, Kpis(totals)) for key, totals in sorted(buckets.items())]


# ---------------------------------------------------------------------------
# The command dashboard (驾驶舱): the bounded reads it needs beside the KPIs.
# (Added by the dashboard's engineer; keep this block together.)

DASHBOARD_LIST_LIMIT = 20  # rows of each of the red and yellow lists
DASHBOARD_COUNT_CAP = 1000  # the lists' totals are counted up to this, then "1000+"
HEADCOUNT_SECONDS = 300  # how long the areas' and people's counts are kept
HEAT_CELLS = 40  # the heat map's cells along the longer side of the area


def headcounts(area: Area) -> dict:
    """Areas per level and active people per force type inside ``area`` (kept 5 minutes).

    The areas' ``level_counts`` and the people's ``workforce_counts``, as they
    are; cached because they change by imports, not by the minute.
    """
    from django.core.cache import cache

    key = f"shezhi:dashboard:headcounts:{area.path}"
    found = cache.get(key)
    if found is None:
        found = {"levels": level_counts(area), "workforce": workforce_counts(area)}
        cache.set(key, found, HEADCOUNT_SECONDS)
    return found


def dashboard_trend(area: Area, period: Period) -> list[tuple[date, Kpis]]:
    """``trend``, cached until the facts move (a year of a district sums ~30,000 rows)."""
    return cached("dashboard:trend", area, period, lambda: trend(area, period))


def dashboard_top_categories(area: Area, period: Period) -> list[tuple[Category, int]]:
    """``top_categories``, cached until the facts move."""
    return cached("dashboard:top", area, period, lambda: top_categories(area, period))


@dataclass
class SlaList:
    """Open events against the clock in an area: the first rows and how many in all."""

    events: list  # Event rows (category and area loaded), at most the limit
    total: int  # counted up to DASHBOARD_COUNT_CAP
    capped: bool  # there are more than ``total``


def sla_lists(area: Area, now: datetime | None = None, limit: int = DASHBOARD_LIST_LIMIT):
    """The red list (past the deadline, most overdue first) and the yellow list (80 % of
    the working time used, deadline nearest first) of the open events located in ``area``.

    The colours are ``events.selectors.sla_colour``'s: only events being handled
    against the clock (dispatched, accepted, deferral requested) have one. Each
    list reads at most ``limit`` rows and counts at most ``DASHBOARD_COUNT_CAP``,
    from the (state, deadline_at) and (state, warn_at) indexes: the work grows with
    the open events past (or near) their deadline, never with the area's history.
    """
    from django.db.models.functions import Substr

    now = now or timezone.now()
    # The area as a prefix no index serves: with ANALYZE statistics SQLite would
    # otherwise walk the area_path index over the whole subtree (a district: every
    # event). The open events against the clock are few; the subtree is not.
    base = (
        Event.objects.filter(state__in=CLOCK_STATES)
        .annotate(subtree=Substr("area_path", 1, len(area.path)))
        .filter(subtree=area.path)
    )
    red = base.filter(deadline_at__lte=now)
    yellow = base.filter(warn_at__lte=now, deadline_at__gt=now)
    out = {}
    for name, qs in (("red", red), ("yellow", yellow)):
        # The ids in order (a narrow sort, counted on the way), then the first rows in full.
        order = qs.order_by("deadline_at", "id").values_list("id", flat=True)
        every = list(order[: DASHBOARD_COUNT_CAP + 1])
        ids = every[:limit]
        found = (
            Event.objects.filter(pk__in=ids)
            .select_related("category", "area")
            .only(
                "id", "created_at", "state", "deadline_at", "warn_at", "handler_kind",
                "category__code", "category__name", "category__name_en",
                "area__code", "area__name",
            )
            .in_bulk()
        )  # fmt: skip
        rows = [found[pk] for pk in ids if pk in found]
        capped = len(every) > DASHBOARD_COUNT_CAP
        out[name] = SlaList(rows, min(len(every), DASHBOARD_COUNT_CAP), capped)
    return out


def heat_cells(area: Area, period: Period, cells: int = HEAT_CELLS) -> dict:
    """Where the events of ``period`` inside ``area`` were reported: counts on a grid.

    The area's bounding box is cut into square cells (about ``cells`` along its
    longer side, so at most ``cells``² of them); each cell with events comes back
    as ``[south, west, count]``. The events are the KPIs' cohort (reported in the
    period, local dates; ``total`` equals the ``reported`` KPI).

    Inside a community or below, each event counts where it was reported. Above
    (a street, a district: cells of a kilometre or so), each counts at the centre
    of its micro-grid, read from the facts' (area_path, reported_on) index alone
    instead of a district's worth of event rows. Cached until the facts move.
    """
    return cached(f"dashboard:heat{cells}", area, period, lambda: _heat(area, period, cells))


def _heat(area: Area, period: Period, cells: int) -> dict:
    import math

    from django.db.models.functions import Floor

    west, south, east, north = area.min_lng, area.min_lat, area.max_lng, area.max_lat
    shrink = max(math.cos(math.radians((south + north) / 2)), 0.01)
    # A cell as tall as it is wide on the ground.
    size_lat = max(north - south, (east - west) * shrink, 1e-6) / cells
    size_lng = size_lat / shrink
    last_col = max(math.ceil((east - west) / size_lng) - 1, 0)
    last_row = max(math.ceil((north - south) / size_lat) - 1, 0)
    counts: dict[tuple[int, int], int] = defaultdict(int)

    def add(row: float, col: float, n: int) -> None:
        # A point on the east or north edge (or, by rounding, just outside) joins the
        # cell beside it.
        counts[min(max(int(row), 0), last_row), min(max(int(col), 0), last_col)] += n

    if area.depth < 3:
        per_area = (
            EventFact.objects.filter(
                _subtree("area_path", area),
                reported_on__gte=period.start,
                reported_on__lt=period.end,
            )
            .order_by()
            .values_list("area_path")
            .annotate(n=Count("*"))  # COUNT(*): the index alone answers
        )
        centres = {
            path: (lng, lat)
            for path, lng, lat in Area.objects.filter(_subtree("path", area)).values_list(
                "path", "centroid_lng", "centroid_lat"
            )
        }
        for path, n in per_area:
            lng, lat = centres.get(path, (area.centroid_lng, area.centroid_lat))
            add(math.floor((lat - south) / size_lat), math.floor((lng - west) / size_lng), n)
        resolution = "micro_grid"
    else:
        # The facts' (area_path, reported_on) index finds the cohort; each event's row
        # (by primary key) gives its point.
        rows = (
            EventFact.objects.filter(
                _subtree("area_path", area),
                reported_on__gte=period.start,
                reported_on__lt=period.end,
            )
            .annotate(
                col=Floor((F("event__lng") - west) / size_lng),
                row=Floor((F("event__lat") - south) / size_lat),
            )
            .order_by()
            .values_list("row", "col")
            .annotate(n=Count("*"))
        )
        for row, col, n in rows:
            add(row, col, n)
        resolution = "event"
    out_cells = [
        [south + row * size_lat, west + col * size_lng, n]
        for (row, col), n in sorted(counts.items())
    ]
    return {
        "bbox": [west, south, east, north],
        "cell": {"lng": size_lng, "lat": size_lat},
        "resolution": resolution,
        "cells": out_cells,
        "total": sum(counts.values()),
        "max": max(counts.values(), default=0),
    }


def top_statistics_area(user) -> Area | None:
    """The highest area whose statistics the user reads (a superuser: the first district)."""
    areas = permissions.scope_areas(user, "view")
    if areas is None:
        return next(iter(root_areas(user)), None)
    return min(areas, key=lambda a: (a.depth, a.path), default=None)


def opens_events_in(user, area: Area) -> bool:
    """Whether the user may open every event located in ``area`` (the lists link to them).

    Department staff and alliance viewers read an area's statistics without
    opening its events (the same rule as ``events.selectors.visible_events``).
    """
    return permissions.can(user, "open_events", area)


def reporting_periods(area: Area) -> list:
    """The named periods offered on ``area``'s dashboard: its own and those of the areas
    above it, the nearest area's first, then by first day."""
    from .models import ReportingPeriod

    depth = {path: len(path) for path in Area.lineage(area.path)}
    rows = list(
        ReportingPeriod.objects.filter(area__path__in=list(depth))
        .select_related("area")
        .defer("area__boundary")
    )
    rows.sort(key=lambda r: (-depth[r.area.path], r.start, r.label))
    return rows

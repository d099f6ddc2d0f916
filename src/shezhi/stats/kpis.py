"""The KPIs a district is judged by: one definition each, over any area and period.

Every KPI is computed from the counters of ``stats.counters`` summed over a
**cohort**: the events reported in the period ``[start, end)`` (local dates)
inside the area's subtree, each as of its latest step. A rate is ``None`` when
its denominator is 0 (nothing to judge), never 0 or 100 %.

The dashboard, the exports and the API all call ``area_kpis`` (or ``Kpis``
directly on totals); nothing else computes a KPI. Each figure's label is its
``DEFINITIONS`` entry's, wherever it is shown: one label per definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy

from shezhi.areas.locating import revision_snapshot
from shezhi.areas.models import Area
from shezhi.core.periods import Period

from .counters import BAND_HOURS, BANDS, COUNTERS
from .models import DailyRollup, EventFact, StatsVersion

# name → (label, how it is computed); the order the tables show them in.
DEFINITIONS: dict[str, tuple[str, str]] = {
    "reported": (
        gettext_lazy("Events reported"),
        gettext_lazy("events reported in the period inside the area"),
    ),
    "handled": (
        gettext_lazy("Events handled"),
        gettext_lazy("of those, events a handler reported a result for at least once"),
    ),
    "closed": (
        gettext_lazy("Events closed"),
        gettext_lazy("of those, events closed now (checked and closed)"),
    ),
    "registration_rate": (gettext_lazy("Registration rate"), gettext_lazy("registered / reported")),
    "completion_rate": (gettext_lazy("Completion rate"), gettext_lazy("closed / due to close")),
    "on_time_rate": (
        gettext_lazy("On-time completion rate"),
        gettext_lazy("closed on time / due to close"),
    ),
    "overdue_rate": (gettext_lazy("Overdue rate"), gettext_lazy("overdue / due to close")),
    "rework_rate": (gettext_lazy("Rework rate"), gettext_lazy("reworked / handled")),
    "accurate_dispatch_rate": (
        gettext_lazy("Accurate-dispatch rate"),
        gettext_lazy("never re-dispatched / dispatched"),
    ),
    "bounces": (
        gettext_lazy("Bounces"),
        gettext_lazy("times departments sent events back as not theirs"),
    ),
    "handling_hours_mean": (
        gettext_lazy("Handling time, mean (working hours)"),
        gettext_lazy("working hours from the last dispatch to the handling that closed it"),
    ),
    "handling_hours_median": (
        gettext_lazy("Handling time, median (working hours)"),
        gettext_lazy("median of the same, interpolated within its band"),
    ),
    "handling_hours_p90": (
        gettext_lazy("Handling time, 90th percentile (working hours)"),
        gettext_lazy("90th percentile of the same, interpolated within its band"),
    ),
    "response_rate": (gettext_lazy("Response rate"), gettext_lazy("answered in time / dispatched")),
    "resolution_rate": (
        gettext_lazy("Resolution rate"),
        gettext_lazy("closed and never reopened / closed"),
    ),
    "satisfaction_rate": (
        gettext_lazy("Satisfaction rate"),
        gettext_lazy("(satisfied + weight × basically satisfied) / rated"),
    ),
    "in_grid_rate": (
        gettext_lazy("Solved inside the micro-grid"),
        gettext_lazy("closed by micro-grid workers alone / closed"),
    ),
    "score": (gettext_lazy("Composite score"), gettext_lazy("weighted mean of the rates × 100")),
}
RATES = tuple(name for name in DEFINITIONS if name.endswith("_rate"))
# Lower is better for these: the composite score takes 1 − rate.
INVERTED = frozenset({"overdue_rate", "rework_rate"})

DEFAULT_WEIGHTS = {
    "completion_rate": 25,
    "on_time_rate": 20,
    "satisfaction_rate": 20,
    "response_rate": 10,
    "accurate_dispatch_rate": 10,
    "rework_rate": 10,
    "in_grid_rate": 5,
}
DEFAULT_GRADES = (("A", 90), ("B", 75), ("C", 60), ("D", 40))


def basically_satisfied_weight() -> float:
    """How much a 基本满意 counts in the satisfaction rate (满意 counts 1, 不满意 0)."""
    return float(getattr(settings, "SHEZHI_KPI_BASICALLY_SATISFIED_WEIGHT", 0.9))


def weights() -> dict[str, float]:
    """The composite score's weights, by rate name (settings: SHEZHI_KPI_WEIGHTS)."""
    found = dict(getattr(settings, "SHEZHI_KPI_WEIGHTS", DEFAULT_WEIGHTS))
    unknown = set(found) - set(RATES)
    if unknown:
        raise ValueError(f"SHEZHI_KPI_WEIGHTS names unknown rates: {sorted(unknown)}")
    return {k: float(v) for k, v in found.items() if float(v) > 0}


def grade_of(score: float | None) -> str | None:
    """A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below (settings: SHEZHI_KPI_GRADES)."""
    if score is None:
        return None
    for grade, lowest in getattr(settings, "SHEZHI_KPI_GRADES", DEFAULT_GRADES):
        if score >= lowest:
            return grade
    return "E"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def band_quantile(bands: list[int], q: float) -> float | None:
    """The ``q`` quantile of handling times, in working hours, from their band counts.

    Linear within the band holding it (times are taken as spread evenly over
    it); in the open last band (≥ 240 h) its lower bound. So the median and the
    90th percentile are exact to the band, the mean (from the sum) exact.
    """
    total = sum(bands)
    if not total:
        return None
    rank = q * total
    seen = 0
    lower = 0.0
    for count, upper in zip(bands, BAND_HOURS, strict=True):
        if count and seen + count >= rank:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
        lower = upper
    return lower


@dataclass
class Kpis:
    """The KPI set of one cohort, from its counter totals (``counters.COUNTERS``)."""

    totals: dict[str, int]

    def __post_init__(self):
        t = self.totals
        self.reported = t["reported"]
        self.handled = t["handled"]
        self.closed = t["closed"]
        self.registration_rate = _ratio(t["registered"], t["reported"])
        self.completion_rate = _ratio(t["closed"], t["due"])
        self.on_time_rate = _ratio(t["on_time"], t["due"])
        self.overdue_rate = _ratio(t["overdue"], t["due"])
        self.rework_rate = _ratio(t["reworked"], t["handled"])
        self.accurate_dispatch_rate = _ratio(t["accurate"], t["dispatched"])
        self.bounces = t["bounces"]
        mean = _ratio(t["handling_seconds"], t["handling_count"])
        self.handling_hours_mean = None if mean is None else mean / 3600
        bands = [t[name] for name in BANDS]
        self.handling_hours_median = band_quantile(bands, 0.5)
        self.handling_hours_p90 = band_quantile(bands, 0.9)
        self.response_rate = _ratio(t["responded"], t["dispatched"])
        self.resolution_rate = _ratio(t["resolved"], t["closed"])
        self.satisfaction_rate = _ratio(
            t["satisfied"] + basically_satisfied_weight() * t["basically_satisfied"], t["rated"]
        )
        self.in_grid_rate = _ratio(t["in_grid"], t["closed"])
        self.score = self._score()
        self.grade = grade_of(self.score)

    def _score(self) -> float | None:
        num = den = 0.0
        for name, weight in weights().items():
            value = getattr(self, name)
            if value is None:
                continue
            num += weight * (1 - value if name in INVERTED else value)
            den += weight
        return None if not den else 100 * num / den

    @classmethod
    def empty(cls) -> Kpis:
        return cls(dict.fromkeys(COUNTERS, 0))

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in DEFINITIONS}
        out["grade"] = self.grade
        out["counts"] = {k: v for k, v in self.totals.items() if not k.startswith("band_")}
        return out


@dataclass
class AreaKpis:
    """An area's KPIs and its children's, over one period."""

    area: Area
    period: Period
    kpis: Kpis
    children: list[tuple[Area, Kpis]] = field(default_factory=list)
    # Events located on the area itself, in none of its children.
    unassigned: Kpis | None = None


CHILD_FIELDS = ("id", "path", "depth", "numchild", "code", "name", "level", "kind")


def area_kpis(area: Area, period: Period) -> AreaKpis:
    """The KPIs of ``area`` and of each child area, over ``period`` (cached until facts move)."""
    found = _cached(area, period)
    sums = found["sums"]
    total = dict.fromkeys(COUNTERS, 0)
    for values in sums.values():
        for k in COUNTERS:
            total[k] += values[k]
    out = AreaKpis(area=area, period=period, kpis=Kpis(total))
    for row in found["children"]:
        child = Area.from_db(connection.alias, CHILD_FIELDS, row)
        values = sums.get(child.path)
        out.children.append((child, Kpis(values) if values else Kpis.empty()))
    if area.path in sums:
        out.unassigned = Kpis(sums[area.path])
    return out


def version() -> str:
    """The facts' version (see ``StatsVersion``): part of every cached answer's key."""
    found = StatsVersion.objects.filter(pk=1).values_list("version", "token").first()
    return f"{found[0]}-{found[1]}" if found else "0"


def cached(name: str, area: Area, period: Period, compute):
    """``compute()``, cached under the facts' version (any sync that moved a number) and
    the areas' revision token (any area written): the one key of every cached statistic."""
    _revision, areas_token = revision_snapshot.get()
    key = f"shezhi:{name}:{version()}:{areas_token}:{area.path}:{period.start}:{period.end}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, 3600)
    return found


def _cached(area: Area, period: Period) -> dict:
    """Counter sums per child path, and the children's rows."""
    return cached(
        "kpis",
        area,
        period,
        lambda: {
            "sums": _sums_by_child(area, period),
            "children": list(
                Area.objects.filter(path__startswith=area.path, depth=area.depth + 1)
                .order_by("path")
                .values_list(*CHILD_FIELDS)
            ),
        },
    )


def counter_sums(area: Area, period: Period, by: str) -> dict:
    """Counter sums inside ``area`` over ``period``, grouped ``by`` "path" (the stored path
    of each daily row or fact) or "day" (reported on).

    The daily sums per community serve whenever their grain is fine enough (grouping by
    day down to a community, by path down to a street's communities); the facts below.
    """
    rollups = area.depth <= 3 if by == "day" else area.depth < 3
    if rollups:
        model, path_col, day_col = DailyRollup, "path", "day"
    else:
        model, path_col, day_col = EventFact, "area_path", "reported_on"
    q = connection.ops.quote_name
    group = q(day_col if by == "day" else path_col)
    sums = ", ".join(f"SUM({q(c)})" for c in COUNTERS)
    # Grouped by a stored column (the index's order for paths: no sort).
    sql = (
        f"SELECT {group}, {sums} FROM {q(model._meta.db_table)}"  # noqa: S608
        f" WHERE {q(path_col)} >= %s AND {q(path_col)} < %s"
        f" AND {q(day_col)} >= %s AND {q(day_col)} < %s GROUP BY 1 ORDER BY 1"
    )
    params = [
        area.path,
        area.path + "~",  # paths are 0-9A-Z: every descendant sorts below this
        connection.ops.adapt_datefield_value(period.start),
        connection.ops.adapt_datefield_value(period.end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: [int(v) for v in row[1:]] for row in cursor}


def _sums_by_child(area: Area, period: Period) -> dict[str, dict[str, int]]:
    """Counter sums per child path (the area's own path: events on the area itself)."""
    width = len(area.path) + Area.steplen
    out: dict[str, dict[str, int]] = {}
    for path, values in counter_sums(area, period, "path").items():
        into = out.setdefault(path[:width], dict.fromkeys(COUNTERS, 0))
        for name, value in zip(COUNTERS, values, strict=True):
            into[name] += value
    return out

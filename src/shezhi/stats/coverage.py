"""Household visit coverage (入户走访覆盖率): one definition, for the dashboard, the API
and the monthly report.

    coverage = households visited within their interval / households

as of a local day ``on``, inside an area's subtree. A household's interval is its
class's (``visits.intervals``: a resident tagged 独居老人 → 7 days, 高龄 → 14, every
other household 90; the shortest class a resident's plain tag names wins), and
"visited within N days" means a visit on one of the N local days ending on ``on``.
The rate is None (nothing to judge) for an area without households. Each class's
rate is the same ratio over its own households.

The counts are visits' (``visits.selectors.coverage_counts``): households read from
households' table, visits from visits'; nothing here counts anything else. Who may
read it is who reads the area's statistics (``stats.permissions``): the read-only
roles see these figures, never a visit or a household.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy

from shezhi.areas.models import Area
from shezhi.visits import selectors as visit_selectors

NAME = "visit_coverage"
LABEL = gettext_lazy("Household visit coverage")
FORMULA = gettext_lazy(
    "households visited within their interval (elderly living alone 7 days, very old 14,"
    " others 90) / households, as of the day"
)
DEFINITIONS = {NAME: (LABEL, FORMULA)}


def _rate(covered: int, households: int) -> float | None:
    return covered / households if households else None


@dataclass(frozen=True)
class ClassCoverage:
    key: str
    label: str
    days: int
    households: int
    covered: int

    @property
    def rate(self) -> float | None:
        return _rate(self.covered, self.households)


@dataclass(frozen=True)
class Coverage:
    on: dt.date
    classes: list[ClassCoverage]

    @property
    def households(self) -> int:
        return sum(c.households for c in self.classes)

    @property
    def covered(self) -> int:
        return sum(c.covered for c in self.classes)

    @property
    def rate(self) -> float | None:
        return _rate(self.covered, self.households)

    @property
    def overdue(self) -> int:
        return self.households - self.covered

    def as_dict(self) -> dict:
        return {
            "households": self.households,
            "covered": self.covered,
            "rate": self.rate,
            "classes": [
                {"key": c.key, "label": c.label, "days": c.days, "households": c.households,
                 "covered": c.covered, "rate": c.rate}
                for c in self.classes
            ],
        }  # fmt: skip


def _coverage(rows, on: dt.date) -> Coverage:
    return Coverage(
        on,
        [
            ClassCoverage(r.interval.key, r.interval.label, r.interval.days, r.households,
                          r.covered)
            for r in rows
        ],
    )  # fmt: skip


# A district's coverage reads every household once (about a second for 160,000): the
# dashboard, the API and the report share each answer for a minute. A visit shows in
# the figures within that minute.
CACHE_SECONDS = 60


def _cached(kind: str, area: Area, on: dt.date, compute):
    key = f"stats:visit-coverage:{kind}:{area.path}:{on.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def area_coverage(area: Area, on: dt.date) -> Coverage:
    """The coverage of ``area``'s subtree as of the local day ``on``."""
    rows = _cached("area", area, on, lambda: visit_selectors.coverage_counts(area, on))
    return _coverage(rows, on)


def children_coverage(area: Area, children, on: dt.date) -> list[tuple[Area, Coverage]]:
    """The coverage of each of ``children`` (areas one level below ``area``); one query."""
    by_path = _cached("children", area, on, lambda: visit_selectors.coverage_by_child(area, on))
    empty = visit_selectors.coverage_counts_empty()
    return [(child, _coverage(by_path.get(child.path, empty), on)) for child in children]

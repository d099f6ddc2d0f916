"""Residents taking part (参与居民, issue 16 §6): one definition, for the dashboard, the API
and the monthly report.

    residents taking part = COUNT(DISTINCT participant)
        over core.participation rows with area_path in subtree(area)
        and period.start <= at < period.end (local days)

A participant is a resident (or a person, or a sign-in nobody knows as a resident yet),
counted **once however many ways** they took part: raised a demand, answered a
broadcast, joined an organisation, took part in an activity or in a project. The
breakdown by way counts distinct participants per way, so its parts add up to at
least the total (someone taking part two ways is in two parts, once in the total).

The rows are ``core.participation``'s (each domain records its own, inside its own
step); nothing here counts anything else. The count is read from the rows'
pre-aggregate, kept in each write's own transaction (``core.models.ParticipationDay``):
the same number as the formula over the rows, at the cost of an index range of the
period's days, the first read after a write included. Anonymous demands count (their row keeps
only the day). Who may read it is who reads the area's statistics
(``stats.permissions``): a count, never who.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from shezhi.core import participation
from shezhi.core.periods import Period

NAME = "residents_taking_part"
LABEL = gettext_lazy("Residents taking part")
FORMULA = gettext_lazy(
    "distinct residents (or people) who, in the period and inside the area, raised a demand,"
    " answered a broadcast, joined an organisation, or took part in an activity or a"
    " project; each counted once however many ways they took part"
)
DEFINITIONS = {NAME: (LABEL, FORMULA)}
WAYS = participation.Way


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's local days as aware datetimes ``[start, end)``."""
    return period.window


@dataclass(frozen=True)
class TakingPart:
    total: int
    by_way: dict[str, int]

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "by_way": [
                {"way": w, "label": str(WAYS(w).label), "participants": n}
                for w, n in self.by_way.items()
            ],
        }


def area_taking_part(area, period: Period) -> TakingPart:
    """Residents taking part in ``area``'s subtree over ``period`` (the module's formula)."""
    start, end = bounds(period)
    return TakingPart(
        total=participation.participants(area, start, end),
        by_way=participation.participants_by_way(area, start, end),
    )


def children_taking_part(children, period: Period) -> list[tuple[object, int]]:
    """Each child area's total (the same formula in its own subtree)."""
    start, end = bounds(period)
    return [(child, participation.participants(child, start, end)) for child in children]

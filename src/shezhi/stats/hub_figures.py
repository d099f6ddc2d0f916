"""Stats' figure on the service hubs' pages (``places.hooks``): events handled.

One definition: the KPI ``handled`` (``kpis.DEFINITIONS``) over the hub's reach — the
events reported in the period inside the area (a compound: inside the micro-grids its
buildings stand in) that a handler reported a result for at least once. Read from the
KPI facts' sums (``kpis.counter_sums``): one statement for a hub and all its children.
"""

from __future__ import annotations

from shezhi.areas.models import Area
from shezhi.places import hooks

from .counters import COUNTERS
from .kpis import DEFINITIONS, counter_sums

HANDLED = COUNTERS.index("handled")


def handled_many(targets, period) -> list[int | None]:
    reaches = hooks.reach(targets)
    top = hooks.common_path(reaches, Area.steplen)
    if not top:
        return [0 if r else None for r in reaches]
    sums = counter_sums(Area(path=top, depth=len(top) // Area.steplen), period, "path")
    out: list[int | None] = []
    for reach in reaches:
        if not reach:
            out.append(None)  # a compound without buildings covers no micro-grid
            continue
        out.append(sum(v[HANDLED] for path, v in sums.items() if hooks.within(path, reach)))
    return out


def handled_one(target, period) -> int | None:
    return handled_many([target], period)[0]


def register() -> None:
    label, formula = DEFINITIONS["handled"]
    hooks.register_hub_figure(
        "events_handled", label, handled_one, many=handled_many, definition=formula, order=10
    )

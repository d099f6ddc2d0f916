"""Visits' figure on the service hubs' pages (``places.hooks``): household visits.

Visits = visits recorded, during the period (local dates, as the other hub figures
count them), at households in the hub's reach (a compound: the micro-grids its
buildings stand in). One statement for a hub and all its children, grouped by
micro-grid, so the page's queries stay flat in the number of children.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area
from shezhi.places import hooks

from .models import Visit


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visits_many(targets, period) -> list[int | None]:
    reaches = hooks.reach(targets)
    top = hooks.common_path(reaches, Area.steplen)
    if not top:
        return [0 if r else None for r in reaches]
    rows = (
        Visit.objects.filter(
            at__gte=_moment(period.start),
            at__lt=_moment(period.end),
            area_path__gte=top,
            area_path__lt=top + "~",
        )
        .order_by()
        .values_list("area_path")
        .annotate(n=Count("id"))
    )
    by_path = dict(rows)
    out: list[int | None] = []
    for reach in reaches:
        if not reach:
            out.append(None)
            continue
        out.append(sum(n for path, n in by_path.items() if hooks.within(path, reach)))
    return out


def visits_one(target, period) -> int | None:
    return visits_many([target], period)[0]


def register() -> None:
    hooks.register_hub_figure(
        "visits",
        _("Household visits"),
        visits_one,
        many=visits_many,
        definition=_("household visits recorded at households there"),
        order=20,
    )

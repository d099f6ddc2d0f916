"""Demands' figures on the service hubs' pages (``places.hooks``): demands raised and the
distinct residents behind them, during the period (local dates), in the hub's reach.
One statement for a hub and all its children. Anonymous demands are counted, never named.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area
from shezhi.places import hooks

from .models import Demand
from .selectors import asker_key


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rows(targets, period):
    reaches = hooks.reach(targets)
    top = hooks.common_path(reaches, Area.steplen)
    if not top:
        return reaches, []
    rows = Demand.objects.filter(
        created_at__gte=_moment(period.start),
        created_at__lt=_moment(period.end),
        area_path__gte=top,
        area_path__lt=top + "~",
    ).values_list("area_path", "household_id", "submitter_id", "pk")
    return reaches, list(rows)


def demands_many(targets, period) -> list[int | None]:
    reaches, rows = _rows(targets, period)
    return [
        sum(1 for r in rows if hooks.within(r[0], reach)) if reach else None for reach in reaches
    ]


def residents_many(targets, period) -> list[int | None]:
    reaches, rows = _rows(targets, period)
    return [
        len({asker_key(*r[1:]) for r in rows if hooks.within(r[0], reach)}) if reach else None
        for reach in reaches
    ]


def register() -> None:
    hooks.register_hub_figure(
        "demands",
        _("Demands raised"),
        lambda t, p: demands_many([t], p)[0],
        many=demands_many,
        definition=_("residents' demands raised there, from any source"),
        order=40,
    )
    hooks.register_hub_figure(
        "demand_residents",
        _("Residents who raised demands"),
        lambda t, p: residents_many([t], p)[0],
        many=residents_many,
        definition=_("distinct households (else residents) behind the demands raised there"),
        order=41,
    )

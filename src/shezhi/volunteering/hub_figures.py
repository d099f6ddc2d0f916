"""Volunteering's figure on the service hubs' pages (``places.hooks``): volunteers.

Volunteers = distinct people checked in, during the period (local dates), at
activities held in the hub's reach (a compound: the micro-grids its buildings stand
in). One statement for a hub and all its children.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.areas.models import Area
from shezhi.places import hooks

from .models import Signup


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def volunteers_many(targets, period) -> list[int | None]:
    reaches = hooks.reach(targets)
    top = hooks.common_path(reaches, Area.steplen)
    if not top:
        return [0 if r else None for r in reaches]
    rows = (
        Signup.objects.filter(
            checked_in_at__gte=_moment(period.start),
            checked_in_at__lt=_moment(period.end),
            activity__area_path__gte=top,
            activity__area_path__lt=top + "~",
        )
        .order_by()
        .values_list("activity__area_path", "user_id")
        .distinct()
    )
    by_path: dict[str, set[int]] = {}
    for path, user_id in rows:
        by_path.setdefault(path, set()).add(user_id)
    out: list[int | None] = []
    for reach in reaches:
        if not reach:
            out.append(None)
            continue
        people: set[int] = set()
        for path, users in by_path.items():
            if hooks.within(path, reach):
                people |= users
        out.append(len(people))
    return out


def volunteers_one(target, period) -> int | None:
    return volunteers_many([target], period)[0]


def register() -> None:
    hooks.register_hub_figure(
        "volunteers",
        _("Volunteers"),
        volunteers_one,
        many=volunteers_many,
        definition=_("distinct people checked in at volunteer activities held there"),
        order=30,
    )

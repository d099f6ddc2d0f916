"""Demands as the service hubs read them (registered in ``DemandsConfig.ready()``): the
demands raised and the distinct residents behind them, in each reach, in one statement."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shezhi.core.periods import Period
from shezhi.demands import hub_figures, services
from shezhi.places import hooks

from .conftest import IN_MICRO1, IN_MICRO2


def test_the_hub_figures_count_demands_and_residents(
    place, shared_cast, territory, django_assert_num_queries
):
    def raise_(user, text, point):
        services.submit_demand(actor=user, kind="parking", text=text, lng=point[0], lat=point[1])

    raise_(shared_cast.resident, "车位太少", IN_MICRO1)
    raise_(shared_cast.resident, "希望装快递柜", IN_MICRO1)  # the same resident again
    raise_(shared_cast.resident2, "路灯不亮", IN_MICRO2)
    today = timezone.localdate()
    period = Period.of(today - dt.timedelta(days=2), today, today=today)
    targets = [territory["community"], territory["micro1"], territory["micro2"]]
    with django_assert_num_queries(1):
        assert hub_figures.demands_many(targets, period) == [3, 2, 1]
    assert hub_figures.residents_many(targets, period) == [2, 1, 1]
    keys = [f.key for f in hooks.hub_figures()]
    assert "demands" in keys and "demand_residents" in keys

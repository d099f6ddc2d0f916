"""Visits as the other apps read them: a bound resident's household page and the service
hubs' figure (both registered in ``VisitsConfig.ready()``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shezhi.core.periods import Period
from shezhi.households import selectors as household_selectors
from shezhi.places import hooks
from shezhi.visits import hub_figures, selectors

from .conftest import visit


def test_the_resident_sees_days_and_outcomes_only(place, residents, shared_cast):
    head, _ = residents
    visit(shared_cast.mg_worker, place.h101, days_ago=3, notes="独居，腿脚不便", met=[head.pk],
          outcome="met")  # fmt: skip
    visit(shared_cast.mg_worker, place.h101, days_ago=1)
    visit(shared_cast.mg_worker, place.h102, days_ago=1)  # another household's
    lines = selectors.household_visit_lines(place.h101)
    day = timezone.localtime(timezone.now() - dt.timedelta(days=1)).date().isoformat()
    assert len(lines) == 2 and lines[0] == f"{day} · Nobody home"
    assert lines[1].endswith("Met the household")
    assert not any("独居" in line or "张" in line for line in lines)
    assert household_selectors._visit_sources == [selectors.household_visit_lines]


def test_the_hub_figure_counts_visits_in_each_reach_in_one_statement(
    place, residents, shared_cast, territory, django_assert_num_queries
):
    visit(shared_cast.mg_worker, place.h101, days_ago=0.01)
    visit(shared_cast.mg_worker, place.h102, days_ago=0.01)
    visit(shared_cast.mg_worker, place.h102, days_ago=6)  # before the period
    visit(shared_cast.mg_worker2, place.h201, days_ago=0.01)
    today = timezone.localdate()
    period = Period.of(today - dt.timedelta(days=2), today, today=today)
    targets = [territory["community"], territory["micro1"], territory["micro2"]]
    with django_assert_num_queries(1):
        counts = hub_figures.visits_many(targets, period)
    assert counts == [3, 2, 1]
    assert hub_figures.visits_one(territory["micro2"], period) == 1
    assert "visits" in [f.key for f in hooks.hub_figures()]

"""The demo's year of visits: for whatever households exist, at about their intervals,
by the worker of the area, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.demo.visits import build_demo_visits
from shezhi.stats import coverage
from shezhi.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_a_year_of_visits_once(place, residents, territory, shared_cast):
    worker = shared_cast.mg_worker  # holds micro1: visits h101 and h102
    made = build_demo_visits()
    assert made["households"] == 3 and made["visits"] == Visit.objects.count() > 3
    assert set(Visit.objects.filter(household=place.h101).values_list("worker", flat=True)) == {
        worker.pk
    }
    # h101 has a very old resident (14 days): many more visits than h102 (90 days).
    assert (
        Visit.objects.filter(household=place.h101).count()
        > 3 * Visit.objects.filter(household=place.h102).count()
    )
    assert Visit.objects.filter(at__gt=timezone.now()).count() == 0
    # Older visits at local working hours (Asia/Shanghai), not 9–17 UTC.
    day_ago = timezone.now() - dt.timedelta(days=1)
    hours = {timezone.localtime(at).hour for at in Visit.objects.filter(at__lt=day_ago)
             .values_list("at", flat=True)}  # fmt: skip
    assert hours and hours <= set(range(9, 18))
    assert min(hours) <= 11 and max(hours) >= 15
    # The met residents belong to the visited household.
    for v in Visit.objects.filter(household=place.h101, outcome="met")[:5]:
        assert set(v.met.values_list("household", flat=True)) == {place.h101.pk}
    assert build_demo_visits() is None  # once
    cov = coverage.area_coverage(territory["community"], timezone.localdate())
    assert cov.households == 3
    # New visits go on from the ids written in bulk (PostgreSQL's sequence reset).
    from .conftest import visit

    before = max(Visit.objects.values_list("pk", flat=True))
    assert visit(worker, place.h101).pk > before

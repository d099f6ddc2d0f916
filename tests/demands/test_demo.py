"""The demo's demands: grouped by the service's rule inside each community, the residents
behind them taking part once each, the demo resident's own among them; once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.core import participation
from shezhi.core.models import Participation
from shezhi.demands.models import Demand, DemandGroup
from shezhi.demo.demands import build_demo_demands
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_demo_demands_once(place, shared_cast, territory):
    resident = shared_cast.resident  # the demo's "resident" account, in micro1
    for h in (place.h101, place.h102, place.h201):
        ResidentFactory(household=h)
    made = build_demo_demands(total=120)
    assert made["demands"] == Demand.objects.count() >= 120
    assert made["groups"] == DemandGroup.objects.count() < made["demands"]
    # Shared wishes: some groups of several demands; every group inside its community.
    sizes = sorted((g.demands.count() for g in DemandGroup.objects.all()), reverse=True)
    assert sizes[0] >= 5
    for g in DemandGroup.objects.all():
        assert {d.area_path[: len(g.area_path)] for d in g.demands.all()} == {g.area_path}
    assert Demand.objects.filter(created_at__gt=timezone.now()).count() == 0
    assert Demand.objects.filter(status="closed").exclude(outcome="").exists()
    # Who took part: one row per demand; three households' residents (and the resident
    # account, if the cast holds it) counted once each however many demands they raised.
    assert Participation.objects.filter(way="demand").count() == made["participations"]
    year = (timezone.now() - dt.timedelta(days=400), timezone.now())
    assert participation.participants(territory["community"], *year) <= 4
    # The demo resident's own, on the phone page: one anonymous, one answered.
    own = Demand.objects.filter(submitter=resident)
    assert own.count() == 3 and own.filter(anonymous=True).count() == 1
    assert own.filter(status="closed").exclude(outcome="").count() == 1
    assert all(d.group_id for d in own)
    assert build_demo_demands() is None  # once

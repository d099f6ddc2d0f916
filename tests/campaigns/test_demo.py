"""The demo's campaign: all three actions over the district, in bulk, once; the board's
figures count what it wrote."""

from __future__ import annotations

import pytest

from shezhi.campaigns import selectors
from shezhi.campaigns.models import BroadcastAnswer, Campaign, RoundVisit, TakeUp
from shezhi.core.models import Participation
from shezhi.demands.models import Demand
from shezhi.demo.campaigns import build_demo_campaigns
from shezhi.demo.visits import build_demo_visits
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_once(place, territory, shared_cast):
    shared_cast.assemble("district", "mg_worker")  # the admin runs it; the worker visits
    for h in (place.h101, place.h102, place.h201):
        ResidentFactory(household=h, relation="head")
    build_demo_visits()
    made = build_demo_campaigns()
    assert made is not None and made["broadcast reach"] == 3
    (c,) = Campaign.objects.all()
    assert c.stage == "present" and c.moves.count() == 5
    assert RoundVisit.objects.count() >= 1
    answers = BroadcastAnswer.objects.count()
    assert Demand.objects.filter(broadcast_answer__isnull=False).count() == answers
    assert Participation.objects.filter(way="broadcast_answer").count() == answers
    assert Demand.objects.filter(group__isnull=True).count() == 0
    assert TakeUp.objects.count() > 0
    figures = {f[0]: f[2] for s in selectors.board(c) for f in s.figures}
    assert figures["demands_collected"] >= answers + 2
    assert figures["results_published"] == 3
    assert build_demo_campaigns() is None

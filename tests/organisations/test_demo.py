"""The demo's organisations: every stage, members from residents and people, once."""

from __future__ import annotations

import pytest

from shezhi.core.models import Participation
from shezhi.demo import organisations as demo
from shezhi.organisations import selectors
from shezhi.organisations.models import Member, Organisation, StageMove
from tests.factories import PersonFactory, ServicePostFactory, VolunteerActivityFactory

from .conftest import resident_in

pytestmark = pytest.mark.django_db


def test_the_demo_builds_every_stage_once(territory, monkeypatch):
    monkeypatch.setattr(demo, "N_ORGANISATIONS", 40)
    monkeypatch.setattr(demo, "FORCES_TARGET", 60)
    for i in range(30):
        resident_in(territory["micro1"], territory["community"], f"居民{i}")
        resident_in(territory["community2"], territory["community2"], f"村民{i}")
    for _ in range(5):
        PersonFactory(area=territory["micro1"])
    ServicePostFactory(area=territory["micro1"])
    VolunteerActivityFactory(post__area=territory["micro1"])
    made = demo.build_demo_organisations()
    assert made["organisations"] == 40 and made["members"] > 0
    assert demo.build_demo_organisations() == {}  # idempotent
    stages = set(Organisation.objects.values_list("stage", flat=True))
    assert stages == {"sprout", "incubating", "growing", "mature"}
    # Each organisation's moves end at its stage, on its stage day.
    for org in Organisation.objects.all():
        last = StageMove.objects.filter(organisation=org).order_by("on", "pk").last()
        assert last.to_stage == org.stage and org.founded_on <= org.stage_since
        assert Member.objects.filter(organisation=org, role="leader").count() <= 1
    assert Participation.objects.filter(way="organisation").count() == made["members"]
    forces = selectors.forces(territory["district"])
    assert forces["total"] == 5 + forces["self_governance"]
    assert 0 < forces["self_governance"] <= 60

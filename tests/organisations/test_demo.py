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


def test_members_joined_in_the_year_make_up_the_participation_target(territory, monkeypatch):
    """The demo's rule (``demo.participation``): the year's residents taking part are the
    article's figure in proportion to the household base; the organisations step, last,
    puts as many members' join days in the year as the target still needs."""
    import datetime as dt

    from django.utils import timezone

    from shezhi.core.participation import record_many
    from shezhi.demo import participation as rule

    monkeypatch.setattr(demo, "N_ORGANISATIONS", 12)
    monkeypatch.setattr(demo, "FORCES_TARGET", 200)
    residents = [
        resident_in(territory["micro1"], territory["community"], f"居民{i}") for i in range(80)
    ]
    # The whole "district" is these 80 households; the article's figure 60 of them.
    monkeypatch.setattr(rule, "FULL_HOUSEHOLDS", 80)
    monkeypatch.setattr(rule, "ARTICLE", 60)
    assert rule.target() == 60
    # Ten already took part this year another way (they count once).
    record_many(
        {"way": "demand", "area": territory["micro1"], "participant": f"r:{r.pk}",
         "at": timezone.now() - dt.timedelta(days=30)}
        for r in residents[:10]
    )  # fmt: skip
    demo.build_demo_organisations()
    total = len(rule.taking_part(territory["district"]))
    # Members of organisations founded within the year joined within it whatever the target.
    start = timezone.localdate() - dt.timedelta(days=rule.DAYS - 1)
    young = {
        m.resident_id
        for m in Member.objects.filter(organisation__founded_on__gte=start, resident__isnull=False)
    }
    assert 60 <= total <= max(60, 10 + len(young))
    assert Member.objects.filter(joined_on__lt=start).exists()  # the others joined before

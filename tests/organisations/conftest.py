"""The organisations' test world: the territory, the one cast, residents of micro1 and
micro2 (凤凰社区) and one of 同心村, people of the workforce, and a maker of
organisations."""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.organisations import services
from tests.factories import CompoundFactory, HouseholdFactory, PersonFactory, ResidentFactory

DAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def resident_in(area, community, name="张三丰"):
    compound = CompoundFactory(community=community)
    household = HouseholdFactory(
        building__compound=compound, building__micro_grid=area, building__area_path=area.path
    )
    return ResidentFactory(household=household, name=name)


@pytest.fixture
def world(territory, shared_cast):
    t = territory
    return {
        "t": t,
        "staff": shared_cast.community,
        "street": shared_cast.street,
        "other_street": shared_cast.other_street,
        "resident": resident_in(t["micro1"], t["community"], "张三丰"),
        "resident2": resident_in(t["micro2"], t["community"], "李四光"),
        "far_resident": resident_in(t["community2"], t["community2"], "王五"),
        "person": PersonFactory(area=t["micro1"], name="赵六", force_type="full_time"),
    }


@pytest.fixture
def make_org(world):
    seq = iter(range(1, 1000))

    def make(area=None, actor=None, **kw):
        kw.setdefault("kind", "volunteer_team")
        kw.setdefault("name", f"志愿服务队{next(seq)}")
        kw.setdefault("founded_on", dt.date(2025, 1, 1))
        return services.register_organisation(
            actor=actor or world["staff"], area=area or world["t"]["community"], **kw
        )

    return make

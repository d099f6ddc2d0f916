"""The operations' test world: the household base's compound (three households, two in
micro1 and one in micro2, one with an elderly resident living alone), street 1 in
emergency mode, and the one cast of actors."""

from __future__ import annotations

import pytest

from shezhi.operations import services
from tests.factories import EmergencyPeriodFactory
from tests.households.conftest import _english_messages, add_resident, place  # noqa: F401


@pytest.fixture
def emergency(territory, shared_cast):
    return EmergencyPeriodFactory(area=territory["street1"], started_by=shared_cast.street)


@pytest.fixture
def world(place, emergency, shared_cast):  # noqa: F811
    add_resident(shared_cast.community, place.h102, "王奶奶", seq=1, tags=["lives_alone"])
    return place


@pytest.fixture
def op(world, territory, shared_cast):
    return services.start_operation(
        actor=shared_cast.street,
        area=territory["community"],
        kind="flood",
        title="防汛扫楼",
        instructions="逐户敲门，独居老人优先。",
    )

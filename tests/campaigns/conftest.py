"""The campaigns' test world: the households' place (凤凰家园 in 凤凰社区: h101, h102 in
micro1, h201 in micro2), a resident bound to h101, a campaign over 东风街道 run by its
street staff, and the one cast of actors."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.households.conftest import IN_MICRO1, IN_MICRO2, place  # noqa: F401

__all__ = ["IN_MICRO1", "IN_MICRO2"]


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def bound(place, shared_cast):  # noqa: F811
    """``resident`` bound to h101 (and ``resident2`` to h201)."""
    from tests.factories import ResidentFactory

    ResidentFactory(household=place.h101, user=shared_cast.resident)
    ResidentFactory(household=place.h201, user=shared_cast.resident2, tags=",lives_alone,")
    return place


@pytest.fixture
def campaign(territory, shared_cast):
    from shezhi.campaigns import services

    return services.create_campaign(
        actor=shared_cast.street,
        name="社治专列·东风",
        area=territory["street1"],
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 12, 31),
    )

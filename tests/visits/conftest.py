"""The visits' test world: households' place (凤凰家园: h101, h102 in micro1, h201 in
micro2), residents in h101, and the one cast of actors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.visits import services
from tests.factories import ResidentFactory
from tests.households.conftest import place  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def residents(place):  # noqa: F811
    head = ResidentFactory(household=place.h101, name="张三", relation="head", tags=",very_old,")
    spouse = ResidentFactory(household=place.h101, name="李四", relation="spouse")
    return head, spouse


def visit(actor, household, *, days_ago: float = 0, **kw):
    """A visit by ``actor`` ``days_ago`` days ago (the service's own path)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    kw.setdefault("outcome", "nobody_home")
    return services.record_visit(actor=actor, household=household, at=at, **kw).visit

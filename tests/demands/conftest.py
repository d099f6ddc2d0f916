"""The demands' test world: the households' place (凤凰家园 in 凤凰社区: h101, h102 in
micro1, h201 in micro2) and the one cast of actors."""

from __future__ import annotations

import pytest

from tests.households.conftest import IN_MICRO1, IN_MICRO2, place  # noqa: F401

__all__ = ["IN_MICRO1", "IN_MICRO2"]


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_demand_indexes():
    """Each test starts with no cached community index (the database rolls back)."""
    from shezhi.demands.services import forget_indexes

    forget_indexes()
    yield
    forget_indexes()

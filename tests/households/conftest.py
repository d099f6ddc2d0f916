"""The household base's test world: one compound of 凤凰社区 with a building in each of
its two micro-grids, a few households, and the one cast of actors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shezhi.households import services
from shezhi.households.models import Building, Compound, Household
from tests.people.conftest import valid_id_number

__all__ = ["valid_id_number"]

# Points inside micro1 (104.00–104.05) and micro2 (104.05–104.10), lat 30.60–30.70,
# away from the school (104.045–104.055, 30.65–30.66).
IN_MICRO1 = (104.02, 30.62)
IN_MICRO2 = (104.07, 30.62)


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the messages' words; the product default is zh-hans.
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class Place:
    compound: Compound
    b1: Building  # in micro1
    b2: Building  # in micro2
    h101: Household  # b1, unit 1, room 101
    h102: Household
    h201: Household  # b2


@pytest.fixture
def place(territory, shared_cast) -> Place:
    staff = shared_cast.community
    compound = services.create_compound(
        actor=staff,
        community=territory["community"],
        name="凤凰家园",
        property_company="青江物业",
        property_phone="028-83331234",
    )
    b1 = services.create_building(
        actor=staff,
        compound=compound,
        number="1",
        lng=IN_MICRO1[0],
        lat=IN_MICRO1[1],
        floors=6,
        units=2,
    )
    b2 = services.create_building(
        actor=staff,
        compound=compound,
        number="2",
        lng=IN_MICRO2[0],
        lat=IN_MICRO2[1],
        floors=18,
        units=1,
    )
    return Place(
        compound=compound,
        b1=b1,
        b2=b2,
        h101=services.create_household(
            actor=staff, building=b1, unit="1", room="101", kind="owner_occupied"
        ),
        h102=services.create_household(
            actor=staff, building=b1, unit="1", room="102", kind="rented"
        ),
        h201=services.create_household(actor=staff, building=b2, unit="1", room="201"),
    )


def add_resident(actor, household, name, seq=1, **fields):
    """A resident with a valid ID number (born 1950-03-12, seq ``seq``) and a phone."""
    fields.setdefault("id_number", valid_id_number(birth="19500312", seq=f"{seq:03d}"))
    fields.setdefault("phone", f"1380000{seq:04d}")
    return services.create_resident(actor=actor, household=household, name=name, **fields)

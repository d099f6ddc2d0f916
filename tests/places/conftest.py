"""Actors, points and a post factory for the service-post tests.

The territory (tests/factories.build_territory): micro-grids ``micro1`` (lng
104.00–104.05, lat 30.60–30.70) and ``micro2`` (104.05–104.10) in general grid
``grid`` of community ``community`` (street1); ``community2`` beside it;
street2 the east half; district 510114 elsewhere.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shezhi.places import services
from tests.factories import Cast

IN_MICRO1 = (104.02, 30.62)
IN_MICRO2 = (104.07, 30.65)
IN_COMMUNITY2 = (104.15, 30.7)
IN_STREET2 = (104.3, 30.7)
IN_OTHER_DISTRICT = (104.7, 30.7)
OUTSIDE_EVERYTHING = (110.0, 30.0)

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = {d: [["08:30", "12:00"], ["14:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
EVENINGS = {d: [["18:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local(*args) -> dt.datetime:
    """An aware local time (Asia/Shanghai); 2026-11-23 is a Monday."""
    return dt.datetime(*args, tzinfo=TZ)


MONDAY_10 = local(2026, 11, 23, 10, 0)
MONDAY_13 = local(2026, 11, 23, 13, 0)
MONDAY_19 = local(2026, 11, 23, 19, 0)
SATURDAY_10 = local(2026, 11, 28, 10, 0)


@pytest.fixture
def actors(shared_cast) -> Cast:
    """The shared cast's ``root``, ``district``, ``street``, ``community``, ``community2``,
    ``other_street``, ``other_district``, ``grid_worker``, ``resident`` and ``nobody``."""
    return shared_cast.assemble(
        "root", "district", "street", "community", "community2", "other_street",
        "other_district", "grid_worker", "resident", "nobody",
    )  # fmt: skip


@pytest.fixture
def make_post(actors):
    counter = iter(range(1, 10_000))

    def _make(point=IN_MICRO1, *, actor=None, **fields):
        fields.setdefault("name", f"测试微阵地{next(counter)}")
        fields.setdefault("type", "living_room")
        fields.setdefault("opening_hours", OFFICE)
        return services.create_post(
            actor=actor or actors.root, lng=point[0], lat=point[1], **fields
        )

    return _make

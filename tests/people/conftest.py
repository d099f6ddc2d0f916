from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_user


def valid_id_number(birth: str = "19850312", seq: str = "123", region: str = "510113") -> str:
    body = f"{region}{birth}{seq}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@pytest.fixture
def staff(territory):
    return {
        "community": make_user(
            "community_staff", role="community_staff", area=territory["community"]
        ),
        "other_community": make_user(
            "other_community", role="community_staff", area=territory["community2"]
        ),
        "worker": make_user("mg_worker", role="micro_grid_worker", area=territory["micro1"]),
    }


@pytest.fixture
def person(territory, staff):
    from shezhi.people import services

    return services.create_person(
        actor=staff["community"],
        area=territory["micro1"],
        name="张伟",
        category="micro_grid_worker",
        force_type="part_time",
        phone="13812345678",
        id_number=valid_id_number(),
        party_member=True,
        lives_in=territory["micro1"],
    )


TODAY = dt.date(2026, 11, 25)

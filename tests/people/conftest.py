from __future__ import annotations

import datetime as dt

import pytest


def valid_id_number(birth: str = "19850312", seq: str = "123", region: str = "510113") -> str:
    body = f"{region}{birth}{seq}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@pytest.fixture
def staff(shared_cast):
    c = shared_cast.rename(community2="other_community")
    c.assemble("community", "community2", "mg_worker")
    return {"community": c.community, "other_community": c.community2, "worker": c.mg_worker}


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

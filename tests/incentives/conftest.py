"""People and rewards for the points ledger's tests (territory: tests/factories)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shezhi.incentives.models import Reward
from tests.events.conftest import actors  # noqa: F401  (a fixture for test_event_points)
from tests.factories import make_user


@dataclass
class Cast:
    worker: object  # micro-grid worker of micro1
    worker2: object  # micro-grid worker of micro2
    resident: object  # resident of micro1
    community: object  # community staff of community 001001
    street: object  # street staff of street 001
    district: object  # district admin of 510113
    other_district: object  # district admin of 510114
    outsider_resident: object  # resident in the other district
    nobody: object


@pytest.fixture
def cast(territory) -> Cast:
    return Cast(
        worker=make_user("pts_worker", role="micro_grid_worker", area=territory["micro1"]),
        worker2=make_user("pts_worker2", role="micro_grid_worker", area=territory["micro2"]),
        resident=make_user("pts_resident", role="resident", area=territory["micro1"]),
        community=make_user("pts_community", role="community_staff", area=territory["community"]),
        street=make_user("pts_street", role="street_staff", area=territory["street1"]),
        district=make_user("pts_district", role="district_admin", area=territory["district"]),
        other_district=make_user(
            "pts_other", role="district_admin", area=territory["other_district"]
        ),
        outsider_resident=make_user(
            "pts_outsider", role="resident", area=territory["other_district"]
        ),
        nobody=make_user("pts_nobody"),
    )


def make_reward(area, name="洗衣液", cost=20, stock=5, kind="goods") -> Reward:
    return Reward.objects.create(
        area=area, area_path=area.path, name=name, cost=cost, stock=stock, kind=kind
    )


def award(user, area, points_cause: str, kind="volunteer_hour", quantity=1.0, **extra):
    from shezhi.incentives import services

    return services.award_piece(
        kind=kind,
        user=user,
        area=area,
        cause_type="activity",
        cause_id=points_cause,
        cause_ref=f"活动 {points_cause}",
        quantity=quantity,
        **extra,
    )

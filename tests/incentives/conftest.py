"""People and rewards for the points ledger's tests (territory: tests/factories)."""

from __future__ import annotations

import pytest

from shezhi.incentives.models import Reward
from tests.events.conftest import actors  # noqa: F401  (a fixture for test_event_points)
from tests.factories import Cast

# What the points tests call the shared cast's actors (their assertions name them).
NAMES = {
    "mg_worker": "pts_worker",
    "mg_worker2": "pts_worker2",
    "resident": "pts_resident",
    "community": "pts_community",
    "street": "pts_street",
    "district": "pts_district",
    "other_district": "pts_other",
    "outsider_resident": "pts_outsider",
    "nobody": "pts_nobody",
}


@pytest.fixture
def cast(shared_cast) -> Cast:
    """The shared cast: ``worker`` (micro1's micro-grid worker), ``worker2`` (micro2's),
    ``resident`` (micro1), ``community``, ``street``, ``district``, ``other_district``
    (510114's admin), ``outsider_resident`` (in 510114), ``nobody``; made in that order
    (a leaderboard's tie is ranked by user id)."""
    return shared_cast.rename(**NAMES).assemble(*NAMES)


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

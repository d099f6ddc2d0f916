"""The demo points shop: district and community rewards, and the demo resident's redemption."""

from __future__ import annotations

import pytest

from shezhi.demo import incentives as demo
from shezhi.incentives import selectors
from shezhi.incentives.models import Redemption, Reward
from tests.factories import make_user

from .conftest import award

pytestmark = pytest.mark.django_db


def test_rewards_for_the_district_and_every_community_once(territory):
    resident = make_user("resident", role="resident", area=territory["micro1"])
    award(resident, territory["micro1"], "demo", quantity=5)  # 50 points
    made = demo.build_demo_rewards("510113")
    # 4 district-wide rewards, 5 in each of the territory's two communities.
    assert made == len(demo.DISTRICT) + 2 * len(demo.COMMUNITY) == 14
    assert Reward.objects.filter(area=territory["district"]).count() == 4
    assert Reward.objects.filter(area=territory["community2"]).count() == 5
    assert not Reward.objects.filter(area=territory["other_district"]).exists()
    redemption = Redemption.objects.get()
    assert (redemption.user, redemption.reward.name, redemption.status) == (
        resident,
        "理发服务一次",
        "redeemed",
    )
    assert redemption.reward.area == territory["community"]
    assert selectors.balances(resident).total == 10
    assert demo.build_demo_rewards("510113") == 0  # a second run changes nothing
    assert Reward.objects.count() == 14 and Redemption.objects.count() == 1


def test_nothing_without_the_district(db):
    assert demo.build_demo_rewards("510113") == 0
    assert not Reward.objects.exists()

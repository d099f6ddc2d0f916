"""The demo district's points shop (积分超市): rewards its residents and workers redeem.

Points themselves are not made here: the demo's event history earns them through
the workflow (``incentives.event_points``), and its volunteer activities
through check-out. Deterministic; does nothing once the district has rewards.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.incentives import selectors, services
from shezhi.incentives.models import Reward

# (name, kind, cost, stock or None) offered by the district to everyone in it.
DISTRICT = [
    ("“优秀网格员”荣誉证书", Reward.Kind.HONOUR, 500, None),
    ("“最美志愿者”称号", Reward.Kind.HONOUR, 400, None),
    ("社区医院免费体检一次", Reward.Kind.SERVICE, 300, 200),
    ("青白江区图书馆年卡", Reward.Kind.SERVICE, 150, 300),
]
# Offered by every community to its own people (stock per community).
COMMUNITY = [
    ("洗衣液 2kg", Reward.Kind.GOODS, 60, 20),
    ("东北大米 5kg", Reward.Kind.GOODS, 100, 15),
    ("菜籽油 1.8L", Reward.Kind.GOODS, 120, 10),
    ("家电义务维修一次", Reward.Kind.SERVICE, 80, None),
    ("理发服务一次", Reward.Kind.SERVICE, 40, 30),
]


def build_demo_rewards(district_code: str = "510113") -> int:
    district = Area.objects.filter(code=district_code).defer("boundary").first()
    if district is None or Reward.objects.filter(area_path__startswith=district.path).exists():
        return 0
    communities = Area.objects.filter(path__startswith=district.path, level=c.COMMUNITY).defer(
        "boundary"
    )
    rows = [
        Reward(area=district, area_path=district.path, name=n, kind=k, cost=cost, stock=stock)
        for n, k, cost, stock in DISTRICT
    ]
    for community in communities.order_by("path"):
        rows += [
            Reward(area=community, area_path=community.path, name=n, kind=k, cost=cost, stock=s)
            for n, k, cost, s in COMMUNITY
        ]
    with transaction.atomic():
        Reward.objects.bulk_create(rows, batch_size=500)
        _demo_redemption()
    return len(rows)


def _demo_redemption() -> None:
    """The demo resident has already redeemed a haircut, waiting to be handed over."""
    resident = get_user_model().objects.filter(username="resident").first()
    if resident is None:
        return
    haircut = selectors.rewards_for(resident).filter(name="理发服务一次").first()
    if haircut is not None and selectors.balances(resident).total >= haircut.cost:
        services.redeem(user=resident, reward=haircut)

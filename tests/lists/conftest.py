"""The lists' test world: two residents of 第1微网格 who asked for the same thing (one
group of 凤凰社区, one of them anonymous), a third resident of 同心村 (another community),
the community's staff, and resources around them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from shezhi.demands import services as demands
from shezhi.lists import services

WISH = "希望社区开办老年助餐点，方便独居老人吃饭"


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class World:
    t: dict
    staff: object
    street_staff: object
    resident: object
    resident2: object
    far_resident: object
    group: object
    far_group: object


def ask(user, area, text=WISH, *, kind="elderly_care", anonymous=False):
    return demands.submit_demand(
        actor=user, kind=kind, text=text, area=area, anonymous=anonymous, address="1栋"
    ).demand


@pytest.fixture
def world(territory, shared_cast) -> World:
    from tests.factories import make_user

    resident, resident2 = shared_cast.resident, shared_cast.resident2
    far = make_user("far_resident", role="resident", area=territory["community2"])
    d1 = ask(resident, territory["micro1"])
    d2 = ask(resident2, territory["micro1"], anonymous=True)
    assert d1.group_id == d2.group_id
    d3 = ask(far, territory["community2"], "同心村希望开办老年食堂")
    return World(
        t=territory,
        staff=shared_cast.community,
        street_staff=shared_cast.street,
        resident=resident,
        resident2=resident2,
        far_resident=far,
        group=d1.group,
        far_group=d3.group,
    )


def make_list(w: World, *, area=None, edition="2026年第1期", publish=True):
    n = services.create_list(
        actor=w.staff if area is None else w.street_staff,
        area=area or w.t["community"],
        edition=edition,
        title="凤凰社区需求清单",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    if publish:
        services.publish_list(actor=w.staff if area is None else w.street_staff, needs_list=n)
    return n


def make_item(w: World, needs_list=None, **kw):
    needs_list = needs_list or make_list(w)
    return services.add_item(
        actor=w.staff, needs_list=needs_list, groups=[w.group.pk], priority=1, **kw
    )


def make_resource(w: World, *, area=None, kind="elderly_care", capacity=30, **kw):
    return services.register_resource(
        actor=kw.pop("actor", w.street_staff),
        area=area or w.t["community"],
        provider_kind=kw.pop("provider_kind", "volunteer_team"),
        provider_name=kw.pop("provider_name", "凤凰志愿服务队"),
        offer_kind=kind,
        title=kw.pop("title", "助老送餐"),
        capacity=capacity,
        capacity_unit="人次",
        **kw,
    )


def match(w: World, item, resource, **kw):
    return services.match_resource(
        actor=w.staff,
        item=item,
        resource=resource,
        **{
            "plan": "每周二、四中午送餐上门",
            "starts_on": dt.date(2026, 3, 1),
            "ends_on": dt.date(2026, 5, 31),
            **kw,
        },
    )

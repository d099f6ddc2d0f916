"""The rewards page and /points/manage/ in pages with filters, and a 兑换 button that says
why it cannot be pressed (issue 12, item 31)."""

from __future__ import annotations

import re

import pytest

from shezhi.incentives import services
from tests.factories import PASSWORD, make_user

from .conftest import award, make_reward

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def rewards_shown(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="reward" data-reward="(\d+)"', page)]


def managed_shown(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="managed-reward" data-reward="(\d+)"', page)]


def waiting_shown(page: str) -> list[int]:
    found = re.findall(r'data-testid="waiting-redemption" data-redemption="(\d+)"', page)
    return [int(pk) for pk in found]


@pytest.fixture
def catalogue(territory):
    """30 rewards of the community: 28 goods costing 1..28, an honour and a dear service."""
    goods = [
        make_reward(territory["community"], name=f"商品{i:02d}", cost=i, stock=None)
        for i in range(1, 29)
    ]
    honour = make_reward(territory["community"], name="荣誉证书", cost=5, kind="honour")
    dear = make_reward(territory["community"], name="家政服务", cost=160, kind="service")
    return goods, honour, dear


def test_the_rewards_page_comes_in_pages(client, cast, catalogue):
    c = as_(client, cast.resident)
    first = c.get("/points/rewards/").content.decode()
    assert len(rewards_shown(first)) == 24
    assert 'data-testid="catalogue-pager"' in first and 'data-count="30"' in first
    second = c.get("/points/rewards/", {"page": 2}).content.decode()
    assert len(rewards_shown(second)) == 6
    assert not set(rewards_shown(first)) & set(rewards_shown(second))
    # A page number out of range shows the last page, not an error.
    assert c.get("/points/rewards/", {"page": 99}).status_code == 200


def test_the_superusers_catalogue_is_paged_too(client, territory, catalogue):
    root = make_user("pts_root", is_superuser=True, is_staff=True)
    page = as_(client, root).get("/points/rewards/").content.decode()
    assert len(rewards_shown(page)) == 24
    assert len(page) < 120_000


def test_the_rewards_page_filters_by_name_kind_and_what_i_can_afford(
    client, cast, territory, catalogue
):
    goods, honour, _dear = catalogue
    award(cast.resident, territory["micro1"], "1")  # 10 points
    c = as_(client, cast.resident)
    by_name = c.get("/points/rewards/", {"q": "商品0"}).content.decode()
    assert sorted(rewards_shown(by_name)) == sorted(g.pk for g in goods[:9])
    assert rewards_shown(c.get("/points/rewards/", {"kind": "honour"}).content.decode()) == [
        honour.pk
    ]
    affordable = c.get("/points/rewards/", {"affordable": "on"}).content.decode()
    assert sorted(rewards_shown(affordable)) == sorted([*(g.pk for g in goods[:10]), honour.pk])
    nothing = c.get("/points/rewards/", {"q": "没有这个"}).content.decode()
    assert rewards_shown(nothing) == [] and 'data-testid="no-rewards-match"' in nothing
    # A bad kind is ignored (and said), not a server error.
    assert c.get("/points/rewards/", {"kind": "cash"}).status_code == 200


def test_redeem_is_disabled_with_the_reason_when_points_are_short(
    client, cast, territory, catalogue
):
    _goods, _honour, dear = catalogue
    award(cast.resident, territory["micro1"], "1")  # 10 points; the service costs 160
    page = as_(client, cast.resident).get("/points/rewards/", {"kind": "service"}).content.decode()
    card = page[page.index(f'data-reward="{dear.pk}"') :]
    card = card[: card.index("</li>")]
    button = re.search(r'<button[^>]*data-testid="do-redeem"[^>]*>', card)[0]
    assert " disabled" in button and f'aria-describedby="why-not-{dear.pk}"' in button
    assert f'id="why-not-{dear.pk}"' in card and "还差 150 积分" in card
    # Affordable rewards keep an active button.
    cheap = as_(client, cast.resident).get("/points/rewards/", {"q": "商品01"}).content.decode()
    assert " disabled" not in re.search(r'<button[^>]*data-testid="do-redeem"[^>]*>', cheap)[0]


@pytest.fixture
def desk(cast, territory, catalogue):
    """25 redemptions waiting to be handed over, and one reward no longer offered."""
    goods, _honour, _dear = catalogue
    people = [
        make_user(f"pts_r{i:02d}", role="resident", area=territory["micro1"]) for i in range(25)
    ]
    done = []
    for i, person in enumerate(people):
        award(person, territory["micro1"], f"desk{i}", quantity=3)
        done.append(services.redeem(user=person, reward=goods[i % 3]))
    off = make_reward(territory["community"], name="旧奖品", cost=3)
    off.active = False
    off.save()
    return done, off


def test_the_managers_desk_comes_in_pages_with_filters(client, cast, catalogue, desk):
    done, off = desk
    goods = catalogue[0]
    c = as_(client, cast.community)
    first = c.get("/points/manage/").content.decode()
    assert waiting_shown(first) == [r.pk for r in done[:20]]
    assert 'data-testid="waiting-count">25<' in first
    assert len(managed_shown(first)) == 20 and 'data-testid="rewards-pager"' in first
    second = c.get("/points/manage/", {"w-page": 2}).content.decode()
    assert waiting_shown(second) == [r.pk for r in done[20:]]
    # Paging one list keeps the other's page and filters in its links.
    assert "r-page=2" in c.get("/points/manage/", {"r-page": 2, "w-page": 1}).content.decode()
    by_reward = c.get("/points/manage/", {"w-q": goods[1].name}).content.decode()
    assert waiting_shown(by_reward) == [r.pk for r in done if r.reward_id == goods[1].pk]
    by_person = c.get("/points/manage/", {"w-q": "pts_r07"}).content.decode()
    assert waiting_shown(by_person) == [done[7].pk]
    not_offered = c.get("/points/manage/", {"r-offered": "no"}).content.decode()
    assert managed_shown(not_offered) == [off.pk]
    honours = c.get("/points/manage/", {"r-kind": "honour"}).content.decode()
    assert len(managed_shown(honours)) == 1

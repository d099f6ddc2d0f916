"""Needs-list items in the Chinese full-text search (``lists.search`` over ``core.search``):
found by whole words once their list is published, never before, never inside a word."""

from __future__ import annotations

import pytest

from .conftest import make_item, make_list

pytestmark = pytest.mark.django_db


def _ids(client, code, q):
    r = client.get(f"/api/v1/lists/public/{code}", {"q": q})
    assert r.status_code == 200, r.content
    return [i["id"] for i in r.json()["items"]]


def test_a_published_item_is_found_by_its_words(client, world):
    code = world.t["community"].code
    meals = make_item(world, title="开办老年助餐点", description="独居老人中午吃饭难")
    draft = make_list(world, edition="草稿", publish=False)
    make_item(world, draft, title="助餐点二期")  # on an unpublished list: not found
    client.logout()
    assert _ids(client, code, "助餐") == [meals.pk]
    assert _ids(client, code, "独居老人 吃饭") == [meals.pk]  # every word, title or body
    assert _ids(client, code, "停车") == []
    # A single character is a word of its own, never a part of one (老 in 老年, 老人).
    assert _ids(client, code, "老") == []
    # Searching adds nothing the list would not show: without q, both published items.
    assert len(_ids(client, code, "")) == 1


def test_publishing_a_list_makes_its_items_findable(client, world):
    draft = make_list(world, edition="草稿", publish=False)
    make_item(world, draft, title="增设电动车充电桩")
    code = world.t["community"].code
    assert _ids(client, code, "充电桩") == []
    from shezhi.lists import services

    services.publish_list(actor=world.staff, needs_list=draft)
    assert len(_ids(client, code, "充电桩")) == 1


def test_the_search_is_the_community_s_own(client, world):
    make_item(world, title="开办老年助餐点")
    assert _ids(client, world.t["community2"].code, "助餐") == []


def test_a_query_too_long_is_a_400_naming_q(client, world):
    r = client.get(f"/api/v1/lists/public/{world.t['community'].code}", {"q": "助" * 101})
    assert r.status_code == 400 and r.json()["field"] == "q"


def test_the_public_page_searches(client, world):
    make_item(world, title="开办老年助餐点")
    code = world.t["community"].code
    page = client.get(f"/lists/public/{code}/", {"q": "助餐"}).content.decode()
    assert "开办老年助餐点" in page and 'name="q"' in page
    page = client.get(f"/lists/public/{code}/", {"q": "停车"}).content.decode()
    assert "开办老年助餐点" not in page and "停车" in page  # "nothing mentions 停车"


def test_a_delivered_item_can_be_written_up_as_a_case(client, world):
    """Lists registers its items as a case source (cases.hooks): the case starts with the
    residents behind the item, what was delivered and how residents rated it."""
    from shezhi.cases.hooks import figures_of, source_for
    from shezhi.lists import services

    from .conftest import make_resource, match

    item = make_item(world)
    match(world, item, make_resource(world), capacity_used=12)
    services.move_item(actor=world.staff, item=item, to="in_delivery")
    services.move_item(actor=world.staff, item=item, to="delivered", outcome="助餐点已开张")
    services.rate_item(actor=world.resident, item=item, score=4)
    assert source_for("lists.needitem") is not None
    figures = {f["label"]: (f["value"], f["unit"]) for f in figures_of(item)}
    assert figures["Residents behind the item"] == (2, "households")
    assert figures["Capacity delivered"] == (12, "人次")
    assert figures["Residents' rating"] == (4.0, "of 5") and figures["Ratings"] == (1, "")
    client.force_login(world.staff)
    page = client.get(f"/lists/items/{item.pk}/").content.decode()
    assert f"?source=lists.needitem:{item.pk}" in page
    page = client.get(f"/cases/new/?source=lists.needitem:{item.pk}")
    assert page.status_code == 200 and "助餐" in page.content.decode()
    # Another community's staff cannot start a case from it.
    client.force_login(world.far_resident)
    assert client.get(f"/cases/new/?source=lists.needitem:{item.pk}").status_code in (403, 404)


def test_a_campaign_board_counts_the_lists_published_in_its_area_and_period(world):
    """Lists registers 发布清单's figures on campaigns' board (campaigns.hooks)."""
    import datetime as dt

    from shezhi.campaigns import selectors as campaign_selectors
    from shezhi.campaigns import services as campaigns
    from shezhi.lists.campaign_figures import items_published, lists_published

    make_item(world)  # a published list of 凤凰社区, published now, with one item
    make_list(world, edition="未发布", publish=False)
    today = dt.date.today()
    around = campaigns.create_campaign(
        actor=world.street_staff, name="社治专列", area=world.t["street1"],
        starts_on=today - dt.timedelta(days=3), ends_on=today,
    )  # fmt: skip
    before = campaigns.create_campaign(
        actor=world.street_staff, name="去年", area=world.t["street1"],
        starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=300),
    )  # fmt: skip
    assert (lists_published(around), items_published(around)) == (1, 1)
    assert (lists_published(before), items_published(before)) == (0, 0)
    board = {k: n for s in campaign_selectors.board(around) for k, _l, n in s.figures}
    assert board["lists_published"] == 1

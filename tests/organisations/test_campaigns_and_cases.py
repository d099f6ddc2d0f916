"""Organisations on a campaign's board (培育主体) and as the source of a case (分享案例)."""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.campaigns import selectors as campaign_selectors
from shezhi.campaigns import services as campaigns
from shezhi.cases.hooks import figures_of
from shezhi.organisations import services
from shezhi.organisations.campaign_figures import (
    members_joined,
    organisations_founded,
    organisations_moved_on,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def campaign(world):
    return campaigns.create_campaign(
        actor=world["street"], name="社治专列", area=world["t"]["street1"],
        starts_on=D(2026, 3, 1), ends_on=D(2026, 6, 30),
    )  # fmt: skip


def test_the_board_counts_organisations_founded_incubated_and_joined(world, make_org, campaign):
    inside = make_org(founded_on=D(2026, 3, 5))
    before = make_org(founded_on=D(2025, 5, 1))
    services.move_stage(actor=world["staff"], organisation=inside, to_stage="incubating",
                        on=D(2026, 4, 1))  # fmt: skip
    services.move_stage(actor=world["staff"], organisation=before, to_stage="incubating",
                        on=D(2026, 3, 2))  # fmt: skip
    # Back a stage (with its reason) is no incubation.
    services.move_stage(actor=world["staff"], organisation=before, to_stage="sprout",
                        on=D(2026, 3, 9), reason="骨干外出务工")  # fmt: skip
    services.add_member(actor=world["staff"], organisation=inside, resident=world["resident"],
                        joined_on=D(2026, 5, 1))  # fmt: skip
    services.add_member(actor=world["staff"], organisation=before, resident=world["resident2"],
                        joined_on=D(2026, 7, 1))  # fmt: skip
    assert organisations_founded(campaign) == 1
    assert organisations_moved_on(campaign) == 2
    assert members_joined(campaign) == 1
    board = {k: n for s in campaign_selectors.board(campaign) for k, _l, n in s.figures}
    assert board["organisations_founded"] == 1 and board["organisations_moved_on"] == 2


def test_an_organisation_is_a_case_source(world, make_org):
    org = make_org()
    services.add_member(actor=world["staff"], organisation=org, resident=world["resident"])
    services.record_support(actor=world["staff"], organisation=org, kind="money",
                            amount_fen=123456, on=D(2026, 2, 1))  # fmt: skip
    figures = {f["label"]: (f["value"], f["unit"]) for f in figures_of(org)}
    assert figures["Members"] == (1, "") and figures["Money received"] == ("1234.56", "yuan")
    assert figures["Stage"] == ("Sprouting", "")


def test_an_organisation_offers_resources_and_takes_on_list_items(
    client, world, make_org, shared_cast
):
    from shezhi.demands import services as demands
    from shezhi.lists import services as lists
    from shezhi.lists.models import Resource

    org = make_org(name="银发志愿服务队")
    client.force_login(world["staff"])
    form = {
        "area": world["t"]["community"].code, "organisation": str(org.pk),
        "provider_kind": "enterprise", "provider_name": "", "offer_kind": "elderly_care",
        "title": "助老送餐", "capacity": "30", "capacity_unit": "人次",
    }  # fmt: skip
    assert client.post("/lists/resources/", form).status_code == 302
    res = Resource.objects.get()
    assert (res.provider, res.provider_kind, res.provider_name) == (
        org,
        "organisation",
        "银发志愿服务队",
    )
    # An organisation the staff cannot see: 404, nothing written.
    assert client.post("/lists/resources/", {**form, "organisation": "999999"}).status_code == 404
    assert Resource.objects.count() == 1

    d = demands.submit_demand(
        actor=shared_cast.resident, kind="elderly_care", text="希望开办老年助餐点",
        area=world["t"]["micro1"], address="1栋",
    ).demand  # fmt: skip
    n = lists.create_list(
        actor=world["staff"], area=world["t"]["community"], edition="1", title="需求清单",
        starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30),
    )  # fmt: skip
    item = lists.add_item(actor=world["staff"], needs_list=n, groups=[d.group_id])
    lists.publish_list(actor=world["staff"], needs_list=n)
    lists.match_resource(
        actor=world["staff"], item=item, resource=res, plan="送餐",
        starts_on=D(2026, 3, 1), ends_on=D(2026, 5, 31),
    )  # fmt: skip
    page = client.get(f"/organisations/{org.pk}/").content.decode()
    assert "助老送餐" in page and f"/lists/items/{item.pk}/" in page

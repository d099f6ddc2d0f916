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

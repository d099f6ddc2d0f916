"""A campaign's board counts what the lists and the case library produced in its area and
period (发布清单, 分享案例); its results cite published cases; it can be written up as one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shezhi.campaigns import selectors, services
from shezhi.cases import services as cases
from shezhi.cases.hooks import figures_of
from shezhi.core.errors import BadInput

pytestmark = pytest.mark.django_db

IN_PERIOD = dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC)


def _published_case(territory, shared_cast, area_key="community", title="院落自治"):
    writer, reviewer = shared_cast.community, shared_cast.street
    case = cases.create_case(actor=writer, area=territory[area_key], title=title, approach="坝坝会")
    cases.review_case(actor=reviewer, case=case)
    return cases.publish_case(actor=reviewer, case=case)


def _figures(campaign) -> dict:
    return {key: n for s in selectors.board(campaign) for key, _label, n in s.figures}


def test_the_board_counts_cases_published_in_its_area_and_period(campaign, territory, shared_cast):
    with time_machine.travel(IN_PERIOD, tick=False):
        _published_case(territory, shared_cast)
    # The period's last day counts whole (23:30 in Shanghai on 12-31).
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC), tick=False):
        _published_case(territory, shared_cast, title="最后一天")
    with time_machine.travel(dt.datetime(2027, 1, 1, 16, 30, tzinfo=dt.UTC), tick=False):
        _published_case(territory, shared_cast, title="专列之后")
    with time_machine.travel(dt.datetime(2026, 10, 1, tzinfo=dt.UTC), tick=False):
        _published_case(territory, shared_cast, title="专列之前")
    figures = _figures(campaign)
    assert figures["cases_published"] == 2
    assert figures["lists_published"] == 0 and figures["list_items_published"] == 0


def test_a_result_cites_published_cases_of_its_area_only(campaign, territory, shared_cast):
    mine = _published_case(territory, shared_cast)
    draft = cases.create_case(
        actor=shared_cast.community, area=territory["community"], title="草稿"
    )
    r = services.add_result(
        actor=shared_cast.street, campaign=campaign, title="院落自治成果", summary="坝坝会",
        cases=[mine.pk],
    )  # fmt: skip
    assert list(r.cases.values_list("pk", flat=True)) == [mine.pk]
    for bad in ([draft.pk], [mine.pk, 999999], ["x"]):
        with pytest.raises(BadInput) as e:
            services.add_result(
                actor=shared_cast.street, campaign=campaign, title="t", summary="s", cases=bad
            )
        assert e.value.field == "cases"
    assert campaign.results.count() == 1  # nothing half-written


def test_a_result_s_cases_through_the_api_and_on_the_board(
    client, campaign, territory, shared_cast
):
    mine = _published_case(territory, shared_cast)
    client.force_login(shared_cast.street)
    r = client.post(
        f"/api/v1/campaigns/{campaign.pk}/results",
        {"title": "成果", "summary": "新增食堂", "cases": [mine.pk]},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["cases"] == [mine.pk]
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"/cases/{mine.pk}/" in page and "?source=campaigns.campaign:" in page
    r = client.post(
        f"/api/v1/campaigns/{campaign.pk}/results",
        {"title": "成果", "summary": "s", "cases": [mine.pk + 1000]},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "cases"


def test_a_campaign_is_a_case_source_with_its_board_figures(campaign, shared_cast):
    services.add_result(
        actor=shared_cast.street, campaign=campaign, title="成果", summary="s", publish=True
    )
    figures = {f["label"]: f["value"] for f in figures_of(campaign)}
    assert figures["Results presented"] == 1 and figures["Cases published"] == 0

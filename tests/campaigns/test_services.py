"""Campaign services: stages move one at a time with dated moves; rounds link visits and
turn a street address's wish into a demand; a broadcast reaches bound residents and
each answer becomes one demand; take-up once per household; results; refusals write
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.campaigns import hooks, selectors, services
from shezhi.campaigns.models import BroadcastAnswer, Campaign, RoundStop, StageMove, TakeUp
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.participation import participants
from shezhi.demands.models import Demand
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_create_campaign_starts_collecting_with_a_dated_move(campaign, shared_cast):
    assert campaign.stage == "collect"
    (move,) = StageMove.objects.filter(campaign=campaign)
    assert move.stage == "collect" and move.by == shared_cast.street
    assert shared_cast.street in campaign.organisers.all()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"ends_on": dt.date(2026, 10, 1)}, "ends_on"),
        ({"starts_on": "2026-11-01"}, "starts_on"),
        ({"area": "micro1"}, "area"),
    ],
)
def test_bad_campaign_input_names_the_field(territory, shared_cast, change, field):
    kw = dict(  # noqa: C408
        actor=shared_cast.street, name="专列", area=territory["street1"],
        starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1),
    )  # fmt: skip
    kw.update(change)
    if kw["area"] == "micro1":
        kw["area"] = territory["micro1"]
    with pytest.raises(BadInput) as e:
        services.create_campaign(**kw)
    assert e.value.field == field
    assert not Campaign.objects.exists()


def test_only_the_areas_staff_create_campaigns(territory, shared_cast):
    for who in (shared_cast.other_street, shared_cast.mg_worker, shared_cast.resident):
        with pytest.raises(Forbidden):
            services.create_campaign(
                actor=who, name="专列", area=territory["street1"],
                starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1),
            )  # fmt: skip
    assert not Campaign.objects.exists()


def test_stages_move_one_at_a_time_and_back_with_a_reason(campaign, shared_cast):
    actor = shared_cast.street
    with pytest.raises(BadInput) as e:
        services.move_stage(actor=actor, campaign=campaign, stage="incubate")
    assert e.value.field == "stage"
    services.move_stage(actor=actor, campaign=campaign, stage="publish")
    with pytest.raises(BadInput) as e:
        services.move_stage(actor=actor, campaign=campaign, stage="collect")
    assert e.value.field == "note"
    services.move_stage(actor=actor, campaign=campaign, stage="collect", note="补充入户")
    assert [m.stage for m in campaign.moves.all()] == ["collect", "publish", "collect"]
    with pytest.raises(Forbidden):
        services.move_stage(actor=shared_cast.other_street, campaign=campaign, stage="publish")


def test_a_visit_on_a_round_links_and_its_needs_count(campaign, place, shared_cast, territory):
    from shezhi.visits import services as visits

    worker = shared_cast.mg_worker
    r = services.open_round(
        actor=shared_cast.street, campaign=campaign, title="小红帽·凤凰家园",
        area=territory["micro1"], day=timezone.localdate(), workers=[worker],
    )  # fmt: skip
    visit = visits.record_visit(
        actor=worker, household=place.h101, items=["medical"], other_person="老人"
    ).visit
    assert r.visits.get().visit == visit
    figures = {f[0]: f[2] for s in selectors.board(campaign) for f in s.figures}
    assert figures["demands_collected"] == 1
    assert figures["households_visited"] == 1
    # A visit outside the round's area, or by someone not on it, is not linked.
    visits.record_visit(actor=shared_cast.mg_worker2, household=place.h201, outcome="nobody_home")
    assert r.visits.count() == 1


def test_a_stop_at_a_street_address_makes_a_collected_demand(campaign, shared_cast, territory):
    r = services.open_round(
        actor=shared_cast.street, campaign=campaign, title="沿街", area=territory["micro1"],
        day=timezone.localdate(), workers=[shared_cast.mg_worker],
    )  # fmt: skip
    services.record_stop(
        actor=shared_cast.mg_worker, round=r, address="东风路12号临街商铺",
        wish="希望增设共享单车停放点", kind="convenience",
    )  # fmt: skip
    (d,) = Demand.objects.all()
    assert d.source == "campaign" and d.campaign == campaign
    assert d.collected_by == shared_cast.mg_worker and d.address == "东风路12号临街商铺"
    with pytest.raises(Forbidden):
        services.record_stop(actor=shared_cast.mg_worker2, round=r, address="x", wish="y")
    with pytest.raises(BadInput) as e:
        services.record_stop(actor=shared_cast.mg_worker, round=r, address="", wish="y")
    assert e.value.field == "address"
    assert RoundStop.objects.count() == 1 and Demand.objects.count() == 1


def _broadcast(campaign, shared_cast, territory, **kw):
    return services.send_broadcast(
        actor=shared_cast.street, campaign=campaign, area=territory["community"],
        title="小广播：家门口想要什么服务？", body="社区准备新增便民服务。",
        question="您最希望增加哪项服务？", kind="convenience", **kw,
    )  # fmt: skip


def test_a_broadcast_reaches_bound_residents_and_answers_become_demands(
    campaign, bound, shared_cast, territory
):
    b = _broadcast(campaign, shared_cast, territory)
    assert b.reach == 2
    assert Notification.objects.about(b).count() == 2
    services.answer_broadcast(actor=shared_cast.resident, broadcast=b, text="希望有社区食堂")
    (d,) = Demand.objects.all()
    assert d.source == "campaign" and d.submitter == shared_cast.resident
    assert d.household == bound.h101 and d.collected_by is None
    assert d.broadcast_answer.broadcast == b
    counts = selectors.broadcast_counts([b])[b.pk]
    assert (counts.reach, counts.read, counts.answers) == (2, 1, 1)
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)
    assert participants(territory["district"], start, end, ways=["broadcast_answer"]) == 1
    with pytest.raises(BadInput) as e:
        services.answer_broadcast(actor=shared_cast.resident, broadcast=b, text="再答一次")
    assert e.value.field == "text"
    with pytest.raises(Forbidden):
        services.answer_broadcast(actor=shared_cast.outsider_resident, broadcast=b, text="x")
    assert BroadcastAnswer.objects.count() == 1 and Demand.objects.count() == 1


def test_a_broadcast_to_a_tag_and_its_refusals(campaign, bound, shared_cast, territory):
    b = _broadcast(campaign, shared_cast, territory, tag="lives_alone")
    assert b.reach == 1
    assert list(Notification.objects.about(b).values_list("user", flat=True)) == [
        shared_cast.resident2.pk
    ]
    with pytest.raises(BadInput) as e:
        _broadcast(campaign, shared_cast, territory, tag="subsistence")
    assert e.value.field == "tag"
    with pytest.raises(BadInput) as e:
        _broadcast(campaign, shared_cast, territory["other_district"] and territory, tag="nope")
    assert e.value.field == "tag"


def test_an_empty_answer_writes_nothing(campaign, bound, shared_cast, territory):
    b = _broadcast(campaign, shared_cast, territory)
    with pytest.raises(BadInput) as e:
        services.answer_broadcast(actor=shared_cast.resident, broadcast=b, text="  ")
    assert e.value.field == "text"
    assert not BroadcastAnswer.objects.exists() and not Demand.objects.exists()


def test_take_up_once_per_household(campaign, place, shared_cast, territory):
    p = services.create_package(
        actor=shared_cast.street, campaign=campaign, name="安居包·适老",
        contents="扶手安装、燃气报警器", area=territory["community"],
    )  # fmt: skip
    w = shared_cast.mg_worker
    services.record_take_up(actor=w, package=p, household=place.h101, answer="taken")
    services.record_take_up(
        actor=w, package=p, household=place.h102, answer="refused", reason="已自行安装"
    )
    with pytest.raises(BadInput) as e:
        services.record_take_up(actor=w, package=p, household=place.h101, answer="refused")
    assert e.value.field == "household"
    with pytest.raises(BadInput) as e:
        services.record_take_up(actor=w, package=p, household=place.h201, answer="maybe")
    assert e.value.field == "answer"
    with pytest.raises(Forbidden):
        services.record_take_up(actor=w, package=p, household=place.h201, answer="taken")
    assert selectors.package_counts([p])[p.pk] == selectors.PackageCounts(1, 1)
    assert TakeUp.objects.count() == 2


def test_results_and_their_figures(campaign, shared_cast):
    r = services.add_result(
        actor=shared_cast.street, campaign=campaign, title="加装电梯12部",
        summary="居民议事会推动", figures=[{"label": "电梯", "value": 12}],
    )  # fmt: skip
    assert r.published_at is None
    services.publish_result(actor=shared_cast.street, result=r)
    figures = {f[0]: f[2] for s in selectors.board(campaign) for f in s.figures}
    assert figures["results_published"] == 1
    with pytest.raises(BadInput) as e:
        services.add_result(
            actor=shared_cast.street, campaign=campaign, title="x", summary="y",
            figures=[{"label": "钱", "value": 1.5}],
        )  # fmt: skip
    assert e.value.field == "figures"


def test_stage_figure_registry(campaign):
    hooks.register_stage_figure("share", "cases_written", "Cases", lambda c: 7)
    try:
        board = {s.stage: s for s in selectors.board(campaign)}
        assert ("cases_written", "Cases", 7) in board["share"].figures
        assert board["collect"].current and not board["share"].current
    finally:
        hooks.unregister_stage_figure("cases_written")
    with pytest.raises(ValueError):
        hooks.register_stage_figure("nowhere", "x", "X", lambda c: 0)

"""An item's life cycle and its refusals; curation; suggestions ranked and explained;
ratings once each and only by the residents behind the item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.lists import hooks, selectors, services
from shezhi.lists.models import TRANSITIONS, ListProject, NeedItemStep, Status
from shezhi.notifications.models import Notification

from .conftest import WISH, ask, make_item, make_list, make_resource, match

pytestmark = pytest.mark.django_db


def test_an_item_goes_from_published_to_evaluated_with_a_dated_step_each(world):
    published, changed, delivered = [], [], []
    hooks.on_item_published(published.append)
    hooks.on_item_changed(changed.append)
    hooks.on_project_delivered(delivered.append)
    try:
        n = make_list(world, publish=False)
        item = make_item(world, n)
        assert published == []  # a draft list announces nothing
        services.publish_list(actor=world.staff, needs_list=n)
        assert [p.item for p in published] == [item]
        assert item.status == "published" and item.residents == 2 and item.kind == "elderly_care"
        project = match(world, item, make_resource(world))
        assert item.status == "claimed" and project.owner == world.staff
        services.move_item(actor=world.staff, item=item, to="in_delivery")
        services.move_item(actor=world.staff, item=item, to="delivered", outcome="助餐点已开张")
        assert delivered[0].project.outcome == "助餐点已开张"
        services.rate_item(actor=world.resident, item=item, score=5, comment="很方便")
        item.refresh_from_db()
        assert item.status == "evaluated"
    finally:
        hooks._published.remove(published.append)
        hooks._changed.remove(changed.append)
        hooks._delivered.remove(delivered.append)
    steps = list(NeedItemStep.objects.filter(item=item).order_by("id"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("", "published"),
        ("published", "claimed"),
        ("claimed", "in_delivery"),
        ("in_delivery", "delivered"),
        ("delivered", "evaluated"),
    ]
    assert all(s.at is not None for s in steps)
    assert [c.to_status for c in changed] == ["claimed", "in_delivery", "delivered", "evaluated"]
    # The residents behind it were told of each move but the evaluation, the anonymous
    # one too (told, never named).
    for r in (world.resident, world.resident2):
        kinds = Notification.objects.filter(user=r, kind="needs_item_changed").count()
        assert kinds == 3
        assert Notification.objects.filter(user=r, kind="needs_item_published").count() == 1
    assert not Notification.objects.filter(user=world.far_resident).exists()


def test_the_transition_table_is_the_one_place_moves_are_decided():
    assert set(TRANSITIONS) == set(Status.values)
    for to in TRANSITIONS.values():
        assert set(to) <= set(Status.values)


def test_wrong_moves_are_refused_naming_the_field(world):
    item = make_item(world)
    with pytest.raises(NotAllowed) as e:
        services.move_item(actor=world.staff, item=item, to="delivered", outcome="x")
    assert e.value.field == "to" and e.value.status == 409
    with pytest.raises(NotAllowed) as e:
        services.move_item(actor=world.staff, item=item, to="claimed")
    assert e.value.field == "to"
    with pytest.raises(BadInput) as e:
        services.move_item(actor=world.staff, item=item, to="done")
    assert e.value.field == "to"
    match(world, item, make_resource(world))
    with pytest.raises(Conflict) as e:
        services.move_item(actor=world.staff, item=item, to="in_delivery", version=0)
    assert e.value.field == "version"
    services.move_item(actor=world.staff, item=item, to="in_delivery", version=1)
    with pytest.raises(BadInput) as e:
        services.move_item(actor=world.staff, item=item, to="delivered", outcome="  ")
    assert e.value.field == "outcome"
    item.refresh_from_db()
    assert item.status == "in_delivery" and item.steps.count() == 3


def test_a_draft_lists_items_do_not_move(world):
    item = make_item(world, make_list(world, publish=False))
    with pytest.raises(NotAllowed) as e:
        match(world, item, make_resource(world))
    assert e.value.field == "needs_list"
    assert not ListProject.objects.exists()


def test_only_the_areas_staff_move_its_items(world, shared_cast):
    item = make_item(world)
    for outsider in (shared_cast.community2, shared_cast.mg_worker, world.resident):
        with pytest.raises(Forbidden):
            services.move_item(actor=outsider, item=item, to="in_delivery")


def test_a_claimed_item_is_released_and_its_capacity_freed(world):
    item = make_item(world)
    r = make_resource(world, capacity=3)
    match(world, item, r, capacity_used=3)
    assert selectors.capacity_left(r) == 0
    services.move_item(actor=world.staff, item=item, to="published", note="服务队临时有事")
    assert item.status == "published" and not ListProject.objects.exists()
    assert selectors.capacity_left(r) == 3


def test_curation_refuses_what_is_not_the_lists_naming_groups(world, shared_cast):
    n = make_list(world)
    for groups in ([], [world.far_group.pk], [world.group.pk, world.far_group.pk], ["x"]):
        with pytest.raises(BadInput) as e:
            services.add_item(actor=world.staff, needs_list=n, groups=groups)
        assert e.value.field == "groups"
    make_item(world, n)
    with pytest.raises(BadInput) as e:
        make_item(world, n)
    assert e.value.field == "groups"
    with pytest.raises(BadInput) as e:
        services.add_item(actor=world.staff, needs_list=n, groups=[world.group.pk], priority=9)
    assert e.value.field in ("groups", "priority")
    with pytest.raises(Forbidden):
        services.add_item(actor=shared_cast.community2, needs_list=n, groups=[world.group.pk])


def test_a_streets_list_curates_any_of_its_communities_groups(world):
    n = make_list(world, area=world.t["street1"])
    item = services.add_item(actor=world.street_staff, needs_list=n, groups=[world.far_group.pk])
    assert item.area == world.t["community2"] and item.residents == 1


def test_list_creation_refuses_bad_input_naming_the_field(world, shared_cast):
    def make(**kw):
        args = {
            "actor": world.staff,
            "area": world.t["community"],
            "edition": "2026年第1期",
            "title": "清单",
            "starts_on": dt.date(2026, 1, 1),
            "ends_on": dt.date(2026, 6, 30),
        }
        return services.create_list(**{**args, **kw})

    for kw, field in (
        ({"area": world.t["micro1"]}, "area"),
        ({"edition": ""}, "edition"),
        ({"title": "x" * 201}, "title"),
        ({"starts_on": "not a day"}, "starts_on"),
        ({"ends_on": dt.date(2025, 1, 1)}, "ends_on"),
    ):
        with pytest.raises(BadInput) as e:
            make(**kw)
        assert e.value.field == field
    make()
    with pytest.raises(BadInput) as e:
        make()
    assert e.value.field == "edition"
    with pytest.raises(Forbidden):
        make(actor=shared_cast.community2, edition="2")


def test_suggestions_are_ranked_by_kind_locality_and_capacity_and_explained(world):
    item = make_item(world)
    local = make_resource(world, provider_name="凤凰志愿服务队")
    street = make_resource(world, area=world.t["street1"], provider_name="街道养老服务中心")
    small = make_resource(world, capacity=1, provider_name="爱心企业")
    other = make_resource(world, kind="other", provider_name="物业公司")
    # Never suggested: another kind, another community, no capacity left, inactive.
    make_resource(world, kind="parking", provider_name="停车场")
    make_resource(world, area=world.t["community2"], provider_name="同心村服务队")
    full = make_resource(world, capacity=1, provider_name="满员")
    other_item = make_item(world, make_list(world, edition="2"))
    match(world, other_item, full)
    gone = make_resource(world, provider_name="停办")
    services.set_resource_active(actor=world.street_staff, resource=gone, active=False)
    got = selectors.suggest(item)
    assert [s.resource for s in got] == [local, street, small, other]
    assert [s.score for s in got] == [130, 120, 120, 70]
    assert got[0].reasons[0] == "Offers Elderly care"
    assert "enough for the 2 residents" in got[0].reasons[-1]
    assert "fewer than the 2 residents" in got[2].reasons[-1]


def test_matching_refuses_a_resource_that_cannot_take_the_item(world):
    item = make_item(world)
    far = make_resource(world, area=world.t["community2"])
    with pytest.raises(BadInput) as e:
        match(world, item, far)
    assert e.value.field == "resource"
    with pytest.raises(BadInput) as e:
        match(world, item, make_resource(world, capacity=2), capacity_used=3)
    assert e.value.field == "capacity_used"
    with pytest.raises(BadInput) as e:
        match(world, item, make_resource(world), plan="")
    assert e.value.field == "plan"
    item.refresh_from_db()
    assert item.status == "published" and not ListProject.objects.exists()


def _delivered(world, item=None):
    item = item or make_item(world)
    match(world, item, make_resource(world))
    services.move_item(actor=world.staff, item=item, to="in_delivery")
    return services.move_item(actor=world.staff, item=item, to="delivered", outcome="已开张")


def test_only_the_residents_behind_rate_and_once_each(world, shared_cast):
    item = make_item(world)
    with pytest.raises(NotAllowed) as e:
        services.rate_item(actor=world.resident, item=item, score=5)
    assert e.value.field == "item"
    item = _delivered(world, item)
    for stranger in (world.far_resident, world.staff, shared_cast.mg_worker):
        with pytest.raises(Forbidden):
            services.rate_item(actor=stranger, item=item, score=5)
    with pytest.raises(BadInput) as e:
        services.rate_item(actor=world.resident, item=item, score=6)
    assert e.value.field == "score"
    services.rate_item(actor=world.resident, item=item, score=4)
    # The anonymous asker is behind it as well, and rates after the item is evaluated.
    services.rate_item(actor=world.resident2, item=item, score=5)
    with pytest.raises(BadInput) as e:
        services.rate_item(actor=world.resident, item=item, score=1)
    assert e.value.field == "score"
    assert selectors.rating_summary(item) == {"rating": 4.5, "ratings": 2}
    # Each rater took part in the project, once (issue 16 §6).
    from shezhi.core.participation import participants

    now = timezone.now()
    span = (now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    assert participants(world.t["community"], *span, ways=["project"]) == 2


def test_residents_behind_count_households_once(world, territory):
    # Another demand of the first resident in the same group adds nobody.
    ask(world.resident, territory["micro1"])
    assert selectors.residents_behind([world.group]) == 2
    assert selectors.behind_users(make_item(world)) == {world.resident.pk, world.resident2.pk}


def test_registering_a_resource_refuses_bad_input_naming_the_field(world, shared_cast):
    for kw, field in (
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"kind": "spaceships"}, "offer_kind"),
        ({"provider_kind": "king"}, "provider_kind"),
        ({"provider_name": ""}, "provider_name"),
    ):
        with pytest.raises(BadInput) as e:
            make_resource(world, **kw)
        assert e.value.field == field
    with pytest.raises(Forbidden):
        make_resource(world, actor=shared_cast.community2)


def test_a_resource_keeps_its_providers_own_row(world):
    from tests.factories import ServicePostFactory

    post = ServicePostFactory(area=world.t["micro1"])
    r = make_resource(world, provider_kind="service_post", provider=post)
    r.refresh_from_db()
    assert r.provider == post


def test_a_delivered_item_closes_its_demands_with_one_notice_to_each_resident(world, shared_cast):
    """Delivery closes every demand behind the item, and its groups, with the item's
    outcome; each resident behind it hears of it once (the list's notice, not the list's
    and the demands' both); a demand nobody can be told of (collected without an
    account, anonymously) notifies nobody; a demand already closed keeps its outcome."""
    from shezhi.demands import services as demand_services
    from shezhi.demands.models import Demand, DemandGroup

    unknown = demand_services.submit_demand(
        actor=shared_cast.community,
        kind="elderly_care",
        text=WISH,
        area=world.t["micro1"],
        source="staff",
        anonymous=True,
        address="2栋",
    ).demand
    assert unknown.group_id == world.group.pk and unknown.submitter_id is None
    earlier = Demand.objects.filter(group=world.group, submitter=world.resident).first()
    demand_services.close_demand(actor=world.staff, demand=earlier, outcome="已转办")
    others = set(Demand.objects.exclude(group=world.group).values_list("pk", "status"))
    item = make_item(world)
    match(world, item, make_resource(world))
    services.move_item(actor=world.staff, item=item, to="in_delivery")
    Notification.objects.all().delete()

    item = services.move_item(actor=world.staff, item=item, to="delivered", outcome="已开张")

    demands = Demand.objects.filter(group=world.group)
    assert demands.count() == 3 and {d.status for d in demands} == {"closed"}
    outcomes = {d.pk: d.outcome for d in demands}
    assert outcomes.pop(earlier.pk) == "已转办"
    assert set(outcomes.values()) == {"已开张"}
    assert DemandGroup.objects.get(pk=world.group.pk).status == "closed"
    # The far community's demand is not the item's.
    assert set(Demand.objects.exclude(group=world.group).values_list("pk", "status")) == others
    # The named resident and the anonymous one (who keeps being told), once each.
    told = sorted(Notification.objects.values_list("user_id", flat=True))
    assert told == sorted([world.resident.pk, world.resident2.pk])
    assert set(Notification.objects.values_list("kind", flat=True)) == {"needs_item_changed"}
    assert not Notification.objects.filter(kind="demand_closed").exists()
    assert item.status == "delivered"


def test_a_demand_closed_by_hand_still_tells_its_submitter(world):
    from shezhi.demands import services as demand_services
    from shezhi.demands.models import Demand

    demand = Demand.objects.filter(submitter=world.resident).first()
    demand_services.close_demand(actor=world.staff, demand=demand, outcome="已转办")
    assert list(
        Notification.objects.filter(kind="demand_closed").values_list("user_id", flat=True)
    ) == [world.resident.pk]

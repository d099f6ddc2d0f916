"""The registry's writes: each refusal names its field and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.core.errors import BadInput, Forbidden
from shezhi.organisations import services
from shezhi.organisations.models import Member, Organisation, StageMove, Support
from tests.factories import ServicePostFactory, VolunteerActivityFactory

pytestmark = pytest.mark.django_db


def refused(field, call, **kw):
    with pytest.raises(BadInput) as e:
        call(**kw)
    assert e.value.field == field, e.value
    return e.value


def test_register_writes_the_organisation_and_its_first_move(world, make_org):
    org = make_org(name="凤凰院落自治委员会", kind="courtyard_committee")
    assert org.area_path == world["t"]["community"].path and org.stage == "sprout"
    move = StageMove.objects.get(organisation=org)
    assert (move.from_stage, move.to_stage, move.on) == ("", "sprout", dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    "field,kw",
    [
        ("kind", {"kind": "club"}),
        ("name", {"name": "  "}),
        ("name", {"name": "x" * 101}),
        ("founded_on", {"founded_on": "2026-13-01"}),
        ("founded_on", {"founded_on": dt.date(2999, 1, 1)}),
        ("stage", {"stage": "adult"}),
    ],
)
def test_register_refuses_bad_input(world, make_org, field, kw):
    refused(field, make_org, **kw)
    assert not Organisation.objects.exists()


def test_register_refuses_an_area_above_a_community_and_outside_scope(world, make_org):
    refused("area", make_org, area=world["t"]["street1"])
    with pytest.raises(Forbidden):
        make_org(area=world["t"]["community2"], actor=world["staff"])
    with pytest.raises(Forbidden):
        make_org(actor=world["other_street"])
    make_org(name="同名")
    refused("name", make_org, name="同名")
    assert Organisation.objects.count() == 1


def test_a_grid_level_organisation_and_its_compound(world, make_org):
    from tests.factories import CompoundFactory

    mine = CompoundFactory(community=world["t"]["community"])
    org = make_org(area=world["t"]["micro1"], compound=mine, kind="building_heads")
    assert org.compound == mine
    other = CompoundFactory(community=world["t"]["community2"])
    refused("compound", make_org, area=world["t"]["micro1"], compound=other)


def test_stage_moves_follow_the_transition_table(world, make_org):
    org = make_org()
    staff = world["staff"]
    move = services.move_stage
    refused("stage", move, actor=staff, organisation=org, to_stage="growing")  # skip
    refused("stage", move, actor=staff, organisation=org, to_stage="sprout")  # stay
    refused("stage", move, actor=staff, organisation=org, to_stage="nope")
    move(actor=staff, organisation=org, to_stage="incubating", on=dt.date(2025, 6, 1))
    move(actor=staff, organisation=org, to_stage="growing", on=dt.date(2025, 9, 1))
    refused("stage", move, actor=staff, organisation=org, to_stage="growing")
    # Back: only with the reason; any number of stages.
    refused("reason", move, actor=staff, organisation=org, to_stage="sprout")
    refused("reason", move, actor=staff, organisation=org, to_stage="sprout", reason="  ")
    refused("on", move, actor=staff, organisation=org, to_stage="mature", on=dt.date(2025, 8, 1))
    back = move(
        actor=staff, organisation=org, to_stage="sprout", on=dt.date(2025, 10, 1),
        reason="骨干成员搬离，重新培育",
    )  # fmt: skip
    assert back.from_stage == "growing" and back.reason == "骨干成员搬离，重新培育"
    org.refresh_from_db()
    assert org.stage == "sprout" and org.stage_since == dt.date(2025, 10, 1)
    assert [m.to_stage for m in org.moves.order_by("on", "pk")] == [
        "sprout", "incubating", "growing", "sprout",
    ]  # fmt: skip
    with pytest.raises(Forbidden):
        move(actor=world["other_street"], organisation=org, to_stage="incubating")


def test_a_stale_stage_is_not_moved_twice(world, make_org):
    org = make_org()
    stale = Organisation.objects.get(pk=org.pk)
    services.move_stage(actor=world["staff"], organisation=org, to_stage="incubating")
    refused(
        "stage", services.move_stage, actor=world["staff"], organisation=stale,
        to_stage="incubating",
    )  # fmt: skip
    assert StageMove.objects.filter(organisation=org).count() == 2


def test_members_join_and_leave(world, make_org):
    org = make_org()
    staff = world["staff"]
    a = services.add_member(
        actor=staff, organisation=org, resident=world["resident"], role="leader",
        joined_on=dt.date(2025, 2, 1),
    )  # fmt: skip
    b = services.add_member(actor=staff, organisation=org, person=world["person"])
    assert a.role == "leader" and b.person == world["person"]
    refused(
        "resident", services.add_member, actor=staff, organisation=org, resident=world["resident"]
    )
    refused("person", services.add_member, actor=staff, organisation=org, person=world["person"])
    refused("resident", services.add_member, actor=staff, organisation=org)
    refused(
        "resident", services.add_member, actor=staff, organisation=org,
        resident=world["resident2"], person=world["person"],
    )  # fmt: skip
    refused(
        "role",
        services.add_member,
        actor=staff,
        organisation=org,
        resident=world["resident2"],
        role="boss",
    )
    # A resident outside the staff's areas.
    refused(
        "resident",
        services.add_member,
        actor=staff,
        organisation=org,
        resident=world["far_resident"],
    )
    # A new leader takes over; the old one stays as a member.
    c = services.add_member(
        actor=staff, organisation=org, resident=world["resident2"], role="leader"
    )
    a.refresh_from_db()
    assert a.role == "member" and c.role == "leader"
    services.end_membership(actor=staff, member=a, left_on=dt.date(2026, 1, 1))
    refused("member", services.end_membership, actor=staff, member=a)
    refused("left_on", services.end_membership, actor=staff, member=b, left_on=dt.date(2000, 1, 1))
    # Who left may join again.
    again = services.add_member(actor=staff, organisation=org, resident=world["resident"])
    assert Member.objects.filter(resident=world["resident"]).count() == 2 and again.active


def test_support_in_fen_and_its_refusals(world, make_org):
    org = make_org()
    staff = world["staff"]
    post = ServicePostFactory(area=world["t"]["micro1"])
    far_post = ServicePostFactory(area=world["t"]["community2"])
    rec = services.record_support
    money = rec(actor=staff, organisation=org, kind="money", amount_fen=150_050)
    assert money.amount_fen == 150_050 and money.amount_yuan == "1500.50"
    rec(actor=staff, organisation=org, kind="space", post=post)
    rec(actor=staff, organisation=org, kind="training", note="社会组织财务培训")
    refused("amount_fen", rec, actor=staff, organisation=org, kind="money")
    refused("amount_fen", rec, actor=staff, organisation=org, kind="money", amount_fen=12.5)
    refused("amount_fen", rec, actor=staff, organisation=org, kind="money", amount_fen=True)
    refused("amount_fen", rec, actor=staff, organisation=org, kind="money", amount_fen=-5)
    refused(
        "amount_fen", rec, actor=staff, organisation=org, kind="training", amount_fen=5, note="x"
    )
    refused("post", rec, actor=staff, organisation=org, kind="space")
    refused("post", rec, actor=staff, organisation=org, kind="space", post=far_post)
    refused("post", rec, actor=staff, organisation=org, kind="mentoring", post=post, note="x")
    refused("note", rec, actor=staff, organisation=org, kind="mentoring")
    refused("kind", rec, actor=staff, organisation=org, kind="food")
    assert Support.objects.count() == 3


def test_activities_and_demand_groups_of_the_community(world, make_org):
    from tests.factories import DemandGroupFactory

    org = make_org()
    staff = world["staff"]
    activity = VolunteerActivityFactory(post__area=world["t"]["micro1"])
    far = VolunteerActivityFactory(post__area=world["t"]["community2"])
    services.link_activity(actor=staff, organisation=org, activity=activity)
    refused("activity", services.link_activity, actor=staff, organisation=org, activity=activity)
    refused("activity", services.link_activity, actor=staff, organisation=org, activity=far)
    group = DemandGroupFactory(area=world["t"]["community"])
    far_group = DemandGroupFactory(area=world["t"]["community2"])
    services.take_on_demand(actor=staff, organisation=org, group=group)
    refused("group", services.take_on_demand, actor=staff, organisation=org, group=group)
    refused("group", services.take_on_demand, actor=staff, organisation=org, group=far_group)
    assert org.activities.count() == 1 and org.demands.count() == 1


def test_joining_is_taking_part_once(world, make_org):
    from shezhi.core.models import Participation
    from shezhi.core.participation import participants

    org = make_org()
    other = make_org()
    staff = world["staff"]
    services.add_member(
        actor=staff, organisation=org, resident=world["resident"], joined_on=dt.date(2026, 2, 1)
    )
    services.add_member(
        actor=staff, organisation=other, resident=world["resident"], joined_on=dt.date(2026, 2, 3)
    )
    services.add_member(
        actor=staff, organisation=org, person=world["person"], joined_on=dt.date(2026, 2, 1)
    )
    rows = Participation.objects.filter(way="organisation")
    assert rows.count() == 3
    assert {r.participant for r in rows} == {
        f"r:{world['resident'].pk}", f"p:{world['person'].pk}",
    }  # fmt: skip
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert participants(world["t"]["community"], start, end) == 2
    # A refused join records nothing.
    with pytest.raises(BadInput):
        services.add_member(actor=staff, organisation=org, resident=world["resident"])
    assert rows.count() == 3

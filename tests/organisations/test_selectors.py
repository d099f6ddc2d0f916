"""Forces (one definition, counted distinct) and the incubation funnel."""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.core.periods import Period
from shezhi.organisations import selectors, services
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_person_who_is_also_a_member_counts_once(world, make_org):
    t, staff = world["t"], world["staff"]
    PersonFactory(area=t["micro2"], force_type="professional")
    PersonFactory(area=t["micro2"], force_type="part_time", active=False)  # not counted
    PersonFactory(area=t["community2"], force_type="service")  # outside the community
    before = selectors.forces(t["community"])
    assert before["full_time"] == 1 and before["professional"] == 1 and before["total"] == 2
    a, b = make_org(), make_org()
    # The person joins two organisations: still one, of their own kind (full-time).
    services.add_member(actor=staff, organisation=a, person=world["person"])
    services.add_member(actor=staff, organisation=b, person=world["person"])
    # A resident in two organisations: one self-governance force.
    services.add_member(actor=staff, organisation=a, resident=world["resident"])
    services.add_member(actor=staff, organisation=b, resident=world["resident"])
    # A resident who is (also) a person of the workforce counts as that person.
    linked = PersonFactory(area=t["micro2"], force_type="service")
    world["resident2"].person = linked
    world["resident2"].save()
    services.add_member(actor=staff, organisation=a, resident=world["resident2"])
    after = selectors.forces(t["community"])
    assert after == {
        "full_time": 1, "professional": 1, "part_time": 0, "service": 1,
        "self_governance": 1, "total": 4,
    }  # fmt: skip
    # Up the tree the same people, once; a member who left no longer counts.
    assert selectors.forces(t["district"])["total"] == 5  # + the service person in 同心村
    # Children in one pass, as each alone.
    areas = [t["district"], t["street1"], t["street2"], t["community"], t["micro1"]]
    assert selectors.forces_of(areas, within=t["district"]) == [selectors.forces(x) for x in areas]
    member = a.members.get(resident=world["resident"])
    services.end_membership(actor=staff, member=member)
    assert selectors.forces(t["community"])["self_governance"] == 1  # still in b
    services.end_membership(actor=staff, member=b.members.get(resident=world["resident"]))
    assert selectors.forces(t["community"])["self_governance"] == 0


def test_the_funnel_counts_stages_now_and_moves_in_the_period(world, make_org):
    staff = world["staff"]
    orgs = [make_org(founded_on=dt.date(2025, 1, 1)) for _ in range(4)]
    services.move_stage(
        actor=staff, organisation=orgs[0], to_stage="incubating", on=dt.date(2025, 3, 1)
    )
    services.move_stage(
        actor=staff, organisation=orgs[0], to_stage="growing", on=dt.date(2026, 1, 5)
    )
    services.move_stage(
        actor=staff, organisation=orgs[1], to_stage="incubating", on=dt.date(2026, 1, 6)
    )
    services.move_stage(
        actor=staff, organisation=orgs[1], to_stage="sprout", on=dt.date(2026, 1, 7), reason="停摆"
    )
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    t = world["t"]
    f = selectors.funnel(t["street1"], period, [t["community"], t["community2"]])
    assert f.stages == {"sprout": 3, "incubating": 0, "growing": 1, "mature": 0}
    assert f.reached == {"sprout": 4, "incubating": 1, "growing": 1, "mature": 0}
    assert f.forward == {"sprout": 0, "incubating": 1, "growing": 1, "mature": 0}
    assert f.back == 1 and f.registered == 0 and f.total == 4
    assert [s for _a, s in f.children][1] == {
        "sprout": 0,
        "incubating": 0,
        "growing": 0,
        "mature": 0,
    }
    year = selectors.funnel(t["street1"], Period(dt.date(2025, 1, 1), dt.date(2026, 1, 1)))
    assert year.registered == 4 and year.forward["incubating"] == 1


def test_public_reads_show_counts_and_the_masked_leader_only(world, make_org):
    org = make_org()
    services.add_member(
        actor=world["staff"], organisation=org, resident=world["resident"], role="leader"
    )
    services.add_member(actor=world["staff"], organisation=org, person=world["person"])
    rows = selectors.community_organisations(world["t"]["community"])
    assert rows == [{"org": org, "members": 2, "leader": "张**"}]
    names = [r.name for r in selectors.member_rows(org)]
    assert names == ["张**", "赵*"]

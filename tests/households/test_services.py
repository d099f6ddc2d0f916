"""Writing the household base: places located, residents checked, moves kept, tags counted."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.http import Http404

from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.models import PersonalDataView
from shezhi.households import services
from shezhi.households.models import Building, Household, Resident, ResidentMove, TagCount
from tests.households.conftest import IN_MICRO1, add_resident, valid_id_number

pytestmark = pytest.mark.django_db


def counts(micro_grid) -> dict[str, int]:
    return dict(TagCount.objects.filter(micro_grid=micro_grid).values_list("tag", "count"))


def refused(expected: str, fn, /, *args, **kwargs) -> BadInput:
    """``fn(...)`` refused with a ``BadInput`` naming the field ``expected``."""
    with pytest.raises(BadInput) as err:
        fn(*args, **kwargs)
    assert err.value.field == expected, err.value.message
    return err.value


# ---------------------------------------------------------------- places


def test_compounds_are_registered_by_the_staff_of_their_community(territory, cast, place):
    assert place.compound.area_path == territory["community"].path
    refused(
        "name",
        services.create_compound,
        actor=cast.community,
        community=territory["community"],
        name="凤凰家园",
    )
    refused(
        "community",
        services.create_compound,
        actor=cast.community,
        community=territory["micro1"],
        name="新苑",
    )
    # A worker of a micro-grid holds no role over the community: not theirs to see.
    with pytest.raises(Http404):
        services.create_compound(actor=cast.mg_worker, community=territory["community"], name="x")
    with pytest.raises(Http404):
        services.create_compound(actor=cast.community2, community=territory["community"], name="x")
    # They see the compound their building stands in, but do not change it.
    with pytest.raises(Forbidden):
        services.update_compound(actor=cast.mg_worker, compound=place.compound, name="y")


def test_a_mobile_is_a_persons_phone_and_stored_encrypted(territory, cast):
    refused(
        "property_phone",
        services.create_compound,
        actor=cast.community,
        community=territory["community"],
        name="锦城华府",
        property_phone="13812345678",
    )
    compound = services.create_compound(
        actor=cast.community,
        community=territory["community"],
        name="锦城华府",
        property_phone="400-800-1234",
        property_manager_name="王经理",
        property_manager_phone="13812345678",
    )
    assert compound.property_manager_phone_last4 == "5678"
    entry = LogEntry.objects.get_for_object(compound).get()
    assert "13812345678" not in json.dumps(entry.changes_dict)
    assert "property_manager_phone" not in entry.changes_dict


def test_a_compound_outline_must_lie_in_its_community(territory, cast, place):
    inside = {
        "type": "Polygon",
        "coordinates": [
            [[104.01, 30.61], [104.03, 30.61], [104.03, 30.63], [104.01, 30.63], [104.01, 30.61]]
        ],
    }
    outside = {
        "type": "Polygon",
        "coordinates": [
            [[104.31, 30.61], [104.33, 30.61], [104.33, 30.63], [104.31, 30.63], [104.31, 30.61]]
        ],
    }
    compound = services.update_compound(
        actor=cast.community, compound=place.compound, boundary=inside
    )
    assert compound.boundary["type"] == "Polygon"
    refused(
        "boundary",
        services.update_compound,
        actor=cast.community,
        compound=compound,
        boundary=outside,
    )
    refused(
        "boundary",
        services.update_compound,
        actor=cast.community,
        compound=compound,
        boundary={"type": "Polygon", "coordinates": [[[1, 2], [3]]]},
    )
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[104.01, 30.61], [104.03, 30.63], [104.03, 30.61], [104.01, 30.63], [104.01, 30.61]]
        ],
    }
    refused(
        "boundary",
        services.update_compound,
        actor=cast.community,
        compound=compound,
        boundary=bowtie,
    )


def test_buildings_are_located_to_their_micro_grid(territory, cast, place):
    assert place.b1.micro_grid == territory["micro1"]
    assert place.b2.micro_grid == territory["micro2"]
    school = services.create_building(
        actor=cast.community, compound=place.compound, number="教工楼", lng=104.05, lat=30.655
    )
    assert school.micro_grid == territory["school"]  # a dedicated micro-grid wins
    # On the border of micro1 and micro2 (away from the school): the lower code.
    border = services.create_building(
        actor=cast.community, compound=place.compound, number="3", lng=104.05, lat=30.62
    )
    assert border.micro_grid == territory["micro1"]


def test_a_building_outside_its_community_or_any_micro_grid_is_refused(territory, cast, place):
    before = Building.objects.count()
    error = refused(
        "location",
        services.create_building,
        actor=cast.street,
        compound=place.compound,
        number="9",
        lng=104.15,
        lat=30.62,
    )
    assert "同心村" in error.message  # community2
    error = refused(
        "location",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="9",
        lng=104.02,
        lat=30.75,
    )
    assert "none of its micro-grids" in error.message  # grid2 has none
    refused(
        "location",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="9",
        lng=120.0,
        lat=30.62,
    )
    refused(
        "location",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="9",
        lng=None,
        lat=None,
    )
    refused(
        "number",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="1",
        lng=104.02,
        lat=30.62,
    )
    refused(
        "floors",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="9",
        lng=104.02,
        lat=30.62,
        floors=0,
    )
    assert Building.objects.count() == before


def test_a_footprint_gives_the_point(cast, territory, place):
    footprint = {
        "type": "Polygon",
        "coordinates": [
            [
                [104.07, 30.63],
                [104.071, 30.63],
                [104.071, 30.631],
                [104.07, 30.631],
                [104.07, 30.63],
            ]
        ],
    }
    building = services.create_building(
        actor=cast.community, compound=place.compound, number="5", footprint=footprint
    )
    assert building.micro_grid == territory["micro2"]
    assert 104.07 < building.lng < 104.071
    refused(
        "footprint",
        services.create_building,
        actor=cast.community,
        compound=place.compound,
        number="6",
        footprint=footprint,
        lng=104.02,
        lat=30.62,
    )


def test_a_moved_building_takes_its_households_and_counts(territory, cast, place):
    add_resident(cast.community, place.h101, "张大爷", tags=["lives_alone"])
    assert counts(territory["micro1"]) == {"lives_alone": 1}
    services.update_building(actor=cast.community, building=place.b1, lng=104.07, lat=30.64)
    h101 = Household.objects.get(pk=place.h101.pk)
    assert h101.micro_grid == territory["micro2"] and h101.area_path == territory["micro2"].path
    assert counts(territory["micro1"]) == {}
    assert counts(territory["micro2"]) == {"lives_alone": 1}


def test_only_staff_register_buildings(cast, place):
    with pytest.raises(Forbidden):
        services.create_building(
            actor=cast.mg_worker,
            compound=place.compound,
            number="7",
            lng=IN_MICRO1[0],
            lat=IN_MICRO1[1],
        )
    with pytest.raises(Http404):
        services.update_building(actor=cast.mg_worker2, building=place.b1, floors=7)


# ---------------------------------------------------------------- households


def test_households_are_checked_against_their_building(cast, place):
    assert place.h101.micro_grid == place.b1.micro_grid
    refused(
        "room",
        services.create_household,
        actor=cast.mg_worker,
        building=place.b1,
        unit="1",
        room="101",
    )
    refused(
        "unit",
        services.create_household,
        actor=cast.mg_worker,
        building=place.b1,
        unit="3",
        room="101",
    )  # the building has 2 units
    refused(
        "room",
        services.create_household,
        actor=cast.mg_worker,
        building=place.b1,
        unit="1",
        room="701",
    )  # 6 floors
    refused(
        "kind",
        services.create_household,
        actor=cast.mg_worker,
        building=place.b1,
        unit="1",
        room="601",
        kind="palace",
    )
    made = services.create_household(
        actor=cast.mg_worker, building=place.b1, unit="2", room="601", kind="vacant"
    )
    assert made.kind == "vacant"
    with pytest.raises(Http404):  # micro2's worker does not see micro1's building
        services.create_household(actor=cast.mg_worker2, building=place.b1, room="501")


# ---------------------------------------------------------------- residents


def test_sex_and_birth_date_come_from_the_id_number(cast, place):
    man = add_resident(cast.mg_worker, place.h101, "张伟", seq=13, relation="head")  # 17th: 3
    assert man.sex == "male" and man.birth_date == "1950-03-12" and man.birth_year == 1950
    woman = add_resident(
        cast.mg_worker, place.h101, "李娜", seq=12, birth_date=dt.date(1950, 3, 12)
    )
    assert woman.sex == "female"
    assert man.id_number_last4 == valid_id_number(birth="19500312", seq="013")[-4:]


@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("id_number", {"id_number": valid_id_number()[:-1] + "0"}),  # the check character
        ("id_number", {"id_number": "51011319850312123"}),  # 17 characters
        ("id_number", {"id_number": valid_id_number(birth="19850231")}),  # 31 February
        ("birth_date", {"birth_date": dt.date(1985, 3, 13)}),
        ("sex", {"sex": "female"}),  # seq 123: odd, a man
        ("phone", {"phone": "12345"}),
        ("relation", {"relation": "king"}),
        ("residence", {"residence": "nomad"}),
        ("arrived_on", {"arrived_on": dt.date(1980, 1, 1)}),  # before the birth
        ("arrived_on", {"arrived_on": dt.date(2999, 1, 1)}),
        ("tags", {"tags": ["disability"]}),  # sensitive: not among the plain ones
        ("tags", {"tags": ["unicorn"]}),
        ("sensitive_tags", {"sensitive_tags": ["lives_alone"]}),
        ("name", {"name": ""}),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(cast, place, field, fields):
    cast.assemble("mg_worker")  # its role assignment is logged too
    before = (Resident.objects.count(), LogEntry.objects.count(), TagCount.objects.count())
    fields = {"name": "王芳", "id_number": valid_id_number(), **fields}
    refused(field, services.create_resident, actor=cast.mg_worker, household=place.h101, **fields)
    assert (Resident.objects.count(), LogEntry.objects.count(), TagCount.objects.count()) == before


def test_an_id_number_is_registered_once(cast, place):
    add_resident(cast.mg_worker, place.h101, "张伟", id_number=valid_id_number(seq="12X"[:2] + "1"))
    number = valid_id_number(birth="19700101", seq="456")
    services.create_resident(
        actor=cast.mg_worker, household=place.h101, name="甲", id_number=number
    )
    # Spelled differently (spaces, full-width digits, a lower-case x): the same number.
    spelled = " " + "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch.lower() for ch in number)
    error = refused(
        "id_number",
        services.create_resident,
        actor=cast.community,
        household=place.h201,
        name="乙",
        id_number=spelled,
    )
    assert "already registered" in error.message


def test_a_household_has_one_head(cast, place):
    add_resident(cast.mg_worker, place.h101, "张伟", seq=1, relation="head")
    refused(
        "relation",
        services.create_resident,
        actor=cast.mg_worker,
        household=place.h101,
        name="李娜",
        relation="head",
    )
    other = add_resident(cast.mg_worker, place.h101, "李娜", seq=2, relation="spouse")
    refused(
        "relation", services.update_resident, actor=cast.mg_worker, resident=other, relation="head"
    )


def test_updating_keeps_the_birth_date_in_line_with_the_id_number(cast, place):
    r = add_resident(cast.mg_worker, place.h101, "张伟", seq=3)
    refused(
        "birth_date",
        services.update_resident,
        actor=cast.mg_worker,
        resident=r,
        birth_date=dt.date(1951, 1, 1),
    )
    r = services.update_resident(
        actor=cast.mg_worker, resident=r, id_number=valid_id_number(birth="19600101", seq="004")
    )
    assert (r.birth_date, r.birth_year, r.sex) == ("1960-01-01", 1960, "female")


def test_workers_of_another_micro_grid_see_nothing_and_read_only_roles_write_nothing(cast, place):
    for actor in (cast.mg_worker2, cast.dept_cg, cast.resident, cast.community2):
        with pytest.raises(Http404):
            services.create_resident(actor=actor, household=place.h101, name="王芳")
    assert not Resident.objects.exists()


# ---------------------------------------------------------------- tags and counts


def test_sensitive_tags_are_set_by_their_readers_only(territory, cast, place):
    r = add_resident(cast.mg_worker, place.h101, "张大爷", tags=["lives_alone", "very_old"])
    services.set_tags(actor=cast.mg_worker, resident=r, sensitive_tags=["disability"])
    services.set_tags(
        actor=cast.street, resident=r, sensitive_tags=["disability", "chronic_illness"]
    )
    with pytest.raises(Forbidden) as err:  # a full-time grid worker over the whole grid
        services.set_tags(actor=cast.grid_worker, resident=r, sensitive_tags=[])
    assert err.value.status == 403
    services.set_tags(actor=cast.grid_worker, resident=r, tags=["lives_alone"])  # plain: yes
    r.refresh_from_db()
    assert r.sensitive_tags == ",disability,chronic_illness,"
    assert counts(territory["micro1"]) == {"lives_alone": 1, "disability": 1, "chronic_illness": 1}
    # The log says when the sensitive tags changed, and who changed them; never what.
    for entry in LogEntry.objects.get_for_object(r):
        assert "sensitive_tags" not in entry.changes_dict
        assert "disability" not in json.dumps(entry.changes_dict)
    assert any("sensitive_changed_at" in e.changes_dict for e in LogEntry.objects.get_for_object(r))


def test_counts_follow_every_write(territory, cast, place):
    a = add_resident(cast.mg_worker, place.h101, "甲", seq=1, tags=["veteran"])
    add_resident(cast.mg_worker, place.h102, "乙", seq=2, tags=["veteran", "party_member"])
    add_resident(
        cast.mg_worker2, place.h201, "丙", seq=3, tags=["veteran"], sensitive_tags=["pregnant"]
    )
    assert counts(territory["micro1"]) == {"veteran": 2, "party_member": 1}
    assert counts(territory["micro2"]) == {"veteran": 1, "pregnant": 1}
    services.set_tags(actor=cast.mg_worker, resident=a, tags=[])
    assert counts(territory["micro1"]) == {"veteran": 1, "party_member": 1}


# ---------------------------------------------------------------- moves


def test_a_move_is_kept_as_history_and_moves_the_counts(territory, cast, place):
    r = add_resident(cast.community, place.h101, "张伟", tags=["veteran"], relation="head")
    add_resident(cast.community, place.h201, "李娜", seq=2, relation="head")
    refused(
        "relation",
        services.move_resident,
        actor=cast.community,
        resident=r,
        to_household=place.h201,
        relation="head",
    )
    move = services.move_resident(
        actor=cast.community,
        resident=r,
        to_household=place.h201,
        reason="搬家",
        moved_on=dt.date(2026, 5, 1),
        relation="spouse",
    )
    r.refresh_from_db()
    assert r.household == place.h201 and r.relation == "spouse"
    assert (move.from_household, move.to_household, move.moved_by) == (
        place.h101,
        place.h201,
        cast.community,
    )
    assert "1单元" in move.from_label or "unit 1" in move.from_label
    assert counts(territory["micro1"]) == {} and counts(territory["micro2"]) == {"veteran": 1}
    services.move_resident(actor=cast.community, resident=r, to_household=place.h102)
    assert list(ResidentMove.objects.filter(resident=r).values_list("to_household", flat=True)) == [
        place.h102.pk,
        place.h201.pk,
    ]


def test_a_worker_moves_only_into_households_they_work(cast, place):
    r = add_resident(cast.mg_worker, place.h101, "张伟")
    with pytest.raises(Http404):
        services.move_resident(actor=cast.mg_worker, resident=r, to_household=place.h201)
    refused(
        "to_household",
        services.move_resident,
        actor=cast.mg_worker,
        resident=r,
        to_household=place.h101,
    )
    assert not ResidentMove.objects.exists()


# ---------------------------------------------------------------- reveals


def test_reveals_are_audited_and_limited_by_role(cast, place):
    r = add_resident(cast.mg_worker, place.h101, "张伟", seq=7, sensitive_tags=["disability"])
    assert (
        services.reveal(actor=cast.mg_worker, resident=r, field="phone", reason="上门走访联系")
        == "13800000007"
    )
    with pytest.raises(Forbidden):
        services.reveal(actor=cast.mg_worker, resident=r, field="id_number", reason="核实身份")
    assert services.reveal(
        actor=cast.community, resident=r, field="id_number", reason="核实身份信息"
    ) == valid_id_number(birth="19500312", seq="007")
    assert services.reveal_sensitive_tags(
        actor=cast.mg_worker, resident=r, reason="应急帮扶准备"
    ) == ["disability"]
    with pytest.raises(Forbidden):
        services.reveal(
            actor=cast.grid_worker, resident=r, field="sensitive_tags", reason="看看看看"
        )
    with pytest.raises(Http404):
        services.reveal(actor=cast.mg_worker2, resident=r, field="phone", reason="看看看看")
    refused("reason", services.reveal, actor=cast.mg_worker, resident=r, field="phone", reason="看")
    refused(
        "field", services.reveal, actor=cast.mg_worker, resident=r, field="name", reason="看看看看"
    )
    views = list(
        PersonalDataView.objects.order_by("id").values_list("user__username", "field_name")
    )
    assert views == [
        ("mg_worker", "phone"),
        ("community_staff", "id_number"),
        ("mg_worker", "sensitive_tags"),
    ]


def test_the_audit_log_holds_no_personal_data(cast, place):
    r = add_resident(cast.mg_worker, place.h101, "张伟", seq=9, sensitive_tags=["key_person"])
    services.update_resident(actor=cast.mg_worker, resident=r, phone="13900001234", name="张伟伟")
    text = json.dumps([e.changes_dict for e in LogEntry.objects.all()], ensure_ascii=False)
    for secret in (
        "13800000009",
        "13900001234",
        valid_id_number(birth="19500312", seq="009"),
        "1950-03-12",
        "key_person",
        r.id_number_index,
        r.phone_index,
    ):
        assert secret not in text
    entry = LogEntry.objects.get_for_object(r).order_by("-timestamp").first()
    assert entry.actor == cast.mg_worker and entry.changes_dict["name"] == ["张伟", "张伟伟"]
    assert entry.additional_data["area_path"] == place.h101.area_path


def test_a_resident_links_to_one_workforce_record_and_one_resident_sign_in(cast, place):
    from shezhi.people import services as people_services

    person = people_services.create_person(
        actor=cast.community,
        area=place.h101.micro_grid,
        name="张伟",
        category="micro_grid_worker",
        force_type="part_time",
    )
    a = add_resident(
        cast.mg_worker, place.h101, "张伟", seq=1, person=person.pk, user=cast.resident.username
    )
    assert (a.person, a.user) == (person, cast.resident)
    refused(
        "person",
        services.create_resident,
        actor=cast.mg_worker,
        household=place.h102,
        name="乙",
        person=person,
    )
    refused(
        "user",
        services.create_resident,
        actor=cast.mg_worker,
        household=place.h102,
        name="乙",
        user="resident",
    )
    # A sign-in that is not a resident's of this micro-grid (micro2's resident).
    refused(
        "user",
        services.create_resident,
        actor=cast.mg_worker,
        household=place.h102,
        name="乙",
        user=cast.resident2.username,
    )
    refused(
        "person",
        services.create_resident,
        actor=cast.mg_worker2,
        household=place.h201,
        name="丙",
        person=10**20,
    )

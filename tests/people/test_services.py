"""Writing the workforce: validation, one responsible worker, history, reveals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from shezhi.core.models import PersonalDataView
from shezhi.people import selectors, services
from shezhi.people.models import Assignment, Person
from tests.people.conftest import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the messages' words; the product default is zh-hans.
    from django.utils import translation

    with translation.override("en"):
        yield


def test_personal_data_is_encrypted_at_rest(person):
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    assert "13812345678" not in row and "812345678" not in row
    assert valid_id_number() not in row and "19850312" not in row
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.phone == "13812345678"
    assert fresh.phone_last4 == "5678"


def test_bad_phone_and_id_number_are_refused_with_nothing_written(territory, staff):
    with pytest.raises(ValidationError) as err:
        services.create_person(
            actor=staff["community"],
            area=territory["micro1"],
            name="李娜",
            category="micro_grid_worker",
            force_type="part_time",
            phone="12345",
            id_number=valid_id_number()[:-1] + ("0" if valid_id_number()[-1] != "0" else "1"),
        )
    assert set(err.value.message_dict) == {"phone", "id_number"}
    assert Person.objects.count() == 0


def test_the_same_id_number_twice_is_refused(person, territory, staff):
    with pytest.raises(ValidationError, match="already registered"):
        services.create_person(
            actor=staff["community"],
            area=territory["micro2"],
            name="张伟",
            category="micro_grid_worker",
            force_type="part_time",
            id_number=" " + valid_id_number().lower() + " ",
        )


def test_only_managers_of_the_area_write(territory, staff):
    with pytest.raises(PermissionDenied):
        services.create_person(
            actor=staff["other_community"],
            area=territory["micro1"],
            name="王芳",
            category="micro_grid_worker",
            force_type="part_time",
        )
    with pytest.raises(PermissionDenied):
        services.create_person(
            actor=staff["worker"],
            area=territory["micro1"],
            name="王芳",
            category="micro_grid_worker",
            force_type="part_time",
        )


def test_one_responsible_worker_per_micro_grid_and_history_kept(person, territory, staff):
    first = services.assign(
        actor=staff["community"],
        person=person,
        area=territory["micro1"],
        role="responsible_worker",
        started_on=dt.date(2025, 1, 1),
    )
    other = services.create_person(
        actor=staff["community"],
        area=territory["micro1"],
        name="李强",
        category="micro_grid_worker",
        force_type="part_time",
    )
    with pytest.raises(ValidationError, match="already has a responsible worker: 张伟"):
        services.assign(
            actor=staff["community"],
            person=other,
            area=territory["micro1"],
            role="responsible_worker",
        )
    services.end_assignment(
        actor=staff["community"], assignment=first, ended_on=dt.date(2026, 6, 30), reason="调离"
    )
    second = services.assign(
        actor=staff["community"],
        person=other,
        area=territory["micro1"],
        role="responsible_worker",
        started_on=dt.date(2026, 7, 1),
    )
    team = list(selectors.current_assignments(territory["micro1"]))
    assert team == [second]
    history = list(selectors.assignment_history(person))
    assert history[0].ended_on == dt.date(2026, 6, 30) and history[0].end_reason == "调离"
    with pytest.raises(ValidationError, match="already ended"):
        services.end_assignment(actor=staff["community"], assignment=first)


def test_assignment_level_must_match_the_role(person, territory, staff):
    with pytest.raises(ValidationError, match=r"micro-grid|微网格"):
        services.assign(
            actor=staff["community"],
            person=person,
            area=territory["grid"],
            role="responsible_worker",
        )
    with pytest.raises(ValidationError):
        services.assign(
            actor=staff["community"],
            person=person,
            area=territory["micro1"],
            role="full_time_worker",
        )
    assert Assignment.objects.count() == 0


def test_reveal_needs_a_reason_and_is_audited(person, staff):
    with pytest.raises(ValidationError):
        services.reveal_personal_data(
            actor=staff["community"], person=person, field="phone", reason="  "
        )
    assert PersonalDataView.objects.count() == 0
    value = services.reveal_personal_data(
        actor=staff["community"], person=person, field="phone", reason="联系核实地址"
    )
    assert value == "13812345678"
    view = PersonalDataView.objects.get()
    assert view.user == staff["community"] and view.reason == "联系核实地址"
    with pytest.raises(PermissionDenied):
        services.reveal_personal_data(
            actor=staff["other_community"], person=person, field="phone", reason="just curious"
        )
    assert PersonalDataView.objects.count() == 1


def test_three_priorities_rank_with_reasons(territory, staff):
    def add(name, **flags):
        return services.create_person(
            actor=staff["community"],
            area=territory["micro1"],
            name=name,
            category="micro_grid_worker",
            force_type="part_time",
            lives_in=territory["micro1"],
            **flags,
        )

    veteran = add("老兵", veteran=True)
    nobody = add("居民")
    leader = add("楼栋长", group_leader=True)
    member = add("党员", party_member=True)
    both = add("党员楼栋长", party_member=True, group_leader=True)
    elsewhere = services.create_person(
        actor=staff["community"],
        area=territory["micro2"],
        name="别处党员",
        category="micro_grid_worker",
        force_type="part_time",
        party_member=True,
        lives_in=territory["micro2"],
    )
    ranked = selectors.candidates_for(staff["community"], territory["micro1"])
    assert [c.person for c in ranked] == [both, member, leader, veteran, nobody]
    assert elsewhere not in [c.person for c in ranked]
    assert [c.rank for c in ranked] == [1, 2, 3, 4, 5]
    assert len(ranked[0].reasons) == 3
    # tie-breaker: fewer current assignments first
    services.assign(
        actor=staff["community"], person=member, area=territory["micro2"], role="member"
    )
    twin = add("另一党员", party_member=True)
    ranked = selectors.candidates_for(staff["community"], territory["micro1"])
    assert [c.person for c in ranked][1:3] == [twin, member]


def test_people_lists_are_scoped(person, territory, staff, users):
    assert list(selectors.visible_people(staff["community"])) == [person]
    assert list(selectors.visible_people(staff["other_community"])) == []
    assert list(selectors.visible_people(users["other_district"])) == []
    assert list(selectors.visible_people(users["superuser"])) == [person]


def test_residents_do_not_open_workforce_records(person, territory):
    from tests.factories import make_user

    resident = make_user("resident", role="resident", area=territory["micro1"])
    assert list(selectors.visible_people(resident)) == []
    # a resident who is also staff elsewhere sees that scope only
    from shezhi.people.models import RoleAssignment

    RoleAssignment.objects.create(
        user=resident, role="community_staff", area=territory["community"]
    )
    resident = type(resident).objects.get(pk=resident.pk)  # fresh: role cache is per object
    assert list(selectors.visible_people(resident)) == [person]

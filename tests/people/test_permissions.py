"""people.permissions: who opens the workforce's records, who changes them, who reads
the departments, the audit log and roster imports.

Those who work in an area read its people; its staff change them; residents and the
read-only roles (department staff, alliance viewers) read aggregates only. The cast
is tests/factories.Cast over build_territory().
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.areas.models import Area
from shezhi.people import permissions
from shezhi.people.models import Department, Person
from shezhi.people.roster_models import RosterImport
from tests.factories import DepartmentFactory, PersonFactory, RosterImportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(territory):
    """One person recorded in micro1, one in micro2, one in the other district."""
    return {
        key: PersonFactory(area=territory[key], name=f"人员{key}")
        for key in ("micro1", "micro2", "other_district")
    }


# actor → which of the people they open (by area key)
READERS = {
    "mg_worker": {"micro1"},
    "mg_worker2": {"micro2"},
    "grid_worker": {"micro1", "micro2"},
    "community": {"micro1", "micro2"},
    "street": {"micro1", "micro2"},
    "district": {"micro1", "micro2"},
    "other_district": {"other_district"},
    "community2": set(),
    "other_street": set(),
    # Aggregates only: the records are not theirs to open.
    "resident": set(),
    "dept_cg": set(),
    "alliance": set(),
    "outsider_resident": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(READERS))
def test_those_who_work_in_an_area_open_its_peoples_records(cast, people, who):
    user = getattr(cast, who)
    for key, person in people.items():
        assert permissions.can(user, "view", person) == (key in READERS[who]), key
        assert permissions.can(user, "view", person.area) == (key in READERS[who]), key
    q = permissions.scope(user, "view")
    opened = {p.pk for p in (Person.objects.filter(q) if q is not None else Person.objects.all())}
    assert opened == {people[key].pk for key in READERS[who]}


# actor → which of the areas' workforce they change
MANAGERS = {
    "community": {"micro1", "micro2"},
    "street": {"micro1", "micro2"},
    "district": {"micro1", "micro2"},
    "other_district": {"other_district"},
    "community2": set(),
    "mg_worker": set(),
    "grid_worker": set(),
    "resident": set(),
    "dept_cg": set(),
    "alliance": set(),
}


STAFF = {"community", "community2", "street", "district", "other_district"}


@pytest.mark.parametrize("who", sorted(MANAGERS))
def test_the_staff_of_an_area_change_its_workforce(cast, territory, people, who):
    user = getattr(cast, who)
    for key, person in people.items():
        assert permissions.can(user, "manage", territory[key]) == (key in MANAGERS[who]), key
        assert permissions.can(user, "manage", person) == (key in MANAGERS[who]), key
    assert permissions.can(user, "manage") == (who in STAFF)
    q = permissions.scope(user, "manage")
    changed = {p.pk for p in Person.objects.filter(q)}
    assert changed == {people[key].pk for key in MANAGERS[who]}


def test_a_superuser_does_all_of_it_and_a_visitor_none(cast, territory, people):
    for action in ("view", "manage"):
        assert permissions.scope(cast.root, action) is None
        assert permissions.can(cast.root, action, people["other_district"])
        assert permissions.scope_areas(cast.root, action) is None
        for user in (AnonymousUser(), None):
            assert not permissions.can(user, action, people["micro1"])
            assert not permissions.can(user, action)
            assert not Person.objects.filter(permissions.scope(user, action)).exists()


def test_departments_are_read_by_anybody_holding_a_role_in_their_district(cast, territory):
    here = DepartmentFactory(district=territory["district"], code="mz", name="区民政局")
    there = DepartmentFactory(district=territory["other_district"], code="mz", name="邻区民政局")

    def departments(user) -> set[Department]:
        q = permissions.scope(user, "view_department")
        return set(Department.objects.all() if q is None else Department.objects.filter(q))

    for who in ("resident", "mg_worker", "community", "dept_cg", "alliance", "district"):
        user = getattr(cast, who)
        assert permissions.can(user, "view_department", here), who
        assert not permissions.can(user, "view_department", there), who
        assert here in departments(user) and there not in departments(user), who
    assert departments(cast.outsider_resident) == {there}
    assert departments(cast.nobody) == set()
    assert departments(cast.root) >= {here, there}


def test_district_admins_read_their_districts_audit_log(cast, territory):
    assert permissions.can(cast.district, "read_audit")
    assert [a.code for a in permissions.scope_areas(cast.district, "read_audit")] == ["510113"]
    q = permissions.scope(cast.district, "read_audit", field="path")
    district = Area.objects.filter(path__startswith=territory["district"].path)
    assert set(Area.objects.filter(q)) == set(district)
    assert permissions.can(cast.root, "read_audit")
    for who in ("street", "community", "mg_worker", "resident", "dept_cg", "alliance", "nobody"):
        assert not permissions.can(getattr(cast, who), "read_audit"), who
        q = permissions.scope(getattr(cast, who), "read_audit", field="path")
        assert not Area.objects.filter(q).exists(), who


def test_a_roster_import_is_read_by_its_starter_and_a_superuser(cast):
    mine = RosterImportFactory(created_by=cast.community)
    theirs = RosterImportFactory(created_by=cast.street)
    assert permissions.can(cast.community, "view_import", mine)
    assert not permissions.can(cast.community, "view_import", theirs)
    assert permissions.can(cast.root, "view_import", theirs)
    assert set(RosterImport.objects.filter(permissions.scope(cast.community, "view_import"))) == {
        mine
    }
    assert permissions.scope(cast.root, "view_import") is None
    assert not RosterImport.objects.filter(
        permissions.scope(AnonymousUser(), "view_import")
    ).exists()


def test_the_reach_of_a_reader_over_an_area(cast, territory):
    community = territory["community"]
    assert permissions.workforce_reach(cast.community, community).kind == "all"
    part = permissions.workforce_reach(cast.mg_worker, community)
    assert part.kind == "part" and part.areas == [territory["micro1"]]
    none = permissions.workforce_reach(cast.resident, community)
    assert none.kind == "none" and len(none.roles) == 1 and none.areas == []
    assert permissions.workforce_reach(cast.root, community).kind == "all"


def test_roster_exports_start_at_the_tops_the_user_manages(cast, territory):
    assert permissions.export_areas(cast.street) == [territory["street1"]]
    assert permissions.export_areas(cast.mg_worker) == []
    assert [a.code for a in permissions.export_areas(cast.root)] == ["510113", "510114"]


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "fire")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "fire")

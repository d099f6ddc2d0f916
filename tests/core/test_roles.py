"""The role groups are declared once, in ``core.roles``, and cover exactly the roles there are."""

from shezhi.core.models import Role
from shezhi.core.roles import (
    ALL_ROLES,
    DISPATCHER_ROLES,
    GRID_ROLES,
    HANDLER_ROLES,
    LOCAL_ROLES,
    READ_ONLY_ROLES,
    SENIOR_STAFF_ROLES,
    STAFF_ROLES,
    WORKING_ROLES,
    all_but,
)


def test_all_roles_are_the_models_roles():
    assert sorted(ALL_ROLES) == sorted(Role.values)
    assert len(ALL_ROLES) == len(Role.values)


def test_every_group_names_real_roles():
    for group in (
        DISPATCHER_ROLES,
        GRID_ROLES,
        HANDLER_ROLES,
        LOCAL_ROLES,
        READ_ONLY_ROLES,
        SENIOR_STAFF_ROLES,
        STAFF_ROLES,
        WORKING_ROLES,
    ):
        assert set(group) <= set(Role.values)
        assert len(set(group)) == len(group)


def test_the_groups_hold_what_each_rule_used_before():
    assert set(STAFF_ROLES) == {"community_staff", "street_staff", "district_admin"}
    assert set(GRID_ROLES) == {"micro_grid_worker", "grid_worker"}
    assert set(SENIOR_STAFF_ROLES) == {"street_staff", "district_admin"}
    assert set(HANDLER_ROLES) == {
        "micro_grid_worker",
        "grid_worker",
        "community_staff",
        "department_staff",
    }
    assert set(READ_ONLY_ROLES) == {"department_staff", "alliance_viewer"}
    assert all_but(WORKING_ROLES) == ("resident", "department_staff", "alliance_viewer")
    assert all_but(WORKING_ROLES, READ_ONLY_ROLES) == ("resident",)
    assert set(all_but(STAFF_ROLES)) == {
        "resident",
        "micro_grid_worker",
        "grid_worker",
        "department_staff",
        "alliance_viewer",
    }

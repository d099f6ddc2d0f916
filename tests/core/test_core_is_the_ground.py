"""Core is the ground: it needs no app of the project, in its code nor in its migrations.

Its code is checked by import-linter (``.importlinter``); these check the database side:
core's tables point at no project app's, and a new database can install core alone.
Who holds which role is the workforce's record (``people.RoleAssignment``); core's
scope reads it through the source people registers.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.migrations.loader import MigrationLoader

from shezhi.core import scope
from shezhi.people.selectors import role_holdings_of
from tests.factories import make_user

PROJECT_APPS = {c.label for c in apps.get_app_configs() if c.name.startswith("shezhi.")}
OTHER_PROJECT_APPS = PROJECT_APPS - {"core"}


def test_core_models_point_at_no_project_app():
    for model in apps.get_app_config("core").get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                target = field.related_model._meta.app_label
                assert target not in OTHER_PROJECT_APPS, f"{model.__name__}.{field.name}"


def test_core_migrations_depend_on_no_project_app():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    core = {k: m for k, m in loader.disk_migrations.items() if k[0] == "core"}
    assert core
    for key, migration in core.items():
        named = {app for app, _name in migration.dependencies}
        assert not named & OTHER_PROJECT_APPS, key
    # Nor through what those depend on: core's whole plan is core and Django's own.
    (leaf,) = loader.graph.leaf_nodes("core")
    assert {app for app, _ in loader.graph.forwards_plan(leaf)} <= {"core", "auth", "contenttypes"}


@pytest.mark.django_db
def test_role_holdings_come_from_the_workforce_in_one_query_per_request(
    territory, django_assert_num_queries
):
    user = make_user("holder", role="grid_worker", area=territory["grid"])
    with django_assert_num_queries(1):
        assert scope.role_holdings(user) == [("grid_worker", territory["grid"])]
    with django_assert_num_queries(0):
        scope.role_holdings(user)
        scope.role_areas(user)
        scope.scope_q(user)


def test_one_holdings_source_for_the_project():
    # people registered its reader at start-up; saying so again changes nothing.
    scope.register_holdings_source(role_holdings_of)
    with pytest.raises(ImproperlyConfigured, match="role_holdings_of"):
        scope.register_holdings_source(lambda user: [])


@pytest.mark.django_db
def test_without_a_source_nobody_holds_anything(monkeypatch, territory):
    monkeypatch.setattr(scope, "_holdings_source", [])
    user = make_user("holder", role="district_admin", area=territory["district"])
    assert scope.role_holdings(user) == []
    assert scope.scope_q(user) is not None  # an empty scope, not "no limit"

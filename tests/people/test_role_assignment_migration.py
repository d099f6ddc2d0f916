"""RoleAssignment moved from core to people without touching its rows (people 0003).

Each test migrates a scratch database of the suite's engine (a SQLite file, or a new
PostgreSQL database beside the test one) with ``MigrationExecutor``; a database made
before the move is rebuilt by replaying core's original operations on role
assignments, exactly as they stood in core 0001 and 0003 before the move.
"""

from __future__ import annotations

import copy
import uuid
from contextlib import contextmanager

import django.db.models.deletion
import pytest
from django.conf import settings
from django.db import IntegrityError, connections, migrations, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from shezhi.areas.services import derive_geometry_fields
from tests.factories import square

# Where core's migrations stood before the move, and what they had done to the table.
BEFORE_THE_MOVE = [
    ("core", "0006_user_preference"),
    ("people", "0002_rosterimport"),
    ("areas", "0001_initial"),
]
PEOPLE_BEFORE_0003 = [("people", "0002_rosterimport")]
THE_GROUND = ("core", "areas", "people")
CORE_0001_ROLE_ASSIGNMENT = migrations.CreateModel(
    name="RoleAssignment",
    fields=[
        (
            "id",
            models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        (
            "role",
            models.CharField(
                choices=[
                    ("resident", "Resident"),
                    ("micro_grid_worker", "Micro-grid worker"),
                    ("grid_worker", "Full-time grid worker"),
                    ("community_staff", "Community staff"),
                    ("street_staff", "Street staff"),
                    ("department_staff", "Department staff"),
                    ("district_admin", "District admin"),
                    ("alliance_viewer", "Alliance viewer"),
                ],
                max_length=32,
                verbose_name="role",
            ),
        ),
        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
        (
            "area",
            models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="role_assignments",
                to="areas.area",
                verbose_name="area",
            ),
        ),
        (
            "user",
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="role_assignments",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
    ],
    options={
        "verbose_name": "role assignment",
        "verbose_name_plural": "role assignments",
        "constraints": [
            models.UniqueConstraint(fields=("user", "role", "area"), name="unique_role_per_area")
        ],
    },
)
CORE_0003_ROLE_ASSIGNMENT = [
    migrations.AddField(
        model_name="roleassignment",
        name="department",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="staff_roles",
            to="people.department",
            verbose_name="department",
        ),
    ),
    migrations.AddConstraint(
        model_name="roleassignment",
        constraint=models.CheckConstraint(
            condition=models.Q(
                models.Q(("department__isnull", False), ("role", "department_staff")),
                models.Q(
                    models.Q(("role", "department_staff"), _negated=True),
                    ("department__isnull", True),
                ),
                _connector="OR",
            ),
            name="department_only_and_always_for_department_staff",
        ),
    ),
]


@contextmanager
def scratch_database(tmp_path):
    """A new, empty database of the suite's engine, as a connection alias of its own."""
    base = connections["default"].settings_dict
    alias = f"scratch_{uuid.uuid4().hex[:8]}"
    vendor = connections["default"].vendor
    if vendor == "sqlite":
        name = str(tmp_path / "scratch.sqlite3")
    elif vendor == "postgresql":
        name = f"{base['NAME'][:40]}_{alias}"
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        pytest.skip(f"no scratch database on {vendor}")
    # Made here, not declared in settings: the ORM finds it by its alias (RunPython
    # writes through it) and Django's test case lets a connection made so be used.
    backend = load_backend(base["ENGINE"])
    connections[alias] = backend.DatabaseWrapper({**copy.deepcopy(base), "NAME": name}, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if vendor == "postgresql":
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def migrate(alias: str, targets=None) -> MigrationExecutor:
    """Migrate to ``targets`` (the latest of core, areas and people when None).

    The feature apps stay out: the move is between these three, and some feature apps'
    data migrations write through the default connection, not the one migrated.
    """
    executor = MigrationExecutor(connections[alias])
    graph = executor.loader.graph
    executor.migrate(targets or [leaf for app in THE_GROUND for leaf in graph.leaf_nodes(app)])
    return MigrationExecutor(connections[alias])  # a loader that sees what was applied


def replay_as_before_the_move(alias: str, operations) -> object:
    """Core's original operations on role assignments, run on the scratch database."""
    state = MigrationExecutor(connections[alias]).loader.project_state(BEFORE_THE_MOVE)
    with connections[alias].schema_editor() as editor:
        for operation in operations:
            after = state.clone()
            operation.state_forwards("core", after)
            operation.database_forwards("core", editor, state, after)
            state = after
    return state.apps


def cast(apps, alias: str) -> dict:
    """A district, a street, a department and two users, through historical models."""
    Area = apps.get_model("areas", "Area")
    boundary = square(113.0, 23.0, 113.1, 23.1)
    geometry = derive_geometry_fields(boundary)

    def area(path: str, code: str, level: str):
        return Area.objects.using(alias).create(
            path=path,
            depth=len(path) // 4,
            numchild=0,
            code=code,
            name=code,
            level=level,
            boundary=boundary,
            **geometry,
        )

    district = area("0001", "440101", "district")
    street = area("00010001", "440101001", "street")
    User = apps.get_model("auth", "User")
    return {
        "district": district,
        "street": street,
        "admin": User.objects.using(alias).create(username="admin", password="!"),
        "clerk": User.objects.using(alias).create(username="clerk", password="!"),
        "department": apps.get_model("people", "Department")
        .objects.using(alias)
        .create(district=district, code="cg", name="城管"),
    }


def holdings(apps, alias: str, app_label: str) -> set[tuple]:
    RoleAssignment = apps.get_model(app_label, "RoleAssignment")
    return set(
        RoleAssignment.objects.using(alias).values_list(
            "pk", "user__username", "role", "area__code", "department__code", "created_at"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_before_the_move_keeps_every_role_assignment(tmp_path):
    with scratch_database(tmp_path) as alias:
        migrate(alias, BEFORE_THE_MOVE)
        apps = replay_as_before_the_move(
            alias, [CORE_0001_ROLE_ASSIGNMENT, *CORE_0003_ROLE_ASSIGNMENT]
        )
        who = cast(apps, alias)
        Old = apps.get_model("core", "RoleAssignment")
        for user, role, area, department in [
            ("admin", "district_admin", "district", None),
            ("clerk", "street_staff", "street", None),
            ("clerk", "department_staff", "district", who["department"]),
        ]:
            Old.objects.using(alias).create(
                user=who[user], role=role, area=who[area], department=department
            )
        ContentType = apps.get_model("contenttypes", "ContentType")
        content_type = ContentType.objects.using(alias).create(
            app_label="core", model="roleassignment"
        )
        permission = (
            apps.get_model("auth", "Permission")
            .objects.using(alias)
            .create(
                content_type=content_type,
                codename="change_roleassignment",
                name="Can change role assignment",
            )
        )
        before = holdings(apps, alias, "core")
        assert len(before) == 3

        after = migrate(alias).loader.project_state().apps
        assert holdings(after, alias, "people") == before
        # The content type is the same row, renamed: the audit log and the permission
        # granted on it still point at role assignments.
        moved = after.get_model("contenttypes", "ContentType").objects.using(alias)
        assert list(moved.filter(model="roleassignment").values_list("pk", "app_label")) == [
            (content_type.pk, "people")
        ]
        assert (
            after.get_model("auth", "Permission").objects.using(alias).get(pk=permission.pk)
        ).content_type_id == content_type.pk
        # New rows go on after the old ones, in the same table.
        RoleAssignment = after.get_model("people", "RoleAssignment")
        assert RoleAssignment._meta.db_table == "core_roleassignment"
        added = RoleAssignment.objects.using(alias).create(
            user_id=who["admin"].pk, role="resident", area_id=who["street"].pk
        )
        assert added.pk > max(row[0] for row in before)

        # Back to before people 0003: the table and its rows stay (code of the release
        # before the move reads them as core's); forward again adopts them once more.
        back = migrate(alias, PEOPLE_BEFORE_0003)
        assert ("people", "0003_roleassignment") not in back.loader.applied_migrations
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM core_roleassignment")
            assert cursor.fetchone()[0] == 4
        again = migrate(alias).loader.project_state().apps
        assert len(holdings(again, alias, "people")) == 4
        assert (
            again.get_model("contenttypes", "ContentType")
            .objects.using(alias)
            .get(pk=content_type.pk)
            .app_label
            == "people"
        )


@pytest.mark.django_db(transaction=True)
def test_a_table_from_before_core_0003_gains_its_department_and_check(tmp_path):
    with scratch_database(tmp_path) as alias:
        migrate(alias, BEFORE_THE_MOVE)
        apps = replay_as_before_the_move(alias, [CORE_0001_ROLE_ASSIGNMENT])
        who = cast(apps, alias)
        apps.get_model("core", "RoleAssignment").objects.using(alias).create(
            user=who["admin"], role="district_admin", area=who["district"]
        )

        after = migrate(alias).loader.project_state().apps
        RoleAssignment = after.get_model("people", "RoleAssignment").objects.using(alias)
        assert list(RoleAssignment.values_list("user__username", "role", "department")) == [
            ("admin", "district_admin", None)
        ]
        with pytest.raises(IntegrityError), transaction.atomic(using=alias):
            RoleAssignment.create(
                user_id=who["clerk"].pk, role="department_staff", area_id=who["district"].pk
            )
        RoleAssignment.create(
            user_id=who["clerk"].pk,
            role="department_staff",
            area_id=who["district"].pk,
            department_id=who["department"].pk,
        )


@pytest.mark.django_db(transaction=True)
def test_a_new_database_installs_core_alone_then_people_creates_the_table(tmp_path):
    with scratch_database(tmp_path) as alias:
        core = migrate(alias, MigrationExecutor(connections[alias]).loader.graph.leaf_nodes("core"))
        # Core needs only Django's own apps: no area, no person, no table of theirs.
        assert {app for app, _ in core.loader.applied_migrations} == {
            "auth",
            "contenttypes",
            "core",
        }
        tables = connections[alias].introspection.table_names()
        assert "core_roleassignment" not in tables and "areas_area" not in tables

        apps = migrate(alias).loader.project_state().apps
        assert "core_roleassignment" in connections[alias].introspection.table_names()
        who = cast(apps, alias)
        RoleAssignment = apps.get_model("people", "RoleAssignment").objects.using(alias)
        RoleAssignment.create(user=who["admin"], role="district_admin", area=who["district"])
        with pytest.raises(IntegrityError), transaction.atomic(using=alias):
            RoleAssignment.create(user=who["admin"], role="district_admin", area=who["district"])

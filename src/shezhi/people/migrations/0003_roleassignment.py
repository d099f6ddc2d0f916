"""RoleAssignment moves from core to people, in its table ``core_roleassignment``.

Core created the table in its 0001 and 0003 until the model moved; those migrations no
longer touch it, so core depends on no app of the project. This migration takes over:

- on a new database it creates the table, exactly as core's migrations did;
- on a database migrated before the move the table is already there, with its rows:
  it is adopted as it is (no copy, no rename, nothing locked); one left by core 0001
  alone (before core 0003) gets the department column and the check 0003 added;
- the model's content type (which the audit log and any granted permissions point at)
  is renamed from core to people rather than made anew, so history stays attached.

Going back keeps the table and its rows (they may predate this migration, and code of
the release before the move reads them as core's) and renames the content type back;
coming forward again adopts the table. Do not squash this migration into a plain
CreateModel before every database has applied it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class CreateOrAdoptModel(migrations.CreateModel):
    """CreateModel that adopts the model's table when the database already has it."""

    reduces_to_sql = False  # what it does depends on the database it meets

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        introspection = schema_editor.connection.introspection
        table = model._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            if table not in introspection.table_names(cursor):
                schema_editor.create_model(model)
                return
            columns = {c.name for c in introspection.get_table_description(cursor, table)}
            constraints = set(introspection.get_constraints(cursor, table))
        # Adopted: add what an older table lacks (the department core 0003 added).
        for field in model._meta.local_fields:
            if field.column not in columns:
                schema_editor.add_field(model, field)
        for constraint in model._meta.constraints:
            if constraint.name not in constraints:
                schema_editor.add_constraint(model, constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # keep the table: see the module's docstring

    def describe(self):
        return f"Create model {self.name}, or adopt its table where it already exists"


def rename_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    # Where both exist (a content type made for the new label already), leave them be.
    if not types.filter(app_label=new, model="roleassignment").exists():
        types.filter(app_label=old, model="roleassignment").update(app_label=new)


def content_type_to_people(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="core", new="people")


def content_type_to_core(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="people", new="core")


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('people', '0002_rosterimport'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateOrAdoptModel(
            name='RoleAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('resident', 'Resident'), ('micro_grid_worker', 'Micro-grid worker'), ('grid_worker', 'Full-time grid worker'), ('community_staff', 'Community staff'), ('street_staff', 'Street staff'), ('department_staff', 'Department staff'), ('district_admin', 'District admin'), ('alliance_viewer', 'Alliance viewer')], max_length=32, verbose_name='role')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_assignments', to='areas.area', verbose_name='area')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff_roles', to='people.department', verbose_name='department')),
            ],
            options={
                'verbose_name': 'role assignment',
                'verbose_name_plural': 'role assignments',
                'db_table': 'core_roleassignment',
                'constraints': [models.UniqueConstraint(fields=('user', 'role', 'area'), name='unique_role_per_area'), models.CheckConstraint(condition=models.Q(models.Q(('department__isnull', False), ('role', 'department_staff')), models.Q(models.Q(('role', 'department_staff'), _negated=True), ('department__isnull', True)), _connector='OR'), name='department_only_and_always_for_department_staff', violation_error_message='Department staff must name their department; other roles must not.')],
            },
        ),
        migrations.RunPython(content_type_to_people, content_type_to_core),
    ]

# Lists flat at a million events (issue 14): a state's events newest first walk
# (state, created_at, id); a reporter's own reports newest first walk (reporter,
# created_at, id); "what I follow" is read from (user, event) alone. The reporter's
# and the follower's single-column indexes are dropped: the composites lead with
# them. Only the index is dropped (SQLite would otherwise copy the whole table to
# alter the field, a million events).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _drop_fk_index(app_label, model_name, column):
    """Drop the plain index on ``column`` alone (the foreign key's own), if any."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if (
                info["index"]
                and info["columns"] == [column]
                and not info["unique"]
                and not info["primary_key"]
                and not info["foreign_key"]
            ):
                schema_editor.execute(
                    schema_editor.sql_delete_index
                    % {"table": schema_editor.quote_name(table), "name": schema_editor.quote_name(name)}
                )

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(column.removesuffix("_id"))
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forwards, backwards)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_queue_state_created_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["state", "created_at", "id"], name="event_state_created_idx"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("reporter__isnull", False)),
                fields=["reporter", "created_at", "id"],
                name="event_reporter_created_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="eventfollower",
            index=models.Index(fields=["user", "event"], name="follower_user_event_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="reporter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reported_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reporter",
                    ),
                ),
                migrations.AlterField(
                    model_name="eventfollower",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="followed_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            database_operations=[
                _drop_fk_index("events", "Event", "reporter_id"),
                _drop_fk_index("events", "EventFollower", "user_id"),
            ],
        ),
    ]

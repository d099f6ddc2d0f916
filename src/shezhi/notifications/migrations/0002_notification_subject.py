"""A notification points at a generic subject (content type + id) instead of an event.

Adds the subject's two columns, copies each notification's event into them, then
removes the foreign key to the event; reversible (a subject that is an event goes
back into the foreign key).
"""

import django.db.models.deletion
from django.db import migrations, models


def _event_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="events", model="event")[0]


def event_to_subject(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    about_events = Notification.objects.filter(event__isnull=False)
    if about_events.exists():
        about_events.update(subject_type=_event_type(apps), subject_id=models.F("event_id"))


def subject_to_event(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    event_type = ContentType.objects.filter(app_label="events", model="event").first()
    if event_type is not None:
        Notification.objects.filter(subject_type=event_type).update(
            event_id=models.F("subject_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="subject"),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.RunPython(event_to_subject, subject_to_event, elidable=False),
        migrations.RemoveField(model_name="notification", name="event"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["subject_type", "subject_id"], name="notif_subject"),
        ),
    ]

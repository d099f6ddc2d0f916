# The dispatcher's queue lists one state's events oldest first within a subtree of the
# level holding them: this index answers it in order, the subtree filtered in the index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_event_idempotency_hash"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["state", "created_at", "owner_path"], name="event_queue_state_created_idx"
            ),
        ),
    ]

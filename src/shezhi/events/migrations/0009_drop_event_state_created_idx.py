# The (state, created_at, id) index of 0008 repeats 0007's (state, created_at,
# owner_path) in its first two columns: a state's events newest first walk that one
# (created_at orders them; the id only breaks the tie of two events of one moment).
# One index less to write with every event and every change of state.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_event_list_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="event",
            name="event_state_created_idx",
        ),
    ]

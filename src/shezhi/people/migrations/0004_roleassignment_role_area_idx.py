# Who holds a role in a set of areas (the grid workers over a queue's events, for its
# dispatch forms) as one probe of this index per area: PostgreSQL scanned the whole table of
# roles (127,000 at a million events a year, mostly residents') for them (6.6 -> 0.6 ms).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("people", "0003_roleassignment"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="roleassignment",
            index=models.Index(fields=["role", "area"], name="roleassignment_role_area_idx"),
        ),
    ]

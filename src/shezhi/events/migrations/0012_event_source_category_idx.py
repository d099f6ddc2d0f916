# Filters that meet rarely over large sets (a source with a category or a state: "API
# reports of one subcategory", "API reports voided") counted and read from one index
# on PostgreSQL, its INCLUDE carrying the order's keys (created_at, id), instead of a
# walk of the whole year for a page that never fills (street, category=class&source=api:
# 376 ms; issue 14). SQLite has no INCLUDE: Django creates the four columns there.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_alter_event_source"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["source", "category", "state", "area_path"],
                include=("created_at", "id"),
                name="event_source_category_idx",
            ),
        ),
    ]

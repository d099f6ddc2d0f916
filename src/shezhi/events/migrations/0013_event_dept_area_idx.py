# A department's events inside an area (department staff's events list with
# ``area=<community>``) as one range of an index: the department's partial index and the
# area's path range each hold tens of thousands of events at a million a year, their
# meeting a few thousand; the list walked the year for them (457 ms; issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_event_source_category_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("handler_department__isnull", False)),
                fields=["handler_department", "area_path"],
                name="event_dept_area_idx",
            ),
        ),
    ]

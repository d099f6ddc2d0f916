from django.db import migrations


def load_defaults(apps, schema_editor):
    from shezhi.events.default_categories import load

    load(apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]

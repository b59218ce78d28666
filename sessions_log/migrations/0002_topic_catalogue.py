from django.db import migrations


def load_catalogue(apps, schema_editor):
    from django.utils import translation

    from sessions_log.topics import CATALOGUE

    Topic = apps.get_model("sessions_log", "Topic")
    with translation.override("en"):
        for key, name in CATALOGUE.items():
            Topic.objects.get_or_create(key=key, defaults={"name": str(name)})


class Migration(migrations.Migration):
    dependencies = [("sessions_log", "0001_initial")]
    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]

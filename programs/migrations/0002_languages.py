from django.db import migrations


def load_languages(apps, schema_editor):
    from programs.languages import all_languages

    Language = apps.get_model("programs", "Language")
    existing = set(Language.objects.values_list("code", flat=True))
    Language.objects.bulk_create(
        Language(code=code, name=name)
        for code, name in all_languages().items()
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load_languages, migrations.RunPython.noop)]

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Organisation = apps.get_model("programs", "Organisation")
    taken = set()
    for org in Organisation.objects.order_by("pk"):
        base = slugify(org.name)[:50] or "organisation"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        org.slug = slug
        org.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0018_program_target_margin_and_volunteer_hour_rate"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="slug",
            field=models.SlugField(max_length=60, null=True, db_index=False, verbose_name="slug"),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organisation",
            name="slug",
            field=models.SlugField(
                help_text="The organisation's address in Lotse: /o/<slug>/.",
                max_length=60,
                unique=True,
                verbose_name="slug",
            ),
        ),
        migrations.CreateModel(
            name="OrganisationMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("coordinator", "Organisation coordinator")],
                        default="coordinator",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="programs.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="organisation_memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "organisation membership",
                "verbose_name_plural": "organisation memberships",
                "ordering": ["organisation", "user"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "organisation"),
                        name="organisation_membership_one_per_organisation",
                        violation_error_message="This person is already a member of the organisation.",
                    )
                ],
            },
        ),
    ]

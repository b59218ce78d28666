"""An index for a program's audit trail (``programs.audit.program_trail``) on PostgreSQL.

django-auditlog's table has no program column; each entry keeps its program in
``additional_data``. This expression index serves the trail page's filter and order.
"""

from django.db import migrations

INDEX = "lotse_auditlog_program_time"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry "
            "((additional_data -> 'program'), \"timestamp\" DESC, id DESC)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_encrypt_at_rest"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]

"""``manage.py rotate_encryption_key``: re-encrypt every encrypted field under the first key of
``FIELD_ENCRYPTION_KEY``, so the keys after it can be dropped."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from core import encryption


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEY. Run it "
        "after putting a new key first; then the old keys can be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=_("The database to re-encrypt.")
        )

    def handle(self, *args, database, **options):
        total, failed = 0, 0
        for model in apps.get_models():
            if not encryption.encrypted_fields(model):
                continue
            with transaction.atomic(using=database):
                rewritten, undecryptable = encryption.reencrypt(model, using=database)
            total += rewritten
            failed += len(undecryptable)
            if rewritten or undecryptable:
                self.stdout.write(
                    _("  %(model)s: %(rewritten)d re-encrypted, %(failed)d cannot be decrypted")
                    % {
                        "model": model._meta.label,
                        "rewritten": rewritten,
                        "failed": len(undecryptable),
                    }
                )
        if failed:
            raise CommandError(
                _(
                    "%(failed)d values cannot be decrypted with any key of FIELD_ENCRYPTION_KEY "
                    "and were left as they are (the log names them). Keep the old keys until "
                    "they are found."
                )
                % {"failed": failed}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(total)d values re-encrypted with the first key. The other keys of "
                    "FIELD_ENCRYPTION_KEY can now be removed."
                )
                % {"total": total}
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "transfer"
    verbose_name = _("Import and export")

    def ready(self):
        from programs import audit

        from .models import ImportJob

        # What the file held (problems quote its cells) stays out of the trail.
        audit.register(ImportJob, masked=["result", "error", "choices"])

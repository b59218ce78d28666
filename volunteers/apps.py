from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        from programs import audit

        from .models import SupervisionSession

        audit.register(SupervisionSession, masked=["confidential_notes"])

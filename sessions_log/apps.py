from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsLogConfig(AppConfig):
    name = "sessions_log"
    verbose_name = _("Sessions log")

    def ready(self):
        from programs import audit

        from . import personal_data
        from .models import Activity, Concern

        audit.register(Activity, masked=["notes"])
        audit.register(Concern, masked=["description", "outcome"])
        personal_data.register()

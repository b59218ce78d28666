from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from programs import audit

        from .models import Report

        masked = ["summary", "highlights", "challenges", "outlook", "kpi_snapshot"]
        audit.register(Report, masked=masked)

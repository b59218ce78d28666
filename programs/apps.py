from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self):
        from . import signals  # noqa: F401 (connects the security log to the auth signals)
        from .audit import register as audit
        from .models import Participant

        audit(Participant, masked=["alias"])

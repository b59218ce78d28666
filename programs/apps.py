from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self):
        from core.mail import register_language_lookup

        from . import preferences, signals  # noqa: F401 (connect to the auth signals)
        from .audit import register as audit
        from .models import Participant

        audit(Participant, masked=["alias"])
        register_language_lookup(preferences.recipient_languages)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsLogConfig(AppConfig):
    name = "sessions_log"
    verbose_name = _("Sessions log")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from programs import audit
        from programs.models import Language

        from . import personal_data
        from .forms import forget_language_choices
        from .models import Activity, Concern

        audit.register(Activity, masked=["notes"])
        audit.register(Concern, masked=["description", "outcome"])
        personal_data.register()
        # The log form's list of languages is kept in the cache (forms.language_choices).
        for signal in (post_save, post_delete):
            signal.connect(
                forget_language_choices,
                sender=Language,
                dispatch_uid=f"forget-language-choices-{id(signal)}",
            )

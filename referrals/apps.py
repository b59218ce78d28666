from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from programs import audit

        from . import personal_data
        from .models import Referral

        audit.register(Referral, masked=["outcome"])
        personal_data.register()

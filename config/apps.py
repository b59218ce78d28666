"""The admin and the libraries' apps under names a person reads in the admin's index
("Sign-in lockouts" rather than "Axes", "Two-factor devices" rather than "Otp_Totp")."""

from auditlog.apps import AuditlogConfig
from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig
from django_tasks_db.apps import TasksAppConfig


class LotseAdminConfig(AdminConfig):
    default_site = "config.admin.LotseAdminSite"


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class TOTPConfig(TOTPAppConfig):
    verbose_name = _("Two-factor devices")


class AuditTrailConfig(AuditlogConfig):
    verbose_name = _("Audit trail")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")

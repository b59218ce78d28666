from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditedReads, ReadOnly, ReadOnlyInline

from .models import Referral, ReferralEvent, ServiceProvider


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "program",
        "organisation",
        "area",
        "waiting_weeks",
        "accepts_self_referral",
        "active",
    ]
    list_filter = ["program", "category", "active", "accepts_self_referral", "languages"]
    list_select_related = ["program", "organisation", "area"]
    search_fields = ["name", "address", "email"]
    autocomplete_fields = ["program", "organisation", "area", "languages"]


class ReferralEventInline(ReadOnlyInline):
    """The status history, written when a referral moves on; shown read-only."""

    model = ReferralEvent
    fields = ["at", "from_status", "to_status", "by", "note"]
    verbose_name_plural = _("status history")


@admin.register(Referral)
class ReferralAdmin(AuditedReads, admin.ModelAdmin):
    list_display = [
        "referred_on",
        "participant",
        "provider",
        "category",
        "direction",
        "urgency",
        "status",
        "program",
    ]
    list_filter = ["program", "status", "direction", "urgency", "category", "consent_to_share"]
    list_select_related = ["participant", "provider", "program"]
    search_fields = ["participant__code", "provider__name", "ref"]
    date_hierarchy = "referred_on"
    autocomplete_fields = ["program", "participant", "provider", "match", "created_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["program", "participant", "direction", "provider", "category", "urgency"]},
        ),
        (_("Consent"), {"fields": ["consent_to_share", "consent_on"]}),
        (
            _("Progress"),
            {
                "fields": [
                    "status",
                    "referred_on",
                    "sent_on",
                    "appointment_on",
                    "closed_on",
                    "outcome",
                ]
            },
        ),
        (
            _("Record"),
            {"fields": ["match", "created_by", "ref", "version", "created_at", "updated_at"]},
        ),
    ]
    inlines = [ReferralEventInline]


@admin.register(ReferralEvent)
class ReferralEventAdmin(AuditedReads, ReadOnly, admin.ModelAdmin):
    """Status history is read here; it is written when a referral's status changes."""

    list_display = ["referral", "at", "from_status", "to_status", "by"]
    list_filter = ["to_status", ("referral__program", admin.RelatedFieldListFilter)]
    list_select_related = ["referral__participant", "referral__provider", "by"]
    search_fields = ["referral__participant__code", "referral__provider__name"]  # note: encrypted
    date_hierarchy = "at"

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit, lockout
from .models import (
    ActivityKind,
    Area,
    Funder,
    Grant,
    Language,
    Membership,
    Organisation,
    OrganisationMembership,
    Participant,
    Program,
    SecurityEvent,
    Site,
    SiteOccupancy,
    Target,
    UserPreference,
)
from .security import query_filters


class AuditedReads:
    """For the admin of participant-level and confidential records: opening a record (its
    change, history or delete page) and every page of its list are recorded in the audit
    trail, marked ``via: admin``, as the same reads in Lotse's own pages are."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            audit.log_access(obj, via="admin")
        return obj

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        audit.log_list_read(
            model=self.model,
            title=self.model._meta.verbose_name_plural,
            rows=changelist.result_list,
            list="admin",
            filters=query_filters(request, exclude=("p",)),
            page=changelist.page_num,
            via="admin",
        )
        return changelist


class ReadOnly:
    """Admin of what Lotse writes and nobody edits (logs, histories): to look at only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """A history shown beside its record; written by the services, never edited by hand."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "__str__"]
    search_fields = ["code", "name"]
    ordering = ["name"]


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "city", "country", "website", "has_logo"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationMembershipInline]

    @admin.display(description=_("logo"), boolean=True)
    def has_logo(self, obj):
        return bool(obj.logo)


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "contact_email"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "contact_email"]


class ProgramAdminForm(forms.ModelForm):
    """Edits the JSON list of activity kinds as a set of checkboxes."""

    activity_kinds = forms.MultipleChoiceField(
        label=Program._meta.get_field("activity_kinds").verbose_name,
        help_text=Program._meta.get_field("activity_kinds").help_text,
        choices=ActivityKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "slug",
            "lead_organisation",
            "partners",
            "description",
            "starts_on",
            "ends_on",
            "country",
            "default_language",
            "helper_term",
            "activity_kinds",
            "volunteer_edit_days",
            "participant_retention_months",
            "disclosure_threshold",
            "headline_indicators",
            "target_margin_points",
            "volunteer_hour_rate",
        ]

    def clean_activity_kinds(self):
        chosen = set(self.cleaned_data["activity_kinds"])
        # Stored in the order of ActivityKind, so the list is stable whatever the form sent.
        return [kind for kind in ActivityKind.values if kind in chosen]

    def clean_headline_indicators(self):
        return self.cleaned_data["headline_indicators"] or []  # an emptied box: the standard


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            choices = [("", "—"), *settings.LANGUAGES]
            return forms.ChoiceField(label=db_field.verbose_name, choices=choices, required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "name",
        "slug",
        "lead_organisation",
        "country",
        "default_language",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["country", "default_language", "lead_organisation"]
    list_select_related = ["lead_organisation"]
    search_fields = ["name", "slug", "lead_organisation__name"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["lead_organisation"]
    filter_horizontal = ["partners"]
    inlines = [MembershipInline]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "funder",
        "program",
        "amount",
        "currency",
        "starts_on",
        "ends_on",
        "report_language",
    ]
    list_filter = ["program", "funder", "currency", "report_language"]
    list_select_related = ["funder", "program"]
    search_fields = ["reference", "funder__name", "program__name"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["program", "funder"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "value", "program", "grant", "starts_on", "ends_on", "note"]
    list_filter = ["program", "indicator"]
    list_select_related = ["program", "grant__funder"]
    search_fields = ["note", "program__name", "grant__reference"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["program", "grant"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "created_at"]
    list_filter = ["program", "role"]
    list_select_related = ["user", "program"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "program__name",
    ]
    autocomplete_fields = ["user", "program"]
    readonly_fields = ["created_at"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "caseload_ratio_target", "staff_fte"]
    list_filter = ["program"]
    list_select_related = ["program"]
    search_fields = ["name", "program__name"]
    autocomplete_fields = ["program"]


class SiteOccupancyInline(admin.TabularInline):
    model = SiteOccupancy
    extra = 0
    fields = ["date", "residents"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "kind", "area", "city", "capacity", "active"]
    list_filter = ["program", "kind", "active"]
    list_select_related = ["program", "area"]
    search_fields = ["name", "city", "address"]
    autocomplete_fields = ["program", "area"]
    inlines = [SiteOccupancyInline]


@admin.register(SiteOccupancy)
class SiteOccupancyAdmin(admin.ModelAdmin):
    list_display = ["site", "date", "residents"]
    list_filter = [("site__program", admin.RelatedFieldListFilter)]
    list_select_related = ["site"]
    search_fields = ["site__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["site"]


@admin.register(Participant)
class ParticipantAdmin(AuditedReads, admin.ModelAdmin):
    """Pseudonymous participants: the list shows what is needed to find a record, no more.

    The alias is left out of the admin entirely: it is for the program's coordinators only.
    """

    list_display = [
        "code",
        "program",
        "year_of_birth",
        "gender",
        "site",
        "consent_on",
        "consent_scope",
    ]
    list_filter = ["program", "gender", "consent_scope"]
    list_select_related = ["program", "site"]
    search_fields = ["code"]
    fieldsets = [
        (None, {"fields": ["program", "code"]}),
        (
            _("About the person"),
            {"fields": ["year_of_birth", "gender", "languages", "country_of_origin", "site"]},
        ),
        (
            _("Consent and aftercare"),
            {"fields": ["consent_on", "consent_scope", "aftercare_until"]},
        ),
        (None, {"fields": ["created_at"]}),
    ]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["program", "site", "languages"]


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            choices = [("", "—"), *settings.LANGUAGES]
            return forms.ChoiceField(label=db_field.verbose_name, choices=choices, required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnly, admin.ModelAdmin):
    """The security log, read-only: events are written by Lotse and never changed."""

    list_display = ["created_at", "kind", "username", "ip_address", "program", "path"]
    list_filter = ["kind", "program", "created_at"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "created_at"
    list_select_related = ["program"]


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAttemptAdmin(AccessAttemptAdmin):
    """django-axes' failed sign-ins, with an action that unlocks their user names and records
    who did. Deleting attempts (an unrecorded unlock) is not offered."""

    actions = [*AccessAttemptAdmin.actions, "unlock"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description=_("Unlock the selected user names (from every address)"),
        permissions=["unlock"],
    )
    def unlock(self, request, queryset):
        usernames = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for username in usernames:
            lockout.unlock(username=username, by=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d user name unlocked.", "%(count)d user names unlocked.", len(usernames)
            )
            % {"count": len(usernames)},
        )

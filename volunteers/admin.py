from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditedReads, ReadOnly, ReadOnlyInline

from .models import (
    Enrollment,
    Invitation,
    SupervisionSession,
    Training,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
    VolunteerStatusChange,
)


class VolunteerStatusChangeInline(ReadOnlyInline):
    model = VolunteerStatusChange
    fields = ["changed_on", "from_status", "to_status", "reason", "changed_by"]
    verbose_name_plural = _("status history")


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "program", "status", "joined_on", "left_on", "employed_by"]
    list_filter = ["program", "status", "employed_by"]
    list_select_related = ["program", "employed_by"]
    search_fields = ["name", "code", "email"]
    autocomplete_fields = ["program", "user", "employed_by", "languages", "usual_sites"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["program", "code", "name", "user", "email", "phone"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "languages",
                    "prior_qualification",
                    "lived_refugee_experience",
                    "interests",
                    "availability",
                    "usual_sites",
                ]
            },
        ),
        (
            _("Status and employment"),
            {
                "fields": [
                    "status",
                    "joined_on",
                    "left_on",
                    "left_reason",
                    "employed_by",
                    "employed_since",
                    "created_at",
                ]
            },
        ),
    ]
    inlines = [VolunteerStatusChangeInline]


@admin.register(VolunteerStatusChange)
class VolunteerStatusChangeAdmin(ReadOnly, admin.ModelAdmin):
    """Status history is read here; it is written when a volunteer's status changes."""

    list_display = ["volunteer", "changed_on", "from_status", "to_status", "reason", "changed_by"]
    list_filter = ["to_status", ("volunteer__program", admin.RelatedFieldListFilter)]
    list_select_related = ["volunteer", "changed_by"]
    search_fields = ["volunteer__name", "volunteer__code", "reason"]
    date_hierarchy = "changed_on"


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0
    fields = ["date", "minutes", "topic"]
    show_change_link = True


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["volunteer", "status", "enrolled_on", "completed_on", "practice_hours", "certificate"]
    autocomplete_fields = ["volunteer"]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "kind", "starts_on", "ends_on", "planned_hours", "trainer"]
    list_filter = ["program", "kind"]
    list_select_related = ["program"]
    search_fields = ["title", "trainer"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["program"]
    inlines = [TrainingSessionInline, EnrollmentInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["training", "date", "minutes", "topic"]
    list_filter = [("training__program", admin.RelatedFieldListFilter), "training__kind"]
    list_select_related = ["training"]
    search_fields = ["training__title", "topic"]
    date_hierarchy = "date"
    autocomplete_fields = ["training"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = [
        "volunteer",
        "training",
        "status",
        "enrolled_on",
        "completed_on",
        "practice_hours",
    ]
    list_filter = ["status", ("training__program", admin.RelatedFieldListFilter), "training__kind"]
    list_select_related = ["volunteer", "training"]
    search_fields = ["volunteer__name", "volunteer__code", "training__title"]
    date_hierarchy = "enrolled_on"
    autocomplete_fields = ["training", "volunteer"]


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "session"]
    list_filter = [("session__training__program", admin.RelatedFieldListFilter)]
    list_select_related = ["volunteer", "session__training"]
    search_fields = ["volunteer__name", "volunteer__code", "session__training__title"]
    autocomplete_fields = ["session", "volunteer"]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(AuditedReads, admin.ModelAdmin):
    list_display = [
        "date",
        "kind",
        "program",
        "minutes",
        "supervisor_display",
        "attendee_count",
    ]
    list_filter = ["program", "kind"]
    list_select_related = ["program", "supervisor"]
    search_fields = [
        "supervisor_name",
        "supervisor__username",
        "supervisor__first_name",
        "supervisor__last_name",
        "topics",
    ]
    date_hierarchy = "date"
    autocomplete_fields = ["program", "supervisor", "attendees"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_attendee_count=Count("attendees"))

    @admin.display(description=_("supervisor"), ordering="supervisor_name")
    def supervisor_display(self, obj):
        if obj.supervisor_id:
            return obj.supervisor.get_full_name() or obj.supervisor.get_username()
        return obj.supervisor_name

    @admin.display(description=_("attendees"), ordering="_attendee_count")
    def attendee_count(self, obj):
        return obj._attendee_count


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "volunteer", "program", "created_at", "created_by", "accepted_at"]
    list_filter = ["program", "accepted_at"]
    search_fields = ["email", "volunteer__name"]
    list_select_related = ["volunteer", "program", "created_by"]
    raw_id_fields = ["volunteer", "created_by", "user"]

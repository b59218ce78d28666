from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditedReads

from .models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["__str__", "key", "program", "active"]
    list_filter = ["active", "program"]
    list_select_related = ["program"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["program"]


class ConcernInline(admin.StackedInline):
    model = Concern
    extra = 0
    fields = [
        "category",
        "severity",
        "description",
        "raised_by",
        "raised_at",
        "acknowledged_by",
        "acknowledged_at",
        "outcome",
    ]
    readonly_fields = ["raised_at"]
    autocomplete_fields = ["raised_by", "acknowledged_by"]


@admin.register(Activity)
class ActivityAdmin(AuditedReads, admin.ModelAdmin):
    list_display = [
        "date",
        "kind",
        "program",
        "site",
        "minutes",
        "attendees_total",
        "follow_up_needed",
        "logged_by",
    ]
    list_filter = ["program", "kind", "follow_up_needed", "interpreter_used"]
    list_select_related = ["program", "site", "logged_by"]
    search_fields = ["ref", "site__name", "program__name"]
    date_hierarchy = "date"
    autocomplete_fields = [
        "program",
        "site",
        "logged_by",
        "facilitators",
        "languages",
        "topics",
        "participants",
    ]
    readonly_fields = ["idempotency_key", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["program", "kind", "date", "minutes", "site", "facilitators"]}),
        (
            _("Content"),
            {"fields": ["topics", "languages", "interpreter_used", "notes", "follow_up_needed"]},
        ),
        (
            _("Who took part"),
            {
                "fields": [
                    "attendees_total",
                    "attendees_women",
                    "attendees_men",
                    "attendees_children",
                    "participants",
                ]
            },
        ),
        (
            _("Record"),
            {"fields": ["logged_by", "ref", "idempotency_key", "created_at", "updated_at"]},
        ),
    ]
    inlines = [ConcernInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is Concern:
            # A concern raised on an activity belongs to the activity's program.
            for concern in formset.save(commit=False):
                concern.program_id = form.instance.program_id
                concern.save()
            for concern in formset.deleted_objects:
                concern.delete()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)


class ConcernStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("acknowledged", _("Acknowledged"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(acknowledged_at__isnull=True)
        if self.value() == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


@admin.register(Concern)
class ConcernAdmin(AuditedReads, admin.ModelAdmin):
    list_display = [
        "raised_at",
        "category",
        "severity",
        "program",
        "raised_by",
        "acknowledged_at",
        "acknowledged_by",
    ]
    list_filter = [ConcernStateFilter, "severity", "category", "program"]
    list_select_related = ["program", "raised_by", "acknowledged_by"]
    search_fields = ["activity__ref", "program__name"]  # description, outcome: encrypted
    date_hierarchy = "raised_at"
    autocomplete_fields = ["program", "activity", "raised_by", "acknowledged_by"]
    readonly_fields = ["raised_at"]


@admin.register(Match)
class MatchAdmin(AuditedReads, admin.ModelAdmin):
    list_display = [
        "__str__",
        "program",
        "status",
        "proposed_on",
        "started_on",
        "ended_on",
        "end_reason",
    ]
    list_filter = ["program", "status", "end_reason"]
    list_select_related = ["program", "volunteer", "participant"]
    search_fields = ["volunteer__name", "volunteer__code", "participant__code"]
    date_hierarchy = "proposed_on"
    autocomplete_fields = ["program", "volunteer", "participant"]


@admin.register(SelfHelpGroup)
class SelfHelpGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "program",
        "contact_point",
        "topic_area",
        "status",
        "started_on",
        "accompaniment_ends_on",
        "follow_up_still_meeting",
    ]
    list_filter = ["program", "status", "topic_area", "follow_up_still_meeting"]
    list_select_related = ["program", "contact_point"]
    search_fields = ["name", "contact_point__name"]
    date_hierarchy = "started_on"
    autocomplete_fields = ["program", "contact_point", "volunteers"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(AuditedReads, admin.ModelAdmin):
    """Scores are never typed: they are computed from the answers when a measure is added, and
    the answers of a saved measure are read-only, so a score cannot go stale."""

    list_display = [
        "participant",
        "instrument",
        "timepoint",
        "date",
        "score",
        "score_percent",
        "complete",
        "positive_screen",
        "program",
        "administered_by",
    ]
    list_filter = ["program", "instrument", "timepoint", "complete", "positive_screen"]
    list_select_related = ["program", "participant", "administered_by"]
    search_fields = ["participant__code", "program__name", "custom_label"]
    date_hierarchy = "date"
    autocomplete_fields = ["program", "participant", "administered_by", "language"]
    computed = ["score", "score_percent", "complete", "positive_screen", "category", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.computed
        return ["program", "participant", "instrument", "answers", *self.computed]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.apply_score()
            obj.administered_by = obj.administered_by or request.user
        super().save_model(request, obj, form, change)

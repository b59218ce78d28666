import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Report

# What the generation and publication steps write: shown, never edited in the admin.
GENERATED = [
    "status",
    "version",
    "previous",
    "progress",
    "error",
    "task_id",
    "generation_started_at",
    "snapshot_at",
    "pdf",
    "checksum",
    "generated_at",
    "generated_by",
    "published_at",
    "published_by",
    "kpi_snapshot_display",
]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are generated and published by the application; the admin edits the narrative.

    Status, PDF and checksum are read-only as well as the snapshot and the generation and
    publication stamps: the database requires a generated or published report to carry its
    PDF, checksum and dates, and those come from the generation step, not from a form.
    """

    list_display = [
        "title",
        "program",
        "grant",
        "period_start",
        "period_end",
        "language",
        "version",
        "status",
        "published_at",
    ]
    list_filter = ["program", "status", "language"]
    list_select_related = ["program", "grant__funder"]
    search_fields = ["title", "program__name", "grant__reference"]
    date_hierarchy = "period_end"
    autocomplete_fields = ["program", "grant", "created_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "program",
                    "grant",
                    "title",
                    "period_start",
                    "period_end",
                    "language",
                    "created_by",
                ]
            },
        ),
        (_("Narrative"), {"fields": ["summary", "highlights", "challenges", "outlook"]}),
        (_("Generated document"), {"fields": GENERATED}),
    ]
    readonly_fields = GENERATED

    @admin.display(description=_("KPI snapshot"))
    def kpi_snapshot_display(self, obj):
        if obj.kpi_snapshot is None:
            return "—"
        text = json.dumps(obj.kpi_snapshot, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

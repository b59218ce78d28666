from django.urls import path

from . import views

# Included under /p/<program_slug>/ by config/urls.py.
program_urlpatterns = [
    path("data/import/", views.program_import, name="program_import"),
    path("data/import/<int:job_id>/", views.program_import_job, name="program_import_job"),
    path(
        "data/import/<int:job_id>/progress/",
        views.program_import_progress,
        name="program_import_progress",
    ),
    path("data/import/template/", views.program_import_template, name="program_import_template"),
    path("data/export/", views.program_export, name="program_export"),
]

from django.urls import path

from . import organisation_views, views

program_urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/<int:pk>/new-version/", views.report_new_version, name="report_new_version"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/xlsx/", views.report_xlsx, name="report_xlsx"),
]

# Under /o/<organisation_slug>/ (see programs/access.py, the organisation level).
organisation_urlpatterns = [
    path("report/", organisation_views.organisation_report, name="organisation_report"),
    path("report/pdf/", organisation_views.organisation_report_pdf, name="organisation_report_pdf"),
]

# Not scoped to one program: what the user may see across their programs.
urlpatterns = [
    path(
        "reports/",
        organisation_views.published_reports_across,
        name="published_reports_across",
    ),
]

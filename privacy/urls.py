from django.urls import path

from . import views

# Included under /p/<program_slug>/ by config/urls.py.
program_urlpatterns = [
    path(
        "participants/<int:pk>/data.json",
        views.participant_data_export,
        name="participant_data_export",
    ),
    path("participants/<int:pk>/erase/", views.participant_erase, name="participant_erase"),
]

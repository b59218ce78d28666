from django.urls import path

from . import views

program_urlpatterns = [
    path("", views.program_home, name="program_home"),
]

organisation_urlpatterns = [
    path("", views.organisation_home, name="organisation_home"),
]

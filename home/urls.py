from django.urls import path

from . import views

program_urlpatterns = [
    path("", views.program_home, name="program_home"),
]

from django.urls import path  # noqa: F401

program_urlpatterns = []

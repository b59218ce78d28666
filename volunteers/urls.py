from django.urls import path

from . import views

program_urlpatterns = [
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
]

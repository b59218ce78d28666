from django.urls import path

from . import views

program_urlpatterns = [
    path("volunteers/", views.VolunteerListView.as_view(), name="volunteer_list"),
]

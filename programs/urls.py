from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]

program_urlpatterns = [
    path("sites/", views.SiteListView.as_view(), name="site_list"),
]

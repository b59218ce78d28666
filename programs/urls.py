from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]

# Under /accounts/ beside Django's sign-in pages.
account_urlpatterns = [
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    # Before django.contrib.auth.urls, whose page of the same name it replaces.
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
]

program_urlpatterns = [
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/new/", views.SiteCreateView.as_view(), name="site_create"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.SiteEditView.as_view(), name="site_edit"),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/new/", views.AreaCreateView.as_view(), name="area_create"),
    path("areas/<int:pk>/edit/", views.AreaEditView.as_view(), name="area_edit"),
    path("audit/", views.AuditTrailView.as_view(), name="audit_trail"),
    path("audit/security/", views.SecurityLogView.as_view(), name="security_log"),
    path("members/<int:user_pk>/unlock/", views.member_unlock, name="member_unlock"),
]

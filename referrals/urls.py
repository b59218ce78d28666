from django.urls import path

from . import views

program_urlpatterns = [
    path("referrals/", views.ReferralListView.as_view(), name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/inbound/new/", views.referral_inbound_create, name="referral_inbound_create"),
    path("referrals/follow-up/", views.FollowUpListView.as_view(), name="referral_follow_up"),
    path("referrals/figures/", views.referral_stats, name="referral_stats"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral_edit"),
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/import/", views.provider_import, name="provider_import"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("providers/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
]

from django.urls import path

from . import views

# Relative to /p/<program_slug>/ (see config/urls.py).
program_urlpatterns = [
    path("log/", views.activity_log, name="activity_log"),
    path("my-sessions/", views.MySessionsView.as_view(), name="my_sessions"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("participants/", views.ParticipantListView.as_view(), name="participant_list"),
    path("participants/new/", views.participant_quick_create, name="participant_quick_create"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path(
        "participants/<int:pk>/outcomes/new/",
        views.outcome_measure_create,
        name="outcome_measure_create",
    ),
    path("outcomes/due/", views.OutcomeDueListView.as_view(), name="outcome_due_list"),
    path("concerns/", views.ConcernListView.as_view(), name="concern_list"),
    path("concerns/<int:pk>/acknowledge/", views.concern_acknowledge, name="concern_acknowledge"),
    path("matches/", views.MatchListView.as_view(), name="match_list"),
    path("matches/new/", views.match_create, name="match_create"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path(
        "matches/<int:pk>/<slug:action>/",
        views.match_action,
        name="match_action",
    ),
    path("selfhelp/", views.SelfHelpGroupListView.as_view(), name="selfhelp_list"),
    path("selfhelp/new/", views.selfhelp_create, name="selfhelp_create"),
    path("selfhelp/<int:pk>/", views.selfhelp_detail, name="selfhelp_detail"),
    path("selfhelp/<int:pk>/edit/", views.selfhelp_edit, name="selfhelp_edit"),
    path("selfhelp/<int:pk>/status/", views.selfhelp_status, name="selfhelp_status"),
    path("selfhelp/<int:pk>/follow-up/", views.selfhelp_follow_up, name="selfhelp_follow_up"),
]

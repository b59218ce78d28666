from django.urls import path

from .views import (
    activities,
    concerns,
    matches,
    offline,
    outcomes,
    participants,
    quality,
    selfhelp,
)

# Relative to /p/<program_slug>/ (see config/urls.py).
program_urlpatterns = [
    path("log/", activities.activity_log, name="activity_log"),
    path("log/sync/", offline.activity_sync, name="activity_sync"),
    path("my-sessions/", activities.MySessionsView.as_view(), name="my_sessions"),
    path("activities/", activities.ActivityListView.as_view(), name="activity_list"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("participants/", participants.ParticipantListView.as_view(), name="participant_list"),
    path(
        "participants/new/",
        participants.participant_quick_create,
        name="participant_quick_create",
    ),
    path("participants/<int:pk>/", participants.participant_detail, name="participant_detail"),
    path(
        "participants/<int:pk>/outcomes/new/",
        outcomes.outcome_measure_create,
        name="outcome_measure_create",
    ),
    path("outcomes/due/", outcomes.OutcomeDueListView.as_view(), name="outcome_due_list"),
    path("concerns/", concerns.ConcernListView.as_view(), name="concern_list"),
    path(
        "concerns/<int:pk>/acknowledge/",
        concerns.concern_acknowledge,
        name="concern_acknowledge",
    ),
    path("matches/", matches.MatchListView.as_view(), name="match_list"),
    path("matches/new/", matches.match_create, name="match_create"),
    path("matches/<int:pk>/", matches.match_detail, name="match_detail"),
    path(
        "matches/<int:pk>/<slug:action>/",
        matches.match_action,
        name="match_action",
    ),
    path("selfhelp/", selfhelp.SelfHelpGroupListView.as_view(), name="selfhelp_list"),
    path("selfhelp/new/", selfhelp.selfhelp_create, name="selfhelp_create"),
    path("selfhelp/<int:pk>/", selfhelp.selfhelp_detail, name="selfhelp_detail"),
    path("selfhelp/<int:pk>/edit/", selfhelp.selfhelp_edit, name="selfhelp_edit"),
    path("selfhelp/<int:pk>/status/", selfhelp.selfhelp_status, name="selfhelp_status"),
    path("selfhelp/<int:pk>/follow-up/", selfhelp.selfhelp_follow_up, name="selfhelp_follow_up"),
    path("data-quality/", quality.data_quality, name="data_quality"),
]

# Outside any program: the installable app's service worker and manifest.
app_urlpatterns = [
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
]

from django.urls import path

from . import views

program_urlpatterns = [
    path("volunteers/", views.VolunteerListView.as_view(), name="volunteer_list"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/status/", views.volunteer_status, name="volunteer_status"),
    path("volunteers/<int:pk>/invite/", views.volunteer_invite, name="volunteer_invite"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<int:pk>/sessions/", views.training_session_add, name="training_session_add"),
    path(
        "trainings/<int:pk>/sessions/<int:session_pk>/",
        views.training_session_edit,
        name="training_session_edit",
    ),
    path(
        "trainings/<int:pk>/sessions/<int:session_pk>/all-present/",
        views.training_session_all_present,
        name="training_session_all_present",
    ),
    path("trainings/<int:pk>/enrol/", views.training_enrol, name="training_enrol"),
    path("trainings/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
    path(
        "trainings/<int:pk>/enrolments/<int:enrollment_pk>/",
        views.enrollment_complete,
        name="enrollment_complete",
    ),
    path(
        "trainings/<int:pk>/certificate/<int:enrollment_pk>.pdf",
        views.training_certificate,
        name="training_certificate",
    ),
    path("supervision/", views.SupervisionListView.as_view(), name="supervision_list"),
    path("supervision/new/", views.supervision_create, name="supervision_create"),
    path(
        "supervision/overdue/", views.SupervisionOverdueView.as_view(), name="supervision_overdue"
    ),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision_detail"),
    path("supervision/<int:pk>/edit/", views.supervision_edit, name="supervision_edit"),
    path("my/training/", views.my_training, name="my_training"),
]

# Under /accounts/: the link of an invitation e-mail (no program scope: the token says which).
account_urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

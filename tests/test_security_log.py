"""The security log: sign-ins, failures, sign-outs, refusals and exports, with user, IP, time."""

import logging

import pytest
from django.urls import reverse

from programs.models import SecurityEvent

from .factories import PASSWORD, EnrollmentFactory, ParticipantFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


def _events(kind):
    return list(SecurityEvent.objects.filter(kind=kind))


def test_it_logs_a_sign_in_with_user_and_ip(client, alice, caplog):
    with caplog.at_level(logging.INFO, logger="lotse.security"):
        client.post(
            reverse("login"),
            {"username": alice.username, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.7",
        )
    (event,) = _events(Kind.LOGIN)
    assert event.user == alice
    assert event.ip_address == "203.0.113.7"
    assert event.created_at is not None
    assert "login user=alice@example.org ip=203.0.113.7" in caplog.text


def test_it_logs_a_failed_sign_in_with_the_name_tried(client, alice):
    client.post(
        reverse("login"),
        {"username": alice.username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.8",
    )
    (event,) = _events(Kind.LOGIN_FAILED)
    assert event.username == alice.username
    assert event.user is None
    assert event.ip_address == "203.0.113.8"


def test_it_logs_a_sign_out(login, alice):
    client = login(alice)
    client.post(reverse("logout"))
    (event,) = _events(Kind.LOGOUT)
    assert event.user == alice


def test_it_logs_a_non_member_refused_with_the_program_tried(login, program, charlie):
    login(charlie).get(reverse("program_home", args=[program.slug]))
    (event,) = _events(Kind.ACCESS_DENIED)
    assert event.user == charlie
    assert event.program == program
    assert event.detail["status"] == 404
    assert event.path == reverse("program_home", args=[program.slug])


def test_it_logs_a_role_refused(login, program, bob):
    login(bob).get(reverse("volunteer_list", args=[program.slug]))
    (event,) = _events(Kind.ACCESS_DENIED)
    assert event.detail == {"status": 403, "permission": "manage_program", "role": "volunteer"}


def test_it_logs_a_list_export_with_its_filter(login, program, alice):
    ParticipantFactory(program=program)
    url = reverse("participant_list", args=[program.slug])
    login(alice).get(url, {"export": "csv", "gender": "female", "page": "2"})
    (event,) = _events(Kind.EXPORT)
    assert event.user == alice
    assert event.program == program
    assert event.detail["format"] == "csv"
    assert event.detail["filters"] == {"gender": "female"}


def test_it_logs_a_certificate_download(login, program, alice):
    enrollment = EnrollmentFactory(
        training__program=program,
        volunteer=VolunteerFactory(program=program),
        status="completed",
        completed_on="2024-05-01",
    )
    url = reverse(
        "training_certificate", args=[program.slug, enrollment.training_id, enrollment.pk]
    )
    assert login(alice).get(url).status_code == 200
    (event,) = _events(Kind.EXPORT)
    assert event.detail["what"] == "training_certificate"
    assert event.detail["filters"]["enrollment"] == enrollment.pk


def test_it_logs_the_program_data_export_with_what_consent_left_out(login, program, alice):
    ParticipantFactory(program=program)  # no consent recorded
    exported = ParticipantFactory(
        program=program, consent_on="2024-01-01", consent_scope="evaluation"
    )
    url = reverse("program_export", args=[program.slug])
    response = login(alice).get(
        url, {"start": "2024-01-01", "end": "2024-12-31", "file_format": "xlsx"}
    )
    assert response.status_code == 200
    (event,) = _events(Kind.EXPORT)
    assert event.detail == {
        "what": "program_data",
        "format": "xlsx",
        "filters": {"start": "2024-01-01", "end": "2024-12-31"},
        "withheld": {"participants": 1, "referrals": 0},
        "participants": [exported.pk],  # the people the file holds
    }


def test_it_logs_an_import_of_the_programs_data(
    login, program, alice, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .transfer.helpers import sample_sheets, write_xlsx

    settings.MEDIA_ROOT = tmp_path
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())
    client = login(alice)
    url = reverse("program_import", args=[program.slug])
    with django_capture_on_commit_callbacks(execute=True):  # the worker checks the file
        queued = client.post(url, {"file": SimpleUploadedFile("data.xlsx", path.read_bytes())})
    preview = client.get(queued.url)
    confirm = preview.context["confirm"]
    choices = {field.name: field.value() for field in confirm.new_value_fields()}
    with django_capture_on_commit_callbacks(execute=True):  # and imports it
        client.post(queued.url, {"token": confirm["token"].value(), **choices})
    (event,) = _events(Kind.IMPORT)
    assert event.user == alice
    assert event.program == program
    assert event.detail["what"] == "program_data"
    assert event.detail["counts"]["sites"]["new"] == 2


def test_it_logs_an_import_of_service_providers(login, program, alice):
    from .referrals.test_directory import HEADER, csv_file

    client = login(alice)
    url = reverse("provider_import", args=[program.slug])
    preview = client.post(url, {"file": csv_file(HEADER + "\nPSZ,psychosocial_centre\n")})
    client.post(url, {"payload": preview.context["confirm"]["payload"].value()})
    (event,) = _events(Kind.IMPORT)
    assert event.detail == {
        "what": "service_providers",
        "counts": {"new": 1, "updated": 0, "unchanged": 0},
    }


def _wrong_password(client, user, ip):
    return client.post(
        reverse("login"), {"username": user.username, "password": "wrong"}, REMOTE_ADDR=ip
    )


def test_it_logs_lockouts_refusals_and_who_unlocked(client, settings, program, alice, bob):
    from django.test import Client

    settings.AXES_ENABLED = True
    for _ in range(5):
        _wrong_password(client, bob, "198.51.100.1")
    (event,) = _events(Kind.LOCKOUT)
    assert event.username == bob.username
    assert event.ip_address == "198.51.100.1"
    assert _events(Kind.ACCOUNT_LOCKOUT) == []

    for _ in range(5):
        _wrong_password(client, bob, "198.51.100.2")
    (event,) = _events(Kind.ACCOUNT_LOCKOUT)
    assert event.username == bob.username
    assert event.detail == {"failures": 10}

    client.post(
        reverse("login"), {"username": bob.username, "password": PASSWORD}, REMOTE_ADDR="::1"
    )
    (event,) = _events(Kind.LOCKOUT_REFUSED)
    assert event.username == bob.username
    assert event.ip_address == "::1"
    assert event.detail == {"scope": "account"}

    coordinator = Client()
    coordinator.force_login(alice)
    coordinator.post(reverse("member_unlock", args=[program.slug, bob.pk]))
    (event,) = _events(Kind.UNLOCKED)
    assert event.username == bob.username
    assert event.user == alice
    assert event.program == program
    assert event.detail == {"by": alice.username}

    log = coordinator.get(reverse("security_log", args=[program.slug])).text
    for kind in (Kind.LOCKOUT, Kind.ACCOUNT_LOCKOUT, Kind.LOCKOUT_REFUSED, Kind.UNLOCKED):
        assert str(kind.label) in log


def test_it_logs_an_unlock_in_the_admin(client, settings, alice, admin_client, admin_user):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    for _ in range(5):
        _wrong_password(client, alice, "198.51.100.1")
    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "unlock",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
        },
    )
    (event,) = _events(Kind.UNLOCKED)
    assert event.username == alice.username
    assert event.user == admin_user
    assert event.program is None

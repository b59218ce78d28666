"""Trainings: sessions, enrolment, the attendance grid, completion and certificates."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programs.models import Membership
from volunteers.models import Enrollment, TrainingAttendance

from ..factories import (
    EnrollmentFactory,
    MembershipFactory,
    TrainingFactory,
    TrainingSessionFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def training(program):
    return TrainingFactory(
        program=program,
        title="Grundschulung Laienhelfer",
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 3, 31),
        planned_hours=9,
    )


@pytest.fixture
def sessions(training):
    return [
        TrainingSessionFactory(training=training, date=dt.date(2024, 3, d), minutes=180)
        for d in (1, 8, 15)
    ]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_list_shows_sessions_enrolled_and_completed(login, alice, program, sessions):
    training = sessions[0].training
    EnrollmentFactory.create_batch(2, training=training)
    EnrollmentFactory(training=training, status="completed", completed_on=dt.date(2024, 3, 31))
    EnrollmentFactory(training=training, status="dropped")
    response = login(alice).get(reverse("training_list", args=[program.slug]))
    row = [cell["text"] for cell in response.context["rows"][0]]
    assert row[:6] == [
        "Grundschulung Laienhelfer",
        "Basic training",
        "1 Mar 2024",
        "31 Mar 2024",
        "9.0",
        "3",
    ]
    assert row[6:] == ["9.0", "3", "1"]  # session hours, enrolled (not dropped), completed


def test_a_training_cannot_end_before_it_starts(login, alice, program):
    response = login(alice).post(
        reverse("training_create", args=[program.slug]),
        {
            "title": "Refresher",
            "kind": "refresher",
            "starts_on": "2024-05-02",
            "ends_on": "2024-05-01",
            "planned_hours": "4",
        },
    )
    assert "The training cannot end before it starts." in response.text
    assert not program.trainings.exists()


def test_it_creates_a_training_and_adds_a_session_within_its_period(login, alice, program):
    client = login(alice)
    response = client.post(
        reverse("training_create", args=[program.slug]),
        {
            "title": "Refresher",
            "kind": "refresher",
            "starts_on": "2024-05-01",
            "ends_on": "2024-05-31",
            "planned_hours": "4",
        },
    )
    training = program.trainings.get()
    assert response.url == reverse("training_detail", args=[program.slug, training.pk])
    add = reverse("training_session_add", args=[program.slug, training.pk])
    outside = client.post(add, {"date": "2024-06-01", "minutes": "120"})
    assert outside.status_code == 422
    assert "The training runs from 2024-05-01 to 2024-05-31." in outside.text
    client.post(add, {"date": "2024-05-10", "minutes": "120", "topic": "Self-care"})
    assert list(training.sessions.values_list("topic", flat=True)) == ["Self-care"]


def test_enrolling_offers_only_volunteers_not_yet_enrolled(login, alice, program, training):
    enrolled = EnrollmentFactory(training=training).volunteer
    amal = VolunteerFactory(program=program, name="Amal")
    VolunteerFactory(program=program, name="Gone", status="left", left_on=TODAY)
    client = login(alice)
    detail = client.get(reverse("training_detail", args=[program.slug, training.pk]))
    offered = list(detail.context["enrol_form"].fields["volunteers"].queryset)
    assert offered == [amal]
    client.post(
        reverse("training_enrol", args=[program.slug, training.pk]),
        {"volunteers": [amal.pk], "enrolled_on": "2024-03-01"},
    )
    assert set(training.enrollments.values_list("volunteer__name", flat=True)) == {
        enrolled.name,
        "Amal",
    }


def test_another_programs_volunteer_cannot_be_enrolled(
    login, alice, program, other_program, training
):
    stranger = VolunteerFactory(program=other_program)
    response = login(alice).post(
        reverse("training_enrol", args=[program.slug, training.pk]),
        {"volunteers": [stranger.pk], "enrolled_on": "2024-03-01"},
    )
    assert response.status_code == 422
    assert not training.enrollments.exists()


# ---- the attendance grid ---------------------------------------------------------------------


def test_the_grid_saves_marks_and_removes_unmarked_ones_in_one_post(
    login, alice, program, training, sessions
):
    amal = EnrollmentFactory(training=training, volunteer__name="Amal").volunteer
    bilal = EnrollmentFactory(training=training, volunteer__name="Bilal").volunteer
    s1, s2, s3 = sessions
    TrainingAttendance.objects.create(session=s1, volunteer=bilal)  # to be removed
    TrainingAttendance.objects.create(session=s2, volunteer=amal)  # to be kept
    url = reverse("training_attendance", args=[program.slug, training.pk])
    response = login(alice).post(
        url,
        {"mark": [f"{s1.pk}-{amal.pk}", f"{s2.pk}-{amal.pk}", f"{s3.pk}-{bilal.pk}"]},
        follow=True,
    )
    assert set(TrainingAttendance.objects.values_list("session_id", "volunteer_id")) == {
        (s1.pk, amal.pk),
        (s2.pk, amal.pk),
        (s3.pk, bilal.pk),
    }
    assert "Attendance saved: 2 marks added, 1 mark removed." in response.text
    rows = {row.volunteer.name: row for row in response.context["grid"].rows}
    assert rows["Amal"].marks == {s1.pk, s2.pk}
    assert "6.0 of 9.0 h" in response.text  # Amal: 2 × 180 min
    assert "3.0 of 9.0 h" in response.text  # Bilal


def test_the_grid_shows_ticked_boxes_after_a_reload(login, alice, program, training, sessions):
    amal = EnrollmentFactory(training=training).volunteer
    TrainingAttendance.objects.create(session=sessions[1], volunteer=amal)
    response = login(alice).get(reverse("training_attendance", args=[program.slug, training.pk]))
    assert f'value="{sessions[1].pk}-{amal.pk}" checked' in response.text
    assert f'value="{sessions[0].pk}-{amal.pk}">' in response.text


def test_an_htmx_tick_saves_and_answers_with_the_updated_hours(
    login, alice, program, training, sessions
):
    amal = EnrollmentFactory(training=training).volunteer
    response = login(alice).post(
        reverse("training_attendance", args=[program.slug, training.pk]),
        {"mark": [f"{sessions[0].pk}-{amal.pk}"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert TrainingAttendance.objects.filter(volunteer=amal).count() == 1
    assert f'id="hours-{amal.pk}" hx-swap-oob="true"' in response.text
    assert "3.0 of 9.0 h" in response.text
    assert "Attendance saved." in response.text


def test_the_grid_refuses_marks_outside_the_training(login, alice, program, training, sessions):
    amal = EnrollmentFactory(training=training).volunteer
    outsider = VolunteerFactory(program=program)
    other_session = TrainingSessionFactory(training__program=program)
    url = reverse("training_attendance", args=[program.slug, training.pk])
    client = login(alice)
    for mark in (f"{sessions[0].pk}-{outsider.pk}", f"{other_session.pk}-{amal.pk}"):
        response = client.post(url, {"mark": [mark]}, follow=True)
        assert "could not be saved" in response.text
    assert client.post(url, {"mark": ["drop table"]}).status_code == 400
    assert not TrainingAttendance.objects.exists()


def test_a_volunteer_cannot_open_the_grid(login, bob, program, training):
    url = reverse("training_attendance", args=[program.slug, training.pk])
    assert login(bob).post(url, {"mark": []}).status_code == 403


# ---- completion and certificates -------------------------------------------------------------


def test_completion_needs_a_date_not_before_enrolment(login, alice, program, training):
    enrollment = EnrollmentFactory(training=training, enrolled_on=dt.date(2024, 3, 1))
    url = reverse("enrollment_complete", args=[program.slug, training.pk, enrollment.pk])
    client = login(alice)
    response = client.post(url, {"status": "completed", "completed_on": "2024-02-28"})
    assert "cannot be before the enrolment" in response.text
    response = client.post(url, {"status": "completed", "completed_on": ""})
    assert "Please give the date the training was completed." in response.text
    client.post(url, {"status": "completed", "completed_on": "2024-03-31"})
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_on) == ("completed", dt.date(2024, 3, 31))


def test_dropping_out_clears_the_completion_date(login, alice, program, training):
    enrollment = EnrollmentFactory(
        training=training, status="completed", completed_on=dt.date(2024, 3, 31)
    )
    url = reverse("enrollment_complete", args=[program.slug, training.pk, enrollment.pk])
    login(alice).post(url, {"status": "dropped", "completed_on": "2024-03-31"})
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_on) == ("dropped", None)


@pytest.fixture
def completed(training, sessions):
    enrollment = EnrollmentFactory(
        training=training,
        volunteer__name="Samira Haddad",
        status=Enrollment.Status.COMPLETED,
        completed_on=dt.date(2024, 3, 31),
    )
    for session in sessions[:2]:
        session.attendances.create(volunteer=enrollment.volunteer)
    return enrollment


def test_the_certificate_is_a_pdf_in_the_programs_language(login, alice, program, completed):
    program.lead_organisation.name = "Psychosoziales Zentrum Düsseldorf"
    program.lead_organisation.save()
    url = reverse("training_certificate", args=[program.slug, completed.training.pk, completed.pk])
    response = login(alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Samira Haddad" in text
    assert "Grundschulung Laienhelfer" in text
    assert "Psychosoziales Zentrum Düsseldorf" in text
    assert "in2balance" in text
    assert "6.0 of 9.0" in text or "6,0" in text  # attended hours, in German once translated
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata["/Producer"].startswith("WeasyPrint")
    assert "Samira Haddad" in reader.metadata["/Title"]


def _font_names(content: bytes) -> set[str]:
    """The fonts embedded in a PDF, without the subset prefix and hyphens ("NotoSansArabicBold")."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1]
            names.add(name.replace("-", ""))
    return names


@pytest.mark.parametrize(
    "name, font",
    [("سميرة حداد", "NotoSansArabic"), ("ሳምራዊት ተስፋይ", "NotoSansEthiopic")],
    ids=["arabic", "ethiopic"],
)
def test_a_name_in_arabic_or_ethiopic_script_prints_in_the_bundled_font(
    login, alice, program, completed, name, font
):
    completed.volunteer.name = name
    completed.volunteer.save()
    url = reverse("training_certificate", args=[program.slug, completed.training.pk, completed.pk])
    response = login(alice).get(url)
    assert response.status_code == 200
    fonts = _font_names(response.content)
    assert any(f.startswith(font) for f in fonts), fonts
    latin = {f for f in fonts if not f.startswith(("NotoSansArabic", "NotoSansEthiopic"))}
    assert latin and all(f.startswith("NotoSans") for f in latin), fonts


def test_there_is_no_certificate_before_completion(login, alice, program, training):
    enrollment = EnrollmentFactory(training=training)
    url = reverse("training_certificate", args=[program.slug, training.pk, enrollment.pk])
    assert login(alice).get(url).status_code == 404


def test_a_certificate_of_another_program_is_not_found(login, charlie, program, completed):
    url = reverse("training_certificate", args=[program.slug, completed.training.pk, completed.pk])
    assert login(charlie).get(url).status_code == 404


def test_a_volunteer_downloads_their_own_certificate_only(login, bob, program, completed):
    client = login(bob)
    url = reverse("training_certificate", args=[program.slug, completed.training.pk, completed.pk])
    assert client.get(url).status_code == 404  # Samira's, not Bob's
    mine = EnrollmentFactory(
        training=completed.training,
        volunteer=VolunteerFactory(program=program, user=bob, name="Bob Berger"),
        status="completed",
        completed_on=dt.date(2024, 3, 31),
    )
    response = client.get(
        reverse("training_certificate", args=[program.slug, mine.training.pk, mine.pk])
    )
    assert response.status_code == 200
    assert "Bob Berger" in _pdf_text(response.content)


@pytest.mark.parametrize("role", ["supervisor", "funder"])
def test_other_roles_get_no_certificate(client, program, completed, role):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=Membership.Role(role))
    client.force_login(user)
    url = reverse("training_certificate", args=[program.slug, completed.training.pk, completed.pk])
    assert client.get(url).status_code == 403  # refused by role, as the role table says

"""Volunteers: create and edit, the profile page, and status changes with their history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs.models import Language
from volunteers.models import Volunteer, VolunteerStatusChange
from volunteers.services import volunteer_change_status

from ..factories import (
    ActivityFactory,
    EnrollmentFactory,
    SiteFactory,
    SupervisionSessionFactory,
    TrainingSessionFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_it_creates_a_volunteer_with_languages_sites_and_a_first_history_entry(
    login, alice, program
):
    site = SiteFactory(program=program, name="Unterkunft Nord")
    response = login(alice).post(
        reverse("volunteer_create", args=[program.slug]),
        {
            "code": "V-100",
            "name": "Amal Haddad",
            "status": "training",
            "languages": ["ar", "de"],
            "usual_sites": [site.pk],
            "lived_refugee_experience": "true",
        },
    )
    volunteer = program.volunteers.get(code="V-100")
    assert response.status_code == 302
    assert response.url == reverse("volunteer_detail", args=[program.slug, volunteer.pk])
    assert set(volunteer.languages.values_list("code", flat=True)) == {"ar", "de"}
    assert list(volunteer.usual_sites.all()) == [site]
    assert volunteer.lived_refugee_experience is True
    change = volunteer.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "training", alice)


def test_a_new_active_volunteer_gets_todays_joining_date(login, alice, program):
    login(alice).post(
        reverse("volunteer_create", args=[program.slug]),
        {"code": "V-1", "name": "Berit", "status": "active", "lived_refugee_experience": "unknown"},
    )
    assert program.volunteers.get(code="V-1").joined_on == TODAY


def test_a_code_already_used_in_the_program_is_refused_with_a_message(login, alice, program):
    VolunteerFactory(program=program, code="V-007", name="First")
    response = login(alice).post(
        reverse("volunteer_create", args=[program.slug]),
        {"code": "v-007", "name": "Second", "status": "applicant"},
    )
    assert response.status_code == 200
    assert "Another volunteer in this program already has the code" in response.text
    assert response.context["form"]["name"].value() == "Second"  # nothing typed is lost
    assert program.volunteers.count() == 1


def test_the_same_code_in_another_program_is_fine(login, alice, program, other_program):
    VolunteerFactory(program=other_program, code="V-007")
    login(alice).post(
        reverse("volunteer_create", args=[program.slug]),
        {"code": "V-007", "name": "Here", "status": "applicant"},
    )
    assert program.volunteers.filter(code="V-007").exists()


def test_editing_keeps_the_own_code_and_refuses_another_programs_site(
    login, alice, program, other_program
):
    volunteer = VolunteerFactory(program=program, code="V-1", name="Cem")
    foreign = SiteFactory(program=other_program)
    client = login(alice)
    url = reverse("volunteer_edit", args=[program.slug, volunteer.pk])
    response = client.post(url, {"code": "V-1", "name": "Cem Y.", "usual_sites": [foreign.pk]})
    assert response.status_code == 200
    assert "usual_sites" in response.context["form"].errors
    response = client.post(url, {"code": "V-1", "name": "Cem Y."})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.name == "Cem Y."


def test_employment_since_needs_an_employer(login, alice, program):
    volunteer = VolunteerFactory(program=program, code="V-1")
    response = login(alice).post(
        reverse("volunteer_edit", args=[program.slug, volunteer.pk]),
        {"code": "V-1", "name": "Dana", "employed_since": "2024-05-01"},
    )
    assert "Say who employs the volunteer." in response.text


def test_the_edit_form_only_offers_volunteer_accounts_of_the_program(login, alice, bob, program):
    volunteer = VolunteerFactory(program=program)
    response = login(alice).get(reverse("volunteer_edit", args=[program.slug, volunteer.pk]))
    users = list(response.context["form"].fields["user"].queryset)
    assert users == [bob]


def test_another_programs_volunteer_is_not_found(login, alice, program, other_program):
    stranger = VolunteerFactory(program=other_program)
    client = login(alice)
    for name in ("volunteer_detail", "volunteer_edit", "volunteer_status"):
        assert client.get(reverse(name, args=[program.slug, stranger.pk])).status_code == 404


def test_the_profile_shows_languages_trainings_supervision_and_activities(login, alice, program):
    volunteer = VolunteerFactory(program=program, name="Farid")
    volunteer.languages.add(Language.objects.get(code="fa"))
    session = TrainingSessionFactory(training__program=program, training__title="Basic course")
    EnrollmentFactory(training=session.training, volunteer=volunteer, status="enrolled")
    session.attendances.create(volunteer=volunteer)
    SupervisionSessionFactory(program=program, date=TODAY - dt.timedelta(days=10), minutes=90)
    recent = SupervisionSessionFactory(
        program=program, date=TODAY - dt.timedelta(days=10), minutes=90
    )
    old = SupervisionSessionFactory(
        program=program, date=TODAY - dt.timedelta(days=400), minutes=120
    )
    recent.attendees.add(volunteer)
    old.attendees.add(volunteer)
    for day in range(12):
        ActivityFactory(program=program, date=TODAY - dt.timedelta(days=day)).facilitators.add(
            volunteer
        )
    response = login(alice).get(reverse("volunteer_detail", args=[program.slug, volunteer.pk]))
    profile = response.context["profile"]
    assert profile.supervision.last_12_months == pytest.approx(1.5)
    assert profile.supervision.total == pytest.approx(3.5)
    assert profile.activity_count == 12
    assert len(profile.latest_activities) == 10
    assert "Basic course" in response.text
    assert "Persian" in response.text
    assert "3.0 of 24.0 h" in response.text


# ---- status changes ---------------------------------------------------------------------------


def test_becoming_active_the_first_time_sets_the_joining_date(alice, program):
    volunteer = VolunteerFactory(program=program, status=Volunteer.Status.TRAINING)
    on = TODAY - dt.timedelta(days=3)
    volunteer_change_status(volunteer=volunteer, to_status="active", on=on, by=alice)
    volunteer.refresh_from_db()
    assert volunteer.status == "active"
    assert volunteer.joined_on == on
    change = volunteer.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_on) == ("training", "active", on)


def test_becoming_active_again_keeps_the_first_joining_date(program):
    first = TODAY - dt.timedelta(days=300)
    volunteer = VolunteerFactory(program=program, status="paused", joined_on=first)
    volunteer_change_status(volunteer=volunteer, to_status="active", on=TODAY)
    volunteer.refresh_from_db()
    assert volunteer.joined_on == first


def test_leaving_needs_a_reason(program):
    volunteer = VolunteerFactory(program=program, joined_on=TODAY - dt.timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        volunteer_change_status(volunteer=volunteer, to_status="left", on=TODAY, reason="  ")
    assert "reason" in error.value.message_dict
    volunteer.refresh_from_db()
    assert volunteer.status == "active"
    assert not VolunteerStatusChange.objects.exists()


def test_leaving_sets_the_date_and_reason_and_records_the_change(alice, program):
    volunteer = VolunteerFactory(program=program, joined_on=TODAY - dt.timedelta(days=30))
    volunteer_change_status(
        volunteer=volunteer, to_status="left", on=TODAY, reason="Moved to Hamburg", by=alice
    )
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.left_on, volunteer.left_reason) == (
        "left",
        TODAY,
        "Moved to Hamburg",
    )
    assert volunteer.status_changes.get().reason == "Moved to Hamburg"


def test_leaving_before_joining_is_refused(program):
    volunteer = VolunteerFactory(program=program, joined_on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        volunteer_change_status(
            volunteer=volunteer, to_status="left", on=TODAY - dt.timedelta(days=6), reason="x"
        )
    assert "joining date" in error.value.message_dict["on"][0]


def test_a_status_change_cannot_be_in_the_future_or_to_the_same_status(program):
    volunteer = VolunteerFactory(program=program, status="active")
    with pytest.raises(ValidationError) as error:
        volunteer_change_status(
            volunteer=volunteer, to_status="active", on=TODAY + dt.timedelta(days=1)
        )
    assert set(error.value.message_dict) == {"to_status", "on"}


def test_coming_back_after_leaving_clears_the_leaving_date_but_keeps_the_history(program):
    volunteer = VolunteerFactory(program=program, joined_on=TODAY - dt.timedelta(days=60))
    volunteer_change_status(
        volunteer=volunteer, to_status="left", on=TODAY - dt.timedelta(days=20), reason="Exams"
    )
    volunteer_change_status(volunteer=volunteer, to_status="active", on=TODAY)
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.left_on, volunteer.left_reason) == ("active", None, "")
    assert list(volunteer.status_changes.values_list("to_status", flat=True)) == [
        "active",
        "left",
    ]


def test_the_status_page_shows_the_missing_reason_next_to_the_field(login, alice, program):
    volunteer = VolunteerFactory(program=program, joined_on=TODAY - dt.timedelta(days=5))
    url = reverse("volunteer_status", args=[program.slug, volunteer.pk])
    response = login(alice).post(url, {"to_status": "left", "on": TODAY.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Please give a reason for leaving."]


def test_the_status_page_changes_the_status_and_says_so(login, alice, program):
    volunteer = VolunteerFactory(program=program, name="Goran", status="training")
    url = reverse("volunteer_status", args=[program.slug, volunteer.pk])
    response = login(alice).post(url, {"to_status": "active", "on": TODAY.isoformat()}, follow=True)
    assert "Goran is now “Active”." in response.text
    assert "In training → <strong>Active</strong>" in response.text


def test_the_list_filters_by_usual_site(login, alice, program):
    site = SiteFactory(program=program)
    here = VolunteerFactory(program=program, name="Here")
    here.usual_sites.add(site)
    VolunteerFactory(program=program, name="Elsewhere")
    response = login(alice).get(
        reverse("volunteer_list", args=[program.slug]), {"usual_site": site.pk}
    )
    assert [row[1]["text"] for row in response.context["rows"]] == ["Here"]


def test_a_volunteer_added_today_can_be_recorded_active_since_last_month(login, alice, program):
    client = login(alice)
    client.post(
        reverse("volunteer_create", args=[program.slug]),
        {"code": "V-9", "name": "Hana", "status": "training"},
    )
    volunteer = program.volunteers.get(code="V-9")
    last_month = TODAY - dt.timedelta(days=30)
    volunteer_change_status(volunteer=volunteer, to_status="active", on=last_month)
    volunteer.refresh_from_db()
    assert volunteer.joined_on == last_month
    with pytest.raises(ValidationError) as error:
        volunteer_change_status(
            volunteer=volunteer, to_status="paused", on=last_month - dt.timedelta(days=1)
        )
    assert "before the last status change" in error.value.message_dict["on"][0]


def test_the_joining_date_can_be_corrected_but_not_after_leaving(login, alice, program):
    volunteer = VolunteerFactory(
        program=program,
        code="V-1",
        status="left",
        joined_on=dt.date(2024, 1, 1),
        left_on=dt.date(2024, 6, 1),
        left_reason="Moved",
    )
    url = reverse("volunteer_edit", args=[program.slug, volunteer.pk])
    client = login(alice)
    response = client.post(url, {"code": "V-1", "name": "Ida", "joined_on": "2024-07-01"})
    assert "The joining date cannot be after the leaving date." in response.text
    client.post(url, {"code": "V-1", "name": "Ida", "joined_on": "2024-02-01"})
    volunteer.refresh_from_db()
    assert volunteer.joined_on == dt.date(2024, 2, 1)

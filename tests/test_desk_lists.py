"""The coordinator's lists: page numbers, free-text search, and bulk actions with a
confirmation, a result message and an audit entry for every change."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership
from sessions_log.models import Activity
from volunteers.models import TrainingAttendance, Volunteer

from .factories import (
    ActivityFactory,
    EnrollmentFactory,
    MembershipFactory,
    ParticipantFactory,
    SiteFactory,
    TrainingFactory,
    TrainingSessionFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(program):
    user = UserFactory(username="sara@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.SUPERVISOR)
    return user


def url(name, program, *args):
    return reverse(name, args=[program.slug, *args])


# ---- page numbers ----------------------------------------------------------------------------


def test_a_long_list_has_page_numbers_and_a_page_size_choice(login, program, alice):
    for i in range(130):
        VolunteerFactory(program=program, code=f"V-{i:03d}", name=f"Person {i:03d}")
    client = login(alice)
    page = client.get(url("volunteer_list", program), {"page": 3, "per_page": 25}).text
    # First, last, the current page and two on each side; the rest left out.
    for number in (1, 2, 4, 5, 6):
        assert f'aria-label="Page {number}"' in page
    assert 'aria-current="page"><span class="page-link">3</span>' in page
    assert "Page 3 of 6" in page
    response = client.get(url("volunteer_list", program), {"per_page": 100})
    assert len(response.context["rows"]) == 100
    assert "Page 1 of 2" in response.text
    # A page size that is not offered falls back to the list's own.
    assert len(client.get(url("volunteer_list", program), {"per_page": 7}).context["rows"]) == 50


def test_far_pages_are_left_out_with_an_ellipsis(login, program, alice):
    for _ in range(26 * 10):
        VolunteerFactory(program=program)
    page = login(alice).get(url("volunteer_list", program), {"per_page": 25, "page": 5}).text
    assert 'aria-label="Page 1"' in page and 'aria-label="Page 11"' in page
    assert 'aria-label="Page 8"' not in page
    assert "…" in page


# ---- search ----------------------------------------------------------------------------------


def test_sessions_are_found_by_site_facilitator_topic_or_participant(login, program, alice):
    nord = SiteFactory(program=program, name="Unterkunft Nord")
    sued = SiteFactory(program=program, name="Unterkunft Süd")
    at_nord = ActivityFactory(program=program, site=nord)
    with_mira = ActivityFactory(program=program, site=sued)
    with_mira.facilitators.add(VolunteerFactory(program=program, name="Mira Haddad"))
    with_person = ActivityFactory(program=program, site=sued)
    with_person.participants.add(ParticipantFactory(program=program, code="P-7K3Q9"))
    client = login(alice)

    def found(text):
        rows = client.get(url("activity_list", program), {"q": text}).context["object_list"]
        return {a.pk for a in rows}

    assert found("nord") == {at_nord.pk}
    assert found("haddad") == {with_mira.pk}
    assert found("7k3q") == {with_person.pk}
    assert found("Süd") == {with_mira.pk, with_person.pk}
    assert found("nothing like it") == set()
    page = client.get(url("activity_list", program)).text
    assert 'role="search"' in page


def test_participants_are_found_by_code_site_or_year_of_birth(login, program, alice):
    nord = SiteFactory(program=program, name="Unterkunft Nord")
    a = ParticipantFactory(program=program, code="P-AAAA1", year_of_birth=1980)
    b = ParticipantFactory(program=program, code="P-BBBB2", site=nord, year_of_birth=1995)
    client = login(alice)

    def found(text):
        rows = client.get(url("participant_list", program), {"q": text}).context["object_list"]
        return {p.pk for p in rows}

    assert found("aaaa") == {a.pk}
    assert found("nord") == {b.pk}
    assert found("1995") == {b.pk}


# ---- bulk actions: sessions ------------------------------------------------------------------


def test_a_coordinator_marks_the_selected_sessions_for_follow_up(login, program, alice):
    first, second, untouched = (ActivityFactory(program=program) for _ in range(3))
    client = login(alice)
    list_url = url("activity_list", program)
    page = client.get(list_url).text
    assert "Select all on this page" in page and "Mark for follow-up" in page
    confirm = client.post(
        list_url, {"action": "follow_up", "selected": [first.pk, second.pk], "query": "kind=group"}
    )
    assert confirm.status_code == 200
    assert "Mark these 2 sessions for follow-up?" in confirm.text
    assert not Activity.objects.filter(follow_up_needed=True).exists()  # nothing yet
    done = client.post(
        list_url,
        {
            "action": "follow_up",
            "selected": [first.pk, second.pk],
            "query": "kind=group",
            "confirmed": "1",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == f"{list_url}?kind=group"
    assert "2 sessions were marked for follow-up." in done.text
    assert set(Activity.objects.filter(follow_up_needed=True)) == {first, second}
    entries = LogEntry.objects.filter(object_pk__in=[str(first.pk), str(second.pk)])
    assert entries.filter(actor=alice, changes__icontains="follow_up_needed").count() == 2
    untouched.refresh_from_db()
    assert not untouched.follow_up_needed


def test_a_supervisor_is_not_offered_changes_and_cannot_post_them(login, program, sara):
    activity = ActivityFactory(program=program)
    client = login(sara)
    page = client.get(url("activity_list", program)).text
    assert "Mark for follow-up" not in page
    assert "Export the selected" in page
    response = client.post(
        url("activity_list", program),
        {"action": "follow_up", "selected": [activity.pk], "confirmed": "1"},
        follow=True,
    )
    assert "Choose what to do with the selected rows." in response.text
    activity.refresh_from_db()
    assert not activity.follow_up_needed


def test_sessions_of_another_program_are_never_touched(login, program, other_program, alice):
    foreign = ActivityFactory(program=other_program)
    response = login(alice).post(
        url("activity_list", program),
        {"action": "follow_up", "selected": [foreign.pk], "confirmed": "1"},
    )
    assert "None of the selected rows can be changed by you." in response.text
    foreign.refresh_from_db()
    assert not foreign.follow_up_needed


def test_the_selected_sessions_are_exported(login, program, alice):
    nord = SiteFactory(program=program, name="Unterkunft Nord")
    chosen = ActivityFactory(program=program, site=nord)
    ActivityFactory(program=program, site=SiteFactory(program=program, name="Elsewhere"))
    response = login(alice).post(
        url("activity_list", program),
        {"action": "export", "selected": [chosen.pk], "confirmed": "1", "fmt": "csv"},
    )
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert "Unterkunft Nord" in rows[1]


# ---- bulk actions: volunteers ----------------------------------------------------------------


def test_a_coordinator_changes_the_status_of_several_volunteers(login, program, alice):
    one, two = (VolunteerFactory(program=program) for _ in range(2))
    already = VolunteerFactory(program=program, status=Volunteer.Status.PAUSED)
    client = login(alice)
    data = {"action": "status", "selected": [one.pk, two.pk, already.pk]}
    confirm = client.post(url("volunteer_list", program), data)
    assert "Change the status of these 3 volunteers?" in confirm.text
    assert "New status" in confirm.text
    done = client.post(
        url("volunteer_list", program),
        {**data, "confirmed": "1", "to_status": "paused", "on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "2 volunteers are now “Paused”." in done.text
    assert already.name in done.text  # named as not changed, with the reason
    for volunteer in (one, two):
        volunteer.refresh_from_db()
        assert volunteer.status == Volunteer.Status.PAUSED
        assert volunteer.status_changes.filter(to_status="paused", changed_by=alice).exists()


def test_leaving_in_bulk_needs_a_reason(login, program, alice):
    volunteer = VolunteerFactory(program=program)
    response = login(alice).post(
        url("volunteer_list", program),
        {
            "action": "status",
            "selected": [volunteer.pk],
            "confirmed": "1",
            "to_status": "left",
            "on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Please give a reason for leaving." in response.text
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE


def test_invitations_go_to_the_selected_volunteers_without_an_account(
    login, program, alice, bob, django_capture_on_commit_callbacks
):
    invited = VolunteerFactory(program=program, email="mira@example.org")
    no_email = VolunteerFactory(program=program, email="")
    has_account = VolunteerFactory(program=program, user=bob, email="bob@example.org")
    client = login(alice)
    data = {"action": "invite", "selected": [invited.pk, no_email.pk, has_account.pk]}
    confirm = client.post(url("volunteer_list", program), data)
    assert "these 2 volunteers" in confirm.text  # the one with an account is left out
    assert "1 selected row is left out" in confirm.text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url("volunteer_list", program), {**data, "confirmed": "1"}, follow=True)
    assert "1 invitation was sent." in done.text
    assert no_email.name in done.text
    assert [m.to for m in mail.outbox] == [["mira@example.org"]]


# ---- bulk actions: training attendance -------------------------------------------------------


def test_everyone_enrolled_is_marked_present_at_a_session(login, program, alice):
    training = TrainingFactory(program=program)
    session = TrainingSessionFactory(training=training)
    volunteers = [VolunteerFactory(program=program) for _ in range(3)]
    for v in volunteers:
        EnrollmentFactory(training=training, volunteer=v)
    TrainingAttendance.objects.create(session=session, volunteer=volunteers[0])
    client = login(alice)
    grid = client.get(url("training_attendance", program, training.pk)).text
    link = url("training_session_all_present", program, training.pk, session.pk)
    assert link in grid
    confirm = client.get(link).text
    assert "Select all" in confirm and "already present" in confirm
    done = client.post(link, {"selected": [v.pk for v in volunteers]}, follow=True)
    assert "2 more volunteers were marked present" in done.text
    assert session.attendances.count() == 3


def test_marking_present_refuses_someone_not_enrolled(login, program, alice):
    training = TrainingFactory(program=program)
    session = TrainingSessionFactory(training=training)
    stranger = VolunteerFactory(program=program)
    link = url("training_session_all_present", program, training.pk, session.pk)
    response = login(alice).post(link, {"selected": [stranger.pk]})
    assert "not enrolled in this training" in response.text
    assert session.attendances.count() == 0


# ---- a volunteer's sessions ------------------------------------------------------------------


def test_a_volunteers_page_links_to_all_their_sessions(login, program, alice):
    volunteer = VolunteerFactory(program=program, name="Mira Haddad")
    for _ in range(12):
        ActivityFactory(program=program).facilitators.add(volunteer)
    ActivityFactory(program=program)
    client = login(alice)
    page = client.get(url("volunteer_detail", program, volunteer.pk)).text
    link = f"{url('activity_list', program)}?facilitator={volunteer.pk}"
    assert f'href="{link}"' in page
    assert "All 12 activities of Mira Haddad" in page
    assert client.get(link).context["paginator"].count == 12

"""Self-help groups: lifecycle, end of accompaniment, the 12-month follow-up due list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import months_later
from programs.models import Site
from sessions_log import services
from sessions_log.models import SelfHelpGroup

from ..factories import SelfHelpGroupFactory, SiteFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("selfhelp_list", args=[program.slug])


@pytest.fixture
def contact_point(program):
    return SiteFactory(program=program, name="KISS Düsseldorf", kind=Site.Kind.CONTACT_POINT)


def names(response):
    return [row[0]["text"] for row in response.context["rows"]]


def test_a_coordinator_starts_a_group_at_a_contact_point(
    login, program, alice, contact_point, volunteer, today
):
    client = login(alice)
    create = reverse("selfhelp_create", args=[program.slug])
    choices = client.get(create).context["form"].fields["contact_point"].choices
    assert choices[1] == ("Contact points", [(contact_point.pk, "KISS Düsseldorf")])
    client.post(
        create,
        {
            "name": "Pflegende Angehörige Bilk",
            "contact_point": contact_point.pk,
            "topic_area": "caring_relatives",
            "started_on": today.isoformat(),
            "volunteers": [volunteer.pk],
        },
    )
    group = SelfHelpGroup.objects.get()
    assert (group.program, group.status, group.contact_point) == (program, "forming", contact_point)
    assert list(group.volunteers.all()) == [volunteer]


def test_the_contact_point_must_be_a_site_of_the_program(
    login, program, other_program, alice, today
):
    foreign = SiteFactory(program=other_program, kind=Site.Kind.CONTACT_POINT)
    response = login(alice).post(
        reverse("selfhelp_create", args=[program.slug]),
        {
            "name": "G",
            "contact_point": foreign.pk,
            "topic_area": "other",
            "started_on": today.isoformat(),
        },
    )
    assert "contact_point" in response.context["form"].errors
    assert not SelfHelpGroup.objects.exists()


def test_the_accompaniment_cannot_end_before_the_start(login, program, alice, contact_point):
    response = login(alice).post(
        reverse("selfhelp_create", args=[program.slug]),
        {
            "name": "G",
            "contact_point": contact_point.pk,
            "topic_area": "other",
            "started_on": "2024-05-01",
            "accompaniment_ends_on": "2024-04-01",
        },
    )
    assert "accompaniment_ends_on" in response.context["form"].errors


def test_the_lifecycle_closes_the_accompaniment(login, program, alice, today):
    group = SelfHelpGroupFactory(program=program, started_on=today - dt.timedelta(days=90))
    status_url = reverse("selfhelp_status", args=[program.slug, group.pk])
    client = login(alice)
    client.post(status_url, {"status": "accompanied", "on": today.isoformat()})
    group.refresh_from_db()
    assert (group.status, group.accompaniment_ends_on) == ("accompanied", None)
    client.post(status_url, {"status": "independent", "on": today.isoformat()})
    group.refresh_from_db()
    assert (group.status, group.accompaniment_ends_on) == ("independent", today)


def test_an_illegal_status_change_is_refused(login, program, alice, today):
    group = SelfHelpGroupFactory(program=program, started_on=today)
    status_url = reverse("selfhelp_status", args=[program.slug, group.pk])
    response = login(alice).post(
        status_url, {"status": "independent", "on": today.isoformat()}, follow=True
    )
    assert "A group that is forming cannot become meeting independently." in response.text
    group.refresh_from_db()
    assert group.status == "forming"
    ended = SelfHelpGroupFactory(program=program, status="ended")
    with pytest.raises(ValidationError):
        services.selfhelp_group_change_status(group=ended, status="forming", on=today)


def test_the_follow_up_due_list(login, program, alice, today, url):
    SelfHelpGroupFactory(program=program, name="Due", started_on=months_later(today, -12))
    SelfHelpGroupFactory(
        program=program, name="Too young", started_on=months_later(today, -12) + dt.timedelta(1)
    )
    SelfHelpGroupFactory(
        program=program,
        name="Checked",
        started_on=months_later(today, -14),
        follow_up_still_meeting="yes",
        follow_up_checked_on=today,
    )
    response = login(alice).get(url, {"follow_up_due": "true"})
    assert names(response) == ["Due"]
    assert response.context["follow_ups_due"] == 1


def test_recording_the_follow_up(login, program, alice, today, url):
    group = SelfHelpGroupFactory(program=program, started_on=months_later(today, -13))
    client = login(alice)
    client.post(
        reverse("selfhelp_follow_up", args=[program.slug, group.pk]),
        {"still_meeting": "yes", "checked_on": today.isoformat()},
    )
    group.refresh_from_db()
    assert (group.follow_up_still_meeting, group.follow_up_checked_on) == ("yes", today)
    assert names(client.get(url, {"follow_up_due": "true"})) == []
    row = client.get(url).context["rows"][0]
    assert row[-1]["text"] == f"Still meeting ({today.isoformat()})"


def test_a_follow_up_in_the_future_is_refused(login, program, alice, today):
    group = SelfHelpGroupFactory(program=program, started_on=months_later(today, -13))
    future = (today + dt.timedelta(days=3)).isoformat()
    response = login(alice).post(
        reverse("selfhelp_follow_up", args=[program.slug, group.pk]),
        {"still_meeting": "no", "checked_on": future},
        follow=True,
    )
    assert "The date cannot be in the future." in response.text
    group.refresh_from_db()
    assert group.follow_up_still_meeting == "unknown"


def test_a_coordinator_edits_a_group(login, program, alice, today):
    group = SelfHelpGroupFactory(program=program, started_on=today)
    edit = reverse("selfhelp_edit", args=[program.slug, group.pk])
    client = login(alice)
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "name": "Renamed",
            "contact_point": group.contact_point_id,
            "topic_area": "addiction",
            "started_on": today.isoformat(),
        },
    )
    group.refresh_from_db()
    assert (group.name, group.topic_area, group.program) == ("Renamed", "addiction", program)


def test_a_group_of_another_program_is_not_found(login, program, other_program, alice):
    foreign = SelfHelpGroupFactory(program=other_program)
    for name in ("selfhelp_detail", "selfhelp_edit"):
        assert login(alice).get(reverse(name, args=[program.slug, foreign.pk])).status_code == 404


def test_query_count_does_not_grow_with_rows(login, program, alice, today, url):
    client = login(alice)
    point = SiteFactory(program=program, kind=Site.Kind.CONTACT_POINT)

    def queries_for(n):
        for _ in range(n):
            group = SelfHelpGroupFactory(program=program, contact_point=point)
            group.volunteers.add(VolunteerFactory(program=program))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)

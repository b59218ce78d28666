"""The activity list of coordinators and supervisors, with the filters the dashboard links to."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import ActivityKind, Language
from sessions_log import services
from sessions_log.models import Topic

from ..factories import ActivityFactory, ConcernFactory, SiteFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("activity_list", args=[program.slug])


def dates(response):
    return [row[0]["text"] for row in response.context["rows"]]


def test_the_dashboards_links_filter_by_kind_dates_site_and_follow_up(
    login, program, alice, shelter, other_site, url
):
    ActivityFactory(program=program, date=dt.date(2024, 3, 5), site=shelter, follow_up_needed=True)
    ActivityFactory(program=program, date=dt.date(2024, 3, 6), site=shelter)
    ActivityFactory(program=program, date=dt.date(2024, 3, 7), site=other_site)
    ActivityFactory(program=program, date=dt.date(2024, 4, 1), site=shelter)
    ActivityFactory(
        program=program,
        date=dt.date(2024, 3, 8),
        site=shelter,
        kind=ActivityKind.ONE_TO_ONE,
        attendees_total=1,
        attendees_women=0,
        attendees_men=1,
    )
    client = login(alice)
    query = {"kind": "group", "date_from": "2024-03-01", "date_to": "2024-03-31"}
    assert dates(client.get(url, {**query, "site": shelter.pk})) == ["6 Mar 2024", "5 Mar 2024"]
    assert dates(client.get(url, {**query, "follow_up_needed": "true"})) == ["5 Mar 2024"]


def test_it_filters_by_facilitator_language_and_topic(login, program, alice, url):
    anja = VolunteerFactory(program=program, name="Anja")
    sleep = Topic.objects.get(key="sleep")
    by_anja = ActivityFactory(program=program, date=dt.date(2024, 3, 1))
    by_anja.facilitators.add(anja)
    in_dari = ActivityFactory(program=program, date=dt.date(2024, 3, 2))
    in_dari.languages.add(Language.objects.get(code="prs"))
    on_sleep = ActivityFactory(program=program, date=dt.date(2024, 3, 3))
    on_sleep.topics.add(sleep)
    client = login(alice)
    assert dates(client.get(url, {"facilitator": anja.pk})) == ["1 Mar 2024"]
    assert dates(client.get(url, {"language": "prs"})) == ["2 Mar 2024"]
    assert dates(client.get(url, {"topic": sleep.pk})) == ["3 Mar 2024"]


def test_the_columns_show_what_happened(login, program, alice, shelter, url):
    activity = ActivityFactory(program=program, site=shelter, minutes=75, attendees_total=10)
    activity.facilitators.add(VolunteerFactory(program=program, name="Anja"))
    activity.languages.add(Language.objects.get(code="ar"))
    activity.topics.add(Topic.objects.get(key="sleep"))
    row = [cell["text"] for cell in login(alice).get(url).context["rows"][0]]
    assert row == ["1 Mar 2024", "Group session", "Shelter Nord", "Anja", "Arabic", "Sleep"] + [
        "10",
        "75",
        "no",
    ]


def test_a_supervisor_sees_the_list_and_a_volunteer_does_not(login, program, sara, bob, url):
    assert login(sara).get(url).status_code == 200
    assert login(bob).get(url).status_code == 403


def test_the_detail_shows_notes_and_concerns_to_coordinators_and_supervisors(
    login, program, alice, sara, bob
):
    activity = ActivityFactory(program=program, notes="Talked about nightmares")
    ConcernFactory(program=program, activity=activity)
    detail = reverse("activity_detail", args=[program.slug, activity.pk])
    for user in (alice, sara):
        text = login(user).get(detail).text
        assert "Talked about nightmares" in text
        assert "Acute mental health crisis" in text
    assert login(bob).get(detail).status_code == 403


def test_the_detail_of_another_programs_activity_is_not_found(login, other_program, alice):
    foreign = ActivityFactory(program=other_program)
    url = reverse("activity_detail", args=["in2balance", foreign.pk])
    assert login(alice).get(url).status_code == 404


def test_the_xlsx_export_holds_the_filtered_rows(login, program, alice, shelter, other_site, url):
    ActivityFactory.create_batch(3, program=program, site=shelter)
    ActivityFactory(program=program, site=other_site)
    response = login(alice).get(url, {"site": shelter.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Date", "Kind", "Site")
    assert [r[2] for r in rows[1:]] == ["Shelter Nord"] * 3


@pytest.mark.parametrize("list_name", ["activity_list", "my_sessions"])
def test_query_count_does_not_grow_with_rows(login, program, alice, list_name):
    client = login(alice)
    lists_url = reverse(list_name, args=[program.slug])
    arabic, sleep = Language.objects.get(code="ar"), Topic.objects.get(key="sleep")

    def queries_for(n):
        for _ in range(n):
            activity = ActivityFactory(
                program=program, site=SiteFactory(program=program), logged_by=alice
            )
            activity.facilitators.add(VolunteerFactory(program=program))
            activity.languages.add(arabic)
            activity.topics.add(sleep)
        cache.clear()  # count the choice lists' queries too, not a cached copy
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(lists_url).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)


def test_the_language_filter_offers_a_language_once_a_session_is_logged_in_it(
    login, program, alice, url, django_capture_on_commit_callbacks
):
    client = login(alice)
    ActivityFactory(program=program).languages.add(Language.objects.get(code="ar"))
    page = client.get(url).text  # the choices are read and kept for a while
    assert '<option value="ar">' in page and '<option value="ti">' not in page
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_log(
            program=program,
            user=alice,
            volunteer=None,
            idempotency_key=None,
            kind=ActivityKind.GROUP,
            date=dt.date(2024, 5, 2),
            languages=[Language.objects.get(code="ti")],
            attendance=services.Attendance(total=3, women=1, men=1, children=0),
            confirmed=True,  # a date long past is asked about
        )
    page = client.get(url).text
    assert '<option value="ar">' in page and '<option value="ti">' in page


def test_a_bad_filter_value_is_marked_at_its_field_and_nothing_is_listed(
    login, program, alice, url
):
    ActivityFactory(program=program)
    page = login(alice).get(url, {"date_from": "31.02.2024", "kind": "group"}).text
    assert '<label for="id_date_from" class="form-label">From</label>' in page
    assert re.search(
        r'<input type="date" name="date_from"[^>]*class="form-control is-invalid"', page
    )
    assert (
        '<div id="id_date_from_errors" class="invalid-feedback d-block"><div>Enter a valid date.'
        in page
    )
    assert '<option value="group" selected>' in page
    assert "Nothing matches." in page

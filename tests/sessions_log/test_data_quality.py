"""The data-quality page: a coordinator sees the records behind the funder report's data-quality
counts, each with a link to fix it, for a period of their choice (the last twelve months at
first); the counts are the report's."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import months_later
from programs.models import ActivityKind, Language
from reports import kpis
from reports.selectors import Period
from sessions_log.models import Match, SelfHelpGroup

from ..factories import (
    ActivityFactory,
    MatchFactory,
    OutcomeMeasureFactory,
    ParticipantFactory,
    SelfHelpGroupFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 6, 30)
PERIOD = {"start": "2024-01-01", "end": "2024-06-30"}
CHECKS = [
    "activities_without_language",
    "activities_without_duration",
    "activities_over_max_minutes",
    "group_activities_empty",
    "group_activities_over_max_size",
    "questionnaires_incomplete",
    "baselines_without_follow_up",
    "match_checks_missing",
    "group_follow_ups_missing",
]


@pytest.fixture
def url(program):
    return reverse("data_quality", args=[program.slug])


def sections(html: str) -> dict[str, str]:
    """The page's HTML per check."""
    parts = re.split(r'<section [^>]*data-check="(\w+)"', html)
    return {parts[i]: parts[i + 1].split("</section>")[0] for i in range(1, len(parts), 2)}


def totals(html: str) -> dict[str, int]:
    return {
        name: int(re.search(r"data-total>(\d+)<", part).group(1))
        for name, part in sections(html).items()
    }


FEBRUARY = D(2024, 2, 1)


def activity(program, day=FEBRUARY, *, kind=ActivityKind.GROUP, minutes=90, people=12,
             language=True):  # fmt: skip
    a = ActivityFactory(
        program=program,
        kind=kind,
        date=day,
        minutes=minutes,
        attendees_total=people,
        attendees_women=0,
        attendees_men=0,
    )
    if language:
        a.languages.set([Language.objects.get(code="ar")])
    return a


def match(program, started, checked=None):
    return MatchFactory(
        program=program,
        status=Match.Status.ACTIVE,
        proposed_on=started,
        started_on=started,
        six_month_check_on=checked,
    )


def selfhelp(program, started, answer=SelfHelpGroup.FollowUp.UNKNOWN):
    return SelfHelpGroupFactory(
        program=program,
        started_on=started,
        follow_up_still_meeting=answer,
        follow_up_checked_on=None if answer == SelfHelpGroup.FollowUp.UNKNOWN else D(2024, 3, 5),
    )


def plant(program) -> dict:
    """One record per check, and a clean record of each kind; {check: (record's fix link)}."""
    slug = program.slug

    def edit(a):
        return reverse("activity_edit", args=[slug, a.pk])

    person, other = ParticipantFactory(program=program), ParticipantFactory(program=program)
    clean_person = ParticipantFactory(program=program)
    planted = {
        "activities_without_language": edit(activity(program, language=False)),
        "activities_without_duration": edit(
            activity(program, kind=ActivityKind.ONE_TO_ONE, minutes=None, people=1)
        ),
        "activities_over_max_minutes": edit(activity(program, minutes=13 * 60)),
        "group_activities_empty": edit(activity(program, people=0)),
        "group_activities_over_max_size": edit(activity(program, people=250)),
    }
    draft = OutcomeMeasureFactory(
        participant=person,
        date=D(2024, 5, 10),
        timepoint="followup_3m",
        instrument="ucla3",
        answers={"1": 2, "2": None, "3": 1},
    )
    planted["questionnaires_incomplete"] = (
        reverse("outcome_measure_create", args=[slug, person.pk]) + f"?draft={draft.pk}"
    )
    OutcomeMeasureFactory(participant=other, date=D(2024, 2, 10))
    planted["baselines_without_follow_up"] = (
        reverse("outcome_measure_create", args=[slug, other.pk]) + "?instrument=who5"
    )
    late = match(program, D(2023, 9, 15))  # six months on 15 March 2024, not recorded
    planted["match_checks_missing"] = reverse("match_detail", args=[slug, late.pk])
    group = selfhelp(program, D(2023, 3, 1))  # twelve months on 1 March 2024, not recorded
    planted["group_follow_ups_missing"] = reverse("selfhelp_detail", args=[slug, group.pk])

    clean_activity = activity(program)
    OutcomeMeasureFactory(participant=clean_person, date=D(2024, 1, 10))
    OutcomeMeasureFactory(participant=clean_person, date=D(2024, 4, 10), timepoint="followup_3m")
    clean_match = match(program, D(2023, 10, 1), checked=D(2024, 4, 2))
    clean_group = selfhelp(program, D(2023, 2, 1), SelfHelpGroup.FollowUp.YES)
    clean = [
        reverse("activity_edit", args=[slug, clean_activity.pk]),
        reverse("participant_detail", args=[slug, clean_person.pk]),
        reverse("outcome_measure_create", args=[slug, clean_person.pk]),
        reverse("match_detail", args=[slug, clean_match.pk]),
        reverse("selfhelp_detail", args=[slug, clean_group.pk]),
    ]
    return {"planted": planted, "clean": clean}


def test_each_check_lists_its_record_with_a_link_to_fix_it(program, alice, login, url):
    world = plant(program)
    response = login(alice).get(url, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    listed = sections(html)
    assert list(listed) == CHECKS
    for check, link in world["planted"].items():
        assert f'href="{link.replace("&", "&amp;")}"' in listed[check], check
    for link in world["clean"]:
        assert f'href="{link}"' not in html
    assert "Activities longer than 12 hours" in html
    assert "Group activities with more than 200 people" in html


def test_the_counts_are_the_reports(program, alice, login, url):
    plant(program)
    activity(program, D(2023, 12, 1), minutes=None, people=0, language=False)  # before
    html = login(alice).get(url, PERIOD).content.decode()
    report = kpis._data_quality(program, Period(START, END))
    assert totals(html) == {check: report[check] for check in CHECKS}
    # The activity without a language, the 250 people and the 13 hours: all three lack one.
    assert totals(html)["activities_without_language"] == 1
    assert "9 records to check from" in html


def test_the_first_fifty_of_each_check_in_a_fixed_number_of_queries(program, alice, login, url):
    client = login(alice)

    def problems(count):
        for i in range(count):
            day = D(2024, 1, 1) + dt.timedelta(days=i)
            activity(program, day, minutes=None, people=0, language=False)
            person = ParticipantFactory(program=program)
            OutcomeMeasureFactory(participant=person, date=day, answers={"1": 3})
            match(program, D(2023, 7, 2) + dt.timedelta(days=i))
            selfhelp(program, D(2023, 1, 2) + dt.timedelta(days=i))

    def page():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url, PERIOD).content.decode()
        return html, len(queries.captured_queries)

    problems(5)
    html, few = page()
    assert set(totals(html).values()) == {0, 5}
    problems(50)
    html, many = page()
    assert many == few
    counts = totals(html)
    assert counts["activities_without_duration"] == 55
    assert counts["match_checks_missing"] == 55
    assert counts["group_follow_ups_missing"] == 55
    part = sections(html)["activities_without_duration"]
    assert part.count("/edit/") == 50
    assert "The first 50 of 55." in part


def test_the_last_twelve_months_unless_chosen(program, alice, login, url):
    today = timezone.localdate()
    recent = activity(program, today, language=False)
    old = activity(program, months_later(today, -12), language=False)
    html = login(alice).get(url).content.decode()
    assert reverse("activity_edit", args=[program.slug, recent.pk]) in html
    assert reverse("activity_edit", args=[program.slug, old.pk]) not in html
    start = months_later(today, -12) + dt.timedelta(days=1)
    assert f'value="{start.isoformat()}"' in html


def test_a_period_ending_before_it_starts_is_refused_in_words(program, alice, login, url):
    html = login(alice).get(url, {"start": "2024-06-30", "end": "2024-01-01"}).content.decode()
    assert "The last day comes before the first." in html


def test_the_coordinators_menu_leads_there(program, alice, login, url):
    html = login(alice).get(reverse("activity_list", args=[program.slug])).content.decode()
    assert f'href="{url}"' in html


def test_volunteers_and_strangers_are_kept_out(program, bob, charlie, login, client, url):
    assert login(bob).get(url).status_code == 403
    client.logout()
    assert login(charlie).get(url).status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ["Datenqualität", "Nichts zu korrigieren."]), ("da", ["Intet at rette."])],
)
def test_the_page_speaks_german_and_danish(program, alice, login, url, language, words):
    html = login(alice).get(url, PERIOD, headers={"accept-language": language}).content.decode()
    for word in words:
        assert word in html

"""The coordinator's dashboard: this month against last month, targets, and the lists behind."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.i18n import JavaScriptCatalog

import config.urls
import home.urls
import sessions_log.urls
from home import selectors
from programs.models import ActivityKind, Language, Membership, Target
from reports.models import Report
from volunteers.models import Enrollment, SupervisionSession, Training

from ..factories import (
    ActivityFactory,
    ConcernFactory,
    MembershipFactory,
    ParticipantFactory,
    ReferralFactory,
    TargetFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 15)
THIS_MONTH = dt.date(2024, 3, 4)
LAST_MONTH = dt.date(2024, 2, 20)
EARLIER = dt.date(2024, 1, 31)

GROUP, ONE_TO_ONE = ActivityKind.GROUP, ActivityKind.ONE_TO_ONE


def by_kind(dashboard):
    return {k.kind: (k.this, k.last) for k in dashboard.activities_by_kind}


def test_it_counts_activities_by_kind_this_month_and_last(program):
    ActivityFactory.create_batch(2, program=program, kind=GROUP, date=THIS_MONTH)
    ActivityFactory(program=program, kind=GROUP, date=TODAY)
    ActivityFactory(program=program, kind=GROUP, date=LAST_MONTH)
    ActivityFactory(
        program=program,
        kind=ONE_TO_ONE,
        date=LAST_MONTH,
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    ActivityFactory(program=program, kind=GROUP, date=EARLIER)  # two months ago: not shown
    dashboard = selectors.dashboard(program, TODAY)
    assert by_kind(dashboard) == {GROUP: (3, 1), ONE_TO_ONE: (0, 1)}
    assert (dashboard.activities.this, dashboard.activities.last) == (3, 2)
    assert dashboard.activities.change == 1


def test_a_kind_the_program_no_longer_uses_still_shows_when_it_was_logged(program):
    ActivityFactory(
        program=program,
        kind=ActivityKind.VISIT,
        date=THIS_MONTH,
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    assert by_kind(selectors.dashboard(program, TODAY))[ActivityKind.VISIT] == (1, 0)


def test_contacts_add_up_the_attendees(program):
    ActivityFactory(program=program, date=THIS_MONTH, attendees_total=12, attendees_women=5)
    ActivityFactory(program=program, date=TODAY, attendees_total=8, attendees_women=3)
    ActivityFactory(program=program, date=LAST_MONTH, attendees_total=20)
    contacts = selectors.dashboard(program, TODAY).contacts
    assert (contacts.this, contacts.last) == (20, 20)


def test_a_participant_met_twice_is_one_person_reached(program):
    amira, bashir = ParticipantFactory.create_batch(2, program=program)
    first = ActivityFactory(program=program, kind=ONE_TO_ONE, date=THIS_MONTH)
    first.participants.add(amira)
    second = ActivityFactory(program=program, kind=ONE_TO_ONE, date=TODAY)
    second.participants.add(amira, bashir)
    ActivityFactory(program=program, kind=ONE_TO_ONE, date=LAST_MONTH).participants.add(amira)
    reached = selectors.dashboard(program, TODAY).people_reached
    assert (reached.this, reached.last) == (2, 1)


def test_active_volunteers_are_those_who_facilitated_in_the_month(program):
    dana, emre, _idle = VolunteerFactory.create_batch(3, program=program)
    ActivityFactory(program=program, date=THIS_MONTH).facilitators.add(dana, emre)
    ActivityFactory(program=program, date=TODAY).facilitators.add(dana)
    ActivityFactory(program=program, date=LAST_MONTH).facilitators.add(emre)
    active = selectors.dashboard(program, TODAY).active_volunteers
    assert (active.this, active.last) == (2, 1)


def test_open_referrals_overdue_supervision_and_concerns(program, alice):
    for status in ["proposed", "sent", "accepted"]:
        ReferralFactory(
            program=program,
            status=status,
            consent_to_share=True,
            consent_on=THIS_MONTH,
            referred_on=THIS_MONTH,
        )
    ReferralFactory(
        program=program,
        status="appointment",
        appointment_on=TODAY,
        consent_to_share=True,
        consent_on=LAST_MONTH,
        referred_on=LAST_MONTH,
    )
    ReferralFactory(
        program=program,
        status="closed",
        closed_on=TODAY,
        consent_to_share=True,
        consent_on=LAST_MONTH,
        referred_on=LAST_MONTH,
    )
    supervised, overdue, _never = VolunteerFactory.create_batch(3, program=program)
    VolunteerFactory(program=program, status="paused")  # not active: never overdue
    recent = SupervisionSession.objects.create(
        program=program, kind="group", date=TODAY - dt.timedelta(days=10), minutes=90
    )
    recent.attendees.add(supervised)
    old = SupervisionSession.objects.create(
        program=program, kind="group", date=TODAY - dt.timedelta(days=45), minutes=90
    )
    old.attendees.add(overdue)
    ConcernFactory.create_batch(2, program=program)
    ConcernFactory(program=program, acknowledged_by=alice, acknowledged_at=timezone.now())
    dashboard = selectors.dashboard(program, TODAY)
    assert dashboard.open_referrals == 4
    assert (dashboard.referrals_made.this, dashboard.referrals_made.last) == (3, 2)
    assert dashboard.overdue_supervision == 2
    assert dashboard.unacknowledged_concerns == 2


def test_another_programs_data_is_never_counted(program, other_program):
    volunteer = VolunteerFactory(program=other_program)
    activity = ActivityFactory(program=other_program, date=THIS_MONTH, attendees_total=30)
    activity.facilitators.add(volunteer)
    activity.participants.add(ParticipantFactory(program=other_program))
    ReferralFactory(program=other_program, referred_on=THIS_MONTH)
    ConcernFactory(program=other_program)
    TargetFactory(program=other_program, starts_on=dt.date(2024, 1, 1))
    dashboard = selectors.dashboard(program, TODAY)
    assert dashboard.activities.this == dashboard.contacts.this == 0
    assert dashboard.people_reached.this == dashboard.active_volunteers.this == 0
    assert dashboard.open_referrals == dashboard.unacknowledged_concerns == 0
    assert dashboard.overdue_supervision == 0
    assert dashboard.targets == []


def test_targets_show_what_has_been_logged_in_their_period_so_far(program):
    year = {"starts_on": dt.date(2024, 1, 1), "ends_on": dt.date(2024, 12, 31)}
    TargetFactory(program=program, indicator="activities", value=40, **year)
    TargetFactory(program=program, indicator="contacts", value=500, **year)
    TargetFactory(program=program, indicator="people_reached", value=10, **year)
    TargetFactory(program=program, indicator="languages", value=5, **year)
    TargetFactory(program=program, indicator="volunteers_active", value=4, **year)
    TargetFactory(program=program, indicator="supervision_hours", value=20, **year)
    TargetFactory(program=program, indicator="volunteers_trained", value=4, **year)
    TargetFactory(program=program, indicator="match_retention_6m", value=79, **year)
    TargetFactory(  # ended before today: not shown
        program=program,
        indicator="activities",
        value=10,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31),
    )
    amira = ParticipantFactory(program=program)
    for day in [EARLIER, LAST_MONTH, THIS_MONTH]:
        activity = ActivityFactory(program=program, date=day, attendees_total=10)
        activity.participants.add(amira)
        activity.languages.add(Language.objects.get(code="ar"), Language.objects.get(code="fa"))
    # Counted once however often they took part; not counted for work before the period.
    noor = VolunteerFactory(program=program)
    for activity in program.activities.all():
        activity.facilitators.add(noor)
    before = ActivityFactory(program=program, date=dt.date(2023, 12, 31))
    before.participants.add(ParticipantFactory(program=program))
    before.facilitators.add(VolunteerFactory(program=program))
    session = SupervisionSession.objects.create(
        program=program, kind="group", date=LAST_MONTH, minutes=90
    )
    session.attendees.add(VolunteerFactory(program=program))
    training = Training.objects.create(
        program=program,
        title="Basics",
        kind="basic",
        starts_on=dt.date(2024, 1, 8),
        ends_on=dt.date(2024, 2, 2),
        planned_hours=30,
    )
    for completed in [dt.date(2024, 2, 2), None]:
        Enrollment.objects.create(
            training=training,
            volunteer=VolunteerFactory(program=program),
            enrolled_on=dt.date(2024, 1, 2),
            status="completed" if completed else "enrolled",
            completed_on=completed,
        )

    progress = {t.target.indicator: t for t in selectors.dashboard(program, TODAY).targets}
    assert {k: v.actual for k, v in progress.items()} == {
        "activities": 3,
        "contacts": 30,
        "people_reached": 1,
        "languages": 2,
        "volunteers_active": 1,
        "supervision_hours": Decimal("1.5"),
        "volunteers_trained": 1,
        "match_retention_6m": None,
    }
    assert progress["people_reached"].percent == 10
    assert progress["people_reached"].elapsed_percent == 20  # 75 of 366 days
    assert progress["people_reached"].on_track is False
    assert progress["volunteers_trained"].on_track is True
    assert progress["match_retention_6m"].percent is None


def test_the_dashboard_shows_targets_and_explains_a_missing_percentage(login, program, alice):
    today = timezone.localdate()
    period = {
        "starts_on": today.replace(month=1, day=1),
        "ends_on": today.replace(month=12, day=31),
    }
    TargetFactory(program=program, indicator="activities", value=40, **period)
    TargetFactory(program=program, indicator="selfhelp_groups_12m", value=70, **period)
    ActivityFactory(program=program, date=today)
    text = login(alice).get(reverse("program_home", args=[program.slug])).text
    assert "Targets and progress so far" in text
    assert re.search(r'target-actual">1</span> / 40', text)
    assert "Self-help groups meeting after 12 months (%)" in text
    assert "not calculated on the dashboard yet" in text


# ---- links to the lists behind the figures -----------------------------------------------


def _list_stub(request, program_slug):
    return HttpResponse("list")


LIST_NAMES = ["activity_list", "referral_list", "supervision_overdue", "concern_list"]


class WithAllLists:
    """A URLconf where every list the dashboard links to exists."""

    urlpatterns = [
        path(f"p/<slug:program_slug>/stub/{name}/", _list_stub, name=name) for name in LIST_NAMES
    ] + config.urls.urlpatterns


class WithoutLists:
    """A URLconf with the dashboard but none of the lists yet."""

    urlpatterns = [
        path("", include("programs.urls")),
        path("i18n/", include("django.conf.urls.i18n")),
        path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
        *sessions_log.urls.app_urlpatterns,  # the web app's manifest and service worker
        path("accounts/", include("django.contrib.auth.urls")),
        path("p/<slug:program_slug>/", include(home.urls.program_urlpatterns)),
    ]


def test_each_figure_links_to_the_filtered_list_behind_it(settings, login, program, alice):
    settings.ROOT_URLCONF = WithAllLists
    today = timezone.localdate()
    ActivityFactory(program=program, kind=GROUP, date=today)
    text = login(alice).get(reverse("program_home", args=[program.slug])).text
    month = f"date_from={today.replace(day=1).isoformat()}&amp;date_to={today.isoformat()}"
    activities = reverse("activity_list", args=[program.slug])
    assert f'href="{activities}?{month}">Activities this month</a>' in text
    assert f'href="{activities}?kind=group&amp;{month}">1</a>' in text
    last_month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert f"?kind=one_to_one&amp;date_from={last_month_start.isoformat()}" in text
    volunteers = reverse("volunteer_list", args=[program.slug])
    assert f'href="{volunteers}?status=active">Active volunteers</a>' in text
    assert f'href="{reverse("referral_list", args=[program.slug])}">Open referrals</a>' in text
    overdue = reverse("supervision_overdue", args=[program.slug])
    assert f'href="{overdue}">Overdue supervision</a>' in text
    concerns = reverse("concern_list", args=[program.slug])
    assert f'href="{concerns}?acknowledged=false">Unacknowledged concerns</a>' in text


def test_a_figure_whose_list_does_not_exist_yet_is_shown_without_a_link(
    settings, login, program, alice
):
    settings.ROOT_URLCONF = WithoutLists
    ActivityFactory(program=program, date=timezone.localdate())
    response = login(alice).get(reverse("program_home", args=[program.slug]))
    assert response.status_code == 200
    assert '<div class="figure-label">Activities this month</div>' in response.text
    assert '<div class="figure-label">Open referrals</div>' in response.text


# ---- the chart ----------------------------------------------------------------------------


def test_the_chart_has_a_bar_per_month_for_a_year_and_reads_aloud(program):
    ActivityFactory.create_batch(3, program=program, date=THIS_MONTH)
    ActivityFactory(program=program, date=dt.date(2023, 4, 1))  # the oldest month shown
    ActivityFactory(program=program, date=dt.date(2023, 3, 31))  # thirteen months ago
    per_month = selectors.activities_per_month(program, TODAY)
    assert len(per_month) == 12
    assert per_month[0] == (dt.date(2023, 4, 1), 1)
    assert per_month[-1] == (dt.date(2024, 3, 1), 3)
    assert sum(n for _, n in per_month) == 4
    svg = selectors.activities_chart(per_month)
    assert 'role="img"' in svg and "<title" in svg
    assert "March 2024: 3" in svg
    assert svg.count("<rect") == 12
    assert "style=" not in svg


# ---- queries ------------------------------------------------------------------------------


def test_the_dashboard_takes_the_same_number_of_queries_for_10_or_100_activities(
    login, program, alice
):
    client = login(alice)
    today = timezone.localdate()
    for indicator in Target.Indicator.values:
        TargetFactory(
            program=program,
            indicator=indicator,
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
        )
    arabic = Language.objects.get(code="ar")

    def queries_with(n):
        volunteer = VolunteerFactory(program=program)
        for i in range(n):
            activity = ActivityFactory(
                program=program,
                kind=GROUP if i % 2 else ONE_TO_ONE,
                date=today - dt.timedelta(days=i % 60),
            )
            activity.facilitators.add(volunteer)
            activity.participants.add(ParticipantFactory(program=program))
            activity.languages.add(arabic)
            ConcernFactory(program=program, activity=activity)
        ReferralFactory(program=program, referred_on=today)
        cache.clear()  # count the targets' progress too, not a kept copy
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("program_home", args=[program.slug])).status_code == 200
        return len(queries)

    assert queries_with(10) == queries_with(90)


def test_the_dashboard_keeps_its_counts_for_a_while_and_counts_again_on_request(
    login, program, alice, settings
):
    settings.LOTSE_DASHBOARD_SECONDS = 300
    today = timezone.localdate()
    year = {"starts_on": today.replace(month=1, day=1), "ends_on": today.replace(month=12, day=31)}
    target = TargetFactory(program=program, indicator="activities", value=40, **year)
    ActivityFactory.create_batch(3, program=program, date=today)
    client = login(alice)
    url = reverse("program_home", args=[program.slug])

    def shown(response):
        return re.search(r'class="target-actual">(\d+)<', response.text).group(1)

    first = client.get(url)
    assert shown(first) == "3" and "Counted at" in first.text and "?recount=1" in first.text
    assert first.context["dashboard"].activities.this == 3
    ActivityFactory(program=program, date=today)
    ConcernFactory(program=program)
    kept = client.get(url)
    assert shown(kept) == "3" and kept.context["dashboard"].activities.this == 3
    assert kept.context["dashboard"].unacknowledged_concerns == 1  # never kept: read fresh
    again = client.get(url, {"recount": "1"})
    assert shown(again) == "4" and again.context["dashboard"].activities.this == 4
    ActivityFactory(program=program, date=today)
    target.starts_on = today  # a changed target is counted afresh at once
    target.save()
    assert shown(client.get(url)) == "5"


# ---- the other roles' home pages ---------------------------------------------------------


def _member(program, role):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    return user


def test_a_supervisor_sees_open_concerns_and_who_is_overdue(login, program):
    supervisor = _member(program, Membership.Role.SUPERVISOR)
    VolunteerFactory.create_batch(2, program=program)  # active, never supervised
    ConcernFactory(program=program)
    response = login(supervisor).get(reverse("program_home", args=[program.slug]))
    assert response.context["overdue_supervision"] == 2
    assert response.context["unacknowledged_concerns"] == 1
    assert "Acute mental health crisis" in response.text
    assert "dashboard" not in response.context


class WithActivityLog:
    urlpatterns = [
        path("p/<slug:program_slug>/stub/log/", _list_stub, name="activity_log")
    ] + config.urls.urlpatterns


def test_a_volunteer_gets_a_big_button_to_log_a_session(settings, login, program, bob):
    settings.ROOT_URLCONF = WithActivityLog
    response = login(bob).get(reverse("program_home", args=[program.slug]))
    log_url = reverse("activity_log", args=[program.slug])
    assert re.search(
        rf'<a class="btn btn-primary btn-lg[^"]*" href="{log_url}">Log a session', response.text
    )
    assert "dashboard" not in response.context


def test_a_funder_sees_published_reports_only(login, program):
    funder = _member(program, Membership.Role.FUNDER)
    common = {"program": program, "language": "de", "period_start": dt.date(2024, 1, 1)}
    Report.objects.create(
        title="Interim report 2024",
        period_end=dt.date(2024, 6, 30),
        status="published",
        pdf="reports/a.pdf",
        checksum="a" * 64,
        generated_at=timezone.now(),
        published_at=timezone.now(),
        **common,
    )
    Report.objects.create(title="Draft for year end", period_end=dt.date(2024, 12, 31), **common)
    text = login(funder).get(reverse("program_home", args=[program.slug])).text
    assert "Interim report 2024" in text
    assert "Draft for year end" not in text
    assert "Activities this month" not in text


def test_a_fall_since_last_month_prints_a_minus_sign(login, program, alice):
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    ActivityFactory.create_batch(3, program=program, kind=GROUP, date=last_month)
    ActivityFactory(program=program, kind=GROUP, date=today)
    text = login(alice).get(reverse("program_home", args=[program.slug])).text
    assert "Last month: 3 <span" in " ".join(text.split())
    assert "(\N{MINUS SIGN}2)" in text
    assert '<td class="text-end">\N{MINUS SIGN}2</td>' in text

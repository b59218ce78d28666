"""Referral figures for the report, on a small dataset whose answers are known."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import Category, Referral, ReferralEvent
from referrals.selectors import referral_figures

from ..factories import ServiceProviderFactory
from .conftest import make_referral

pytestmark = pytest.mark.django_db

S = Referral.Status
D = dt.date


@pytest.fixture
def dataset(program, other_program):
    """Clinic: attended after 10 days, a no-show after 20, attended after 4 (now closed), an
    unsent proposal. Counselling: declined, and an appointment after 30 days."""
    clinic = ServiceProviderFactory(program=program, name="Clinic", category=Category.PSYCHIATRY)
    counselling = ServiceProviderFactory(
        program=program, name="Counselling", category=Category.SOCIAL_COUNSELLING
    )

    def sent(provider, status, sent_on, appointment_on=None, **kwargs):
        return make_referral(
            program,
            status,
            provider=provider,
            category=provider.category,
            referred_on=sent_on,
            sent_on=sent_on,
            appointment_on=appointment_on,
            **kwargs,
        )

    sent(clinic, S.ATTENDED, D(2024, 3, 1), D(2024, 3, 11))
    sent(clinic, S.NO_SHOW, D(2024, 3, 1), D(2024, 3, 21))
    closed = sent(clinic, S.CLOSED, D(2024, 3, 5), D(2024, 3, 9), closed_on=D(2024, 3, 20))
    ReferralEvent.objects.create(referral=closed, from_status=S.APPOINTMENT, to_status=S.ATTENDED)
    ReferralEvent.objects.create(referral=closed, from_status=S.ATTENDED, to_status=S.CLOSED)
    make_referral(program, provider=clinic, category=clinic.category, referred_on=D(2024, 3, 7))
    sent(counselling, S.DECLINED, D(2024, 3, 2))
    sent(counselling, S.APPOINTMENT, D(2024, 3, 2), D(2024, 4, 1))
    # Outside the period, inbound, or another program's: not counted.
    sent(clinic, S.ATTENDED, D(2023, 12, 1), D(2023, 12, 30))
    make_referral(program, S.SENT, provider=clinic, referred_on=D(2024, 3, 3), direction="inbound")
    make_referral(other_program, S.ATTENDED, referred_on=D(2024, 3, 3))
    return clinic, counselling


def figures(program):
    return referral_figures(program, date_from=D(2024, 3, 1), date_to=D(2024, 3, 31))


def test_the_overall_figures(program, dataset):
    overall = figures(program).overall
    assert (overall.total, overall.sent, overall.attended, overall.no_show) == (6, 5, 2, 1)
    assert overall.share_attended == pytest.approx(2 / 5)
    assert overall.no_show_rate == pytest.approx(1 / 3)
    assert overall.median_days_to_appointment == 15  # 4, 10, 20, 30
    assert overall.median_days_to_attended == 7  # 4, 10


def test_the_figures_by_provider(program, dataset):
    clinic, counselling = figures(program).by_provider
    assert (clinic.provider_name, clinic.total, clinic.sent, clinic.attended) == (
        "Clinic",
        4,
        3,
        2,
    )
    assert clinic.share_attended == pytest.approx(2 / 3)
    assert clinic.no_show_rate == pytest.approx(1 / 3)
    assert (clinic.median_days_to_appointment, clinic.median_days_to_attended) == (10, 7)
    assert (counselling.provider_name, counselling.total, counselling.declined) == (
        "Counselling",
        2,
        1,
    )
    assert counselling.share_attended == 0
    assert counselling.no_show_rate is None
    assert (counselling.median_days_to_appointment, counselling.median_days_to_attended) == (
        30,
        None,
    )


def test_the_counts_by_category_and_status(program, dataset):
    result = figures(program)
    rows = {row.category: row.by_status for row in result.by_category}
    assert rows == {
        "psychiatry": {"attended": 1, "no_show": 1, "closed": 1, "proposed": 1},
        "social_counselling": {"declined": 1, "appointment": 1},
    }
    assert result.by_status["attended"] == 1
    assert [row.total for row in result.by_category] == [4, 2]


def test_an_empty_period_has_no_rates(program):
    overall = figures(program).overall
    assert overall.total == 0
    assert overall.share_attended is None
    assert overall.median_days_to_appointment is None


def test_the_figures_take_a_constant_number_of_queries(program, dataset):
    with CaptureQueriesContext(connection) as few:
        figures(program)
    for day in range(1, 20):
        make_referral(
            program, S.ATTENDED, referred_on=D(2024, 3, day), appointment_on=D(2024, 3, 25)
        )
    with CaptureQueriesContext(connection) as many:
        figures(program)
    assert len(few) == len(many)


def test_the_figures_page_shows_them(login, program, alice, dataset):
    response = login(alice).get(
        reverse("referral_stats", args=[program.slug]),
        {"date_from": "2024-03-01", "date_to": "2024-03-31"},
    )
    assert response.status_code == 200
    assert "40 %" in response.text  # share attended
    assert "33 %" in response.text  # no-show rate
    assert "Counselling" in response.text


def test_the_figures_page_draws_charts_beside_the_tables(login, program, alice, dataset):
    page = (
        login(alice)
        .get(
            reverse("referral_stats", args=[program.slug]),
            {"date_from": "2024-03-01", "date_to": "2024-03-31"},
        )
        .text
    )
    assert 'id="referrals-by-category-title"' in page
    assert 'id="referrals-by-status-title"' in page
    chart = page.split('id="referrals-by-category-title"')[1].split("</svg>")[0]
    assert "Psychiatry: 4" in chart and "Social counselling: 2" in chart  # labelled bars


def test_a_period_without_referrals_has_no_charts(login, program, alice):
    page = login(alice).get(reverse("referral_stats", args=[program.slug])).text
    assert "referrals-by-category" not in page
    assert "No referrals in this period." in page


def test_volunteers_do_not_see_the_figures(login, program, bob):
    assert login(bob).get(reverse("referral_stats", args=[program.slug])).status_code == 403

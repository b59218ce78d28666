"""Every referral list takes the same number of queries for 10 rows as for 100."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Language
from referrals.models import Referral

from ..factories import AreaFactory, ParticipantFactory, ServiceProviderFactory
from .conftest import make_referral

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def add_referrals(program, n, participant=None):
    waiting = timezone.localdate() - dt.timedelta(days=40)
    for _ in range(n):
        make_referral(
            program,
            Referral.Status.SENT,
            referred_on=waiting,
            participant=participant or ParticipantFactory(program=program),
        )


@pytest.mark.parametrize("list_name", ["referral_list", "referral_follow_up"])
def test_coordinator_lists_take_constant_queries(login, program, alice, list_name):
    client = login(alice)
    url = reverse(list_name, args=[program.slug])
    add_referrals(program, 10)
    ten = count_queries(client, url)
    add_referrals(program, 90)
    assert count_queries(client, url) == ten


def test_the_volunteers_list_takes_constant_queries(login, program, bob, met):
    client = login(bob)
    url = reverse("referral_list", args=[program.slug])
    add_referrals(program, 10, participant=met)
    ten = count_queries(client, url)
    add_referrals(program, 90, participant=met)
    assert count_queries(client, url) == ten


def test_the_directory_takes_constant_queries(login, program, alice):
    client = login(alice)
    url = reverse("provider_list", args=[program.slug])
    arabic = Language.objects.get(code="ar")

    def add(n):
        for _ in range(n):
            provider = ServiceProviderFactory(program=program, area=AreaFactory(program=program))
            provider.languages.add(arabic)

    add(10)
    ten = count_queries(client, url)
    add(90)
    assert count_queries(client, url) == ten

"""seed_demo: five demo programs, one login per role, data that obeys the model's rules."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.test import override_settings
from django.urls import reverse

from demo.logins import DEMO_PASSWORD
from demo.seeding import DEMO_SLUGS, flush
from programs.models import ActivityKind, Membership, Program
from referrals.models import Referral
from sessions_log.models import Activity
from volunteers.models import Volunteer

from ..conftest import load_reference_data

pytestmark = pytest.mark.django_db

APPS = ("auth", "programs", "volunteers", "sessions_log", "referrals", "reports")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", scale="small", seed=7, stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def content() -> tuple:
    """What two runs with one seed must agree on beyond counts: codes, names, the log."""
    return (
        sorted(Program.objects.values_list("slug", "participants__code")),
        sorted(Volunteer.objects.values_list("program__slug", "name", "status")),
        sorted(Activity.objects.values_list("program__slug", "kind", "date", "attendees_total")),
    )


@pytest.fixture(scope="module")
def output(django_db_setup, django_db_blocker):
    """The demo data, seeded once for this module (it takes a second or two) and removed after.

    Each test runs in a transaction that is rolled back, so the seeded data stays as it is.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_reference_data()
        printed = seed(flush=True)
    yield printed
    with django_db_blocker.unblock():
        flush()
        # The audit trail of the seeding outlives the demo programs; later tests read the trail.
        LogEntry.objects.all().delete()


def test_it_creates_the_same_data_twice_from_one_seed():
    seed(flush=True)
    first = row_counts(), content()
    seed(flush=True)
    second = row_counts(), content()
    assert first == second
    assert first[0]["sessions_log.Activity"] > 1000


def test_it_creates_the_five_programs(output):
    assert set(Program.objects.values_list("slug", flat=True)) == set(DEMO_SLUGS)
    for program in Program.objects.all():
        assert program.volunteers.exists() and program.activities.exists()
        used = set(program.activities.values_list("kind", flat=True))
        assert used <= set(program.activity_kinds)


def test_the_demo_coordinator_can_log_in_and_open_a_program(output, client):
    assert client.login(username="coordinator@demo.lotse", password=DEMO_PASSWORD)
    membership = Membership.objects.get(
        user__username="coordinator@demo.lotse", program__slug="in2balance"
    )
    assert membership.role == Membership.Role.COORDINATOR
    response = client.get(reverse("program_home", args=["in2balance"]))
    assert response.status_code == 200


def test_the_demo_volunteer_has_logged_own_activities(output):
    volunteer = Volunteer.objects.get(user__username="volunteer@demo.lotse")
    assert volunteer.program.slug == "in2balance"
    own = volunteer.activities.all()
    assert own.exists()
    assert not own.exclude(logged_by=volunteer.user).exists()


def test_it_prints_one_login_per_role(output):
    for email in ("admin@", "coordinator@", "supervisor@", "volunteer@", "funder@"):
        assert f"{email}demo.lotse" in output
    assert DEMO_PASSWORD in output


def test_it_refuses_to_seed_over_existing_demo_data(output):
    with pytest.raises(CommandError, match="--flush"):
        seed()


def test_it_does_nothing_with_if_empty_when_programs_exist(output):
    before = row_counts()
    assert "no demo data" in seed(if_empty=True)
    assert row_counts() == before


def test_attendance_counts_obey_the_rules(output):
    activities = Activity.objects.annotate(named=Count("participants"))
    assert not activities.filter(
        Q(attendees_women__gt=F("attendees_total") - F("attendees_men"))
        | Q(attendees_children__gt=F("attendees_total"))
    ).exists()
    individual = activities.filter(kind__in=ActivityKind.individual())
    assert individual.exists()
    assert not individual.exclude(attendees_total=F("named")).exists()
    assert not individual.filter(named=0).exists()


def test_referral_histories_lead_to_the_referral_status(output):
    for referral in Referral.objects.prefetch_related("events"):
        events = list(referral.events.all())
        assert events[0].from_status == ""
        assert events[-1].to_status == referral.status
        steps = zip(events, events[1:], strict=False)
        assert all(a.to_status == b.from_status for a, b in steps)
        assert [e.at for e in events] == sorted(e.at for e in events)
        if referral.direction == "outbound" and referral.status != "proposed":
            assert referral.consent_to_share and referral.consent_on

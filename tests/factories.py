import datetime as dt

import factory
from django.contrib.auth import get_user_model

from programs.models import (
    ActivityKind,
    Area,
    Funder,
    Grant,
    Membership,
    Organisation,
    Participant,
    Program,
    Site,
)
from referrals.models import Category, Referral, ServiceProvider
from sessions_log.models import Activity, Concern
from volunteers.models import Volunteer

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.NGO


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Funder {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    starts_on = dt.date(2024, 1, 1)
    country = "DE"
    default_language = "de"
    activity_kinds = [ActivityKind.GROUP, ActivityKind.ONE_TO_ONE]


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    program = factory.SubFactory(ProgramFactory)
    funder = factory.SubFactory(FunderFactory)
    reference = factory.Sequence(lambda n: f"G-{n}")
    amount = 10000
    starts_on = dt.date(2024, 1, 1)
    ends_on = dt.date(2024, 12, 31)
    report_language = "de"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Membership.Role.COORDINATOR


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    caseload_ratio_target = 100


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Shelter {n}")
    kind = Site.Kind.SHELTER


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    program = factory.SubFactory(ProgramFactory)
    year_of_birth = 1990
    gender = Participant.Gender.FEMALE


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"V{n:04d}")
    name = factory.Sequence(lambda n: f"Volunteer {n}")
    status = Volunteer.Status.ACTIVE


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    program = factory.SubFactory(ProgramFactory)
    kind = ActivityKind.GROUP
    date = dt.date(2024, 3, 1)
    minutes = 90
    attendees_total = 10
    attendees_women = 4
    attendees_men = 5


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    program = factory.SubFactory(ProgramFactory)
    category = Concern.Category.MENTAL_HEALTH_CRISIS
    severity = Concern.Severity.HIGH
    description = "Resident talked about not wanting to live."


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProvider

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Provider {n}")
    category = Category.PSYCHOSOCIAL_CENTRE


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    program = factory.SubFactory(ProgramFactory)
    participant = factory.SubFactory(ParticipantFactory, program=factory.SelfAttribute("..program"))
    provider = factory.SubFactory(
        ServiceProviderFactory, program=factory.SelfAttribute("..program")
    )
    category = Category.PSYCHOSOCIAL_CENTRE
    referred_on = dt.date(2024, 3, 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Target"

    program = factory.SubFactory(ProgramFactory)
    indicator = "activities"
    value = 100
    starts_on = dt.date(2024, 1, 1)
    ends_on = dt.date(2024, 12, 31)


class SiteOccupancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.SiteOccupancy"

    site = factory.SubFactory(SiteFactory)
    date = dt.date(2024, 3, 1)
    residents = 80


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Training"

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Basic training {n}")
    kind = "basic"
    starts_on = dt.date(2024, 3, 1)
    ends_on = dt.date(2024, 4, 30)
    planned_hours = 24


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.TrainingSession"

    training = factory.SubFactory(TrainingFactory)
    date = factory.SelfAttribute("training.starts_on")
    minutes = 180


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Enrollment"

    training = factory.SubFactory(TrainingFactory)
    volunteer = factory.SubFactory(
        VolunteerFactory, program=factory.SelfAttribute("..training.program")
    )
    enrolled_on = factory.SelfAttribute("training.starts_on")


class SupervisionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.SupervisionSession"

    program = factory.SubFactory(ProgramFactory)
    kind = "group"
    date = dt.date(2024, 3, 1)
    minutes = 90
    supervisor_name = "Dr. Ute Brandt"


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_log.Match"

    program = factory.SubFactory(ProgramFactory)
    volunteer = factory.SubFactory(VolunteerFactory, program=factory.SelfAttribute("..program"))
    participant = factory.SubFactory(ParticipantFactory, program=factory.SelfAttribute("..program"))
    proposed_on = dt.date(2024, 3, 1)


class SelfHelpGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_log.SelfHelpGroup"

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Self-help group {n}")
    contact_point = factory.SubFactory(
        SiteFactory, program=factory.SelfAttribute("..program"), kind="contact_point"
    )
    topic_area = "mental_health"
    started_on = dt.date(2024, 3, 1)


class OutcomeMeasureFactory(factory.django.DjangoModelFactory):
    """A WHO-5 baseline; scores are computed from ``answers`` as the service does."""

    class Meta:
        model = "sessions_log.OutcomeMeasure"

    participant = factory.SubFactory(ParticipantFactory)
    program = factory.SelfAttribute("participant.program")
    instrument = "who5"
    timepoint = "baseline"
    date = dt.date(2025, 1, 15)
    answers = factory.LazyFunction(lambda: {"1": 3, "2": 2, "3": 4, "4": 1, "5": 2})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from sessions_log.instruments import INSTRUMENTS

        result = INSTRUMENTS[kwargs["instrument"]].score(kwargs["answers"])
        kwargs.setdefault("score", result.score)
        kwargs.setdefault("score_percent", result.score_percent)
        kwargs.setdefault("complete", result.complete)
        kwargs.setdefault("positive_screen", result.positive_screen)
        kwargs.setdefault("category", result.category)
        kwargs.setdefault("status", "complete" if result.complete else "draft")
        return super()._create(model_class, *args, **kwargs)

"""The shared machinery of the demo data: scales, the random helpers and ``ProgramBuilder``.

A ``ProgramBuilder`` writes one program: its organisations and grants, sites, volunteers with
their trainings and supervision, participants, service providers, activities with concerns,
referrals, outcome measures and memberships. Each demo program (``demo.programs``) is a
subclass that sets the program's parameters and overrides the hooks where it works differently.

Everything random comes from the builder's ``random.Random``, seeded from the seed and the
program's slug, and every date is relative to today: two runs with the same seed on the same day
create the same rows. Rows are written with ``bulk_create`` in chunks, the rows of many-to-many
tables through their through models, so no query runs per row and memory stays bounded at any
scale.
"""

import bisect
import math
import random
import time as clock
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from demo.data.activities import (
    CONCERN_CATEGORIES,
    CONCERN_SEVERITIES,
    HEADCOUNTS,
    MINUTES,
    REFERRAL_FLOWS,
    REFERRAL_STEP_DAYS,
)
from demo.data.languages import BACKGROUND_LANGUAGES, LANGUAGE_CODES, ORIGIN_LANGUAGES
from demo.data.names import NAMES
from demo.data.texts import SUPERVISORS, TEXTS
from demo.logins import DemoLogin
from demo.specs import Cohort, GrantSpec, OrgSpec, ProviderSpec, SiteSpec, TrainingSpec
from programs.models import (
    PARTICIPANT_CODE_ALPHABET,
    ActivityKind,
    Area,
    Funder,
    Grant,
    HelperTerm,
    Language,
    Membership,
    Organisation,
    Participant,
    Program,
    Site,
    SiteOccupancy,
    Target,
)
from referrals.models import Category, Referral, ReferralEvent, ServiceProvider
from sessions_log.models import Activity, Concern, OutcomeMeasure, Topic
from sessions_log.topics import CATALOGUE
from volunteers.models import (
    Enrollment,
    SupervisionSession,
    Training,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
    VolunteerStatusChange,
)

CHUNK = 5000  # rows per bulk_create
WINDOW_DAYS = 730  # the logged work covers the two years up to today

Kind = ActivityKind
Role = Membership.Role
INDIVIDUAL = ActivityKind.individual()


class DemoError(Exception):
    """The database is not ready for demo data (e.g. languages or topics are missing)."""


@dataclass(frozen=True)
class Scale:
    """How much data each program gets (``manage.py seed_demo --scale``)."""

    volunteers: int  # per program
    participants: int  # per program
    activities: int  # per program
    contact_points: int  # In-Gang-Setzer contact points
    extra_programs: int  # generated regional programs beside the five


SCALES = {
    "small": Scale(
        volunteers=20, participants=60, activities=300, contact_points=12, extra_programs=0
    ),
    "medium": Scale(
        volunteers=60, participants=500, activities=3000, contact_points=30, extra_programs=5
    ),
    "large": Scale(
        volunteers=110, participants=2500, activities=21000, contact_points=50, extra_programs=45
    ),
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def day_between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def workday_between(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi], mostly Monday to Friday."""
    for _ in range(5):
        day = day_between(rng, lo, hi)
        if day.weekday() < 5 or rng.random() < 0.25:
            return day
    return day


def ascii_part(text: str) -> str:
    text = text.translate(str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "å": "a", "ı": "i"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def pick_languages(rng: random.Random, table) -> list[str]:
    codes = [code for code, probability in table if rng.random() < probability]
    return codes or [table[0][0]]


def link(through, source: int, target) -> object:
    """A row of an auto-created many-to-many table (id, source, target).

    Built from positional values: for millions of rows that is twice as fast as keywords.
    """
    return through(None, source, target)


@contextmanager
def historic_timestamps():
    """Let generated rows carry the time they happened instead of the time they were written.

    ``auto_now``/``auto_now_add`` would stamp two years of activities, concerns and referral
    events with the moment of seeding; while this is active the generator sets them itself.
    """
    fields = [
        model._meta.get_field(name)
        for model, name in (
            (Activity, "created_at"),
            (Activity, "updated_at"),
            (Participant, "created_at"),
            (Volunteer, "created_at"),
            (Concern, "raised_at"),
            (Referral, "created_at"),
            (Referral, "updated_at"),
            (ReferralEvent, "at"),
            (OutcomeMeasure, "created_at"),
        )
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def spread(rng: random.Random, total: int, items: int, low: int, high: int) -> list[int]:
    """Answers on a low…high scale, one per item, that add up to ``total`` (clamped)."""
    values = [low] * items
    left = min(max(total, low * items), high * items) - low * items
    while left > 0:
        index = rng.choice([i for i, v in enumerate(values) if v < high])
        values[index] += 1
        left -= 1
    return values


def outcome_row(program, person: "Person", code: str, timepoint: str, day: date, answers, **fields):
    """An outcome measure scored as the application scores it (``apply_score``)."""
    measure = OutcomeMeasure(
        program=program,
        participant_id=person.pk,
        instrument=code,
        timepoint=timepoint,
        date=day,
        answers={str(i): v for i, v in enumerate(answers, start=1)},
        **fields,
    )
    measure.apply_score()
    return measure


# --------------------------------------------------------------------------------------------
# A volunteer's course, and records of what was written
# --------------------------------------------------------------------------------------------


@dataclass
class Career:
    joined: date
    status: str = Volunteer.Status.APPLICANT
    history: list[tuple[str, str, date, str]] = field(default_factory=list)
    enrolled: list[tuple[int, str, date | None]] = field(default_factory=list)
    active_from: date | None = None  # when the volunteer starts to facilitate activities
    active_until: date | None = None
    left_on: date | None = None
    left_reason: str = ""

    def __post_init__(self):
        self.history.append(("", self.status, self.joined, ""))

    def change(self, status: str, day: date, reason: str = ""):
        self.history.append((self.status, status, day, reason))
        self.status = status

    def leave(self, day: date, reason: str):
        self.change(Volunteer.Status.LEFT, day, reason)
        self.left_on, self.left_reason = day, reason
        if self.active_from:
            self.active_until = day


# Runtime records of what was written, kept for choosing facilitators and participants.


@dataclass(slots=True)
class Vol:
    pk: int
    languages: list[str]
    active_from: date | None
    active_until: date | None
    sites: list[int]
    employed: bool
    user_id: int | None = None


@dataclass(slots=True)
class Person:
    pk: int
    first_seen: date
    year_of_birth: int
    gender: str
    languages: list[str]
    site: int | None
    consent_scope: str
    consent_on: date | None
    aftercare_until: date | None


@dataclass(slots=True)
class SiteRow:
    pk: int
    kind: str
    capacity: int | None
    area: str | None
    city: str


@dataclass
class ProgramResult:
    name: str
    slug: str
    counts: dict[str, int]
    seconds: float


# --------------------------------------------------------------------------------------------
# Context shared by all builders
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    scale: Scale
    seed: int
    today: date
    users: dict[str, object]
    topics: dict[str, int]

    @property
    def start(self) -> date:
        return self.today - timedelta(days=WINDOW_DAYS)

    @classmethod
    def prepare(cls, scale: str, seed: int) -> "Context":
        missing = set(LANGUAGE_CODES) - set(
            Language.objects.filter(code__in=LANGUAGE_CODES).values_list("code", flat=True)
        )
        if missing:
            raise DemoError(
                gettext("Languages missing: %(codes)s; run migrate first.")
                % {"codes": ", ".join(sorted(missing))}
            )
        topics = dict(Topic.objects.filter(program=None).exclude(key="").values_list("key", "pk"))
        if set(CATALOGUE) - set(topics):
            raise DemoError(gettext("The shared topic catalogue is incomplete; run migrate first."))
        return cls(SCALES[scale], seed, timezone.localdate(), {}, topics)


class ActivityWriter:
    """Collects activities with their many-to-many rows and writes them in chunks."""

    Facilitator = Activity.facilitators.through
    ActivityLanguage = Activity.languages.through
    ActivityTopic = Activity.topics.through
    ActivityParticipant = Activity.participants.through

    def __init__(self, builder: "ProgramBuilder"):
        self.builder = builder
        self.pending: list[tuple] = []
        self.concerns: list[Concern] = []
        self.total = 0

    def add(self, activity, facilitators, languages, topics, participants, concern):
        self.pending.append((activity, facilitators, languages, topics, participants, concern))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        Activity.objects.bulk_create([row[0] for row in self.pending], batch_size=CHUNK)
        facilitators, languages, topics, participants = [], [], [], []
        for activity, vols, codes, topic_ids, people, concern in self.pending:
            pk = activity.pk
            facilitators += [link(self.Facilitator, pk, v) for v in vols]
            languages += [link(self.ActivityLanguage, pk, c) for c in codes]
            topics += [link(self.ActivityTopic, pk, t) for t in topic_ids]
            participants += [link(self.ActivityParticipant, pk, p) for p in people]
            if concern:
                self.concerns.append(self.builder.concern_for(activity))
        for model, rows in (
            (self.Facilitator, facilitators),
            (self.ActivityLanguage, languages),
            (self.ActivityTopic, topics),
            (self.ActivityParticipant, participants),
        ):
            model.objects.bulk_create(rows, batch_size=CHUNK * 2)
        self.total += len(self.pending)
        self.pending = []

    def close(self):
        self.flush()
        Concern.objects.bulk_create(self.concerns, batch_size=CHUNK)


# --------------------------------------------------------------------------------------------
# The program builder: common steps, with the program-specific parts as overridable hooks
# --------------------------------------------------------------------------------------------


class ProgramBuilder:
    """Builds one demo program (``build``); a subclass sets the class attributes below and
    overrides the hooks where its program works differently."""

    slug = ""
    name = ""
    description = ""
    country = "DE"
    language = "de"  # default UI and report language; also the host country's language
    helper_term = HelperTerm.VOLUNTEERS  # what the program calls its volunteers
    starts_before_days = 120
    ends_after_days: int | None = None  # None: ongoing
    free_kinds: dict[str, float] = {}
    scheduled_share = 0.0  # share of activities that come from matches or self-help groups
    volunteer_backgrounds: dict[str, float] = {"de": 1}
    origins: dict[str, float] = {"SY": 1}
    female_share = 0.5
    minor_share = 0.1
    topics: dict[str, tuple[str, ...]] = {}
    own_topics: tuple[str, ...] = ()
    cohort_every_days = 182
    supervision_every_days = 28
    supervision_group_size = 12
    referral_rate = 0.25
    concern_rate = 0.012
    occupancy = False
    participant_factor = 1.0
    members: tuple[tuple[str, str], ...] = (("coordinator", Role.COORDINATOR),)
    volunteer_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME, Site.Kind.OFFICE)
    event_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME, Site.Kind.OFFICE)
    participant_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME)
    supervisor_key: str | None = None  # demo user who supervises; else an external name
    lead_org: OrgSpec
    partner_orgs: tuple[OrgSpec, ...] = ()

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.scale = ctx.scale
        self.today = ctx.today
        self.start = ctx.start
        self.rng = random.Random(f"{ctx.seed}:{self.slug}")
        self.texts = TEXTS[self.language]
        self.tz = timezone.get_current_timezone()
        self.vols: list[Vol] = []
        self.people: list[Person] = []
        self.sites: list[SiteRow] = []
        self.providers: list[tuple[int, str]] = []
        self.counts: Counter = Counter()
        self.budget = self.scale.activities
        self.seen: set[int] = set()  # participants met at least once (for intake notes)

    # ---- hooks -------------------------------------------------------------------------

    def grants(self) -> list[GrantSpec]:
        raise NotImplementedError

    def areas(self) -> list[tuple[str, int | None, Decimal]]:
        return []

    def site_specs(self) -> list[SiteSpec]:
        raise NotImplementedError

    def provider_specs(self) -> list[ProviderSpec]:
        raise NotImplementedError

    def cohort(self, number: int, starts_on: date) -> Cohort:
        raise NotImplementedError

    def schedule(self, writer: ActivityWriter):
        """Activities that follow from matches or self-help groups (none by default)."""

    def volunteer_extras(self, index: int, row: Volunteer, vol: Vol, cohort: Cohort):
        """Program-specific volunteer fields (employment, interests)."""

    def create_outcomes(self):
        """Questionnaires before and after (outcome measures); none by default."""

    # ---- helpers -----------------------------------------------------------------------

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    @property
    def program_starts(self) -> date:
        return self.start - timedelta(days=self.starts_before_days)

    @property
    def program_ends(self) -> date | None:
        if self.ends_after_days is None:
            return None
        return self.today + timedelta(days=self.ends_after_days)

    def user_pk(self, key: str) -> int | None:
        user = self.ctx.users.get(key)
        return user.pk if user else None

    @property
    def logger_pk(self) -> int | None:
        """Who logs activities of volunteers without an account: the program's coordinator."""
        return self.user_pk(self.members[0][0]) if self.members else None

    @property
    def acknowledger_pk(self) -> int | None:
        return self.user_pk(self.supervisor_key or self.members[0][0]) if self.members else None

    def active_on(self, day: date) -> list[Vol]:
        return self.active_by_week[min((day - self.start).days // 7, len(self.active_by_week) - 1)]

    # ---- the build -----------------------------------------------------------------------

    def build(self) -> ProgramResult:
        started = clock.perf_counter()
        with transaction.atomic():
            self.create_program()
            self.create_grants()
            self.create_sites()
            if self.occupancy:
                self.create_occupancy()
            self.create_volunteers()
            self.create_supervision()
            self.create_participants()
            self.create_providers()
            writer = ActivityWriter(self)
            self.schedule(writer)
            self.create_free_activities(writer)
            writer.close()
            self.counts["activities"] = writer.total
            self.counts["concerns"] = len(writer.concerns)
            self.create_referrals()
            self.create_outcomes()
            self.create_memberships()
        return ProgramResult(
            self.name, self.slug, dict(self.counts), clock.perf_counter() - started
        )

    def create_program(self):
        self.lead = self.organisation(self.lead_org)
        self.partners = {spec.name: self.organisation(spec) for spec in self.partner_orgs}
        self.program = Program.objects.create(
            name=self.name,
            slug=self.slug,
            lead_organisation=self.lead,
            description=self.description,
            starts_on=self.program_starts,
            ends_on=self.program_ends,
            country=self.country,
            default_language=self.language,
            helper_term=self.helper_term,
            activity_kinds=list(self.topics),
            volunteer_edit_days=7,
        )
        self.program.partners.set(self.partners.values())
        self.own_topic_pks = [
            topic.pk
            for topic in Topic.objects.bulk_create(
                [Topic(program=self.program, name=name) for name in self.own_topics]
            )
        ]

    @staticmethod
    def organisation(spec: OrgSpec) -> Organisation:
        org, _ = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={"kind": spec.kind, "city": spec.city, "country": spec.country},
        )
        return org

    def create_grants(self):
        targets = []
        for spec in self.grants():
            funder, _ = Funder.objects.get_or_create(
                name=spec.funder.name,
                defaults={"kind": spec.funder.kind, "country": spec.funder.country},
            )
            grant = Grant.objects.create(
                program=self.program,
                funder=funder,
                reference=spec.reference,
                amount=Decimal(spec.amount),
                currency=spec.currency,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                report_language=spec.language,
            )
            targets += [
                Target(
                    program=self.program,
                    grant=grant,
                    indicator=indicator,
                    value=Decimal(round(value)),
                    starts_on=spec.starts_on,
                    ends_on=spec.ends_on,
                )
                for indicator, value in spec.targets.items()
            ]
            self.counts["grants"] += 1
        Target.objects.bulk_create(targets)

    def create_sites(self):
        areas = {
            name: Area(program=self.program, name=name, caseload_ratio_target=ratio, staff_fte=fte)
            for name, ratio, fte in self.areas()
        }
        Area.objects.bulk_create(areas.values())
        self.area_pks = {name: area.pk for name, area in areas.items()}
        specs = self.site_specs()
        rows = Site.objects.bulk_create(
            [
                Site(
                    program=self.program,
                    area=areas.get(spec.area),
                    name=spec.name,
                    kind=spec.kind,
                    city=spec.city,
                    address=spec.address,
                    capacity=spec.capacity,
                )
                for spec in specs
            ],
            batch_size=CHUNK,
        )
        self.sites = [
            SiteRow(row.pk, spec.kind, spec.capacity, spec.area, spec.city)
            for row, spec in zip(rows, specs, strict=True)
        ]
        self.counts["sites"] = len(self.sites)

    def sites_of(self, kinds) -> list[SiteRow]:
        return [site for site in self.sites if site.kind in kinds]

    def create_occupancy(self):
        rows = []
        for site in self.sites:
            if not site.capacity or site.kind not in (
                Site.Kind.SHELTER,
                Site.Kind.TRANSITION_HOME,
                Site.Kind.PRIVATE_FLAT,
            ):
                continue
            level = self.rng.uniform(0.6, 0.95)
            month = self.start.replace(day=1)
            while month <= self.today:
                level = min(1.0, max(0.3, level + self.rng.uniform(-0.08, 0.08)))
                rows.append(
                    SiteOccupancy(
                        site_id=site.pk, date=month, residents=round(site.capacity * level)
                    )
                )
                month = (month + timedelta(days=32)).replace(day=1)
        SiteOccupancy.objects.bulk_create(rows, batch_size=CHUNK)

    # ---- volunteers, trainings, supervision --------------------------------------------

    def cohorts(self) -> list[Cohort]:
        cohorts, number = [], 1
        starts_on = self.program_starts + timedelta(days=14)
        while starts_on <= self.today + timedelta(days=45):
            cohorts.append(self.cohort(number, starts_on))
            number += 1
            starts_on += timedelta(days=self.cohort_every_days)
        return cohorts

    def basic_cohort(self, title, starts_on, sessions, minutes, weeks, topics, trainer):
        ends_on = starts_on + timedelta(weeks=weeks)
        step = max(1, (ends_on - starts_on).days // max(1, sessions - 1))
        days = [min(ends_on, starts_on + timedelta(days=step * i)) for i in range(sessions)]
        spec = TrainingSpec(
            title, Training.Kind.BASIC, starts_on, ends_on, days, minutes, topics, trainer
        )
        return Cohort([spec], ends_on + timedelta(days=1))

    def create_volunteers(self):
        rng = self.rng
        cohorts = self.cohorts()
        trainings = self.create_trainings(cohorts)
        weights = [
            (3.0 if number == 0 else 1.0) * (0.4 if c.starts_on > self.today else 1.0)
            for number, c in enumerate(cohorts)
        ]
        site_pool = self.sites_of(self.volunteer_site_kinds) or self.sites
        rows, changes, enrollments, vols = [], [], [], []
        coordinator = self.logger_pk
        for index in range(self.scale.volunteers):
            demo = self.demo_volunteer(index)
            steady = demo is not None or self.steady(index)
            cohort_no = 0 if steady else rng.choices(range(len(cohorts)), weights)[0]
            background = "ar" if demo else weighted(rng, self.volunteer_backgrounds)
            gender = "female" if demo or rng.random() < 0.65 else "male"
            female, male, surnames = NAMES[background]
            first = rng.choice(female if gender == "female" else male)
            last = rng.choice(surnames)
            email = f"{ascii_part(first)}.{ascii_part(last)}@example.org"
            if demo:
                first, last, email = demo.first_name, demo.last_name, demo.email
            elif rng.random() < 0.2:
                email = ""
            languages = pick_languages(rng, BACKGROUND_LANGUAGES[background])
            if self.language not in languages and (demo or rng.random() < 0.95):
                languages.append(self.language)
            if demo and "en" not in languages:
                languages.append("en")
            career = self.career(cohorts[cohort_no], steady)
            sites = [s.pk for s in rng.sample(site_pool, min(len(site_pool), rng.randint(1, 3)))]
            user_pk = self.user_pk(demo.key) if demo else None
            vol = Vol(0, languages, career.active_from, career.active_until, sites, False, user_pk)
            migrant = background not in ("de", "da")
            row = Volunteer(
                program=self.program,
                user_id=user_pk,
                code=f"V-{index + 1:04d}",
                name=f"{first} {last}",
                email=email,
                status=career.status,
                joined_on=career.joined,
                left_on=career.left_on,
                left_reason=career.left_reason,
                lived_refugee_experience=True if migrant and rng.random() < 0.8 else None,
                created_at=self.at(career.joined, 9),
            )
            self.volunteer_extras(index, row, vol, cohorts[cohort_no])
            rows.append(row)
            vols.append(vol)
            changes.append(career.history)
            enrollments.append(
                (cohort_no, career.joined, career.enrolled, career.left_on or self.today)
            )
        Volunteer.objects.bulk_create(rows, batch_size=CHUNK)
        for row, vol in zip(rows, vols, strict=True):
            vol.pk = row.pk
            vol.employed = row.employed_by_id is not None
        self.vols = vols
        VolunteerLanguage = Volunteer.languages.through
        VolunteerSite = Volunteer.usual_sites.through
        VolunteerLanguage.objects.bulk_create(
            [
                VolunteerLanguage(volunteer_id=v.pk, language_id=c)
                for v in vols
                for c in v.languages
            ],
            batch_size=CHUNK * 2,
        )
        VolunteerSite.objects.bulk_create(
            [VolunteerSite(volunteer_id=v.pk, site_id=s) for v in vols for s in v.sites],
            batch_size=CHUNK * 2,
        )
        VolunteerStatusChange.objects.bulk_create(
            [
                VolunteerStatusChange(
                    volunteer_id=v.pk,
                    from_status=old,
                    to_status=new,
                    changed_on=day,
                    reason=reason,
                    changed_by_id=coordinator,
                )
                for v, history in zip(vols, changes, strict=True)
                for old, new, day, reason in history
            ],
            batch_size=CHUNK,
        )
        self.create_enrollments(cohorts, trainings, enrollments)
        self.counts["volunteers"] = len(vols)
        weeks = WINDOW_DAYS // 7 + 1
        self.active_by_week = []
        for week in range(weeks):
            day = self.start + timedelta(days=week * 7 + 3)
            self.active_by_week.append(
                [
                    v
                    for v in vols
                    if v.active_from
                    and v.active_from <= day
                    and (v.active_until is None or v.active_until >= day)
                ]
            )

    def career(self, cohort: Cohort, steady: bool) -> "Career":
        """A volunteer's way through the program: joined, trained, active, paused or left."""
        rng, today = self.rng, self.today
        joined = cohort.starts_on - timedelta(days=rng.randint(10, 60))
        if joined > today:
            joined = today - timedelta(days=rng.randint(1, 20))
        career = Career(joined)
        if cohort.starts_on > today:
            career.enrolled = [(0, "enrolled", None)]
            return career
        career.change(Volunteer.Status.TRAINING, cohort.starts_on)
        if cohort.active_from > today:
            for i, spec in enumerate(cohort.trainings):
                if spec.starts_on <= today:
                    done = spec.ends_on < today
                    career.enrolled.append(
                        (i, "completed" if done else "enrolled", spec.ends_on if done else None)
                    )
            career.active_from = self.working_in_training(cohort)
            return career
        if not steady and rng.random() < 0.1:
            quit_on = day_between(rng, cohort.starts_on, cohort.active_from)
            for i, spec in enumerate(cohort.trainings):
                if spec.starts_on <= quit_on:
                    done = spec.ends_on < quit_on
                    career.enrolled.append(
                        (i, "completed" if done else "dropped", spec.ends_on if done else None)
                    )
            career.leave(quit_on, rng.choice(self.texts["dropped"]))
            return career
        career.enrolled = [
            (i, "completed", spec.ends_on) for i, spec in enumerate(cohort.trainings)
        ]
        career.active_from = cohort.active_from
        career.change(Volunteer.Status.ACTIVE, cohort.active_from)
        settled = cohort.active_from + timedelta(days=30)
        roll = 0.0 if steady else rng.random()
        if roll > 0.9 and settled < today:
            paused = day_between(rng, max(settled, today - timedelta(days=180)), today)
            career.change(Volunteer.Status.PAUSED, paused)
            career.active_until = paused
        elif roll > 0.72 and settled < today:
            career.leave(day_between(rng, settled, today), rng.choice(self.texts["left"]))
        return career

    def demo_volunteer(self, index: int) -> DemoLogin | None:
        return None

    def steady(self, index: int) -> bool:
        """Volunteers of the first cohort who stay active throughout (e.g. employed staff)."""
        return False

    def working_in_training(self, cohort: Cohort) -> date | None:
        """When trainees of an unfinished cohort already work (VBC counsels in practice)."""
        return None

    def create_trainings(self, cohorts: list[Cohort]) -> list[list[Training]]:
        per_cohort = [
            [
                Training(
                    program=self.program,
                    title=spec.title,
                    kind=spec.kind,
                    starts_on=spec.starts_on,
                    ends_on=spec.ends_on,
                    planned_hours=Decimal(
                        f"{len(spec.session_days) * spec.session_minutes / 60:.1f}"
                    ),
                    trainer=spec.trainer,
                )
                for spec in cohort.trainings
            ]
            for cohort in cohorts
        ]
        Training.objects.bulk_create([t for ts in per_cohort for t in ts])
        self.counts["trainings"] = sum(len(ts) for ts in per_cohort)
        return per_cohort

    def create_enrollments(self, cohorts, trainings, enrollments):
        rng = self.rng
        rows, sessions, attendance = [], [], []
        participants_by_training: dict[int, list[tuple[Vol, date]]] = {}
        for vol, (cohort_no, joined, enrolled, last_day) in zip(
            self.vols, enrollments, strict=True
        ):
            cohort = cohorts[cohort_no]
            for i, status, completed_on in enrolled:
                spec, training = cohort.trainings[i], trainings[cohort_no][i]
                hours = 0
                if spec.practice_hours and status != "dropped":
                    low, high = spec.practice_hours
                    share = min(
                        1.0,
                        (self.today - spec.starts_on).days
                        / max(1, (spec.ends_on - spec.starts_on).days),
                    )
                    hours = round(rng.uniform(low, high) * share)
                enrolled_on = min(
                    joined + timedelta(days=rng.randint(0, 7)), spec.starts_on, self.today
                )
                rows.append(
                    Enrollment(
                        training_id=training.pk,
                        volunteer_id=vol.pk,
                        status=status,
                        enrolled_on=enrolled_on,
                        completed_on=completed_on,
                        practice_hours=Decimal(hours),
                    )
                )
                participants_by_training.setdefault(training.pk, []).append((vol, last_day))
        Enrollment.objects.bulk_create(rows, batch_size=CHUNK)
        for cohort, ts in zip(cohorts, trainings, strict=True):
            for spec, training in zip(cohort.trainings, ts, strict=True):
                for number, day in enumerate(spec.session_days):
                    sessions.append(
                        TrainingSession(
                            training_id=training.pk,
                            date=day,
                            minutes=spec.session_minutes,
                            topic=spec.session_topics[number % len(spec.session_topics)],
                        )
                    )
        TrainingSession.objects.bulk_create(sessions, batch_size=CHUNK)
        for session in sessions:
            if session.date > self.today:
                continue
            for vol, last_day in participants_by_training.get(session.training_id, ()):
                if session.date <= last_day and rng.random() < 0.9:
                    attendance.append(
                        TrainingAttendance(session_id=session.pk, volunteer_id=vol.pk)
                    )
        TrainingAttendance.objects.bulk_create(attendance, batch_size=CHUNK * 2)
        self.counts["training sessions"] = len(sessions)

    def create_supervision(self):
        rng = self.rng
        supervisor_pk = self.user_pk(self.supervisor_key) if self.supervisor_key else None
        external = SUPERVISORS[self.language]
        sessions, attendees = [], []
        day = self.start + timedelta(days=rng.randint(3, 14))
        while day <= self.today:
            pool = list(self.active_on(day))
            rng.shuffle(pool)
            groups = max(1, math.ceil(len(pool) / self.supervision_group_size))
            for g in range(groups):
                present = [v for v in pool[g::groups] if v.user_id or rng.random() < 0.75]
                if not present:
                    continue
                sessions.append(
                    self.supervision(
                        SupervisionSession.Kind.GROUP,
                        day,
                        rng.choice((90, 120, 120, 150)),
                        supervisor_pk,
                        external,
                    )
                )
                attendees.append([v.pk for v in present])
            day += timedelta(days=self.supervision_every_days + rng.randint(-3, 3))
        for vol in self.vols:
            if not vol.active_from:
                continue
            first = max(vol.active_from, self.start)
            last = vol.active_until or self.today
            for _ in range(rng.randint(0, max(0, (last - first).days // 240))):
                sessions.append(
                    self.supervision(
                        SupervisionSession.Kind.INDIVIDUAL,
                        day_between(rng, first, last),
                        60,
                        supervisor_pk,
                        external,
                    )
                )
                attendees.append([vol.pk])
        SupervisionSession.objects.bulk_create(sessions, batch_size=CHUNK)
        Attendee = SupervisionSession.attendees.through
        Attendee.objects.bulk_create(
            [
                Attendee(supervisionsession_id=s.pk, volunteer_id=v)
                for s, vs in zip(sessions, attendees, strict=True)
                for v in vs
            ],
            batch_size=CHUNK * 2,
        )
        self.counts["supervision sessions"] = len(sessions)

    def supervision(self, kind, day, minutes, supervisor_pk, external):
        topics = self.rng.sample(self.texts["supervision"], 2)
        return SupervisionSession(
            program=self.program,
            kind=kind,
            date=day,
            minutes=minutes,
            supervisor_id=supervisor_pk,
            supervisor_name="" if supervisor_pk else self.rng.choice(external),
            topics=", ".join(topics),
        )

    # ---- participants and providers --------------------------------------------------

    def participant_count(self) -> int:
        return max(1, round(self.scale.participants * self.participant_factor))

    def participant_site(self, first_seen: date) -> SiteRow | None:
        pool = self.sites_of(self.participant_site_kinds)
        if not pool:
            return None
        return self.rng.choices(pool, [s.capacity or 1 for s in pool])[0]

    def aftercare(self, site: SiteRow | None, first_seen: date) -> date | None:
        return None

    def create_participants(self):
        rng = self.rng
        codes: set[str] = set()
        rows, people = [], []
        for _ in range(self.participant_count()):
            code = ""
            while not code or code in codes:
                code = "P-" + "".join(rng.choices(PARTICIPANT_CODE_ALPHABET, k=5))
            codes.add(code)
            first_seen = day_between(
                rng, self.start - timedelta(days=180), self.today - timedelta(days=1)
            )
            origin = weighted(rng, self.origins)
            if rng.random() < self.minor_share:
                born = first_seen.year - rng.randint(6, 17)
            else:
                born = first_seen.year - rng.randint(18, 68)
            roll = rng.random()
            gender = (
                Participant.Gender.FEMALE
                if roll < self.female_share
                else Participant.Gender.MALE
                if roll < 0.97
                else Participant.Gender.DIVERSE
                if roll < 0.98
                else Participant.Gender.UNKNOWN
            )
            languages = pick_languages(rng, ORIGIN_LANGUAGES[origin])
            if self.language not in languages and rng.random() < 0.25:
                languages.append(self.language)
            if "en" not in languages and rng.random() < 0.15:
                languages.append("en")
            site = self.participant_site(first_seen)
            scope, consent_on = "", None
            if rng.random() < 0.92:
                scope = weighted(rng, {"support": 40, "referral": 35, "evaluation": 25})
                consent_on = first_seen
            person = Person(
                0,
                first_seen,
                born,
                gender,
                languages,
                site.pk if site else None,
                scope,
                consent_on,
                self.aftercare(site, first_seen),
            )
            rows.append(
                Participant(
                    program=self.program,
                    code=code,
                    year_of_birth=born,
                    gender=gender,
                    country_of_origin=origin,
                    site_id=person.site,
                    consent_on=consent_on,
                    consent_scope=scope,
                    aftercare_until=person.aftercare_until,
                    alias=self.alias(gender, origin),
                    created_at=self.at(first_seen, 11),
                )
            )
            people.append(person)
        Participant.objects.bulk_create(rows, batch_size=CHUNK)
        for row, person in zip(rows, people, strict=True):
            person.pk = row.pk
        Spoken = Participant.languages.through
        Spoken.objects.bulk_create(
            [Spoken(participant_id=p.pk, language_id=c) for p in people for c in p.languages],
            batch_size=CHUNK * 2,
        )
        people.sort(key=lambda p: p.first_seen)
        self.people = people
        self.first_seen = [p.first_seen for p in people]
        self.people_by_site: dict[int, list[Person]] = {}
        for person in people:
            if person.site:
                self.people_by_site.setdefault(person.site, []).append(person)
        self.counts["participants"] = len(people)

    def alias(self, gender: str, origin: str) -> str:
        if self.rng.random() > 0.3:
            return ""
        background = {
            "AF": "prs",
            "IR": "fa",
            "ER": "ti",
            "ET": "ti",
            "SO": "so",
            "UA": "uk",
            "TR": "tr",
            "RU": "ru",
            "DE": "de",
            "BA": "de",
        }.get(origin, "ar")
        female, male, surnames = NAMES[background]
        first = self.rng.choice(female if gender == "female" else male)
        return f"{first} {self.rng.choice(surnames)[0]}."

    def create_providers(self):
        specs = self.provider_specs()
        rows = ServiceProvider.objects.bulk_create(
            [
                ServiceProvider(
                    program=self.program,
                    organisation=(self.partners.get(spec.organisation) or self.lead)
                    if spec.organisation
                    else None,
                    name=spec.name,
                    category=spec.category,
                    area_id=self.area_pks.get(spec.area),
                    accepts_self_referral=spec.self_referral,
                    waiting_weeks=spec.waiting_weeks,
                )
                for spec in specs
            ]
        )
        Served = ServiceProvider.languages.through
        Served.objects.bulk_create(
            [
                Served(serviceprovider_id=row.pk, language_id=code)
                for row, spec in zip(rows, specs, strict=True)
                for code in spec.languages
            ]
        )
        self.providers = [(row.pk, spec.category) for row, spec in zip(rows, specs, strict=True)]
        self.provider_weights = [
            4 if spec.category in self.main_referral_categories() else 1 for spec in specs
        ]
        self.counts["providers"] = len(rows)

    def main_referral_categories(self) -> tuple[str, ...]:
        return (Category.PSYCHOSOCIAL_CENTRE, Category.PSYCHOTHERAPY, Category.PSYCHIATRY)

    # ---- activities ------------------------------------------------------------------

    def create_free_activities(self, writer: ActivityWriter):
        rng = self.rng
        count = max(0, self.budget - writer.total - len(writer.pending))
        days = sorted(workday_between(rng, self.start, self.today) for _ in range(count))
        kinds = list(self.free_kinds)
        weights = list(self.free_kinds.values())
        for day in days:
            kind = rng.choices(kinds, weights)[0]
            pool = self.active_on(day)
            if not pool:
                continue
            lead = self.pick_facilitator(kind, pool)
            if kind in INDIVIDUAL:
                people = self.pick_participants(kind, day, lead)
                if not people:
                    continue
                self.emit(
                    writer, kind, day, [lead], people=people, site=self.site_for(kind, lead, people)
                )
            else:
                team = [lead]
                if len(pool) > 1 and rng.random() < 0.35:
                    other = rng.choice(pool)
                    if other is not lead:
                        team.append(other)
                self.emit(writer, kind, day, team, site=self.site_for(kind, lead, ()))

    def pick_facilitator(self, kind: str, pool: list[Vol]) -> Vol:
        return self.rng.choice(pool)

    def pick_participants(self, kind: str, day: date, lead: Vol) -> list[Person]:
        """Someone already known on that day, more often a recent one, ideally sharing a
        language with the volunteer."""
        k = bisect.bisect_right(self.first_seen, day)
        if not k:
            return []
        best = None
        for _ in range(3):
            offset = int(self.rng.expovariate(1 / max(1.0, k * 0.3)))
            person = self.people[max(0, k - 1 - offset)]
            if person.aftercare_until and person.aftercare_until < day:
                continue
            best = best or person
            if set(person.languages) & set(lead.languages):
                return [person]
        return [best] if best else []

    def site_for(self, kind: str, lead: Vol, people) -> int | None:
        if people and people[0].site:
            return people[0].site
        if lead.sites and self.rng.random() < 0.8:
            return self.rng.choice(lead.sites)
        pool = self.sites_of(self.event_site_kinds)
        return self.rng.choice(pool).pk if pool else None

    def emit(
        self,
        writer,
        kind,
        day,
        team,
        *,
        people=(),
        site=None,
        topics=None,
        languages=None,
        notes="",
    ):
        """Queue one activity led by `team`; languages, topics and counts follow from them."""
        rng = self.rng
        interpreter = False
        if languages is None:
            spoken = [c for c in team[0].languages if c != "en"] or team[0].languages
            if people:
                shared = [c for c in people[0].languages if c in team[0].languages]
                if shared:
                    languages = [shared[0]]
                else:
                    languages = list(dict.fromkeys([people[0].languages[0], self.language]))
                    interpreter = True
            else:
                own = [c for c in spoken if c != self.language]
                languages = [self.language] + ([own[0]] if own and rng.random() < 0.6 else [])
        if topics is None:
            keys = self.topics[kind]
            picked = rng.sample(keys, min(len(keys), rng.choice((1, 1, 1, 2, 2))))
            topics = [self.ctx.topics[key] for key in picked]
            if self.own_topic_pks and rng.random() < 0.1:
                topics.append(rng.choice(self.own_topic_pks))
        if people:
            total = len(people)
            women = sum(p.gender == "female" for p in people)
            men = sum(p.gender == "male" for p in people)
            children = sum(day.year - p.year_of_birth < 18 for p in people)
            if kind == Kind.VISIT and people[0].pk not in self.seen:
                notes = notes or self.texts["intake"]
            self.seen.update(p.pk for p in people)
        else:
            total, women, men, children = self.headcount(kind)
        if not notes and rng.random() < 0.05:
            notes = rng.choice(self.texts["note"])
        logged_by = next((v.user_id for v in team if v.user_id), None) or self.logger_pk
        stamp = self.at(day, rng.randint(16, 21), rng.randint(0, 59))
        activity = Activity(
            program_id=self.program.pk,
            kind=kind,
            date=day,
            minutes=rng.choice(MINUTES[kind]),
            site_id=site,
            logged_by_id=logged_by,
            interpreter_used=interpreter,
            attendees_total=total,
            attendees_women=women,
            attendees_men=men,
            attendees_children=children,
            notes=notes,
            follow_up_needed=rng.random() < 0.08,
            created_at=stamp,
            updated_at=stamp,
        )
        rate = self.concern_rate if kind in INDIVIDUAL else self.concern_rate / 3
        concern = self.acknowledger_pk is not None and rng.random() < rate
        writer.add(
            activity, [v.pk for v in team], languages, topics, [p.pk for p in people], concern
        )

    def meeting_days(self, first: date | None, last: date, gaps: tuple[int, ...]) -> list[date]:
        """Regular meeting dates from first to last (within the window), `gaps` days apart."""
        days = []
        if first is not None:
            day = max(first, self.start)
            while day <= min(last, self.today):
                days.append(day)
                day += timedelta(days=self.rng.choice(gaps))
        return days

    def headcount(self, kind: str) -> tuple[int, int, int, int]:
        low, high, women_share, child_share = HEADCOUNTS[kind]
        rng = self.rng
        total = rng.randint(low, high)
        women = min(total, round(total * women_share * rng.uniform(0.6, 1.4)))
        men = min(total - women, round((total - women) * rng.uniform(0.75, 1.0)))
        children = min(total, round(total * child_share * rng.uniform(0, 2)))
        return total, women, men, children

    def concern_for(self, activity: Activity) -> Concern:
        rng = self.rng
        raised = activity.created_at
        acknowledged_at = outcome = None
        if raised.date() < self.today - timedelta(days=14) or rng.random() < 0.5:
            acknowledged_at = raised + timedelta(hours=rng.randint(1, 48))
            outcome = rng.choice(self.texts["outcome"])
        return Concern(
            program_id=self.program.pk,
            activity_id=activity.pk,
            category=weighted(rng, CONCERN_CATEGORIES),
            severity=weighted(rng, CONCERN_SEVERITIES),
            description=rng.choice(self.texts["concern"]),
            raised_by_id=activity.logged_by_id,
            raised_at=raised,
            acknowledged_by_id=self.acknowledger_pk if acknowledged_at else None,
            acknowledged_at=acknowledged_at,
            outcome=outcome or "",
            outcome_recorded_by_id=self.acknowledger_pk if acknowledged_at else None,
            outcome_recorded_at=acknowledged_at,
        )

    # ---- referrals -------------------------------------------------------------------

    def create_referrals(self, extra: list[tuple[Referral, list[tuple]]] | None = None):
        rng = self.rng
        made = list(extra or [])
        if self.providers and self.people:
            consenting = [p for p in self.people if p.consent_scope in ("referral", "evaluation")]
            for _ in range(round(len(self.people) * self.referral_rate)):
                flow = rng.choices([f for f, _ in REFERRAL_FLOWS], [w for _, w in REFERRAL_FLOWS])[
                    0
                ]
                pool = consenting if len(flow) > 1 and consenting else self.people
                person = rng.choice(pool)
                provider, category = rng.choices(self.providers, self.provider_weights)[0]
                made.append(
                    self.referral(
                        person,
                        provider,
                        category,
                        flow,
                        day_between(rng, max(person.first_seen, self.start), self.today),
                    )
                )
        referrals = [r for r, _ in made]
        Referral.objects.bulk_create(referrals, batch_size=CHUNK)
        events = [
            ReferralEvent(
                referral_id=r.pk, from_status=old, to_status=new, by_id=by, at=at, note=note
            )
            for r, steps in made
            for old, new, by, at, note in steps
        ]
        ReferralEvent.objects.bulk_create(events, batch_size=CHUNK)
        self.counts["referrals"] = len(referrals)

    def referral_author(self) -> int | None:
        return self.logger_pk

    def referral(
        self,
        person: Person,
        provider: int,
        category: str,
        flow,
        referred_on: date,
        *,
        direction=Referral.Direction.OUTBOUND,
        match=None,
    ):
        rng = self.rng
        author = self.referral_author()
        steps, day, status = [], referred_on, ""
        sent_on = appointment_on = closed_on = None
        for number, new in enumerate(flow):
            if number:
                low, high = REFERRAL_STEP_DAYS[new]
                if new in ("attended", "no_show"):
                    day = appointment_on
                else:
                    day = day + timedelta(days=rng.randint(low, high))
                if day > self.today:
                    break
            if new == "sent":
                sent_on = day
            elif new == "appointment":
                appointment_on = day + timedelta(days=7 * rng.randint(0, 8) + rng.randint(1, 6))
            elif new == "closed":
                closed_on = day
            steps.append((status, new, author, self.at(day, 9 + number, rng.randint(0, 59)), ""))
            status = new
        consent = direction == Referral.Direction.INBOUND or status != "proposed"
        if status in ("attended", "closed"):
            outcome = rng.choice(self.texts["referral_outcome"])
        else:
            outcome = ""
        last = steps[-1][3]
        referral = Referral(
            program_id=self.program.pk,
            participant_id=person.pk,
            direction=direction,
            provider_id=provider,
            category=category,
            urgency=weighted(rng, {"routine": 70, "soon": 22, "urgent": 8}),
            consent_to_share=consent,
            consent_on=referred_on if consent else None,
            status=status,
            referred_on=referred_on,
            sent_on=sent_on,
            appointment_on=appointment_on,
            closed_on=closed_on,
            outcome=outcome,
            match=match,
            created_by_id=author,
            version=len(steps),
            created_at=steps[0][3],
            updated_at=last,
        )
        return referral, steps

    def create_memberships(self):
        Membership.objects.bulk_create(
            [
                Membership(user=self.ctx.users[key], program=self.program, role=role)
                for key, role in self.members
            ]
        )
        self.logins = [(self.ctx.users[key].email, role, self.name) for key, role in self.members]


# --------------------------------------------------------------------------------------------
# Shared by the programs' grants
# --------------------------------------------------------------------------------------------


def grant_targets(builder: ProgramBuilder, starts_on: date, ends_on: date, **values) -> dict:
    """Targets for a grant period; counts of activity are pro rata of the activity budget."""
    days = (min(ends_on, builder.today) - max(starts_on, builder.start)).days
    share = max(0.05, min(1.0, days / WINDOW_DAYS))
    return {Target.Indicator.ACTIVITIES: builder.budget * share * 0.9, **values}

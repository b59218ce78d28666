import functools
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.encoding import force_str
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.encryption import EncryptedCharField
from core.rules import ConstraintErrorsAtFields

from . import languages


@functools.cache
def _choice_labels(field, language: str | None) -> dict:
    return {value: force_str(label, strings_only=True) for value, label in field.flatchoices}


class ChoiceLabels:
    """``get_FOO_display()`` from a dict built once per field and language.

    Django rebuilds the dict on every call and translates every label of the field to do so;
    a list of 50 rows with a few choice columns paid for that thousands of times, an import
    of 50,000 rows (each audit entry names its record) far more. Each label is translated
    into the language of the request that shows it.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return _choice_labels(field, get_language()).get(value, value)
        except TypeError:  # an unhashable value (a JSON list, say): Django's own way
            return super()._get_FIELD_display(field)


class ActivityKind(models.TextChoices):
    """The kinds of logged work; a program chooses which of them it uses."""

    GROUP = "group", _("Group session")
    INFO_EVENT = "info_event", _("Information event")
    AWARENESS_TALK = "awareness_talk", _("Awareness conversation")
    ONE_TO_ONE = "one_to_one", _("One-to-one talk")
    COUNSELLING = "counselling", _("Counselling session")
    VISIT = "visit", _("Visit")
    MATCH_MEETING = "match_meeting", _("Match meeting")
    SELFHELP_MEETING = "selfhelp_meeting", _("Self-help group meeting")

    @classmethod
    def individual(cls) -> frozenset[str]:
        """Kinds that are logged with named participants rather than head counts."""
        return frozenset({cls.ONE_TO_ONE, cls.COUNSELLING, cls.VISIT, cls.MATCH_MEETING})


class HelperTerm(models.TextChoices):
    """What a program calls the people it trains and deploys, whom Lotse records as volunteers.

    The label names them in a list or heading; ``sentence_noun`` inside a sentence.
    """

    VOLUNTEERS = "volunteers", pgettext_lazy("helpers", "Volunteers")
    LAY_HELPERS = "lay_helpers", pgettext_lazy("helpers", "Lay helpers")
    COUNSELLORS = "counsellors", pgettext_lazy("helpers", "Counsellors")
    SOCIAL_WORKERS = "social_workers", pgettext_lazy("helpers", "Social workers")
    IN_GANG_SETZER = "in_gang_setzer", pgettext_lazy("helpers", "In-Gang-Setzer")

    @property
    def sentence_noun(self) -> str:
        """The plural noun as it stands inside a sentence ("active counsellors")."""
        return str(HELPER_NOUNS[self])


# Lower case in English and Danish, as nouns are inside a sentence; German capitalises them.
HELPER_NOUNS = {
    HelperTerm.VOLUNTEERS: pgettext_lazy("helpers in a sentence", "volunteers"),
    HelperTerm.LAY_HELPERS: pgettext_lazy("helpers in a sentence", "lay helpers"),
    HelperTerm.COUNSELLORS: pgettext_lazy("helpers in a sentence", "counsellors"),
    HelperTerm.SOCIAL_WORKERS: pgettext_lazy("helpers in a sentence", "social workers"),
    HelperTerm.IN_GANG_SETZER: pgettext_lazy("helpers in a sentence", "In-Gang-Setzer"),
}


class ReportLanguage(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")
    DA = "da", _("Danish")


class Language(models.Model):
    """An ISO 639 language (639-1 code where one exists, else 639-3)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("English name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return languages.display_name(self.code)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        CITY = "city", _("City or municipality")
        WELFARE = "welfare", _("Welfare association")
        HEALTH = "health", _("Health provider")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("The organisation's address in Lotse: /o/<slug>/."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        help_text=_("PNG or JPEG; shown on the cover of the organisation's reports."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_organisation_slug(self.name, exclude=self.pk)
        super().save(*args, **kwargs)


def unique_organisation_slug(name: str, exclude=None) -> str:
    """A slug for an organisation named ``name`` that no other organisation has."""
    base = slugify(name)[:50] or "organisation"
    taken = set(
        Organisation.objects.exclude(pk=exclude)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class Funder(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public authority")
        FOUNDATION = "foundation", _("Foundation")
        EU = "eu", _("European Union")
        LOTTERY = "lottery", _("Lottery fund")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC)
    country = CountryField(_("country"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        return self.name


# The value of an hour of volunteer work where a program sets no rate of its own, by currency:
# 15 € is the flat rate that many German funders accept for civic engagement as an in-kind
# contribution (for instance North Rhine-Westphalia's programme for local engagement); some
# EU programmes use the statutory minimum wage instead, which a program sets as its own rate.
VOLUNTEER_HOUR_RATES = {"EUR": Decimal("15.00")}


class Program(ConstraintErrorsAtFields, models.Model):
    """The tenant: everything logged in Lotse belongs to exactly one program."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "program_ends_after_start": "ends_on",
    }

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_programs",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_programs", verbose_name=_("partners")
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    country = CountryField(_("country"))
    default_language = models.CharField(
        _("default language"), max_length=2, choices=ReportLanguage.choices
    )
    activity_kinds = models.JSONField(
        _("activity kinds used"),
        default=list,
        help_text=_("Which kinds of activity volunteers of this program log."),
    )
    volunteer_edit_days = models.PositiveSmallIntegerField(
        _("days volunteers may edit their sessions"), default=7
    )
    supervision_interval_days = models.PositiveSmallIntegerField(
        _("supervision interval (days)"),
        default=30,
        help_text=_("Active volunteers without supervision for longer are listed as overdue."),
    )
    participant_retention_months = models.PositiveSmallIntegerField(
        _("keep participants' data for (months)"),
        default=24,
        help_text=_(
            "Participants without contact (session, referral, match, aftercare) for longer "
            "are erased by the daily retention run; anonymous counts stay."
        ),
    )
    referral_follow_up_days = models.PositiveSmallIntegerField(
        _("referral follow-up after (days)"),
        default=14,
        help_text=_("A referral still sent or at appointment stage this long needs follow-up."),
    )
    volunteers_may_send_referrals = models.BooleanField(
        _("volunteers may send referrals"),
        default=False,
        help_text=_("Otherwise volunteers propose and a coordinator sends."),
    )
    disclosure_threshold = models.PositiveSmallIntegerField(
        _("small-cell threshold in reports"),
        choices=[(5, "5"), (10, "10")],
        default=5,
        help_text=_(
            "Funder reports withhold counts of fewer persons than this, and every share, "
            "mean or median resting on fewer; many statistics offices use 10."
        ),
    )
    headline_indicators = models.JSONField(
        _("headline figures of the report"),
        default=list,
        blank=True,
        help_text=_(
            "The keys of the indicators shown as key figures at the start of the funder "
            'report, in this order, for example ["contact_points", "contact_point_cities"]; '
            "empty for the standard key figures."
        ),
    )
    helper_term = models.CharField(
        _("what the program calls its volunteers"),
        max_length=20,
        choices=HelperTerm.choices,
        default=HelperTerm.VOLUNTEERS,
        help_text=_("Reports name them so: in headings, key figures and the volunteers section."),
    )
    target_margin_points = models.PositiveSmallIntegerField(
        _("target margin (percentage points)"),
        default=10,
        help_text=_(
            "A target further behind the share of its period gone than this many percentage "
            "points needs a reason in the funder report before the report is published."
        ),
    )
    volunteer_hour_rate = models.DecimalField(
        _("value of a volunteer hour"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "In the currency of the program's grants: funder reports value the hours "
            "volunteers gave as an in-kind contribution at this rate. Empty: 15 an hour for "
            "grants in euros, the flat rate many German funders accept for volunteer work; "
            "hours are then not valued in other currencies."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="program_ends_after_start",
                violation_error_message=_("The program cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        unknown = set(self.activity_kinds or []) - set(ActivityKind.values)
        if unknown:
            raise ValidationError(
                {
                    "activity_kinds": _("Unknown activity kinds: %(kinds)s")
                    % {"kinds": ", ".join(sorted(unknown))}
                }
            )

    def volunteer_hour_value(self, currency: str) -> Decimal | None:
        """The value of one volunteer hour in ``currency``: the program's own rate, else the
        default for that currency (:data:`VOLUNTEER_HOUR_RATES`), else None (not valued)."""
        if self.volunteer_hour_rate is not None:
            return self.volunteer_hour_rate
        return VOLUNTEER_HOUR_RATES.get(currency)

    @property
    def activity_kind_choices(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in ActivityKind.choices if k in self.activity_kinds]


class Grant(ConstraintErrorsAtFields, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "grant_unique_reference": "reference",
        "grant_ends_after_start": "ends_on",
    }

    class Currency(models.TextChoices):
        EUR = "EUR", "EUR"
        DKK = "DKK", "DKK"
        CHF = "CHF", "CHF"
        SEK = "SEK", "SEK"
        NOK = "NOK", "NOK"
        GBP = "GBP", "GBP"

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="grants", verbose_name=_("program")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="grants", verbose_name=_("funder")
    )
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    report_language = models.CharField(
        _("report language"), max_length=2, choices=ReportLanguage.choices
    )

    class Meta:
        ordering = ["program_id", "starts_on"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "reference"],
                name="grant_unique_reference",
                violation_error_message=_("This funder already has a grant with this reference."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="grant_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="grant_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.funder} {self.reference}"


class Target(ConstraintErrorsAtFields, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "target_ends_after_start": "ends_on",
        "target_unique_per_period": "indicator",
        "target_unique_per_grant_period": "indicator",
    }

    class Indicator(models.TextChoices):
        ACTIVITIES = "activities", _("Activities")
        CONTACTS = "contacts", _("Contacts")
        PEOPLE_REACHED = "people_reached", _("People reached")
        LANGUAGES = "languages", _("Languages used")
        VOLUNTEERS_TRAINED = "volunteers_trained", _("Volunteers trained")
        VOLUNTEERS_ACTIVE = "volunteers_active", _("Active volunteers")
        COUNSELLORS_EMPLOYED = "counsellors_employed", _("Counsellors employed")
        SUPERVISION_HOURS = "supervision_hours", _("Supervision hours")
        REFERRALS = "referrals", _("Referrals")
        MATCHES_STARTED = "matches_started", _("Matches started")
        MATCH_RETENTION_6M = "match_retention_6m", _("Matches active after 6 months (%)")
        SELFHELP_GROUPS_STARTED = "selfhelp_groups_started", _("Self-help groups started")
        SELFHELP_GROUPS_12M = (
            "selfhelp_groups_12m",
            _("Self-help groups meeting after 12 months (%)"),
        )

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="targets", verbose_name=_("program")
    )
    grant = models.ForeignKey(
        Grant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("grant"),
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["program_id", "starts_on", "indicator"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_not_negative",
                violation_error_message=_("The target cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="target_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["program", "indicator", "starts_on", "ends_on"],
                condition=Q(grant__isnull=True),
                name="target_unique_per_period",
                violation_error_message=_("This indicator already has a target for this period."),
            ),
            models.UniqueConstraint(
                fields=["grant", "indicator", "starts_on", "ends_on"],
                condition=Q(grant__isnull=False),
                name="target_unique_per_grant_period",
                violation_error_message=_("This indicator already has a target for this period."),
            ),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()}: {self.value}"


class Membership(ConstraintErrorsAtFields, models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        SUPERVISOR = "supervisor", _("Supervisor")
        VOLUNTEER = "volunteer", _("Volunteer")
        FUNDER = "funder", _("Funder")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["program_id", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"],
                name="membership_one_per_program",
                violation_error_message=_("This person is already a member of the program."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.program} · {self.get_role_display()}"


class OrganisationMembership(ConstraintErrorsAtFields, models.Model):
    """A person's role in an organisation as a whole, across the programs it leads."""

    # Where a violated constraint's message is shown.
    constraint_fields = {"organisation_membership_one_per_organisation": "user"}

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Organisation coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.COORDINATOR
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="organisation_membership_one_per_organisation",
                violation_error_message=_("This person is already a member of the organisation."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class Area(ConstraintErrorsAtFields, models.Model):
    """An integration area; its caseload target is residents per full-time staff (1:N)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="areas", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=100)
    caseload_ratio_target = models.PositiveIntegerField(
        _("caseload target (residents per full-time staff)"), null=True, blank=True
    )
    staff_fte = models.DecimalField(_("full-time staff"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="area_unique_name",
                violation_error_message=_("This program already has an area with this name."),
            ),
            models.CheckConstraint(
                condition=Q(caseload_ratio_target__isnull=True) | Q(caseload_ratio_target__gt=0),
                name="area_ratio_target_positive",
                violation_error_message=_("The caseload target is at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__gte=0),
                name="area_staff_not_negative",
                violation_error_message=_("The staff cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


class Site(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        SHELTER = "shelter", _("Shelter")
        TRANSITION_HOME = "transition_home", _("Transition home")
        PRIVATE_FLAT = "private_flat", _("Private flat")
        CONTACT_POINT = "contact_point", _("Contact point")
        OFFICE = "office", _("Office")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="sites", verbose_name=_("program")
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name=_("area"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="site_unique_name",
                violation_error_message=_("This program already has a site with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class SiteOccupancy(ConstraintErrorsAtFields, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "occupancy_one_per_day": "date",
    }

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("site")
    )
    date = models.DateField(_("date"))
    residents = models.PositiveIntegerField(_("residents"))

    class Meta:
        ordering = ["site", "-date"]
        verbose_name = _("site occupancy")
        verbose_name_plural = _("site occupancies")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "date"],
                name="occupancy_one_per_day",
                violation_error_message=_("The occupancy of this day is already recorded."),
            ),
        ]

    def __str__(self):
        return f"{self.site} {self.date}: {self.residents}"


PARTICIPANT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def generate_participant_code() -> str:
    """A pseudonymous code such as ``P-7K3Q9`` (no 0/O or 1/I to misread)."""
    return "P-" + "".join(secrets.choice(PARTICIPANT_CODE_ALPHABET) for _ in range(5))


# Age bands of participants, by age in a given year (that year minus the year of birth):
# (key, lowest age, highest age or None). Funder reports count people reached by these bands
# (reports.kpis) and the participant pages show them, so both speak of the same groups.
AGE_BANDS = (
    ("0-17", 0, 17),
    ("18-26", 18, 26),
    ("27-49", 27, 49),
    ("50+", 50, None),
)


def age_band(year_of_birth: int | None, year: int) -> str:
    """The key of the age band a person born in ``year_of_birth`` is in during ``year``;
    empty where the year of birth is not recorded (or lies after ``year``)."""
    if year_of_birth is None:
        return ""
    age = year - year_of_birth
    for key, low, high in AGE_BANDS:
        if low <= age and (high is None or age <= high):
            return key
    return ""


def age_band_label(key: str) -> str:
    """How an age band is written for readers: "18–26" with an en dash."""
    return key.replace("-", "–")


class Participant(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A person supported by the program, known only by a pseudonymous code."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "participant_consent_scope_with_date": "consent_on",
    }

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        DIVERSE = "diverse", _("Diverse")
        UNKNOWN = "unknown", _("Unknown")

    class ConsentScope(models.TextChoices):
        SUPPORT = "support", _("Recorded for support in the program")
        REFERRAL = "referral", _("Also shared with service providers for referrals")
        EVALUATION = "evaluation", _("Also used in pseudonymous evaluation exports")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="participants", verbose_name=_("program")
    )
    code = models.CharField(_("code"), max_length=12, default=generate_participant_code)
    # Encrypted at rest (FIELD_ENCRYPTION_KEY); empty is stored as NULL.
    alias = EncryptedCharField(
        _("alias"),
        max_length=100,
        blank=True,
        null=True,
        help_text=_("Visible to coordinators only."),
    )
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="participants", verbose_name=_("languages")
    )
    country_of_origin = CountryField(_("country of origin"), blank=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("site"),
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_scope = models.CharField(
        _("consent scope"), max_length=20, choices=ConsentScope.choices, blank=True
    )
    aftercare_until = models.DateField(_("aftercare until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        help_text=_("Personal data erased (GDPR Art. 17 or retention); anonymous counts remain."),
    )

    class Meta:
        ordering = ["program_id", "code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="participant_unique_code",
                violation_error_message=_("Another participant of this program has this code."),
            ),
            models.CheckConstraint(
                condition=Q(year_of_birth__isnull=True)
                | Q(year_of_birth__gte=1900, year_of_birth__lte=2100),
                name="participant_plausible_birth_year",
                violation_error_message=_("The year of birth lies between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(consent_scope="", consent_on__isnull=True)
                | (~Q(consent_scope="") & Q(consent_on__isnull=False)),
                name="participant_consent_scope_with_date",
                violation_error_message=_(
                    "Consent needs both what the person agreed to and the date."
                ),
            ),
        ]

    def __str__(self):
        return self.code


class SecurityEvent(models.Model):
    """A security-relevant event: sign-ins, refusals, lockouts, exports. Written, never edited.

    The same events go to the ``lotse.security`` logger, for the server's log collection.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        LOCKOUT = "lockout", _("Locked out after failed sign-ins")
        ACCOUNT_LOCKOUT = "account_lockout", _("Account locked after failed sign-ins")
        LOCKOUT_REFUSED = "lockout_refused", _("Sign-in refused during lockout")
        UNLOCKED = "unlocked", _("Sign-in lockout lifted")
        OTP_FAILED = "otp_failed", _("Wrong two-factor code")
        OTP_ENROLLED = "otp_enrolled", _("Two-factor authentication set up")
        ACCESS_DENIED = "access_denied", _("Access refused")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        INVITATION = "invitation", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset e-mail sent")
        PASSWORD_RESET_LIMIT = "password_reset_limit", _("Password reset e-mail held back")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("program"),
    )
    path = models.CharField(_("address"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [
            models.Index(fields=["program", "-created_at"], name="securityevent_program_time"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class UserPreference(models.Model):
    """What a user chose for themselves, kept with their account rather than in one browser:
    the interface language, which is also the language of the e-mails they are sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user} · {self.language}"

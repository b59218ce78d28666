from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField
from core.rules import ConstraintErrorsAtFields
from programs.models import Area, ChoiceLabels, Language, Organisation, Participant, Program
from sessions_log.models import Match


class Category(models.TextChoices):
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    PSYCHOTHERAPY = "psychotherapy", _("Psychotherapy")
    PSYCHOSOCIAL_CENTRE = "psychosocial_centre", _("Psychosocial centre for refugees")
    GENERAL_MEDICAL = "general_medical", _("General medical care")
    SOCIAL_COUNSELLING = "social_counselling", _("Social counselling")
    REFUGEE_COUNSELLING = "refugee_counselling", _("Refugee and asylum counselling")
    LEGAL = "legal", _("Legal advice")
    HOUSING = "housing", _("Housing")
    LANGUAGE_COURSE = "language_course", _("Language course")
    EDUCATION = "education", _("Education")
    YOUTH_MIGRATION = "youth_migration", _("Youth migration service")
    WOMENS_PROTECTION = "womens_protection", _("Women's protection")
    OTHER = "other", _("Other")


class ServiceProvider(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A service in the referral directory of a program (shareable across its organisation)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="providers", verbose_name=_("program")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("shared with the programs of"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="providers", verbose_name=_("languages served")
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("area"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_notes = models.CharField(_("opening hours and notes"), max_length=300, blank=True)
    accepts_self_referral = models.BooleanField(_("accepts self-referral"), default=False)
    waiting_weeks = models.PositiveSmallIntegerField(
        _("waiting time (weeks)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="provider_unique_name",
                violation_error_message=_("The directory already has a service with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Referral(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "referral_sent_needs_consent": "consent_on",
        "referral_sent_after_referred": "sent_on",
        "referral_closed_after_referred": "closed_on",
        "referral_appointment_has_date": "appointment_on",
        "referral_closed_has_date": "closed_on",
    }

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Outbound (to a service)")
        INBOUND = "inbound", _("Inbound (from a service)")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        SOON = "soon", _("Soon")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        APPOINTMENT = "appointment", _("Appointment made")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("program")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.RESTRICT,
        related_name="referrals",
        verbose_name=_("participant"),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.RESTRICT,
        related_name="referrals",
        verbose_name=_("service provider"),
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    consent_to_share = models.BooleanField(_("consent to share data"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    referred_on = models.DateField(_("date"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    appointment_on = models.DateField(_("appointment on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)  # encrypted at rest
    match = models.ForeignKey(
        Match,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("match"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    ref = models.CharField(_("reference"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                # An outbound referral leaves "proposed" only with consent; a proposal
                # withdrawn before it was sent may close without.
                condition=Q(direction="inbound")
                | (Q(sent_on__isnull=True) & Q(status__in=["proposed", "closed"]))
                | Q(consent_to_share=True, consent_on__isnull=False),
                name="referral_sent_needs_consent",
                violation_error_message=_(
                    "A referral is sent only with the participant's consent and the date they "
                    "gave it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True) | Q(sent_on__gte=F("referred_on")),
                name="referral_sent_after_referred",
                violation_error_message=_("A referral cannot be sent before its date."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("referred_on")),
                name="referral_closed_after_referred",
                violation_error_message=_("A referral cannot be closed before its date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="appointment") | Q(appointment_on__isnull=False),
                name="referral_appointment_has_date",
                violation_error_message=_("Give the date of the appointment."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="referral_closed_has_date",
                violation_error_message=_("A closed referral needs the date it was closed."),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="referral_unique_ref",
                violation_error_message=_("Another referral of this program has this reference."),
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="referral_program_status"),
            models.Index(fields=["program", "referred_on"], name="referral_program_date"),
        ]

    def __str__(self):
        return f"{self.participant} → {self.provider} ({self.get_status_display()})"


class ReferralEvent(models.Model):
    """One step in a referral's status history."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Referral.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = EncryptedTextField(_("note"), blank=True)  # encrypted at rest

    class Meta:
        ordering = ["referral", "at", "id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self):
        return f"{self.referral_id}: {self.from_status or '—'} → {self.to_status}"

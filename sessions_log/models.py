import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField
from core.rules import ConstraintErrorsAtFields
from programs.models import ActivityKind, ChoiceLabels, Language, Participant, Program, Site
from volunteers.models import Volunteer

from .instruments import INSTRUMENT_CHOICES, INSTRUMENTS
from .topics import CATALOGUE


class Topic(ConstraintErrorsAtFields, models.Model):
    """A topic of an activity: from the shared catalogue (no program) or a program's own."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("program"),
    )
    key = models.SlugField(_("catalogue key"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="topic_unique_name_per_program",
                violation_error_message=_("This program already has a topic with this name."),
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="topic_unique_catalogue_key",
                violation_error_message=_("Another catalogue topic has this key."),
            ),
            models.CheckConstraint(
                condition=Q(key="") | Q(program__isnull=True),
                name="topic_catalogue_is_shared",
                violation_error_message=_("A topic of the catalogue belongs to no single program."),
            ),
        ]

    def __str__(self):
        return str(CATALOGUE.get(self.key, self.name))


class Activity(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """One piece of logged work: a group session, a talk, a visit, a meeting."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "activity_women_men_within_total": "attendees_women",
        "activity_children_within_total": "attendees_children",
    }

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="activities", verbose_name=_("program")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("site"),
    )
    facilitators = models.ManyToManyField(
        Volunteer, blank=True, related_name="activities", verbose_name=_("facilitators")
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logged_activities",
        verbose_name=_("logged by"),
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="activities", verbose_name=_("languages")
    )
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="activities", verbose_name=_("topics")
    )
    attendees_total = models.PositiveIntegerField(_("attendees"), default=0)
    attendees_women = models.PositiveIntegerField(_("of them women"), default=0)
    attendees_men = models.PositiveIntegerField(_("of them men"), default=0)
    attendees_children = models.PositiveIntegerField(_("of them children"), default=0)
    participants = models.ManyToManyField(
        Participant, blank=True, related_name="activities", verbose_name=_("participants")
    )
    notes = EncryptedTextField(_("notes"), blank=True)  # encrypted at rest
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(attendees_women__lte=F("attendees_total") - F("attendees_men")),
                name="activity_women_men_within_total",
                violation_error_message=_(
                    "Women and men together cannot be more than the people attending."
                ),
            ),
            models.CheckConstraint(
                condition=Q(attendees_children__lte=F("attendees_total")),
                name="activity_children_within_total",
                violation_error_message=_("Children cannot be more than the people attending."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gt=0),
                name="activity_minutes_positive",
                violation_error_message=_("A session lasts at least one minute."),
            ),
            models.UniqueConstraint(
                fields=["program", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="activity_unique_idempotency_key",
                violation_error_message=_("This session was already saved."),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="activity_unique_ref",
                violation_error_message=_("Another activity of this program has this reference."),
            ),
        ]
        indexes = [
            models.Index(fields=["program", "date"], name="activity_program_date"),
            models.Index(fields=["program", "kind", "date"], name="activity_program_kind_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"

    def edit_deadline(self, program: Program | None = None) -> dt.date:
        """The last day a volunteer may still change this session: the program's edit window
        (``Program.volunteer_edit_days``) counted from the session's date. Coordinators are
        not bound by it. Pass ``program`` where the activity's program is at hand already."""
        program = program or self.program
        return self.date + dt.timedelta(days=program.volunteer_edit_days)

    def open_to_volunteer_edits(self, today: dt.date, program: Program | None = None) -> bool:
        """Whether ``today`` lies within the edit window."""
        return today <= self.edit_deadline(program)


class Concern(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A safeguarding flag raised by a volunteer, acknowledged by a supervisor or coordinator."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "concern_acknowledged_by_someone": "acknowledged_by",
    }

    class Category(models.TextChoices):
        SELF_HARM = "self_harm", _("Risk of self-harm or suicide")
        HARM_TO_OTHERS = "harm_to_others", _("Risk of harm to others")
        VIOLENCE = "violence", _("Violence or abuse")
        CHILD_PROTECTION = "child_protection", _("Child protection")
        MENTAL_HEALTH_CRISIS = "mental_health_crisis", _("Acute mental health crisis")
        MEDICAL = "medical", _("Medical emergency")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="concerns", verbose_name=_("program")
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("activity"),
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = EncryptedTextField(_("what happened"))  # encrypted at rest
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_concerns",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acknowledged_concerns",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)  # encrypted at rest

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="concern_acknowledged_by_someone",
                violation_error_message=_("An acknowledged concern names who acknowledged it."),
            ),
        ]
        indexes = [
            models.Index(fields=["program", "acknowledged_at"], name="concern_program_open"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} ({self.get_severity_display()})"


class Match(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A volunteer matched 1:1 with a participant (e.g. someone in trauma treatment)."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "match_starts_after_proposal": "started_on",
        "match_ends_after_proposal": "ended_on",
        "match_running_has_start": "started_on",
        "match_ended_has_date_and_reason": "ended_on",
        "match_unique_ref": "ref",
    }

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Completed as planned")
        PARTICIPANT_WITHDREW = "participant_withdrew", _("Participant withdrew")
        VOLUNTEER_WITHDREW = "volunteer_withdrew", _("Volunteer withdrew")
        MOVED = "moved", _("Moved away")
        NO_CONTACT = "no_contact", _("Contact lost")
        NOT_STARTED = "not_started", _("Did not start")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="matches", verbose_name=_("program")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.RESTRICT, related_name="matches", verbose_name=_("volunteer")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.RESTRICT,
        related_name="matches",
        verbose_name=_("participant"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_on = models.DateField(_("proposed on"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=30, choices=EndReason.choices, blank=True
    )
    six_month_check_on = models.DateField(
        _("six-month check done on"),
        null=True,
        blank=True,
        help_text=_("The conversation six months after the start: is the match still going?"),
    )
    matching_notes = EncryptedTextField(_("matching notes"), blank=True)  # encrypted at rest
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )

    class Meta:
        ordering = ["program_id", "-proposed_on"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("proposed_on")),
                name="match_starts_after_proposal",
                violation_error_message=_("A match cannot start before it was proposed."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("proposed_on")),
                name="match_ends_after_proposal",
                violation_error_message=_("A match cannot end before it was proposed."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "paused"]) | Q(started_on__isnull=False),
                name="match_running_has_start",
                violation_error_message=_("An active or paused match needs the date it started."),
            ),
            models.CheckConstraint(
                condition=(Q(status="ended") & Q(ended_on__isnull=False) & ~Q(end_reason=""))
                | (~Q(status="ended") & Q(ended_on__isnull=True)),
                name="match_ended_has_date_and_reason",
                violation_error_message=_(
                    "An ended match needs the date it ended and a reason; a match that has not "
                    "ended has no end date."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="match_unique_ref",
                violation_error_message=_("Another match of this program has this reference."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} ↔ {self.participant}"


class SelfHelpGroup(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A self-help group accompanied for a limited time, with a one-year follow-up."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "selfhelp_accompaniment_after_start": "accompaniment_ends_on",
        "selfhelp_follow_up_has_date": "follow_up_checked_on",
        "selfhelp_follow_up_after_start": "follow_up_checked_on",
    }

    class TopicArea(models.TextChoices):
        MENTAL_HEALTH = "mental_health", _("Mental health")
        CARING_RELATIVES = "caring_relatives", _("Caring relatives")
        ADDICTION = "addiction", _("Addiction")
        CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
        DISABILITY = "disability", _("Disability")
        FAMILY = "family", _("Family and parenting")
        MIGRATION = "migration", _("Migration and refuge")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACCOMPANIED = "accompanied", _("Accompanied")
        INDEPENDENT = "independent", _("Meeting independently")
        ENDED = "ended", _("Ended")

    class FollowUp(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        YES = "yes", _("Still meeting")
        NO = "no", _("No longer meeting")

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="selfhelp_groups",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    contact_point = models.ForeignKey(
        Site,
        on_delete=models.RESTRICT,
        related_name="selfhelp_groups",
        verbose_name=_("contact point"),
    )
    topic_area = models.CharField(_("topic area"), max_length=30, choices=TopicArea.choices)
    started_on = models.DateField(_("started on"))
    accompaniment_ends_on = models.DateField(_("accompaniment ends on"), null=True, blank=True)
    volunteers = models.ManyToManyField(
        Volunteer, blank=True, related_name="selfhelp_groups", verbose_name=_("volunteers")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.FORMING
    )
    follow_up_still_meeting = models.CharField(
        _("still meeting after 12 months"),
        max_length=10,
        choices=FollowUp.choices,
        default=FollowUp.UNKNOWN,
    )
    follow_up_checked_on = models.DateField(_("follow-up checked on"), null=True, blank=True)

    class Meta:
        ordering = ["program_id", "-started_on"]
        verbose_name = _("self-help group")
        verbose_name_plural = _("self-help groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(accompaniment_ends_on__isnull=True)
                | Q(accompaniment_ends_on__gte=F("started_on")),
                name="selfhelp_accompaniment_after_start",
                violation_error_message=_("The accompaniment cannot end before the group started."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_still_meeting="unknown")
                | Q(follow_up_checked_on__isnull=False),
                name="selfhelp_follow_up_has_date",
                violation_error_message=_("Give the date the follow-up was checked."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_checked_on__isnull=True)
                | Q(follow_up_checked_on__gte=F("started_on")),
                name="selfhelp_follow_up_after_start",
                violation_error_message=_("The follow-up cannot be before the group started."),
            ),
        ]

    def __str__(self):
        return self.name


def _score_within_range() -> Q:
    """Each instrument's score lies in its range (or is missing: incomplete answers)."""
    condition = Q(score__isnull=True)
    for code, instrument in INSTRUMENTS.items():
        condition |= Q(
            instrument=code, score__gte=instrument.score_min, score__lte=instrument.score_max
        )
    return condition


def _percent_follows_score() -> Q:
    """A percentage only where the instrument has one, and always raw × factor."""
    condition = Q(score_percent__isnull=True)
    for code, instrument in INSTRUMENTS.items():
        if instrument.percent_factor:
            condition |= Q(instrument=code, score_percent=F("score") * instrument.percent_factor)
    return condition


class OutcomeMeasureQuerySet(models.QuerySet):
    def complete(self):
        """The questionnaires that count as done: saved complete, not as a draft."""
        return self.filter(status=OutcomeMeasure.Status.COMPLETE)

    def drafts(self):
        return self.filter(status=OutcomeMeasure.Status.DRAFT)


class OutcomeMeasure(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """One administration of a validated instrument (WHO-5, UCLA-3, RHS-15) to a participant.

    The answers are stored as given (item → value or null); score, percentage, completeness,
    screen and category are computed by ``sessions_log.instruments`` when the measure is
    recorded (``services.outcome_measure_record``), never typed in.
    """

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "outcome_one_baseline_per_instrument": "timepoint",
        "outcome_custom_label_with_custom_timepoint": "custom_label",
        "outcome_score_within_range": "score",
        "outcome_percent_follows_score": "score_percent",
        "outcome_complete_has_score": "score",
        "outcome_saved_complete_has_every_answer": "status",
        "outcome_unique_ref": "ref",
    }

    class Timepoint(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOWUP_3M = "followup_3m", _("3-month follow-up")
        FOLLOWUP_6M = "followup_6m", _("6-month follow-up")
        EXIT = "exit", _("Exit")
        CUSTOM = "custom", _("Other time point")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETE = "complete", _("Complete")

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="outcome_measures",
        verbose_name=_("program"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="outcome_measures",
        verbose_name=_("participant"),
    )
    instrument = models.CharField(_("instrument"), max_length=10, choices=INSTRUMENT_CHOICES)
    timepoint = models.CharField(_("time point"), max_length=20, choices=Timepoint.choices)
    custom_label = models.CharField(
        _("time point label"),
        max_length=60,
        blank=True,
        help_text=_("Only for another time point, e.g. “after the group course”."),
    )
    date = models.DateField(_("date"))
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administered_outcome_measures",
        verbose_name=_("administered by"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    score_percent = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    positive_screen = models.BooleanField(_("positive screen"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=30, blank=True)
    # A draft is kept to be finished later: it is still due and counts nowhere.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcome_measures",
        verbose_name=_("language"),
    )
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OutcomeMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "instrument", "date", "id"]
        verbose_name = _("outcome measure")
        verbose_name_plural = _("outcome measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(instrument__in=list(INSTRUMENTS)),
                name="outcome_known_instrument",
                violation_error_message=_("Unknown instrument."),
            ),
            models.UniqueConstraint(
                fields=["participant", "instrument"],
                condition=Q(timepoint="baseline"),
                name="outcome_one_baseline_per_instrument",
                violation_error_message=_("A baseline of this instrument was already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(timepoint="custom", custom_label__gt="")
                | (~Q(timepoint="custom") & Q(custom_label="")),
                name="outcome_custom_label_with_custom_timepoint",
                violation_error_message=_(
                    "Another time point needs its name; the other time points have none."
                ),
            ),
            models.CheckConstraint(
                condition=_score_within_range(),
                name="outcome_score_within_range",
                violation_error_message=_("The score lies outside the instrument's range."),
            ),
            models.CheckConstraint(
                condition=_percent_follows_score(),
                name="outcome_percent_follows_score",
                violation_error_message=_("The percentage does not follow from the score."),
            ),
            models.CheckConstraint(
                condition=Q(complete=False) | Q(score__isnull=False),
                name="outcome_complete_has_score",
                violation_error_message=_("A complete questionnaire has a score."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(complete=True),
                name="outcome_saved_complete_has_every_answer",
                violation_error_message=_(
                    "Not every question is answered: save the questionnaire as a draft."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="outcome_unique_ref",
                violation_error_message=_(
                    "Another questionnaire of this program has this reference."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["program", "instrument", "timepoint", "date"],
                name="outcome_program_instr_time",
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.get_instrument_display()} · {self.timepoint_label}"

    @property
    def definition(self):
        return INSTRUMENTS[self.instrument]

    @property
    def timepoint_label(self) -> str:
        if self.timepoint == self.Timepoint.CUSTOM and self.custom_label:
            return self.custom_label
        return str(self.get_timepoint_display())

    @property
    def category_label(self) -> str:
        return self.definition.category_label(self.category) if self.category else ""

    @property
    def report_value(self) -> int | None:
        """The score in the unit reports use (WHO-5: percent)."""
        return self.score_percent if self.definition.report_field == "score_percent" else self.score

    def apply_score(self, *, draft: bool = False) -> None:
        """Set score, percentage, completeness, screen and category from the answers.

        The status follows: complete when every item is answered, unless ``draft`` asks to
        keep it as a draft; a questionnaire with a missing answer is always a draft.
        """
        definition = self.definition
        self.answers = {key: self.answers.get(key) for key in definition.keys}
        result = definition.score(self.answers)
        self.score = result.score
        self.score_percent = result.score_percent
        self.complete = result.complete
        self.positive_screen = result.positive_screen
        self.category = result.category
        self.status = self.Status.COMPLETE if result.complete and not draft else self.Status.DRAFT

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def clean(self):
        super().clean()
        if (
            self.program_id
            and self.participant_id
            and self.participant.program_id != self.program_id
        ):
            raise ValidationError(
                {"participant": _("This participant belongs to another program.")}
            )
        instrument = INSTRUMENTS.get(self.instrument)
        if instrument is None:
            return
        if not isinstance(self.answers, dict):
            raise ValidationError({"answers": _("Answers must map items to values.")})
        problems = instrument.invalid_answers(self.answers)
        if problems:
            raise ValidationError({"answers": problems})

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField
from core.rules import ConstraintErrorsAtFields
from programs.models import ChoiceLabels, Language, Organisation, Program, Site


class Volunteer(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A peer helper, lay helper, In-Gang-Setzer or counsellor of one program."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "volunteer_leaves_after_joining": "left_on",
        "volunteer_left_has_date": "left_on",
        "volunteer_employment_has_employer": "employed_since",
    }

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        TRAINING = "training", _("In training")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="volunteers", verbose_name=_("program")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_profiles",
        verbose_name=_("user account"),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="volunteers", verbose_name=_("languages")
    )
    prior_qualification = models.CharField(_("prior qualification"), max_length=200, blank=True)
    lived_refugee_experience = models.BooleanField(
        _("own refugee or migration experience"),
        null=True,
        blank=True,
        help_text=_("Optional; only if the volunteer chose to say."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    employed_by = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employed_volunteers",
        verbose_name=_("employed by"),
    )
    employed_since = models.DateField(_("employed since"), null=True, blank=True)
    usual_sites = models.ManyToManyField(
        Site, blank=True, related_name="usual_volunteers", verbose_name=_("usual sites")
    )
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    availability = models.CharField(_("availability"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="volunteer_unique_code",
                violation_error_message=_(
                    "Another volunteer in this program already has this code."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(user__isnull=False),
                name="volunteer_one_profile_per_user",
                violation_error_message=_(
                    "This account is already linked to another volunteer of the program."
                ),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="volunteer_leaves_after_joining",
                violation_error_message=_("The leaving date cannot be before the joining date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_on__isnull=False),
                name="volunteer_left_has_date",
                violation_error_message=_("A volunteer who left needs the date they left."),
            ),
            models.CheckConstraint(
                condition=Q(employed_since__isnull=True) | Q(employed_by__isnull=False),
                name="volunteer_employment_has_employer",
                violation_error_message=_("Say who employs the volunteer."),
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="volunteer_program_status")]

    def __str__(self):
        return self.name

    @property
    def employed(self) -> bool:
        return self.employed_by_id is not None


class VolunteerStatusChange(models.Model):
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("volunteer"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Volunteer.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Volunteer.Status.choices)
    changed_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["volunteer", "-changed_on", "-id"]
        verbose_name = _("volunteer status change")
        verbose_name_plural = _("volunteer status changes")

    def __str__(self):
        return f"{self.volunteer}: {self.from_status} → {self.to_status}"


class Training(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    """A training or one phase of a program's qualification (intensive phase, practice, …)."""

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "training_ends_after_start": "ends_on",
        "training_unique_ref": "ref",
    }

    class Kind(models.TextChoices):
        BASIC = "basic", _("Basic training")
        INTENSIVE = "intensive", _("Intensive training")
        SUPERVISED_PRACTICE = "supervised_practice", _("Supervised practice")
        REFRESHER = "refresher", _("Refresher")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    planned_hours = models.DecimalField(_("planned hours"), max_digits=6, decimal_places=1)
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    qualifying = models.BooleanField(
        _("part of the qualification"),
        default=True,
        help_text=_(
            "A volunteer counts as trained once they have completed one qualifying training of "
            "each kind the program's qualifying trainings have (for example the intensive phase "
            "and the supervised practice). Refreshers never count."
        ),
    )
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )

    class Meta:
        ordering = ["program_id", "-starts_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="training_ends_after_start",
                violation_error_message=_("The training cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(planned_hours__gte=0),
                name="training_hours_not_negative",
                violation_error_message=_("The hours cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="training_unique_ref",
                violation_error_message=_("Another training of this program has this reference."),
            ),
        ]

    def __str__(self):
        return self.title


class TrainingSession(ConstraintErrorsAtFields, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "training_session_unique_ref": "ref",
    }

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("training")
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )

    class Meta:
        ordering = ["training", "date"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0),
                name="training_session_minutes",
                violation_error_message=_("A session lasts at least one minute."),
            ),
            models.UniqueConstraint(
                fields=["training", "ref"],
                condition=~Q(ref=""),
                name="training_session_unique_ref",
                violation_error_message=_("Another session of this training has this reference."),
            ),
        ]

    def __str__(self):
        return f"{self.training} {self.date}"


class Enrollment(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "enrollment_once_per_training": "volunteer",
        "enrollment_completed_has_date": "completed_on",
        "enrollment_completed_after_enrolled": "completed_on",
    }

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Dropped out")

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("training")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_on = models.DateField(_("enrolled on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    practice_hours = models.DecimalField(
        _("supervised practice hours"), max_digits=6, decimal_places=1, default=0
    )
    certificate = models.FileField(_("certificate"), upload_to="certificates/", blank=True)

    class Meta:
        ordering = ["training", "volunteer"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "volunteer"],
                name="enrollment_once_per_training",
                violation_error_message=_("This volunteer is already enrolled in the training."),
            ),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_on__isnull=False))
                | (~Q(status="completed") & Q(completed_on__isnull=True)),
                name="enrollment_completed_has_date",
                violation_error_message=_(
                    "A completed training has the date it was completed, and only a completed "
                    "one has it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("enrolled_on")),
                name="enrollment_completed_after_enrolled",
                violation_error_message=_("The completion date cannot be before the enrolment."),
            ),
            models.CheckConstraint(
                condition=Q(practice_hours__gte=0),
                name="enrollment_hours_not_negative",
                violation_error_message=_("The hours cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.training}"


class TrainingAttendance(ConstraintErrorsAtFields, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "attendance_once_per_session": "volunteer",
    }

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("training session"),
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="training_attendances",
        verbose_name=_("volunteer"),
    )

    class Meta:
        ordering = ["session", "volunteer"]
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "volunteer"],
                name="attendance_once_per_session",
                violation_error_message=_("This volunteer is already marked as present."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.session}"


class SupervisionSession(ConstraintErrorsAtFields, ChoiceLabels, models.Model):
    # Where a violated constraint's message is shown.
    constraint_fields = {
        "supervision_unique_ref": "ref",
    }

    class Kind(models.TextChoices):
        GROUP = "group", _("Group supervision")
        INDIVIDUAL = "individual", _("Individual supervision")

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="supervision_sessions",
        verbose_name=_("program"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision_sessions",
        verbose_name=_("supervisor"),
    )
    supervisor_name = models.CharField(
        _("supervisor (external)"),
        max_length=200,
        blank=True,
        help_text=_("If the supervisor has no Lotse account."),
    )
    attendees = models.ManyToManyField(
        Volunteer, related_name="supervision_sessions", verbose_name=_("attendees")
    )
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    # Encrypted at rest (FIELD_ENCRYPTION_KEY); empty is stored as NULL.
    confidential_notes = EncryptedTextField(_("confidential notes"), blank=True, null=True)
    ref = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("Reference from an imported spreadsheet."),
    )

    class Meta:
        ordering = ["program_id", "-date"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0),
                name="supervision_minutes",
                violation_error_message=_("A session lasts at least one minute."),
            ),
            models.UniqueConstraint(
                fields=["program", "ref"],
                condition=~Q(ref=""),
                name="supervision_unique_ref",
                violation_error_message=_(
                    "Another supervision session of this program has this reference."
                ),
            ),
        ]
        indexes = [models.Index(fields=["program", "date"], name="supervision_program_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class Invitation(ConstraintErrorsAtFields, models.Model):
    """An e-mailed invitation for a volunteer to set a password and join the program.

    The link carries a signed, timestamped token of this row; it works once, for
    ``LOTSE_INVITATION_DAYS`` days.
    """

    # Where a violated constraint's message is shown.
    constraint_fields = {
        "invitation_accepted_by_an_account": "user",
    }

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("program")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("volunteer"),
    )
    email = models.EmailField(_("e-mail"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(user__isnull=False),
                name="invitation_accepted_by_an_account",
                violation_error_message=_(
                    "An accepted invitation names the account that accepted it."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.program}"

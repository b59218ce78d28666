from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programs.forms import ModelMultipleChoiceField
from programs.models import Language, Organisation, Participant, Program

from . import policies, rules, selectors
from .models import Enrollment, SupervisionSession, Training, TrainingSession, Volunteer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


def _row(*names) -> Row:
    return Row(*[Column(n, css_class="col-12 col-sm") for n in names])


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return user_label(obj)


def language_choices(program: Program) -> list:
    """All languages, those spoken by the program's volunteers or participants first."""
    used = Q(
        Exists(
            Volunteer.languages.through.objects.filter(
                language=OuterRef("pk"), volunteer__program=program
            )
        )
    ) | Q(
        Exists(
            Participant.languages.through.objects.filter(
                language=OuterRef("pk"), participant__program=program
            )
        )
    )
    languages = Language.objects.annotate(used=used)
    ordered = sorted(languages, key=lambda lang: str(lang).casefold())
    in_program = [(lang.pk, str(lang)) for lang in ordered if lang.used]
    others = [(lang.pk, str(lang)) for lang in ordered if not lang.used]
    if not in_program:
        return others
    return [(_("Used in this program"), in_program), (_("All other languages"), others)]


class VolunteerForm(forms.ModelForm):
    """Create or edit a volunteer; status changes go through their own form and history."""

    lived_refugee_experience = forms.NullBooleanField(
        label=capfirst(Volunteer._meta.get_field("lived_refugee_experience").verbose_name),
        help_text=Volunteer._meta.get_field("lived_refugee_experience").help_text,
        required=False,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Volunteer
        fields = [
            "code",
            "name",
            "status",
            "joined_on",
            "user",
            "email",
            "phone",
            "languages",
            "usual_sites",
            "prior_qualification",
            "lived_refugee_experience",
            "interests",
            "availability",
            "employed_by",
            "employed_since",
        ]
        field_classes = {"usual_sites": ModelMultipleChoiceField}
        widgets = {
            "joined_on": DateInput(),
            "employed_since": DateInput(),
            "languages": forms.SelectMultiple(attrs={"size": 10}),
            "usual_sites": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        creating = self.instance.pk is None
        if not creating:
            # The status has its own form, so that every change is recorded with a date.
            del self.fields["status"]
            self.fields["joined_on"].help_text = _(
                "Set when the volunteer first becomes active; correct it here if needed."
            )
        else:
            self.fields["status"].choices = [
                c for c in Volunteer.Status.choices if c[0] != Volunteer.Status.LEFT
            ]
            self.fields["joined_on"].help_text = _(
                "Set automatically when an active volunteer is added without it."
            )
        self.fields["lived_refugee_experience"].widget.choices = [
            ("unknown", _("Not said")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]
        self.fields["languages"].choices = language_choices(program)
        self.fields["languages"].help_text = _(
            "Hold Ctrl (⌘ on a Mac) to choose several. Languages already used in the program "
            "come first."
        )
        # Only this program's sites; a closed site stays listed while it is still chosen.
        sites = Q(active=True)
        if self.instance.pk:
            sites |= Q(usual_volunteers=self.instance)
        self.fields["usual_sites"].queryset = (
            program.sites.filter(sites).distinct().order_by("name")
        )
        taken = program.volunteers.exclude(pk=self.instance.pk).exclude(user=None)
        self.fields["user"] = UserChoiceField(
            label=_("User account"),
            required=False,
            queryset=policies.volunteer_accounts(program)
            .exclude(pk__in=taken.values("user"))
            .order_by("username"),
            help_text=_("Link the volunteer's login, so they can log sessions and see their own."),
        )
        self.fields["employed_by"].queryset = Organisation.objects.order_by("name")
        self.fields["employed_by"].help_text = _("For counsellors employed after the program.")
        self.fields["code"].help_text = _("Unique within the program, e.g. V-012.")
        self.helper = _helper(
            Fieldset(
                "",
                _row("code", "name"),
                _row("status", "joined_on") if creating else "joined_on",
                _row("email", "phone"),
                "user",
            ),
            Fieldset(
                _("Profile"),
                "languages",
                "usual_sites",
                "prior_qualification",
                "lived_refugee_experience",
                _row("interests", "availability"),
            ),
            Fieldset(_("Employment"), _row("employed_by", "employed_since")),
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = self.program.volunteers.filter(code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another volunteer in this program already has the code “%(code)s”."),
                params={"code": code},
                code="unique",
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("employed_since") and not cleaned.get("employed_by"):
            self.add_error("employed_since", _("Say who employs the volunteer."))
        joined_on = cleaned.get("joined_on")
        findings = rules.check_volunteer(
            joined_on=joined_on, employed_since=cleaned.get("employed_since")
        )
        findings.add_to_form(self)
        if (
            "joined_on" not in findings.errors
            and joined_on
            and self.instance.left_on
            and joined_on > self.instance.left_on
        ):
            self.add_error("joined_on", _("The joining date cannot be after the leaving date."))
        return cleaned

    def _post_clean(self):
        self.instance.program = self.program
        super()._post_clean()


class _StatusChange(forms.Form):
    """A volunteer's next status, from when, and why (needed when they leave)."""

    to_status = forms.ChoiceField(label=_("New status"), choices=Volunteer.Status.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required when the volunteer leaves."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class VolunteerStatusForm(_StatusChange):
    def __init__(self, *args, volunteer: Volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            c for c in Volunteer.Status.choices if c[0] != volunteer.status
        ]
        self.helper = _helper(_row("to_status", "on"), "reason")


class BulkStatusForm(_StatusChange):
    """The new status of the volunteers ticked on the list, on the confirmation page."""

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Required when the volunteers leave.")

    def clean(self):
        data = super().clean()
        if (
            data.get("to_status") == Volunteer.Status.LEFT
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Please give a reason for leaving."))
        return data


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = [
            "title",
            "kind",
            "starts_on",
            "ends_on",
            "planned_hours",
            "trainer",
            "description",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["planned_hours"].widget.attrs.update(min=0, step="0.5")
        self.helper = _helper(
            "title",
            _row("kind", "trainer"),
            _row("starts_on", "ends_on", "planned_hours"),
            "description",
        )

    def clean(self):
        cleaned = super().clean()
        rules.check_training(
            starts_on=cleaned.get("starts_on"),
            ends_on=cleaned.get("ends_on"),
            planned_hours=cleaned.get("planned_hours"),
        ).add_to_form(self)
        return cleaned

    def _post_clean(self):
        self.instance.program = self.program
        super()._post_clean()


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["date", "minutes", "topic"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        self.training = training
        self.fields["minutes"].widget.attrs.update(min=1, step=15)
        self.fields["minutes"].initial = 180
        self.helper = _helper(_row("date", "minutes"), "topic")

    def clean(self):
        cleaned = super().clean()
        rules.check_training_session(
            training_starts_on=self.training.starts_on,
            training_ends_on=self.training.ends_on,
            date=cleaned.get("date"),
            minutes=cleaned.get("minutes"),
        ).add_to_form(self)
        return cleaned

    def _post_clean(self):
        self.instance.training = self.training
        super()._post_clean()


class VolunteerChoices(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class EnrolForm(forms.Form):
    volunteers = VolunteerChoices(
        label=_("Volunteers"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DateInput())

    def __init__(self, *args, training: Training, **kwargs):
        kwargs.setdefault("initial", {"enrolled_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = selectors.volunteers_to_enrol(training)
        self.helper = _helper("volunteers", "enrolled_on")


class EnrollmentOutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), choices=Enrollment.Status.choices, widget=forms.RadioSelect
    )
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Needed when the training was completed."),
    )
    practice_hours = forms.DecimalField(
        label=capfirst(Enrollment._meta.get_field("practice_hours").verbose_name),
        min_value=0,
        max_digits=6,
        decimal_places=1,
        required=False,
    )

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": Enrollment.Status.COMPLETED,
                "completed_on": enrollment.completed_on
                or min(enrollment.training.ends_on, timezone.localdate()),
                "practice_hours": enrollment.practice_hours,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = _helper("status", _row("completed_on", "practice_hours"))


class SupervisionForm(forms.ModelForm):
    supervisor = UserChoiceField(
        label=_("Supervisor"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("A supervisor or coordinator of the program."),
    )

    class Meta:
        model = SupervisionSession
        fields = [
            "date",
            "kind",
            "minutes",
            "supervisor",
            "supervisor_name",
            "attendees",
            "topics",
            "confidential_notes",
        ]
        field_classes = {"attendees": ModelMultipleChoiceField}
        widgets = {
            "date": DateInput(),
            "attendees": forms.CheckboxSelectMultiple,
            "confidential_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["supervisor"].queryset = policies.supervision_leaders(program)
        self.fields["supervisor_name"].help_text = _(
            "Or the name of an external supervisor without a Lotse account."
        )
        # Volunteers who have not left, and anyone already recorded as an attendee.
        attendees = ~Q(status=Volunteer.Status.LEFT)
        if self.instance.pk:
            attendees |= Q(supervision_sessions=self.instance)
        self.fields["attendees"] = VolunteerChoices(
            label=_("Attendees"),
            queryset=program.volunteers.filter(attendees).distinct().order_by("name"),
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["minutes"].widget.attrs.update(min=1, step=15)
        self.fields["confidential_notes"].help_text = _(
            "Visible to coordinators and supervisors only; never to volunteers."
        )
        if not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("minutes", 90)
        self.helper = _helper(
            _row("date", "kind", "minutes"),
            _row("supervisor", "supervisor_name"),
            "attendees",
            "topics",
            "confidential_notes",
        )

    def clean(self):
        cleaned = super().clean()
        rules.check_supervision(
            date=cleaned.get("date"), minutes=cleaned.get("minutes")
        ).add_to_form(self)
        supervisor, name = cleaned.get("supervisor"), (cleaned.get("supervisor_name") or "")
        if supervisor and name.strip():
            self.add_error(
                "supervisor_name", _("Choose a supervisor or type an external name, not both.")
            )
        elif not supervisor and not name.strip() and "supervisor" not in self.errors:
            self.add_error("supervisor", _("Who led the supervision?"))
        return cleaned

    def _post_clean(self):
        self.instance.program = self.program
        super()._post_clean()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))

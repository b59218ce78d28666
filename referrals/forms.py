from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.spreadsheets import FileRefused, check_size
from core.validators import future_date_error
from programs.models import Language, Membership, Participant, Program
from programs.policies import can_see_participant_alias
from sessions_log import selectors as sessions_selectors

from . import rules, selectors
from .models import Category, Referral, ServiceProvider
from .services import REFERRAL_SCOPES

Status = Referral.Status


def date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _no_future(form: forms.Form, name: str) -> None:
    if error := future_date_error(form.cleaned_data.get(name)):
        form.add_error(name, error)


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


class ParticipantChoiceField(forms.ModelChoiceField):
    """Participants by their pseudonymous code; coordinators also see the alias."""

    def __init__(self, *args, show_alias=False, **kwargs):
        self.show_alias = show_alias
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if self.show_alias and obj.alias:
            return f"{obj.code} · {obj.alias}"
        return obj.code


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_category_display()}"


def _category_field():
    return forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Same as the service"))] + list(Category.choices),
        required=False,
    )


class _ConsentMixin:
    """A ticked box and the date the participant agreed to share their data with the service."""

    def clean_consent(self):
        cleaned = self.cleaned_data
        if cleaned.get("consent_to_share") and not cleaned.get("consent_on"):
            self.add_error("consent_on", _("Give the date the participant agreed."))
        if cleaned.get("consent_on") and not cleaned.get("consent_to_share"):
            self.add_error("consent_to_share", _("Tick the box to confirm the participant agreed."))
        _no_future(self, "consent_on")

    @property
    def consent(self):
        """The consent date to record, or None."""
        if self.cleaned_data.get("consent_to_share"):
            return self.cleaned_data.get("consent_on")
        return None


def _consent_fields():
    return (
        forms.BooleanField(
            label=_("The participant agreed that their data is shared with this service"),
            required=False,
        ),
        forms.DateField(label=_("Consent given on"), required=False, widget=date_input()),
    )


# ---- directory ---------------------------------------------------------------------------


class ProviderForm(forms.ModelForm):
    shared = forms.BooleanField(label=_("Share with the other programs"), required=False)

    class Meta:
        model = ServiceProvider
        fields = [
            "name",
            "category",
            "languages",
            "area",
            "address",
            "phone",
            "email",
            "website",
            "opening_notes",
            "accepts_self_referral",
            "waiting_weeks",
            "active",
        ]
        widgets = {"languages": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {"languages": _("Hold Ctrl (⌘ on a Mac) to choose several.")}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        organisation = program.lead_organisation
        self.fields["shared"].label = _("Share with the other programs of %(organisation)s") % {
            "organisation": organisation
        }
        self.fields["shared"].initial = self.instance.organisation_id == organisation.pk
        self.fields["area"].queryset = program.areas.all()
        self.fields["languages"].queryset = Language.objects.all()
        self.fields["waiting_weeks"].widget.attrs.update(min=0, inputmode="numeric")
        self.fields["phone"].widget.attrs["type"] = "tel"
        self.helper = _helper(
            Row(Column("name", css_class="col-md-6"), Column("category", css_class="col-md-6")),
            Row(Column("languages", css_class="col-md-6"), Column("area", css_class="col-md-6")),
            "address",
            Row(
                Column("phone", css_class="col-md-4"),
                Column("email", css_class="col-md-4"),
                Column("website", css_class="col-md-4"),
            ),
            "opening_notes",
            Row(
                Column("waiting_weeks", css_class="col-md-4"),
                Column("accepts_self_referral", css_class="col-md-4 pt-md-4"),
                Column("active", css_class="col-md-4 pt-md-4"),
            ),
            "shared",
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.program.providers.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("The directory already has a service called “%(name)s”.") % {"name": name}
            )
        return name

    def save(self, commit=True):
        self.instance.organisation = (
            self.program.lead_organisation if self.cleaned_data.get("shared") else None
        )
        return super().save(commit=commit)


class ProviderImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("UTF-8 CSV separated by commas or semicolons, or an .xlsx workbook."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            check_size(uploaded.size)
        except FileRefused as error:
            raise forms.ValidationError(str(error)) from error
        return uploaded


class ProviderImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)


# ---- referrals ---------------------------------------------------------------------------


class ReferralForm(_ConsentMixin, forms.Form):
    """An outbound referral, proposed or (for who may send) sent at once."""

    participant = ParticipantChoiceField(label=_("Participant"), queryset=Participant.objects)
    provider = ProviderChoiceField(label=_("Service"), queryset=ServiceProvider.objects)
    category = _category_field()
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.ROUTINE
    )
    referred_on = forms.DateField(label=_("Date"), widget=date_input())
    consent_to_share, consent_on = _consent_fields()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person needs and anything the service should know."),
    )

    def __init__(self, *args, program: Program, membership: Membership, participants, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("referred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["participant"].queryset = participants.order_by("code")
        self.fields["participant"].show_alias = can_see_participant_alias(membership)
        self.fields["provider"].queryset = (
            selectors.providers_for(program).filter(active=True).order_by("name")
        )
        self.fields["referred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["consent_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.helper = _helper(
            "participant",
            "provider",
            Row(Column("category", css_class="col-sm-6"), Column("urgency", css_class="col-sm-6")),
            "referred_on",
            Fieldset(_("Consent"), "consent_to_share", "consent_on"),
            "note",
        )

    def clean(self):
        cleaned = super().clean()
        self.clean_consent()
        rules.check_referral(
            program=self.program,
            referred_on=cleaned.get("referred_on"),
            consent_on=self.consent,
        ).add_to_form(self)
        return cleaned


class NewParticipantMode:
    NEW = "new"
    EXISTING = "existing"


class InboundReferralForm(forms.Form):
    """A referral to the program, e.g. from psychiatry, for a new or a known participant."""

    provider = ProviderChoiceField(
        label=_("Referred by"), queryset=ServiceProvider.objects, help_text=_("The service.")
    )
    category = _category_field()
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.ROUTINE
    )
    referred_on = forms.DateField(label=_("Received on"), widget=date_input())
    ref = forms.CharField(
        label=_("Their reference"),
        max_length=60,
        required=False,
        help_text=_("A case number of the referring service; no names."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    who = forms.ChoiceField(
        label=_("Participant"),
        choices=[
            (NewParticipantMode.NEW, _("New to the program")),
            (NewParticipantMode.EXISTING, _("Already known")),
        ],
        initial=NewParticipantMode.NEW,
        widget=forms.RadioSelect,
    )
    participant = ParticipantChoiceField(
        label=_("Known participant"), queryset=Participant.objects, required=False
    )
    year_of_birth = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Participant.Gender.choices, initial=Participant.Gender.UNKNOWN
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Language.objects.all(),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    country_of_origin = CountryField(blank=True).formfield(
        label=_("Country of origin"), required=False
    )
    consent_scope = forms.ChoiceField(
        label=_("Consent"),
        choices=[("", _("Not recorded"))] + list(Participant.ConsentScope.choices),
        required=False,
    )
    consent_on = forms.DateField(label=_("Consent given on"), required=False, widget=date_input())

    start_match = forms.BooleanField(label=_("Propose a match with a volunteer"), required=False)
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=None, required=False)
    matching_notes = forms.CharField(
        label=_("Matching notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Languages, interests, what matters for the match."),
    )

    def __init__(self, *args, program: Program, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("referred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["provider"].queryset = selectors.providers_for(program).order_by("name")
        self.fields["participant"].queryset = program.participants.order_by("code")
        self.fields["participant"].show_alias = True
        self.fields["volunteer"].queryset = sessions_selectors.working_volunteers(program)
        for name in ("referred_on", "consent_on"):
            self.fields[name].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["year_of_birth"].widget.attrs["inputmode"] = "numeric"
        self.helper = _helper(
            Fieldset(
                _("Referral"),
                "provider",
                Row(
                    Column("category", css_class="col-sm-6"),
                    Column("urgency", css_class="col-sm-6"),
                ),
                Row(
                    Column("referred_on", css_class="col-sm-6"),
                    Column("ref", css_class="col-sm-6"),
                ),
                "note",
            ),
            Fieldset(
                _("Participant"),
                "who",
                "participant",
                Row(
                    Column("year_of_birth", css_class="col-sm-6"),
                    Column("gender", css_class="col-sm-6"),
                ),
                Row(
                    Column("languages", css_class="col-sm-6"),
                    Column("country_of_origin", css_class="col-sm-6"),
                ),
                Row(
                    Column("consent_scope", css_class="col-sm-6"),
                    Column("consent_on", css_class="col-sm-6"),
                ),
            ),
            Fieldset(_("Match"), "start_match", "volunteer", "matching_notes"),
        )

    def clean(self):
        cleaned = super().clean()
        rules.check_referral(
            program=self.program, referred_on=cleaned.get("referred_on")
        ).add_to_form(self)
        if cleaned.get("who") == NewParticipantMode.EXISTING:
            if not cleaned.get("participant"):
                self.add_error("participant", _("Choose the participant."))
        else:
            _no_future(self, "consent_on")
            if cleaned.get("consent_scope") and not cleaned.get("consent_on"):
                self.add_error("consent_on", _("Give the date the participant agreed."))
            if cleaned.get("consent_on") and not cleaned.get("consent_scope"):
                self.add_error("consent_scope", _("Choose what the participant agreed to."))
        if cleaned.get("start_match") and not cleaned.get("volunteer"):
            self.add_error("volunteer", _("Choose the volunteer to propose."))
        return cleaned


class VersionedForm(forms.Form):
    """Carries the referral version the form was rendered with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReferralEditForm(_ConsentMixin, VersionedForm):
    provider = ProviderChoiceField(label=_("Service"), queryset=ServiceProvider.objects)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    referred_on = forms.DateField(label=_("Date"), widget=date_input())
    consent_to_share, consent_on = _consent_fields()
    ref = forms.CharField(label=_("Reference"), max_length=60, required=False)
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        initial = {
            "version": referral.version,
            "provider": referral.provider_id,
            "category": referral.category,
            "urgency": referral.urgency,
            "referred_on": referral.referred_on,
            "consent_to_share": referral.consent_to_share,
            "consent_on": referral.consent_on,
            "ref": referral.ref,
            "outcome": referral.outcome,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.referral = referral
        self.fields["provider"].queryset = selectors.providers_for(referral.program).order_by(
            "name"
        )
        self.helper = _helper(
            "version",
            "provider",
            Row(Column("category", css_class="col-sm-6"), Column("urgency", css_class="col-sm-6")),
            Row(Column("referred_on", css_class="col-sm-6"), Column("ref", css_class="col-sm-6")),
            Fieldset(_("Consent"), "consent_to_share", "consent_on"),
            "outcome",
        )

    def clean(self):
        cleaned = super().clean()
        self.clean_consent()
        referral = self.referral
        rules.check_referral(
            program=referral.program,
            referred_on=cleaned.get("referred_on"),
            sent_on=referral.sent_on,
            appointment_on=referral.appointment_on,
            closed_on=referral.closed_on,
            consent_on=self.consent,
        ).add_to_form(self)
        return cleaned


# What each step is called on its button.
STEP_LABELS = {
    Status.SENT: _("Send to the service"),
    Status.ACCEPTED: _("Accepted by the service"),
    Status.DECLINED: _("Declined by the service"),
    Status.APPOINTMENT: _("Record an appointment"),
    Status.ATTENDED: _("Attended"),
    Status.NO_SHOW: _("Did not attend"),
    Status.CLOSED: _("Close"),
}
INBOUND_STEP_LABELS = {
    Status.ACCEPTED: _("Accept the referral"),
    Status.DECLINED: _("Decline the referral"),
    Status.APPOINTMENT: _("Record a first meeting"),
}
OUTCOME_STEPS = (Status.ATTENDED, Status.DECLINED, Status.CLOSED)


class TransitionForm(VersionedForm):
    """One next step of a referral; its fields depend on the step.

    The outcome field of the closing steps is there only ``with_outcome``: for those who read
    and write outcomes (:func:`referrals.policies.sees_referral_notes`).
    """

    to_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args, referral: Referral, to_status: str, with_outcome: bool = False, **kwargs
    ):
        kwargs.setdefault("prefix", to_status)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("version", referral.version)
        initial.setdefault("to_status", to_status)
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.step = to_status
        labels = STEP_LABELS
        if referral.direction == Referral.Direction.INBOUND:
            labels = {**STEP_LABELS, **INBOUND_STEP_LABELS}
        self.label = labels.get(to_status, Status(to_status).label)
        if to_status == Status.CLOSED and referral.status == Status.PROPOSED:
            self.label = _("Withdraw the proposal")
        fields = ["version", "to_status"]
        if to_status == Status.APPOINTMENT:
            self.fields["appointment_on"] = forms.DateField(
                label=_("Appointment on"), widget=date_input()
            )
            fields.append("appointment_on")
        if to_status == Status.SENT and self.needs_consent:
            consent_to_share, consent_on = _consent_fields()
            consent_on.widget.attrs["max"] = timezone.localdate().isoformat()
            self.fields["consent_to_share"] = consent_to_share
            self.fields["consent_on"] = consent_on
            fields += ["consent_to_share", "consent_on"]
            participant = referral.participant
            if participant.consent_scope in REFERRAL_SCOPES and participant.consent_on:
                initial.setdefault("consent_to_share", True)
                initial.setdefault("consent_on", participant.consent_on)
        if with_outcome and to_status in OUTCOME_STEPS:
            self.fields["outcome"] = forms.CharField(
                label=_("Outcome"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=referral.outcome,
            )
            fields.append("outcome")
        fields.append("note")
        self.helper = _helper(*fields)

    @property
    def needs_consent(self) -> bool:
        referral = self.referral
        return referral.direction == Referral.Direction.OUTBOUND and not (
            referral.consent_to_share and referral.consent_on
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("appointment_on"):
            referral = self.referral
            findings = rules.check_referral(
                program=referral.program,
                referred_on=referral.referred_on,
                sent_on=referral.sent_on,
                appointment_on=cleaned["appointment_on"],
            )
            for error in findings.errors.get("appointment_on", ()):
                self.add_error("appointment_on", error)
        if "consent_to_share" in self.fields:
            if not cleaned.get("consent_to_share"):
                self.add_error(
                    "consent_to_share",
                    _("A referral is sent only with the participant's consent."),
                )
            elif not cleaned.get("consent_on"):
                self.add_error("consent_on", _("Give the date the participant agreed."))
            _no_future(self, "consent_on")
        return cleaned

    @property
    def consent(self):
        if self.cleaned_data.get("consent_to_share"):
            return self.cleaned_data.get("consent_on")
        return None


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=date_input())
    date_to = forms.DateField(label=_("To"), widget=date_input())

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {"date_from": today - timedelta(days=365), "date_to": today}
        if data is not None and not any(data.get(name) for name in defaults):
            data = None
        super().__init__(data, initial=defaults, **kwargs)
        self.defaults = defaults

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", _("The end comes before the start."))
        return cleaned

    @property
    def period(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return self.defaults["date_from"], self.defaults["date_to"]

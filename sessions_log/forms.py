"""Forms of logged work. They validate and say what is wrong next to the field; services write."""

import functools
from html import escape as html_escape

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.db.models.query import EmptyQuerySet
from django.forms.models import construct_instance
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.validators import not_in_future
from programs import rules as participant_rules
from programs.forms import ModelMultipleChoiceField
from programs.models import ActivityKind, Language, Participant, Site
from volunteers.models import Volunteer

from . import rules, selectors
from .instruments import Instrument
from .models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup, Topic
from .services import Attendance, ConcernData, attendance_of_participants


def date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def number_input(**attrs):
    return forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, **attrs})


class LongSelectMultiple(forms.SelectMultiple):
    """A multi-select whose options render in Python: 200 languages render in well under a
    millisecond (Django's widget builds a dictionary and renders a template for each)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["multiple"] = True

        def options(items):
            # The standard library's escape, as Django's does, without its lazy wrapper.
            return "".join(
                f'<option value="{html_escape(str(pk))}"{" selected" if str(pk) in chosen else ""}>'
                f"{html_escape(str(label))}</option>"
                for pk, label in items
            )

        parts, loose = [], []
        for value_or_group, label_or_options in self.choices:
            if isinstance(label_or_options, list | tuple):
                parts.append(options(loose))
                loose = []
                parts.append(
                    f'<optgroup label="{escape(value_or_group)}">'
                    f"{options(label_or_options)}</optgroup>"
                )
            else:
                loose.append((value_or_group, label_or_options))
        parts.append(options(loose))
        return mark_safe(f'<select name="{escape(name)}"{flatatt(attrs)}>{"".join(parts)}</select>')


def as_list(value) -> list:
    """A multiple choice's cleaned value as a list. Nothing chosen is Django's ``none()``
    queryset: an empty list without compiling its query."""
    return [] if isinstance(value, EmptyQuerySet) else list(value)


def lazy_choices(build):
    """Choices built when they are first listed, i.e. when the form is shown: a form that is
    only validated (a post that saves) never reads the lists it would have offered."""
    return functools.cache(build)


# Every language, sorted by its name in the user's language: the same for every form of every
# program, so kept in the cache; forgotten when a language is saved or deleted (apps.py).
LANGUAGE_CHOICES_KEY = "lotse:language-choices:{}"
LANGUAGE_CHOICES_SECONDS = 60 * 60


def language_choices() -> list[tuple[str, str]]:
    return cache.get_or_set(
        LANGUAGE_CHOICES_KEY.format(get_language() or settings.LANGUAGE_CODE),
        lambda: sorted(
            ((language.code, str(language)) for language in Language.objects.all()),
            key=lambda choice: choice[1],
        ),
        LANGUAGE_CHOICES_SECONDS,
    )


class LanguagesField(ModelMultipleChoiceField):
    """Languages to choose from ``language_choices``, checked against the same kept list: a
    post that saves reads no language. A code the list does not know (a language added since
    another process kept it) is looked up as usual."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Language.objects.all())
        kwargs.setdefault("widget", LongSelectMultiple)
        super().__init__(**kwargs)

    def _check_values(self, value):
        known = {code for code, _label in language_choices()}
        if isinstance(value, list | tuple) and all(
            isinstance(code, str) and code in known for code in value
        ):
            # Instances as the database would give them; only the code is read.
            db = self.queryset.db
            return [Language.from_db(db, ["code"], [code]) for code in dict.fromkeys(value)]
        return super()._check_values(value)


def forget_language_choices(**kwargs) -> None:
    cache.delete_many(
        [
            LANGUAGE_CHOICES_KEY.format(code)
            for code in {settings.LANGUAGE_CODE, *dict(settings.LANGUAGES)}
        ]
    )


def own_ids(volunteer: Volunteer | None, relation: str) -> set:
    """The ids of a volunteer's languages or usual sites, read once per request however many
    forms offer them first (the log form and its quick-add of a participant)."""
    if volunteer is None:
        return set()
    memo = volunteer.__dict__.setdefault("_own_ids", {})
    if relation not in memo:
        memo[relation] = set(getattr(volunteer, relation).values_list("pk", flat=True))
    return memo[relation]


def grouped(items, first: set, first_label, rest_label, label=str):
    """Choices in two option groups: ``first`` (e.g. the user's own) and the rest. ``items``
    are objects, or ``(pk, label)`` pairs."""
    pairs = [item if isinstance(item, tuple) else (item.pk, label(item)) for item in items]
    mine = [pair for pair in pairs if pair[0] in first]
    rest = [pair for pair in pairs if pair[0] not in first]
    if not mine:
        return rest
    return [(first_label, mine), (rest_label, rest)] if rest else mine


class NotInFutureMixin:
    def _not_in_future(self, field):
        day = self.cleaned_data.get(field)
        not_in_future(day)
        return day


def participant_label(participant: Participant, *, with_alias: bool = False) -> str:
    parts = [participant.code]
    if participant.year_of_birth:
        parts.append(str(_("born %(year)s") % {"year": participant.year_of_birth}))
    parts.append(str(participant.get_gender_display()))
    if with_alias and participant.alias:
        parts.append(participant.alias)
    return " · ".join(parts)


class ActivityForm(forms.ModelForm):
    """Log or change a session: one short form, made for a phone."""

    kind = forms.ChoiceField(
        label=_("What kind of session?"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This program does not log this kind of activity.")},
    )
    # Made when the form is shown; the same key sent twice lands on the first session.
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # The fingerprint of the warnings the user confirmed ("Yes, save it"); the template shows
    # it as a checkbox next to the warnings.
    confirm = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    worried = forms.BooleanField(label=_("I am worried about someone"), required=False)
    concern_category = forms.ChoiceField(
        label=_("What worries you?"),
        choices=[("", "---------"), *Concern.Category.choices],
        required=False,
    )
    concern_severity = forms.ChoiceField(
        label=_("How serious is it?"),
        choices=Concern.Severity.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    concern_description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Describe what you saw or heard. No names, please."),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "date",
            "site",
            "attendees_total",
            "attendees_women",
            "attendees_men",
            "attendees_children",
            "participants",
            "facilitators",
            "languages",
            "interpreter_used",
            "topics",
            "minutes",
            "follow_up_needed",
            "notes",
        ]
        field_classes = {
            "participants": ModelMultipleChoiceField,
            "facilitators": ModelMultipleChoiceField,
            "topics": ModelMultipleChoiceField,
            "languages": LanguagesField,
        }
        widgets = {
            "date": date_input(),
            "topics": forms.CheckboxSelectMultiple,
            "facilitators": LongSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "minutes": number_input(min=1, step=5),
        }
        labels = {
            "minutes": _("Duration (minutes)"),
            "attendees_total": _("People attending"),
            "languages": _("Languages spoken"),
        }

    def __init__(
        self,
        *args,
        program,
        volunteer: Volunteer | None,
        sees_all: bool,
        with_alias: bool = False,
        with_concern: bool = True,
        with_notes: bool = True,
        extra_participant_ids=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.program = program
        self.volunteer = volunteer
        self.sees_all = sees_all
        self.warnings, self.warning_key, self.confirmed = [], "", False
        instance = self.instance if self.instance.pk else None
        today = timezone.localdate()

        kinds = list(program.activity_kind_choices)
        if instance and instance.kind not in program.activity_kinds:
            kinds.append((instance.kind, instance.get_kind_display()))
        self.fields["kind"].choices = kinds
        if len(kinds) == 1 and not self.is_bound:
            self.initial.setdefault("kind", kinds[0][0])
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        if not instance:
            self.initial.setdefault("date", today)

        self._setup_site(instance)
        self._setup_facilitators(instance)
        self._setup_languages()
        self._setup_topics(instance)
        self._setup_participants(instance, with_alias, extra_participant_ids)

        for name in ("attendees_total", "attendees_women", "attendees_men", "attendees_children"):
            field = self.fields[name]
            field.required = False
            field.widget = number_input()
            if not instance:
                self.initial.setdefault(name, None)  # an empty box, not a 0 to delete first
        self.fields["attendees_women"].label = _("Women")
        self.fields["attendees_men"].label = _("Men")
        self.fields["attendees_children"].label = _("Children")
        self.fields["minutes"].widget.attrs["min"] = 1

        if not with_concern:
            for name in ("worried", "concern_category", "concern_severity", "concern_description"):
                del self.fields[name]
        if not with_notes:
            del self.fields["notes"]
        else:
            self.fields["notes"].help_text = _(
                "Seen by coordinators and supervisors, never by other volunteers."
            )
        # What the template shows (templates/sessions_log/_activity_fields.html).
        self.with_concern, self.with_notes = with_concern, with_notes
        self.individual_kinds = " ".join(sorted(ActivityKind.individual()))

    def _setup_site(self, instance):
        condition = Q(active=True)
        if instance and instance.site_id:
            condition |= Q(pk=instance.site_id)
        field = self.fields["site"]
        field.queryset = self.program.sites.filter(condition)
        volunteer = self.volunteer

        @lazy_choices
        def sites():
            return list(field.queryset.order_by("name"))

        if self.is_bound and self.data.get(self.add_prefix("site")):
            field.required = True  # a site was chosen: the program has sites
        else:
            field.required = bool(sites())
        field.choices = lazy_choices(
            lambda: (
                [("", "---------")]
                + grouped(
                    sites(),
                    own_ids(volunteer, "usual_sites"),
                    _("Your usual sites"),
                    _("Other sites"),
                )
            )
        )

    def _setup_facilitators(self, instance):
        field = self.fields["facilitators"]
        chosen = instance.facilitators.all() if instance else None
        queryset = selectors.working_volunteers(self.program, include=chosen)
        if self.volunteer is not None and not self.sees_all:
            queryset = queryset.exclude(pk=self.volunteer.pk)
            field.label = _("Co-facilitators")
            field.help_text = _("Who ran the session with you? You are always included.")
            if instance and not self.is_bound:
                self.initial["facilitators"] = [
                    v.pk for v in instance.facilitators.all() if v.pk != self.volunteer.pk
                ]
        else:
            field.label = _("Facilitators")
            field.help_text = _("The volunteers who ran the session.")
            if not instance and self.volunteer is not None:
                self.initial.setdefault("facilitators", [self.volunteer.pk])
        field.queryset = queryset
        # Only the names are shown (a volunteer's contact details are not read for a list).
        field.choices = lazy_choices(lambda: list(queryset.values_list("pk", "name")))
        field.widget.attrs.update({"size": 5, "data-filterable": "true"})

    def _setup_languages(self):
        field = self.fields["languages"]
        volunteer = self.volunteer
        field.choices = lazy_choices(
            lambda: grouped(
                language_choices(),
                own_ids(volunteer, "languages"),
                _("Your languages"),
                _("All languages"),
            )
        )
        field.widget.attrs.update({"size": 6, "data-filterable": "true"})
        field.help_text = _("Choose one or more.")

    def _setup_topics(self, instance):
        condition = Q(active=True) & (Q(program__isnull=True) | Q(program=self.program))
        if instance:
            condition |= Q(pk__in=instance.topics.values("pk"))
        field = self.fields["topics"]
        field.queryset = Topic.objects.filter(condition)
        field.choices = lazy_choices(
            lambda: sorted(((t.pk, str(t)) for t in field.queryset), key=lambda c: c[1])
        )

    def _setup_participants(self, instance, with_alias, extra_ids):
        field = self.fields["participants"]

        def choosable():
            queryset = selectors.visible_participants(
                self.program, sees_all=self.sees_all, volunteer=self.volunteer, extra_ids=extra_ids
            )
            if instance:
                queryset = self.program.participants.filter(
                    Q(pk__in=queryset.values("pk")) | Q(pk__in=instance.participants.values("pk"))
                )
            return queryset.order_by("code")

        posted = self.is_bound and field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix("participants")
        )
        if self.is_bound and not posted:
            # Nobody ticked (a group session): nothing to check against the people the user
            # may pick; they are read only if the form is shown again.
            field.queryset = Participant.objects.none()
            self._choosable_participants = choosable
        else:
            field.queryset = choosable()
            self._choosable_participants = None
        # Found by code; the alias only for those who may see it. No personal details: a
        # volunteer's form may be kept on their phone for offline use.
        field.label_from_instance = lambda p: (
            f"{p.code} · {p.alias}" if with_alias and p.alias else p.code
        )
        field.label = _("Who took part?")
        field.help_text = (
            _("Tick who took part. Someone new? Add them below.")
            if self.sees_all
            else _("People you met before. Someone new? Add them below.")
        )
        self._participant_widget_chosen = False
        if not self.is_bound:
            self._choose_participant_widget()

    def _choose_participant_widget(self):
        """Checkboxes for up to 40 people, else a list to filter. Read when the form is shown:
        a form that is only validated does not read everyone the user may pick."""
        if self._participant_widget_chosen:
            return
        self._participant_widget_chosen = True
        field = self.fields["participants"]
        if self._choosable_participants is not None:
            field.queryset = self._choosable_participants()
        people = list(field.queryset)  # kept by the queryset: its count and exists() read it
        choices = [(p.pk, field.label_from_instance(p)) for p in people]
        if len(people) <= 40:
            field.widget = forms.CheckboxSelectMultiple()
        else:
            field.widget = LongSelectMultiple(attrs={"size": 8, "data-filterable": "true"})
        field.choices = choices

    @property
    def participants_field(self):
        """The participants as shown: checkboxes or a list to filter (chosen here, when the
        form is shown, for a bound form too)."""
        self._choose_participant_widget()
        return self["participants"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        self.warnings, self.warning_key, self.confirmed = [], "", False
        if not kind:
            return cleaned
        if kind in ActivityKind.individual():
            participants = cleaned.get("participants")
            counted = participants is not None
        else:
            participants = None
            cleaned["participants"] = []
            counted = self._default_head_counts(cleaned)
        # A one-to-one kind counts its ticked participants (``activity_data``).
        counts = (
            {}
            if participants is not None
            else {
                "total": cleaned.get("attendees_total"),
                "women": cleaned.get("attendees_women") or 0,
                "men": cleaned.get("attendees_men") or 0,
                "children": cleaned.get("attendees_children") or 0,
            }
        )
        site = cleaned.get("site")
        findings = rules.check_activity(
            program=self.program,
            kind=kind if counted else "",
            date=cleaned.get("date"),
            minutes=cleaned.get("minutes"),
            site=site.pk if site else None,
            site_capacity=site.capacity if site else None,
            participants=None if participants is None else len(participants),
            before=self._saved_values(),
            **counts,
        )
        if findings.warnings:
            self.warning_key = findings.warning_key
            self.confirmed = cleaned.get("confirm") == self.warning_key
            self.warnings = [message for _field, message in findings.messages("warnings")]
        findings.add_to_form(self, confirmed=self.confirmed)
        if cleaned.get("worried"):
            for name, message in (
                ("concern_category", _("What worries you?")),
                ("concern_severity", _("How serious is it?")),
                ("concern_description", _("Please describe what happened.")),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        """Build the session from the form without validating the record a second time: the
        service that saves it checks it as a whole (``Activity.full_clean``: its fields, the
        site still there, the database's rules), and the views show a refusal at its field
        (views/common.form_errors). The form's own checks (``clean``) come first either way."""
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)

    def _default_head_counts(self, cleaned) -> bool:
        """Empty boxes of women, men and children count 0; False where a count could not be
        read (its own message says why)."""
        names = ("attendees_total", "attendees_women", "attendees_men", "attendees_children")
        if any(name in self.errors for name in names):
            return False
        for name in names[1:]:
            cleaned[name] = cleaned.get(name) or 0
        return True

    def _saved_values(self) -> dict | None:
        """The session as saved, when it is being changed: warnings about values that did
        not change are not asked again."""
        activity = self.instance
        if not activity.pk:
            return None
        return {
            "kind": activity.kind,
            "date": activity.date,
            "minutes": activity.minutes,
            "site": activity.site_id,
            "attendees_total": activity.attendees_total,
            "participants": activity.participants.count(),
        }

    def activity_data(self) -> dict:
        """The cleaned session, as keyword arguments of the activity services."""
        data = self.cleaned_data
        if data["kind"] in ActivityKind.individual():
            attendance = attendance_of_participants(data["participants"], data["date"])
        else:
            attendance = Attendance(
                total=data["attendees_total"],
                women=data["attendees_women"],
                men=data["attendees_men"],
                children=data["attendees_children"],
            )
        result = {
            "kind": data["kind"],
            "date": data["date"],
            "site": data.get("site"),
            "facilitators": as_list(data["facilitators"]),
            "languages": as_list(data["languages"]),
            "topics": as_list(data["topics"]),
            "participants": as_list(data["participants"]),
            "minutes": data.get("minutes"),
            "interpreter_used": data["interpreter_used"],
            "attendance": attendance,
            "follow_up_needed": data["follow_up_needed"],
            "confirmed": self.confirmed,
        }
        if "notes" in self.fields:
            result["notes"] = data["notes"]
        return result

    def concern_data(self) -> ConcernData | None:
        data = self.cleaned_data
        if not data.get("worried"):
            return None
        return ConcernData(
            category=data["concern_category"],
            severity=data["concern_severity"],
            description=data["concern_description"],
        )


def initial_from_data(form: forms.Form) -> dict:
    """What a bound form holds, as initial values of a fresh form (nothing typed is lost)."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


class ParticipantQuickForm(NotInFutureMixin, forms.Form):
    """The few pseudonymous facts needed to add someone during a session."""

    prefix = "qc"

    year_of_birth = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        widget=number_input(min=1900),
        help_text=_("An estimate is fine."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Participant.Gender.choices,
        initial=Participant.Gender.UNKNOWN,
    )
    languages = LanguagesField(label=_("Languages"), required=False)
    # Nothing is chosen for the volunteer: consent is recorded only when it was given.
    consent_scope = forms.ChoiceField(
        label=_("Consent"),
        choices=[("", _("— choose —")), *Participant.ConsentScope.choices],
        help_text=_("What the person agreed to. Without consent, do not record them."),
        error_messages={"required": _("Choose what the participant agreed to.")},
    )
    consent_on = forms.DateField(label=_("Consent given on"), widget=date_input(), required=False)

    def __init__(
        self,
        *args,
        volunteer: Volunteer | None = None,
        program=None,
        with_details: bool = False,
        with_alias: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # What the template shows (templates/sessions_log/_participant_fields.html).
        self.with_details, self.with_alias = with_details, with_details and with_alias
        if with_details:
            # On a page of its own (not inside the session form): where they live and from.
            self.fields["site"] = forms.ModelChoiceField(
                label=_("Site"),
                queryset=program.sites.filter(active=True).order_by("name"),
                required=False,
            )
            self.fields["country_of_origin"] = forms.ChoiceField(
                label=_("Country of origin"),
                choices=[("", "---------"), *countries],
                required=False,
            )
            if with_alias:
                self.fields["alias"] = forms.CharField(
                    label=_("Alias"),
                    max_length=100,
                    required=False,
                    help_text=_("Visible to coordinators only. Not a full name."),
                )
        self.fields["year_of_birth"].validators.append(MaxValueValidator(today.year))
        self.fields["year_of_birth"].widget.attrs["max"] = today.year
        self.fields["consent_on"].widget.attrs["max"] = today.isoformat()
        field = self.fields["languages"]
        field.choices = lazy_choices(
            lambda: grouped(
                language_choices(),
                own_ids(volunteer, "languages"),
                _("Your languages"),
                _("All languages"),
            )
        )
        field.widget.attrs.update({"size": 5, "data-filterable": "true"})

    def clean_consent_on(self):
        return self._not_in_future("consent_on")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_scope") and not cleaned.get("consent_on"):
            if "consent_on" not in self.errors:
                self.add_error("consent_on", _("Give the date the participant agreed."))
        # The same rules as every other way a participant is recorded (programs.rules).
        findings = participant_rules.check_participant(
            year_of_birth=cleaned.get("year_of_birth"), consent_on=cleaned.get("consent_on")
        )
        for name in [name for name in findings.errors if name in self.errors]:
            del findings.errors[name]  # said already by the field itself
        findings.add_to_form(self)
        return cleaned

    def participant_data(self) -> dict:
        data = self.cleaned_data
        return {
            "year_of_birth": data.get("year_of_birth"),
            "gender": data["gender"],
            "languages": as_list(data["languages"]),
            "consent_on": data["consent_on"],
            "consent_scope": data["consent_scope"],
            **{
                name: data[name]
                for name in ("site", "country_of_origin", "alias")
                if data.get(name) is not None
            },
        }


class ConcernOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, who was informed, what happens next."),
    )


class MatchForm(forms.ModelForm):
    class Meta:
        model = Match
        fields = ["volunteer", "participant", "proposed_on", "matching_notes"]
        widgets = {
            "proposed_on": date_input(),
            "matching_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, program, with_alias: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["volunteer"].queryset = selectors.working_volunteers(program)
        self.fields["participant"].queryset = program.participants.order_by("code")
        self.fields["participant"].label_from_instance = lambda p: participant_label(
            p, with_alias=with_alias
        )
        self.fields["proposed_on"].initial = timezone.localdate()
        self.fields["matching_notes"].help_text = _(
            "Why these two: condition, age, interests, languages."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        rules.check_match(program=self.program, proposed_on=cleaned.get("proposed_on")).add_to_form(
            self
        )
        return cleaned


class MatchActivateForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=date_input())


class MatchEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=date_input())
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"), choices=[("", "---------"), *Match.EndReason.choices]
    )


class MatchCheckForm(forms.Form):
    six_month_check_on = forms.DateField(label=_("Check done on"), widget=date_input())


class SelfHelpGroupForm(NotInFutureMixin, forms.ModelForm):
    class Meta:
        model = SelfHelpGroup
        fields = [
            "name",
            "contact_point",
            "topic_area",
            "started_on",
            "accompaniment_ends_on",
            "volunteers",
        ]
        field_classes = {"volunteers": ModelMultipleChoiceField}
        widgets = {"started_on": date_input(), "accompaniment_ends_on": date_input()}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        instance = self.instance if self.instance.pk else None
        condition = Q(active=True)
        if instance:
            condition |= Q(pk=instance.contact_point_id)
        sites = list(program.sites.filter(condition).order_by("name"))
        contact_points = {s.pk for s in sites if s.kind == Site.Kind.CONTACT_POINT}
        field = self.fields["contact_point"]
        field.queryset = program.sites.filter(condition)
        field.choices = [("", "---------")] + grouped(
            sites, contact_points, _("Contact points"), _("Other sites")
        )
        field.help_text = _("The self-help contact point that looks after the group.")
        chosen = instance.volunteers.all() if instance else None
        self.fields["volunteers"].queryset = selectors.working_volunteers(program, include=chosen)
        self.fields["volunteers"].widget.attrs["size"] = 6
        self.fields["volunteers"].help_text = _("The volunteers who accompany the group.")
        if not instance:
            self.fields["started_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "name",
            Row(
                Column("contact_point", css_class="col-12 col-md-6"),
                Column("topic_area", css_class="col-12 col-md-6"),
            ),
            Row(
                Column("started_on", css_class="col-12 col-md-6"),
                Column("accompaniment_ends_on", css_class="col-12 col-md-6"),
            ),
            "volunteers",
        )

    def clean(self):
        cleaned = super().clean()
        rules.check_selfhelp_group(
            program=self.program,
            started_on=cleaned.get("started_on"),
            accompaniment_ends_on=cleaned.get("accompaniment_ends_on"),
            follow_up_checked_on=self.instance.follow_up_checked_on,
        ).add_to_form(self)
        return cleaned


class SelfHelpStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SelfHelpGroup.Status.choices, widget=forms.HiddenInput)
    on = forms.DateField(label=_("As of"), widget=date_input())


class SelfHelpFollowUpForm(forms.Form):
    still_meeting = forms.TypedChoiceField(
        label=_("Does the group still meet?"),
        choices=[("yes", _("Yes, still meeting")), ("no", _("No longer meeting"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    checked_on = forms.DateField(label=_("Checked on"), widget=date_input())


class OutcomeMeasureForm(NotInFutureMixin, forms.Form):
    """Answers to one instrument, one item per row, each answer a large button."""

    timepoint = forms.ChoiceField(label=_("Time point"), choices=OutcomeMeasure.Timepoint.choices)
    custom_label = forms.CharField(
        label=_("Name of the time point"),
        max_length=60,
        required=False,
        help_text=_("Only for another time point, e.g. “after the group course”."),
    )
    date = forms.DateField(label=_("Date"), widget=date_input())
    language = forms.ModelChoiceField(
        label=_("Language of the questionnaire"), queryset=Language.objects.none(), required=False
    )

    # The value of the "Save as draft" button (``name="_action"``).
    DRAFT_ACTION = "draft"

    def __init__(
        self,
        *args,
        instrument: Instrument,
        participant: Participant,
        draft: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.draft = draft
        self.fields["date"].initial = timezone.localdate()
        codes = {*participant.languages.values_list("code", flat=True), "de", "en", "da"}
        codes.add(participant.program.default_language)
        self.fields["language"].queryset = Language.objects.filter(code__in=codes)
        self.fields["language"].initial = (get_language() or "").split("-")[0] or None
        for item in instrument.items:
            choices = [(str(c.value), instrument.choice_label(c)) for c in item.choices] or [
                (str(v), str(v)) for v in item.values
            ]
            self.fields[self.item_field(item)] = forms.TypedChoiceField(
                label=instrument.text_of(item),
                choices=[*choices, ("", _("No answer"))],
                coerce=int,
                empty_value=None,
                required=False,
                initial="",
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                error_messages={
                    "invalid_choice": _(
                        "%(value)s is not an answer of this item: choose one of the buttons."
                    )
                },
            )

    @staticmethod
    def item_field(item) -> str:
        return f"item_{item.key}"

    def item_fields(self):
        return [self[self.item_field(item)] for item in self.instrument.items]

    def clean_date(self):
        return self._not_in_future("date")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("timepoint") == OutcomeMeasure.Timepoint.CUSTOM
            and not cleaned.get("custom_label", "").strip()
        ):
            self.add_error("custom_label", _("Name the time point."))
        if not self.draft:
            self._clean_every_item_answered()
        return cleaned

    def _clean_every_item_answered(self):
        """Saved as complete, every item needs an answer; the message is at each one left."""
        missing = [
            name
            for name in (self.item_field(item) for item in self.instrument.items)
            if name not in self.errors and self.cleaned_data.get(name) is None
        ]
        for name in missing:
            self.add_error(name, _("Choose an answer, or save the questionnaire as a draft."))
        if missing:
            self.add_error(
                None,
                _(
                    "Not every question is answered. Answer the marked questions, or save "
                    "the questionnaire as a draft to finish it later."
                ),
            )

    @classmethod
    def initial_of(cls, measure: OutcomeMeasure) -> dict:
        """A saved draft as the form's initial values, to go on where it was left."""
        initial = {
            "timepoint": measure.timepoint,
            "custom_label": measure.custom_label,
            "date": measure.date,
            "language": measure.language_id,
        }
        for item in measure.definition.items:
            value = measure.answers.get(item.key)
            initial[cls.item_field(item)] = "" if value is None else value
        return initial

    def answers(self) -> dict[str, int | None]:
        return {
            item.key: self.cleaned_data.get(self.item_field(item)) for item in self.instrument.items
        }

"""Filters of the sessions_log lists. Their names are part of the URLs other pages link to
(the dashboard links ``activity_list?kind=…&date_from=…&date_to=…&site=…&follow_up_needed=true``).
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from programs.lists import ProgramFilterSet
from programs.models import ActivityKind, Language, Participant, Site
from volunteers.models import Volunteer

from . import selectors
from .models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup, Topic


def _date(label):
    return forms.DateInput(attrs={"type": "date", "aria-label": label}, format="%Y-%m-%d")


class _KindAndDates(ProgramFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActivityKind.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", widget=_date(_("From"))
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", widget=_date(_("To"))
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["kind"].extra["choices"] = request.program.activity_kind_choices


class MySessionsFilter(_KindAndDates):
    o = django_filters.OrderingFilter(
        fields=(("date", "date"), ("kind", "kind"), ("site__name", "site")),
    )

    class Meta:
        model = Activity
        fields = []


class ActivityFilter(_KindAndDates):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Site, facilitator, topic, participant code or reference"),
    )
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.all())
    facilitator = django_filters.ModelChoiceFilter(
        label=_("Facilitator"),
        field_name="facilitators",
        queryset=Volunteer.objects.only("pk", "name", "program"),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), field_name="languages", queryset=Language.objects.all()
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"), field_name="topics", queryset=Topic.objects.all()
    )
    follow_up_needed = django_filters.BooleanFilter(label=_("Follow-up needed"))
    o = django_filters.OrderingFilter(
        fields=(
            ("date", "date"),
            ("kind", "kind"),
            ("site__name", "site"),
            ("attendees_total", "attendees"),
            ("minutes", "minutes"),
        ),
    )

    class Meta:
        model = Activity
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        program = request.program
        self.filters["topic"].queryset = Topic.objects.filter(
            Q(program__isnull=True) | Q(program=program)
        )
        # Only the languages this program's sessions were held in.
        self.filters["language"].queryset = Language.objects.filter(
            pk__in=selectors.session_language_codes(program)
        )

    def search(self, queryset, name, value):
        """Sessions whose site, facilitator, topic, participant code or reference contains
        the text (notes are encrypted and cannot be searched)."""
        value = value.strip()
        if not value:
            return queryset
        through = Activity.facilitators.through.objects.filter(
            activity=OuterRef("pk"), volunteer__name__icontains=value
        )
        topics = Activity.topics.through.objects.filter(
            activity=OuterRef("pk"), topic__name__icontains=value
        )
        people = Activity.participants.through.objects.filter(
            activity=OuterRef("pk"), participant__code__icontains=value
        )
        return queryset.filter(
            Q(site__name__icontains=value)
            | Q(ref__icontains=value)
            | Exists(through)
            | Exists(topics)
            | Exists(people)
        )


class ParticipantFilter(ProgramFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Code, site or year of birth"),
    )
    code = django_filters.CharFilter(label=_("Code"), lookup_expr="icontains")
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.all())
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Participant.Gender.choices)
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), field_name="languages", queryset=Language.objects.all()
    )
    country = django_filters.ChoiceFilter(
        label=_("Country of origin"), field_name="country_of_origin", choices=countries
    )
    consent = django_filters.BooleanFilter(
        label=_("Consent given"), field_name="consent_on", lookup_expr="isnull", exclude=True
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("year_of_birth", "year_of_birth"),
            ("gender", "gender"),
            ("site__name", "site"),
            ("consent_on", "consent"),
        ),
    )

    class Meta:
        model = Participant
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["language"].queryset = Language.objects.filter(
            pk__in=Participant.languages.through.objects.filter(
                participant__program=request.program
            ).values("language_id")
        )

    def search(self, queryset, name, value):
        """Participants whose code or site contains the text, or born in the year typed.
        Only what every member who sees the list may see is searched: the alias (for
        coordinators only, and encrypted) is not."""
        value = value.strip()
        if not value:
            return queryset
        condition = Q(code__icontains=value) | Q(site__name__icontains=value)
        if value.isdigit() and len(value) == 4:
            condition |= Q(year_of_birth=int(value))
        return queryset.filter(condition)


class ConcernFilter(ProgramFilterSet):
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Concern.Severity.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Concern.Category.choices)
    acknowledged = django_filters.BooleanFilter(
        label=_("Acknowledged"), field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )
    o = django_filters.OrderingFilter(
        fields=(("raised_at", "raised_at"), ("severity", "severity"), ("category", "category")),
    )

    class Meta:
        model = Concern
        fields = []


class MatchFilter(ProgramFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Match.Status.choices)
    volunteer = django_filters.ModelChoiceFilter(
        label=_("Volunteer"), queryset=Volunteer.objects.all()
    )
    check_due = django_filters.BooleanFilter(label=_("6-month check due"), method="filter_due")
    o = django_filters.OrderingFilter(
        fields=(
            ("volunteer__name", "volunteer"),
            ("participant__code", "participant"),
            ("status", "status"),
            ("proposed_on", "proposed_on"),
            ("started_on", "started_on"),
        ),
    )

    class Meta:
        model = Match
        fields = []

    def filter_due(self, queryset, name, value):
        due = selectors.six_month_checks_due(queryset, timezone.localdate())
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class SelfHelpGroupFilter(ProgramFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SelfHelpGroup.Status.choices)
    topic_area = django_filters.ChoiceFilter(
        label=_("Topic area"), choices=SelfHelpGroup.TopicArea.choices
    )
    contact_point = django_filters.ModelChoiceFilter(
        label=_("Contact point"), queryset=Site.objects.all()
    )
    follow_up_due = django_filters.BooleanFilter(
        label=_("12-month follow-up due"), method="filter_due"
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("contact_point__name", "contact_point"),
            ("status", "status"),
            ("started_on", "started_on"),
        ),
    )

    class Meta:
        model = SelfHelpGroup
        fields = []

    def filter_due(self, queryset, name, value):
        due = selectors.selfhelp_follow_ups_due(queryset, timezone.localdate())
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class OutcomeDueFilter(ProgramFilterSet):
    instrument = django_filters.ChoiceFilter(
        label=_("Instrument"), choices=OutcomeMeasure._meta.get_field("instrument").choices
    )
    due = django_filters.ChoiceFilter(
        label=_("Due"),
        choices=[
            (t.value, t.label)
            for t in (OutcomeMeasure.Timepoint.FOLLOWUP_3M, OutcomeMeasure.Timepoint.FOLLOWUP_6M)
        ],
    )
    o = django_filters.OrderingFilter(
        fields=(("date", "date"), ("participant__code", "participant")),
    )

    class Meta:
        model = OutcomeMeasure
        fields = []

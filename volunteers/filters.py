import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.lists import ProgramFilterSet
from programs.models import Language, Site

from .models import SupervisionSession, Training, Volunteer


class DateInput(forms.DateInput):
    input_type = "date"


class VolunteerFilter(ProgramFilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Volunteer.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), field_name="languages", queryset=Language.objects.all()
    )
    usual_site = django_filters.ModelChoiceFilter(
        label=_("Usual site"), field_name="usual_sites", queryset=Site.objects.order_by("name")
    )
    employed = django_filters.BooleanFilter(
        label=_("Employed"), field_name="employed_by", lookup_expr="isnull", exclude=True
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("code", "code"),
            ("status", "status"),
            ("joined_on", "joined_on"),
            ("activity_count", "activities"),
        ),
    )

    class Meta:
        model = Volunteer
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Only the languages the program's volunteers speak, not all 200 of the catalogue.
        self.filters["language"].queryset = Language.objects.filter(
            pk__in=Volunteer.languages.through.objects.filter(
                volunteer__program=request.program
            ).values("language_id")
        )

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class TrainingFilter(ProgramFilterSet):
    title = django_filters.CharFilter(label=_("Title"), lookup_expr="icontains")
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Training.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    starts_after = django_filters.DateFilter(
        label=_("Starts on or after"), field_name="starts_on", lookup_expr="gte", widget=DateInput
    )
    ends_before = django_filters.DateFilter(
        label=_("Ends on or before"), field_name="ends_on", lookup_expr="lte", widget=DateInput
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("kind", "kind"),
            ("starts_on", "starts_on"),
            ("ends_on", "ends_on"),
            ("planned_hours", "planned_hours"),
            ("session_count", "sessions"),
            ("enrolled_count", "enrolled"),
            ("completed_count", "completed"),
        ),
    )

    class Meta:
        model = Training
        fields = []


class SupervisionFilter(ProgramFilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", widget=DateInput
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SupervisionSession.Kind.choices)
    volunteer = django_filters.ModelChoiceFilter(
        label=_("Attended by"),
        field_name="attendees",
        queryset=Volunteer.objects.order_by("name"),
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("date", "date"),
            ("kind", "kind"),
            ("minutes", "minutes"),
            ("attendee_count", "attendees"),
        ),
    )

    class Meta:
        model = SupervisionSession
        fields = []


class OverdueFilter(ProgramFilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    usual_site = django_filters.ModelChoiceFilter(
        label=_("Usual site"), field_name="usual_sites", queryset=Site.objects.order_by("name")
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("code", "code"),
            ("joined_on", "joined_on"),
            ("last_supervision", "last_supervision"),
        ),
    )

    class Meta:
        model = Volunteer
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

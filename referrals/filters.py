import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.lists import ProgramFilterSet
from programs.models import Area, Language

from .models import Category, Referral, ServiceProvider
from .selectors import providers_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProviderFilter(ProgramFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.MultipleChoiceFilter(label=_("Category"), choices=Category.choices)
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), field_name="languages", queryset=Language.objects.all()
    )
    area = django_filters.ModelChoiceFilter(label=_("Area"), queryset=Area.objects.all())
    accepts_self_referral = django_filters.BooleanFilter(label=_("Accepts self-referral"))
    active = django_filters.BooleanFilter(label=_("Active"))
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("category", "category"),
            ("area__name", "area"),
            ("waiting_weeks", "waiting_weeks"),
        ),
    )

    class Meta:
        model = ServiceProvider
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # The directory holds shared providers of other programs: offer their areas and
        # languages too.
        directory = providers_for(request.program)
        self.filters["area"].queryset = Area.objects.filter(
            pk__in=directory.filter(area__isnull=False).values("area_id")
        ).order_by("name")
        self.filters["language"].queryset = Language.objects.filter(
            pk__in=directory.values("languages")
        )

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(opening_notes__icontains=value)
            | Q(area__name__icontains=value)
        )


class DaysOrderingFilter(django_filters.OrderingFilter):
    """Sorting by "days since last change" runs against the time of the last change."""

    def get_ordering_value(self, param):
        if param.lstrip("-") == "days":
            return "updated_at" if param.startswith("-") else "-updated_at"
        return super().get_ordering_value(param)


class ReferralFilter(ProgramFilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Referral.Status.choices)
    category = django_filters.MultipleChoiceFilter(label=_("Category"), choices=Category.choices)
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Referral.Direction.choices
    )
    provider = django_filters.ModelChoiceFilter(
        label=_("Service provider"), queryset=ServiceProvider.objects.all()
    )
    urgency = django_filters.MultipleChoiceFilter(
        label=_("Urgency"), choices=Referral.Urgency.choices
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="referred_on", lookup_expr="gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="referred_on", lookup_expr="lte", widget=DATE_INPUT
    )
    o = DaysOrderingFilter(
        fields=(
            ("referred_on", "referred_on"),
            ("participant__code", "participant"),
            ("direction", "direction"),
            ("category", "category"),
            ("provider__name", "provider"),
            ("status", "status"),
            ("urgency", "urgency"),
            ("updated_at", "days"),
        ),
    )

    class Meta:
        model = Referral
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["provider"].queryset = providers_for(request.program).order_by("name")


class FollowUpFilter(ProgramFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=[
            (s, label) for s, label in Referral.Status.choices if s in ("sent", "appointment")
        ],
    )
    category = django_filters.MultipleChoiceFilter(label=_("Category"), choices=Category.choices)
    urgency = django_filters.MultipleChoiceFilter(
        label=_("Urgency"), choices=Referral.Urgency.choices
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("waiting_since", "waiting_since"),
            ("participant__code", "participant"),
            ("provider__name", "provider"),
            ("status", "status"),
            ("urgency", "urgency"),
        ),
    )

    class Meta:
        model = Referral
        fields = []

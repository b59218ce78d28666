import django_filters
from django.utils.translation import gettext_lazy as _

from .lists import ProgramFilterSet
from .models import Area, Site
from .selectors import CaseloadStatus


class SiteFilter(ProgramFilterSet):
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=Site.Kind.choices)
    area = django_filters.ModelChoiceFilter(label=_("Area"), queryset=Area.objects.all())
    city = django_filters.CharFilter(label=_("City"), lookup_expr="icontains")
    active = django_filters.BooleanFilter(label=_("Active"))
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("kind", "kind"),
            ("area__name", "area"),
            ("city", "city"),
            ("capacity", "capacity"),
            ("current_residents", "residents"),
            ("occupancy_date", "counted"),
        ),
    )

    class Meta:
        model = Site
        fields = []


class AreaFilter(ProgramFilterSet):
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains")
    caseload_status = django_filters.MultipleChoiceFilter(
        label=_("Caseload"), choices=CaseloadStatus.choices
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("site_count", "sites"),
            ("current_residents", "residents"),
            ("staff_fte", "staff"),
            ("residents_per_staff", "ratio"),
            ("caseload_ratio_target", "target"),
            ("caseload_status", "status"),
        ),
    )

    class Meta:
        model = Area
        fields = []

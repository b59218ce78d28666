import django_filters
from django.utils.translation import gettext_lazy as _

from .lists import ProgramFilterSet
from .models import Area, Site


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
        ),
    )

    class Meta:
        model = Site
        fields = []

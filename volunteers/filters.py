import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.lists import ProgramFilterSet
from programs.models import Language

from .models import Volunteer


class VolunteerFilter(ProgramFilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Volunteer.Status.choices
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), field_name="languages", queryset=Language.objects.all()
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

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

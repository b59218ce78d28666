import django_filters
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .audit import AUDITED
from .lists import ProgramFilterSet
from .models import Area, SecurityEvent, Site
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


def _members_of(request):
    return (
        get_user_model().objects.filter(memberships__program=request.program).order_by("username")
    )


def _audited_types():
    labels = [label.split(".") for label in AUDITED]
    ids = [ContentType.objects.get_by_natural_key(a, m.lower()).pk for a, m in labels]
    return ContentType.objects.filter(pk__in=ids)


class AuditTrailFilter(ProgramFilterSet):
    content_type = django_filters.ModelChoiceFilter(
        label=_("Record type"), queryset=ContentType.objects.none()
    )
    actor = django_filters.ModelChoiceFilter(label=_("User"), queryset=_members_of)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=LogEntry.Action.choices)
    since = django_filters.DateFilter(
        label=_("From"), field_name="timestamp", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="timestamp", lookup_expr="date__lte"
    )

    class Meta:
        model = LogEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["content_type"].queryset = _audited_types()


class SecurityEventFilter(ProgramFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("Event"), choices=SecurityEvent.Kind.choices)
    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=_members_of)
    since = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = SecurityEvent
        fields = []

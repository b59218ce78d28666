"""Reads of sites and areas that aggregate: occupancy and caseload, computed in the database."""

from datetime import date

from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from .models import Membership, Participant, Program, SecurityEvent, Site, SiteOccupancy

# How many of a site's latest occupancy records its page shows and charts.
OCCUPANCY_HISTORY = 24


class CaseloadStatus(models.TextChoices):
    OVER = "over", _("Over target")
    WITHIN = "within", _("Within target")
    NO_STAFF = "no_staff", _("No staff")
    NO_TARGET = "no_target", _("No target set")


def _latest_occupancy_of_site(field: str) -> Subquery:
    """The given field of the latest occupancy record of the outer query's site."""
    latest = SiteOccupancy.objects.filter(site=OuterRef("pk")).order_by("-date").values(field)[:1]
    output = IntegerField() if field == "residents" else models.DateField()
    return Subquery(latest, output_field=output)


def sites_with_occupancy(program: Program):
    """The program's sites, each with ``current_residents`` and ``occupancy_date`` (latest)."""
    return program.sites.annotate(
        current_residents=_latest_occupancy_of_site("residents"),
        occupancy_date=_latest_occupancy_of_site("date"),
    )


def _area_current_residents(on: date | None = None) -> Subquery:
    """Sum over the outer area's active sites of each site's latest occupancy (up to ``on``)."""
    records = SiteOccupancy.objects.filter(site=OuterRef("site"))
    if on is not None:
        records = records.filter(date__lte=on)
    latest_date = records.order_by("-date").values("date")[:1]
    per_area = (
        SiteOccupancy.objects.filter(
            site__area=OuterRef("pk"), site__active=True, date=Subquery(latest_date)
        )
        .order_by()
        .values("site__area")
        .annotate(total=Sum("residents"))
        .values("total")
    )
    return Subquery(per_area, output_field=IntegerField())


def areas_with_caseload(program: Program, on: date | None = None):
    """The program's areas with their caseload, in one query.

    Each area gets ``site_count`` (active sites), ``current_residents`` (sum of the latest
    occupancy of each active site, as recorded up to ``on`` if given), ``residents_per_staff``
    (None without staff) and ``caseload_status`` (a :class:`CaseloadStatus` value).
    """
    active_sites = Site.objects.filter(area=OuterRef("pk"), active=True).order_by()
    site_count = active_sites.values("area").annotate(n=Count("pk")).values("n")
    allowed = ExpressionWrapper(
        F("caseload_ratio_target") * F("staff_fte"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    return program.areas.annotate(
        site_count=Coalesce(Subquery(site_count, output_field=IntegerField()), 0),
        current_residents=Coalesce(_area_current_residents(on), 0),
        residents_per_staff=Case(
            When(
                staff_fte__gt=0,
                then=Cast("current_residents", FloatField()) / Cast("staff_fte", FloatField()),
            ),
            default=None,
            output_field=FloatField(),
        ),
        caseload_status=Case(
            When(staff_fte__lte=0, then=Value(CaseloadStatus.NO_STAFF)),
            When(caseload_ratio_target__isnull=True, then=Value(CaseloadStatus.NO_TARGET)),
            When(Q(current_residents__gt=allowed), then=Value(CaseloadStatus.OVER)),
            default=Value(CaseloadStatus.WITHIN),
            output_field=models.CharField(),
        ),
    )


def site_occupancy_history(site: Site, limit: int = OCCUPANCY_HISTORY) -> list[SiteOccupancy]:
    """The site's latest occupancy records, oldest first (for a chart and a table)."""
    latest = list(site.occupancies.order_by("-date")[:limit])
    latest.reverse()
    return latest


def security_events_of(program: Program):
    """Events concerning the program: refusals and exports in it, and its members' sign-ins."""
    members = Membership.objects.filter(program=program)
    return (
        SecurityEvent.objects.filter(
            Q(program=program)
            | Q(program__isnull=True, user__in=members.values("user"))
            | Q(program__isnull=True, username__in=members.values("user__username"))
        )
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


# ---- exports: who may leave Lotse in a file ---------------------------------------------------


def exportable(prefix: str = "") -> Q:
    """Participants who may be in an export (of a list or of the program's data): their
    consent covers pseudonymous evaluation exports, and they are not erased. ``prefix``
    reaches them through a relation, e.g. ``"participant__"``."""
    return Q(
        **{
            f"{prefix}consent_scope": Participant.ConsentScope.EVALUATION,
            f"{prefix}erased_at__isnull": True,
        }
    )


def may_be_exported(participant: Participant) -> bool:
    """:func:`exportable` for a participant already loaded."""
    return (
        participant.consent_scope == Participant.ConsentScope.EVALUATION
        and participant.erased_at is None
    )

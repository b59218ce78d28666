"""The organisation's dashboard: this month against last across every program it leads.

One grouped query per kind of record (``values("program_id").annotate(…)``), so the page costs
the same number of queries whether the organisation runs two programs or fifty. Totals add up
the programs' figures: participants and volunteers belong to one program each, so a person
counted in two programs is two records and the sum is the distinct count.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from programs.access import organisation_programs
from programs.models import Organisation
from referrals.models import Referral
from reports.models import Report
from reports.selectors import Period
from sessions_log.models import Activity
from volunteers.models import Volunteer

from .selectors import OPEN_REFERRAL_STATUSES, months_to_compare

FIGURES = (
    "activities_this",
    "activities_last",
    "contacts_this",
    "people_this",
    "volunteers_this",
    "volunteers_on_team",
    "open_referrals",
    "published_reports",
)


@dataclass
class ProgramRow:
    pk: int
    slug: str
    name: str
    starts_on: dt.date
    ends_on: dt.date | None
    figures: dict = field(default_factory=dict)
    member: bool = False  # the viewer is also a member of the program: its name links to it

    @property
    def change(self) -> int:
        return self.figures["activities_this"] - self.figures["activities_last"]


@dataclass(frozen=True)
class OrganisationDashboard:
    organisation: Organisation
    today: dt.date
    this_month: Period
    last_month: Period
    programs: list[ProgramRow]
    totals: dict

    @property
    def change(self) -> int:
        return self.totals["activities_this"] - self.totals["activities_last"]


def _by_program(queryset, **aggregates) -> dict[int, dict]:
    return {
        row.pop("program_id"): row
        for row in queryset.order_by().values("program_id").annotate(**aggregates)
    }


def organisation_dashboard(
    organisation: Organisation, today: dt.date, member_of: set[int] = frozenset()
) -> OrganisationDashboard:
    """The figures of every program ``organisation`` leads; ``member_of`` the ids of the
    programs the viewer belongs to."""
    this, last = months_to_compare(today)
    programs = list(
        organisation_programs(organisation)
        .order_by("name")
        .values("pk", "slug", "name", "starts_on", "ends_on")
    )
    ids = [p["pk"] for p in programs]
    activities = _by_program(
        Activity.objects.filter(program_id__in=ids, date__gte=last.start, date__lte=this.end),
        activities_this=Count("pk", filter=this.q()),
        activities_last=Count("pk", filter=last.q()),
        contacts_this=Sum("attendees_total", filter=this.q()),
    )
    people = _by_program(
        Activity.objects.filter(program_id__in=ids).filter(this.q()),
        people_this=Count("participants", distinct=True),
        volunteers_this=Count("facilitators", distinct=True),
    )
    team = _by_program(
        Volunteer.objects.filter(program_id__in=ids, status=Volunteer.Status.ACTIVE),
        volunteers_on_team=Count("pk"),
    )
    referrals = _by_program(
        Referral.objects.filter(program_id__in=ids, status__in=OPEN_REFERRAL_STATUSES),
        open_referrals=Count("pk"),
    )
    reports = _by_program(
        Report.objects.filter(program_id__in=ids, status=Report.Status.PUBLISHED),
        published_reports=Count("pk"),
    )
    rows = []
    for program in programs:
        found = {}
        for counted in (activities, people, team, referrals, reports):
            found.update(counted.get(program["pk"], {}))
        rows.append(
            ProgramRow(
                **program,
                figures={name: found.get(name) or 0 for name in FIGURES},
                member=program["pk"] in member_of,
            )
        )
    totals = {name: sum(row.figures[name] for row in rows) for name in FIGURES}
    return OrganisationDashboard(organisation, today, this, last, rows, totals)

"""The organisation report: the program report's indicators over a set of programs.

An organisation (a welfare association, a federation of contact points) reports on all the
programs it leads, or a chosen set, with one row per program (or per site, that is per
contact point or shelter). Each figure is an indicator of :mod:`reports.indicators`, printed
with the registry's label, unit and definition, and counted by the definition the program
report uses (:mod:`reports.kpis`): the same records, the same period rule, the same SQL where
the definition has some (:func:`reports.indicators.qualified_on`). The queries group by
program (or site) instead of filtering one program, so the report costs a fixed number of
queries whether it covers two programs or fifty.

Only indicators that add up across programs are in it: every participant, volunteer and
record belongs to one program, so the organisation's distinct people reached are the sum of
its programs'. Shares, medians and distinct languages do not add up and stay in each
program's own report.

Counts of persons are suppressed as in the program report (:mod:`reports.disclosure`): 1 to
threshold − 1 persons print as "<5", and further cells are withheld ("×") where such a count
could be worked out from the total; the threshold is the strictest of the programs covered.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Organisation, Program, Site
from referrals.models import Referral
from sessions_log.models import Activity, Match, SelfHelpGroup
from volunteers.models import SupervisionSession, Training, Volunteer

from . import disclosure, indicators
from .document import COMPLEMENT, KIND_OF_UNIT, Kind, format_value, small_marker
from .indicators import REGISTRY, SHELTER_KINDS, Recording, Unit, qualified_on
from .kpis import ActivityFacilitator, ActivityParticipant, _hours
from .selectors import Period

SCHEMA_VERSION = 1

# The indicators of the organisation report, in the registry's order.
INDICATOR_KEYS = (
    "activities",
    "activity_hours",
    "contacts",
    "people_reached",
    "volunteers_active",
    "volunteers_new",
    "volunteers_trained",
    "supervision_hours",
    "referrals",
    "referrals_inbound",
    "matches_started",
    "selfhelp_groups_started",
)
# Those a site has: counted from the activities held there and the groups a contact point
# looks after.
SITE_INDICATOR_KEYS = (
    "activities",
    "activity_hours",
    "contacts",
    "people_reached",
    "volunteers_active",
    "selfhelp_groups_started",
)


class Breakdown(TextChoices):
    PROGRAM = "program", gettext_lazy("Program")
    SITE = "site", gettext_lazy("Site or contact point")


FLATS = 0  # the place of every private flat of a program: they are counted together


def _place(site: str):
    """SQL: the place an activity (``site`` leads to its site) counts at in the breakdown
    by site: the site, ``FLATS`` for any private flat, None without a site."""
    return Case(
        When(**{f"{site}__kind": Site.Kind.PRIVATE_FLAT}, then=Value(FLATS)),
        default=F(f"{site}_id"),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Scope:
    """What a breakdown groups by, on each kind of record: names of fields or expressions."""

    activity: dict  # on Activity
    link: dict  # on the activity's participants and facilitators tables
    group: dict  # on SelfHelpGroup


SCOPES = {
    Breakdown.PROGRAM: Scope(
        {"by_program": F("program_id")},
        {"by_program": F("activity__program_id")},
        {"by_program": F("program_id")},
    ),
    Breakdown.SITE: Scope(
        {"by_program": F("program_id"), "by_place": _place("site")},
        {"by_program": F("activity__program_id"), "by_place": _place("activity__site")},
        {"by_program": F("program_id"), "by_place": _place("contact_point")},
    ),
}


def _grouped(queryset, by: dict, **aggregates) -> dict:
    """``{key: {name: figure}}`` from one grouped query; the key is the value of the one
    grouping expression of ``by``, or the tuple of its values."""
    rows = queryset.order_by().annotate(**by).values(*by).annotate(**aggregates)
    names = list(by)
    if len(names) == 1:
        return {row.pop(names[0]): row for row in rows}
    return {tuple(row.pop(name) for name in names): row for row in rows}


def _persons(links, by: dict, person: str) -> tuple[dict, dict]:
    """Distinct persons (the field ``person`` of the ``links``) by the scope's key, and by
    program: ``({key: n}, {program: n})``, from one query.

    The distinct (key, person) pairs are found first, a few thousand rows that the database
    keeps in a hash table, and then counted: a ``COUNT(DISTINCT …)`` over the grouped links
    would sort all of them (the period's hundreds of thousands of links) instead. With a key
    by program and place the pairs are counted twice: by place, and by program with a person
    met at two places counted once.
    """
    pairs = links.order_by().annotate(**by, person=F(person)).values(*by, "person").distinct()
    sql, params = pairs.query.sql_with_params()
    names = list(by)
    if names == ["by_program"]:
        query = f"SELECT by_program, COUNT(*) FROM ({sql}) pairs GROUP BY by_program"
    else:
        keys = ", ".join(names)
        query = (
            f"WITH pairs AS ({sql}) "
            f"SELECT 0, {keys}, COUNT(*) FROM pairs GROUP BY {keys} "
            "UNION ALL "
            "SELECT 1, by_program, NULL, COUNT(DISTINCT person) FROM pairs GROUP BY by_program"
        )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if names == ["by_program"]:
        counted = dict(rows)
        return counted, counted
    by_key = {(program, place): n for per_program, program, place, n in rows if not per_program}
    by_program = {program: n for per_program, program, _place, n in rows if per_program}
    return by_key, by_program


def _activity_figures(ids: list[int], period: Period, scope: Scope) -> tuple[dict, dict]:
    """Activities, hours (and their ``minutes``), contacts, people reached, active volunteers
    and self-help groups started, by the scope's key: as :func:`reports.kpis._activities`,
    ``_people_reached``, ``_volunteers`` and ``_selfhelp_groups`` count them; and the distinct
    people reached and active volunteers of each program (``{program: {name: n}}``)."""
    activities = _grouped(
        Activity.objects.filter(program_id__in=ids).filter(period.q()),
        scope.activity,
        activities=Count("pk"),
        minutes=Sum("minutes"),
        contacts=Sum("attendees_total"),
    )
    people, program_people = _persons(
        ActivityParticipant.objects.filter(activity__program_id__in=ids).filter(
            period.q("activity__date")
        ),
        scope.link,
        "participant_id",
    )
    # The program's own volunteers, as the program report counts them: one of another program
    # who stood in counts in their own program only.
    volunteers, program_volunteers = _persons(
        ActivityFacilitator.objects.filter(
            activity__program_id__in=ids, volunteer__program_id=F("activity__program_id")
        ).filter(period.q("activity__date")),
        scope.link,
        "volunteer_id",
    )
    groups = _grouped(
        SelfHelpGroup.objects.filter(program_id__in=ids).filter(period.q("started_on")),
        scope.group,
        n=Count("pk"),
    )
    figures: dict = {}
    for key, row in activities.items():
        figures.setdefault(key, {}).update(
            activities=row["activities"],
            minutes=row["minutes"] or 0,
            activity_hours=_hours(row["minutes"]),
            contacts=row["contacts"] or 0,
        )
    for name, counted in (
        ("people_reached", people),
        ("volunteers_active", volunteers),
        ("selfhelp_groups_started", {key: row["n"] for key, row in groups.items()}),
    ):
        for key, n in counted.items():
            figures.setdefault(key, {})[name] = n
    persons: dict = {}
    for name, counted in (
        ("people_reached", program_people),
        ("volunteers_active", program_volunteers),
    ):
        for program, n in counted.items():
            persons.setdefault(program, {})[name] = n
    return figures, persons


BY_PROGRAM = SCOPES[Breakdown.PROGRAM].activity


def _program_figures(ids: list[int], period: Period) -> dict[int, dict]:
    """Every indicator by program."""
    figures, _by_program = _activity_figures(ids, period, SCOPES[Breakdown.PROGRAM])
    volunteers = _grouped(
        Volunteer.objects.filter(program_id__in=ids).annotate(trained_on=qualified_on()),
        BY_PROGRAM,
        volunteers_new=Count("pk", filter=period.q("joined_on")),
        volunteers_trained=Count("pk", filter=period.q("trained_on")),
    )
    supervision = _grouped(
        SupervisionSession.objects.filter(program_id__in=ids).filter(period.q()),
        BY_PROGRAM,
        minutes=Sum("minutes"),
    )
    referrals = _grouped(
        Referral.objects.filter(program_id__in=ids).filter(period.q("referred_on")),
        BY_PROGRAM,
        referrals=Count("pk", filter=Q(direction=Referral.Direction.OUTBOUND)),
        referrals_inbound=Count("pk", filter=Q(direction=Referral.Direction.INBOUND)),
    )
    matches = _grouped(
        Match.objects.filter(program_id__in=ids).filter(period.q("started_on")),
        BY_PROGRAM,
        matches_started=Count("pk"),
    )
    for key, row in volunteers.items():
        figures.setdefault(key, {}).update(row)
    for key, row in supervision.items():
        figures.setdefault(key, {})["supervision_hours"] = _hours(row["minutes"])
    for counted in (referrals, matches):
        for key, row in counted.items():
            figures.setdefault(key, {}).update(row)
    return figures


def recordings(ids: list[int]) -> dict[int, Recording]:
    """What each program's configuration says it records (one query), as
    :func:`reports.kpis._recording` reads it for one program."""
    sites = Site.objects.filter(program=OuterRef("pk"))
    rows = (
        Program.objects.filter(pk__in=ids)
        .annotate(
            qualifying=Exists(
                Training.objects.filter(
                    program=OuterRef("pk"),
                    qualifying=True,
                    kind__in=indicators.QUALIFYING_KINDS,
                )
            ),
            shelters=Exists(sites.filter(kind__in=SHELTER_KINDS)),
            contact_points=Exists(sites.filter(kind=Site.Kind.CONTACT_POINT)),
        )
        .values("pk", "activity_kinds", "qualifying", "shelters", "contact_points")
    )
    return {
        row["pk"]: Recording(
            activity_kinds=frozenset(row["activity_kinds"] or ()),
            qualifying_trainings=row["qualifying"],
            shelters=row["shelters"],
            contact_points=row["contact_points"],
        )
        for row in rows
    }


def _recorded(key: str, recording: Recording) -> bool:
    indicator = REGISTRY[key]
    return indicator.recorded is None or indicator.recorded(recording)


def _values(keys, found: dict, recorded=lambda key: True) -> dict:
    """A row's figures: 0 where nothing was logged, None where it is not recorded at all."""
    return {key: (found.get(key) or 0) if recorded(key) else None for key in keys}


def _total(rows: list[dict], keys) -> dict:
    totals = {}
    for key in keys:
        values = [row["values"][key] for row in rows if row["values"][key] is not None]
        totals[key] = round(sum(values), 1) if values else None
    return totals


def compute(
    organisation: Organisation,
    programs: list[Program],
    *,
    start: dt.date,
    end: dt.date,
    breakdown: str = Breakdown.PROGRAM,
    language: str | None = None,
) -> dict:
    """The snapshot of the organisation report over ``programs`` for ``start``–``end``:
    plain JSON, labels in ``language``."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    period = Period(start, end)
    programs = sorted(programs, key=lambda p: p.name)
    ids = [p.pk for p in programs]
    names = {p.pk: p.name for p in programs}
    with translation.override(language or translation.get_language()):
        recording = recordings(ids)
        if breakdown == Breakdown.SITE:
            columns = SITE_INDICATOR_KEYS
            by_place, persons = _activity_figures(ids, period, SCOPES[Breakdown.SITE])
            rows = _site_rows(by_place, names)
            by_program = _programs_of_places(by_place, persons)
        else:
            columns = INDICATOR_KEYS
            by_program = _program_figures(ids, period)
        program_rows = [
            {
                "key": program.slug,
                "label": program.name,
                "values": _values(
                    columns,
                    by_program.get(program.pk, {}),
                    lambda key, r=recording[program.pk]: _recorded(key, r),
                ),
            }
            for program in programs
        ]
        totals = _total(program_rows, columns)
        if breakdown != Breakdown.SITE:
            rows = program_rows
        return {
            "schema": SCHEMA_VERSION,
            "organisation": {"slug": organisation.slug, "name": organisation.name},
            "programs": [{"slug": p.slug, "name": p.name} for p in programs],
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "language": translation.get_language(),
            "breakdown": str(breakdown),
            "threshold": max(
                [p.disclosure_threshold for p in programs] or [disclosure.DEFAULT_THRESHOLD]
            ),
            "columns": list(columns),
            "indicators": {
                key: {
                    "label": str(REGISTRY[key].label),
                    "unit": REGISTRY[key].unit.value,
                    "definition": indicators.definition(REGISTRY[key]),
                }
                for key in columns
            },
            "rows": rows,
            "totals": totals,
        }


def _programs_of_places(by_place: dict, persons: dict) -> dict[int, dict]:
    """The figures of each program for the breakdown by site: what adds up from its places,
    and its distinct people and volunteers (``persons``: a person met at two sites counts
    once)."""
    figures: dict[int, dict] = {}
    for (program_id, _place), found in by_place.items():
        program = figures.setdefault(program_id, {})
        for name in ("activities", "minutes", "contacts", "selfhelp_groups_started"):
            program[name] = program.get(name, 0) + (found.get(name) or 0)
    for program in figures.values():
        program["activity_hours"] = _hours(program["minutes"])
    for program_id, found in persons.items():
        figures.setdefault(program_id, {}).update(found)
    return figures


def _site_rows(figures: dict, names: dict[int, str]) -> list[dict]:
    """One row per site with figures in the period; private flats as one row per program,
    never named (their people and volunteers counted once each); activities without a site
    as one row per program. ``figures``: by program and place."""
    sites = {
        row["pk"]: row
        for row in Site.objects.filter(
            pk__in=[place for _program, place in figures if place]
        ).values("pk", "name", "city")
    }
    rows = []
    for (program_id, place), found in figures.items():
        if place is None:
            key, label = f"nosite-{program_id}", _("No site recorded")
        elif place == FLATS:
            key, label = f"flats-{program_id}", _("Private flats")
        else:
            site = sites[place]
            key = f"site-{place}"
            label = f"{site['name']} ({site['city']})" if site["city"] else site["name"]
        rows.append(
            {
                "key": key,
                "label": label,
                "program": names[program_id],
                "values": {name: found.get(name) or 0 for name in SITE_INDICATOR_KEYS},
            }
        )
    return sorted(rows, key=lambda r: (r["program"], r["label"]))


# ---- the document ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    withheld: bool = False


@dataclass(frozen=True)
class OrganisationDocument:
    title: str
    organisation: str
    period: tuple[dt.date, dt.date]
    programs: list[str]
    breakdown: str
    breakdown_label: str
    threshold: int
    key_figures: list[tuple[str, Cell]]
    columns: list[str]
    rows: list[tuple[str, str, list[Cell]]]  # label, program (site rows), cells
    total: list[Cell]
    definitions: list[tuple[str, dict]]
    suppressed: bool
    rule: str

    @property
    def by_site(self) -> bool:
        return self.breakdown == Breakdown.SITE

    @property
    def groups(self) -> list[tuple[str, list]]:
        """The rows by program, in order (the rows of the breakdown by site come sorted)."""
        groups: list[tuple[str, list]] = []
        for row in self.rows:
            if not groups or groups[-1][0] != row[1]:
                groups.append((row[1], []))
            groups[-1][1].append(row)
        return groups


def _persons_withheld(snapshot: dict, key: str) -> set:
    """The rows (indices) and ``TOTAL`` of a column of persons to withhold."""
    counts = [row["values"][key] or 0 for row in snapshot["rows"]]
    return disclosure.protect_breakdown(counts, snapshot["totals"][key] or 0, snapshot["threshold"])


def build(snapshot: dict, *, suppress: bool = True) -> OrganisationDocument:
    """The organisation report's layout, in the snapshot's language, small cells withheld."""
    threshold = snapshot["threshold"]
    columns = snapshot["columns"]
    units = {key: snapshot["indicators"][key]["unit"] for key in columns}
    withheld = {
        key: _persons_withheld(snapshot, key) if suppress else set()
        for key in columns
        if units[key] == Unit.PERSONS
    }
    # So is the number of activities in a row whose contacts are withheld.
    if "contacts" in withheld and "activities" in columns:
        withheld["activities"] = set(withheld["contacts"])

    def cell(key: str, value, position) -> Cell:
        kind = KIND_OF_UNIT[Unit(units[key])]
        if position in withheld.get(key, ()):
            if kind == Kind.PERSONS and disclosure.is_small(value, threshold):
                return Cell(small_marker(threshold), True)
            return Cell(COMPLEMENT, True)
        if value is None:
            return Cell(_("not recorded"))
        return Cell(format_value(value, kind, suppress=suppress, threshold=threshold))

    rows = [
        (
            row["label"],
            row.get("program", ""),
            [cell(key, row["values"][key], index) for key in columns],
        )
        for index, row in enumerate(snapshot["rows"])
    ]
    total = [cell(key, snapshot["totals"][key], disclosure.TOTAL) for key in columns]
    start = dt.date.fromisoformat(snapshot["period"]["start"])
    end = dt.date.fromisoformat(snapshot["period"]["end"])
    return OrganisationDocument(
        title=_("Report across programs"),
        organisation=snapshot["organisation"]["name"],
        period=(start, end),
        programs=[p["name"] for p in snapshot["programs"]],
        breakdown=snapshot["breakdown"],
        breakdown_label=str(Breakdown(snapshot["breakdown"]).label),
        threshold=threshold,
        key_figures=[
            (snapshot["indicators"][key]["label"], total[i]) for i, key in enumerate(columns)
        ],
        columns=[snapshot["indicators"][key]["label"] for key in columns],
        rows=rows,
        total=total,
        definitions=[
            (snapshot["indicators"][key]["label"], snapshot["indicators"][key]["definition"])
            for key in columns
        ],
        suppressed=suppress,
        rule=suppression_rule(threshold),
    )


def suppression_rule(threshold: int) -> str:
    """The disclosure rule of the program report, as this report applies it."""
    return _(
        "To protect the people supported, this report withholds small numbers as each "
        "program's report does, with the strictest threshold of the programs covered: "
        "%(n)s. Counts of 1 to %(below)s persons are shown as “<%(n)s”. Where such a count "
        "could be worked out from the total, further figures of the same column are withheld "
        "and shown as “×”; so is the number of activities in a row whose contacts are "
        "withheld. Private flats are never named: each program's are counted together as "
        "“Private flats”."
    ) % {"n": threshold, "below": threshold - 1}

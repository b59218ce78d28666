"""The entry points of the demo data: ``seed()`` builds the demo programs and logins,
``flush()`` removes them again (``manage.py seed_demo``).

``seed`` creates the demo users, then the five programs (and, at the larger scales, the
generated regional programs) one after the other or, on PostgreSQL, in several worker
processes side by side (``jobs``), each program in its own transaction, with the same result.
Last it publishes in2balance's report of the last calendar year.
"""

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import django
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import Q

from demo.builder import (
    SCALES,
    Context,
    ProgramBuilder,
    ProgramResult,
    Scale,
    historic_timestamps,
)
from demo.data.organisations import (
    FUNDERS,
    PARITAETISCHER_NRW,
    integration_funder,
    selfhelp_funder,
)
from demo.data.places import STATES
from demo.logins import (
    DEMO_PASSWORD,
    ORGANISATION_COORDINATOR,
    create_users,
    demo_user_emails,
    in_login_order,
)
from demo.programs.ankommen_in_dueren import AnkommenInDueren
from demo.programs.in2balance import In2Balance, publish_last_year_report
from demo.programs.in_gang_setzer import InGangSetzer
from demo.programs.livet_gaar_videre import LivetGaarVidere
from demo.programs.regional import EXTRA_SLUG_PREFIX, regional_org_name, regional_plan
from demo.programs.value_based_counseling import ValueBasedCounseling
from programs.models import Funder, Organisation, OrganisationMembership, Program
from referrals.models import Referral
from sessions_log.models import Activity, Concern, Match, SelfHelpGroup

FIVE = (In2Balance, ValueBasedCounseling, AnkommenInDueren, LivetGaarVidere, InGangSetzer)
DEMO_SLUGS = tuple(builder.slug for builder in FIVE)


@dataclass
class SeedResult:
    programs: list[ProgramResult]
    logins: list[tuple[str, str, str]]  # email, role, program
    password: str = DEMO_PASSWORD


def demo_programs():
    """The demo programs in the database: the five and any generated regional ones."""
    return Program.objects.filter(
        Q(slug__in=DEMO_SLUGS) | Q(slug__startswith=EXTRA_SLUG_PREFIX)
    ).order_by("slug")


def _demo_organisation_names() -> set[str]:
    names = {spec.name for builder in FIVE for spec in (builder.lead_org, *builder.partner_orgs)}
    longest = max(scale.extra_programs for scale in SCALES.values())
    for builder, _, city, state in regional_plan(longest):
        names.add(regional_org_name(builder, city, state))
    return names


def flush() -> int:
    """Delete the demo programs with everything in them, then the demo users and unused
    demo organisations and funders. Returns how many programs were deleted."""
    deleted = 0
    for program in demo_programs():
        with transaction.atomic():
            # Rows that point at the program's sites, participants and volunteers with PROTECT
            # go first; the program's cascade takes the rest.
            for model in (Referral, Match, SelfHelpGroup, Concern, Activity):
                model.objects.filter(program=program).delete()
            program.delete()
        deleted += 1
    with transaction.atomic():
        Organisation.objects.filter(
            name__in=_demo_organisation_names(),
            led_programs=None,
            partner_programs=None,
            providers=None,
            employed_volunteers=None,
        ).delete()
        Funder.objects.filter(grants=None, name__in=_demo_funder_names()).delete()
        get_user_model().objects.filter(username__in=demo_user_emails()).delete()
    return deleted


def organisation_login(user) -> tuple[str, str, str]:
    """Make ``user`` the organisation coordinator of the welfare association that leads
    in2balance and In-Gang-Setzer (and, at the larger scales, nothing more)."""
    organisation = Organisation.objects.get(name=PARITAETISCHER_NRW.name)
    OrganisationMembership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": OrganisationMembership.Role.COORDINATOR},
    )
    return (user.email, ORGANISATION_COORDINATOR, organisation.name)


def _demo_funder_names() -> set[str]:
    names = {funder.name for funder in FUNDERS}
    for state in STATES:
        names |= {selfhelp_funder(state).name, integration_funder(state).name}
    return names


@dataclass(frozen=True)
class PlannedProgram:
    builder: type[ProgramBuilder]
    args: tuple = ()  # (number, city, state) of a generated regional program

    def make(self, ctx: Context) -> ProgramBuilder:
        return self.builder(ctx, *self.args)


def program_plan(scale: Scale) -> list[PlannedProgram]:
    return [PlannedProgram(builder) for builder in FIVE] + [
        PlannedProgram(builder, (number, city, state))
        for builder, number, city, state in regional_plan(scale.extra_programs)
    ]


def create_shared_records(ctx: Context, plan: list[PlannedProgram]):
    """Organisations and funders first, so programs built side by side never race for them."""
    with transaction.atomic():
        states = {planned.args[2] for planned in plan if planned.args}
        for spec in (
            *FUNDERS,
            *(f(state) for state in sorted(states) for f in (selfhelp_funder, integration_funder)),
        ):
            Funder.objects.get_or_create(
                name=spec.name, defaults={"kind": spec.kind, "country": spec.country}
            )
        for planned in plan:
            builder = planned.make(ctx)
            for spec in (builder.lead_org, *builder.partner_orgs):
                ProgramBuilder.organisation(spec)


def build_program(ctx: Context, planned: PlannedProgram) -> tuple[ProgramResult, list]:
    builder = planned.make(ctx)
    with historic_timestamps():
        result = builder.build()
    return result, builder.logins


def build_in_parallel(ctx, plan, jobs, progress) -> list[tuple[ProgramResult, list]]:
    """Build programs in worker processes, each with its own connection and transaction.

    Every program draws from its own random generator, so the data does not depend on the
    order in which the workers finish.
    """
    connections.close_all()  # workers open their own
    outcomes: list = [None] * len(plan)
    with ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("spawn"), initializer=django.setup
    ) as pool:
        futures = {pool.submit(build_program, ctx, planned): i for i, planned in enumerate(plan)}
        try:
            for future in as_completed(futures):
                outcomes[futures[future]] = outcome = future.result()
                if progress:
                    progress(outcome[0])
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return outcomes


def seed(
    *,
    scale: str = "small",
    seed: int = 1,
    jobs: int = 1,
    progress: Callable[[ProgramResult], None] | None = None,
) -> SeedResult:
    """Create the demo programs and logins. The caller checks that none exist yet.

    With ``jobs`` > 1 programs are built by that many worker processes (PostgreSQL only).
    """
    ctx = Context.prepare(scale, seed)
    ctx.users.update(create_users())
    plan = program_plan(ctx.scale)
    create_shared_records(ctx, plan)
    if jobs > 1:
        outcomes = build_in_parallel(ctx, plan, jobs, progress)
    else:
        outcomes = []
        for planned in plan:
            outcomes.append(build_program(ctx, planned))
            if progress:
                progress(outcomes[-1][0])
    publish_last_year_report(ctx)
    logins = [(ctx.users["admin"].email, "admin", "")]
    for _, program_logins in outcomes:
        logins += program_logins
    logins.append(organisation_login(ctx.users["organisation"]))
    return SeedResult([result for result, _ in outcomes], in_login_order(logins))

"""in2balance: trained lay helpers with their own refugee experience in Düsseldorf's shelters.

Groups, information events and one-to-one talks on stress, resources and the health system,
with monthly group supervision by the PSZ and RHS-15 screenings. It holds the demo logins of
every role, and its report for the last calendar year is published.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from demo.builder import (
    CHUNK,
    INDIVIDUAL,
    Context,
    Kind,
    ProgramBuilder,
    Role,
    grant_targets,
    outcome_row,
    spread,
)
from demo.data.organisations import (
    IN2BALANCE_LEAD,
    IN2BALANCE_PARTNERS,
    MAGS_NRW,
    PARITAETISCHER_NRW,
)
from demo.data.places import IN2BALANCE_OFFICE, IN2BALANCE_SHELTERS
from demo.data.providers import IN2BALANCE_PROVIDERS
from demo.data.texts import IN2BALANCE_REASONS, IN2BALANCE_REPORT
from demo.logins import DEMO_LOGINS
from demo.programs import HeadlineChoice
from demo.specs import GrantSpec, SiteSpec
from programs.models import HelperTerm, Program, Site
from reports import generation as report_generation
from reports import services as report_services
from reports.models import Report
from sessions_log.models import OutcomeMeasure


class In2Balance(HeadlineChoice, ProgramBuilder):
    slug = "in2balance"
    # The funder asks how many shelters the lay helpers reached.
    headline_indicators = (
        "shelters_reached",
        "people_reached",
        "contacts",
        "activities",
        "volunteers_active",
        "referrals",
    )

    helper_term = HelperTerm.LAY_HELPERS
    name = "in2balance"
    description = (
        "Geschulte Laienhelfer*innen mit eigener Fluchterfahrung bieten in Düsseldorfer "
        "Unterkünften Gruppenangebote, Informationsveranstaltungen und Einzelgespräche zu "
        "Stress, Ressourcen und Gesundheitsversorgung an – mit regelmäßiger Supervision und "
        "fachlicher Begleitung durch das PSZ."
    )
    starts_before_days = 60
    ends_after_days = 150
    free_kinds = {Kind.GROUP: 45, Kind.INFO_EVENT: 12, Kind.ONE_TO_ONE: 43}
    volunteer_backgrounds = {"ar": 35, "prs": 15, "fa": 5, "kmr": 10, "ti": 5, "de": 30}
    origins = {
        "SY": 38,
        "IQ": 14,
        "AF": 16,
        "IR": 6,
        "ER": 6,
        "TR": 3,
        "SO": 3,
        "UA": 10,
        "GN": 2,
        "GE": 2,
    }
    female_share = 0.48
    topics = {
        Kind.GROUP: ("stress_coping", "resources", "health_system", "sleep", "parenting"),
        Kind.INFO_EVENT: ("health_system", "reaching_care", "stress_coping"),
        Kind.ONE_TO_ONE: ("stress_coping", "resources", "reaching_care", "trauma", "sleep"),
    }
    supervision_every_days = 28
    referral_rate = 0.3
    occupancy = True
    supervisor_key = "supervisor"
    # Run by the welfare association, with the PSZ Düsseldorf as the professional partner.
    lead_org = PARITAETISCHER_NRW
    partner_orgs = (IN2BALANCE_LEAD, *IN2BALANCE_PARTNERS)
    members = (
        ("coordinator", Role.COORDINATOR),
        ("supervisor", Role.SUPERVISOR),
        ("volunteer", Role.VOLUNTEER),
        ("funder", Role.FUNDER),
    )

    def grants(self):
        starts, ends = self.program_starts, self.program_ends
        return [
            GrantSpec(
                MAGS_NRW,
                f"MAGS-IV B 3-{self.rng.randint(1000, 9999)}/{starts.year}",
                186_400,
                starts,
                ends,
                "de",
                targets=grant_targets(
                    self,
                    starts,
                    ends,
                    volunteers_trained=20,
                    volunteers_active=15,
                    supervision_hours=60,
                    contacts=self.budget * 4,
                    referrals=self.participant_count() * 0.25,
                ),
            )
        ]

    def site_specs(self):
        office, address = IN2BALANCE_OFFICE
        return [
            SiteSpec(name, Site.Kind.SHELTER, "Düsseldorf", address, capacity)
            for name, address, capacity in IN2BALANCE_SHELTERS
        ] + [SiteSpec(office, Site.Kind.OFFICE, "Düsseldorf", address)]

    def provider_specs(self):
        return list(IN2BALANCE_PROVIDERS)

    def cohort(self, number, starts_on):
        return self.basic_cohort(
            f"Grundschulung Laienhelfer*innen – Kurs {number}",
            starts_on,
            8,
            180,
            4,
            (
                "Rolle der Laienhelfer*innen",
                "Stress und Stressreaktionen",
                "Ressourcen aktivieren",
                "Das deutsche Gesundheitssystem",
                "Gesprächsführung",
                "Grenzen und Krisen",
                "Gruppen anleiten",
                "Abschluss und Zertifikat",
            ),
            "PSZ Düsseldorf (Dipl.-Psych. Ute Brandt)",
        )

    def demo_volunteer(self, index):
        return DEMO_LOGINS[3] if index == 0 else None

    def pick_facilitator(self, kind, pool):
        demo = pool[0] if pool and pool[0].user_id else None
        if demo and self.rng.random() < 0.12:
            return demo
        return self.rng.choice(pool)

    def create_free_activities(self, writer):
        super().create_free_activities(writer)
        demo = self.vols[0]
        for days_ago in (1, 2, 4, 6):
            day = self.today - timedelta(days=days_ago)
            kind = Kind.ONE_TO_ONE if days_ago % 2 else Kind.GROUP
            if kind in INDIVIDUAL:
                people = self.pick_participants(kind, day, demo)
                if people:
                    self.emit(
                        writer,
                        kind,
                        day,
                        [demo],
                        people=people,
                        site=self.site_for(kind, demo, people),
                    )
            else:
                self.emit(writer, kind, day, [demo], site=self.site_for(kind, demo, ()))

    def referral_author(self):
        if self.rng.random() < 0.2:
            return self.user_pk("volunteer")
        return self.logger_pk

    def create_outcomes(self):
        """RHS-15 screenings soon after the first contact; a rescreen after three months.

        About four in ten screen positive; at the rescreen distress is somewhat lower.
        """
        rng = random.Random(f"{self.ctx.seed}:{self.slug}:outcomes")
        rows = []
        for person in self.people:
            if rng.random() > 0.35:
                continue
            screened = min(self.today, person.first_seen + timedelta(days=rng.randint(0, 21)))
            distress = max(0, round(rng.gauss(11, 7)))
            thermometer = min(10, max(0, round(distress / 3 + rng.gauss(0, 1.2))))
            common = {"administered_by_id": self.logger_pk, "language_id": self.language}
            rows.append(
                outcome_row(
                    self.program,
                    person,
                    "rhs15",
                    OutcomeMeasure.Timepoint.BASELINE,
                    screened,
                    [*spread(rng, distress, 14, 0, 4), thermometer],
                    created_at=self.at(screened, 15),
                    **common,
                )
            )
            again = screened + timedelta(days=rng.randint(85, 110))
            if again > self.today or rng.random() > 0.5:
                continue
            distress = max(0, round(distress - rng.gauss(3, 3)))
            thermometer = min(10, max(0, round(distress / 3 + rng.gauss(0, 1.2))))
            rows.append(
                outcome_row(
                    self.program,
                    person,
                    "rhs15",
                    OutcomeMeasure.Timepoint.FOLLOWUP_3M,
                    again,
                    [*spread(rng, distress, 14, 0, 4), thermometer],
                    created_at=self.at(again, 15),
                    **common,
                )
            )
        OutcomeMeasure.objects.bulk_create(rows, batch_size=CHUNK)
        self.counts["outcome_measures"] = len(rows)


def publish_last_year_report(ctx: Context) -> Report | None:
    """in2balance's report for the last full calendar year, generated and published.

    The demo funder then has something to download, and the coordinator sees what a published
    report looks like. It goes through the same services as a report made in the browser.
    """
    program = Program.objects.filter(slug=In2Balance.slug).first()
    year = ctx.today.year - 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    if program is None or start < ctx.start:
        return None
    grant = program.grants.filter(starts_on__lte=end, ends_on__gte=start).first()
    coordinator = ctx.users["coordinator"]
    report = Report.objects.create(
        program=program,
        grant=grant,
        title=f"Sachbericht {year}",
        period_start=start,
        period_end=end,
        language=program.default_language,
        status=Report.Status.GENERATING,
        generation_started_at=timezone.now(),
        created_by=coordinator,
        generated_by=coordinator,
        **{part: text.format(year=year) for part, text in IN2BALANCE_REPORT.items()},
    )
    behind = report_services.targets_without_reason(
        report, report_generation.report_figures(report)
    )
    report.target_reasons = {
        row["key"]: IN2BALANCE_REASONS.get(row["indicator"], IN2BALANCE_REASONS[""])
        for row in behind
    }
    report.save(update_fields=["target_reasons"])
    report_generation.report_generate(report_id=report.pk)
    return report_services.report_publish(report=report, by=coordinator)

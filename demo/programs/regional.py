"""The generated regional programs of the medium and large scales, beside the five.

Odd numbers are self-help programs in the style of In-Gang-Setzer, even numbers lay-helper
programs in the style of in2balance, each in one of the cities of ``REGIONAL_CITIES``.
"""

from datetime import timedelta

from django.utils.text import slugify

from demo.builder import ProgramBuilder, grant_targets
from demo.data.organisations import integration_funder, selfhelp_funder
from demo.data.places import DISTRICTS, REGIONAL_CITIES, STATES
from demo.programs.in2balance import In2Balance
from demo.programs.in_gang_setzer import InGangSetzer
from demo.specs import GrantSpec, OrgSpec, ProviderSpec, SiteSpec
from programs.models import Organisation, Site
from referrals.models import Category

EXTRA_SLUG_PREFIX = "demo-region-"


class RegionalSelfHelp(InGangSetzer):
    """An In-Gang-Setzer-style program of one region, with a contact point per district."""

    def __init__(self, ctx, number: int, city: str, state: str):
        self.slug = f"{EXTRA_SLUG_PREFIX}{number:02d}-{slugify(city)}"
        self.name = f"Selbsthilfe in Gang setzen – Region {city}"
        self.city, self.state = city, state
        self.members = ()
        self.lead_org = OrgSpec(
            regional_org_name(RegionalSelfHelp, city, state), Organisation.Kind.WELFARE, city
        )
        super().__init__(ctx)

    def contact_point_cities(self):
        return [(f"{self.city}-{district}", self.state) for district in DISTRICTS]

    def site_specs(self):
        return [
            SiteSpec(f"Selbsthilfe-Kontaktstelle {city}", Site.Kind.CONTACT_POINT, self.city)
            for city, _ in self.contact_point_cities()
        ]

    def grants(self):
        starts, ends = self.start, self.today + timedelta(days=90)
        return [
            GrantSpec(
                selfhelp_funder(self.state),
                f"SH-{self.state}-{slugify(self.city)[:12].upper()}-{self.rng.randint(100, 999)}",
                self.rng.randint(40, 120) * 1000,
                starts,
                ends,
                "de",
                targets=grant_targets(
                    self,
                    starts,
                    ends,
                    selfhelp_groups_started=self.group_estimate(),
                    selfhelp_groups_12m=70,
                ),
            )
        ]


class RegionalLayHelpers(In2Balance):
    """An in2balance-style program of lay helpers in the shelters of one city."""

    supervisor_key = None
    members = ()

    def __init__(self, ctx, number: int, city: str, state: str):
        self.slug = f"{EXTRA_SLUG_PREFIX}{number:02d}-{slugify(city)}"
        self.name = f"Peer-Lotsen {city}"
        self.description = (
            f"Geschulte Peer-Lotsinnen und -Lotsen begleiten Geflüchtete in den Unterkünften "
            f"von {city}: Gruppenangebote, Informationsveranstaltungen und Einzelgespräche."
        )
        self.city, self.state = city, state
        self.lead_org = OrgSpec(
            regional_org_name(RegionalLayHelpers, city, state), Organisation.Kind.NGO, city
        )
        self.partner_orgs = ()
        super().__init__(ctx)

    def demo_volunteer(self, index):
        return None

    def pick_facilitator(self, kind, pool):
        return self.rng.choice(pool)

    def create_free_activities(self, writer):
        ProgramBuilder.create_free_activities(self, writer)

    def referral_author(self):
        return None

    def cohort(self, number, starts_on):
        return self.basic_cohort(
            f"Schulung Peer-Lotsen {self.city} – Kurs {number}",
            starts_on,
            8,
            180,
            4,
            (
                "Rolle der Peer-Lotsen",
                "Stress und Stressreaktionen",
                "Ressourcen aktivieren",
                "Das Gesundheitssystem",
                "Gesprächsführung",
                "Grenzen und Krisen",
                "Gruppen anleiten",
                "Abschluss",
            ),
            f"Psychosoziales Zentrum {self.city}",
        )

    def grants(self):
        starts, ends = self.program_starts, self.program_ends
        return [
            GrantSpec(
                integration_funder(self.state),
                f"LPI-{self.state}-{slugify(self.city)[:12].upper()}-{self.rng.randint(100, 999)}",
                self.rng.randint(60, 200) * 1000,
                starts,
                ends,
                "de",
                targets=grant_targets(self, starts, ends, volunteers_trained=self.scale.volunteers),
            )
        ]

    def site_specs(self):
        return [
            SiteSpec(
                f"Gemeinschaftsunterkunft {self.city}-{district}",
                Site.Kind.SHELTER,
                self.city,
                capacity=self.rng.randint(60, 300),
            )
            for district in DISTRICTS
        ]

    def provider_specs(self):
        return [
            ProviderSpec(
                f"Psychosoziales Zentrum {self.city}",
                Category.PSYCHOSOCIAL_CENTRE,
                ("de", "ar", "fa", "en"),
                waiting_weeks=10,
            ),
            ProviderSpec(
                f"Flüchtlingsberatung {self.city}",
                Category.REFUGEE_COUNSELLING,
                ("de", "ar", "en"),
                True,
                2,
            ),
            ProviderSpec(
                f"Gesundheitsamt {self.city}", Category.GENERAL_MEDICAL, ("de", "en"), True, 1
            ),
        ]


def regional_org_name(builder: type[ProgramBuilder], city: str, state: str) -> str:
    """The lead organisation of a generated program; ``flush`` needs it to find them again."""
    if builder is RegionalSelfHelp:
        return f"Der Paritätische {STATES[state]} – Selbsthilfe-Kontaktstellen {city}"
    return f"Flüchtlingshilfe {city} e. V."


def regional_plan(count: int) -> list[tuple[type[ProgramBuilder], int, str, str]]:
    """The first ``count`` generated programs: (builder, number, city, state)."""
    plan = []
    for number in range(1, count + 1):
        city, state = REGIONAL_CITIES[(number - 1) % len(REGIONAL_CITIES)]
        builder = RegionalSelfHelp if number % 2 else RegionalLayHelpers
        plan.append((builder, number, city, state))
    return plan

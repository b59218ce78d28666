"""AiD – Ankommen in Düren: the city's five integration areas, each with social workers of the
welfare associations who visit refugees in transition homes and private flats (target ratio
1:100), refer them on, help with authorities and keep in touch after they move out; volunteers
add information events and leisure groups.
"""

from datetime import timedelta
from decimal import Decimal

from demo.builder import Kind, ProgramBuilder, Role, grant_targets
from demo.data.organisations import AID_LEAD, AID_PARTNERS, KIM_NRW, SW_NRW
from demo.data.places import AID_AREAS, AID_STREETS, aid_area_name
from demo.data.providers import AID_PROVIDERS
from demo.programs import HeadlineChoice
from demo.specs import GrantSpec, SiteSpec
from programs.models import HelperTerm, Site
from referrals.models import Category


class AnkommenInDueren(HeadlineChoice, ProgramBuilder):
    slug = "aid-dueren"
    # The city asks for first visits with intake, and aftercare until its end.
    headline_indicators = (
        "intakes",
        "aftercare_at_end",
        "aftercare_ended",
        "people_reached",
        "referrals",
        "activities",
    )

    helper_term = HelperTerm.SOCIAL_WORKERS
    members = (("coordinator_aid", Role.COORDINATOR),)
    name = "AiD – Ankommen in Düren"
    description = (
        "Die Stadt Düren ist in fünf Integrationsräume aufgeteilt; je Raum betreut "
        "Sozialarbeit der Wohlfahrtsverbände die Geflüchteten in Übergangsheimen und "
        "Privatwohnungen (Zielschlüssel 1:100): Erstbesuch mit Aufnahme, regelmäßige Besuche, "
        "Vermittlung an Fachdienste, Hilfe bei Behörden, Nachbetreuung nach dem Auszug, "
        "Informationsveranstaltungen und Freizeitangebote mit Ehrenamtlichen."
    )
    starts_before_days = 400
    free_kinds = {Kind.VISIT: 55, Kind.ONE_TO_ONE: 18, Kind.INFO_EVENT: 10, Kind.GROUP: 17}
    volunteer_backgrounds = {"de": 60, "ar": 15, "tr": 10, "ru": 5, "uk": 5, "kmr": 5}
    origins = {"SY": 25, "AF": 20, "IQ": 12, "UA": 18, "TR": 8, "ER": 5, "IR": 5, "SO": 4, "GE": 3}
    female_share = 0.47
    minor_share = 0.3
    topics = {
        Kind.VISIT: (
            "housing",
            "health",
            "authorities",
            "language",
            "education",
            "conflict_mediation",
        ),
        Kind.ONE_TO_ONE: ("health", "authorities", "education", "housing"),
        Kind.INFO_EVENT: ("language", "education", "health", "participation"),
        Kind.GROUP: ("participation", "language"),
    }
    own_topics = ("Hausordnung und Zusammenleben",)
    referral_rate = 0.4
    occupancy = True
    participant_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME, Site.Kind.PRIVATE_FLAT)
    lead_org = AID_LEAD
    partner_orgs = AID_PARTNERS

    def grants(self):
        specs = []
        for year in range(2):
            starts = self.start + timedelta(days=365 * year)
            ends = starts + timedelta(days=364)
            specs.append(
                GrantSpec(
                    KIM_NRW,
                    f"KIM-DN-{starts.year}-{self.rng.randint(10, 99)}",
                    410_000,
                    starts,
                    ends,
                    "de",
                    targets=grant_targets(
                        self,
                        starts,
                        ends,
                        people_reached=self.participant_count() * 0.8,
                        referrals=self.participant_count() * 0.2,
                        volunteers_active=10,
                    ),
                )
            )
        specs.append(
            GrantSpec(
                SW_NRW,
                f"SW-{self.start.year}-{self.rng.randint(1000, 9999)}",
                65_000,
                self.start,
                self.today,
                "de",
            )
        )
        return specs

    def areas(self):
        return [(aid_area_name(short), 100, Decimal("2.00")) for short in AID_AREAS]

    def site_specs(self):
        rng, specs = self.rng, []
        for short in AID_AREAS:
            area, streets = aid_area_name(short), AID_STREETS[short]
            specs.append(
                SiteSpec(
                    f"Übergangsheim {streets[0]}",
                    Site.Kind.TRANSITION_HOME,
                    "Düren",
                    f"{streets[0]} {rng.randint(2, 90)}",
                    rng.randint(40, 90),
                    area,
                )
            )
            if short in ("Nord", "Süd"):
                specs.append(
                    SiteSpec(
                        f"Gemeinschaftsunterkunft {streets[1]}",
                        Site.Kind.SHELTER,
                        "Düren",
                        f"{streets[1]} {rng.randint(2, 90)}",
                        rng.randint(80, 160),
                        area,
                    )
                )
            for street in streets[1:]:
                for _ in range(2):
                    number = rng.randint(1, 120)
                    name = f"Wohnung {street} {number}"
                    if all(s.name != name for s in specs):
                        specs.append(
                            SiteSpec(
                                name,
                                Site.Kind.PRIVATE_FLAT,
                                "Düren",
                                f"{street} {number}",
                                rng.randint(2, 7),
                                area,
                            )
                        )
        specs.append(
            SiteSpec(
                "Integrationsbüro im Rathaus",
                Site.Kind.OFFICE,
                "Düren",
                "Kaiserplatz 2",
                area=aid_area_name("Mitte"),
            )
        )
        return specs

    def provider_specs(self):
        return list(AID_PROVIDERS)

    def main_referral_categories(self):
        return (
            Category.REFUGEE_COUNSELLING,
            Category.SOCIAL_COUNSELLING,
            Category.LANGUAGE_COURSE,
            Category.PSYCHOSOCIAL_CENTRE,
        )

    def cohort(self, number, starts_on):
        return self.basic_cohort(
            f"Einführung für Ehrenamtliche – Runde {number}",
            starts_on,
            4,
            150,
            3,
            (
                "Ankommen in Düren: Strukturen und Ansprechpartner",
                "Rollen und Grenzen",
                "Interkulturelle Begegnung",
                "Datenschutz und Schweigepflicht",
            ),
            "Integrationsbüro Stadt Düren",
        )

    def steady(self, index):
        """The first five (ten at larger scales) are the areas' full-time social workers."""
        return index < (10 if self.scale.volunteers > 50 else 5)

    def volunteer_extras(self, index, row, vol, cohort):
        if not self.steady(index):
            return
        partner = self.partners[AID_PARTNERS[index % len(AID_PARTNERS)].name]
        area = aid_area_name(AID_AREAS[index % len(AID_AREAS)])
        row.employed_by, row.employed_since = partner, row.joined_on
        row.prior_qualification = "Soziale Arbeit (B.A.)"
        vol.sites = [s.pk for s in self.sites if s.area == area]

    def pick_facilitator(self, kind, pool):
        if kind == Kind.VISIT and self.rng.random() < 0.75:
            staff = [v for v in pool if v.employed]
            if staff:
                return self.rng.choice(staff)
        return self.rng.choice(pool)

    def pick_participants(self, kind, day, lead):
        if kind == Kind.VISIT and lead.employed:
            site = self.rng.choice(lead.sites)
            residents = [
                p
                for p in self.people_by_site.get(site, ())
                if p.first_seen <= day and (p.aftercare_until is None or p.aftercare_until >= day)
            ]
            if residents:
                first = self.rng.choice(residents)
                family = [p for p in residents if p is not first]
                extra = self.rng.sample(family, min(len(family), self.rng.choice((0, 0, 0, 1, 2))))
                return [first, *extra]
        return super().pick_participants(kind, day, lead)

    def aftercare(self, site, first_seen):
        if not site or site.kind != Site.Kind.PRIVATE_FLAT:
            return None
        moved = first_seen + timedelta(days=self.rng.randint(60, 400))
        return moved + timedelta(days=self.rng.randint(180, 540))

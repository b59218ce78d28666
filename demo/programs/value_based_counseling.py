"""Value Based Counseling: people with refugee or migration experience and a background in
psychology, education or social work are trained as psychosocial counsellors in Mecklenburg-
Vorpommern (three months intensive, nine months supervised practice) and employed by the
Malteser. They give awareness talks in shelters and counsel in many languages.
"""

from datetime import timedelta

from django.db.models import Case, When

from demo.builder import Kind, ProgramBuilder, Role, grant_targets
from demo.data.organisations import AMIF, MALTESER, MSGS_MV, VBC_LEAD
from demo.data.places import VBC_OFFICE_CITIES, VBC_SHELTERS
from demo.data.providers import VBC_PROVIDERS
from demo.data.texts import QUALIFICATIONS_VBC
from demo.programs import HeadlineChoice
from demo.specs import Cohort, GrantSpec, SiteSpec, TrainingSpec
from programs.models import HelperTerm, Site
from volunteers.models import Training, Volunteer


class ValueBasedCounseling(HeadlineChoice, ProgramBuilder):
    slug = "value-based-counseling"
    # The funder asks how many people were counselled, in how many languages.
    headline_indicators = (
        "people_counselled",
        "counselling_languages",
        "volunteers_trained",
        "counsellors_employed",
        "people_reached",
        "supervision_hours",
    )

    helper_term = HelperTerm.COUNSELLORS
    members = (("coordinator_vbc", Role.COORDINATOR),)
    name = "Value Based Counseling"
    description = (
        "Menschen mit Flucht- oder Migrationsgeschichte und psychologischer, pädagogischer oder "
        "sozialer Vorbildung werden ein Jahr lang zu psychosozialen Counselor*innen "
        "qualifiziert (drei Monate Intensivphase, neun Monate begleitete Praxis) und von "
        "den Maltesern in Mecklenburg-Vorpommern angestellt. Sie führen "
        "Aufklärungsgespräche in Unterkünften und beraten in über 16 Sprachen."
    )
    starts_before_days = 240
    ends_after_days = 365
    free_kinds = {Kind.AWARENESS_TALK: 62, Kind.COUNSELLING: 38}
    volunteer_backgrounds = {
        "ar": 28,
        "prs": 16,
        "fa": 9,
        "kmr": 8,
        "ckb": 5,
        "ti": 8,
        "so": 6,
        "uk": 11,
        "ru": 6,
        "tr": 3,
    }
    origins = {
        "SY": 24,
        "AF": 22,
        "IQ": 10,
        "ER": 8,
        "ET": 2,
        "SO": 5,
        "UA": 15,
        "IR": 5,
        "RU": 2,
        "TR": 3,
        "GE": 2,
        "GN": 2,
    }
    female_share = 0.45
    topics = {
        Kind.AWARENESS_TALK: ("mental_health", "stress_coping", "sleep", "health_system"),
        Kind.COUNSELLING: (
            "stress_coping",
            "trauma",
            "sleep",
            "parenting",
            "loneliness",
            "resources",
        ),
    }
    cohort_every_days = 365
    supervision_every_days = 14
    supervision_group_size = 8
    referral_rate = 0.15
    volunteer_site_kinds = (Site.Kind.SHELTER, Site.Kind.OFFICE)
    participant_site_kinds = (Site.Kind.SHELTER,)
    lead_org = VBC_LEAD
    partner_orgs = (MALTESER,)

    def grants(self):
        starts, ends = self.program_starts, self.program_ends
        number = self.rng.randint(100, 999)
        return [
            GrantSpec(
                AMIF,
                f"AMIF-{starts.year}-MV-{number}",
                864_000,
                starts,
                ends,
                "de",
                targets=grant_targets(
                    self,
                    starts,
                    ends,
                    volunteers_trained=16,
                    counsellors_employed=10,
                    languages=16,
                    people_reached=self.budget * 2,
                    supervision_hours=120,
                ),
            ),
            GrantSpec(
                MSGS_MV,
                f"MSGS-V 310-{number}",
                124_500,
                starts,
                ends,
                "de",
            ),
        ]

    def site_specs(self):
        return [
            SiteSpec(name, Site.Kind.SHELTER, city, capacity=capacity)
            for name, city, capacity in VBC_SHELTERS
        ] + [
            SiteSpec(f"Beratungsstelle {city}", Site.Kind.OFFICE, city)
            for city in VBC_OFFICE_CITIES
        ]

    def provider_specs(self):
        return list(VBC_PROVIDERS)

    def cohort(self, number, starts_on):
        intensive_ends = starts_on + timedelta(days=90)
        practice_starts = intensive_ends + timedelta(days=1)
        practice_ends = practice_starts + timedelta(days=270)
        weekdays = [
            starts_on + timedelta(days=d)
            for d in range(91)
            if (starts_on + timedelta(days=d)).weekday() < 5
        ]
        weekly = [practice_starts + timedelta(days=7 * w) for w in range(39)]
        return Cohort(
            [
                TrainingSpec(
                    f"Value Based Counseling – Intensivphase {number}",
                    Training.Kind.INTENSIVE,
                    starts_on,
                    intensive_ends,
                    weekdays,
                    360,
                    (
                        "Grundlagen psychosozialer Beratung",
                        "Wertebasierte Gesprächsführung",
                        "Trauma und Stress",
                        "Interkulturelle Kommunikation",
                        "Krisen erkennen",
                        "Rollenspiele",
                    ),
                    "IPSO (Team Weiterbildung)",
                ),
                TrainingSpec(
                    f"Value Based Counseling – begleitete Praxis {number}",
                    Training.Kind.SUPERVISED_PRACTICE,
                    practice_starts,
                    practice_ends,
                    weekly,
                    180,
                    ("Fallreflexion", "Live-Supervision", "Dokumentation"),
                    "IPSO (Supervision)",
                    practice_hours=(180, 320),
                ),
            ],
            practice_starts,
        )

    def create_trainings(self, cohorts):
        """The qualification is the intensive phase and the supervised practice: a counsellor
        counts as trained once both are completed."""
        per_cohort = super().create_trainings(cohorts)
        qualifying = (Training.Kind.INTENSIVE, Training.Kind.SUPERVISED_PRACTICE)
        Training.objects.filter(pk__in=[t.pk for ts in per_cohort for t in ts]).update(
            qualifying=Case(When(kind__in=qualifying, then=True), default=False)
        )
        return per_cohort

    def working_in_training(self, cohort):
        practice = cohort.trainings[1].starts_on
        return practice if practice <= self.today else None

    def create_volunteers(self):
        super().create_volunteers()
        self.counts["counsellors employed"] = sum(v.employed for v in self.vols)

    def volunteer_extras(self, index, row, vol, cohort):
        rng = self.rng
        row.prior_qualification = rng.choice(QUALIFICATIONS_VBC)
        row.lived_refugee_experience = True if rng.random() < 0.85 else None
        practice_ends = cohort.trainings[1].ends_on
        if (
            row.status in (Volunteer.Status.ACTIVE, Volunteer.Status.PAUSED)
            and practice_ends < self.today
            and rng.random() < 0.65
        ):
            since = practice_ends + timedelta(days=rng.randint(7, 60))
            if since <= self.today:
                row.employed_by = self.partners[MALTESER.name]
                row.employed_since = since

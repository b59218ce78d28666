"""In-Gang-Setzer: volunteers of self-help contact points help new self-help groups through
their first months without taking part in the exchange itself. Most activities are the
accompanied group meetings; a year after the start the contact point checks whether the group
still meets on its own.
"""

from collections import Counter
from datetime import date, timedelta

from demo.builder import (
    CHUNK,
    Kind,
    ProgramBuilder,
    Role,
    day_between,
    grant_targets,
    weighted,
)
from demo.data.activities import SELFHELP_GROUP_TOPICS
from demo.data.organisations import GKV_NRW, IGS_LEAD, MAGS_NRW
from demo.data.places import IGS_CITIES
from demo.data.providers import IGS_PROVIDERS
from demo.programs import HeadlineChoice
from demo.specs import GrantSpec, SiteSpec
from programs.models import HelperTerm, Site
from referrals.models import Category
from sessions_log.models import SelfHelpGroup


class InGangSetzer(HeadlineChoice, ProgramBuilder):
    slug = "in-gang-setzer"
    # The federation reports its contact points and the cities and districts they serve.
    headline_indicators = (
        "contact_points",
        "contact_point_cities",
        "selfhelp_groups_started",
        "selfhelp_groups_accompanied",
        "selfhelp_groups_12m",
        "volunteers_active",
    )

    helper_term = HelperTerm.IN_GANG_SETZER
    members = (("coordinator_igs", Role.COORDINATOR),)
    name = "In-Gang-Setzer"
    description = (
        "Ehrenamtliche der Selbsthilfe-Kontaktstellen begleiten neue Selbsthilfegruppen für "
        "eine begrenzte Zeit beim Start, ohne am inhaltlichen Austausch teilzunehmen. Die "
        "Kontaktstelle vor Ort wählt die In-Gang-Setzer*innen aus und bleibt Ansprechpartnerin."
    )
    starts_before_days = 365
    free_kinds = {Kind.INFO_EVENT: 100}
    scheduled_share = 0.85
    volunteer_backgrounds = {"de": 88, "tr": 4, "ru": 4, "ar": 4}
    origins = {"DE": 78, "TR": 6, "RU": 4, "SY": 4, "UA": 4, "IR": 2, "BA": 2}
    female_share = 0.64
    minor_share = 0.0
    topics = {
        Kind.SELFHELP_MEETING: ("selfhelp_start",),
        Kind.INFO_EVENT: ("selfhelp_start", "mental_health"),
    }
    own_topics = ("Gruppenregeln vereinbaren",)
    supervision_every_days = 56
    supervision_group_size = 10
    referral_rate = 0.2
    concern_rate = 0.006
    participant_factor = 0.25
    lead_org = IGS_LEAD
    volunteer_site_kinds = (Site.Kind.CONTACT_POINT,)
    event_site_kinds = (Site.Kind.CONTACT_POINT,)
    participant_site_kinds = ()

    def contact_point_cities(self) -> list[tuple[str, str]]:
        return list(IGS_CITIES[: self.scale.contact_points])

    def grants(self):
        specs = []
        for year in range(2):
            starts = self.start + timedelta(days=365 * year)
            ends = starts + timedelta(days=364)
            specs.append(
                GrantSpec(
                    GKV_NRW,
                    f"GKV-SH-NRW-{starts.year}-{self.rng.randint(100, 999)}",
                    95_000,
                    starts,
                    ends,
                    "de",
                    targets=grant_targets(
                        self,
                        starts,
                        ends,
                        selfhelp_groups_started=self.group_estimate() / 2,
                        selfhelp_groups_12m=70,
                        volunteers_trained=self.scale.volunteers / 3,
                    ),
                )
            )
        specs.append(
            GrantSpec(
                MAGS_NRW,
                f"MAGS-III 4-{self.rng.randint(1000, 9999)}",
                48_000,
                self.start,
                self.today,
                "de",
            )
        )
        return specs

    def group_estimate(self) -> int:
        return max(4, round(self.budget * self.scheduled_share / 9))

    def site_specs(self):
        return [
            SiteSpec(f"Selbsthilfe-Kontaktstelle {city}", Site.Kind.CONTACT_POINT, city)
            for city, _ in self.contact_point_cities()
        ]

    def provider_specs(self):
        return list(IGS_PROVIDERS)

    def main_referral_categories(self):
        return (Category.PSYCHOTHERAPY, Category.SOCIAL_COUNSELLING)

    def cohort(self, number, starts_on):
        return self.basic_cohort(
            f"Qualifizierung zur In-Gang-Setzer*in – Kurs {number}",
            starts_on,
            4,
            360,
            6,
            (
                "Selbsthilfe und ihre Prinzipien",
                "Gruppen in Gang setzen",
                "Moderation",
                "Sich überflüssig machen: der Abschied aus der Gruppe",
            ),
            "Paritätische Akademie NRW",
        )

    def volunteer_extras(self, index, row, vol, cohort):
        """The contact point picks its volunteers: each one belongs to one contact point."""
        points = self.sites_of((Site.Kind.CONTACT_POINT,))
        vol.sites = [points[index % len(points)].pk]

    def schedule(self, writer):
        """Self-help groups started over the last three years, with their accompanied meetings."""
        rng = self.rng
        target = round(self.budget * self.scheduled_share)
        points = self.sites_of((Site.Kind.CONTACT_POINT,))
        topic_weights = {area: weight for area, (weight, _) in SELFHELP_GROUP_TOPICS.items()}
        groups, plans, names = [], [], Counter()
        meetings = attempts = 0
        while meetings < target and attempts < target * 5:
            attempts += 1
            site = rng.choice(points)
            started = day_between(
                rng, self.start - timedelta(days=365), self.today - timedelta(days=7)
            )
            local = [v for v in self.active_on(max(started, self.start)) if site.pk in v.sites]
            pool = local or self.active_on(max(started, self.start))
            if not pool:
                continue
            team = rng.sample(pool, 1 if len(pool) == 1 or rng.random() < 0.8 else 2)
            area = weighted(rng, topic_weights)
            base = f"{rng.choice(SELFHELP_GROUP_TOPICS[area][1])} {site.city}"
            names[base] += 1
            name = base if names[base] == 1 else f"{base} ({names[base]})"
            status, accompaniment, follow_up, checked = self.group_course(started)
            groups.append(
                SelfHelpGroup(
                    program=self.program,
                    name=name,
                    contact_point_id=site.pk,
                    topic_area=area,
                    started_on=started,
                    accompaniment_ends_on=accompaniment,
                    status=status,
                    follow_up_still_meeting=follow_up,
                    follow_up_checked_on=checked,
                )
            )
            last = min(accompaniment or self.today, self.today)
            days = self.meeting_days(started, last, (7, 14, 14, 14))
            plans.append((team, site, days, area))
            meetings += len(days)
        SelfHelpGroup.objects.bulk_create(groups, batch_size=CHUNK)
        Accompanist = SelfHelpGroup.volunteers.through
        Accompanist.objects.bulk_create(
            [
                Accompanist(selfhelpgroup_id=g.pk, volunteer_id=v.pk)
                for g, (team, *_) in zip(groups, plans, strict=True)
                for v in team
            ],
            batch_size=CHUNK * 2,
        )
        self.counts["self-help groups"] = len(groups)
        mental_health = [self.ctx.topics["selfhelp_start"], self.ctx.topics["mental_health"]]
        for team, site, days, area in plans:
            topics = (
                mental_health
                if area == SelfHelpGroup.TopicArea.MENTAL_HEALTH
                else [self.ctx.topics["selfhelp_start"]]
            )
            for day in days:
                self.emit(
                    writer,
                    Kind.SELFHELP_MEETING,
                    day,
                    team,
                    site=site.pk,
                    topics=topics,
                    languages=["de"],
                )

    def group_course(self, started: date):
        """Status, end of accompaniment and one-year follow-up of a group started on a day.

        About seven in ten groups still meet on their own a year after they started.
        """
        rng, today = self.rng, self.today
        unknown = SelfHelpGroup.FollowUp.UNKNOWN
        if started > today - timedelta(days=21):
            return SelfHelpGroup.Status.FORMING, None, unknown, None
        accompaniment = started + timedelta(days=rng.randint(90, 240))
        if accompaniment >= today:
            return SelfHelpGroup.Status.ACCOMPANIED, accompaniment, unknown, None
        due = started + timedelta(days=365 + rng.randint(0, 60))
        if due > today:
            ended = rng.random() < 0.08
            status = SelfHelpGroup.Status.ENDED if ended else SelfHelpGroup.Status.INDEPENDENT
            return status, accompaniment, unknown, None
        if rng.random() < 0.71:
            return (
                SelfHelpGroup.Status.INDEPENDENT,
                accompaniment,
                SelfHelpGroup.FollowUp.YES,
                due,
            )
        return SelfHelpGroup.Status.ENDED, accompaniment, SelfHelpGroup.FollowUp.NO, due

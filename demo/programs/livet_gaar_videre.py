"""Livet går videre (Denmark): volunteers matched one to one with people of refugee or minority
background who are or were in treatment for trauma, referred by partners in psychiatry. Most
activities are the matches' meetings; WHO-5 and UCLA-3 measure wellbeing and loneliness.
"""

import random
from datetime import date, timedelta

from core.dates import months_later
from demo.builder import (
    CHUNK,
    Kind,
    ProgramBuilder,
    Role,
    Vol,
    day_between,
    grant_targets,
    outcome_row,
    spread,
    weighted,
)
from demo.data.organisations import LIVET_LEAD, LIVET_PARTNERS, SBST_DK, VELUX_DK
from demo.data.places import LIVET_OFFICES
from demo.data.providers import LIVET_PROVIDERS
from demo.data.texts import AVAILABILITY_DA, INTERESTS_DA
from demo.programs import HeadlineChoice
from demo.specs import GrantSpec, SiteSpec
from programs.languages import display_name as language_name
from programs.models import HelperTerm, Site
from referrals.models import Category, Referral
from sessions_log.models import Match, OutcomeMeasure


class LivetGaarVidere(HeadlineChoice, ProgramBuilder):
    slug = "livet-gaar-videre"
    # The funders ask where the referrals come from and how long the matches last.
    headline_indicators = (
        "referral_sources",
        "referrals_inbound",
        "matches_started",
        "matches_active_at_end",
        "match_retention_6m",
        "volunteers_active",
    )

    helper_term = HelperTerm.VOLUNTEERS
    members = (("coordinator_livet", Role.COORDINATOR),)
    name = "Livet går videre"
    description = (
        "Frivillige matches én til én med mennesker med flygtninge- eller minoritetsbaggrund, "
        "som er eller har været i behandling for traumer, henvist af partnere i psykiatrien. "
        "Matchet tager hensyn til fysisk og psykisk tilstand, alder, interesser og sprog."
    )
    country = "DK"
    language = "da"
    starts_before_days = 365
    free_kinds = {Kind.GROUP: 70, Kind.INFO_EVENT: 30}
    scheduled_share = 0.82
    volunteer_backgrounds = {"da": 80, "ar": 6, "fa": 4, "so": 4, "uk": 3, "ti": 3}
    origins = {"SY": 25, "IQ": 15, "AF": 15, "IR": 12, "SO": 10, "ER": 8, "LB": 5, "BA": 5, "PS": 5}
    female_share = 0.52
    minor_share = 0.0
    topics = {
        Kind.MATCH_MEETING: ("loneliness", "participation", "resources", "language"),
        Kind.GROUP: ("loneliness", "participation"),
        Kind.INFO_EVENT: ("health_system", "mental_health"),
    }
    cohort_every_days = 120
    supervision_every_days = 42
    referral_rate = 0.08
    volunteer_site_kinds = (Site.Kind.OFFICE,)
    event_site_kinds = (Site.Kind.OFFICE,)
    participant_site_kinds = ()
    lead_org = LIVET_LEAD
    partner_orgs = LIVET_PARTNERS

    def grants(self):
        starts = self.start
        ends = self.today + timedelta(days=180)
        return [
            GrantSpec(
                SBST_DK,
                f"SBST-{starts.year}-{self.rng.randint(1000, 9999)}",
                2_400_000,
                starts,
                ends,
                "da",
                "DKK",
                targets=grant_targets(
                    self,
                    starts,
                    ends,
                    matches_started=self.match_estimate(),
                    match_retention_6m=79,
                    volunteers_active=self.scale.volunteers * 0.7,
                ),
            ),
            GrantSpec(
                VELUX_DK,
                f"VF-{self.rng.randint(10000, 99999)}",
                600_000,
                starts,
                starts + timedelta(days=364),
                "da",
                "DKK",
            ),
        ]

    def match_estimate(self) -> int:
        return max(6, round(self.budget * self.scheduled_share / 14))

    def participant_count(self):
        return max(self.scale.participants, round(self.match_estimate() * 1.4))

    def site_specs(self):
        return [
            SiteSpec(name, Site.Kind.OFFICE, city, address) for name, city, address in LIVET_OFFICES
        ]

    def provider_specs(self):
        return list(LIVET_PROVIDERS)

    def main_referral_categories(self):
        return (Category.REFUGEE_COUNSELLING, Category.LANGUAGE_COURSE)

    def cohort(self, number, starts_on):
        return self.basic_cohort(
            f"Introduktionskursus for frivillige – hold {number}",
            starts_on,
            3,
            180,
            2,
            ("Traumer og deres følger", "Rollen som netværksperson", "Grænser og samtykke"),
            "Psykolog Trine Bach",
        )

    def volunteer_extras(self, index, row, vol, cohort):
        row.interests = ", ".join(self.rng.sample(INTERESTS_DA, 3))
        row.availability = self.rng.choice(AVAILABILITY_DA)

    def schedule(self, writer):
        """Matches, each with an inbound referral from psychiatry and its meetings."""
        rng = self.rng
        target = round(self.budget * self.scheduled_share)
        psychiatry = [(pk, c) for pk, c in self.providers if c == Category.PSYCHIATRY]
        free = list(self.people)
        rng.shuffle(free)
        matches, plans, inbound = [], [], []
        meetings = 0
        while meetings < target and free:
            person = free.pop()
            proposed = day_between(
                rng,
                max(person.first_seen, self.start - timedelta(days=150)),
                self.today - timedelta(days=3),
            )
            pool = self.active_on(max(proposed, self.start))
            if not pool:
                continue
            shared = [v for v in pool if set(v.languages) & set(person.languages) - {"da"}]
            vol = rng.choice(shared if shared and rng.random() < 0.6 else pool)
            status, started, ended, reason, stop = self.match_course(vol, proposed)
            common = sorted(set(vol.languages) & set(person.languages)) or ["da"]
            spoken = ", ".join(language_name(code, "da") for code in common)
            notes = f"Fælles sprog: {spoken}. Interesser: {', '.join(rng.sample(INTERESTS_DA, 2))}."
            matches.append(
                Match(
                    program=self.program,
                    volunteer_id=vol.pk,
                    participant_id=person.pk,
                    status=status,
                    proposed_on=proposed,
                    started_on=started,
                    ended_on=ended,
                    end_reason=reason,
                    matching_notes=notes,
                )
            )
            days = self.meeting_days(started, stop or ended or self.today, (7, 10, 14, 14, 21))
            plans.append((vol, person, days, common))
            meetings += len(days)
            referred = proposed - timedelta(days=rng.randint(7, 45))
            flow = ("sent", "accepted", "closed") if ended else ("sent", "accepted")
            inbound.append((person, rng.choice(psychiatry)[0], flow, referred, len(matches) - 1))
        Match.objects.bulk_create(matches, batch_size=CHUNK)
        self.counts["matches"] = len(matches)
        self.inbound = [
            self.referral(
                person,
                provider,
                Category.PSYCHIATRY,
                flow,
                referred,
                direction=Referral.Direction.INBOUND,
                match=matches[index],
            )
            for person, provider, flow, referred, index in inbound
        ]
        for vol, person, days, common in plans:
            for day in days:
                self.emit(
                    writer,
                    Kind.MATCH_MEETING,
                    day,
                    [vol],
                    people=[person],
                    languages=[rng.choice(common)],
                )

    def match_course(self, vol: Vol, proposed: date):
        """Status, start, end, end reason and pause day of a match proposed on a day.

        About four in five matches that started are still running six months later.
        """
        rng, today = self.rng, self.today
        started = proposed + timedelta(days=rng.randint(7, 28))
        if started > today:
            return Match.Status.PROPOSED, None, None, "", None
        if (vol.active_until and vol.active_until < started) or rng.random() < 0.04:
            ended = min(today, proposed + timedelta(days=rng.randint(10, 40)))
            return Match.Status.ENDED, None, ended, Match.EndReason.NOT_STARTED, None
        ended, reason = None, ""
        if rng.random() < 0.14:
            ended = started + timedelta(days=rng.randint(20, 175))
            reason = weighted(
                rng,
                {
                    "participant_withdrew": 35,
                    "volunteer_withdrew": 20,
                    "moved": 15,
                    "no_contact": 20,
                    "other": 10,
                },
            )
        elif rng.random() < 0.45:
            ended = started + timedelta(days=rng.randint(190, 540))
            reason = weighted(rng, {"completed": 70, "moved": 20, "other": 10})
        if vol.active_until and (ended is None or vol.active_until < ended):
            ended, reason = vol.active_until, Match.EndReason.VOLUNTEER_WITHDREW
        if ended and ended <= today:
            return Match.Status.ENDED, started, ended, reason, None
        if rng.random() < 0.08:
            return Match.Status.PAUSED, started, None, "", day_between(rng, started, today)
        return Match.Status.ACTIVE, started, None, "", None

    def create_referrals(self, extra=None):
        super().create_referrals(extra=self.inbound)

    def create_outcomes(self):
        """WHO-5 and UCLA-3 at the start of most matches and six months later.

        The volunteer (or the coordinator) takes both questionnaires at the first meeting; six
        months later most matches that are still running take them again. On average wellbeing
        rises by about 9 percentage points and loneliness falls by about one point, with wide
        individual differences, as in the program's evaluation.
        """
        rng = random.Random(f"{self.ctx.seed}:{self.slug}:outcomes")
        people = {p.pk: p for p in self.people}
        users = {v.pk: v.user_id for v in self.vols}
        rows = []
        matches = Match.objects.filter(program=self.program, started_on__isnull=False).values_list(
            "participant_id", "volunteer_id", "started_on", "ended_on"
        )
        for participant_id, volunteer_id, started, ended in matches.order_by("pk"):
            if rng.random() > 0.85:
                continue
            person = people[participant_id]
            by = users.get(volunteer_id) or self.logger_pk
            language = "da" if rng.random() < 0.7 else rng.choice(person.languages or ["da"])
            wellbeing = round(rng.gauss(9.5, 3.5))
            loneliness = round(rng.gauss(6.6, 1.4))
            later = months_later(started, 6) + timedelta(days=rng.randint(0, 20))
            follow_up = later <= self.today and (ended is None or ended >= later)
            follow_up = follow_up and rng.random() < 0.85
            for timepoint, day, shift in (
                (OutcomeMeasure.Timepoint.BASELINE, started, (0, 0)),
                (OutcomeMeasure.Timepoint.FOLLOWUP_6M, later, (2.3, -1.0)),
            ):
                if timepoint != OutcomeMeasure.Timepoint.BASELINE and not follow_up:
                    continue
                who5 = round(wellbeing + rng.gauss(shift[0], 3.5 if shift[0] else 0))
                ucla3 = round(loneliness + rng.gauss(shift[1], 1.0 if shift[1] else 0))
                common = {
                    "administered_by_id": by,
                    "language_id": language,
                    "created_at": self.at(day, 17),
                }
                who5_answers = spread(rng, who5, 5, 0, 5)
                if rng.random() < 0.02:
                    who5_answers[rng.randrange(5)] = None  # an item left out: incomplete
                rows.append(
                    outcome_row(
                        self.program, person, "who5", timepoint, day, who5_answers, **common
                    )
                )
                rows.append(
                    outcome_row(
                        self.program,
                        person,
                        "ucla3",
                        timepoint,
                        day,
                        spread(rng, ucla3, 3, 1, 3),
                        **common,
                    )
                )
        OutcomeMeasure.objects.bulk_create(rows, batch_size=CHUNK)
        self.counts["outcome_measures"] = len(rows)

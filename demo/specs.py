"""What a demo program declares about itself: its organisations, funders and grants, sites,
service providers and training cohorts. The builder turns these into rows."""

from dataclasses import dataclass, field
from datetime import date

from programs.models import Funder


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str
    city: str = ""
    country: str = "DE"


@dataclass(frozen=True)
class FunderSpec:
    name: str
    kind: str = Funder.Kind.PUBLIC
    country: str = "DE"


@dataclass
class GrantSpec:
    funder: FunderSpec
    reference: str
    amount: int
    starts_on: date
    ends_on: date
    language: str
    currency: str = "EUR"
    targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteSpec:
    name: str
    kind: str
    city: str
    address: str = ""
    capacity: int | None = None
    area: str | None = None


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    category: str
    languages: tuple[str, ...] = ("de",)
    self_referral: bool = False
    waiting_weeks: int | None = None
    area: str | None = None
    organisation: str | None = None


@dataclass
class TrainingSpec:
    title: str
    kind: str
    starts_on: date
    ends_on: date
    session_days: list[date]
    session_minutes: int
    session_topics: tuple[str, ...]
    trainer: str
    practice_hours: tuple[int, int] | None = None


@dataclass
class Cohort:
    """The trainings one intake of volunteers goes through, and when its graduates start."""

    trainings: list[TrainingSpec]
    active_from: date  # the day graduates start to work

    @property
    def starts_on(self) -> date:
        return self.trainings[0].starts_on

"""Demo data: the five programs of PROGRAMS.md with two years of logged work, and demo logins.

``seed(scale=..., seed=...)`` builds the programs (and, at the larger scales, generated
regional programs in the style of In-Gang-Setzer and in2balance), then the demo users and
their memberships. Everything random comes from ``random.Random``, seeded from the seed and
the program's slug, and every date is relative to today: two runs with the same seed on the
same day create the same rows.

Rows are written with ``bulk_create`` in chunks, the rows of many-to-many tables through their
through models, so no query runs per row and memory stays bounded at any scale. Programs are
independent of each other; on PostgreSQL several worker processes can build them side by side
(``jobs``), each program in its own transaction, with the same result as one after the other.
"""

import bisect
import math
import multiprocessing
import random
import time as clock
import unicodedata
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import django
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from core.dates import months_later
from programs.languages import display_name as language_name
from programs.models import (
    PARTICIPANT_CODE_ALPHABET,
    ActivityKind,
    Area,
    Funder,
    Grant,
    Language,
    Membership,
    Organisation,
    Participant,
    Program,
    Site,
    SiteOccupancy,
    Target,
)
from referrals.models import Category, Referral, ReferralEvent, ServiceProvider
from reports.models import Report
from sessions_log.models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup, Topic
from sessions_log.topics import CATALOGUE
from volunteers.models import (
    Enrollment,
    SupervisionSession,
    Training,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
    VolunteerStatusChange,
)

DEMO_PASSWORD = "lotse-demo"
CHUNK = 5000
WINDOW_DAYS = 730
EXTRA_SLUG_PREFIX = "demo-region-"

Kind = ActivityKind
Role = Membership.Role
INDIVIDUAL = ActivityKind.individual()


class DemoError(Exception):
    """The database is not ready for demo data (e.g. languages or topics are missing)."""


@dataclass(frozen=True)
class Scale:
    volunteers: int  # per program
    participants: int  # per program
    activities: int  # per program
    contact_points: int  # In-Gang-Setzer contact points
    extra_programs: int  # generated regional programs beside the five


SCALES = {
    "small": Scale(
        volunteers=20, participants=60, activities=300, contact_points=12, extra_programs=0
    ),
    "medium": Scale(
        volunteers=60, participants=500, activities=3000, contact_points=30, extra_programs=5
    ),
    "large": Scale(
        volunteers=110, participants=2500, activities=21000, contact_points=50, extra_programs=45
    ),
}


@dataclass(frozen=True)
class DemoLogin:
    key: str
    email: str
    first_name: str
    last_name: str


DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.lotse", "Alex", "Admin"),
    DemoLogin("coordinator", "coordinator@demo.lotse", "Katrin", "Vogel"),
    DemoLogin("supervisor", "supervisor@demo.lotse", "Miriam", "Albers"),
    DemoLogin("volunteer", "volunteer@demo.lotse", "Samira", "Haddad"),
    DemoLogin("funder", "funder@demo.lotse", "Jörg", "Lindner"),
    DemoLogin("coordinator_vbc", "coordinator.vbc@demo.lotse", "Nadia", "Rahimi"),
    DemoLogin("coordinator_aid", "coordinator.aid@demo.lotse", "Thomas", "Berger"),
    DemoLogin("coordinator_livet", "coordinator.livet@demo.lotse", "Mette", "Sørensen"),
    DemoLogin("coordinator_igs", "coordinator.igs@demo.lotse", "Sabine", "Krüger"),
)

# --------------------------------------------------------------------------------------------
# Names, languages and origins
# --------------------------------------------------------------------------------------------

NAMES = {
    "ar": (
        (
            "Amina",
            "Fatima",
            "Lina",
            "Rania",
            "Nour",
            "Huda",
            "Rasha",
            "Dima",
            "Yasmin",
            "Salma",
            "Reem",
            "Hanan",
            "Layla",
            "Maha",
            "Ruba",
        ),
        (
            "Ahmad",
            "Mohammad",
            "Omar",
            "Khaled",
            "Yousef",
            "Ali",
            "Hassan",
            "Mahmoud",
            "Tarek",
            "Bilal",
            "Samer",
            "Fadi",
            "Rami",
            "Hussein",
            "Karim",
        ),
        (
            "Al-Ahmad",
            "Haddad",
            "Khalil",
            "Al-Hassan",
            "Darwish",
            "Mansour",
            "Nasser",
            "Saleh",
            "Hamdan",
            "Al-Khatib",
            "Sabbagh",
            "Youssef",
            "Kassem",
            "Ibrahim",
            "Othman",
        ),
    ),
    "prs": (
        (
            "Farzana",
            "Mariam",
            "Zahra",
            "Shabnam",
            "Parwana",
            "Nilofar",
            "Fereshta",
            "Mursal",
            "Sima",
            "Habiba",
            "Marzia",
            "Khadija",
        ),
        (
            "Farid",
            "Jawad",
            "Sayed",
            "Hamid",
            "Wahid",
            "Naweed",
            "Mustafa",
            "Rahim",
            "Ajmal",
            "Shafiq",
            "Zabihullah",
            "Ehsan",
        ),
        (
            "Ahmadi",
            "Hashimi",
            "Rahimi",
            "Sultani",
            "Popal",
            "Karimi",
            "Noori",
            "Hakimi",
            "Mohammadi",
            "Sadat",
            "Wardak",
            "Azizi",
        ),
    ),
    "fa": (
        ("Maryam", "Shirin", "Leila", "Nazanin", "Parisa", "Roya", "Mahsa", "Golnar"),
        ("Reza", "Arash", "Behnam", "Dariush", "Kaveh", "Mehdi", "Navid", "Saeed"),
        ("Tehrani", "Moradi", "Jafari", "Rostami", "Kazemi", "Sadeghi", "Hosseini", "Farahani"),
    ),
    "kmr": (
        ("Berfin", "Rojda", "Hevin", "Zozan", "Dilan", "Jiyan", "Ronahi", "Nazdar", "Shilan"),
        ("Rojhat", "Azad", "Serhat", "Baran", "Diyar", "Rezan", "Karwan", "Shvan", "Hemin"),
        ("Amedi", "Doski", "Sindi", "Mirani", "Berwari", "Xelo", "Hawrami", "Zaxoyi"),
    ),
    "ckb": (
        ("Shilan", "Nazdar", "Avin", "Rezan", "Shno", "Hana", "Tara", "Lana"),
        ("Karwan", "Hemin", "Shvan", "Aso", "Dilshad", "Rebwar", "Sherzad", "Hawre"),
        ("Hawrami", "Jaff", "Sorani", "Baban", "Mukriani", "Shwani", "Qadir", "Salih"),
    ),
    "ti": (
        ("Selam", "Helen", "Senait", "Mebrat", "Yordanos", "Rahwa", "Lwam", "Saba"),
        ("Yonas", "Dawit", "Tesfay", "Filmon", "Samuel", "Biniam", "Merhawi", "Aklilu"),
        ("Tesfamariam", "Gebremedhin", "Haile", "Kidane", "Tekle", "Berhane", "Woldu", "Abraha"),
    ),
    "so": (
        ("Hodan", "Faadumo", "Sahra", "Ifrah", "Deeqa", "Ubah", "Hibo", "Ayaan"),
        ("Abdirahman", "Mohamed", "Abdullahi", "Farah", "Liban", "Yusuf", "Ahmed", "Bashir"),
        ("Warsame", "Abdi", "Farah", "Hassan", "Jama", "Omar", "Nur", "Egal"),
    ),
    "uk": (
        ("Olena", "Iryna", "Nataliia", "Oksana", "Kateryna", "Yuliia", "Tetiana", "Svitlana"),
        ("Oleksandr", "Andrii", "Serhii", "Dmytro", "Mykola", "Yurii", "Taras", "Bohdan"),
        (
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Melnyk",
            "Kravchenko",
            "Boiko",
            "Moroz",
            "Lysenko",
            "Petrenko",
        ),
    ),
    "ru": (
        ("Jelena", "Natalja", "Irina", "Tatjana", "Swetlana", "Olga"),
        ("Sergej", "Alexej", "Dmitri", "Wladimir", "Andrej", "Nikolai"),
        ("Iwanow", "Petrow", "Morosow", "Wolkow", "Lebedew", "Sokolow"),
    ),
    "tr": (
        ("Ayşe", "Elif", "Zeynep", "Fatma", "Emine", "Hatice", "Merve", "Derya"),
        ("Mehmet", "Mustafa", "Ahmet", "Emre", "Murat", "Hakan", "Kemal", "Serkan"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan"),
    ),
    "de": (
        (
            "Anna",
            "Julia",
            "Katharina",
            "Sabine",
            "Claudia",
            "Lena",
            "Marie",
            "Petra",
            "Ursula",
            "Johanna",
            "Sophie",
            "Birgit",
            "Monika",
            "Laura",
            "Hannah",
        ),
        (
            "Thomas",
            "Michael",
            "Andreas",
            "Stefan",
            "Jan",
            "Lukas",
            "Markus",
            "Peter",
            "Klaus",
            "Jürgen",
            "Tobias",
            "Felix",
            "Matthias",
            "Frank",
            "Wolfgang",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Schröder",
            "Neumann",
            "Braun",
            "Zimmermann",
            "Krüger",
            "Hartmann",
        ),
    ),
    "da": (
        (
            "Anne",
            "Mette",
            "Lene",
            "Camilla",
            "Sofie",
            "Ida",
            "Maja",
            "Karen",
            "Louise",
            "Signe",
            "Hanne",
            "Birthe",
        ),
        (
            "Lars",
            "Søren",
            "Jens",
            "Mads",
            "Rasmus",
            "Anders",
            "Niels",
            "Henrik",
            "Mikkel",
            "Frederik",
            "Jesper",
            "Peter",
        ),
        (
            "Jensen",
            "Nielsen",
            "Hansen",
            "Pedersen",
            "Andersen",
            "Christensen",
            "Larsen",
            "Sørensen",
            "Rasmussen",
            "Jørgensen",
            "Madsen",
            "Kristensen",
            "Olsen",
            "Thomsen",
        ),
    ),
}

# A volunteer's languages by background: always the first, the others with a probability.
BACKGROUND_LANGUAGES = {
    "ar": (("ar", 1.0), ("en", 0.4), ("fr", 0.1), ("kmr", 0.05)),
    "prs": (("prs", 1.0), ("fa", 0.5), ("ps", 0.35), ("en", 0.3)),
    "fa": (("fa", 1.0), ("en", 0.5), ("ckb", 0.05)),
    "kmr": (("kmr", 1.0), ("ar", 0.5), ("tr", 0.4), ("ckb", 0.1)),
    "ckb": (("ckb", 1.0), ("ar", 0.5), ("fa", 0.2), ("en", 0.3)),
    "ti": (("ti", 1.0), ("en", 0.5), ("am", 0.3), ("ar", 0.2)),
    "so": (("so", 1.0), ("en", 0.5), ("ar", 0.3)),
    "uk": (("uk", 1.0), ("ru", 0.8), ("en", 0.4), ("pl", 0.05)),
    "ru": (("ru", 1.0), ("uk", 0.2), ("en", 0.3)),
    "tr": (("tr", 1.0), ("en", 0.4), ("kmr", 0.2)),
    "de": (("de", 1.0), ("en", 0.7), ("fr", 0.2), ("es", 0.1), ("ar", 0.03), ("tr", 0.03)),
    "da": (("da", 1.0), ("en", 0.9), ("de", 0.2)),
}

# A participant's languages by country of origin (each with a probability; at least the first).
ORIGIN_LANGUAGES = {
    "SY": (("ar", 0.92), ("kmr", 0.12)),
    "IQ": (("ar", 0.7), ("ckb", 0.25), ("kmr", 0.15)),
    "AF": (("prs", 0.6), ("ps", 0.35), ("fa", 0.1)),
    "IR": (("fa", 1.0), ("ckb", 0.05)),
    "ER": (("ti", 0.9), ("tig", 0.1), ("ar", 0.1)),
    "ET": (("am", 0.8), ("om", 0.3), ("ti", 0.1)),
    "SO": (("so", 1.0), ("ar", 0.1)),
    "UA": (("uk", 0.8), ("ru", 0.6)),
    "TR": (("tr", 0.8), ("kmr", 0.3), ("zza", 0.03)),
    "LB": (("ar", 1.0), ("fr", 0.3)),
    "PS": (("ar", 1.0),),
    "BA": (("bs", 1.0),),
    "GE": (("ka", 1.0), ("ru", 0.4)),
    "RU": (("ru", 1.0),),
    "GN": (("fr", 0.8), ("ff", 0.5)),
    "DE": (("de", 1.0),),
}

LANGUAGE_CODES = sorted(
    {code for table in BACKGROUND_LANGUAGES.values() for code, _ in table}
    | {code for table in ORIGIN_LANGUAGES.values() for code, _ in table}
)

MINUTES = {
    Kind.GROUP: (60, 90, 90, 120),
    Kind.INFO_EVENT: (60, 90, 120),
    Kind.AWARENESS_TALK: (15, 20, 30, 30, 45),
    Kind.ONE_TO_ONE: (30, 45, 45, 60),
    Kind.COUNSELLING: (45, 50, 60, 60, 90),
    Kind.VISIT: (20, 30, 45, 60, 90),
    Kind.MATCH_MEETING: (60, 90, 120, 120, 180),
    Kind.SELFHELP_MEETING: (90, 120, 120),
}

# Head counts (min, max, share of women, share of children) for kinds logged without names.
HEADCOUNTS = {
    Kind.GROUP: (4, 16, 0.55, 0.1),
    Kind.INFO_EVENT: (8, 45, 0.45, 0.15),
    Kind.AWARENESS_TALK: (1, 6, 0.5, 0.0),
    Kind.SELFHELP_MEETING: (3, 12, 0.65, 0.0),
}

CONCERN_CATEGORIES = {
    Concern.Category.MENTAL_HEALTH_CRISIS: 40,
    Concern.Category.SELF_HARM: 15,
    Concern.Category.VIOLENCE: 15,
    Concern.Category.CHILD_PROTECTION: 8,
    Concern.Category.MEDICAL: 12,
    Concern.Category.HARM_TO_OTHERS: 3,
    Concern.Category.OTHER: 7,
}
CONCERN_SEVERITIES = {"low": 20, "medium": 45, "high": 28, "urgent": 7}

TEXTS = {
    "de": {
        "concern": (
            "Die Person berichtet von anhaltender Schlaflosigkeit und Hoffnungslosigkeit.",
            "Im Gespräch fielen Andeutungen auf, nicht mehr leben zu wollen.",
            "Hinweise auf Gewalt in der Unterkunft; die Person hat Angst, darüber zu sprechen.",
            "Ein Kind wirkt stark vernachlässigt; die Mutter ist sichtlich überfordert.",
            "Starke körperliche Beschwerden, seit Wochen keine ärztliche Behandlung.",
            "Akute Panikattacke während des Treffens; die Person konnte sich kaum beruhigen.",
        ),
        "outcome": (
            "Mit der Supervision besprochen; Termin im PSZ vermittelt.",
            "Sozialdienst der Unterkunft informiert; Folgegespräch vereinbart.",
            "Krisendienst kontaktiert; Person ist angebunden.",
            "Hausärztliche Abklärung organisiert.",
        ),
        "note": (
            "Viele Fragen zu Arztbesuchen und Krankenschein.",
            "Gute Stimmung, Teilnehmende wünschen sich ein Folgetreffen.",
            "Dolmetscherin war kurzfristig verhindert, Gespräch auf Englisch.",
            "Thema Schlaf kam mehrfach auf.",
        ),
        "referral_outcome": (
            "Termin wahrgenommen, Behandlung beginnt.",
            "Aufnahme in die Warteliste.",
            "Beratung erfolgt, keine weitere Vermittlung nötig.",
            "Person hat den Termin nicht wahrgenommen; erneute Kontaktaufnahme.",
        ),
        "supervision": (
            "Fallbesprechung",
            "Abgrenzung und Selbstfürsorge",
            "Umgang mit Krisen",
            "Rollenklarheit",
            "Vermittlung ins Gesundheitssystem",
            "Gruppendynamik",
            "Arbeit mit Dolmetschenden",
            "Sekundärtraumatisierung",
        ),
        "left": (
            "Umzug in eine andere Stadt",
            "Aufnahme einer Vollzeitstelle",
            "Studium",
            "Familiäre Gründe",
            "Gesundheitliche Gründe",
        ),
        "dropped": ("Hat die Schulung abgebrochen", "Zeitlich nicht vereinbar"),
        "intake": "Erstbesuch mit standardisierter Aufnahme.",
    },
    "da": {
        "concern": (
            "Personen fortæller om vedvarende søvnløshed og håbløshed.",
            "Under mødet kom der udsagn om ikke at ville leve længere.",
            "Tegn på vold i hjemmet; personen er bange for at tale om det.",
            "Kraftige fysiske smerter, ingen lægebehandling i flere uger.",
            "Akut panikanfald under mødet.",
        ),
        "outcome": (
            "Drøftet med koordinator; behandler kontaktet med samtykke.",
            "Personen er i kontakt med sin psykiatriske behandler.",
            "Egen læge kontaktet.",
        ),
        "note": (
            "Gåtur i parken og kaffe bagefter.",
            "Vi lavede mad sammen.",
            "Besøg på biblioteket.",
            "Snakkede om jobsøgning og sprogskole.",
        ),
        "referral_outcome": (
            "Samtale gennemført, forløb startet.",
            "Skrevet op på venteliste.",
            "Rådgivning givet, ingen videre henvisning.",
        ),
        "supervision": (
            "Sagsdrøftelse",
            "Grænser og egenomsorg",
            "Kriser i matchforløb",
            "At afslutte et match",
            "Kulturforståelse",
        ),
        "left": ("Flyttet", "Nyt job", "Studier", "Familiemæssige årsager"),
        "dropped": ("Afbrød introduktionskurset",),
        "intake": "Første møde.",
    },
}

SUPERVISORS = {
    "de": (
        "Dipl.-Psych. Ute Brandt",
        "Dr. Kemal Aksoy (Psychotherapeut)",
        "Dipl.-Soz.-Päd. Heike Lorenz",
    ),
    "da": ("Psykolog Trine Bach", "Psykolog Ahmad Rahimi"),
}

INTERESTS_DA = (
    "gåture",
    "madlavning",
    "fodbold",
    "strik",
    "cykling",
    "museer",
    "havearbejde",
    "musik",
    "brætspil",
    "svømning",
    "fotografering",
    "lektiehjælp",
)
AVAILABILITY_DA = (
    "Hverdage efter kl. 16",
    "Weekender",
    "Tirsdag og torsdag eftermiddag",
    "Fleksibel",
    "Hver anden weekend",
)
QUALIFICATIONS_VBC = (
    "Psychologie (B.Sc.), Universität Damaskus",
    "Soziale Arbeit, Universität Kabul",
    "Lehramt Grundschule (Herat)",
    "Psychologie (M.A.), Universität Teheran",
    "Sozialpädagogik, Kyjiw",
    "Pflegefachkraft",
    "Psychologische Beratung, Asmara",
    "Erziehungswissenschaften, Universität Bagdad",
    "Medizinstudium (nicht abgeschlossen)",
)

REFERRAL_FLOWS = (
    (("proposed",), 6),
    (("proposed", "sent"), 8),
    (("proposed", "sent", "declined"), 5),
    (("proposed", "sent", "declined", "closed"), 4),
    (("proposed", "sent", "accepted"), 8),
    (("proposed", "sent", "accepted", "appointment"), 10),
    (("proposed", "sent", "accepted", "appointment", "attended"), 14),
    (("proposed", "sent", "accepted", "appointment", "no_show"), 5),
    (("proposed", "sent", "accepted", "appointment", "attended", "closed"), 30),
    (("proposed", "sent", "accepted", "appointment", "no_show", "closed"), 6),
)
# Days from one status to the next.
REFERRAL_STEP_DAYS = {
    "sent": (0, 6),
    "accepted": (1, 14),
    "declined": (2, 21),
    "appointment": (1, 10),
    "attended": (0, 0),
    "no_show": (0, 0),
    "closed": (1, 30),
}

# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def day_between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def workday_between(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi], mostly Monday to Friday."""
    for _ in range(5):
        day = day_between(rng, lo, hi)
        if day.weekday() < 5 or rng.random() < 0.25:
            return day
    return day


def ascii_part(text: str) -> str:
    text = text.translate(str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "å": "a", "ı": "i"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def pick_languages(rng: random.Random, table) -> list[str]:
    codes = [code for code, probability in table if rng.random() < probability]
    return codes or [table[0][0]]


def link(through, source: int, target) -> object:
    """A row of an auto-created many-to-many table (id, source, target).

    Built from positional values: for millions of rows that is twice as fast as keywords.
    """
    return through(None, source, target)


@contextmanager
def historic_timestamps():
    """Let generated rows carry the time they happened instead of the time they were written.

    ``auto_now``/``auto_now_add`` would stamp two years of activities, concerns and referral
    events with the moment of seeding; while this is active the generator sets them itself.
    """
    fields = [
        model._meta.get_field(name)
        for model, name in (
            (Activity, "created_at"),
            (Activity, "updated_at"),
            (Participant, "created_at"),
            (Volunteer, "created_at"),
            (Concern, "raised_at"),
            (Referral, "created_at"),
            (Referral, "updated_at"),
            (ReferralEvent, "at"),
            (OutcomeMeasure, "created_at"),
        )
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def spread(rng: random.Random, total: int, items: int, low: int, high: int) -> list[int]:
    """Answers on a low…high scale, one per item, that add up to ``total`` (clamped)."""
    values = [low] * items
    left = min(max(total, low * items), high * items) - low * items
    while left > 0:
        index = rng.choice([i for i, v in enumerate(values) if v < high])
        values[index] += 1
        left -= 1
    return values


def outcome_row(program, person: "Person", code: str, timepoint: str, day: date, answers, **fields):
    """An outcome measure scored as the application scores it (``apply_score``)."""
    measure = OutcomeMeasure(
        program=program,
        participant_id=person.pk,
        instrument=code,
        timepoint=timepoint,
        date=day,
        answers={str(i): v for i, v in enumerate(answers, start=1)},
        **fields,
    )
    measure.apply_score()
    return measure


# --------------------------------------------------------------------------------------------
# Specs the program builders return
# --------------------------------------------------------------------------------------------


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
    trainings: list[TrainingSpec]
    active_from: date  # the day graduates start to work

    @property
    def starts_on(self) -> date:
        return self.trainings[0].starts_on


@dataclass
class Career:
    joined: date
    status: str = Volunteer.Status.APPLICANT
    history: list[tuple[str, str, date, str]] = field(default_factory=list)
    enrolled: list[tuple[int, str, date | None]] = field(default_factory=list)
    active_from: date | None = None  # when the volunteer starts to facilitate activities
    active_until: date | None = None
    left_on: date | None = None
    left_reason: str = ""

    def __post_init__(self):
        self.history.append(("", self.status, self.joined, ""))

    def change(self, status: str, day: date, reason: str = ""):
        self.history.append((self.status, status, day, reason))
        self.status = status

    def leave(self, day: date, reason: str):
        self.change(Volunteer.Status.LEFT, day, reason)
        self.left_on, self.left_reason = day, reason
        if self.active_from:
            self.active_until = day


# Runtime records of what was written, kept for choosing facilitators and participants.


@dataclass(slots=True)
class Vol:
    pk: int
    languages: list[str]
    active_from: date | None
    active_until: date | None
    sites: list[int]
    employed: bool
    user_id: int | None = None


@dataclass(slots=True)
class Person:
    pk: int
    first_seen: date
    year_of_birth: int
    gender: str
    languages: list[str]
    site: int | None
    consent_scope: str
    consent_on: date | None
    aftercare_until: date | None


@dataclass(slots=True)
class SiteRow:
    pk: int
    kind: str
    capacity: int | None
    area: str | None
    city: str


@dataclass
class ProgramResult:
    name: str
    slug: str
    counts: dict[str, int]
    seconds: float


@dataclass
class SeedResult:
    programs: list[ProgramResult]
    logins: list[tuple[str, str, str]]  # email, role, program
    password: str = DEMO_PASSWORD


# --------------------------------------------------------------------------------------------
# Context shared by all builders
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    scale: Scale
    seed: int
    today: date
    users: dict[str, object]
    topics: dict[str, int]

    @property
    def start(self) -> date:
        return self.today - timedelta(days=WINDOW_DAYS)

    @classmethod
    def prepare(cls, scale: str, seed: int) -> "Context":
        missing = set(LANGUAGE_CODES) - set(
            Language.objects.filter(code__in=LANGUAGE_CODES).values_list("code", flat=True)
        )
        if missing:
            raise DemoError(
                gettext("Languages missing: %(codes)s; run migrate first.")
                % {"codes": ", ".join(sorted(missing))}
            )
        topics = dict(Topic.objects.filter(program=None).exclude(key="").values_list("key", "pk"))
        if set(CATALOGUE) - set(topics):
            raise DemoError(gettext("The shared topic catalogue is incomplete; run migrate first."))
        return cls(SCALES[scale], seed, timezone.localdate(), {}, topics)


class ActivityWriter:
    """Collects activities with their many-to-many rows and writes them in chunks."""

    Facilitator = Activity.facilitators.through
    ActivityLanguage = Activity.languages.through
    ActivityTopic = Activity.topics.through
    ActivityParticipant = Activity.participants.through

    def __init__(self, builder: "ProgramBuilder"):
        self.builder = builder
        self.pending: list[tuple] = []
        self.concerns: list[Concern] = []
        self.total = 0

    def add(self, activity, facilitators, languages, topics, participants, concern):
        self.pending.append((activity, facilitators, languages, topics, participants, concern))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        Activity.objects.bulk_create([row[0] for row in self.pending], batch_size=CHUNK)
        facilitators, languages, topics, participants = [], [], [], []
        for activity, vols, codes, topic_ids, people, concern in self.pending:
            pk = activity.pk
            facilitators += [link(self.Facilitator, pk, v) for v in vols]
            languages += [link(self.ActivityLanguage, pk, c) for c in codes]
            topics += [link(self.ActivityTopic, pk, t) for t in topic_ids]
            participants += [link(self.ActivityParticipant, pk, p) for p in people]
            if concern:
                self.concerns.append(self.builder.concern_for(activity))
        for model, rows in (
            (self.Facilitator, facilitators),
            (self.ActivityLanguage, languages),
            (self.ActivityTopic, topics),
            (self.ActivityParticipant, participants),
        ):
            model.objects.bulk_create(rows, batch_size=CHUNK * 2)
        self.total += len(self.pending)
        self.pending = []

    def close(self):
        self.flush()
        Concern.objects.bulk_create(self.concerns, batch_size=CHUNK)


# --------------------------------------------------------------------------------------------
# The program builder: common steps, with the program-specific parts as overridable hooks
# --------------------------------------------------------------------------------------------


class ProgramBuilder:
    slug = ""
    name = ""
    description = ""
    country = "DE"
    language = "de"  # default UI and report language; also the host country's language
    starts_before_days = 120
    ends_after_days: int | None = None  # None: ongoing
    free_kinds: dict[str, float] = {}
    scheduled_share = 0.0  # share of activities that come from matches or self-help groups
    volunteer_backgrounds: dict[str, float] = {"de": 1}
    origins: dict[str, float] = {"SY": 1}
    female_share = 0.5
    minor_share = 0.1
    topics: dict[str, tuple[str, ...]] = {}
    own_topics: tuple[str, ...] = ()
    cohort_every_days = 182
    supervision_every_days = 28
    supervision_group_size = 12
    referral_rate = 0.25
    concern_rate = 0.012
    occupancy = False
    participant_factor = 1.0
    members: tuple[tuple[str, str], ...] = (("coordinator", Role.COORDINATOR),)
    volunteer_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME, Site.Kind.OFFICE)
    event_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME, Site.Kind.OFFICE)
    participant_site_kinds = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME)
    supervisor_key: str | None = None  # demo user who supervises; else an external name
    lead_org: OrgSpec
    partner_orgs: tuple[OrgSpec, ...] = ()

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.scale = ctx.scale
        self.today = ctx.today
        self.start = ctx.start
        self.rng = random.Random(f"{ctx.seed}:{self.slug}")
        self.texts = TEXTS[self.language]
        self.tz = timezone.get_current_timezone()
        self.vols: list[Vol] = []
        self.people: list[Person] = []
        self.sites: list[SiteRow] = []
        self.providers: list[tuple[int, str]] = []
        self.counts: Counter = Counter()
        self.budget = self.scale.activities
        self.seen: set[int] = set()  # participants met at least once (for intake notes)

    # ---- hooks -------------------------------------------------------------------------

    def grants(self) -> list[GrantSpec]:
        raise NotImplementedError

    def areas(self) -> list[tuple[str, int | None, Decimal]]:
        return []

    def site_specs(self) -> list[SiteSpec]:
        raise NotImplementedError

    def provider_specs(self) -> list[ProviderSpec]:
        raise NotImplementedError

    def cohort(self, number: int, starts_on: date) -> Cohort:
        raise NotImplementedError

    def schedule(self, writer: ActivityWriter):
        """Activities that follow from matches or self-help groups (none by default)."""

    def volunteer_extras(self, index: int, row: Volunteer, vol: Vol, cohort: Cohort):
        """Program-specific volunteer fields (employment, interests)."""

    def create_outcomes(self):
        """Questionnaires before and after (outcome measures); none by default."""

    # ---- helpers -----------------------------------------------------------------------

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    @property
    def program_starts(self) -> date:
        return self.start - timedelta(days=self.starts_before_days)

    @property
    def program_ends(self) -> date | None:
        if self.ends_after_days is None:
            return None
        return self.today + timedelta(days=self.ends_after_days)

    def user_pk(self, key: str) -> int | None:
        user = self.ctx.users.get(key)
        return user.pk if user else None

    @property
    def logger_pk(self) -> int | None:
        """Who logs activities of volunteers without an account: the program's coordinator."""
        return self.user_pk(self.members[0][0]) if self.members else None

    @property
    def acknowledger_pk(self) -> int | None:
        return self.user_pk(self.supervisor_key or self.members[0][0]) if self.members else None

    def active_on(self, day: date) -> list[Vol]:
        return self.active_by_week[min((day - self.start).days // 7, len(self.active_by_week) - 1)]

    # ---- the build -----------------------------------------------------------------------

    def build(self) -> ProgramResult:
        started = clock.perf_counter()
        with transaction.atomic():
            self.create_program()
            self.create_grants()
            self.create_sites()
            if self.occupancy:
                self.create_occupancy()
            self.create_volunteers()
            self.create_supervision()
            self.create_participants()
            self.create_providers()
            writer = ActivityWriter(self)
            self.schedule(writer)
            self.create_free_activities(writer)
            writer.close()
            self.counts["activities"] = writer.total
            self.counts["concerns"] = len(writer.concerns)
            self.create_referrals()
            self.create_outcomes()
            self.create_memberships()
        return ProgramResult(
            self.name, self.slug, dict(self.counts), clock.perf_counter() - started
        )

    def create_program(self):
        self.lead = self.organisation(self.lead_org)
        self.partners = {spec.name: self.organisation(spec) for spec in self.partner_orgs}
        self.program = Program.objects.create(
            name=self.name,
            slug=self.slug,
            lead_organisation=self.lead,
            description=self.description,
            starts_on=self.program_starts,
            ends_on=self.program_ends,
            country=self.country,
            default_language=self.language,
            activity_kinds=list(self.topics),
            volunteer_edit_days=7,
        )
        self.program.partners.set(self.partners.values())
        self.own_topic_pks = [
            topic.pk
            for topic in Topic.objects.bulk_create(
                [Topic(program=self.program, name=name) for name in self.own_topics]
            )
        ]

    @staticmethod
    def organisation(spec: OrgSpec) -> Organisation:
        org, _ = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={"kind": spec.kind, "city": spec.city, "country": spec.country},
        )
        return org

    def create_grants(self):
        targets = []
        for spec in self.grants():
            funder, _ = Funder.objects.get_or_create(
                name=spec.funder.name,
                defaults={"kind": spec.funder.kind, "country": spec.funder.country},
            )
            grant = Grant.objects.create(
                program=self.program,
                funder=funder,
                reference=spec.reference,
                amount=Decimal(spec.amount),
                currency=spec.currency,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                report_language=spec.language,
            )
            targets += [
                Target(
                    program=self.program,
                    grant=grant,
                    indicator=indicator,
                    value=Decimal(round(value)),
                    starts_on=spec.starts_on,
                    ends_on=spec.ends_on,
                )
                for indicator, value in spec.targets.items()
            ]
            self.counts["grants"] += 1
        Target.objects.bulk_create(targets)

    def create_sites(self):
        areas = {
            name: Area(program=self.program, name=name, caseload_ratio_target=ratio, staff_fte=fte)
            for name, ratio, fte in self.areas()
        }
        Area.objects.bulk_create(areas.values())
        self.area_pks = {name: area.pk for name, area in areas.items()}
        specs = self.site_specs()
        rows = Site.objects.bulk_create(
            [
                Site(
                    program=self.program,
                    area=areas.get(spec.area),
                    name=spec.name,
                    kind=spec.kind,
                    city=spec.city,
                    address=spec.address,
                    capacity=spec.capacity,
                )
                for spec in specs
            ],
            batch_size=CHUNK,
        )
        self.sites = [
            SiteRow(row.pk, spec.kind, spec.capacity, spec.area, spec.city)
            for row, spec in zip(rows, specs, strict=True)
        ]
        self.counts["sites"] = len(self.sites)

    def sites_of(self, kinds) -> list[SiteRow]:
        return [site for site in self.sites if site.kind in kinds]

    def create_occupancy(self):
        rows = []
        for site in self.sites:
            if not site.capacity or site.kind not in (
                Site.Kind.SHELTER,
                Site.Kind.TRANSITION_HOME,
                Site.Kind.PRIVATE_FLAT,
            ):
                continue
            level = self.rng.uniform(0.6, 0.95)
            month = self.start.replace(day=1)
            while month <= self.today:
                level = min(1.0, max(0.3, level + self.rng.uniform(-0.08, 0.08)))
                rows.append(
                    SiteOccupancy(
                        site_id=site.pk, date=month, residents=round(site.capacity * level)
                    )
                )
                month = (month + timedelta(days=32)).replace(day=1)
        SiteOccupancy.objects.bulk_create(rows, batch_size=CHUNK)

    # ---- volunteers, trainings, supervision --------------------------------------------

    def cohorts(self) -> list[Cohort]:
        cohorts, number = [], 1
        starts_on = self.program_starts + timedelta(days=14)
        while starts_on <= self.today + timedelta(days=45):
            cohorts.append(self.cohort(number, starts_on))
            number += 1
            starts_on += timedelta(days=self.cohort_every_days)
        return cohorts

    def basic_cohort(self, title, starts_on, sessions, minutes, weeks, topics, trainer):
        ends_on = starts_on + timedelta(weeks=weeks)
        step = max(1, (ends_on - starts_on).days // max(1, sessions - 1))
        days = [min(ends_on, starts_on + timedelta(days=step * i)) for i in range(sessions)]
        spec = TrainingSpec(
            title, Training.Kind.BASIC, starts_on, ends_on, days, minutes, topics, trainer
        )
        return Cohort([spec], ends_on + timedelta(days=1))

    def create_volunteers(self):
        rng = self.rng
        cohorts = self.cohorts()
        trainings = self.create_trainings(cohorts)
        weights = [
            (3.0 if number == 0 else 1.0) * (0.4 if c.starts_on > self.today else 1.0)
            for number, c in enumerate(cohorts)
        ]
        site_pool = self.sites_of(self.volunteer_site_kinds) or self.sites
        rows, changes, enrollments, vols = [], [], [], []
        coordinator = self.logger_pk
        for index in range(self.scale.volunteers):
            demo = self.demo_volunteer(index)
            steady = demo is not None or self.steady(index)
            cohort_no = 0 if steady else rng.choices(range(len(cohorts)), weights)[0]
            background = "ar" if demo else weighted(rng, self.volunteer_backgrounds)
            gender = "female" if demo or rng.random() < 0.65 else "male"
            female, male, surnames = NAMES[background]
            first = rng.choice(female if gender == "female" else male)
            last = rng.choice(surnames)
            email = f"{ascii_part(first)}.{ascii_part(last)}@example.org"
            if demo:
                first, last, email = demo.first_name, demo.last_name, demo.email
            elif rng.random() < 0.2:
                email = ""
            languages = pick_languages(rng, BACKGROUND_LANGUAGES[background])
            if self.language not in languages and (demo or rng.random() < 0.95):
                languages.append(self.language)
            if demo and "en" not in languages:
                languages.append("en")
            career = self.career(cohorts[cohort_no], steady)
            sites = [s.pk for s in rng.sample(site_pool, min(len(site_pool), rng.randint(1, 3)))]
            user_pk = self.user_pk(demo.key) if demo else None
            vol = Vol(0, languages, career.active_from, career.active_until, sites, False, user_pk)
            migrant = background not in ("de", "da")
            row = Volunteer(
                program=self.program,
                user_id=user_pk,
                code=f"V-{index + 1:04d}",
                name=f"{first} {last}",
                email=email,
                status=career.status,
                joined_on=career.joined,
                left_on=career.left_on,
                left_reason=career.left_reason,
                lived_refugee_experience=True if migrant and rng.random() < 0.8 else None,
                created_at=self.at(career.joined, 9),
            )
            self.volunteer_extras(index, row, vol, cohorts[cohort_no])
            rows.append(row)
            vols.append(vol)
            changes.append(career.history)
            enrollments.append(
                (cohort_no, career.joined, career.enrolled, career.left_on or self.today)
            )
        Volunteer.objects.bulk_create(rows, batch_size=CHUNK)
        for row, vol in zip(rows, vols, strict=True):
            vol.pk = row.pk
            vol.employed = row.employed_by_id is not None
        self.vols = vols
        VolunteerLanguage = Volunteer.languages.through
        VolunteerSite = Volunteer.usual_sites.through
        VolunteerLanguage.objects.bulk_create(
            [
                VolunteerLanguage(volunteer_id=v.pk, language_id=c)
                for v in vols
                for c in v.languages
            ],
            batch_size=CHUNK * 2,
        )
        VolunteerSite.objects.bulk_create(
            [VolunteerSite(volunteer_id=v.pk, site_id=s) for v in vols for s in v.sites],
            batch_size=CHUNK * 2,
        )
        VolunteerStatusChange.objects.bulk_create(
            [
                VolunteerStatusChange(
                    volunteer_id=v.pk,
                    from_status=old,
                    to_status=new,
                    changed_on=day,
                    reason=reason,
                    changed_by_id=coordinator,
                )
                for v, history in zip(vols, changes, strict=True)
                for old, new, day, reason in history
            ],
            batch_size=CHUNK,
        )
        self.create_enrollments(cohorts, trainings, enrollments)
        self.counts["volunteers"] = len(vols)
        weeks = WINDOW_DAYS // 7 + 1
        self.active_by_week = []
        for week in range(weeks):
            day = self.start + timedelta(days=week * 7 + 3)
            self.active_by_week.append(
                [
                    v
                    for v in vols
                    if v.active_from
                    and v.active_from <= day
                    and (v.active_until is None or v.active_until >= day)
                ]
            )

    def career(self, cohort: Cohort, steady: bool) -> "Career":
        """A volunteer's way through the program: joined, trained, active, paused or left."""
        rng, today = self.rng, self.today
        joined = cohort.starts_on - timedelta(days=rng.randint(10, 60))
        if joined > today:
            joined = today - timedelta(days=rng.randint(1, 20))
        career = Career(joined)
        if cohort.starts_on > today:
            career.enrolled = [(0, "enrolled", None)]
            return career
        career.change(Volunteer.Status.TRAINING, cohort.starts_on)
        if cohort.active_from > today:
            for i, spec in enumerate(cohort.trainings):
                if spec.starts_on <= today:
                    done = spec.ends_on < today
                    career.enrolled.append(
                        (i, "completed" if done else "enrolled", spec.ends_on if done else None)
                    )
            career.active_from = self.working_in_training(cohort)
            return career
        if not steady and rng.random() < 0.1:
            quit_on = day_between(rng, cohort.starts_on, cohort.active_from)
            for i, spec in enumerate(cohort.trainings):
                if spec.starts_on <= quit_on:
                    done = spec.ends_on < quit_on
                    career.enrolled.append(
                        (i, "completed" if done else "dropped", spec.ends_on if done else None)
                    )
            career.leave(quit_on, rng.choice(self.texts["dropped"]))
            return career
        career.enrolled = [
            (i, "completed", spec.ends_on) for i, spec in enumerate(cohort.trainings)
        ]
        career.active_from = cohort.active_from
        career.change(Volunteer.Status.ACTIVE, cohort.active_from)
        settled = cohort.active_from + timedelta(days=30)
        roll = 0.0 if steady else rng.random()
        if roll > 0.9 and settled < today:
            paused = day_between(rng, max(settled, today - timedelta(days=180)), today)
            career.change(Volunteer.Status.PAUSED, paused)
            career.active_until = paused
        elif roll > 0.72 and settled < today:
            career.leave(day_between(rng, settled, today), rng.choice(self.texts["left"]))
        return career

    def demo_volunteer(self, index: int) -> DemoLogin | None:
        return None

    def steady(self, index: int) -> bool:
        """Volunteers of the first cohort who stay active throughout (e.g. employed staff)."""
        return False

    def working_in_training(self, cohort: Cohort) -> date | None:
        """When trainees of an unfinished cohort already work (VBC counsels in practice)."""
        return None

    def create_trainings(self, cohorts: list[Cohort]) -> list[list[Training]]:
        per_cohort = [
            [
                Training(
                    program=self.program,
                    title=spec.title,
                    kind=spec.kind,
                    starts_on=spec.starts_on,
                    ends_on=spec.ends_on,
                    planned_hours=Decimal(
                        f"{len(spec.session_days) * spec.session_minutes / 60:.1f}"
                    ),
                    trainer=spec.trainer,
                )
                for spec in cohort.trainings
            ]
            for cohort in cohorts
        ]
        Training.objects.bulk_create([t for ts in per_cohort for t in ts])
        self.counts["trainings"] = sum(len(ts) for ts in per_cohort)
        return per_cohort

    def create_enrollments(self, cohorts, trainings, enrollments):
        rng = self.rng
        rows, sessions, attendance = [], [], []
        participants_by_training: dict[int, list[tuple[Vol, date]]] = {}
        for vol, (cohort_no, joined, enrolled, last_day) in zip(
            self.vols, enrollments, strict=True
        ):
            cohort = cohorts[cohort_no]
            for i, status, completed_on in enrolled:
                spec, training = cohort.trainings[i], trainings[cohort_no][i]
                hours = 0
                if spec.practice_hours and status != "dropped":
                    low, high = spec.practice_hours
                    share = min(
                        1.0,
                        (self.today - spec.starts_on).days
                        / max(1, (spec.ends_on - spec.starts_on).days),
                    )
                    hours = round(rng.uniform(low, high) * share)
                enrolled_on = min(
                    joined + timedelta(days=rng.randint(0, 7)), spec.starts_on, self.today
                )
                rows.append(
                    Enrollment(
                        training_id=training.pk,
                        volunteer_id=vol.pk,
                        status=status,
                        enrolled_on=enrolled_on,
                        completed_on=completed_on,
                        practice_hours=Decimal(hours),
                    )
                )
                participants_by_training.setdefault(training.pk, []).append((vol, last_day))
        Enrollment.objects.bulk_create(rows, batch_size=CHUNK)
        for cohort, ts in zip(cohorts, trainings, strict=True):
            for spec, training in zip(cohort.trainings, ts, strict=True):
                for number, day in enumerate(spec.session_days):
                    sessions.append(
                        TrainingSession(
                            training_id=training.pk,
                            date=day,
                            minutes=spec.session_minutes,
                            topic=spec.session_topics[number % len(spec.session_topics)],
                        )
                    )
        TrainingSession.objects.bulk_create(sessions, batch_size=CHUNK)
        for session in sessions:
            if session.date > self.today:
                continue
            for vol, last_day in participants_by_training.get(session.training_id, ()):
                if session.date <= last_day and rng.random() < 0.9:
                    attendance.append(
                        TrainingAttendance(session_id=session.pk, volunteer_id=vol.pk)
                    )
        TrainingAttendance.objects.bulk_create(attendance, batch_size=CHUNK * 2)
        self.counts["training sessions"] = len(sessions)

    def create_supervision(self):
        rng = self.rng
        supervisor_pk = self.user_pk(self.supervisor_key) if self.supervisor_key else None
        external = SUPERVISORS[self.language]
        sessions, attendees = [], []
        day = self.start + timedelta(days=rng.randint(3, 14))
        while day <= self.today:
            pool = list(self.active_on(day))
            rng.shuffle(pool)
            groups = max(1, math.ceil(len(pool) / self.supervision_group_size))
            for g in range(groups):
                present = [v for v in pool[g::groups] if v.user_id or rng.random() < 0.75]
                if not present:
                    continue
                sessions.append(
                    self.supervision(
                        SupervisionSession.Kind.GROUP,
                        day,
                        rng.choice((90, 120, 120, 150)),
                        supervisor_pk,
                        external,
                    )
                )
                attendees.append([v.pk for v in present])
            day += timedelta(days=self.supervision_every_days + rng.randint(-3, 3))
        for vol in self.vols:
            if not vol.active_from:
                continue
            first = max(vol.active_from, self.start)
            last = vol.active_until or self.today
            for _ in range(rng.randint(0, max(0, (last - first).days // 240))):
                sessions.append(
                    self.supervision(
                        SupervisionSession.Kind.INDIVIDUAL,
                        day_between(rng, first, last),
                        60,
                        supervisor_pk,
                        external,
                    )
                )
                attendees.append([vol.pk])
        SupervisionSession.objects.bulk_create(sessions, batch_size=CHUNK)
        Attendee = SupervisionSession.attendees.through
        Attendee.objects.bulk_create(
            [
                Attendee(supervisionsession_id=s.pk, volunteer_id=v)
                for s, vs in zip(sessions, attendees, strict=True)
                for v in vs
            ],
            batch_size=CHUNK * 2,
        )
        self.counts["supervision sessions"] = len(sessions)

    def supervision(self, kind, day, minutes, supervisor_pk, external):
        topics = self.rng.sample(self.texts["supervision"], 2)
        return SupervisionSession(
            program=self.program,
            kind=kind,
            date=day,
            minutes=minutes,
            supervisor_id=supervisor_pk,
            supervisor_name="" if supervisor_pk else self.rng.choice(external),
            topics=", ".join(topics),
        )

    # ---- participants and providers --------------------------------------------------

    def participant_count(self) -> int:
        return max(1, round(self.scale.participants * self.participant_factor))

    def participant_site(self, first_seen: date) -> SiteRow | None:
        pool = self.sites_of(self.participant_site_kinds)
        if not pool:
            return None
        return self.rng.choices(pool, [s.capacity or 1 for s in pool])[0]

    def aftercare(self, site: SiteRow | None, first_seen: date) -> date | None:
        return None

    def create_participants(self):
        rng = self.rng
        codes: set[str] = set()
        rows, people = [], []
        for _ in range(self.participant_count()):
            code = ""
            while not code or code in codes:
                code = "P-" + "".join(rng.choices(PARTICIPANT_CODE_ALPHABET, k=5))
            codes.add(code)
            first_seen = day_between(
                rng, self.start - timedelta(days=180), self.today - timedelta(days=1)
            )
            origin = weighted(rng, self.origins)
            if rng.random() < self.minor_share:
                born = first_seen.year - rng.randint(6, 17)
            else:
                born = first_seen.year - rng.randint(18, 68)
            roll = rng.random()
            gender = (
                Participant.Gender.FEMALE
                if roll < self.female_share
                else Participant.Gender.MALE
                if roll < 0.97
                else Participant.Gender.DIVERSE
                if roll < 0.98
                else Participant.Gender.UNKNOWN
            )
            languages = pick_languages(rng, ORIGIN_LANGUAGES[origin])
            if self.language not in languages and rng.random() < 0.25:
                languages.append(self.language)
            if "en" not in languages and rng.random() < 0.15:
                languages.append("en")
            site = self.participant_site(first_seen)
            scope, consent_on = "", None
            if rng.random() < 0.92:
                scope = weighted(rng, {"support": 40, "referral": 35, "evaluation": 25})
                consent_on = first_seen
            person = Person(
                0,
                first_seen,
                born,
                gender,
                languages,
                site.pk if site else None,
                scope,
                consent_on,
                self.aftercare(site, first_seen),
            )
            rows.append(
                Participant(
                    program=self.program,
                    code=code,
                    year_of_birth=born,
                    gender=gender,
                    country_of_origin=origin,
                    site_id=person.site,
                    consent_on=consent_on,
                    consent_scope=scope,
                    aftercare_until=person.aftercare_until,
                    alias=self.alias(gender, origin),
                    created_at=self.at(first_seen, 11),
                )
            )
            people.append(person)
        Participant.objects.bulk_create(rows, batch_size=CHUNK)
        for row, person in zip(rows, people, strict=True):
            person.pk = row.pk
        Spoken = Participant.languages.through
        Spoken.objects.bulk_create(
            [Spoken(participant_id=p.pk, language_id=c) for p in people for c in p.languages],
            batch_size=CHUNK * 2,
        )
        people.sort(key=lambda p: p.first_seen)
        self.people = people
        self.first_seen = [p.first_seen for p in people]
        self.people_by_site: dict[int, list[Person]] = {}
        for person in people:
            if person.site:
                self.people_by_site.setdefault(person.site, []).append(person)
        self.counts["participants"] = len(people)

    def alias(self, gender: str, origin: str) -> str:
        if self.rng.random() > 0.3:
            return ""
        background = {
            "AF": "prs",
            "IR": "fa",
            "ER": "ti",
            "ET": "ti",
            "SO": "so",
            "UA": "uk",
            "TR": "tr",
            "RU": "ru",
            "DE": "de",
            "BA": "de",
        }.get(origin, "ar")
        female, male, surnames = NAMES[background]
        first = self.rng.choice(female if gender == "female" else male)
        return f"{first} {self.rng.choice(surnames)[0]}."

    def create_providers(self):
        specs = self.provider_specs()
        rows = ServiceProvider.objects.bulk_create(
            [
                ServiceProvider(
                    program=self.program,
                    organisation=(self.partners.get(spec.organisation) or self.lead)
                    if spec.organisation
                    else None,
                    name=spec.name,
                    category=spec.category,
                    area_id=self.area_pks.get(spec.area),
                    accepts_self_referral=spec.self_referral,
                    waiting_weeks=spec.waiting_weeks,
                )
                for spec in specs
            ]
        )
        Served = ServiceProvider.languages.through
        Served.objects.bulk_create(
            [
                Served(serviceprovider_id=row.pk, language_id=code)
                for row, spec in zip(rows, specs, strict=True)
                for code in spec.languages
            ]
        )
        self.providers = [(row.pk, spec.category) for row, spec in zip(rows, specs, strict=True)]
        self.provider_weights = [
            4 if spec.category in self.main_referral_categories() else 1 for spec in specs
        ]
        self.counts["providers"] = len(rows)

    def main_referral_categories(self) -> tuple[str, ...]:
        return (Category.PSYCHOSOCIAL_CENTRE, Category.PSYCHOTHERAPY, Category.PSYCHIATRY)

    # ---- activities ------------------------------------------------------------------

    def create_free_activities(self, writer: ActivityWriter):
        rng = self.rng
        count = max(0, self.budget - writer.total - len(writer.pending))
        days = sorted(workday_between(rng, self.start, self.today) for _ in range(count))
        kinds = list(self.free_kinds)
        weights = list(self.free_kinds.values())
        for day in days:
            kind = rng.choices(kinds, weights)[0]
            pool = self.active_on(day)
            if not pool:
                continue
            lead = self.pick_facilitator(kind, pool)
            if kind in INDIVIDUAL:
                people = self.pick_participants(kind, day, lead)
                if not people:
                    continue
                self.emit(
                    writer, kind, day, [lead], people=people, site=self.site_for(kind, lead, people)
                )
            else:
                team = [lead]
                if len(pool) > 1 and rng.random() < 0.35:
                    other = rng.choice(pool)
                    if other is not lead:
                        team.append(other)
                self.emit(writer, kind, day, team, site=self.site_for(kind, lead, ()))

    def pick_facilitator(self, kind: str, pool: list[Vol]) -> Vol:
        return self.rng.choice(pool)

    def pick_participants(self, kind: str, day: date, lead: Vol) -> list[Person]:
        """Someone already known on that day, more often a recent one, ideally sharing a
        language with the volunteer."""
        k = bisect.bisect_right(self.first_seen, day)
        if not k:
            return []
        best = None
        for _ in range(3):
            offset = int(self.rng.expovariate(1 / max(1.0, k * 0.3)))
            person = self.people[max(0, k - 1 - offset)]
            if person.aftercare_until and person.aftercare_until < day:
                continue
            best = best or person
            if set(person.languages) & set(lead.languages):
                return [person]
        return [best] if best else []

    def site_for(self, kind: str, lead: Vol, people) -> int | None:
        if people and people[0].site:
            return people[0].site
        if lead.sites and self.rng.random() < 0.8:
            return self.rng.choice(lead.sites)
        pool = self.sites_of(self.event_site_kinds)
        return self.rng.choice(pool).pk if pool else None

    def emit(
        self,
        writer,
        kind,
        day,
        team,
        *,
        people=(),
        site=None,
        topics=None,
        languages=None,
        notes="",
    ):
        """Queue one activity led by `team`; languages, topics and counts follow from them."""
        rng = self.rng
        interpreter = False
        if languages is None:
            spoken = [c for c in team[0].languages if c != "en"] or team[0].languages
            if people:
                shared = [c for c in people[0].languages if c in team[0].languages]
                if shared:
                    languages = [shared[0]]
                else:
                    languages = list(dict.fromkeys([people[0].languages[0], self.language]))
                    interpreter = True
            else:
                own = [c for c in spoken if c != self.language]
                languages = [self.language] + ([own[0]] if own and rng.random() < 0.6 else [])
        if topics is None:
            keys = self.topics[kind]
            picked = rng.sample(keys, min(len(keys), rng.choice((1, 1, 1, 2, 2))))
            topics = [self.ctx.topics[key] for key in picked]
            if self.own_topic_pks and rng.random() < 0.1:
                topics.append(rng.choice(self.own_topic_pks))
        if people:
            total = len(people)
            women = sum(p.gender == "female" for p in people)
            men = sum(p.gender == "male" for p in people)
            children = sum(day.year - p.year_of_birth < 18 for p in people)
            if kind == Kind.VISIT and people[0].pk not in self.seen:
                notes = notes or self.texts["intake"]
            self.seen.update(p.pk for p in people)
        else:
            total, women, men, children = self.headcount(kind)
        if not notes and rng.random() < 0.05:
            notes = rng.choice(self.texts["note"])
        logged_by = next((v.user_id for v in team if v.user_id), None) or self.logger_pk
        stamp = self.at(day, rng.randint(16, 21), rng.randint(0, 59))
        activity = Activity(
            program_id=self.program.pk,
            kind=kind,
            date=day,
            minutes=rng.choice(MINUTES[kind]),
            site_id=site,
            logged_by_id=logged_by,
            interpreter_used=interpreter,
            attendees_total=total,
            attendees_women=women,
            attendees_men=men,
            attendees_children=children,
            notes=notes,
            follow_up_needed=rng.random() < 0.08,
            created_at=stamp,
            updated_at=stamp,
        )
        rate = self.concern_rate if kind in INDIVIDUAL else self.concern_rate / 3
        concern = self.acknowledger_pk is not None and rng.random() < rate
        writer.add(
            activity, [v.pk for v in team], languages, topics, [p.pk for p in people], concern
        )

    def meeting_days(self, first: date | None, last: date, gaps: tuple[int, ...]) -> list[date]:
        """Regular meeting dates from first to last (within the window), `gaps` days apart."""
        days = []
        if first is not None:
            day = max(first, self.start)
            while day <= min(last, self.today):
                days.append(day)
                day += timedelta(days=self.rng.choice(gaps))
        return days

    def headcount(self, kind: str) -> tuple[int, int, int, int]:
        low, high, women_share, child_share = HEADCOUNTS[kind]
        rng = self.rng
        total = rng.randint(low, high)
        women = min(total, round(total * women_share * rng.uniform(0.6, 1.4)))
        men = min(total - women, round((total - women) * rng.uniform(0.75, 1.0)))
        children = min(total, round(total * child_share * rng.uniform(0, 2)))
        return total, women, men, children

    def concern_for(self, activity: Activity) -> Concern:
        rng = self.rng
        raised = activity.created_at
        acknowledged_at = outcome = None
        if raised.date() < self.today - timedelta(days=14) or rng.random() < 0.5:
            acknowledged_at = raised + timedelta(hours=rng.randint(1, 48))
            outcome = rng.choice(self.texts["outcome"])
        return Concern(
            program_id=self.program.pk,
            activity_id=activity.pk,
            category=weighted(rng, CONCERN_CATEGORIES),
            severity=weighted(rng, CONCERN_SEVERITIES),
            description=rng.choice(self.texts["concern"]),
            raised_by_id=activity.logged_by_id,
            raised_at=raised,
            acknowledged_by_id=self.acknowledger_pk if acknowledged_at else None,
            acknowledged_at=acknowledged_at,
            outcome=outcome or "",
        )

    # ---- referrals -------------------------------------------------------------------

    def create_referrals(self, extra: list[tuple[Referral, list[tuple]]] | None = None):
        rng = self.rng
        made = list(extra or [])
        if self.providers and self.people:
            consenting = [p for p in self.people if p.consent_scope in ("referral", "evaluation")]
            for _ in range(round(len(self.people) * self.referral_rate)):
                flow = rng.choices([f for f, _ in REFERRAL_FLOWS], [w for _, w in REFERRAL_FLOWS])[
                    0
                ]
                pool = consenting if len(flow) > 1 and consenting else self.people
                person = rng.choice(pool)
                provider, category = rng.choices(self.providers, self.provider_weights)[0]
                made.append(
                    self.referral(
                        person,
                        provider,
                        category,
                        flow,
                        day_between(rng, max(person.first_seen, self.start), self.today),
                    )
                )
        referrals = [r for r, _ in made]
        Referral.objects.bulk_create(referrals, batch_size=CHUNK)
        events = [
            ReferralEvent(
                referral_id=r.pk, from_status=old, to_status=new, by_id=by, at=at, note=note
            )
            for r, steps in made
            for old, new, by, at, note in steps
        ]
        ReferralEvent.objects.bulk_create(events, batch_size=CHUNK)
        self.counts["referrals"] = len(referrals)

    def referral_author(self) -> int | None:
        return self.logger_pk

    def referral(
        self,
        person: Person,
        provider: int,
        category: str,
        flow,
        referred_on: date,
        *,
        direction=Referral.Direction.OUTBOUND,
        match=None,
    ):
        rng = self.rng
        author = self.referral_author()
        steps, day, status = [], referred_on, ""
        sent_on = appointment_on = closed_on = None
        for number, new in enumerate(flow):
            if number:
                low, high = REFERRAL_STEP_DAYS[new]
                if new in ("attended", "no_show"):
                    day = appointment_on
                else:
                    day = day + timedelta(days=rng.randint(low, high))
                if day > self.today:
                    break
            if new == "sent":
                sent_on = day
            elif new == "appointment":
                appointment_on = day + timedelta(days=7 * rng.randint(0, 8) + rng.randint(1, 6))
            elif new == "closed":
                closed_on = day
            steps.append((status, new, author, self.at(day, 9 + number, rng.randint(0, 59)), ""))
            status = new
        consent = direction == Referral.Direction.INBOUND or status != "proposed"
        if status in ("attended", "closed"):
            outcome = rng.choice(self.texts["referral_outcome"])
        else:
            outcome = ""
        last = steps[-1][3]
        referral = Referral(
            program_id=self.program.pk,
            participant_id=person.pk,
            direction=direction,
            provider_id=provider,
            category=category,
            urgency=weighted(rng, {"routine": 70, "soon": 22, "urgent": 8}),
            consent_to_share=consent,
            consent_on=referred_on if consent else None,
            status=status,
            referred_on=referred_on,
            sent_on=sent_on,
            appointment_on=appointment_on,
            closed_on=closed_on,
            outcome=outcome,
            match=match,
            created_by_id=author,
            version=len(steps),
            created_at=steps[0][3],
            updated_at=last,
        )
        return referral, steps

    def create_memberships(self):
        Membership.objects.bulk_create(
            [
                Membership(user=self.ctx.users[key], program=self.program, role=role)
                for key, role in self.members
            ]
        )
        self.logins = [(self.ctx.users[key].email, role, self.name) for key, role in self.members]


# --------------------------------------------------------------------------------------------
# The five programs
# --------------------------------------------------------------------------------------------

MAGS_NRW = FunderSpec(
    "Ministerium für Arbeit, Gesundheit und Soziales des Landes Nordrhein-Westfalen"
)
AMIF = FunderSpec("Asyl-, Migrations- und Integrationsfonds (AMIF)", Funder.Kind.EU)
MSGS_MV = FunderSpec("Ministerium für Soziales, Gesundheit und Sport Mecklenburg-Vorpommern")
KIM_NRW = FunderSpec("Land Nordrhein-Westfalen – Kommunales Integrationsmanagement")
SW_NRW = FunderSpec("Stiftung Wohlfahrtspflege NRW", Funder.Kind.FOUNDATION)
SBST_DK = FunderSpec("Social- og Boligstyrelsen", country="DK")
VELUX_DK = FunderSpec("VELUX FONDEN", Funder.Kind.FOUNDATION, "DK")
GKV_NRW = FunderSpec(
    "GKV-Gemeinschaftsförderung Selbsthilfe auf Landesebene NRW", Funder.Kind.OTHER
)
FUNDERS = (MAGS_NRW, AMIF, MSGS_MV, KIM_NRW, SW_NRW, SBST_DK, VELUX_DK, GKV_NRW)


def selfhelp_funder(state: str) -> FunderSpec:
    return FunderSpec(f"GKV-Gemeinschaftsförderung Selbsthilfe {STATES[state]}", Funder.Kind.OTHER)


def integration_funder(state: str) -> FunderSpec:
    return FunderSpec(f"Landesprogramm Integration {STATES[state]}")


def grant_targets(builder: ProgramBuilder, starts_on: date, ends_on: date, **values) -> dict:
    """Targets for a grant period; counts of activity are pro rata of the activity budget."""
    days = (min(ends_on, builder.today) - max(starts_on, builder.start)).days
    share = max(0.05, min(1.0, days / WINDOW_DAYS))
    return {Target.Indicator.ACTIVITIES: builder.budget * share * 0.9, **values}


class In2Balance(ProgramBuilder):
    slug = "in2balance"
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
    lead_org = OrgSpec(
        "Psychosoziales Zentrum für Flüchtlinge Düsseldorf e. V.",
        Organisation.Kind.NGO,
        "Düsseldorf",
    )
    partner_orgs = (
        OrgSpec(
            "Landeshauptstadt Düsseldorf – Amt für Migration und Integration",
            Organisation.Kind.CITY,
            "Düsseldorf",
        ),
    )
    members = (
        ("coordinator", Role.COORDINATOR),
        ("supervisor", Role.SUPERVISOR),
        ("volunteer", Role.VOLUNTEER),
        ("funder", Role.FUNDER),
    )
    SHELTERS = (
        ("Gemeinschaftsunterkunft Oberbilker Allee", "Oberbilker Allee 212", 180),
        ("Notunterkunft Flughafenstraße", "Flughafenstraße 61", 240),
        ("Unterkunft Am Steinberg", "Am Steinberg 24", 90),
        ("Gemeinschaftsunterkunft Kaiserswerther Straße", "Kaiserswerther Straße 390", 150),
        ("Unterkunft Blanckertzstraße", "Blanckertzstraße 8", 120),
        ("Notunterkunft Messe Nord", "Am Staad 5", 400),
        ("Unterkunft Heerdter Landstraße", "Heerdter Landstraße 190", 80),
        ("Gemeinschaftsunterkunft Ratinger Weg", "Ratinger Weg 14", 110),
        ("Unterkunft Benrodestraße", "Benrodestraße 72", 60),
        ("Unterkunft Vennhauser Allee", "Vennhauser Allee 135", 100),
        ("Gemeinschaftsunterkunft Lierenfelder Straße", "Lierenfelder Straße 40", 160),
        ("Unterkunft Niederheider Straße", "Niederheider Straße 29", 70),
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
        return [
            SiteSpec(name, Site.Kind.SHELTER, "Düsseldorf", address, capacity)
            for name, address, capacity in self.SHELTERS
        ] + [
            SiteSpec(
                "PSZ Düsseldorf – Beratungsstelle",
                Site.Kind.OFFICE,
                "Düsseldorf",
                "Benrather Straße 7",
            )
        ]

    def provider_specs(self):
        psz = "Psychosoziales Zentrum für Flüchtlinge Düsseldorf e. V."
        return [
            ProviderSpec(
                "PSZ Düsseldorf – Therapie und Beratung",
                Category.PSYCHOSOCIAL_CENTRE,
                ("de", "ar", "fa", "en", "ti"),
                waiting_weeks=8,
                organisation=psz,
            ),
            ProviderSpec(
                "LVR-Klinikum Düsseldorf – Institutsambulanz",
                Category.PSYCHIATRY,
                ("de", "en"),
                waiting_weeks=4,
            ),
            ProviderSpec(
                "Psychotherapeutische Praxis am Hauptbahnhof",
                Category.PSYCHOTHERAPY,
                ("de", "en", "ar"),
                waiting_weeks=12,
            ),
            ProviderSpec(
                "Gesundheitsamt – Sprechstunde für Geflüchtete",
                Category.GENERAL_MEDICAL,
                ("de", "en", "ar"),
                self_referral=True,
                waiting_weeks=1,
            ),
            ProviderSpec(
                "Flüchtlingsberatung der Diakonie Düsseldorf",
                Category.REFUGEE_COUNSELLING,
                ("de", "ar", "fa", "en"),
                self_referral=True,
                waiting_weeks=2,
            ),
            ProviderSpec(
                "Frauenberatungsstelle Düsseldorf",
                Category.WOMENS_PROTECTION,
                ("de", "en", "tr"),
                self_referral=True,
                waiting_weeks=1,
            ),
            ProviderSpec(
                "Jugendmigrationsdienst Düsseldorf",
                Category.YOUTH_MIGRATION,
                ("de", "en", "ar"),
                self_referral=True,
            ),
            ProviderSpec(
                "VHS Düsseldorf – Integrationskurse",
                Category.LANGUAGE_COURSE,
                ("de",),
                self_referral=True,
                waiting_weeks=6,
            ),
        ]

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


class ValueBasedCounseling(ProgramBuilder):
    slug = "value-based-counseling"
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
    SHELTERS = (
        ("Erstaufnahmeeinrichtung Nostorf-Horst", "Nostorf", 650),
        ("Erstaufnahmeeinrichtung Stern Buchholz", "Schwerin", 500),
        ("Gemeinschaftsunterkunft Rostock-Lichtenhagen", "Rostock", 180),
        ("Gemeinschaftsunterkunft Rostock-Groß Klein", "Rostock", 140),
        ("Gemeinschaftsunterkunft Greifswald-Schönwalde", "Greifswald", 120),
        ("Gemeinschaftsunterkunft Neubrandenburg-Oststadt", "Neubrandenburg", 150),
        ("Gemeinschaftsunterkunft Stralsund-Grünhufe", "Stralsund", 110),
        ("Gemeinschaftsunterkunft Wismar-Friedenshof", "Wismar", 90),
    )
    MALTESER = "Malteser Hilfsdienst e. V. – Mecklenburg-Vorpommern"
    lead_org = OrgSpec(
        "IPSO gGmbH – International Psychosocial Organisation", Organisation.Kind.NGO, "Konstanz"
    )
    partner_orgs = (OrgSpec(MALTESER, Organisation.Kind.WELFARE, "Schwerin"),)

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
            for name, city, capacity in self.SHELTERS
        ] + [
            SiteSpec(f"Beratungsstelle {city}", Site.Kind.OFFICE, city)
            for city in ("Rostock", "Schwerin", "Greifswald")
        ]

    def provider_specs(self):
        return [
            ProviderSpec(
                "Universitätsmedizin Rostock – Psychiatrische Institutsambulanz",
                Category.PSYCHIATRY,
                ("de", "en"),
                waiting_weeks=6,
            ),
            ProviderSpec(
                "Psychosoziales Zentrum Mecklenburg-Vorpommern",
                Category.PSYCHOSOCIAL_CENTRE,
                ("de", "ar", "prs", "en"),
                waiting_weeks=10,
            ),
            ProviderSpec(
                "Psychotherapeutische Praxis Schwerin",
                Category.PSYCHOTHERAPY,
                ("de", "ru"),
                waiting_weeks=16,
            ),
            ProviderSpec(
                "Migrationsberatung für Erwachsene – Malteser Rostock",
                Category.SOCIAL_COUNSELLING,
                ("de", "ar", "uk", "ru"),
                self_referral=True,
                organisation=self.MALTESER,
            ),
            ProviderSpec(
                "Flüchtlingsrat Mecklenburg-Vorpommern – Beratung",
                Category.REFUGEE_COUNSELLING,
                ("de", "en", "fr"),
                self_referral=True,
            ),
            ProviderSpec(
                "Sozialpsychiatrischer Dienst Landkreis Rostock",
                Category.PSYCHIATRY,
                ("de",),
                waiting_weeks=2,
            ),
        ]

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
                row.employed_by = self.partners[self.MALTESER]
                row.employed_since = since


class AnkommenInDueren(ProgramBuilder):
    slug = "aid-dueren"
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
    AREAS = ("Nord", "Ost", "Süd", "West", "Mitte")
    STREETS = {
        "Nord": ("Nordstraße", "Am Ellernbusch", "Rurstraße"),
        "Ost": ("Eisenbahnstraße", "Veldener Straße", "Schoellerstraße"),
        "Süd": ("Kölner Landstraße", "Birkesdorfer Straße", "Zehnthofstraße"),
        "West": ("Aachener Straße", "Monschauer Straße", "Arnoldsweilerstraße"),
        "Mitte": ("Wilhelm-Wester-Weg", "Josef-Schregel-Straße", "Kaiserplatz"),
    }
    PARTNERS = (
        "Caritasverband für die Region Düren-Jülich e. V.",
        "Diakonisches Werk im Kirchenkreis Jülich",
        "AWO Kreisverband Düren e. V.",
        "DRK-Kreisverband Düren e. V.",
    )
    lead_org = OrgSpec(
        "Stadt Düren – Amt für Soziales, Wohnen und Integration", Organisation.Kind.CITY, "Düren"
    )
    partner_orgs = tuple(OrgSpec(name, Organisation.Kind.WELFARE, "Düren") for name in PARTNERS)

    def area_name(self, short: str) -> str:
        return f"Integrationsraum {self.AREAS.index(short) + 1} – {short}"

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
        return [(self.area_name(short), 100, Decimal("2.00")) for short in self.AREAS]

    def site_specs(self):
        rng, specs = self.rng, []
        for short in self.AREAS:
            area, streets = self.area_name(short), self.STREETS[short]
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
                area=self.area_name("Mitte"),
            )
        )
        return specs

    def provider_specs(self):
        caritas, diakonie, awo, drk = self.PARTNERS
        return [
            ProviderSpec(
                "Flüchtlingsberatung der Caritas Düren",
                Category.REFUGEE_COUNSELLING,
                ("de", "ar", "fa", "en"),
                True,
                2,
                organisation=caritas,
            ),
            ProviderSpec(
                "Jugendmigrationsdienst Düren",
                Category.YOUTH_MIGRATION,
                ("de", "en", "ar"),
                True,
                1,
                organisation=diakonie,
            ),
            ProviderSpec(
                "Migrationsberatung für Erwachsene (AWO)",
                Category.SOCIAL_COUNSELLING,
                ("de", "tr", "ru", "uk"),
                True,
                2,
                organisation=awo,
            ),
            ProviderSpec(
                "Psychologische Beratungsstelle des DRK",
                Category.PSYCHOTHERAPY,
                ("de", "en"),
                False,
                10,
                organisation=drk,
            ),
            ProviderSpec(
                "LVR-Klinik Düren – Institutsambulanz", Category.PSYCHIATRY, ("de", "en"), False, 5
            ),
            ProviderSpec(
                "Psychosoziales Zentrum Aachen",
                Category.PSYCHOSOCIAL_CENTRE,
                ("de", "ar", "fa", "ti", "en"),
                False,
                14,
            ),
            ProviderSpec(
                "Frauenberatungsstelle Düren",
                Category.WOMENS_PROTECTION,
                ("de", "en", "ar"),
                True,
                1,
            ),
            ProviderSpec(
                "VHS Rur-Eifel – Integrationskurse", Category.LANGUAGE_COURSE, ("de",), True, 6
            ),
            ProviderSpec(
                "Gesundheitsamt Kreis Düren",
                Category.GENERAL_MEDICAL,
                ("de", "en"),
                True,
                1,
                area=self.area_name("Mitte"),
            ),
            ProviderSpec(
                "Wohnraumvermittlung der Stadt Düren",
                Category.HOUSING,
                ("de",),
                True,
                8,
                area=self.area_name("Mitte"),
            ),
        ]

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
        partner = self.partners[self.PARTNERS[index % len(self.PARTNERS)]]
        area = self.area_name(self.AREAS[index % len(self.AREAS)])
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


class LivetGaarVidere(ProgramBuilder):
    slug = "livet-gaar-videre"
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
    PARTNERS = (
        "Region Hovedstadens Psykiatri",
        "Psykiatrien i Region Syddanmark",
        "Aarhus Universitetshospital, Psykiatrien",
    )
    lead_org = OrgSpec("Foreningen Livet går videre", Organisation.Kind.NGO, "København", "DK")
    partner_orgs = tuple(OrgSpec(name, Organisation.Kind.HEALTH, "", "DK") for name in PARTNERS)

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
            SiteSpec(
                "Kontor København (Nørrebro)", Site.Kind.OFFICE, "København", "Nørrebrogade 52"
            ),
            SiteSpec("Kontor Aarhus", Site.Kind.OFFICE, "Aarhus", "Jægergårdsgade 81"),
            SiteSpec("Kontor Odense", Site.Kind.OFFICE, "Odense", "Kongensgade 30"),
        ]

    def provider_specs(self):
        capital, south, aarhus = self.PARTNERS
        return [
            ProviderSpec(
                "Kompetencecenter for Transkulturel Psykiatri",
                Category.PSYCHIATRY,
                ("da", "en", "ar", "fa"),
                waiting_weeks=20,
                organisation=capital,
            ),
            ProviderSpec(
                "Klinik for PTSD og Transkulturel Psykiatri, Aarhus",
                Category.PSYCHIATRY,
                ("da", "en", "ar"),
                waiting_weeks=24,
                organisation=aarhus,
            ),
            ProviderSpec(
                "Traumeklinik, Psykiatrien i Region Syddanmark",
                Category.PSYCHIATRY,
                ("da", "en"),
                waiting_weeks=16,
                organisation=south,
            ),
            ProviderSpec(
                "DIGNITY – Dansk Institut Mod Tortur",
                Category.PSYCHOSOCIAL_CENTRE,
                ("da", "en", "ar", "fa"),
                waiting_weeks=12,
            ),
            ProviderSpec(
                "Dansk Flygtningehjælp – Rådgivning",
                Category.REFUGEE_COUNSELLING,
                ("da", "en", "ar", "so", "ti"),
                self_referral=True,
            ),
            ProviderSpec(
                "Sprogcenter København",
                Category.LANGUAGE_COURSE,
                ("da",),
                self_referral=True,
                waiting_weeks=4,
            ),
        ]

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


class InGangSetzer(ProgramBuilder):
    slug = "in-gang-setzer"
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
    lead_org = OrgSpec(
        "Der Paritätische Nordrhein-Westfalen", Organisation.Kind.WELFARE, "Wuppertal"
    )
    volunteer_site_kinds = (Site.Kind.CONTACT_POINT,)
    event_site_kinds = (Site.Kind.CONTACT_POINT,)
    participant_site_kinds = ()
    CITIES = (
        ("Bielefeld", "NW"),
        ("Münster", "NW"),
        ("Dortmund", "NW"),
        ("Essen", "NW"),
        ("Köln", "NW"),
        ("Bonn", "NW"),
        ("Aachen", "NW"),
        ("Wuppertal", "NW"),
        ("Duisburg", "NW"),
        ("Bochum", "NW"),
        ("Gelsenkirchen", "NW"),
        ("Paderborn", "NW"),
        ("Siegen", "NW"),
        ("Hagen", "NW"),
        ("Krefeld", "NW"),
        ("Mönchengladbach", "NW"),
        ("Oberhausen", "NW"),
        ("Hamm", "NW"),
        ("Gütersloh", "NW"),
        ("Detmold", "NW"),
        ("Herford", "NW"),
        ("Minden", "NW"),
        ("Unna", "NW"),
        ("Recklinghausen", "NW"),
        ("Kreis Wesel", "NW"),
        ("Kreis Viersen", "NW"),
        ("Kreis Steinfurt", "NW"),
        ("Kreis Borken", "NW"),
        ("Rhein-Sieg-Kreis", "NW"),
        ("Kreis Euskirchen", "NW"),
        ("Hannover", "NI"),
        ("Osnabrück", "NI"),
        ("Oldenburg", "NI"),
        ("Göttingen", "NI"),
        ("Kassel", "HE"),
        ("Gießen", "HE"),
        ("Marburg", "HE"),
        ("Mainz", "RP"),
        ("Koblenz", "RP"),
        ("Trier", "RP"),
        ("Kiel", "SH"),
        ("Lübeck", "SH"),
        ("Flensburg", "SH"),
        ("Potsdam", "BB"),
        ("Cottbus", "BB"),
        ("Leipzig", "SN"),
        ("Dresden", "SN"),
        ("Chemnitz", "SN"),
        ("Zwickau", "SN"),
        ("Görlitz", "SN"),
    )
    GROUP_TOPICS = {
        SelfHelpGroup.TopicArea.MENTAL_HEALTH: (
            60,
            (
                "Depression",
                "Angst und Panik",
                "Junge Erwachsene mit Depression",
                "Burnout",
                "Bipolare Störung",
                "Zwangserkrankungen",
                "Soziale Phobie",
                "Psychose-Erfahrene",
                "Trauer",
                "ADHS im Erwachsenenalter",
            ),
        ),
        SelfHelpGroup.TopicArea.CARING_RELATIVES: (
            16,
            (
                "Pflegende Angehörige",
                "Angehörige von Menschen mit Demenz",
                "Angehörige psychisch erkrankter Menschen",
                "Eltern psychisch erkrankter Kinder",
            ),
        ),
        SelfHelpGroup.TopicArea.ADDICTION: (
            8,
            ("Alkohol – Weg aus der Sucht", "Mediensucht", "Angehörige Suchtkranker"),
        ),
        SelfHelpGroup.TopicArea.CHRONIC_ILLNESS: (
            8,
            ("Long Covid", "Fibromyalgie", "Leben mit Krebs", "Tinnitus"),
        ),
        SelfHelpGroup.TopicArea.FAMILY: (6, ("Alleinerziehende", "Sternenkinder-Eltern")),
        SelfHelpGroup.TopicArea.MIGRATION: (
            5,
            ("Frauen mit Fluchterfahrung", "Ukrainische Mütter"),
        ),
        SelfHelpGroup.TopicArea.DISABILITY: (3, ("Leben mit Sehbehinderung",)),
        SelfHelpGroup.TopicArea.OTHER: (2, ("Hochsensibel", "Einsamkeit im Alter")),
    }

    def contact_point_cities(self) -> list[tuple[str, str]]:
        return list(self.CITIES[: self.scale.contact_points])

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
        return [
            ProviderSpec(
                "Terminservicestelle der Kassenärztlichen Vereinigung",
                Category.PSYCHOTHERAPY,
                ("de",),
                True,
                4,
            ),
            ProviderSpec("Sozialpsychiatrischer Dienst", Category.PSYCHIATRY, ("de",), True, 1),
            ProviderSpec("Pflegestützpunkt", Category.SOCIAL_COUNSELLING, ("de", "tr"), True, 1),
            ProviderSpec(
                "Suchtberatungsstelle", Category.SOCIAL_COUNSELLING, ("de", "ru"), True, 2
            ),
            ProviderSpec(
                "Psychosoziales Zentrum für Geflüchtete",
                Category.PSYCHOSOCIAL_CENTRE,
                ("de", "ar", "uk"),
                False,
                12,
            ),
        ]

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
        topic_weights = {area: weight for area, (weight, _) in self.GROUP_TOPICS.items()}
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
            base = f"{rng.choice(self.GROUP_TOPICS[area][1])} {site.city}"
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


# --------------------------------------------------------------------------------------------
# Generated regional programs (medium and large scales)
# --------------------------------------------------------------------------------------------

STATES = {
    "NW": "Nordrhein-Westfalen",
    "NI": "Niedersachsen",
    "HE": "Hessen",
    "RP": "Rheinland-Pfalz",
    "SH": "Schleswig-Holstein",
    "BB": "Brandenburg",
    "SN": "Sachsen",
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "TH": "Thüringen",
    "ST": "Sachsen-Anhalt",
    "HB": "Bremen",
    "HH": "Hamburg",
    "BE": "Berlin",
    "SL": "Saarland",
    "MV": "Mecklenburg-Vorpommern",
}
REGIONAL_CITIES = (
    ("Stuttgart", "BW"),
    ("München", "BY"),
    ("Nürnberg", "BY"),
    ("Frankfurt am Main", "HE"),
    ("Hamburg", "HH"),
    ("Bremen", "HB"),
    ("Berlin", "BE"),
    ("Leipzig", "SN"),
    ("Hannover", "NI"),
    ("Mannheim", "BW"),
    ("Karlsruhe", "BW"),
    ("Freiburg", "BW"),
    ("Augsburg", "BY"),
    ("Regensburg", "BY"),
    ("Würzburg", "BY"),
    ("Erfurt", "TH"),
    ("Jena", "TH"),
    ("Magdeburg", "ST"),
    ("Halle (Saale)", "ST"),
    ("Saarbrücken", "SL"),
    ("Rostock", "MV"),
    ("Kiel", "SH"),
    ("Lübeck", "SH"),
    ("Braunschweig", "NI"),
    ("Osnabrück", "NI"),
    ("Kassel", "HE"),
    ("Darmstadt", "HE"),
    ("Wiesbaden", "HE"),
    ("Mainz", "RP"),
    ("Ludwigshafen", "RP"),
    ("Heidelberg", "BW"),
    ("Ulm", "BW"),
    ("Ingolstadt", "BY"),
    ("Potsdam", "BB"),
    ("Cottbus", "BB"),
    ("Dresden", "SN"),
    ("Chemnitz", "SN"),
    ("Gera", "TH"),
    ("Dessau-Roßlau", "ST"),
    ("Schwerin", "MV"),
    ("Oldenburg", "NI"),
    ("Göttingen", "NI"),
    ("Trier", "RP"),
    ("Koblenz", "RP"),
    ("Bremerhaven", "HB"),
    ("Fulda", "HE"),
    ("Bamberg", "BY"),
    ("Konstanz", "BW"),
)
DISTRICTS = ("Mitte", "Nord", "Süd", "Ost", "West")


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
    if builder is RegionalSelfHelp:
        return f"Der Paritätische {STATES[state]} – Selbsthilfe-Kontaktstellen {city}"
    return f"Flüchtlingshilfe {city} e. V."


def regional_plan(count: int) -> list[tuple[type[ProgramBuilder], int, str, str]]:
    plan = []
    for number in range(1, count + 1):
        city, state = REGIONAL_CITIES[(number - 1) % len(REGIONAL_CITIES)]
        builder = RegionalSelfHelp if number % 2 else RegionalLayHelpers
        plan.append((builder, number, city, state))
    return plan


FIVE = (In2Balance, ValueBasedCounseling, AnkommenInDueren, LivetGaarVidere, InGangSetzer)
DEMO_SLUGS = tuple(builder.slug for builder in FIVE)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def demo_programs():
    return Program.objects.filter(
        Q(slug__in=DEMO_SLUGS) | Q(slug__startswith=EXTRA_SLUG_PREFIX)
    ).order_by("slug")


def demo_user_emails() -> list[str]:
    return [login.email for login in DEMO_LOGINS]


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


def _demo_funder_names() -> set[str]:
    names = {funder.name for funder in FUNDERS}
    for state in STATES:
        names |= {selfhelp_funder(state).name, integration_funder(state).name}
    return names


def create_users(ctx: Context):
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        for login in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=login.email)
            user.email = login.email
            user.first_name, user.last_name = login.first_name, login.last_name
            user.is_staff = user.is_superuser = login.key == "admin"
            user.is_active = True
            user.password = password
            user.save()
            ctx.users[login.key] = user


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
    create_users(ctx)
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
    publish_demo_report(ctx)
    logins = [(ctx.users["admin"].email, "admin", "")]
    for _, program_logins in outcomes:
        logins += program_logins
    return SeedResult([result for result, _ in outcomes], _in_login_order(logins))


def publish_demo_report(ctx: Context) -> Report | None:
    """in2balance's report for the last full calendar year, generated and published.

    The demo funder then has something to download, and the coordinator sees what a published
    report looks like. It goes through the same services as a report made in the browser.
    """
    from reports import generation, services

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
        summary=(
            f"Im Jahr {year} haben die geschulten Laienhelferinnen und Laienhelfer in den "
            "Düsseldorfer Unterkünften Gruppenangebote zu Stress und gesunder Bewältigung, "
            "Informationsveranstaltungen zum Gesundheitssystem und Einzelgespräche in den "
            "Herkunftssprachen der Bewohnerinnen und Bewohner angeboten. Wo Hilfe nötig war, "
            "haben sie an Psychotherapie, das Psychosoziale Zentrum und die ärztliche "
            "Versorgung vermittelt."
        ),
        highlights=(
            "Die Gruppenangebote wurden in allen beteiligten Unterkünften regelmäßig "
            "angenommen. Die Helferinnen und Helfer sprechen zusammen die wichtigsten "
            "Herkunftssprachen der Bewohnerschaft."
        ),
        challenges=(
            "Verlegungen und Schließungen von Unterkünften unterbrechen laufende "
            "Gesprächsreihen. Wartezeiten auf Psychotherapieplätze bleiben lang."
        ),
        outlook=(
            "Im kommenden Jahr sollen weitere Helferinnen und Helfer geschult und die "
            "Zusammenarbeit mit den Fachdiensten verbindlicher vereinbart werden."
        ),
    )
    generation.report_generate(report_id=report.pk)
    return services.report_publish(report=report, by=coordinator)


def existing_logins() -> list[tuple[str, str, str]]:
    """The demo logins present in the database (email, role, program), to print them again."""
    emails = [login.email for login in DEMO_LOGINS]
    rows = [
        (email, role, name)
        for email, role, name in Membership.objects.filter(user__username__in=emails).values_list(
            "user__username", "role", "program__name"
        )
    ]
    if get_user_model().objects.filter(username=DEMO_LOGINS[0].email, is_superuser=True).exists():
        rows.append((DEMO_LOGINS[0].email, "admin", ""))
    return _in_login_order(rows)


def _in_login_order(logins):
    order = [login.key for login in DEMO_LOGINS]
    return sorted(logins, key=lambda row: (order.index(_login_key(row[0])), row[2]))


def _login_key(email: str) -> str:
    return next(login.key for login in DEMO_LOGINS if login.email == email)

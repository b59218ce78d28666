"""What logged work looks like: how long activities last, how many come to those logged
without names, which concerns are raised, how referrals proceed and what self-help groups
are about."""

from programs.models import ActivityKind as Kind
from sessions_log.models import Concern, SelfHelpGroup

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

# Self-help groups by topic area: (weight, group names); the group's city follows the name.
SELFHELP_GROUP_TOPICS = {
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

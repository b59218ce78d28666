"""The service providers each demo program refers people to (its provider directory)."""

from demo.data.organisations import (
    AWO_DUEREN,
    CARITAS_DUEREN,
    DIAKONIE_JUELICH,
    DRK_DUEREN,
    IN2BALANCE_LEAD,
    MALTESER,
    PSYCHIATRY_AARHUS,
    PSYCHIATRY_CAPITAL,
    PSYCHIATRY_SOUTH,
)
from demo.data.places import aid_area_name
from demo.specs import ProviderSpec
from referrals.models import Category

IN2BALANCE_PROVIDERS = (
    ProviderSpec(
        "PSZ Düsseldorf – Therapie und Beratung",
        Category.PSYCHOSOCIAL_CENTRE,
        ("de", "ar", "fa", "en", "ti"),
        waiting_weeks=8,
        organisation=IN2BALANCE_LEAD.name,
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
)

VBC_PROVIDERS = (
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
        organisation=MALTESER.name,
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
)

AID_PROVIDERS = (
    ProviderSpec(
        "Flüchtlingsberatung der Caritas Düren",
        Category.REFUGEE_COUNSELLING,
        ("de", "ar", "fa", "en"),
        True,
        2,
        organisation=CARITAS_DUEREN.name,
    ),
    ProviderSpec(
        "Jugendmigrationsdienst Düren",
        Category.YOUTH_MIGRATION,
        ("de", "en", "ar"),
        True,
        1,
        organisation=DIAKONIE_JUELICH.name,
    ),
    ProviderSpec(
        "Migrationsberatung für Erwachsene (AWO)",
        Category.SOCIAL_COUNSELLING,
        ("de", "tr", "ru", "uk"),
        True,
        2,
        organisation=AWO_DUEREN.name,
    ),
    ProviderSpec(
        "Psychologische Beratungsstelle des DRK",
        Category.PSYCHOTHERAPY,
        ("de", "en"),
        False,
        10,
        organisation=DRK_DUEREN.name,
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
    ProviderSpec("VHS Rur-Eifel – Integrationskurse", Category.LANGUAGE_COURSE, ("de",), True, 6),
    ProviderSpec(
        "Gesundheitsamt Kreis Düren",
        Category.GENERAL_MEDICAL,
        ("de", "en"),
        True,
        1,
        area=aid_area_name("Mitte"),
    ),
    ProviderSpec(
        "Wohnraumvermittlung der Stadt Düren",
        Category.HOUSING,
        ("de",),
        True,
        8,
        area=aid_area_name("Mitte"),
    ),
)

LIVET_PROVIDERS = (
    ProviderSpec(
        "Kompetencecenter for Transkulturel Psykiatri",
        Category.PSYCHIATRY,
        ("da", "en", "ar", "fa"),
        waiting_weeks=20,
        organisation=PSYCHIATRY_CAPITAL.name,
    ),
    ProviderSpec(
        "Klinik for PTSD og Transkulturel Psykiatri, Aarhus",
        Category.PSYCHIATRY,
        ("da", "en", "ar"),
        waiting_weeks=24,
        organisation=PSYCHIATRY_AARHUS.name,
    ),
    ProviderSpec(
        "Traumeklinik, Psykiatrien i Region Syddanmark",
        Category.PSYCHIATRY,
        ("da", "en"),
        waiting_weeks=16,
        organisation=PSYCHIATRY_SOUTH.name,
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
)

IGS_PROVIDERS = (
    ProviderSpec(
        "Terminservicestelle der Kassenärztlichen Vereinigung",
        Category.PSYCHOTHERAPY,
        ("de",),
        True,
        4,
    ),
    ProviderSpec("Sozialpsychiatrischer Dienst", Category.PSYCHIATRY, ("de",), True, 1),
    ProviderSpec("Pflegestützpunkt", Category.SOCIAL_COUNSELLING, ("de", "tr"), True, 1),
    ProviderSpec("Suchtberatungsstelle", Category.SOCIAL_COUNSELLING, ("de", "ru"), True, 2),
    ProviderSpec(
        "Psychosoziales Zentrum für Geflüchtete",
        Category.PSYCHOSOCIAL_CENTRE,
        ("de", "ar", "uk"),
        False,
        12,
    ),
)

"""The organisations that run the demo programs, their partners and the funders of the grants."""

from demo.data.places import STATES
from demo.specs import FunderSpec, OrgSpec
from programs.models import Funder, Organisation

# in2balance
IN2BALANCE_LEAD = OrgSpec(
    "Psychosoziales Zentrum für Flüchtlinge Düsseldorf e. V.",
    Organisation.Kind.NGO,
    "Düsseldorf",
)
IN2BALANCE_PARTNERS = (
    OrgSpec(
        "Landeshauptstadt Düsseldorf – Amt für Migration und Integration",
        Organisation.Kind.CITY,
        "Düsseldorf",
    ),
)

# Value Based Counseling: IPSO trains, the Malteser employ the counsellors.
VBC_LEAD = OrgSpec(
    "IPSO gGmbH – International Psychosocial Organisation", Organisation.Kind.NGO, "Konstanz"
)
MALTESER = OrgSpec(
    "Malteser Hilfsdienst e. V. – Mecklenburg-Vorpommern", Organisation.Kind.WELFARE, "Schwerin"
)

# AiD: the city and the welfare associations whose social workers visit the areas.
AID_LEAD = OrgSpec(
    "Stadt Düren – Amt für Soziales, Wohnen und Integration", Organisation.Kind.CITY, "Düren"
)
CARITAS_DUEREN = OrgSpec(
    "Caritasverband für die Region Düren-Jülich e. V.", Organisation.Kind.WELFARE, "Düren"
)
DIAKONIE_JUELICH = OrgSpec(
    "Diakonisches Werk im Kirchenkreis Jülich", Organisation.Kind.WELFARE, "Düren"
)
AWO_DUEREN = OrgSpec("AWO Kreisverband Düren e. V.", Organisation.Kind.WELFARE, "Düren")
DRK_DUEREN = OrgSpec("DRK-Kreisverband Düren e. V.", Organisation.Kind.WELFARE, "Düren")
AID_PARTNERS = (CARITAS_DUEREN, DIAKONIE_JUELICH, AWO_DUEREN, DRK_DUEREN)

# Livet går videre: the psychiatric services that refer participants.
LIVET_LEAD = OrgSpec("Foreningen Livet går videre", Organisation.Kind.NGO, "København", "DK")
PSYCHIATRY_CAPITAL = OrgSpec("Region Hovedstadens Psykiatri", Organisation.Kind.HEALTH, "", "DK")
PSYCHIATRY_SOUTH = OrgSpec("Psykiatrien i Region Syddanmark", Organisation.Kind.HEALTH, "", "DK")
PSYCHIATRY_AARHUS = OrgSpec(
    "Aarhus Universitetshospital, Psykiatrien", Organisation.Kind.HEALTH, "", "DK"
)
LIVET_PARTNERS = (PSYCHIATRY_CAPITAL, PSYCHIATRY_SOUTH, PSYCHIATRY_AARHUS)

# In-Gang-Setzer
IGS_LEAD = OrgSpec("Der Paritätische Nordrhein-Westfalen", Organisation.Kind.WELFARE, "Wuppertal")
# The welfare association leads two of the demo programs: In-Gang-Setzer through its self-help
# contact points, and in2balance, with its member the PSZ Düsseldorf as the professional
# partner. Its organisation coordinator sees both (demo login ``organisation``).
PARITAETISCHER_NRW = IGS_LEAD

# Funders
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
    """The funder of a generated self-help program in a state."""
    return FunderSpec(f"GKV-Gemeinschaftsförderung Selbsthilfe {STATES[state]}", Funder.Kind.OTHER)


def integration_funder(state: str) -> FunderSpec:
    """The funder of a generated lay-helper program in a state."""
    return FunderSpec(f"Landesprogramm Integration {STATES[state]}")

"""Where the demo programs work: shelters, offices, areas and contact points, and the
cities of the generated regional programs."""

# in2balance: shelters in Düsseldorf (name, address, capacity) and the PSZ's office.
IN2BALANCE_OFFICE = ("PSZ Düsseldorf – Beratungsstelle", "Benrather Straße 7")
IN2BALANCE_SHELTERS = (
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

# Value Based Counseling: shelters in Mecklenburg-Vorpommern (name, city, capacity) and the
# cities with a counselling office.
VBC_OFFICE_CITIES = ("Rostock", "Schwerin", "Greifswald")
VBC_SHELTERS = (
    ("Erstaufnahmeeinrichtung Nostorf-Horst", "Nostorf", 650),
    ("Erstaufnahmeeinrichtung Stern Buchholz", "Schwerin", 500),
    ("Gemeinschaftsunterkunft Rostock-Lichtenhagen", "Rostock", 180),
    ("Gemeinschaftsunterkunft Rostock-Groß Klein", "Rostock", 140),
    ("Gemeinschaftsunterkunft Greifswald-Schönwalde", "Greifswald", 120),
    ("Gemeinschaftsunterkunft Neubrandenburg-Oststadt", "Neubrandenburg", 150),
    ("Gemeinschaftsunterkunft Stralsund-Grünhufe", "Stralsund", 110),
    ("Gemeinschaftsunterkunft Wismar-Friedenshof", "Wismar", 90),
)

# AiD: Düren's five integration areas and the streets of their homes and flats.
AID_AREAS = ("Nord", "Ost", "Süd", "West", "Mitte")
AID_STREETS = {
    "Nord": ("Nordstraße", "Am Ellernbusch", "Rurstraße"),
    "Ost": ("Eisenbahnstraße", "Veldener Straße", "Schoellerstraße"),
    "Süd": ("Kölner Landstraße", "Birkesdorfer Straße", "Zehnthofstraße"),
    "West": ("Aachener Straße", "Monschauer Straße", "Arnoldsweilerstraße"),
    "Mitte": ("Wilhelm-Wester-Weg", "Josef-Schregel-Straße", "Kaiserplatz"),
}


def aid_area_name(short: str) -> str:
    """The name of one of Düren's integration areas, e.g. "Integrationsraum 5 – Mitte"."""
    return f"Integrationsraum {AID_AREAS.index(short) + 1} – {short}"


# Livet går videre: the association's offices (name, city, address).
LIVET_OFFICES = (
    ("Kontor København (Nørrebro)", "København", "Nørrebrogade 52"),
    ("Kontor Aarhus", "Aarhus", "Jægergårdsgade 81"),
    ("Kontor Odense", "Odense", "Kongensgade 30"),
)

# In-Gang-Setzer: the cities of the contact points (city, state).
IGS_CITIES = (
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

# Generated regional programs: states, cities and districts.
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

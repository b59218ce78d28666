"""The texts of the demo data: notes, concerns and their outcomes, supervision topics and
reasons for leaving in the programs' languages; external supervisors; what volunteers bring;
the published in2balance report."""

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

# The published in2balance report of the last calendar year ({year}).
IN2BALANCE_REPORT = {
    "summary": (
        "Im Jahr {year} haben die geschulten Laienhelferinnen und Laienhelfer in den "
        "Düsseldorfer Unterkünften Gruppenangebote zu Stress und gesunder Bewältigung, "
        "Informationsveranstaltungen zum Gesundheitssystem und Einzelgespräche in den "
        "Herkunftssprachen der Bewohnerinnen und Bewohner angeboten. Wo Hilfe nötig war, "
        "haben sie an Psychotherapie, das Psychosoziale Zentrum und die ärztliche "
        "Versorgung vermittelt."
    ),
    "highlights": (
        "Die Gruppenangebote wurden in allen beteiligten Unterkünften regelmäßig "
        "angenommen. Die Helferinnen und Helfer sprechen zusammen die wichtigsten "
        "Herkunftssprachen der Bewohnerschaft."
    ),
    "challenges": (
        "Verlegungen und Schließungen von Unterkünften unterbrechen laufende "
        "Gesprächsreihen. Wartezeiten auf Psychotherapieplätze bleiben lang."
    ),
    "outlook": (
        "Im kommenden Jahr sollen weitere Helferinnen und Helfer geschult und die "
        "Zusammenarbeit mit den Fachdiensten verbindlicher vereinbart werden."
    ),
    "measures": (
        "Zwei Grundschulungen für neue Laienhelferinnen und Laienhelfer, monatliche "
        "Gruppensupervision durch das Psychosoziale Zentrum und regelmäßige Sprechstunden in "
        "den Unterkünften."
    ),
    "milestones": (
        "{year}-04-21 – Zweiter Schulungskurs für Laienhelferinnen und Laienhelfer beginnt\n"
        "{year}-10-20 – Dritter Schulungskurs beginnt"
    ),
}

# Why a target of the published in2balance report is behind plan, by indicator.
IN2BALANCE_REASONS = {
    "referrals": (
        "Das Psychosoziale Zentrum hat von Frühjahr bis Herbst keine neuen Anfragen "
        "angenommen; die Helferinnen und Helfer haben deshalb häufiger an Hausarztpraxen "
        "verwiesen, oft ohne förmliche Vermittlung."
    ),
    "": (
        "Verlegungen und Schließungen von Unterkünften haben laufende Angebote unterbrochen; "
        "die Arbeit wurde in den verbleibenden Unterkünften fortgesetzt."
    ),
}

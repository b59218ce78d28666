"""Which languages volunteers and participants speak, by background and by country of origin."""

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

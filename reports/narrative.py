"""The written parts of a funder report: milestones and the narrative file of ``build_report``.

Milestones are one a line, a date first: ``2025-03-15 – Second training cohort started`` (the
date as ``YYYY-MM-DD`` or ``DD.MM.YYYY``, then a dash, a colon or a space, then the text).

The narrative file (``manage.py build_report --narrative FILE``) is TOML, UTF-8::

    summary = \"\"\"
    Two paragraphs that open the report …
    \"\"\"
    highlights = "…"
    challenges = "…"
    outlook = "…"
    measures = "What the program did in the period …"
    milestones = \"\"\"
    2025-03-15 – Second training cohort started
    2025-09-30 – Cooperation agreement with the psychosocial centre signed
    \"\"\"

    [reasons]
    # Why a target is behind plan, by the target's indicator (or its id as a string: "42").
    people_reached = "Two shelters closed in spring; the residents were moved to …"

Every key is optional; ``milestones`` may also be a list of lines.
"""

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

# The report's narrative fields a file can fill, in the order of the report.
TEXT_FIELDS = ("summary", "highlights", "challenges", "outlook", "measures", "milestones")

_MILESTONE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})\s*(?:[-–—:]\s*)?(?P<text>.*?)\s*$"
)


def _date(text: str) -> dt.date:
    if "-" in text:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    day, month, year = text.split(".")
    return dt.date(int(year), int(month), int(day))


def parse_milestones(text: str) -> list[tuple[dt.date, str]]:
    """The milestones of ``text``, earliest first; ValueError names the first bad line."""
    milestones = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _MILESTONE.match(line)
        try:
            day = _date(match["date"]) if match else None
        except ValueError:
            day = None
        if day is None or not match["text"]:
            raise ValueError(
                _(
                    "Line %(line)d: start with a date (2025-03-15 or 15.03.2025), then the "
                    "milestone."
                )
                % {"line": number}
            )
        milestones.append((day, match["text"]))
    return sorted(milestones, key=lambda item: item[0])


@dataclass
class Narrative:
    """What a narrative file holds: the text fields and the reasons by target or indicator."""

    texts: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def read_narrative(path: Path) -> Narrative:
    """The narrative file at ``path``; ValueError says what is wrong with it."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
        ) from error
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(
            _("%(path)s is not a valid TOML file: %(error)s") % {"path": path, "error": error}
        ) from error
    unknown = set(data) - set(TEXT_FIELDS) - {"reasons"}
    if unknown:
        raise ValueError(
            _("Unknown keys in %(path)s: %(keys)s (known: %(known)s).")
            % {
                "path": path,
                "keys": ", ".join(sorted(unknown)),
                "known": ", ".join((*TEXT_FIELDS, "reasons")),
            }
        )
    narrative = Narrative()
    for key in TEXT_FIELDS:
        value = data.get(key, "")
        if key == "milestones" and isinstance(value, list):
            value = "\n".join(str(line) for line in value)
        if not isinstance(value, str):
            raise ValueError(_("“%(key)s” must be text.") % {"key": key})
        narrative.texts[key] = value.strip()
    try:
        parse_milestones(narrative.texts["milestones"])
    except ValueError as error:
        raise ValueError(f"{_('Milestones')}: {error}") from error
    reasons = data.get("reasons", {})
    if not isinstance(reasons, dict) or not all(isinstance(v, str) for v in reasons.values()):
        raise ValueError(_("[reasons] must map indicators or target ids to text."))
    narrative.reasons = {str(key): text.strip() for key, text in reasons.items() if text.strip()}
    return narrative


def reasons_by_target(reasons: dict[str, str], rows: list[dict]) -> tuple[dict, list[str]]:
    """``reasons`` keyed by indicator or target id, as the report stores them (by target id),
    for the target ``rows`` of a snapshot; also the keys that match no target."""
    by_target, unknown = {}, []
    for key, text in reasons.items():
        matching = [row["key"] for row in rows if key in (row["key"], row["indicator"])]
        if not matching:
            unknown.append(key)
        for target in matching:
            by_target[target] = text
    return by_target, unknown

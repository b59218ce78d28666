"""Importing a program's data from a workbook or CSV files (the format is in ``format.py``).

:func:`program_data_import` makes two passes. The first checks every row of every sheet and
counts what importing would do (new, updated, unchanged per sheet) without writing anything;
it reports every problem as ``sheet, row, column: message``. Only when the whole file is valid
(and it is not a dry run) does the second pass write, in one transaction: if anything goes
wrong there, nothing is kept. The second pass replays the rows the first one read from a
temporary spool file instead of parsing the workbook again; a file where every row is
unchanged needs no second pass.

Both passes stream the rows in batches: references are resolved with dicts loaded once per
run, existing records are compared with ``values()`` loaded per batch by natural key, and
writes are ``bulk_create`` / ``bulk_update`` per batch, with many-to-many rows inserted into
the through tables directly (``COPY`` on PostgreSQL), so memory stays bounded however long
the file is.

Natural keys: site name, volunteer code, participant code, activity ref, referral ref. A ref
of the form ``A-<id>`` (``R-<id>`` for referrals) that the exporter gave a record without a
ref of its own refers to that record of the program, so an edited export can be imported
back. A column that is missing from a sheet leaves that field of existing records as it is; an
empty cell in a present column clears it.
"""

import datetime as dt
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_countries import countries

from core.spreadsheets import FileRefused, Source, cell_text
from programs import languages as iso_languages
from programs.models import ActivityKind, Area, Language, Participant, Program, Site
from programs.selectors import exportable
from referrals import selectors as referral_selectors
from referrals.models import Category, Referral, ReferralEvent, ServiceProvider
from sessions_log.models import Activity, Topic
from sessions_log.selectors import forget_session_languages
from sessions_log.topics import CATALOGUE
from volunteers.models import Volunteer, VolunteerStatusChange

from . import format as fmt

BATCH = 1000
MAX_STORED_PROBLEMS = 10_000
IMPORT_NOTE = "imported"
DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),  # 31.03.2024 (de)
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),  # 31-03-2024 (da)
)
INTEGER = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")

# Columns whose values may also be written as their label in one of the interface languages.
CHOICE_LABELS = {
    ("sites", "kind"): Site.Kind,
    ("volunteers", "status"): Volunteer.Status,
    ("participants", "gender"): Participant.Gender,
    ("participants", "consent_scope"): Participant.ConsentScope,
    ("activities", "kind"): ActivityKind,
    ("referrals", "category"): Category,
    ("referrals", "direction"): Referral.Direction,
    ("referrals", "status"): Referral.Status,
}


# ---- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row is None:
            return gettext("%(sheet)s: %(message)s") % values
        if not self.column:
            return gettext("%(sheet)s, row %(row)s: %(message)s") % values
        return gettext("%(sheet)s, row %(row)s, %(column)s: %(message)s") % values


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)  # per sheet in the file
    problems: list[Problem] = field(default_factory=list)  # the first MAX_STORED_PROBLEMS
    problem_count: int = 0
    ignored: list[str] = field(default_factory=list)  # sheets/files not in the format
    created: Counter = field(default_factory=Counter)  # areas, topics, providers added
    written: bool = False  # the import was carried out (committed)

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(problem)


# ---- references --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A record the file adds that does not exist yet (first pass only)."""

    what: str
    key: str


class KeyMap:
    """Natural key -> primary key; a reference matches exactly, else ignoring case."""

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()):
        self.exact: dict[str, Any] = {}
        self.folded: dict[str, Any] = {}
        for key, value in pairs:
            self.add(key, value)

    def add(self, key: str, value) -> None:
        self.exact[key] = value
        folded = key.casefold()
        # Two keys differing only in case make the case-insensitive match ambiguous.
        self.folded[folded] = value if self.folded.get(folded, value) == value else None

    def get(self, key: str):
        if key in self.exact:
            return self.exact[key]
        return self.folded.get(key.casefold())


ABSENT = object()  # the column is not in the sheet


def _list_items(text: str, separators: str = fmt.LIST_SEPARATOR) -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    items = []
    for item in text.split(separators[0]):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


class _Run:
    """One pass over a file for a program: the lookups, the problems, the counts."""

    def __init__(self, *, program: Program, by, write: bool, result: ImportResult):
        self.program = program
        self.by = by
        self.write = write
        self.result = result
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.sites = KeyMap(program.sites.values_list("name", "pk"))
        self.volunteers = KeyMap(program.volunteers.values_list("code", "pk"))
        self.participants = KeyMap(program.participants.values_list("code", "pk"))
        # As they were before this import, in both passes.
        self.not_exported = frozenset(
            program.participants.exclude(exportable()).values_list("pk", flat=True)
        )
        self.areas = KeyMap(program.areas.values_list("name", "pk"))
        self.providers = KeyMap()
        shared = referral_selectors.providers_for(program).exclude(program=program)
        for name, pk in shared.values_list("name", "pk"):
            self.providers.add(name, pk)
        own = KeyMap(program.providers.values_list("name", "pk"))
        self.providers.exact.update(own.exact)  # the program's own directory comes first
        self.providers.folded.update(own.folded)
        self.topics = self._topic_lookup()
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.choice_lookups: dict[tuple[str, str], dict[str, str]] = {}

    def _topic_lookup(self) -> dict[str, Any]:
        """Topic names -> pk: the catalogue by key and English name first, then the program's."""
        lookup: dict[str, Any] = {}
        catalogue = Topic.objects.filter(program__isnull=True).values_list("pk", "key", "name")
        with translation.override("en"):
            for pk, key, name in catalogue:
                english = str(CATALOGUE.get(key, name))
                for text in (key, name, english):
                    if text:
                        lookup.setdefault(text.casefold(), pk)
        for pk, name in self.program.topics.values_list("pk", "name"):
            lookup.setdefault(name.casefold(), pk)
        return lookup

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.result.add_problem(Problem(sheet, row, column, message))

    def choice_lookup(self, sheet: str, column: fmt.Column) -> dict[str, str]:
        """Allowed values and their labels in every interface language -> value."""
        key = (sheet, column.name)
        if key not in self.choice_lookups:
            from django.conf import settings

            lookup = {value.casefold(): value for value in column.choices}
            choices = CHOICE_LABELS.get(key)
            if choices is not None:
                for code, _name in settings.LANGUAGES:
                    with translation.override(code):
                        for value, label in choices.choices:
                            lookup.setdefault(str(label).casefold(), value)
            self.choice_lookups[key] = lookup
        return self.choice_lookups[key]

    # Records the file refers to that may have to be created.

    def area(self, name: str):
        pk = self.areas.get(name)
        if pk is None:
            if self.write:
                pk = Area.objects.create(program=self.program, name=name).pk
            else:
                pk = Pending("area", name.casefold())
            self.areas.add(name, pk)
            self.result.created["areas"] += 1
        return pk

    def topic(self, name: str):
        folded = name.casefold()
        pk = self.topics.get(folded)
        if pk is None:
            if self.write:
                pk = Topic.objects.create(program=self.program, name=name).pk
            else:
                pk = Pending("topic", folded)
            self.topics[folded] = pk
            self.result.created["topics"] += 1
        return pk

    def provider(self, name: str, category: str):
        pk = self.providers.get(name)
        if pk is None:
            if self.write:
                pk = ServiceProvider.objects.create(
                    program=self.program, name=name, category=category
                ).pk
            else:
                pk = Pending("provider", name.casefold())
            self.providers.add(name, pk)
            self.result.created["providers"] += 1
        return pk


# ---- one row -----------------------------------------------------------------------------


class _Row:
    """The cells of one row, read column by column; problems are reported as they are found."""

    __slots__ = ("run", "sheet", "number", "cells", "ok")

    def __init__(self, run: _Run, sheet: fmt.Sheet, number: int, cells: dict[str, Any]):
        self.run = run
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.run.problem(self.sheet.name, self.number, column, message)

    def has(self, column: str) -> bool:
        return column in self.cells

    def _blank(self, column: str) -> bool:
        value = self.cells[column]
        return value is None or (isinstance(value, str) and not value.strip())

    def _missing(self, column: str) -> bool:
        """Whether the cell is empty; reports it if the column is required."""
        if not self._blank(column):
            return False
        if self.sheet.column(column).required:
            self.error(column, gettext("a value is required"))
        return True

    def text(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        value = cell_text(self.cells[column])
        spec = self.sheet.column(column)
        if spec.max_length and len(value) > spec.max_length:
            self.error(
                column,
                gettext("the text is longer than %(max)s characters") % {"max": spec.max_length},
            )
        return value

    def integer(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        raw = self.cells[column]
        number = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and INTEGER.match(raw.strip()):
            number = int(re.split(r"[.,]", raw.strip())[0])
        if number is None:
            self.error(
                column, gettext("“%(value)s” is not a whole number") % {"value": cell_text(raw)}
            )
            return None
        spec = self.sheet.column(column)
        if spec.minimum is not None and number < spec.minimum:
            if number < 0 and spec.minimum == 0:
                message = gettext("%(value)s is negative; the number cannot be below 0")
            else:
                message = gettext("%(value)s is too small; the lowest allowed is %(min)s")
            self.error(column, message % {"value": number, "min": spec.minimum})
            return None
        if spec.maximum is not None and number > spec.maximum:
            self.error(
                column,
                gettext("%(value)s is too large; the highest allowed is %(max)s")
                % {"value": number, "max": spec.maximum},
            )
            return None
        return number

    def date(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        raw = self.cells[column]
        day = None
        if isinstance(raw, dt.datetime):
            day = raw.date()
        elif isinstance(raw, dt.date):
            day = raw
        elif isinstance(raw, str):
            text = raw.strip()
            for pattern, (y, m, d) in DATE_PATTERNS:
                match = pattern.match(text)
                if match:
                    try:
                        day = dt.date(int(match[y]), int(match[m]), int(match[d]))
                    except ValueError:
                        day = None
                    break
        if day is None or not 1900 <= day.year <= 2100:
            self.error(
                column,
                gettext("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31")
                % {"value": cell_text(raw)},
            )
            return None
        return day

    def choice(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        spec = self.sheet.column(column)
        text = cell_text(self.cells[column])
        value = self.run.choice_lookup(self.sheet.name, spec).get(text.casefold())
        if value is None:
            self.error(
                column,
                gettext("“%(value)s” is not allowed; use one of: %(choices)s")
                % {"value": text, "choices": ", ".join(spec.choices)},
            )
            return ""
        return value

    def yes_no(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        text = cell_text(self.cells[column]).casefold()
        if text in fmt.YES_WORDS:
            return True
        if text in fmt.NO_WORDS:
            return False
        self.error(column, gettext("write yes or no, not “%(value)s”") % {"value": text})
        return None

    def items(self, column: str):
        """A ``;``-separated list of texts, or ABSENT."""
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return []
        return _list_items(cell_text(self.cells[column]))

    def languages(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return frozenset()
        codes = set()
        for item in _list_items(cell_text(self.cells[column]), fmt.LIST_SEPARATOR + ","):
            code = iso_languages.normalise(item)
            if code is None or code not in self.run.languages:
                self.error(
                    column,
                    gettext("“%(value)s” is not a language code; use ISO 639-1 or 639-3 codes")
                    % {"value": item},
                )
            else:
                codes.add(code)
        return frozenset(codes)

    def country(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        text = cell_text(self.cells[column]).upper()
        if len(text) != 2 or not countries.alpha2(text):
            self.error(
                column,
                gettext("“%(value)s” is not a country code; use ISO 3166 alpha-2 (e.g. SY)")
                % {"value": text},
            )
            return ""
        return text

    def reference(self, column: str, keys: KeyMap, what: str):
        """One code or name of a record in the program or in an earlier sheet of the file."""
        text = self.text(column)
        if text is ABSENT or not text:
            return None if text == "" else ABSENT
        pk = keys.get(text)
        if pk is None:
            self.error(column, _unknown_message(what, text))
        return pk

    def references(self, column: str, keys: KeyMap, what: str):
        items = self.items(column)
        if items is ABSENT:
            return ABSENT
        pks = set()
        for item in items:
            pk = keys.get(item)
            if pk is None:
                self.error(column, _unknown_message(what, item))
            else:
                pks.add(pk)
        return frozenset(pks)


def _unknown_message(what: str, value: str) -> str:
    messages = {
        "site": gettext(
            "unknown site “%(value)s”: it is neither in this program nor in the sites sheet"
        ),
        "volunteer": gettext(
            "unknown volunteer code “%(value)s”: it is neither in this program nor in the "
            "volunteers sheet"
        ),
        "participant": gettext(
            "unknown participant code “%(value)s”: it is neither in this program nor in the "
            "participants sheet"
        ),
    }
    return messages[what] % {"value": value}


# ---- sheets ------------------------------------------------------------------------------


@dataclass
class _Existing:
    pk: int
    values: dict  # the compared fields and many-to-many sets, as the row's values are
    extra: dict  # other stored values a write needs


@dataclass(frozen=True)
class _M2M:
    through: Any
    own: str  # the through model's column of the imported record
    other: str  # its column of the related record

    def insert(self, pairs: list[tuple]) -> None:
        """Insert through rows in a few statements (far cheaper than model instances)."""
        if not pairs:
            return
        connection = connections[router.db_for_write(self.through)]
        quote = connection.ops.quote_name
        own = self.through._meta.get_field(self.own)
        other = self.through._meta.get_field(self.other)
        head = (
            f"INSERT INTO {quote(self.through._meta.db_table)} "
            f"({quote(own.column)}, {quote(other.column)}) "
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams the rows without building any SQL per row (psycopg 3).
                table = quote(self.through._meta.db_table)
                columns = f"{quote(own.column)}, {quote(other.column)}"
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for pair in pairs:
                        copy.write_row(pair)
                return
            size = min(BATCH, connection.ops.bulk_batch_size([own, other], pairs))
            for start in range(0, len(pairs), size):
                chunk = pairs[start : start + size]
                cursor.execute(
                    head + "VALUES " + ", ".join(["(%s, %s)"] * len(chunk)),
                    [value for pair in chunk for value in pair],
                )


class _Handler:
    """How one sheet maps to its model. Subclasses fill in the sheet-specific parts."""

    sheet: fmt.Sheet
    model: Any
    key_field: str
    fields: tuple[str, ...] = ()  # compared values (row vocabulary)
    m2m: dict[str, _M2M] = {}
    extra_fields: tuple[str, ...] = ()
    keymap_name: str | None = None
    generated_ref_prefix: str | None = None

    def __init__(self, run: _Run):
        self.run = run
        self.program = run.program

    @property
    def keymap(self) -> KeyMap | None:
        return getattr(self.run, self.keymap_name) if self.keymap_name else None

    # Reading

    def parse(self, row: _Row) -> dict:
        raise NotImplementedError

    def defaults(self) -> dict:
        return {}

    def complete(self, row: _Row, merged: dict, data: dict, old: _Existing | None) -> None:
        """Derived values and checks across columns, on the row merged with the record."""

    # Comparing

    def db_values(self) -> tuple[str, ...]:
        """The ``values()`` names that :meth:`to_row_values` reads."""
        return self.fields

    def to_row_values(self, stored: dict) -> dict:
        return {name: stored[name] for name in self.fields}

    def existing(self, keys: list[str]) -> dict[str, _Existing]:
        query = Q(**{f"{self.key_field}__in": keys})
        generated = {}
        if self.generated_ref_prefix:
            prefix = self.generated_ref_prefix
            generated = {
                int(k[len(prefix) :]): k
                for k in keys
                if k.startswith(prefix) and k[len(prefix) :].isdigit()
            }
            if generated:
                query |= Q(**{self.key_field: "", "pk__in": list(generated)})
        names = {"pk", self.key_field, *self.db_values(), *self.extra_fields}
        found: dict[str, _Existing] = {}
        rows = self.model.objects.filter(program=self.program).filter(query).values(*names)
        # A ref written in the record wins over an exported ``A-<id>`` pointing elsewhere.
        for stored in sorted(rows, key=lambda s: bool(s[self.key_field])):
            key = stored[self.key_field] or generated.get(stored["pk"])
            if key is None:
                continue
            found[key] = _Existing(
                stored["pk"],
                self.to_row_values(stored),
                {name: stored[name] for name in self.extra_fields},
            )
        by_pk = {e.pk: e for e in found.values()}
        for name, m2m in self.m2m.items():
            for existing in by_pk.values():
                existing.values[name] = set()
            pairs = m2m.through.objects.filter(**{f"{m2m.own}__in": list(by_pk)}).values_list(
                m2m.own, m2m.other
            )
            for own, other in pairs:
                by_pk[own].values[name].add(other)
            for existing in by_pk.values():
                existing.values[name] = frozenset(existing.values[name])
        return found

    # Writing

    def attributes(self, merged: dict, old: _Existing | None) -> dict:
        """Model attributes for a new (``old`` None) or updated record."""
        return {name: merged[name] for name in self.fields}

    def register(self, key: str) -> None:
        """A key the file holds, so later sheets may refer to it before it is written."""
        keymap = self.keymap
        if keymap is not None and key not in keymap.exact and not self.run.write:
            keymap.add(key, Pending(self.sheet.name, key))

    def write(self, creates: list[tuple[str, dict]], updates: list[tuple[str, dict, Any]]):
        model = self.model
        new = []
        for key, merged in creates:
            instance = model(program=self.program, **self.attributes(merged, None))
            setattr(instance, self.key_field, key)
            new.append(instance)
        model.objects.bulk_create(new, batch_size=BATCH)
        if self.keymap is not None:
            for (key, _merged), instance in zip(creates, new, strict=True):
                self.keymap.add(key, instance.pk)
        changed = []
        update_fields: list[str] = []
        for _key, merged, old in updates:
            attributes = self.attributes(merged, old)
            update_fields = update_fields or list(attributes)
            changed.append(model(pk=old.pk, program=self.program, **attributes))
        if changed:
            model.objects.bulk_update(changed, update_fields, batch_size=BATCH)
        for name, m2m in self.m2m.items():
            stale = {old.pk for _key, merged, old in updates if merged[name] != old.values[name]}
            if stale:
                m2m.through.objects.filter(**{f"{m2m.own}__in": stale}).delete()
            pairs = [
                (instance.pk, other)
                for (_key, merged), instance in zip(creates, new, strict=True)
                for other in merged[name]
            ]
            pairs += [
                (old.pk, other)
                for _key, merged, old in updates
                if old.pk in stale
                for other in merged[name]
            ]
            m2m.insert(pairs)
        self.after_write(list(zip(creates, new, strict=True)), updates)

    def after_write(self, created, updates) -> None:
        """History rows for what was written."""


class _Sites(_Handler):
    sheet = fmt.SITES
    model = Site
    key_field = "name"
    fields = ("kind", "area_id", "city", "capacity")
    keymap_name = "sites"

    def defaults(self):
        return {"area_id": None, "city": "", "capacity": None}

    def parse(self, row):
        data = {"kind": row.choice("kind"), "city": row.text("city")}
        data["capacity"] = row.integer("capacity")
        area = row.text("area")
        data["area_id"] = (self.run.area(area) if area else None) if area is not ABSENT else area
        return data


class _Volunteers(_Handler):
    sheet = fmt.VOLUNTEERS
    model = Volunteer
    key_field = "code"
    fields = ("name", "email", "status", "joined_on", "left_on", "employed")
    m2m = {"languages": _M2M(Volunteer.languages.through, "volunteer_id", "language_id")}
    extra_fields = ("employed_by_id", "employed_since")
    keymap_name = "volunteers"

    def defaults(self):
        return {"email": "", "joined_on": None, "left_on": None, "employed": False}

    def parse(self, row):
        data = {"name": row.text("name"), "email": row.text("email")}
        if data["email"] is not ABSENT and data["email"]:
            try:
                validate_email(data["email"])
            except ValidationError:
                row.error(
                    "email",
                    gettext("“%(value)s” is not an e-mail address") % {"value": data["email"]},
                )
        data["languages"] = row.languages("languages")
        data["status"] = row.choice("status")
        data["joined_on"] = row.date("joined_on")
        data["left_on"] = row.date("left_on")
        employed = row.yes_no("employed")
        data["employed"] = bool(employed) if employed is not ABSENT else ABSENT
        return data

    def complete(self, row, merged, data, old):
        if merged["status"] == Volunteer.Status.LEFT and merged["left_on"] is None:
            row.error("left_on", gettext("a volunteer who left needs the date they left"))
        joined, left = merged["joined_on"], merged["left_on"]
        if joined and left and left < joined:
            row.error(
                "left_on",
                gettext("%(left)s is before the joining date %(joined)s")
                % {"left": left.isoformat(), "joined": joined.isoformat()},
            )

    def db_values(self):
        return ("name", "email", "status", "joined_on", "left_on")

    def to_row_values(self, stored):
        values = {name: stored[name] for name in self.db_values()}
        values["employed"] = stored["employed_by_id"] is not None
        return values

    def attributes(self, merged, old):
        attributes = {name: merged[name] for name in self.db_values()}
        if merged["employed"]:
            kept = old.extra if old is not None and old.values["employed"] else {}
            attributes["employed_by_id"] = (
                kept.get("employed_by_id") or self.program.lead_organisation_id
            )
            attributes["employed_since"] = kept.get("employed_since")
        else:
            attributes["employed_by_id"] = None
            attributes["employed_since"] = None
        return attributes

    def after_write(self, created, updates):
        def changed_on(merged):
            if merged["status"] == Volunteer.Status.LEFT:
                return merged["left_on"]
            return merged["joined_on"] or self.run.today

        changes = [
            VolunteerStatusChange(
                volunteer_id=instance.pk,
                from_status="",
                to_status=merged["status"],
                changed_on=changed_on(merged),
                reason=IMPORT_NOTE,
                changed_by=self.run.by,
            )
            for (_key, merged), instance in created
        ]
        changes += [
            VolunteerStatusChange(
                volunteer_id=old.pk,
                from_status=old.values["status"],
                to_status=merged["status"],
                changed_on=merged["left_on"]
                if merged["status"] == Volunteer.Status.LEFT
                else self.run.today,
                reason=IMPORT_NOTE,
                changed_by=self.run.by,
            )
            for _key, merged, old in updates
            if merged["status"] != old.values["status"]
        ]
        VolunteerStatusChange.objects.bulk_create(changes, batch_size=BATCH)


class _Participants(_Handler):
    sheet = fmt.PARTICIPANTS
    model = Participant
    key_field = "code"
    fields = (
        "year_of_birth",
        "gender",
        "country_of_origin",
        "site_id",
        "consent_on",
        "consent_scope",
    )
    m2m = {"languages": _M2M(Participant.languages.through, "participant_id", "language_id")}
    keymap_name = "participants"

    def defaults(self):
        return {
            "year_of_birth": None,
            "gender": Participant.Gender.UNKNOWN,
            "country_of_origin": "",
            "site_id": None,
            "consent_on": None,
            "consent_scope": "",
        }

    def parse(self, row):
        gender = row.choice("gender")
        return {
            "year_of_birth": row.integer("year_of_birth"),
            "gender": gender or (Participant.Gender.UNKNOWN if gender is not ABSENT else ABSENT),
            "languages": row.languages("languages"),
            "country_of_origin": row.country("country_of_origin"),
            "site_id": row.reference("site", self.run.sites, "site"),
            "consent_on": row.date("consent_on"),
            # An empty cell keeps the recorded scope, like a missing column.
            "consent_scope": row.choice("consent_scope") or ABSENT,
        }

    def complete(self, row, merged, data, old):
        if merged["consent_on"] is None:
            if data["consent_scope"] is not ABSENT:
                row.error(
                    "consent_scope",
                    gettext("a consent scope needs the date of the consent (consent_on)"),
                )
            merged["consent_scope"] = ""
        elif not merged["consent_scope"]:
            merged["consent_scope"] = Participant.ConsentScope.SUPPORT


class _Activities(_Handler):
    sheet = fmt.ACTIVITIES
    model = Activity
    key_field = "ref"
    fields = (
        "date",
        "kind",
        "site_id",
        "minutes",
        "attendees_total",
        "attendees_women",
        "attendees_men",
        "attendees_children",
    )
    m2m = {
        "facilitators": _M2M(Activity.facilitators.through, "activity_id", "volunteer_id"),
        "languages": _M2M(Activity.languages.through, "activity_id", "language_id"),
        "topics": _M2M(Activity.topics.through, "activity_id", "topic_id"),
        "participants": _M2M(Activity.participants.through, "activity_id", "participant_id"),
    }
    generated_ref_prefix = fmt.ACTIVITY_REF_PREFIX
    individual = ActivityKind.individual()

    def defaults(self):
        return {
            "site_id": None,
            "minutes": None,
            "attendees_women": 0,
            "attendees_men": 0,
            "attendees_children": 0,
        }

    def parse(self, row):
        kind = row.choice("kind")
        used = self.program.activity_kinds or []
        if kind is not ABSENT and kind and kind not in used:
            row.error(
                "kind",
                gettext("this program does not log “%(kind)s”; it uses: %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(used) or "—"},
            )
        data = {
            "date": row.date("date"),
            "kind": kind,
            "site_id": row.reference("site", self.run.sites, "site"),
            "facilitators": row.references("facilitators", self.run.volunteers, "volunteer"),
            "languages": row.languages("languages"),
            "minutes": row.integer("duration_minutes"),
            "attendees_total": row.integer("attendees_total"),
            "attendees_women": row.integer("attendees_women"),
            "attendees_men": row.integer("attendees_men"),
            "attendees_children": row.integer("attendees_children"),
            "participants": row.references("participants", self.run.participants, "participant"),
        }
        topics = row.items("topics")
        if topics is not ABSENT:
            limit = Topic._meta.get_field("name").max_length
            for name in topics:
                if len(name) > limit:
                    row.error(
                        "topics",
                        gettext("the topic name is longer than %(max)s characters")
                        % {"max": limit},
                    )
            if row.ok:
                topics = frozenset(self.run.topic(name) for name in topics)
        data["topics"] = topics
        for name in ("attendees_women", "attendees_men", "attendees_children"):
            if data[name] is None:
                data[name] = 0
        return data

    def complete(self, row, merged, data, old):
        if old is not None and data["participants"] is not ABSENT:
            # The export leaves out the codes of participants whose consent does not cover
            # it, so an edited export cannot list them: they stay in their activities.
            kept = old.values["participants"] & self.run.not_exported
            merged["participants"] = frozenset(merged["participants"] | kept)
        total = data["attendees_total"]
        if total is None or (total is ABSENT and old is None):
            if merged["kind"] in self.individual:
                merged["attendees_total"] = max(1, len(merged["participants"]))
            else:
                merged["attendees_total"] = 0
        total = merged["attendees_total"]
        women, men = merged["attendees_women"], merged["attendees_men"]
        if women + men > total:
            row.error(
                "attendees_women" if row.has("attendees_women") else "attendees_men",
                gettext(
                    "women (%(women)s) and men (%(men)s) together are more than the total "
                    "(%(total)s)"
                )
                % {"women": women, "men": men, "total": total},
            )
        if merged["attendees_children"] > total:
            row.error(
                "attendees_children",
                gettext("%(children)s children are more than the total (%(total)s)")
                % {"children": merged["attendees_children"], "total": total},
            )

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        if old is None:
            attributes["logged_by"] = self.run.by
        else:
            attributes["updated_at"] = self.run.now
        return attributes


class _Referrals(_Handler):
    sheet = fmt.REFERRALS
    model = Referral
    key_field = "ref"
    fields = (
        "referred_on",
        "participant_id",
        "provider_id",
        "category",
        "direction",
        "status",
        "appointment_on",
        "closed_on",
    )
    extra_fields = ("sent_on", "consent_to_share", "consent_on", "version")
    generated_ref_prefix = fmt.REFERRAL_REF_PREFIX

    def defaults(self):
        return {
            "direction": Referral.Direction.OUTBOUND,
            "appointment_on": None,
            "closed_on": None,
        }

    def parse(self, row):
        direction = row.choice("direction")
        data = {
            "referred_on": row.date("date"),
            "participant_id": row.reference("participant", self.run.participants, "participant"),
            "category": row.choice("category"),
            "direction": direction
            or (Referral.Direction.OUTBOUND if direction is not ABSENT else ABSENT),
            "status": row.choice("status"),
            "appointment_on": row.date("appointment_on"),
            "closed_on": row.date("closed_on"),
        }
        provider = row.text("provider")
        data["provider_id"] = None
        if provider is not ABSENT and provider and row.ok:
            data["provider_id"] = self.run.provider(provider, data["category"])
        return data

    def complete(self, row, merged, data, old):
        status, day = merged["status"], merged["referred_on"]
        if status == Referral.Status.APPOINTMENT and merged["appointment_on"] is None:
            row.error(
                "appointment_on", gettext("the status “appointment” needs the appointment date")
            )
        if status == Referral.Status.CLOSED and merged["closed_on"] is None:
            row.error("closed_on", gettext("the status “closed” needs the date it was closed"))
        if merged["closed_on"] and day and merged["closed_on"] < day:
            row.error(
                "closed_on",
                gettext("%(closed)s is before the referral date %(date)s")
                % {"closed": merged["closed_on"].isoformat(), "date": day.isoformat()},
            )

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        extra = old.extra if old is not None else {}
        day = merged["referred_on"]
        sent_on = None
        if merged["status"] != Referral.Status.PROPOSED:
            sent_on = max(extra.get("sent_on") or day, day)
        attributes["sent_on"] = sent_on
        consent, consent_on = extra.get("consent_to_share", False), extra.get("consent_on")
        if (
            merged["direction"] == Referral.Direction.OUTBOUND
            and merged["status"] != Referral.Status.PROPOSED
        ):
            # The database requires consent for a sent referral: importing one asserts it.
            consent, consent_on = True, consent_on or day
        attributes["consent_to_share"] = consent
        attributes["consent_on"] = consent_on
        if old is None:
            attributes["created_by"] = self.run.by
        else:
            attributes["version"] = extra["version"] + 1
            attributes["updated_at"] = self.run.now
        return attributes

    def after_write(self, created, updates):
        events = [
            ReferralEvent(
                referral_id=instance.pk,
                from_status="",
                to_status=merged["status"],
                by=self.run.by,
                note=IMPORT_NOTE,
            )
            for (_key, merged), instance in created
        ]
        events += [
            ReferralEvent(
                referral_id=old.pk,
                from_status=old.values["status"],
                to_status=merged["status"],
                by=self.run.by,
                note=IMPORT_NOTE,
            )
            for _key, merged, old in updates
            if merged["status"] != old.values["status"]
        ]
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)


HANDLERS = {
    "sites": _Sites,
    "volunteers": _Volunteers,
    "participants": _Participants,
    "activities": _Activities,
    "referrals": _Referrals,
}


# ---- a pass over the file ----------------------------------------------------------------


def _column_name(value) -> str:
    return cell_text(value).strip().rstrip("*").strip().casefold().replace(" ", "_")


def _header(run: _Run, sheet: fmt.Sheet, values: tuple) -> tuple[dict[str, int], bool]:
    """Column name -> index, and whether rows can be imported (required columns present)."""
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        name = _column_name(value)
        if not name:
            continue
        if name not in sheet.names:
            run.problem(
                sheet.name,
                1,
                cell_text(value),
                gettext("unknown column; the columns of this sheet are: %(columns)s")
                % {"columns": ", ".join(sheet.names)},
            )
        elif name in columns:
            run.problem(sheet.name, 1, name, gettext("the column appears twice"))
        else:
            columns[name] = index
    complete = True
    for name in sheet.required:
        if name not in columns:
            complete = False
            run.problem(sheet.name, 1, name, gettext("this required column is missing"))
    return columns, complete


def _batches(iterator: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(iterator, size)):
        yield batch


def _blank(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _import_sheet(run: _Run, handler: _Handler, rows: Iterator[tuple[int, tuple]]) -> None:
    sheet = handler.sheet
    counts = run.result.counts.setdefault(sheet.name, Counts())
    first = next(rows, None)
    while first is not None and _blank(first[1]):
        first = next(rows, None)
    if first is None:
        return
    columns, complete = _header(run, sheet, first[1])
    if sheet.key not in columns:
        return
    seen: dict[str, int] = {}
    defaults = handler.defaults()
    for batch in _batches(rows, BATCH):
        parsed = []
        for number, values in batch:
            if _blank(values):
                continue
            cells = {
                name: values[index] if index < len(values) else None
                for name, index in columns.items()
            }
            row = _Row(run, sheet, number, cells)
            key = row.text(sheet.key)
            if key and key in seen:
                row.error(
                    sheet.key,
                    gettext("“%(value)s” is already in row %(row)s")
                    % {"value": key, "row": seen[key]},
                )
            elif key:
                seen[key] = number
                handler.register(key)
            data = handler.parse(row)
            parsed.append((row, key, data))
        if not complete:
            continue
        existing = handler.existing([key for row, key, _data in parsed if row.ok and key])
        creates, updates = [], []
        for row, key, data in parsed:
            if not row.ok:
                continue
            old = existing.get(key)
            merged = (
                dict(old.values)
                if old is not None
                else {
                    **defaults,
                    **{name: frozenset() for name in handler.m2m},
                }
            )
            merged.update({name: v for name, v in data.items() if v is not ABSENT})
            handler.complete(row, merged, data, old)
            if not row.ok:
                continue
            if old is None:
                counts.new += 1
                creates.append((key, merged))
            elif any(merged[name] != value for name, value in old.values.items()):
                counts.updated += 1
                updates.append((key, merged, old))
            else:
                counts.unchanged += 1
        if run.write and run.result.valid:
            handler.write(creates, updates)


class _Spool:
    """The rows read in the first pass, kept in a temporary file for the second.

    The second pass then need not parse the workbook again; the file holds pickled batches of
    plain row tuples that this process wrote itself, and memory stays at one batch.
    """

    def __init__(self):
        self.files: dict[str, Any] = {}

    def record(self, name: str, rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
        spool = self.files[name] = tempfile.TemporaryFile()
        for batch in _batches(rows, BATCH):
            pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
            yield from batch

    def replay(self, name: str) -> Iterator[tuple[int, tuple]]:
        spool = self.files[name]
        spool.seek(0)
        while True:
            try:
                batch = pickle.load(spool)  # noqa: S301 (our own temporary file)
            except EOFError:
                return
            yield from batch

    def close(self) -> None:
        for spool in self.files.values():
            spool.close()
        self.files.clear()


def _run(
    *, program: Program, source: Source, by, write: bool, spool: _Spool | None = None
) -> ImportResult:
    """One pass; the first records the rows in ``spool``, the second replays them."""
    result = ImportResult(ignored=list(source.ignored))
    run = _Run(program=program, by=by, write=write, result=result)
    for sheet in fmt.SHEETS:
        if sheet.name not in source.sheets:
            continue
        if spool is None:
            rows = source.sheets[sheet.name].rows()
        elif write:
            rows = spool.replay(sheet.name)
        else:
            rows = spool.record(sheet.name, source.sheets[sheet.name].rows())
        try:
            _import_sheet(run, HANDLERS[sheet.name](run), rows)
        except FileRefused as error:  # found while reading the rows (encoding, damage)
            run.problem(sheet.name, None, "", str(error))
    return result


def program_data_import(
    *, program: Program, source: Source, by=None, dry_run: bool = False
) -> ImportResult:
    """Check the whole file, then (unless ``dry_run`` or invalid) write it in one transaction.

    The result counts new, updated and unchanged records per sheet and lists the problems;
    ``written`` says whether anything was saved.
    """
    spool = None if dry_run else _Spool()
    try:
        result = _run(program=program, source=source, by=by, write=False, spool=spool)
        if not result.valid or dry_run:
            return result
        if not result.created and not any(c.new or c.updated for c in result.counts.values()):
            result.written = True  # every row is unchanged: there is nothing to write
            return result
        with transaction.atomic():
            # One import at a time per program.
            list(Program.objects.select_for_update().filter(pk=program.pk).values_list("pk"))
            written = _run(program=program, source=source, by=by, write=True, spool=spool)
            if not written.valid:
                transaction.set_rollback(True)
                return written
            written.written = True
            transaction.on_commit(lambda: forget_session_languages(program.pk))
    except IntegrityError:
        failed = ImportResult(counts=result.counts, ignored=result.ignored)
        failed.add_problem(
            Problem(
                gettext("file"),
                None,
                "",
                gettext(
                    "The program's data changed while importing, so nothing was imported. "
                    "Please try again."
                ),
            )
        )
        return failed
    finally:
        if spool is not None:
            spool.close()
    return written

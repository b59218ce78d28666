"""The rows the preview shows: the first ones per sheet that an import would add or change.

The first pass hands every row it would write to its sheet's :class:`Collector`, which keeps
the first :data:`~.results.PREVIEW_ROWS` with their fields (all of a new record's, the changed
ones of an existing record's) and counts the rest, so memory stays bounded however long the
file is. When the pass is over, :func:`label` turns the stored values (primary keys, sets,
dates) into the texts a coordinator recognises from the file, with one query per kind of
record.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext

from programs.models import Area, Participant, Site
from referrals.models import ServiceProvider
from sessions_log.models import Topic
from volunteers.models import Volunteer

from .lookups import Pending
from .results import PREVIEW_ROWS, Change, ImportResult, PreviewRow, SheetPreview
from .sheets.base import Existing, Handler

# Columns whose field has another name.
FIELD_NAMES = {"duration_minutes": "minutes", "date": "referred_on"}
# Fields that refer to records: the model and the field that names a record in the file.
REFERENCES: dict[str, tuple[Any, str | None]] = {
    "site_id": (Site, "name"),
    "area_id": (Area, "name"),
    "provider_id": (ServiceProvider, "name"),
    "participant_id": (Participant, "code"),
    "participants": (Participant, "code"),
    "facilitators": (Volunteer, "code"),
    "volunteer_id": (Volunteer, "code"),
    "volunteers": (Volunteer, "code"),
    "contact_point_id": (Site, "name"),
    "topics": (Topic, None),  # shown in the user's language
}


def _empty(value) -> bool:
    return value is None or value == "" or value == frozenset()


class Collector:
    """The preview rows of one sheet, gathered while the first pass reads it."""

    def __init__(self, result: ImportResult, handler: Handler):
        self.preview = result.preview.setdefault(handler.sheet.name, SheetPreview())
        known = {*handler.fields, *handler.m2m}
        self.columns: list[tuple[str, str]] = []  # (column, field) in the sheet's order
        for column in handler.sheet.names:
            if column == handler.sheet.key:
                continue
            for name in (column, f"{column}_id", FIELD_NAMES.get(column)):
                if name in known:
                    self.columns.append((column, name))
                    break

    def add(self, number: int, key: str, merged: dict, old: Existing | None) -> None:
        """A row that adds (``old`` None) or changes a record."""
        if len(self.preview.rows) >= PREVIEW_ROWS:
            self.preview.more += 1
            return
        if old is None:
            changes = [
                Change(column, name, None, merged[name])
                for column, name in self.columns
                if not _empty(merged.get(name))
            ]
        else:
            changes = [
                Change(column, name, old.values[name], merged[name])
                for column, name in self.columns
                if name in old.values and merged[name] != old.values[name]
            ]
        self.preview.rows.append(PreviewRow(number, key, old is None, changes))


def label(result: ImportResult) -> None:
    """Turn the stored values of the preview rows into the texts the preview shows."""
    changes = [
        change
        for preview in result.preview.values()
        for row in preview.rows
        for change in row.changes
    ]
    wanted: dict[Any, set] = defaultdict(set)
    for change in changes:
        if change.field in REFERENCES:
            model = REFERENCES[change.field][0]
            for value in (change.old, change.new):
                for item in value if isinstance(value, frozenset) else (value,):
                    if isinstance(item, int):
                        wanted[model].add(item)
    names: dict[Any, dict[int, str]] = {}
    for model, pks in wanted.items():
        attribute = next(a for m, a in REFERENCES.values() if m is model)
        records = model.objects.filter(pk__in=pks)
        if attribute is None:
            names[model] = {record.pk: str(record) for record in records}
        else:
            names[model] = dict(records.values_list("pk", attribute))

    def text(field: str, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, frozenset):
            return "; ".join(sorted((text(field, item) for item in value), key=str.casefold))
        if isinstance(value, Pending):
            new = result.new_values.get((value.what, value.key))
            return new.name if new is not None else value.key
        if field in REFERENCES:
            return names.get(REFERENCES[field][0], {}).get(value, str(value))
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    for change in changes:
        change.old = text(change.field, change.old)
        change.new = text(change.field, change.new)

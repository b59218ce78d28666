"""How a sheet maps to its model: the base class every sheet's handler fills in."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from core import bulk
from programs import audit

from ... import format as fmt
from ..lookups import KeyMap, Pending, Run
from ..rows import Row

BATCH = 1000
IMPORT_NOTE = "imported"


@dataclass
class Existing:
    pk: int
    values: dict  # the compared fields and many-to-many sets, as the row's values are
    extra: dict  # other stored values a write needs


@dataclass(frozen=True)
class M2M:
    through: Any
    own: str  # the through model's column of the imported record
    other: str  # its column of the related record

    def insert(self, pairs: list[tuple]) -> None:
        """Insert through rows in a few statements (far cheaper than model instances)."""
        if not pairs:
            return
        connection = connections[router.db_for_write(self.through)]
        own = self.through._meta.get_field(self.own)
        other = self.through._meta.get_field(self.other)
        if bulk.copies(connection):
            bulk.copy_rows(
                connection, self.through._meta.db_table, [own.column, other.column], pairs
            )
            return
        quote = connection.ops.quote_name
        head = (
            f"INSERT INTO {quote(self.through._meta.db_table)} "
            f"({quote(own.column)}, {quote(other.column)}) "
        )
        with connection.cursor() as cursor:
            size = min(BATCH, connection.ops.bulk_batch_size([own, other], pairs))
            for start in range(0, len(pairs), size):
                chunk = pairs[start : start + size]
                cursor.execute(
                    head + "VALUES " + ", ".join(["(%s, %s)"] * len(chunk)),
                    [value for pair in chunk for value in pair],
                )


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


class _NewRecords:
    """New records of a model built from attribute values as ``Model(**values)`` builds them,
    without its work per field, which at tens of thousands of rows costs more than writing
    them: the value of a field that stores what it is given (text, a number, a date, a
    foreign key's id) goes straight into the record, anything else (a related record, a
    field with a descriptor of its own, a property) through ``setattr`` as Django does."""

    def __init__(self, model):
        self.model = model
        self.plain: set[str] = set()
        self.defaults: dict[str, Any] = {}  # plain fields' defaults, the same for every record
        self.computed: list = []  # (attname, field): a default called per record, or set
        names = set(model._meta._property_names)
        for field in model._meta.concrete_fields:
            names |= {field.name, field.attname}
            # Django's own descriptors of a value as stored; a field's own descriptor (a
            # country, a file) may turn the value into something else.
            plain = type(model.__dict__.get(field.attname)) in _PLAIN_DESCRIPTORS
            if plain:
                self.plain.add(field.attname)
            if plain and not (field.has_default() and callable(field.default)):
                self.defaults[field.attname] = field.get_default()
            else:
                self.computed.append((field.attname, field))
        self.names = frozenset(names)

    def new(self, values: dict):
        model = self.model
        pre_init.send(sender=model, args=(), kwargs=values)
        obj = model.__new__(model)
        obj._state = ModelState()
        stored = obj.__dict__
        stored.update(self.defaults)
        for attname, field in self.computed:
            if attname not in values:
                setattr(obj, attname, field.get_default())
        plain = self.plain
        for name, value in values.items():
            if name in plain:
                stored[name] = value
            elif name in self.names:
                setattr(obj, name, value)
            else:
                raise TypeError(f"{model.__name__} got an unexpected keyword argument {name!r}")
        post_init.send(sender=model, instance=obj)
        return obj


@cache
def new_records(model) -> _NewRecords:
    return _NewRecords(model)


def site_capacities(run: Run) -> dict:
    """Places per site (by id, or by the pending key of a site the file adds), as the program
    holds them and as the sites sheet of the file gives them; kept with the run."""
    if not hasattr(run, "site_capacities"):
        run.site_capacities = dict(run.program.sites.values_list("pk", "capacity"))
    return run.site_capacities


class Handler:
    """How one sheet maps to its model. Subclasses fill in the sheet-specific parts."""

    sheet: fmt.Sheet
    model: Any
    key_field: str
    fields: tuple[str, ...] = ()  # compared values (row vocabulary)
    m2m: dict[str, M2M] = {}
    extra_fields: tuple[str, ...] = ()
    keymap_name: str | None = None
    generated_ref_prefix: str | None = None
    # How the model reaches its program (a training's session through its training).
    program_path: str = "program"

    def __init__(self, run: Run):
        self.run = run
        self.program = run.program

    @property
    def keymap(self) -> KeyMap | None:
        return getattr(self.run, self.keymap_name) if self.keymap_name else None

    # Reading

    def row_key(self, row: Row) -> str:
        """The text that identifies the row's record (its natural key)."""
        return row.text(self.sheet.key)

    def parse(self, row: Row) -> dict:
        raise NotImplementedError

    def defaults(self) -> dict:
        return {}

    def complete(self, row: Row, merged: dict, data: dict, old: Existing | None) -> None:
        """Derived values and checks across columns, on the row merged with the record."""

    def finish(self) -> None:
        """Checks across the rows of the whole sheet, once every row has been read."""

    def scope(self):
        """The program's records of the model."""
        return self.model.objects.filter(**{self.program_path: self.program})

    def instance(self, **attributes):
        """A model instance of the program with ``attributes``."""
        if self.program_path == "program":
            attributes["program_id"] = self.program.pk
        return new_records(self.model).new(attributes)

    # Comparing

    def db_values(self) -> tuple[str, ...]:
        """The ``values()`` names that :meth:`to_row_values` reads."""
        return self.fields

    def to_row_values(self, stored: dict) -> dict:
        return {name: stored[name] for name in self.fields}

    def existing(self, keys: list[str]) -> dict[str, Existing]:
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
        found: dict[str, Existing] = {}
        rows = self.scope().filter(query).values(*names)
        # A ref written in the record wins over an exported ``A-<id>`` pointing elsewhere.
        for stored in sorted(rows, key=lambda s: bool(s[self.key_field])):
            key = stored[self.key_field] or generated.get(stored["pk"])
            if key is None:
                continue
            found[key] = Existing(
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

    def attributes(self, merged: dict, old: Existing | None) -> dict:
        """Model attributes for a new (``old`` None) or updated record."""
        return {name: merged[name] for name in self.fields}

    def register(self, key: str) -> None:
        """A key the file holds, so later sheets may refer to it before it is written."""
        keymap = self.keymap
        if keymap is not None and key not in keymap.exact and not self.run.write:
            keymap.add(key, Pending(self.sheet.name, key))

    def write(self, creates: list[tuple[str, dict]], updates: list[tuple[str, dict, Any]]):
        new = []
        for key, merged in creates:
            instance = self.instance(**self.attributes(merged, None))
            if self.key_field:
                setattr(instance, self.key_field, key)
            new.append(instance)
        audit.bulk_create(new, by=self.run.by, note=IMPORT_NOTE, batch_size=BATCH)
        if self.keymap is not None:
            for (key, _merged), instance in zip(creates, new, strict=True):
                self.keymap.add(key, instance.pk)
        changed = []
        update_fields: list[str] = []
        for _key, merged, old in updates:
            attributes = self.attributes(merged, old)
            update_fields = update_fields or list(attributes)
            changed.append(self.instance(pk=old.pk, **attributes))
        if changed:
            related = {
                old.pk: {
                    name: (old.values[name], merged[name])
                    for name in self.m2m
                    if merged[name] != old.values[name]
                }
                for _key, merged, old in updates
            }
            audit.bulk_update(
                changed,
                update_fields,
                by=self.run.by,
                note=IMPORT_NOTE,
                batch_size=BATCH,
                related=related,
            )
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

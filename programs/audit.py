"""The audit trail: who created, changed, deleted or opened which sensitive record, and when.

Lotse uses django-auditlog: one table (``auditlog_logentry``), the actor and the remote
address come from its middleware, and its admin is read-only. Each app registers its own
audited models with :func:`register` from its ``AppConfig.ready()``; each entry also stores
the record's program in ``additional_data`` so a coordinator sees the trail of their own
program only.

Reads are entries with the action *accessed*: a detail page opens its record with
:func:`read_or_404`, a list page (``programs.lists.ProgramListView``) records each page it
shows with :func:`log_list_read`, and the admin of participant-level records does both
(``programs.admin.AuditedReads``). :func:`participant_reads` answers "who looked at this
participant".

Free text that may hold health information is masked: the trail says *that* it changed,
never *what* it says.

Writes that bypass the model signals (``QuerySet.update()``, ``bulk_create()``,
``bulk_update()``) record their entries themselves: the importer writes through
:func:`bulk_create` and :func:`bulk_update`, which add the entries in bulk, and a service that
updates a row with ``QuerySet.update()`` (optimistic locking) records it with
:func:`log_update`. ``tests/test_audit_writes.py`` lists every such call in the code and fails
on a new one. A queryset's ``delete()`` needs nothing: Django sends the delete signal for each
row of a model that has receivers, as every audited model has.
"""

import datetime as dt
import json
import uuid
from functools import cache
from itertools import islice

from auditlog.cid import get_cid
from auditlog.diff import get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.db import connections, models, router
from django.db.models import DateTimeField, Field, JSONField, Q, prefetch_related_objects
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.encoding import smart_str

from core import bulk

from .models import Participant

REDACTED = "[…]"

# {model label: fields whose content never goes into the trail}, filled by register()
AUDITED: dict[str, list[str]] = {}


def redact(value) -> str:
    """The mask of a sensitive field's old and new value."""
    return REDACTED


def register(model, *, masked=()) -> None:
    """Keep a trail of ``model``'s changes and reads; the content of the ``masked`` fields
    never enters it. ``model`` must have a ``program``."""
    AUDITED[model._meta.label] = list(masked)
    if model in auditlog.get_models():
        return
    auditlog.register(model, mask_fields=list(masked), mask_callable="programs.audit.redact")
    if not hasattr(model, "get_additional_data"):
        # django-auditlog stores what this returns with each entry of the model.
        model.get_additional_data = _program_of


def _program_of(instance) -> dict:
    return {"program": instance.program_id}


ACCESS = LogEntry.Action.ACCESS


def _additional_data(obj) -> dict:
    get_additional_data = getattr(obj, "get_additional_data", None)
    if callable(get_additional_data):
        return dict(get_additional_data())
    program = getattr(obj, "program_id", None)
    return {} if program is None else {"program": program}


def log_access(obj, **detail) -> LogEntry:
    """Record that the signed-in user opened ``obj`` (actor and address from the middleware).

    Any record with a program can be logged, audited for its changes or not (a match); the
    ``detail`` goes with the entry (``via="admin"``)."""
    return LogEntry.objects.log_create(
        obj, action=ACCESS, force_log=True, additional_data=_additional_data(obj) | detail
    )


def read_or_404(queryset, **lookup):
    """The record of ``queryset`` (scoped to what the user may see) that ``lookup`` names, its
    opening recorded in the trail: the detail pages of participant-level records use this
    instead of ``get_object_or_404``. A record outside the queryset is a 404, which the scoped
    views record as a refusal in the security log (``programs.access``)."""
    obj = get_object_or_404(queryset, **lookup)
    log_access(obj)
    return obj


def _forward_relations(model):
    return [f for f in (*model._meta.fields, *model._meta.many_to_many) if f.is_relation]


def _link_to_participant(model) -> str | None:
    """The name of ``model``'s own foreign key or many-to-many field to ``Participant``."""
    for field in _forward_relations(model):
        if field.related_model is Participant:
            return field.name
    return None


@cache
def participant_lookup(model) -> str | None:
    """How ``model``'s rows reach the participants they are about, as a query path: ``"pk"``
    for participants, a relation (``"participant"``, ``"participants"``) or one hop further
    (``"activity__participants"``); ``None`` for records about no participant."""
    if model is Participant:
        return "pk"
    direct = _link_to_participant(model)
    if direct is not None:
        return direct
    for field in _forward_relations(model):
        if field.many_to_one and field.related_model is not model:
            further = _link_to_participant(field.related_model)
            if further is not None:
                return f"{field.name}__{further}"
    return None


def participant_ids(model, rows) -> list[int]:
    """The participants that ``rows`` (records of ``model`` already fetched: a page of a
    list) are about, sorted. Free where each row names its participant; one query where the
    link runs through a many-to-many relation or another record."""
    lookup = participant_lookup(model)
    if lookup is None or not rows:
        return []
    if lookup == "pk":
        ids = {row.pk for row in rows}
    elif "__" not in lookup and model._meta.get_field(lookup).many_to_one:
        attname = model._meta.get_field(lookup).attname
        ids = {getattr(row, attname) for row in rows}
    else:
        ids = set(
            model._default_manager.filter(pk__in=[row.pk for row in rows]).values_list(
                lookup, flat=True
            )
        )
    return sorted(pk for pk in ids if pk is not None)


def participant_ids_of(rows) -> list[int] | None:
    """The participants the records of the queryset ``rows`` (an export) are about, sorted
    (one query); ``None`` for records about no participant."""
    lookup = participant_lookup(rows.model)
    if lookup is None:
        return None
    ids = rows.order_by().prefetch_related(None).values_list(lookup, flat=True).distinct()
    return sorted({pk for pk in ids if pk is not None})


def log_list_read(*, model, title, rows, program=None, **detail) -> LogEntry | None:
    """Record one page of a list of participant-level records: one entry per page shown,
    with the list's ``detail`` (its name, filter and page), the records on the page and the
    participants they are about. Lists of other records are not recorded. One query, two
    where the participants are reached through another table."""
    if participant_lookup(model) is None:
        return None
    rows = list(rows)
    data = {"program": getattr(program, "pk", None), **detail}
    if model is not Participant:
        data["records"] = [row.pk for row in rows]
    data["participants"] = participant_ids(model, rows)
    return LogEntry.objects.create(
        content_type=content_type_of(model),
        object_pk="",
        object_repr=str(title),
        action=ACCESS,
        additional_data=data,
        cid=get_cid(),
    )


READS_SHOWN = 20


def participant_reads(participant, *, limit: int = READS_SHOWN):
    """Who opened the participant's page or one of their records (sessions, concerns,
    referrals, matches), in Lotse or in the admin, newest first. One query."""
    models = {Participant, *(_registered_models())}
    types = content_types_of(*models)
    opened = Q(content_type=types[Participant], object_id=participant.pk)
    for model in models - {Participant}:
        lookup = participant_lookup(model)
        if lookup is not None:
            records = model._default_manager.filter(**{lookup: participant}).values("pk")
            opened |= Q(content_type=types[model], object_id__in=records)
    return (
        LogEntry.objects.filter(
            opened, action=ACCESS, additional_data__program=participant.program_id
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )


def _registered_models():
    """The models whose reads the trail holds: the audited ones and those holding a
    participant's data (the privacy registry)."""
    from django.apps import apps

    from .personal_data import registered

    audited = {apps.get_model(label) for label in AUDITED}
    return audited | {entry.model for entry in registered()}


def program_trail(program):
    """Every audit entry of the program's records, newest first."""
    return (
        LogEntry.objects.filter(additional_data__program=program.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def erase_from_trail(obj) -> int:
    """Art. 17: keep the entries (that something happened, by whom, when) without content."""
    return LogEntry.objects.get_for_object(obj).update(
        object_repr=REDACTED, changes=None, changes_text="", serialized_data=None
    )


def redact_names(rows) -> int:
    """Keep the entries of the records in the queryset ``rows`` but drop the names they were
    logged under (a referral's name carries its participant's code)."""
    entries = LogEntry.objects.filter(
        content_type=content_type_of(rows.model), object_id__in=rows.values("pk")
    )
    return entries.update(object_repr=REDACTED)


def content_type_of(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)


def content_types_of(*models) -> dict:
    """``{model: content type}``, from Django's cache once it has seen them."""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_models(*models)


# ---- writes that bypass the model signals ------------------------------------------------------

BATCH = 1000


def audited(model) -> bool:
    """Whether the trail keeps the changes of ``model``'s records."""
    return model._meta.label in AUDITED


@cache
def _tracked(model) -> dict[str, tuple]:
    """``{field name: (field, attname, masked)}`` of the concrete fields the trail compares,
    as the model's registration says (masked and excluded fields)."""
    options = auditlog.get_model_fields(model)
    include, exclude = options["include_fields"], options["exclude_fields"]
    return {
        field.name: (field, field.attname, field.name in options["mask_fields"])
        for field in model._meta.concrete_fields
        if (not include or field.name in include) and field.name not in exclude
    }


@cache
def _mask(model):
    return get_mask_function(auditlog.get_model_fields(model)["mask_callable"])


def _text(field, value) -> str:
    """A value as django-auditlog writes it into ``changes`` (aware times in naive UTC)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return "None"
    if kind is int or kind is bool:
        return str(value)
    if isinstance(field, DateTimeField | JSONField):
        return _special_text(field, value)
    return smart_str(value)


def _special_text(field, value) -> str:
    """The text of a value of a field whose text is not ``smart_str(value)``."""
    if isinstance(field, DateTimeField) and isinstance(value, dt.datetime):
        if value.utcoffset() is not None:  # aware: in naive UTC (timezone.make_naive)
            return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    elif isinstance(field, JSONField):
        try:
            return json.dumps(value, sort_keys=True, cls=field.encoder)
        except TypeError:
            pass
    return smart_str(value)


_UNSET = object()


def _value(obj, attname):
    """A field's value as the record holds it (a foreign key's id, a country's code),
    without what a descriptor would build on reading it."""
    value = obj.__dict__.get(attname, _UNSET)
    return getattr(obj, attname) if value is _UNSET else value


def _fields(model, names) -> list[str]:
    """The tracked fields among ``names`` (field names or attnames such as ``site_id``)."""
    tracked = _tracked(model)
    chosen = (model._meta.get_field(name).name for name in names)
    return [name for name in dict.fromkeys(chosen) if name in tracked]


def _specs(model, names) -> list[tuple]:
    """``(name, field, attname)`` of the tracked fields among ``names``."""
    tracked = _tracked(model)
    return [(name, *tracked[name][:2]) for name in _fields(model, names)]


def _texts(obj, specs) -> dict[str, str]:
    return {name: _text(field, _value(obj, attname)) for name, field, attname in specs}


def snapshot(obj, names) -> dict[str, str]:
    """The current values of ``obj``'s fields ``names`` as the trail writes them: what
    :func:`log_update` compares with after the write. Reads no related record."""
    model = type(obj)
    if not audited(model):
        return {}
    return _texts(obj, _specs(model, names))


def _changes(model, before: dict[str, str], after: dict[str, str]) -> dict:
    tracked, mask = _tracked(model), _mask(model)
    changes = {}
    for name, new in after.items():
        old = before.get(name, "None")
        if old != new:
            masked = tracked[name][2]
            changes[name] = [mask(old), mask(new)] if masked else [old, new]
    return changes


def _actor(by) -> dict:
    """The actor, their e-mail and address of entries written now: ``by`` if given, else the
    signed-in user of the request (django-auditlog's middleware, or ``set_actor``)."""
    probe = LogEntry()
    # django-auditlog gives each entry its context as the entry is saved; a bulk insert sends
    # no signal, so the context is read once from a probe entry that is never saved.
    pre_save.send(sender=LogEntry, instance=probe, raw=False, using=None, update_fields=None)
    if by is not None and getattr(by, "pk", None) is not None:
        probe.actor, probe.actor_email = by, getattr(by, "email", None)
    return {
        "actor": probe.actor,
        "actor_email": probe.actor_email,
        "remote_addr": probe.remote_addr,
        "remote_port": probe.remote_port,
    }


def _names(objs) -> list[str]:
    """The records' names for the trail, in a query per related record the names read
    (a referral's name shows its participant and provider) instead of one per record."""
    if not objs:
        return []
    first = objs[0]
    cached = set(first._state.fields_cache)
    names = [smart_str(first)]
    read = [name for name in first._state.fields_cache if name not in cached]
    if read and len(objs) > 1:
        prefetch_related_objects(objs[1:], *read)
    names += [smart_str(obj) for obj in objs[1:]]
    return names


def _write(model, action, rows, *, by, note) -> int:
    """Record one entry per ``(record, changes)`` of ``rows``; the number recorded."""
    if not rows:
        return 0
    context = _actor(by)
    common = {
        "content_type_id": content_type_of(model).pk,
        "action": action,
        "cid": get_cid(),
        "timestamp": timezone.now(),
        "actor_id": getattr(context["actor"], "pk", None),
        "actor_email": context["actor_email"],
        "remote_addr": context["remote_addr"],
        "remote_port": context["remote_port"],
    }
    extra = {"note": str(note)} if note else {}
    entries = [
        {
            "object_pk": smart_str(obj.pk),
            "object_id": obj.pk if isinstance(obj.pk, int) else None,
            "object_repr": name,
            "changes": changes,
            "additional_data": _additional_data(obj) | extra,
        }
        for (obj, changes), name in zip(rows, _names([obj for obj, _c in rows]), strict=True)
    ]
    _insert(entries, common)
    return len(entries)


def _insert(entries: list[dict], common: dict) -> None:
    """Insert log entries in one statement per batch. Like the importer's many-to-many rows,
    without a model instance per entry: at tens of thousands of imported records, building
    and compiling those would cost more than the import's own writes."""
    connection = connections[router.db_for_write(LogEntry)]
    fields = [field for field in LogEntry._meta.concrete_fields if not field.primary_key]
    constants = {
        field.attname: field.get_db_prep_save(
            common[field.attname] if field.attname in common else field.get_default(), connection
        )
        for field in fields
        if field.attname not in entries[0]
    }
    # Each row starts from the constants; the values that differ go into their slots.
    names = [field.attname for field in fields]
    template = [constants.get(name) for name in names]
    slots = [
        (index, name, field.encoder if isinstance(field, JSONField) else False)
        for index, (name, field) in enumerate(zip(names, fields, strict=True))
        if name not in constants
    ]
    copies = bulk.copies(connection)
    adapt_json = _json_text if copies else connection.ops.adapt_json_value
    values = []
    last: dict[int, tuple] = {}  # slot -> (value, adapted): the entries share their context
    for entry in entries:
        row = template.copy()
        for index, name, encoder in slots:
            value = entry[name]
            if encoder is not False:
                seen = last.get(index)
                if seen is not None and seen[0] == value:
                    value = seen[1]
                else:
                    adapted = adapt_json(value, encoder)
                    last[index] = (value, adapted)
                    value = adapted
            row[index] = value
        values.append(row)
    if copies:
        bulk.copy_rows(
            connection, LogEntry._meta.db_table, [field.column for field in fields], values
        )
        return
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(LogEntry._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) VALUES "
    )
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, values)))
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([placeholders] * len(chunk)), params)


def _json_text(value, encoder) -> str:
    """A JSON field's value as COPY's text takes it (what psycopg's ``Jsonb`` would send)."""
    return json.dumps(value, cls=encoder) if encoder is not None else json.dumps(value)


_TIMES = (dt.datetime,)
# Fields (by exact class) whose get_db_prep_save() returns a value of these exact types as it
# is on PostgreSQL (times if aware, with USE_TZ), and None as NULL; other fields convert every
# value.
_PLAIN = {
    **dict.fromkeys((models.CharField, models.TextField), (str,)),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.ForeignKey,
        ),
        (int,),
    ),
    models.BooleanField: (bool,),
    models.DateField: (dt.date,),
    models.UUIDField: (uuid.UUID,),
    models.DateTimeField: _TIMES,
}


def _plain_kinds(field) -> tuple | None:
    """The types of value that ``field`` saves as they are (see ``_PLAIN``)."""
    kinds = _PLAIN.get(type(field))
    return None if kinds is _TIMES and not settings.USE_TZ else kinds


_STORED_AS_IS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _copy_fields(model):
    """The concrete fields a COPY of ``model``'s new records writes besides the primary key,
    or None where Django's ``bulk_create`` must do it (inheritance, database defaults, a
    primary key the database does not number)."""
    opts = model._meta
    if opts.parents or opts.pk.get_internal_type() not in ("AutoField", "BigAutoField"):
        return None
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    if any(f.has_db_default() or getattr(f, "generated", False) for f in fields):
        return None
    return fields


def _copy_create(model, objs, connection) -> bool:
    """Insert new records with COPY, their ids drawn from the table's sequence first (COPY
    returns none); False where Django's ``bulk_create`` must do it. The records end as
    ``bulk_create`` leaves them: primary keys set, saved."""
    fields = _copy_fields(model)
    if fields is None or any(obj.pk is not None for obj in objs):
        return False
    for obj in objs:
        if obj._state.fields_cache:  # else there is no related record to check
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    # A field that saves the value it holds (``Field.pre_save``) behind Django's own
    # descriptor: read from the record directly; the others through their ``pre_save``.
    specs = [
        (
            field,
            field.attname,
            type(field).pre_save is Field.pre_save
            and type(model.__dict__.get(field.attname)) in _STORED_AS_IS,
            _plain_kinds(field),
        )
        for field in fields
    ]
    rows = []
    for obj in objs:
        row = []
        stored = obj.__dict__
        for field, attname, as_is, kinds in specs:
            value = stored.get(attname, _UNSET) if as_is else _UNSET
            if value is _UNSET:
                value = field.pre_save(obj, True)
            # A value the field would pass on unchanged needs no conversion (most of them).
            if value is None and kinds is not None:
                pass
            elif (
                kinds is None
                or type(value) not in kinds
                or (kinds is _TIMES and value.utcoffset() is None)  # naive: made aware
            ):
                value = field.get_db_prep_save(value, connection)
                if hasattr(value, "resolve_expression"):
                    return False  # an expression: Django's bulk_create computes it
            row.append(value)
        rows.append(row)
    opts = model._meta
    ids = bulk.next_ids(connection, opts.db_table, opts.pk.column, len(objs))
    for obj, pk, row in zip(objs, ids, rows, strict=True):
        obj.pk = pk
        row.insert(0, pk)
        obj._state.adding = False
        obj._state.db = connection.alias
    bulk.copy_rows(connection, opts.db_table, [opts.pk.column, *(f.column for f in fields)], rows)
    return True


def log_update(obj, before: dict[str, str], *, by=None, note: str = "") -> bool:
    """Record a change written without ``save()`` (a ``QuerySet.update()``): ``obj`` holds
    the values as written, ``before`` the :func:`snapshot` of the changed fields taken before.
    Nothing is recorded when no value changed; returns whether an entry was."""
    model = type(obj)
    if not audited(model):
        return False
    changes = _changes(model, before, snapshot(obj, before))
    rows = [(obj, changes)] if changes else []
    return bool(_write(model, LogEntry.Action.UPDATE, rows, by=by, note=note))


def log_bulk_create(objs, *, by=None, note: str = "") -> int:
    """Record records inserted with ``bulk_create()`` (their primary keys set) as created,
    with every field that has a value, in one statement per batch."""
    objs = list(objs)
    if not objs or not audited(type(objs[0])):
        return 0
    model = type(objs[0])
    fields = [
        (field.name, field, attname, masked, isinstance(field, DateTimeField | JSONField))
        for field, attname, masked in _tracked(model).values()
    ]
    mask = _mask(model)
    masked_none = mask("None")
    rows = []
    for obj in objs:
        changes = {}
        stored = obj.__dict__
        for name, field, attname, masked, special in fields:
            # _text(field, _value(obj, attname)), inline: this runs for every imported value.
            value = stored.get(attname, _UNSET)
            if value is _UNSET:
                value = getattr(obj, attname)
            kind = type(value)
            if kind is str:
                text = value
            elif value is None:
                continue
            elif special:
                text = _special_text(field, value)
            else:
                text = str(value) if kind is not bytes else smart_str(value)
            if text != "None":
                changes[name] = [masked_none, mask(text)] if masked else ["None", text]
        rows.append((obj, changes))
    return _write(model, LogEntry.Action.CREATE, rows, by=by, note=note)


def _batches(objs: list, size: int):
    iterator = iter(objs)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_create(objs, *, by=None, note: str = "", batch_size: int = BATCH) -> list:
    """``Model.objects.bulk_create(objs)``, each new record of an audited model recorded as
    created (by ``by``, with ``note``) in the same number of statements."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if not (bulk.copies(connection) and _copy_create(model, objs, connection)):
        model._default_manager.bulk_create(objs, batch_size=batch_size)
    if audited(model):
        for batch in _batches(objs, batch_size):
            log_bulk_create(batch, by=by, note=note)
    return objs


def bulk_update(
    objs, fields, *, by=None, note: str = "", batch_size: int = BATCH, related=None
) -> int:
    """``Model.objects.bulk_update(objs, fields)``, each changed record of an audited model
    recorded with its old and new values (by ``by``, with ``note``).

    The old values are read before the write, one query per batch. ``related`` adds changes
    the caller writes itself, such as many-to-many sets: ``{pk: {field: (old, new)}}``; a
    record whose only change is there is recorded too."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    manager = model._default_manager
    if not audited(model):
        return manager.bulk_update(objs, fields, batch_size=batch_size)
    related = related or {}
    specs = _specs(model, fields)
    written = {name for name, _field, _attname in specs}
    unread = [name for name, (_f, _a, masked) in _tracked(model).items() if masked]
    unread = [name for name in unread if name not in written]
    updated = 0
    for batch in _batches(objs, batch_size):
        stored = model._base_manager.defer(*unread).in_bulk([obj.pk for obj in batch])
        updated += manager.bulk_update(batch, fields, batch_size=batch_size)
        rows = []
        for obj in batch:
            record = stored.get(obj.pk)
            if record is None:
                continue
            changes = _changes(model, _texts(record, specs), _texts(obj, specs))
            for name, (old, new) in related.get(obj.pk, {}).items():
                changes[name] = [_set_text(old), _set_text(new)]
            if changes:
                # The stored record, as written now, gives the entry its name.
                for _name, _field, attname in specs:
                    setattr(record, attname, _value(obj, attname))
                rows.append((record, changes))
        _write(model, LogEntry.Action.UPDATE, rows, by=by, note=note)
    return updated


def _set_text(values) -> str:
    """A many-to-many set as the trail writes it: the sorted ids."""
    return smart_str(sorted(values))

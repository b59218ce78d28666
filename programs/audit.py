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
"""

from functools import cache

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import Q
from django.shortcuts import get_object_or_404

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

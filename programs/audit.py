"""The audit trail: who created, changed, deleted or opened which sensitive record, and when.

Lotse uses django-auditlog: one table (``auditlog_logentry``), the actor and the remote
address come from its middleware, reads are logged with its ``accessed`` signal, and its
admin is read-only. Each app registers its own audited models with :func:`register` from its
``AppConfig.ready()``; each entry also stores the record's program in ``additional_data`` so a
coordinator sees the trail of their own program only.

Free text that may hold health information is masked: the trail says *that* it changed,
never *what* it says.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed

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


def log_access(obj) -> None:
    """Record that the signed-in user opened ``obj`` (actor and address from the middleware)."""
    accessed.send(sender=type(obj), instance=obj)


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

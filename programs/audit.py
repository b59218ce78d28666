"""The audit trail: who created, changed, deleted or opened which sensitive record, and when.

Lotse uses django-auditlog: one table (``auditlog_logentry``), the actor and the remote
address come from its middleware, reads are logged with its ``accessed`` signal, and its
admin is read-only. The models below are registered by label (so ``programs`` needs no
import of the apps to its right); each entry also stores the record's program in
``additional_data`` so a coordinator sees the trail of their own program only.

Free text that may hold health information is masked: the trail says *that* it changed,
never *what* it says.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.apps import apps

REDACTED = "[…]"

# {model label: fields whose content never goes into the trail}
AUDITED = {
    "programs.Participant": ["alias"],
    "sessions_log.Activity": ["notes"],
    "sessions_log.Concern": ["description", "outcome"],
    "referrals.Referral": ["outcome"],
    "volunteers.SupervisionSession": ["confidential_notes"],
    "reports.Report": ["summary", "highlights", "challenges", "outlook", "kpi_snapshot"],
}


def redact(value) -> str:
    """The mask of a sensitive field's old and new value."""
    return REDACTED


def register_audited_models() -> None:
    for label, masked in AUDITED.items():
        model = apps.get_model(label)
        if model in auditlog.get_models():
            continue
        auditlog.register(model, mask_fields=masked, mask_callable="programs.audit.redact")
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


def redact_name(obj) -> int:
    """Keep an object's entries but drop the name they were logged under."""
    return LogEntry.objects.get_for_object(obj).update(object_repr=REDACTED)


def content_type_of(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)

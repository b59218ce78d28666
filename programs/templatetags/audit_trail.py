"""Template tags of the audit trail: "who looked at this participant" on a participant's page."""

from dataclasses import dataclass

from django import template
from django.utils.text import capfirst

from .. import audit
from ..access import Perm, has_perm
from ..models import Participant

register = template.Library()


@dataclass(frozen=True)
class Read:
    """One opening of a participant's page or record, as shown on the participant's page."""

    at: object
    who: str
    what: str
    in_admin: bool


@register.simple_tag(takes_context=True)
def participant_reads(context, participant) -> list[Read] | None:
    """The latest openings of ``participant``'s page and records (``audit.participant_reads``)
    for a member who may read the audit trail; ``None`` for everyone else."""
    request = context.get("request")
    if not has_perm(getattr(request, "membership", None), Perm.VIEW_AUDIT_LOG):
        return None
    return [_read(entry) for entry in audit.participant_reads(participant)]


def _read(entry) -> Read:
    model = entry.content_type.model_class()
    what = capfirst(model._meta.verbose_name) if model is not None else entry.object_repr
    if model is not Participant:
        what = f"{what}: {entry.object_repr}"
    actor = entry.actor
    who = (actor.get_full_name() or actor.get_username()) if actor else entry.actor_email or "—"
    via = (entry.additional_data or {}).get("via")
    return Read(at=entry.timestamp, who=who, what=what, in_admin=via == "admin")

"""The registry of participants' personal data, in the manner of pretix's data shredders.

A participant's data lives in several apps: the sessions they attended, their matches and
questionnaires (``sessions_log``), their referrals (``referrals``). Each app registers, from
its ``AppConfig.ready()``, every one of its models that points at a ``Participant``: how the
rows are exported (Art. 15), what erasure does to them (Art. 17) and which of their dates
count as contact for retention. The ``privacy`` app runs every entry. It sits above the apps
that register, so the registry lives here, beside ``Participant``, where every app reaches it.

A test walks all models and fails when one with a relation to ``Participant`` has no entry,
so a new model cannot hold a participant's data that erasure would leave behind.
"""

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from .models import Participant


class Erasure(enum.Enum):
    """What erasing a participant does to a model's rows about them."""

    DELETE = "delete"
    """The rows are deleted (questionnaire answers)."""

    UNLINK = "unlink"
    """The rows stay without the link to the participant (a session keeps its head counts)."""

    KEEP = "keep"
    """The rows stay in the program's figures, linked to the participant's emptied record,
    which erasure therefore keeps instead of deleting it (referrals, matches)."""


@dataclass(frozen=True)
class ParticipantData:
    """One model's rows about a participant and what Art. 15, Art. 17 and retention do with
    them. Register entries with :func:`register`."""

    model: type[models.Model]
    erasure: Erasure
    field: str = "participant"
    """The model's foreign key, one-to-one or many-to-many field to ``Participant``."""

    export_row: Callable[[models.Model], dict] | None = None
    """One row as JSON-ready data; by default its fields without the program and the person."""

    scrub: Callable[[models.QuerySet], object] | None = None
    """Empties what the participant's rows say about them (text, their names in the audit
    trail); runs on erasure before the rows are deleted, unlinked or kept."""

    contact_dates: tuple[str, ...] = ()
    """Date fields of the rows whose latest value is the participant's last contact."""

    ongoing: Q | None = None
    """The rows that count as contact now, as long as they exist (a match not yet ended)."""

    @property
    def relation(self) -> models.Field:
        return self.model._meta.get_field(self.field)

    @property
    def key(self) -> str:
        """The rows' name in the export: the participant's reverse accessor (``referrals``)."""
        return self.relation.remote_field.get_accessor_name()

    @property
    def lookup(self) -> str:
        """The relation as seen in a query on ``Participant`` (``referrals__referred_on``)."""
        return self.relation.related_query_name()

    def rows(self, participant: Participant) -> models.QuerySet:
        """The participant's rows of this model."""
        return self.model._default_manager.filter(**{self.field: participant})

    def export(self, participant: Participant) -> list[dict]:
        """The participant's rows as JSON-ready data (Art. 15)."""
        skip = {"program", self.field}
        return [
            self.export_row(row) if self.export_row else record(row, skip=skip)
            for row in self.rows(participant)
        ]

    def keeps(self, participant: Participant) -> bool:
        """Whether erasure keeps the participant's emptied record because rows stay on it."""
        return self.erasure is Erasure.KEEP and self.rows(participant).exists()

    def erase(self, participant: Participant) -> None:
        """Erase what the participant's rows hold about them (Art. 17)."""
        rows = self.rows(participant)
        if self.scrub is not None:
            self.scrub(rows)
        if self.erasure is Erasure.DELETE:
            rows.delete()
        elif self.erasure is Erasure.UNLINK:
            if self.relation.many_to_many:
                getattr(participant, self.key).clear()
            else:
                rows.update(**{self.field: None})


_registry: dict[tuple[str, str], ParticipantData] = {}


def register(model: type[models.Model], *, erasure: Erasure, **options) -> ParticipantData:
    """Declare that ``model`` holds participants' data; the options are those of
    :class:`ParticipantData`. Registering the same model and field again replaces the entry."""
    entry = ParticipantData(model=model, erasure=erasure, **options)
    relation = entry.relation
    if not relation.is_relation or relation.related_model is not Participant:
        raise ImproperlyConfigured(f"{model._meta.label}.{entry.field} is no link to Participant")
    if erasure is Erasure.UNLINK and not (relation.many_to_many or relation.null):
        raise ImproperlyConfigured(f"{model._meta.label}.{entry.field} cannot be unlinked")
    _registry[(model._meta.label, entry.field)] = entry
    return entry


def registered() -> list[ParticipantData]:
    """Every entry, in the order the apps registered them."""
    return list(_registry.values())


# ---- export values ---------------------------------------------------------------------------


def value(obj: models.Model, field: models.Field):
    """One field of a record as JSON-ready data; a foreign key as its id and name."""
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        return None if related is None else {"id": related.pk, "name": str(related)}
    value = field.value_from_object(obj)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "code"):  # django-countries
        return value.code or ""
    return value


def record(obj: models.Model, *, skip=()) -> dict:
    """A record's own fields (not its many-to-many links) as JSON-ready data."""
    return {
        field.name: value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in skip and field.name != "idempotency_key"
    }

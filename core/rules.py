"""What every app's ``rules`` module returns, and how a violated database constraint reaches
its field.

A rules function takes plain values (never a form or a request) and returns
:class:`Findings`: hard errors for values that cannot be right and soft warnings for values
that are unusual but possible, each keyed by the field it concerns. Forms, services and the
importer call the same function: a form shows the errors at their fields and asks the user to
confirm the warnings, a service raises them (the warnings only while not ``confirmed``), the
importer lists both per row and counts its confirm step as the confirmation.
"""

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router


@dataclass(frozen=True)
class Bound:
    """The lowest and highest plausible value of a number (both included)."""

    low: int | Decimal
    high: int | Decimal

    def __contains__(self, value) -> bool:
        return self.low <= value <= self.high


class NeedsConfirmation(ValidationError):
    """Values that are unusual but possible; a service writes them only once confirmed."""


class Findings:
    """The errors and warnings about one record, keyed by field.

    ``before`` holds the saved values of a record being changed: a warning about values that
    did not change is not raised again (it was confirmed when they were first saved).
    """

    def __init__(self, before: Mapping | None = None):
        self.before = before
        self.errors: dict[str, list[ValidationError]] = {}
        self.warnings: dict[str, list[ValidationError]] = {}

    def __bool__(self) -> bool:
        return bool(self.errors or self.warnings)

    def error(self, field: str, message, *, code: str, **params) -> None:
        self.errors.setdefault(field, []).append(
            ValidationError(message, code=code, params=params or None)
        )

    def warn(self, field: str, message, *, code: str, about: Mapping, **params) -> None:
        """A warning about the values in ``about`` (name -> value); dropped when none of them
        changed from ``before``."""
        if self.before is not None and all(
            name in self.before and self.before[name] == value for name, value in about.items()
        ):
            return
        self.warnings.setdefault(field, []).append(
            ValidationError(message, code=code, params=params or None)
        )

    def has_error(self, *fields: str) -> bool:
        return any(field in self.errors for field in fields)

    def raise_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def check(self, *, confirmed: bool = False) -> None:
        """Raise the errors; then the warnings, unless the user confirmed them."""
        self.raise_errors()
        if self.warnings and not confirmed:
            raise NeedsConfirmation(self.warnings)

    @property
    def warning_key(self) -> str:
        """A short fingerprint of the warnings: a confirmation holds for exactly these."""
        parts = sorted(
            f"{field}:{error.code}:{sorted((k, str(v)) for k, v in (error.params or {}).items())}"
            for field, errors in self.warnings.items()
            for error in errors
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def messages(self, which: str = "errors") -> Iterator[tuple[str, str]]:
        """(field, message in the active language) for each error or warning."""
        for field, errors in getattr(self, which).items():
            for error in errors:
                for message in error.messages:
                    yield field, message

    def add_to_form(self, form, *, confirmed: bool = False) -> None:
        """Put the errors (and the unconfirmed warnings) on a form, each at its field."""
        for which in ("errors", "warnings"):
            if which == "warnings" and confirmed:
                continue
            for field, errors in getattr(self, which).items():
                target = field if field in form.fields else None
                for error in errors:
                    shown = form.errors.get(target or NON_FIELD_ERRORS, ())
                    if error.messages[0] not in shown:  # said once, even if two rules agree
                        form.add_error(target, error)


def clean_before_writing(instance, *, exclude=()) -> None:
    """``full_clean`` without what the database checks anyway as it writes the row: that the
    rows its foreign keys name (given as saved records) exist, and its constraints. Each of
    those costs a query; a write that breaks one is explained by :func:`explain_refusal`.
    The caller's own rules (``Findings``) come first and catch what a user can get wrong."""
    saved = [
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one
        and not field.remote_field.limit_choices_to
        and field.is_cached(instance)
        and getattr(instance, field.name) is not None
        and getattr(instance, field.name).pk is not None
    ]
    instance.full_clean(exclude=[*exclude, *saved], validate_constraints=False)


def explain_refusal(instance, *, exclude=()) -> None:
    """After the database refused to write ``instance`` (``IntegrityError``, the transaction
    rolled back), raise why as ``full_clean`` would have, each message at its field; returns
    if nothing on the record explains it (a concurrent write did), for the caller to decide."""
    instance.full_clean(exclude=list(exclude))


def condition_fields(constraint) -> set[str]:
    """The model fields a constraint reads (its fields, its condition's)."""
    names = set(getattr(constraint, "fields", ()) or ())
    condition = getattr(constraint, "condition", None)
    if condition is not None:
        names |= set(condition.referenced_base_fields)
    return names


class ConstraintErrorsAtFields:
    """Model mixin: a violated constraint's message is raised at the field it concerns.

    Django raises a violated check constraint as an error of the whole form. Here it goes to
    ``constraint_fields[name]`` where the model names one, else to the one field (other than
    ``program``) the constraint reads; only a constraint over several fields without an entry
    stays on the whole record.
    """

    constraint_fields: Mapping[str, str] = {}

    @classmethod
    def constraint_field(cls, constraint) -> str:
        if constraint.name in cls.constraint_fields:
            return cls.constraint_fields[constraint.name]
        fields = condition_fields(constraint) - {"program"}
        return fields.pop() if len(fields) == 1 else NON_FIELD_ERRORS

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, list] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    errors.setdefault(self.constraint_field(constraint), []).append(error)
        if errors:
            raise ValidationError(errors)

"""Rules on values that hold for every app: each written once, used by forms and services."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def future_date_error(day: dt.date | None, *, today: dt.date | None = None):
    """The error for a date after today (the programs' local date), or None."""
    if day is not None and day > (today or timezone.localdate()):
        return ValidationError(_("The date cannot be in the future."), code="future")
    return None


def not_in_future(day: dt.date | None, *, field: str | None = None, today=None) -> None:
    """Refuse a date after today; with ``field``, the error belongs to that field."""
    if error := future_date_error(day, today=today):
        raise ValidationError({field: error}) if field else error

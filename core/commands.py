"""What the reports commands share in reading their arguments."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD argument as a date, or the command's error message."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("“%(value)s” is not a date; write YYYY-MM-DD.") % {"value": text}
        ) from error

"""Dates in the language of the page or report, from the CLDR (``reports.document``).

``{{ day|long_date }}`` prints "6 December 2026" (English is British English, see
``programs.languages``); ``{{ start|period_until:end }}`` prints "1 January – 31 December 2025".
"""

import datetime as dt

from django import template

from reports.document import format_day, format_period

register = template.Library()


@register.filter
def long_date(day: dt.date | None) -> str:
    return format_day(day) if day else ""


@register.filter
def period_until(start: dt.date | None, end: dt.date | None) -> str:
    if not start or not end:
        return ""
    return format_period(start, end)

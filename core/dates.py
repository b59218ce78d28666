"""Calendar arithmetic by months, with names that say which day they land on."""

import calendar
import datetime as dt


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative), on the month's last day where
    that month is shorter: 31 March and one month is 30 April."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def month_start(day: dt.date, months: int = 0) -> dt.date:
    """The first day of the month ``months`` after (before, when negative) ``day``'s month."""
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of every month from ``start``'s month to ``end``'s month."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = month_start(month, 1)
    return months

"""Figures on the dashboards."""

from django import template

from reports.document import Kind, format_value

register = template.Library()


@register.filter
def signed(value) -> str:
    """A change with its sign, printed as the reports print one: "+1.204", "−8" (a true minus
    sign, not a hyphen), "0"."""
    if value is None or value == "":
        return ""
    return format_value(value, Kind.CHANGE, suppress=False)

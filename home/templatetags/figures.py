"""Figures on the dashboards."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def signed(value) -> str:
    """A change with its sign, grouped as the language groups: "+1.204", "−8" (a true minus
    sign, not a hyphen), "0"."""
    if value is None or value == "":
        return ""
    sign = "+" if value > 0 else "\N{MINUS SIGN}" if value < 0 else ""
    return f"{sign}{intcomma(abs(value))}"

"""``{{ form.date|field }}``: a form field in Bootstrap 5 markup (core/fields.py), for forms
shown often enough that a template per field would be felt, such as the log form of a session.
``{{ form|non_field_errors }}`` shows the errors that belong to no field."""

from django import template

from core.fields import field_html, non_field_errors_html

register = template.Library()


@register.filter
def field(bound_field, wrapper_class=""):
    return field_html(bound_field, wrapper_class)


@register.filter
def non_field_errors(form):
    return non_field_errors_html(form)

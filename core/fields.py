"""A form field in Bootstrap 5 markup, written in Python.

The markup is the one crispy-forms' Bootstrap 5 pack writes for a field (a label or legend, the
input, its errors and help text, with the same ids, classes and ARIA attributes), built with
string formatting instead of a template per field, per option and per attribute: the log form
of a session, shown at every session logged, renders in about a millisecond instead of twenty.
Pages lay out their fields in plain HTML (rows, columns) around ``field_html``.

Widgets whose template is one of Django's plain ones (an input, a select, a textarea) are
written here too, from the widget's own context; any other widget renders itself.
"""

from html import escape as html_escape

from django import forms
from django.forms.utils import ErrorList
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
_INPUTS = frozenset(
    _WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "color.html",
        "checkbox.html",
    )
)


def _escape(value) -> str:
    """``conditional_escape``, without the lazy wrapper of Django's ``escape`` (this runs for
    every option of every list)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


def _text(value) -> str:
    """A value as the template language prints it: localized, then escaped."""
    return _escape(localize(value))


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    return _escape(str(value))


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: ``True`` as a bare name, ``False`` left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(options) -> str:
    return "".join(
        f'\n  <option value="{_string(o["value"])}"{_attrs(o["attrs"])}>'
        f"{_text(o['label'])}</option>"
        for o in options
    )


def widget_html(widget: forms.Widget, name: str, value, attrs: dict) -> str:
    """What ``widget.render(name, value, attrs)`` writes."""
    if type(widget).render is not forms.Widget.render:
        return widget.render(name, value, attrs)  # a widget that writes itself
    template = widget.template_name
    if template not in _INPUTS and template not in (
        _WIDGETS + "select.html",
        _WIDGETS + "textarea.html",
    ):
        return widget.render(name, value, attrs)
    context = widget.get_context(name, value, attrs)["widget"]
    attributes = _attrs(context["attrs"])
    if template in _INPUTS:
        value = context["value"]
        shown = "" if value is None else f' value="{_string(value)}"'
        return f'<input type="{context["type"]}" name="{_string(name)}"{shown}{attributes}>'
    if template.endswith("textarea.html"):
        text = _text(context["value"]) if context["value"] else ""
        return f'<textarea name="{_string(name)}"{attributes}>\n{text}</textarea>'
    parts = []
    for group, options, _index in context["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">{_options(options)}\n  </optgroup>')
        else:
            parts.append(_options(options))
    return f'<select name="{_string(name)}"{attributes}>{"".join(parts)}\n</select>'


def _css(widget: forms.Widget, extra: str) -> str:
    """The widget's classes as crispy-forms sets them: its own, its type's name, ``extra``."""
    css = widget.attrs.get("class", "")
    kind = type(widget).__name__.lower()
    if not css:
        css = kind
    elif kind not in css:
        css += f" {kind}"
    present = css.split()
    for name in extra.split():
        if name not in present:
            css += f" {name}"
            present.append(name)
    return css


def _input(field: forms.BoundField, extra_css: str | None) -> str:
    """``BoundField.as_widget``, with crispy-forms' classes unless ``extra_css`` is None."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(
        {} if extra_css is None else {"class": _css(widget, extra_css)}
    )
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget_html(widget, field.html_name, field.value(), attrs)


def _errors(field: forms.BoundField, tag: str) -> str:
    errors: ErrorList = field.errors
    if not errors:
        return ""
    items = "".join(
        f'<{tag} id="error_{n}_{field.auto_id}">'
        f"<strong>{conditional_escape(error)}</strong></{tag}>"
        for n, error in enumerate(errors, 1)
    )
    return f'<div id="{errors.field_id}_error" class="invalid-feedback">{items}</div>'


def _help(field: forms.BoundField) -> str:
    if not field.help_text:
        return ""
    ident = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f'<div {ident}class="form-text">{field.help_text}</div>'


def _label(field: forms.BoundField) -> str:
    required = field.field.required
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    return f"{conditional_escape(field.label)}{asterisk}"


def _choices(field: forms.BoundField) -> str:
    """Radio buttons or checkboxes, one ``form-check`` each; the errors after the last."""
    widget = field.field.widget
    ident = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": ident} if ident else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    invalid = " is-invalid" if field.errors else ""
    parts = []
    for g, (group, options, _index) in enumerate(groups):
        if group:
            parts.append(f"<strong>{_text(group)}</strong>")
        for o, option in enumerate(options):
            errors = ""
            if field.errors and g == len(groups) - 1 and o == len(options) - 1:
                errors = _errors(field, "p")
            option_attrs = _attrs(option["attrs"])
            parts.append(
                f'<div class="form-check"><input type="{option["type"]}" '
                f'class="form-check-input{invalid}" name="{_string(field.html_name)}" '
                f'value="{_string(option["value"])}"{option_attrs}>'
                f'<label for="{_string(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{_string(option['label'])}</label>{errors}</div>"
            )
    return f"<div>{''.join(parts)}</div>{_help(field)}"


def field_html(field: forms.BoundField, wrapper_class: str = "") -> SafeString:
    """One field with its label, errors and help text, in crispy-forms' Bootstrap 5 markup."""
    widget = field.field.widget
    if widget.is_hidden:
        return mark_safe(_input(field, None))
    extra = f" {wrapper_class}" if wrapper_class else ""
    css = field.css_classes()
    if css:
        extra += f" {css}"
    ident = f"div_{field.auto_id}"
    if isinstance(widget, forms.CheckboxInput):
        invalid = " is-invalid" if field.errors else ""
        required = " requiredField" if field.field.required else ""
        return mark_safe(
            f'<div class="mb-3"><div id="{ident}" class="form-check{extra}">'
            f"{_input(field, 'form-check-input' + invalid)}"
            f'<label for="{field.id_for_label}" class="form-check-label{required}">'
            f"{_label(field)}</label>{_errors(field, 'span')}{_help(field)}</div></div>"
        )
    fieldset = field.use_fieldset
    head = tail = ""
    if field.label:
        tag = "legend" if fieldset else "label"
        target = f'for="{field.id_for_label}" ' if field.id_for_label else ""
        css = "form-label"
        if field.field.required:
            css += " requiredField"
        if fieldset:
            css += " fs-6"
        head = f'<{tag} {target}class="{css}">{_label(field)}</{tag}>'
        if fieldset:
            described = field.aria_describedby
            described = f' aria-describedby="{described}"' if described else ""
            head = f"<fieldset{described}>{head}"
            tail = "</fieldset>"
    if isinstance(widget, forms.RadioSelect):  # radio buttons, or checkboxes
        body = _choices(field)
    else:
        invalid = " is-invalid" if field.errors else ""
        if isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        body = f"{_input(field, css + invalid)}{_errors(field, 'span')}{_help(field)}"
    return mark_safe(f'<div id="{ident}" class="mb-3{extra}">{head}{body}{tail}</div>')


def non_field_errors_html(form: forms.BaseForm) -> SafeString:
    """The form's errors that belong to no field, as crispy-forms shows them above the form."""
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("")
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return mark_safe(
        f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
    )

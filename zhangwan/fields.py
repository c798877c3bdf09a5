"""``{{ form.field|as_field }}``: crispy's Bootstrap 5 field (``|as_crispy_field``) written in Python for the
boxes a busy page repeats (issue 21). A reviewer's score sheet has two boxes per criterion, and crispy renders
each through its field template, two includes and Django's widget templates: half of the sheet's CPU.

Django's own text, number, e-mail and address boxes and text areas are written here (their stock templates,
no hidden initial value); any other widget (passwords, which Django never shows again, selects, check boxes,
files, a subclass with a template of its own) goes to crispy as before. The HTML is crispy's, tag for tag and
attribute for attribute (``zhangwan/tests/test_fields.py`` compares the two, bound and unbound, with errors and
help texts).
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.safestring import SafeString, mark_safe

from zhangwan.markup import attributes, escaped

register = template.Library()  # a builtin of every template (settings.TEMPLATES)


WRITTEN_HERE = {forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.Textarea}


def _written_here(field) -> bool:
    widget = field.field.widget
    return (type(widget) in WRITTEN_HERE and widget.template_name == type(widget).template_name
            and not field.field.show_hidden_initial)


def _box(field, widget) -> str:
    """The widget as Django's templates write it, with crispy's classes."""
    name = widget.__class__.__name__.lower()
    given = widget.attrs.get("class", "")
    css = f"{given} {name}" if given and name not in given else (given or name)
    for added in ("form-control", "is-invalid") if field.errors else ("form-control",):
        if added not in css.split():  # as crispy adds a class: only if the widget has not got it
            css += f" {added}"
    attrs = field.build_widget_attrs({**widget.attrs, "class": css})
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    value = widget.format_value(field.value())
    if isinstance(widget, forms.Textarea):
        return f'<textarea name="{escaped(field.html_name)}"{attributes(attrs)}>\n{escaped(value or "")}</textarea>'
    shown = "" if value is None else f' value="{escaped(value)}"'
    return f'<input type="{escaped(widget.input_type)}" name="{escaped(field.html_name)}"{shown}{attributes(attrs)}>'


@register.filter
def as_field(field) -> SafeString:
    """The bound field's wrapper, label, box, errors and help text, as ``|as_crispy_field`` writes them."""
    widget = field.field.widget
    if not _written_here(field):
        return as_crispy_field(field)
    auto_id, required = field.auto_id, field.field.required
    label = ""
    if field.label:
        target = f' for="{escaped(field.id_for_label)}"' if field.id_for_label else ""
        mark = '<span class="asteriskField">*</span>' if required else ""
        label = (f'<label{target} class="form-label{" requiredField" if required else ""}">'
                 f"{escaped(field.label)}{mark}</label>")
    errors = ""
    if field.errors:
        errors = (f'<div id="{escaped(auto_id)}_error" class="invalid-feedback">'
                  + "".join(f'<p id="error_{n}_{escaped(auto_id)}"><strong>{escaped(error)}</strong></p>'
                            for n, error in enumerate(field.errors, start=1))
                  + "</div>")
    help_text = ""
    if field.help_text:
        named = f'id="{escaped(auto_id)}_helptext" ' if auto_id else ""
        help_text = f'<div {named}class="form-text">{field.help_text}</div>'  # |safe in crispy's template
    css = field.css_classes()
    return mark_safe(  # noqa: S308 - every value escaped above, the help text as crispy trusts it
        f'<div id="div_{escaped(auto_id)}" class="mb-3{" " + escaped(css) if css else ""}">'
        f"{label}{_box(field, widget)}{errors}{help_text}</div>")

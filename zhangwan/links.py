"""Addresses at a dict lookup's cost: ``reverse()`` once per view, URL configuration, script prefix and
language, then the numbers put in.

A list page prints an address per row, and every page a dozen in its top bar; Django's ``reverse()``
walks the URL resolver and matches the result against the pattern again on each call (about 60 µs
here), which made the addresses a sixth of a 50-row list's processor time. ``fast_reverse`` reverses a
view once with marker numbers for its arguments and keeps the result as a format string; later calls
with non-negative integer arguments (primary keys, years) only format it. Any other argument (a token,
a keyword argument) and any view whose address does not carry each marker exactly once goes through
``reverse()`` as before, so the answer is always what ``reverse()`` gives.

The template tag ``{% url %}`` of every template is this module's (the engine's ``builtins`` option
puts it over Django's): the same syntax and behaviour, ``fast_reverse`` inside.

So is ``{% static %}`` where a template does not ``{% load static %}`` (base.html, on every page): the
storage's address of a static file does not change while a process runs (a manifest is read once), and
``fast_static`` keeps each one; Django's asks the storage each time (15-40 µs, eight times a page).
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags.static import StaticNode, static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

MARKERS = (9_087_654_321, 9_087_654_322, 9_087_654_323, 9_087_654_324)
NO_SHAPE = ""  # this view is always reversed by reverse() (an address is never empty)
_shapes: dict[tuple, str] = {}


def _shape(viewname, count: int, current_app) -> str:
    """The view's address as a format string with {0}, {1}… for its arguments, or NO_SHAPE."""
    try:
        address = reverse(viewname, args=MARKERS[:count], current_app=current_app)
    except NoReverseMatch:
        return NO_SHAPE
    if "{" in address or "}" in address:
        return NO_SHAPE
    for index, marker in enumerate(MARKERS[:count]):
        if address.count(str(marker)) != 1:  # a converter that writes numbers its own way
            return NO_SHAPE
        address = address.replace(str(marker), f"{{{index}}}")
    return address


def fast_reverse(viewname: str, args=(), current_app=None) -> str:
    """``reverse(viewname, args=args, current_app=current_app)``, formatted from a kept shape when every
    argument is a non-negative int."""
    if len(args) > len(MARKERS) or not all(type(arg) is int and arg >= 0 for arg in args):
        return reverse(viewname, args=args, current_app=current_app)
    shape = _kept_shape(viewname, len(args), current_app)
    if not shape:  # NO_SHAPE
        return reverse(viewname, args=args, current_app=current_app)
    return shape.format(*args)


def _kept_shape(viewname, count: int, current_app) -> str:
    """The view's shape for this URL configuration, script prefix and language, worked out once."""
    key = (viewname, count, current_app, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    shape = _shapes.get(key)
    if shape is None:
        shape = _shapes[key] = _shape(viewname, count, current_app)
    return shape


_static: dict[str, str] = {}


def fast_static(path: str) -> str:
    """``static(path)``, asked once per process."""
    address = _static.get(path)
    if address is None:
        address = _static[path] = static(path)
    return address


def addresser(viewname: str):
    """``lambda pk: fast_reverse(viewname, [pk])`` for the rows of one page: the view's shape is looked up
    once (the URL configuration, script prefix and language do not change within a request)."""
    shape = _kept_shape(viewname, 1, None)
    if not shape:  # NO_SHAPE
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: shape.format(pk) if type(pk) is int and pk >= 0 else reverse(viewname, args=[pk])


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    """Tests that swap the URL configuration or the static files' settings (override_settings) get fresh
    addresses."""
    if setting == "ROOT_URLCONF":
        _shapes.clear()
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT", "DEBUG"}:
        _static.clear()


class FastURLNode(URLNode):
    def render(self, context):
        if self.kwargs or not isinstance(view_name := self.view_name.resolve(context), str):
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        try:  # as Django's tag finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        address = ""
        try:
            address = fast_reverse(view_name, args, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


register = template.Library()


@register.tag
def url(parser, token):
    """Django's {% url %} (same syntax, same errors), reversing through fast_reverse."""
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)


class FastStaticNode(StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        # A path written in the template is kept; one from a variable (it could come from a request) is not.
        return static(path) if self.path.is_var else fast_static(path)


@register.tag("static")
def static_tag(parser, token):
    """Django's {% static %} (same syntax, same errors), each address asked of the storage once."""
    return FastStaticNode.handle_token(parser, token)

"""Django's ``i18n`` template library, with a ``{% translate %}`` that keeps what it wrote (issue 21).

Every page prints a few dozen constant messages (the top bar's, the footer's, a list's headings). Django's
tag makes each of them a lazy translation object, then localizes, translates and escapes it on every
render: about 5 µs a message, a twentieth of a list page's processor time. A message that is a quoted
constant without filters (and whose context, if any, is one) gives the same text for a language and an
escaping mode, so the node keeps that text for each pair it has rendered. Everything else (a variable, a
filter) goes through Django's node as before; the settings that change translations (tests' overrides)
make every node translate again.

The engine loads this module as ``i18n`` (settings.TEMPLATES ``libraries``): ``{% load i18n %}`` gets
Django's tags and filters, this ``translate`` and ``trans`` among them. The project's template backend
(``Templates``, settings.TEMPLATES ``BACKEND``) is Django's, its check told that this one name is meant to
stand for two modules (every other name two modules share is still reported).
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.backends.django import DjangoTemplates
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_generation = [0]  # bumped when the translations may have changed: every kept text is then stale


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message, context = self.filter_expression, self.message_context
        # A quoted message without filters, its context (if any) one too: the same text for a language.
        self.constant = (message.var.literal is not None and not message.filters
                         and (context is None or (isinstance(context.var, str) and not context.filters)))
        self.kept = {}  # (language, autoescape, generation) -> the text

    def render(self, context):
        if not self.constant:
            return super().render(context)
        key = (get_language(), context.autoescape, _generation[0])
        value = self.kept.get(key)
        if value is None:
            value = super().render(context) if not self.asvar else self._rendered(context)
            self.kept[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _rendered(self, context):
        super().render(context)
        return context[self.asvar]


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


class Templates(DjangoTemplates):
    """Django's template backend, whose check (templates.W003) knows that ``i18n`` is this module."""

    def check(self, **kwargs):
        meant = f"'i18n' is used for multiple template tag modules: 'django.templatetags.i18n', '{__name__}'"
        return [problem for problem in super().check(**kwargs)
                if not (problem.id == "templates.W003" and problem.msg == meant)]


@receiver(setting_changed)
def _translate_again(setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS", "USE_I18N"}:
        _generation[0] += 1

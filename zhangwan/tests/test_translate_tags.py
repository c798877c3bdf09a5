"""{% load i18n %} is zhangwan/translate_tags.py: Django's library whose {% translate %} keeps the text of a
constant message per language and escaping mode. What it writes must be what Django's tag writes, in both
languages, again and again, and a node must translate anew when the translations' settings change."""

import pytest
from django.template import Context, Engine
from django.utils import translation
from django.utils.safestring import mark_safe

from zhangwan.translate_tags import KeptTranslateNode

TEMPLATES = [
    '{% translate "Log in" %}',
    '{% translate "Zhangwan Skills" context "brand on a phone" %}',
    '{% translate "Log in" noop %}',
    '{% translate "Log in" as label %}[{{ label }}]{% translate "Menu" as label %}[{{ label }}]',
    '{% trans "Close" %}',
    '{% translate "<b>Fish & chips</b> 100%% sure" %}',
    '{% autoescape off %}{% translate "<b>Fish & chips</b>" %}{% endautoescape %}',
    '{% translate message %}',
    '{% translate "Log in"|upper %}',
    '{% translate "Zhangwan Skills" context which %}',
    '{% translate "Search" %} {% blocktranslate %}Search{% endblocktranslate %} {{ _("Search") }}',
]


def engines():
    return (Engine(libraries={"i18n": "django.templatetags.i18n"}),
            Engine(libraries={"i18n": "zhangwan.translate_tags"}))


@pytest.mark.parametrize("source", TEMPLATES)
def test_it_writes_what_djangos_tag_writes_in_both_languages_every_time(source):
    django_engine, ours = engines()
    theirs, mine = django_engine.from_string("{% load i18n %}" + source), ours.from_string("{% load i18n %}" + source)
    assert any(isinstance(node, KeptTranslateNode) for node in mine.nodelist.get_nodes_by_type(KeptTranslateNode))
    for language in ["zh-hans", "en", "zh-hans", "en"]:
        for message, which in [("Log in", "brand on a phone"), (mark_safe("<i>Menu</i>"), "")]:
            context = {"message": message, "which": which}
            with translation.override(language):
                assert mine.render(Context(context)) == theirs.render(Context(context)), (language, source)


def test_a_constant_message_is_translated_again_after_the_translation_settings_change(settings):
    template = engines()[1].from_string('{% load i18n %}{% translate "Log in" %}')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "登录"
        settings.LANGUAGES = [("zh-hans", "简体中文"), ("en", "English"), ("fr", "Français")]
        with translation.override("zh-hans"):
            node = template.nodelist.get_nodes_by_type(KeptTranslateNode)[0]
            node.kept[next(iter(node.kept))] = "stale"  # what a node kept before the change
            assert template.render(Context()) == "登录"


def test_the_projects_templates_load_it_as_i18n():
    from django.template import engines

    template = engines["django"].from_string('{% load i18n %}{% translate "Log in" %}')
    assert template.template.nodelist.get_nodes_by_type(KeptTranslateNode)


def test_the_backends_check_still_reports_any_other_name_two_modules_share(settings):
    from django.template.backends.django import DjangoTemplates

    from zhangwan.translate_tags import Templates

    params = {"NAME": "t", "DIRS": [], "APP_DIRS": False,
              "OPTIONS": {"libraries": {"i18n": "zhangwan.translate_tags", "static": "zhangwan.links"}}}
    ours, djangos = Templates(params), DjangoTemplates(params)
    assert [problem.msg for problem in djangos.check() if "'i18n'" in problem.msg]
    assert [problem.id for problem in ours.check()] == ["templates.W003"]
    assert "'static'" in ours.check()[0].msg

"""The frame's parts written in Python (zhangwan/chrome.py) give the HTML the templates gave."""

import datetime

import pytest
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from zhangwan.chrome import breadcrumbs, language_buttons

# The old templates/includes/breadcrumbs.html, and base.html's loop over the languages, as they were.
OLD_CRUMBS = """{% load i18n %}<nav aria-label="{% translate 'Breadcrumb' %}">
  <ol class="breadcrumb small">
    <li class="breadcrumb-item"><a href="{% url 'home' %}">{% translate "Home" %}</a></li>
    {% for label, url in crumbs %}
    {% if url %}<li class="breadcrumb-item"><a href="{{ url }}">{{ label }}</a></li>
    {% else %}<li class="breadcrumb-item active" aria-current="page">{{ label }}</li>{% endif %}
    {% endfor %}
  </ol>
</nav>
"""
OLD_BUTTONS = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}{% get_available_languages as LANGUAGES %}{% get_language_info_list for LANGUAGES as languages %}
            {% for language in languages %}{# each language named in itself: "English", not "英语" #}
            <button class="dropdown-item{% if language.code == LANGUAGE_CODE %} active{% endif %}" type="submit" name="language" value="{{ language.code }}" lang="{{ language.code }}">{{ language.name_local }}</button>
            {% endfor %}"""  # noqa: E501

CRUMBS = {
    "one": [("培训班目录", None)],
    "two": [(gettext_lazy("Class catalogue"), "/training/classes/"), ("焊工 <高级> & \"班\"", None)],
    "three": [("a", "/x/?q=1&page=2"), (mark_safe("<b>b</b>"), "/y/"), ("c's", None)],
    "numbers": [(2022, "/rounds/2022/"), (datetime.date(2022, 5, 1), None)],
    "none last": [("a", "/x/"), ("b", "/y/")],
    "empty": [],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("crumbs", CRUMBS)
def test_the_breadcrumbs_are_the_old_includes(crumbs, language):
    with override(language):
        old = engines["django"].from_string(OLD_CRUMBS).render({"crumbs": CRUMBS[crumbs]})
        assert breadcrumbs(CRUMBS[crumbs]) == old


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_buttons_are_the_old_loops(language):
    with override(language):
        old = engines["django"].from_string(OLD_BUTTONS).render({})
        assert language_buttons() == old
        assert language_buttons().count(" active") == 1 and f'value="{language}"' in language_buttons()

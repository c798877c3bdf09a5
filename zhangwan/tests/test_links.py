"""zhangwan/links.py: {% url %} and fast_reverse give what reverse() gives, for every view of the project,
after the URL configuration or the script prefix changes too, and fall back to reverse() wherever a kept
shape could be wrong."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.template.engine import Engine
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, path, register_converter, reverse
from django.urls.base import set_script_prefix
from django.urls.resolvers import RoutePattern

from zhangwan.links import FastStaticNode, FastURLNode, addresser, fast_reverse


class PaddedYear:
    """Writes its number its own way: a kept shape cannot stand for it."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


register_converter(PaddedYear, "padded_year")


def view(request, **kwargs):
    return HttpResponse("")


urlpatterns = [  # this module is also a URL configuration (override_settings below)
    path("elsewhere/", view, name="home"),
    path("year/<padded_year:year>/", view, name="padded"),
    path("two/<int:a>/<int:b>/", view, name="two"),
]


def named_views(patterns=None, namespace=""):
    """(name, int arguments it takes, other arguments it takes) of every named path() of the project."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and isinstance(entry.pattern, RoutePattern):
            converters = entry.pattern.converters
            ints = sum(type(c).__name__ == "IntConverter" for c in converters.values())
            yield f"{namespace}{entry.name}", ints, len(converters) - ints


def test_every_view_of_the_project_is_reversed_as_reverse_does():
    checked = 0
    for name, ints, others in named_views():
        if others:
            continue
        for args in ([0] * ints, [7] * ints, [123456789] * ints, list(range(1, ints + 1))):
            assert fast_reverse(name, args) == reverse(name, args=args), (name, args)
            assert fast_reverse(name, args) == reverse(name, args=args), (name, args)  # from the kept shape
        checked += 1
    assert checked > 150  # the project's pages, admin and API


def test_other_arguments_and_wrong_counts_answer_as_reverse_does():
    assert fast_reverse("training:class_detail", ["12"]) == reverse("training:class_detail", args=["12"])
    for args in ([], [1, 2], [-1], ["x"], [True]):
        with pytest.raises(NoReverseMatch):
            reverse("training:class_detail", args=args)
        with pytest.raises(NoReverseMatch):
            fast_reverse("training:class_detail", args)
    with pytest.raises(NoReverseMatch):
        fast_reverse("no-such-view")


def test_a_new_url_configuration_or_script_prefix_is_followed():
    assert fast_reverse("home") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert fast_reverse("home") == "/elsewhere/"
        assert fast_reverse("two", [3, 45]) == "/two/3/45/"
        assert fast_reverse("padded", [7]) == reverse("padded", args=[7]) == "/year/0007/"  # no shape kept
    assert fast_reverse("home") == "/"
    set_script_prefix("/zhangwan/")
    try:
        assert fast_reverse("training:class_detail", [5]) == reverse("training:class_detail", args=[5])
        assert fast_reverse("training:class_detail", [5]).startswith("/zhangwan/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("source", [
    "{% url 'training:class_detail' pk %}",
    "{% url 'training:class_detail' 'a&b' %}",
    "{% url name pk %}",
    "{% url 'training:class_detail' pk=pk %}",
    "{% url 'training:class_detail' pk as there %}[{{ there }}]",
    "{% url 'no-such-view' pk as there %}[{{ there }}]",
    "{% url 'home' %}",
])
def test_the_url_tag_renders_what_djangos_renders(source):
    context = {"pk": 42, "name": "training:class_detail"}
    ours = Template(source)
    assert any(isinstance(node, FastURLNode) for node in ours.nodelist)
    djangos = Engine().from_string(source)  # no builtins option: Django's own tag
    try:
        expected = djangos.render(Context(context))
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            ours.render(Context(context))
        return
    assert ours.render(Context(context)) == expected


def test_an_unknown_view_without_as_is_an_error_as_in_django():
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-view' 3 %}").render(Context())


STATIC_SOURCES = ["{% static 'css/app.css' %}", "{% static path %}", "{% static path as there %}[{{ there }}]",
                  "{% static 'img/a b&c \"q\".svg' %}"]


@pytest.mark.parametrize("source", STATIC_SOURCES)
def test_the_static_tag_renders_what_djangos_renders(source, settings):
    """The builtin {% static %} (in templates that do not load Django's) gives Django's addresses, and follows
    the static files' settings when they change."""
    context = {"path": "js/app.js"}
    ours = Template(source)
    assert any(isinstance(node, FastStaticNode) for node in ours.nodelist)
    djangos = Engine(libraries={"static": "django.templatetags.static"}).from_string("{% load static %}" + source)
    for static_url in ("/static/", "/assets/v2/"):
        settings.STATIC_URL = static_url
        assert ours.render(Context(context)) == djangos.render(Context(context))
        assert static_url in ours.render(Context(context))


@pytest.mark.parametrize("name", ["training:class_manage", "training:class_detail",
                                  "admin:training_trainingclass_change"])
def test_a_pages_addresser_gives_what_reverse_gives(name):
    address = addresser(name)
    for pk in (0, 7, 12345, "7", -1):
        try:
            expected = reverse(name, args=[pk])
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                address(pk)
        else:
            assert address(pk) == expected


def test_only_the_paths_written_in_templates_are_kept():
    from zhangwan import links

    links._static.clear()  # noqa: SLF001 - the module's own memo, read to see what it holds
    Template("{% static 'css/app.css' %}{% static path %}").render(Context({"path": "js/from-a-request.js"}))
    assert list(links._static) == ["css/app.css"]  # noqa: SLF001

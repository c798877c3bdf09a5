"""zhangwan/extends.py: ``{% extends %}`` writes what Django's writes (three levels, ``block.super``, a parent
chosen by a variable, includes, a block the child leaves alone) and walks a root template for its blocks once,
not on every render; the project's templates use it."""

import pytest
from django.template import Context, Engine, engines
from django.template.base import NodeList
from django.template.exceptions import TemplateSyntaxError

from zhangwan.extends import KeptBlocksExtendsNode

TEMPLATES = {
    "root.html": "<title>{% block title %}Root{% endblock %}</title>{% block body %}<p>{{ x }}</p>{% endblock %}"
                 "<footer>{% block foot %}{% include 'part.html' %}{% endblock %}</footer>",
    "other_root.html": "[{% block body %}other{% endblock %}]",
    "part.html": "<i>{{ x|upper }}</i>",
    "middle.html": "{% extends 'root.html' %}{% block title %}Middle · {{ block.super }}{% endblock %}",
    "child.html": "{% extends 'middle.html' %}{% block body %}{{ block.super }}<b>{{ x }}</b>{% endblock %}",
    "chosen.html": "{% extends parent %}{% block body %}chosen {{ block.super }}{% endblock %}",
    "inner.html": "{% extends 'root.html' %}{% block body %}{% include 'child.html' %}{% endblock %}",
}
CONTEXTS = [{"x": "<焊工>"}, {"x": "a", "parent": "root.html"}, {"x": "b", "parent": "other_root.html"}]


def _engine(builtins):
    return Engine(loaders=[("django.template.loaders.cached.Loader",
                            [("django.template.loaders.locmem.Loader", TEMPLATES)])], builtins=builtins)


@pytest.mark.parametrize("name", ["middle.html", "child.html", "chosen.html", "inner.html"])
def test_a_page_is_written_as_djangos_extends_writes_it(name):
    ours, django = _engine(["zhangwan.extends"]), _engine([])
    for values in CONTEXTS:
        if name == "chosen.html" and "parent" not in values:
            continue
        for _ in range(2):  # and again, the root's blocks kept
            assert ours.get_template(name).render(Context(values)) == \
                django.get_template(name).render(Context(values))
    assert isinstance(ours.get_template(name).nodelist[0], KeptBlocksExtendsNode)


@pytest.mark.parametrize(("builtins", "walked"), [(["zhangwan.extends"], False), ([], True)])
def test_a_root_is_walked_for_its_blocks_once(monkeypatch, builtins, walked):
    engine = _engine(builtins)
    walks = []
    original = NodeList.get_nodes_by_type

    def counted(nodelist, nodetype):
        walks.append(nodetype)
        return original(nodelist, nodetype)

    monkeypatch.setattr(NodeList, "get_nodes_by_type", counted)
    page = engine.get_template("child.html")
    page.render(Context({"x": 1}))  # compiled, and the root walked once
    walks.clear()
    for _ in range(5):
        page.render(Context({"x": 1}))
    assert bool(walks) is walked  # Django's tag walks it on every render


def test_errors_are_djangos():
    engine = _engine(["zhangwan.extends"])
    with pytest.raises(TemplateSyntaxError, match="takes one argument"):
        engine.from_string("{% extends %}")
    with pytest.raises(TemplateSyntaxError, match="cannot appear more than once"):
        engine.from_string("{% extends 'root.html' %}{% extends 'root.html' %}")
    with pytest.raises(TemplateSyntaxError, match="must be the first tag"):
        engine.from_string("{% if 1 %}{% endif %}{% extends 'root.html' %}")


def test_the_projects_templates_use_it():
    page = engines["django"].from_string("{% extends 'base.html' %}")
    assert isinstance(page.template.nodelist[0], KeptBlocksExtendsNode)

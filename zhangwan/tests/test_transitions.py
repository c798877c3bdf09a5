"""Every status moves through its service's table, and templates ask the model rather than compare strings."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from zhangwan.transitions import TABLES

SERVICES = ["training.services", "training.subsidies.services", "training.subsidies.engine", "certification.services",
            "competitions.services", "zhangwan.registry.services", "zhangwan.jobs.exports", "zhangwan.reports.services",
            "masters.services.lifecycle", "zhangwan.api.webhooks"]


def _models_with_a_status():
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
        if field is None or not field.choices:
            continue
        if model.__name__.startswith("Historical"):
            continue
        yield model


@pytest.mark.parametrize("model", list(_models_with_a_status()), ids=lambda m: m.__name__)
def test_every_status_has_a_transition_table_naming_each_choice(model):
    for name in SERVICES:
        importlib.import_module(name)
    table = TABLES.get(model)
    assert table is not None, f"{model.__name__} has no Transitions table in its service"
    values = {value for value, _label in model._meta.get_field("status").choices}
    assert set(table.table) == values
    assert set().union(*table.table.values()) <= values


STATUS_LITERAL = re.compile(r"""\bstatus\s*(==|!=)\s*["']|\bstatus\s+in\s+["']|["']\s*(==|!=)\s*[\w.]*status\b""")


def test_no_template_compares_a_status_with_a_string():
    root = Path(settings.BASE_DIR)
    offending = [str(path.relative_to(root)) for path in root.rglob("*.html")
                 if path.relative_to(root).parts[0] not in {".venv", ".run", "staticfiles", "node_modules"}
                 and STATUS_LITERAL.search(path.read_text(encoding="utf-8"))]
    assert offending == []



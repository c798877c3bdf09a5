"""load_demo creates `admin` and a login per role with the published demo password: under
production settings (DEBUG off) it refuses, and says why, unless --force is given."""

import importlib
import io

import pytest
from django.core.management import CommandError, call_command

from zhangwan.demo import DIMENSIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(monkeypatch):
    """The dimensions whose demo loader ran (the loaders only record: the full load takes minutes)."""
    names = []
    for name in DIMENSIONS:
        module = importlib.import_module(f"zhangwan.demo.{name}")
        monkeypatch.setattr(module, "load", lambda out, name=name: names.append(name))
    return names


@pytest.mark.parametrize("production", [{"DEBUG": False},
                                        {"DEBUG": True, "SETTINGS_MODULE": "zhangwan.settings_production"}])
def test_load_demo_refuses_production_settings_and_loads_nothing(settings, loaded, production):
    for name, value in production.items():
        setattr(settings, name, value)
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())
    assert loaded == []


def test_load_demo_on_production_settings_loads_when_forced(settings, loaded):
    settings.DEBUG = False
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert "accounts" in loaded and "registry" in loaded


def test_load_demo_loads_under_development_settings(settings, loaded):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert "accounts" in loaded

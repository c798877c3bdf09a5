"""Where templates live, what they may include, and how long their lines are.

One layout rule: each app keeps its pages in `<app>/templates/<app label>/`; the root `templates/`
holds only the base layout, the error pages, Django's own `registration/` pages and the admin's
`admin/` templates it replaces (they must win over django.contrib.admin's, which an app directory
listed after the admin would not) and the partials shared by several apps, in `templates/includes/`.
A template includes or extends only its own app's templates and the root ones, so a partial used by
two apps moves to `includes/` instead of being borrowed.
"""

import re
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ROOT_TEMPLATES = ROOT / "templates"
ROOT_FOLDERS = {"includes", "registration", "admin"}
ADMIN_TEMPLATES = Path(apps.get_app_config("admin").path) / "templates"
REFERENCE = re.compile(r"{%\s*(?:include|extends)\s+(\S+)")


def project_apps():
    """The project's own apps: under the project's folder, not in a virtualenv kept there (.venv)."""
    return [config for config in apps.get_app_configs()
            if Path(config.path).is_relative_to(ROOT) and not Path(config.path).is_relative_to(sys.prefix)]


def app_templates():
    """(app label, template name, path) of every template inside an app."""
    for config in project_apps():
        folder = Path(config.path) / "templates"
        for path in sorted(folder.rglob("*.html")):
            yield config.label, path.relative_to(folder).as_posix(), path


def root_templates():
    for path in sorted(ROOT_TEMPLATES.rglob("*.html")):
        yield path.relative_to(ROOT_TEMPLATES).as_posix(), path


def every_template():
    yield from (path for _, _, path in app_templates())
    yield from (path for _, path in root_templates())


def test_each_app_keeps_its_templates_in_a_folder_named_after_it():
    misplaced = [name for label, name, _ in app_templates() if name.split("/")[0] != label]
    assert not misplaced


def test_the_root_holds_only_the_layout_error_pages_and_shared_partials():
    labels = {config.label for config in project_apps()}
    folders = {name.split("/")[0] for name, _ in root_templates() if "/" in name}
    assert folders <= ROOT_FOLDERS
    assert not folders & labels


def test_a_template_uses_only_its_own_app_and_the_shared_templates():
    borrowed = []
    for label, name, path in app_templates():
        for reference in REFERENCE.findall(path.read_text()):
            target = reference.strip("\"'")
            assert target != reference, f"{name}: a computed template name cannot be checked"
            if target.split("/")[0] != label and not (ROOT_TEMPLATES / target).exists():
                borrowed.append(f"{name} → {target}")
    assert not borrowed


def test_shared_templates_use_only_shared_templates():
    """...and the admin's replacements build on the admin's own templates."""
    for name, path in root_templates():
        for reference in REFERENCE.findall(path.read_text()):
            target = reference.strip("\"'")
            if name.startswith("admin/") and target.startswith("admin/"):
                assert (ROOT_TEMPLATES / target).exists() or (ADMIN_TEMPLATES / target).exists(), f"{name} → {target}"
            else:
                assert (ROOT_TEMPLATES / target).exists(), f"{name} → {reference}"


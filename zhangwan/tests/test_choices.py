"""zhangwan/choices.py: every model's get_FOO_display answers what Django's own method answers, in both
languages, for each choice, a value outside the choices and an empty one."""

import pytest
from django.apps import apps
from django.utils import translation

from zhangwan.choices import install


def choice_fields():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if field.choices is not None and hasattr(model, f"get_{field.name}_display"):
                yield model, field


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_get_display_answers_as_djangos(language):
    replaced = 0
    with translation.override(language):
        for model, field in choice_fields():
            method = getattr(model, f"get_{field.name}_display")
            replaced += getattr(method, "field", None) is field
            for value in [*(choice for choice, _label in field.flatchoices), "not-a-choice", None, 99999]:
                row = model()
                setattr(row, field.attname, value)
                expected = row._get_FIELD_display(field)
                got = getattr(row, f"get_{field.name}_display")()
                assert got == expected and type(got) is type(expected), (model, field.name, value)
    assert replaced > 100  # the project's statuses, levels, kinds… and their history models'


def test_a_label_is_in_the_language_of_the_moment_it_is_asked():
    from training.models import TrainingClass

    row = TrainingClass(status=TrainingClass.Status.OPEN)
    with translation.override("en"):
        english = row.get_status_display()
    with translation.override("zh-hans"):
        chinese = row.get_status_display()
    assert english == "Open for registration" and chinese != english and chinese


def test_installing_twice_changes_nothing():
    from training.models import TrainingClass

    before = TrainingClass.get_status_display
    install()
    assert TrainingClass.get_status_display is before

"""``get_FOO_display()`` at a dict lookup's cost, for every model of the project.

Django's ``get_FOO_display`` builds a dict of the field's choices on each call, hashing every
(value, label) pair, and hashing a lazy label translates it: a status with six choices costs six
translations and about 20 µs a call, and a list page calls it for every row (status badges, levels,
audiences). ``install()`` (RegistryConfig.ready) gives each model's Django-made ``get_FOO_display`` a
twin that keeps the field's value → label dict (labels still lazy, so still in the reader's language)
and translates only the label it returns. The answer is Django's in every case: a value outside the
choices is returned as it is, an unhashable value and a field whose choices are computed on each use
(a callable) go through Django's own method.
"""

from functools import partialmethod

from django.apps import apps
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _fast_display(field):
    labels = {}

    def display(self):
        value = getattr(self, field.attname)
        if not labels:
            labels.update((make_hashable(choice), label) for choice, label in field.flatchoices)
        try:
            label = labels.get(make_hashable(value), value)
        except TypeError:  # an unhashable value: Django's way
            return self._get_FIELD_display(field)  # noqa: SLF001 - Django's own implementation
        return force_str(label, strings_only=True)

    display.field = field
    return display


def install():
    """Replaces the get_FOO_display methods Django made (not ones a model writes itself)."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:  # noqa: SLF001 - Django's documented Options API
            name = f"get_{field.name}_display"
            made = model.__dict__.get(name)
            if (isinstance(made, partialmethod) and made.keywords.get("field") is field
                    and not isinstance(field.choices, CallableChoiceIterator)):
                setattr(model, name, _fast_display(field))

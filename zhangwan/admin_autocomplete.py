"""Autocomplete fields of the admin that survive a forged value.

Django's autocomplete widget looks the submitted ids up again to show the form with its errors, and
an id that is not a number then raises instead of being refused by the field (a 500)."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class _OnlyValidIds:
    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        valid = []
        for v in value:
            try:
                target.to_python(v)
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(v)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_OnlyValidIds, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_OnlyValidIds, AutocompleteSelectMultiple):
    pass


class SafeAutocomplete:
    """For a ModelAdmin or inline with autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

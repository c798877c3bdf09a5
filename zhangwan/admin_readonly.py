"""Admin pages for records that only the services make and change: the admin shows them, with
their history, and offers no way to add, change or delete them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhangwan.admin_history import HistoryAdmin


class Numbered:
    """A list's first column: the record's number (its id), under a translated heading."""

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.pk


class ReadOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, HistoryAdmin):
    pass

"""Admin pages for records that only the services make and change: the admin shows them, with
their history, and offers no way to add, change or delete them."""

from simple_history.admin import SimpleHistoryAdmin


class ReadOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, SimpleHistoryAdmin):
    pass

"""The admin's history pages as the app's (templates/includes/history.html): who by their name, when
in Beijing time, the reason in the reader's language (``REASONS``), and each change before → after
with statuses and other choices by their labels, related records by their names, an empty value as
"—" — read-only fields such as the status included, which django-simple-history's own list leaves
out."""

from simple_history.admin import SimpleHistoryAdmin

from zhangwan.history import set_changes
from zhangwan.registry.validators import mask_bank_account, mask_id_number


class HistoryAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return super().get_history_queryset(request, history_manager, pk_name, object_id).select_related(
            "history_user")

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The page's records, each against the one before it (the first record of the next page
        for the page's last)."""
        records = list(historical_records.object_list)
        following = historical_records.paginator.object_list[historical_records.end_index():][:1]
        set_changes([*records, *following], masks=masks_for(request.user))


def masks_for(user) -> dict:
    """The numbers this reader may not see whole, masked in the changes as on every other page."""
    masks = {}
    if not user.has_perm("registry.view_full_id_number"):
        masks["id_number"] = mask_id_number
    if not user.has_perm("registry.view_bank_account"):
        masks["bank_account"] = mask_bank_account
    return masks

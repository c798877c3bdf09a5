from django.shortcuts import render
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required
from zhangwan.columns import wants_xlsx
from zhangwan.jobs.exports import export_response
from zhangwan.pagination import paginate

from . import exports, log, tables
from .forms import ActivityFilterForm

PAGE_SIZE = 50


@role_required(*exports.READERS)
def activity_log(request):
    """Every history record, newest first, for the auditor (and the superuser)."""
    if wants_xlsx(request):
        return export_response(request, exports.ACTIVITY)
    form = ActivityFilterForm(request.GET or None)
    union = log.entries(form.filters())
    page, query = paginate(request, union if union is not None else [], size=PAGE_SIZE)
    return render(request, "audit/activity_log.html", {
        "filter": {"form": form}, "page": page, "query": query, "entries": log.decorate(page.object_list, request.user),
        "table": tables.ACTIVITY, "crumbs": [(_("Activity log"), None)],
    })

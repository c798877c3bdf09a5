from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import ROSTER_ROLES, Role, has_role, is_district_staff
from zhangwan.accounts.scope import get_worker_or_404, organizations_for, workers_for
from zhangwan.excel import xlsx_response
from zhangwan.pagination import paginate

from . import roster, tables
from .filters import WorkerFilter
from .forms import RosterImportForm
from .models import FULL_ID_NUMBER

PAGE_SIZE = 50


def _filtered_workers(request):
    workers = workers_for(request.user).select_related("employer").order_by("name", "id")
    return WorkerFilter(request.GET, queryset=workers, organizations=organizations_for(request.user),
                        user=request.user)


@role_required(*ROSTER_ROLES)
def roster_list(request):
    filterset = _filtered_workers(request)
    page, query = paginate(request, filterset.qs, PAGE_SIZE)
    return render(request, "registry/roster_list.html", {
        "filter": filterset, "page": page, "query": query,
        "can_import": request.user.organization_id is not None and not is_district_staff(request.user),
        "can_see_full_id": request.user.has_perm(FULL_ID_NUMBER),
        "crumbs": [(_("Roster"), None)],
    })


@role_required(*ROSTER_ROLES)
def roster_export(request):
    """A liaison's export of their own organization is the import template filled in, whole identity
    numbers included, so an edited copy imports back without duplicates; staff get the roster table
    (identity numbers masked unless their role may see them)."""
    filterset = _filtered_workers(request)
    if has_role(request.user, Role.LIAISON) and not is_district_staff(request.user):
        return xlsx_response(f"roster-{timezone.localdate():%Y%m%d}.xlsx", roster.template_sheets(filterset.qs))
    return tables.roster(request.user).response(request, filterset.qs)


@role_required(*ROSTER_ROLES)
def worker_detail(request, pk):
    worker = get_worker_or_404(request.user, pk=pk)
    return render(request, "registry/worker_detail.html", {
        "worker": worker,
        "id_number": worker.id_number_for(request.user),
        "whole_birth_date": request.user.has_perm(FULL_ID_NUMBER),
        "employments": worker.employments.select_related("organization"),
        "trades": worker.trades.select_related("trade"),
        "crumbs": [(_("Roster"), reverse("registry:roster")), (worker.name, None)],
    })


@role_required(Role.LIAISON)
def roster_template(request):
    return xlsx_response("roster-template.xlsx", roster.template_sheets(), made_by=request.user)


@role_required(Role.LIAISON)
def roster_import(request):
    organization = organizations_for(request.user).filter(pk=request.user.organization_id).first()
    if organization is None:
        messages.error(request, _("Your account is not linked to an organization; ask the union office."))
        return redirect("home")
    form = RosterImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = roster.import_roster(organization=organization, upload=form.cleaned_data["file"],
                                          user=request.user, max_bytes=roster.max_upload_bytes())
        except IntegrityError:
            messages.error(request, _("Another import changed the same workers at the same time; import again."))
            return redirect("registry:roster_import")
        if result.ok:
            messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                             % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
            if result.held:
                messages.warning(request, _(
                    "Rows %(rows)s: these people cannot be added from this file; the union has been asked to "
                    "transfer them to your organization and will decide.")
                    % {"rows": ", ".join(str(row) for row in result.held)})
            return redirect(reverse("registry:roster"))
    return render(request, "registry/roster_import.html", {
        "form": form, "organization": organization, "result": result,
        "errors": result.errors[:roster.MAX_LISTED_ERRORS] if result else [],
        "more_errors": max(0, len(result.errors) - roster.MAX_LISTED_ERRORS) if result else 0,
        "crumbs": [(_("Roster"), reverse("registry:roster")), (_("Import"), None)],
    })

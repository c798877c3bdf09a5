from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required

from .models import ExportJob


@role_required()
def export_detail(request, pk):
    """The export's progress (refreshed by htmx), then its download: for whoever asked for it only."""
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
    template = "includes/job_progress.html" if request.htmx else "jobs/export_detail.html"
    return render(request, template, {"job": job, "crumbs": [(_("Export to Excel"), None)]})


@role_required()
def export_download(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user, status=ExportJob.Status.DONE)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or f"{job.export}.xlsx")

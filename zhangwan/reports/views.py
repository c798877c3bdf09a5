from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import OFFICERS, Role, has_role
from zhangwan.actions import refusal_to
from zhangwan.excel import XLSX_CONTENT_TYPE
from zhangwan.pagination import paginate
from zhangwan.uploads import serve_stored_file

from . import services
from .forms import ReportForm
from .models import AnnualReport

READERS = (*OFFICERS, Role.FINANCE_OFFICER, Role.AUDITOR)


@role_required(*READERS)
def report_list(request):
    can_start = has_role(request.user, *OFFICERS)
    form = ReportForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST":
        if not can_start:
            raise Http404
        if form.is_valid():
            with refusal_to(request):
                report = services.report_start(year=form.cleaned_data["year"], user=request.user,
                                               language=translation.get_language())
                return redirect("reports:report_detail", pk=report.pk)
    page, query = paginate(request, AnnualReport.objects.select_related("requested_by"), size=20)
    return render(request, "reports/report_list.html", {
        "form": form, "page": page, "query": query, "can_start": can_start,
        "crumbs": [(_("Annual report"), None)],
    })


@role_required(*READERS)
def report_detail(request, pk):
    report = get_object_or_404(AnnualReport.objects.select_related("requested_by"), pk=pk)
    template = "includes/job_progress.html" if request.htmx else "reports/report_detail.html"
    return render(request, template, {
        "report": report, "job": report,
        "crumbs": [(_("Annual report"), reverse("reports:report_list")), (str(report.year), None)],
    })


@role_required(*READERS)
def report_download(request, pk):
    report = get_object_or_404(AnnualReport, pk=pk, status=AnnualReport.Status.DONE)
    return serve_stored_file(report.file, filename=f"annual-report-{report.year}.xlsx",
                             content_type=XLSX_CONTENT_TYPE)

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import OFFICERS, Role, has_role
from zhangwan.actions import refusal_to
from zhangwan.excel import XLSX_CONTENT_TYPE
from zhangwan.pagination import paginate
from zhangwan.uploads import serve_stored_file

from . import services
from .document import DOCX_CONTENT_TYPE
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
    newer = AnnualReport.objects.filter(year=OuterRef("year"), status=AnnualReport.Status.DONE,
                                        created_at__gt=OuterRef("created_at"))
    reports = AnnualReport.objects.select_related("requested_by").annotate(superseded=Exists(newer))
    page, query = paginate(request, reports, size=20)
    return render(request, "reports/report_list.html", {
        "form": form, "page": page, "query": query, "can_start": can_start,
        "crumbs": [(_("Annual report"), None)],
    })


@role_required(*READERS)
def report_detail(request, pk):
    report = get_object_or_404(AnnualReport.objects.select_related("requested_by"), pk=pk)
    template = "includes/job_progress.html" if request.htmx else "reports/report_detail.html"
    return render(request, template, {
        "report": report, "job": report, "newer": report.superseded_by(),
        "can_delete": has_role(request.user, *OFFICERS),
        "crumbs": [(_("Annual report"), reverse("reports:report_list")), (str(report.year), None)],
    })


@role_required(*READERS)
def report_download(request, pk):
    report = get_object_or_404(AnnualReport, pk=pk, status=AnnualReport.Status.DONE)
    return serve_stored_file(report.file, filename=f"annual-report-{report.year}.xlsx",
                             content_type=XLSX_CONTENT_TYPE)


@role_required(*READERS)
def report_document(request, pk):
    report = get_object_or_404(AnnualReport.objects.exclude(document=""), pk=pk, status=AnnualReport.Status.DONE)
    return serve_stored_file(report.document, filename=f"annual-summary-{report.year}.docx",
                             content_type=DOCX_CONTENT_TYPE)


@role_required(*READERS)
def report_pdf(request, pk):
    report = get_object_or_404(AnnualReport.objects.exclude(summary_pdf=""), pk=pk, status=AnnualReport.Status.DONE)
    return serve_stored_file(report.summary_pdf, filename=f"annual-report-{report.year}-summary.pdf",
                             content_type="application/pdf")


@require_POST
@role_required(*OFFICERS)
def report_delete(request, pk):
    report = get_object_or_404(AnnualReport, pk=pk)
    with refusal_to(request):
        services.report_delete(report=report)
        messages.success(request, _("The %(year)d report of %(when)s has been deleted.") % {
            "year": report.year, "when": f"{timezone.localtime(report.created_at):%Y-%m-%d %H:%M}"})
    return redirect("reports:report_list")

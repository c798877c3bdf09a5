
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from training.subsidies.services import revocation_effect
from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import STAFF_ROLES, Role, has_role, is_district_staff
from zhangwan.accounts.scope import own_worker_or_404, workers_for
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.forms import flash_errors
from zhangwan.net import client_ip
from zhangwan.pagination import paginate
from zhangwan.picker import Picker
from zhangwan.qr import qr_svg
from zhangwan.query import search_param

from . import importing, services, tables, tasks, verification
from .forms import ApplyForWorkersForm, RevokeForm, ScoresForm, UploadForm, VerifyForm
from .models import Application, AssessmentSession, Certificate

OFFICER = (Role.CERTIFICATION_OFFICER,)
READERS = (Role.CERTIFICATION_OFFICER, Role.AUDITOR)



# Public -------------------------------------------------------------------------------------

def session_list(request):
    sessions = (AssessmentSession.objects.filter(status=AssessmentSession.Status.OPEN,
                                                 applications_close__gt=timezone.now())
                .select_related("body", "trade").order_by("date", "pk"))
    return render(request, "certification/session_list.html", {
        "sessions": sessions, "is_worker": has_role(request.user, Role.WORKER),
        "is_liaison": has_role(request.user, Role.LIAISON), "now": timezone.now(),
        "crumbs": [(_("Assessments"), None)],
    })


def verify(request):
    form = VerifyForm(request.GET or None)
    outcome = None
    if form.is_bound:
        if not verification.CHECKS.hit(client_ip(request)):
            return render(request, "certification/verify.html", {"form": VerifyForm(), "limited": True}, status=429)
        if form.is_valid():
            certificate = verification.lookup(form.cleaned_data["number"], form.cleaned_data["name"])
            outcome = {"certificate": certificate, "state": certificate.status if certificate else "not_found"}
    return render(request, "certification/verify.html", {
        "form": form, "outcome": outcome, "crumbs": [(_("Verify a certificate"), None)],
    })


def verify_signed(request, number, token):
    certificate = verification.by_token(number, token)
    return render(request, "certification/verify.html", {
        "form": VerifyForm(), "outcome": {"certificate": certificate,
                                          "state": certificate.status if certificate else "not_found"},
        "crumbs": [(_("Verify a certificate"), None)],
    })


# Worker and liaison -------------------------------------------------------------------------

@require_POST
@role_required(Role.WORKER)
def apply(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    worker = own_worker_or_404(request.user)
    with refusal_to(request):
        services.application_submit(worker=worker, session=session, user=request.user)
        messages.success(request, _("Application submitted; you will be told when it has been checked."))
    return redirect("certification:my_certificates")


@role_required(Role.LIAISON)
def apply_for_workers(request, pk):
    session = get_object_or_404(AssessmentSession.objects.select_related("trade", "body"), pk=pk)
    roster = workers_for(request.user).filter(trades__trade=session.trade)
    applied = session.applications.exclude(status=Application.Status.WITHDRAWN).values("worker")
    picker = Picker(roster, url=request.path, taken=roster.filter(pk__in=applied), taken_label=_("Applied"),
                    trade_filter=False)
    if (answer := picker.answer(request)) is not None:
        return answer
    form = ApplyForWorkersForm(request.POST or None, picker=picker)
    outcomes = []
    if request.method == "POST" and form.is_valid():
        for worker in form.cleaned_data["workers"]:
            with refusal_to() as refusal:
                services.application_submit(worker=worker, session=session, user=request.user)
            outcomes.append((worker, refusal.message))
    return render(request, "certification/apply_for_workers.html", {
        "session": session, "form": form, "outcomes": outcomes,
        "crumbs": [(_("Assessments"), reverse("certification:session_list")), (str(session), None)],
    })


@role_required(Role.WORKER)
def my_certificates(request):
    worker = own_worker_or_404(request.user)
    applications = worker.certification_applications.select_related("session__trade", "session__body").order_by(
        "-created_at")
    certificates = worker.certificates.select_related("trade", "body")
    return render(request, "certification/my_certificates.html", {
        "applications": [(a, [services.reason_text(r) for r in a.reasons]) for a in applications],
        "certificates": certificates, "crumbs": [(_("My certificates"), None)],
    })


@require_POST
@role_required(Role.WORKER, Role.LIAISON)
def application_withdraw(request, pk):
    application = get_object_or_404(Application.objects.filter(worker__in=workers_for(request.user)), pk=pk)
    with refusal_to(request):
        services.application_withdraw(application=application, user=request.user)
        messages.success(request, _("The application is withdrawn."))
    return redirect("certification:my_certificates" if has_role(request.user, Role.WORKER) else "home")


def _certificates_for(user):
    certificates = Certificate.objects.select_related("holder", "trade", "body")
    if is_district_staff(user):
        return certificates
    return certificates.filter(holder__in=workers_for(user))


@role_required(Role.WORKER, Role.LIAISON, *STAFF_ROLES)
def certificate_print(request, pk):
    certificate = get_object_or_404(_certificates_for(request.user), pk=pk)
    url = request.build_absolute_uri(reverse("certification:verify_signed",
                                             args=[certificate.number, verification.token_for(certificate)]))
    if has_role(request.user, Role.WORKER):  # a worker prints only their own (_certificates_for)
        back = reverse("certification:my_certificates")
    elif has_role(request.user, *READERS):
        back = reverse("certification:certificate_list")
    else:  # a liaison or another officer came from the holder's talent profile
        back = reverse("reports:talent_profile", args=[certificate.holder_id])
    return render(request, "certification/certificate_print.html", {
        "certificate": certificate, "qr_svg": qr_svg(url), "verify_url": url,
        "back": back,
    })


# Officer ------------------------------------------------------------------------------------

@role_required(*READERS)
def manage_sessions(request):
    sessions = (AssessmentSession.objects.select_related("body", "trade")
                .annotate(n_pending=Count("applications", filter=Q(applications__status="submitted")),
                          n_eligible=Count("applications", filter=Q(applications__status="eligible")),
                          n_total=Count("applications", filter=~Q(applications__status="withdrawn")))
                .order_by("-date", "pk"))
    if wants_xlsx(request):
        return tables.SESSIONS.response(request, sessions)
    page, query = paginate(request, sessions)
    return render(request, "certification/manage_sessions.html", {
        "page": page, "query": query, "can_edit": has_role(request.user, Role.CERTIFICATION_OFFICER),
        "crumbs": [(_("Manage certification"), None)],
    })


@require_POST
@role_required(*OFFICER)
def eligibility_run(request):
    tasks.evaluate_eligibility.delay_on_commit(None, request.user.pk)
    messages.info(request, _("Eligibility is being checked; refresh in a moment to see the decisions."))
    return redirect("certification:manage_sessions")


@require_POST
@role_required(*OFFICER)
def competition_route(request):
    issued, granted = services.competition_route_apply(user=request.user)
    messages.success(request, _("From competition awards: %(issued)d certificates issued, %(granted)d rights to "
                                "apply one level up.") % {"issued": issued, "granted": granted})
    return redirect("certification:manage_sessions")


def _session_crumbs(session, *more):
    return [(_("Manage certification"), reverse("certification:manage_sessions")),
            (str(session), reverse("certification:manage_session", args=[session.pk]) if more else None), *more]


@role_required(*READERS)
def manage_session(request, pk):
    session = get_object_or_404(AssessmentSession.objects.select_related("body", "trade"), pk=pk)
    applications = _session_rows(session).select_related("worker", "certificate")
    if wants_xlsx(request):
        return tables.APPLICATIONS.response(request, applications, pk=session.pk)
    page, query = paginate(request, applications, SESSION_PAGE)
    return render(request, "certification/manage_session.html", {
        "session": session, "page": page, "query": query,
        "reasons": {a.pk: [services.reason_text(r) for r in a.reasons] for a in page},
        "scores_refusal": services.scores_refusal(session),
        "issue_refusal": services.issue_refusal(session),
        "can_edit": has_role(request.user, Role.CERTIFICATION_OFFICER), "crumbs": _session_crumbs(session),
    })


SESSION_PAGE = 50


def _session_rows(session):
    """The session's applications in the order they came in: a row stays where it is when its scores
    (and so its status) change, so the officer finds it again after saving."""
    return session.applications.exclude(status=Application.Status.WITHDRAWN).order_by("created_at", "pk")


def _row_url(application) -> str:
    """The session's page that shows this application, scrolled to its row."""
    before = _session_rows(application.session).filter(
        Q(created_at__lt=application.created_at) | Q(created_at=application.created_at, pk__lt=application.pk)).count()
    page = before // SESSION_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return reverse("certification:manage_session", args=[application.session_id]) + f"{query}#a{application.pk}"


@require_POST
@role_required(*OFFICER)
def admit(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    with refusal_to(request):
        count = services.applications_admit(session=session, user=request.user)
        messages.success(request, _("%(count)d applicants admitted.") % {"count": count})
    return redirect("certification:manage_session", pk=pk)


@require_POST
@role_required(*OFFICER)
def scores(request, pk):
    application = get_object_or_404(Application.objects.select_related("session", "worker"), pk=pk)
    form = ScoresForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
    else:
        with refusal_to(request):
            saved = services.scores_enter(application=application, theory=form.cleaned_data["theory"],
                                          practical=form.cleaned_data["practical"],
                                          review=form.cleaned_data["review"], user=request.user)
            messages.success(request, _("Scores of %(name)s saved: %(status)s.")
                             % {"name": application.worker.name, "status": saved.get_status_display()})
    return redirect(_row_url(application))


@role_required(*OFFICER)
def scores_import(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        with refusal_to(form, field="file"):
            rows, errors = importing.read_scores(form.cleaned_data["file"], session=session)
            if not errors:
                count = services.scores_import(session=session, rows=rows, user=request.user)
                messages.success(request, _("Scores of %(count)d applicants imported.") % {"count": count})
                return redirect("certification:manage_session", pk=pk)
    return render(request, "certification/scores_import.html", {
        "session": session, "form": form, "errors": errors, "scores_refusal": services.scores_refusal(session),
        "crumbs": _session_crumbs(session, (_("Import"), None)),
    })


@require_POST
@role_required(*OFFICER)
def close_applications(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    with refusal_to(request):
        services.session_transition(session=session, to=AssessmentSession.Status.CLOSED, user=request.user)
        messages.success(request, _("Applications for this session are closed."))
    return redirect("certification:manage_session", pk=pk)


@require_POST
@role_required(*OFFICER)
def issue(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    with refusal_to(request):
        issued = services.certificates_issue(session=session, user=request.user)
        messages.success(request, _("%(count)d certificates issued.") % {"count": len(issued)})
    return redirect("certification:manage_session", pk=pk)


@role_required(*READERS)
def certificate_list(request):
    certificates = Certificate.objects.select_related("holder", "trade", "body").order_by("-issued_on", "-number")
    if q := search_param(request):
        certificates = certificates.filter(Q(number__icontains=q) | Q(holder__name__icontains=q))
    level = request.GET.get("level", "")
    if level.lstrip("-").isdigit():
        certificates = certificates.filter(level=int(level))
    if wants_xlsx(request):
        return tables.CERTIFICATES.response(request, certificates)
    page, query = paginate(request, certificates)
    return render(request, "certification/certificate_list.html", {
        "table": tables.CERTIFICATES, "page": page, "query": query, "q": q,
        "can_edit": has_role(request.user, Role.CERTIFICATION_OFFICER),
        "crumbs": [(_("Manage certification"), reverse("certification:manage_sessions")), (_("Certificates"), None)],
    })


@role_required(*OFFICER)
def revoke(request, pk):
    certificate = get_object_or_404(Certificate.objects.select_related("holder"), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, _("Certificate %(number)s revoked.") % {"number": certificate.number})
            return redirect("certification:certificate_list")
    return render(request, "certification/revoke.html", {
        "certificate": certificate, "form": form, "subsidies": revocation_effect(certificate),
        "crumbs": [(_("Certificates"), reverse("certification:certificate_list")), (certificate.number, None)],
    })


@role_required(*OFFICER)
def reinstate(request, pk):
    """Take back a revocation, with the reason."""
    certificate = get_object_or_404(Certificate.objects.select_related("holder", "trade"), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.certificate_reinstate(certificate=certificate, reason=form.cleaned_data["reason"],
                                           user=request.user)
            messages.success(request, _("Certificate %(number)s is valid again.") % {"number": certificate.number})
            return redirect("certification:certificate_list")
    return render(request, "certification/reinstate.html", {
        "certificate": certificate, "form": form,
        "crumbs": [(_("Certificates"), reverse("certification:certificate_list")), (certificate.number, None)],
    })


@role_required(*OFFICER)
def certificates_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = importing.read_certificates(form.cleaned_data["file"])
        if not errors:
            with refusal_to(request):
                count = services.certificates_import(rows=rows, user=request.user)
                messages.success(request, _("%(count)d certificates imported.") % {"count": count})
                return redirect("certification:certificate_list")
    return render(request, "certification/certificates_import.html", {
        "form": form, "errors": errors,
        "crumbs": [(_("Certificates"), reverse("certification:certificate_list")), (_("Import"), None)],
    })

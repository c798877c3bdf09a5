from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role
from zhangwan.accounts.scope import (
    WorkerScoped,
    get_worker_or_404,
    organizations_for,
    own_worker_or_404,
    workers_for,
)
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.excel import xlsx_response
from zhangwan.pagination import FilteredPages, paginate
from zhangwan.picker import Picker
from zhangwan.prepared import Prepared, give_prefetched
from zhangwan.qr import qr_svg
from zhangwan.query import search_param
from zhangwan.registry.models import FULL_ID_NUMBER, Trade, Worker
from zhangwan.registry.services import worker_find_or_create
from zhangwan.windows import closed_window_note

from . import checkin, importing, needs, selectors, services, tables
from .filters import ClassFilter, EnrollmentFilter, StaffClassFilter
from .forms import (
    AttendanceMarkForm,
    CapacityForm,
    ExamForm,
    ExamResultsForm,
    LiaisonRegisterForm,
    MoveForm,
    NeedsAnswerForm,
    PlanFromNeedsForm,
    StaffPickForm,
    StaffWorkerForm,
    TransitionForm,
    UploadForm,
    WithdrawForm,
)
from .models import (
    Attendance,
    ClassSession,
    Enrollment,
    Mentorship,
    NeedsResponse,
    NeedsSurvey,
    PlanLine,
    TrainingClass,
    TrainingPlan,
)
from .rows import ClassCard, ClassRow, card_values, kept_page, row_values

OFFICER = (Role.TRAINING_OFFICER,)
READERS = (Role.TRAINING_OFFICER, Role.AUDITOR)
RESPONDENTS = (Role.WORKER, Role.LIAISON)
PAGE = 50



def _crumbs(*items):
    return [(label, url) for label, url in items]


# Public catalogue ---------------------------------------------------------------------------

CATALOGUE_PAGES = FilteredPages(card_values)  # (the same classes for every visitor)


def catalogue(request):
    filterset = ClassFilter(request.GET, queryset=selectors.catalogue())
    page, query = CATALOGUE_PAGES.page(request, filterset, 20)
    kept_page(page, filterset, ClassCard)
    return render(request, "training/catalogue.html", {
        "filter": filterset, "page": page, "query": query, "crumbs": _crumbs((_("Class catalogue"), None)),
    })


# A class's page: what the catalogue shows, with its course, trade, base, provider and sessions; and the
# visiting worker's seat in it, if any, with their place on the waiting list.
CLASS_PAGE = Prepared(lambda pk: TrainingClass.objects.public().select_related("course__trade", "base", "provider")
                      .filter(pk=pk), "pk")
PUBLIC_CLASS = Prepared(lambda pk: TrainingClass.objects.public().filter(pk=pk), "pk")  # registering for it
SESSIONS = Prepared(lambda class_id: ClassSession.objects.filter(training_class=class_id), "class_id")
SEAT = Prepared(lambda pk, user_id: Enrollment.objects.active().filter(training_class=pk, worker__user=user_id)
                .annotate_position().order_by("pk")[:1], "pk", "user_id")


def class_detail(request, pk):
    cls = CLASS_PAGE.get_or_404(pk=pk)
    give_prefetched(cls, "sessions", SESSIONS.list(class_id=cls.pk))
    mine = None
    if has_role(request.user, Role.WORKER):
        mine = SEAT.first(pk=cls.pk, user_id=request.user.pk)
        if mine is not None:
            mine.training_class = cls  # the page's class: whether the seat can be cancelled reads it
    return render(request, "training/class_detail.html", {
        "cls": cls, "mine": mine, "can_register_self": has_role(request.user, Role.WORKER),
        "can_register_others": has_role(request.user, Role.LIAISON), "open_now": cls.registration_is_open(),
        "closed_note": closed_window_note(cls.registration_opens, cls.registration_closes),
        "crumbs": _crumbs((_("Class catalogue"), reverse("training:catalogue")), (cls.title, None)),
    })


# Worker -------------------------------------------------------------------------------------

@require_POST
@role_required(Role.WORKER)
def register_self(request, pk):
    cls = PUBLIC_CLASS.get_or_404(pk=pk)
    worker = own_worker_or_404(request.user)
    with refusal_to(request):
        enrollment = services.enrollment_register(worker=worker, training_class=cls, user=request.user,
                                                  channel=Enrollment.Channel.SELF)
        if enrollment.status == Enrollment.Status.CONFIRMED:
            messages.success(request, _("You are registered. Your seat is confirmed."))
        else:
            position = enrollment.position
            messages.warning(request, _("The class is full: you are number %(position)d on the waiting list.")
                             % {"position": position})
    return redirect("training:class_detail", pk=cls.pk)


# A worker's own classes, the latest first, each with its place on the waiting list; their mentorships.
MY_SEATS = Prepared(lambda worker_id: Enrollment.objects.filter(worker=worker_id)
                    .select_related("training_class__course__trade").annotate_position()
                    .order_by("-training_class__starts_on", "-pk"), "worker_id")
_MENTORSHIPS = Mentorship.objects.select_related("mentor", "apprentice", "trade")
AS_MENTOR = Prepared(lambda worker_id: _MENTORSHIPS.filter(mentor=worker_id), "worker_id")
AS_APPRENTICE = Prepared(lambda worker_id: _MENTORSHIPS.filter(apprentice=worker_id), "worker_id")


@role_required(Role.WORKER)
def my_classes(request):
    worker = own_worker_or_404(request.user)
    enrollments = MY_SEATS.list(worker_id=worker.pk)
    return render(request, "training/my_classes.html", {
        "worker": worker, "enrollments": enrollments,
        "attendance": selectors.worker_attendance_summary(worker.pk, enrollments), **_mentorships(worker),
        "crumbs": _crumbs((_("My classes"), None)),
    })


def _mentorships(worker):
    return {"as_mentor": AS_MENTOR.list(worker_id=worker.pk), "as_apprentice": AS_APPRENTICE.list(worker_id=worker.pk)}


SCOPED_ENROLLMENT = WorkerScoped(lambda pk: Enrollment.objects.select_related("training_class", "worker")
                                 .filter(pk=pk), "worker")


def _enrollment_for(request, pk):
    """The enrollment if this user may act on it: their own, their organization's, or any for the
    training officer. Otherwise 404."""
    return SCOPED_ENROLLMENT.get_or_404(request.user, pk, everyone=has_role(request.user, Role.TRAINING_OFFICER))


@require_POST
@role_required(Role.WORKER, Role.LIAISON, Role.TRAINING_OFFICER)
def enrollment_cancel(request, pk):
    enrollment = _enrollment_for(request, pk)
    with refusal_to(request):
        services.enrollment_cancel(enrollment=enrollment, user=request.user)
        messages.success(request, _("The registration of %(name)s for “%(title)s” is cancelled.")
                         % {"name": enrollment.worker.name, "title": enrollment.training_class.title})
    fallback = reverse("training:my_classes") if has_role(request.user, Role.WORKER) else reverse("home")
    return HttpResponseRedirect(_safe_next(request) or fallback)


def _safe_next(request) -> str | None:
    """The page to go back to, if it is a path of this site."""
    path = request.POST.get("next", "")
    if path.startswith("/") and len(path) <= 2000 and "\x00" not in path and url_has_allowed_host_and_scheme(
            path, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return path
    return None


# Liaison ------------------------------------------------------------------------------------

@role_required(Role.LIAISON)
def liaison_register(request, pk):
    cls = PUBLIC_CLASS.get_or_404(pk=pk)
    roster = workers_for(request.user)
    enrolled = Enrollment.objects.active().filter(training_class=cls).values("worker")
    picker = Picker(roster, url=request.path, taken=roster.filter(pk__in=enrolled), taken_label=_("Registered"))
    if (answer := picker.answer(request)) is not None:
        return answer
    form = LiaisonRegisterForm(request.POST or None, request.FILES or None, picker=picker)
    outcomes, errors = [], []
    if request.method == "POST" and form.is_valid():
        workers = list(form.cleaned_data["workers"])
        if form.cleaned_data["file"]:
            listed, errors = importing.read_id_list(form.cleaned_data["file"], roster=roster)
            workers += [w for w in listed if w not in workers]
        if not errors:
            outcomes = services.enrollments_register(workers=workers, training_class=cls, user=request.user,
                                                     channel=Enrollment.Channel.LIAISON)
            done = sum(1 for o in outcomes if o.enrollment)
            messages.info(request, _("%(done)d of %(total)d registered.") % {"done": done, "total": len(outcomes)})
            form = LiaisonRegisterForm(picker=picker)  # the registered are marked now; start a new choice
    return render(request, "training/liaison_register.html", {
        "cls": cls, "form": form, "outcomes": outcomes, "errors": errors,
        "crumbs": _crumbs((_("Class catalogue"), reverse("training:catalogue")),
                          (cls.title, reverse("training:class_detail", args=[cls.pk])), (_("Register workers"), None)),
    })


@role_required(Role.LIAISON)
def liaison_enrollments(request):
    enrollments = (Enrollment.objects.filter(worker__in=workers_for(request.user))
                   .select_related("worker", "training_class").annotate_position().order_by("-created_at", "-pk"))
    filterset = EnrollmentFilter(request.GET, queryset=enrollments)
    if wants_xlsx(request):
        return tables.ENROLLMENTS.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs)
    return render(request, "training/liaison_enrollments.html", {
        "table": tables.ENROLLMENTS, "filter": filterset, "page": page, "query": query,
        "crumbs": _crumbs((_("Our enrollments"), None)),
    })


# Training officer ---------------------------------------------------------------------------

CLASS_PAGES = FilteredPages(row_values)  # (every class, for each of the READERS)


@role_required(*READERS)
def class_list(request):
    filterset = StaffClassFilter(request.GET, queryset=selectors.staff_classes())
    if wants_xlsx(request):
        return tables.CLASSES.response(request, filterset.qs)
    page, query = CLASS_PAGES.page(request, filterset)
    kept_page(page, filterset, ClassRow)
    return render(request, "training/class_list.html", {
        "filter": filterset, "page": page, "query": query, "crumbs": _crumbs((_("Manage classes"), None)),
    })


def _manage_crumbs(cls, *more):
    return _crumbs((_("Manage classes"), reverse("training:class_list")),
                   (cls.title, reverse("training:class_manage", args=[cls.pk])) if more else (cls.title, None), *more)


@role_required(*READERS)
def class_manage(request, pk):
    cls = get_object_or_404(TrainingClass.objects.select_related("course__trade", "provider", "base")
                            .prefetch_related("sessions"), pk=pk)
    enrollments = list(cls.enrollments.select_related("worker").order_by("status", "queue_number", "created_at"))
    positions = services.waiting_positions(cls)
    return render(request, "training/class_manage.html", {
        "cls": cls, "enrollments": enrollments, "positions": positions,
        "attendance": selectors.attendance_summary(enrollments),
        "sessions": cls.sessions.all(), "transitions": sorted(services.CLASS_STATUS.allowed(cls.status)),
        "finishing_early": services.finishing_early_message(cls), "hours_disagreement": cls.hours_disagreement(),
        "capacity_form": CapacityForm(initial={"capacity": cls.capacity}),
        "move_targets": list(services.move_targets(cls)[:100]), "started": cls.starts_on <= timezone.localdate(),
        "can_edit": has_role(request.user, Role.TRAINING_OFFICER),
        "crumbs": _manage_crumbs(cls),
    })


@require_POST
@role_required(*OFFICER)
def class_transition(request, pk):
    cls = get_object_or_404(TrainingClass, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
    else:
        with refusal_to(request):
            services.class_transition(training_class=cls, to=form.cleaned_data["to"], user=request.user,
                                      reason=form.cleaned_data["reason"])
            cls.refresh_from_db()
            messages.success(request, _("The class is now: %(status)s.") % {"status": cls.get_status_display()})
    return redirect("training:class_manage", pk=pk)


@require_POST
@role_required(*OFFICER)
def class_capacity(request, pk):
    cls = get_object_or_404(TrainingClass, pk=pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["capacity"]))
    else:
        with refusal_to(request):
            services.class_set_capacity(training_class=cls, capacity=form.cleaned_data["capacity"],
                                        user=request.user)
            messages.success(request, _("Capacity is now %(capacity)d.") % {"capacity": form.cleaned_data["capacity"]})
    return redirect("training:class_manage", pk=pk)


def _sheet_parts(cls):
    enrollments = list(cls.enrollments.exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
                       .select_related("worker").order_by("worker__name", "pk"))
    sessions = list(cls.sessions.all())
    existing = {(a.enrollment_id, a.session_id): a for a in Attendance.objects.filter(session__training_class=cls)}
    return enrollments, sessions, existing


@role_required(*READERS)
def class_export(request, pk):
    cls = get_object_or_404(TrainingClass, pk=pk)
    enrollments, sessions, existing = _sheet_parts(cls)
    headers, rows = importing.attendance_sheet(cls, enrollments, sessions, existing,
                                               full_ids=request.user.has_perm("registry.view_full_id_number"))
    waiting = cls.enrollments.with_position().select_related("worker")
    return xlsx_response(f"class-{cls.pk}-attendance.xlsx", [
        (_("Attendance"), headers, rows, None, importing.FORMATS), tables.WAITING_LIST.sheet(waiting, request.user)],
        made_by=request.user)


@role_required(*OFFICER)
def attendance_import(request, pk):
    cls = get_object_or_404(TrainingClass, pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        marks, exams, errors = importing.read_attendance(form.cleaned_data["file"], training_class=cls,
                                                         sessions=list(cls.sessions.all()))
        if not errors:
            with refusal_to(request):
                changed = services.attendance_save_many(training_class=cls, marks=marks, exams=exams,
                                                        user=request.user)
                messages.success(request, _("Attendance imported: %(count)d changes.") % {"count": changed})
                return redirect("training:class_manage", pk=pk)
    return render(request, "training/attendance_import.html", {
        "cls": cls, "form": form, "errors": errors, "crumbs": _manage_crumbs(cls, (_("Import attendance"), None)),
    })


def _sessions_for(user):
    """Sessions whose sheet the user may open: every one for staff who read classes, those of the classes
    their organization runs for a liaison (the training provider's contact)."""
    sessions = ClassSession.objects.select_related("training_class")
    if has_role(user, *READERS):
        return sessions
    if has_role(user, Role.LIAISON) and user.organization_id:
        return sessions.filter(training_class__provider_id=user.organization_id)
    return sessions.none()


def _session_for(request, pk):
    return get_object_or_404(_sessions_for(request.user), pk=pk)


def _may_mark(user, session) -> bool:
    return has_role(user, Role.TRAINING_OFFICER) or (
        has_role(user, Role.LIAISON) and session.training_class.provider_id == user.organization_id)


def _sheet_crumbs(request, cls, *more):
    if has_role(request.user, *READERS):
        return _manage_crumbs(cls, *more)
    return _crumbs((_("Classes we run"), reverse("training:provider_classes")), (cls.title, None), *more)


@role_required(Role.LIAISON, *READERS)
def attendance_sheet(request, pk):
    session = _session_for(request, pk)
    cls = session.training_class
    enrollments = (cls.enrollments.exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
                   .select_related("worker").order_by("worker__name", "pk")
                   .prefetch_related(Prefetch("attendances", Attendance.objects.filter(session=session),
                                              to_attr="marks")))
    template = "training/sign_in_sheet.html" if request.GET.get("print") else "training/attendance_sheet.html"
    not_started = "" if session.has_started() else services.not_started_message(session)
    may_mark = _may_mark(request.user, session)
    return render(request, template, {
        "session": session, "cls": cls, "enrollments": enrollments, "statuses": Attendance.Status.choices,
        "can_edit": may_mark and not not_started, "not_started": not_started,
        "show_qr": may_mark and not session.has_ended, "crumbs": _sheet_crumbs(request, cls, (str(session), None)),
    })


@require_POST
@role_required(Role.TRAINING_OFFICER, Role.LIAISON)
def attendance_mark(request, pk, enrollment_pk):
    session = _session_for(request, pk)
    enrollment = get_object_or_404(Enrollment.objects.select_related("worker"), pk=enrollment_pk,
                                   training_class=session.training_class)
    form = AttendanceMarkForm(request.POST)
    error = "" if form.is_valid() else _("Unknown attendance mark.")
    if not error:
        with refusal_to() as refusal:
            services.attendance_mark(session=session, enrollment=enrollment, status=form.cleaned_data["status"],
                                     remark=form.cleaned_data["remark"], user=request.user)
        error = refusal.message
    enrollment.marks = list(enrollment.attendances.filter(session=session))
    if request.htmx:
        return render(request, "training/_attendance_row.html", {
            "e": enrollment, "session": session, "statuses": Attendance.Status.choices, "can_edit": True,
            "error": error,
        })  # htmx swaps only 2xx answers; the row carries the error message
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Attendance of %(name)s saved.") % {"name": enrollment.worker.name})
    return redirect("training:attendance_sheet", pk=pk)


@require_POST
@role_required(Role.TRAINING_OFFICER, Role.LIAISON)
def attendance_all_present(request, pk):
    session = _session_for(request, pk)
    with refusal_to(request):
        marked = services.attendance_all_present(session=session, user=request.user)
        messages.success(request, ngettext(
            "%(count)d person marked present; now mark the exceptions.",
            "%(count)d people marked present; now mark the exceptions.", marked) % {"count": marked})
    return redirect("training:attendance_sheet", pk=pk)


@role_required(Role.TRAINING_OFFICER, Role.LIAISON)
def session_qr(request, pk):
    """The check-in code of a session under way, a new one every minute (the sheet fetches it again)."""
    session = _session_for(request, pk)
    url = checkin.check_in_url(request, session)
    return render(request, "training/_checkin_qr.html", {
        "session": session, "qr_svg": qr_svg(url), "check_in_url": url, "refresh": checkin.REFRESH_SECONDS,
    })


@role_required(Role.WORKER)
def check_in(request, token):
    """What a worker's phone opens on scanning a session's code: the class and session, and a button to
    check in (the scan alone changes nothing)."""
    worker = own_worker_or_404(request.user)
    session, error = None, ""
    with refusal_to() as refusal:
        session = ClassSession.objects.select_related("training_class").filter(
            pk=checkin.session_id_of(token)).first()
        if session is None:
            error = _("This session no longer exists.")
    error = refusal.message or error
    if request.method == "POST" and not error:
        with refusal_to(request):
            attendance = services.attendance_check_in(session=session, worker=worker, user=request.user)
            messages.success(request, _("Checked in to %(class)s: %(status)s at %(time)s.") % {
                "class": session.training_class.title, "status": attendance.get_status_display(),
                "time": timezone.localtime(attendance.marked_at).strftime("%H:%M")})
            return redirect("training:my_classes")
        return redirect("training:check_in", token=token)
    return render(request, "training/check_in.html", {
        "session": session, "error": error, "worker": worker, "crumbs": _crumbs((_("Check in"), None)),
    })


@role_required(Role.LIAISON)
def provider_classes(request):
    """The classes the liaison's organization runs as training provider, each session with its sheet."""
    classes = (TrainingClass.objects.filter(provider_id=request.user.organization_id)
               .select_related("course").prefetch_related("sessions").order_by("-starts_on", "-pk"))
    page, query = paginate(request, classes, size=20)
    return render(request, "training/provider_classes.html", {
        "page": page, "query": query, "crumbs": _crumbs((_("Classes we run"), None)),
    })


@require_POST
@role_required(*OFFICER)
def enrollment_withdraw(request, pk):
    enrollment = get_object_or_404(Enrollment.objects.select_related("worker", "training_class"), pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal."))
    else:
        with refusal_to(request):
            services.enrollment_withdraw(enrollment=enrollment, user=request.user,
                                         reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s is withdrawn from “%(title)s”.")
                             % {"name": enrollment.worker.name, "title": enrollment.training_class.title})
    return redirect("training:class_manage", pk=enrollment.training_class_id)


@role_required(*OFFICER)
def staff_register(request, pk):
    """The training officer registers a walk-in: a worker found by name, mobile or identity number,
    or created on the spot from the identity number."""
    cls = get_object_or_404(TrainingClass.objects.select_related("course__trade"), pk=pk)
    picked = request.method == "POST" and "worker" in request.POST
    pick = StaffPickForm(request.POST if picked else None)
    create = StaffWorkerForm(request.POST if request.method == "POST" and not picked else None)
    form = pick if picked else create
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(request), transaction.atomic():  # a worker created for a refused registration goes too
            worker = data.get("worker") or worker_find_or_create(
                user=request.user, id_number=data["id_number"], name=data["name"], mobile=data["mobile"],
                poverty_registered=data["poverty_registered"])[0]
            enrollment = services.enrollment_register_by_staff(worker=worker, training_class=cls, user=request.user,
                                                               reason=data["reason"])
            messages.success(request, _("%(name)s is registered for “%(title)s”: %(status)s.") % {
                "name": worker.name, "title": cls.title, "status": enrollment.get_status_display()})
            return redirect("training:class_manage", pk=cls.pk)
    elif picked and not form.is_valid():
        messages.error(request, _("Choose a worker from the list."))
    q = search_param(request)
    found = (Worker.objects.search(q, full_id_allowed=request.user.has_perm(FULL_ID_NUMBER))
             .select_related("employer").order_by("name", "pk")[:20]) if q else []
    return render(request, "training/staff_register.html", {
        "cls": cls, "create": create, "pick": pick, "q": q, "found": found,
        "started": cls.starts_on <= timezone.localdate(),
        "crumbs": _manage_crumbs(cls, (_("Register a worker"), None)),
    })


@require_POST
@role_required(*OFFICER)
def enrollment_move(request, pk):
    enrollment = get_object_or_404(Enrollment.objects.select_related("worker", "training_class"), pk=pk)
    form = MoveForm(request.POST, targets=services.move_targets(enrollment.training_class))
    if not form.is_valid():
        messages.error(request, _("Choose a class that takes registrations."))
    else:
        with refusal_to(request):
            to_class = form.cleaned_data["to_class"]
            moved = services.enrollment_move(enrollment=enrollment, to_class=to_class, user=request.user,
                                             reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s is moved to “%(title)s”: %(status)s.") % {
                "name": enrollment.worker.name, "title": to_class.title, "status": moved.get_status_display()})
    return redirect("training:class_manage", pk=enrollment.training_class_id)


@require_POST
@role_required(*OFFICER)
def exam_mark(request, pk):
    enrollment = get_object_or_404(Enrollment.objects.select_related("worker", "training_class"), pk=pk)
    form = ExamForm(request.POST)
    if form.is_valid():
        with refusal_to(request):
            services.enrollment_set_exam(enrollment=enrollment, passed=form.cleaned_data["passed"], user=request.user)
            messages.success(request, _("Exam result of %(name)s saved.") % {"name": enrollment.worker.name})
    else:
        messages.error(request, _("Unknown exam result."))
    return redirect("training:class_manage", pk=enrollment.training_class_id)


@role_required(Role.TRAINING_OFFICER, Role.LIAISON)
def exam_results(request, pk):
    """The exam results of the whole class on one page, saved at once (the officer, or the provider's liaison)."""
    cls = get_object_or_404(_classes_marked_by(request.user), pk=pk, has_exam=True)
    seats = (cls.enrollments.exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.WAITLISTED])
             .select_related("worker").order_by("worker__name", "pk"))
    form = ExamResultsForm(request.POST or None, enrollments=seats)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            changed = services.exam_results_save(training_class=cls, results=form.results(), user=request.user)
            messages.success(request, _("Exam results saved: %(count)d changed.") % {"count": changed})
            return redirect("training:exam_results", pk=pk)
    return render(request, "training/exam_results.html", {
        "cls": cls, "form": form, "crumbs": _sheet_crumbs(request, cls, (_("Exam results"), None)),
    })


def _classes_marked_by(user):
    if has_role(user, Role.TRAINING_OFFICER):
        return TrainingClass.objects.all()
    return TrainingClass.objects.filter(provider_id=user.organization_id) if user.organization_id \
        else TrainingClass.objects.none()


@role_required(*READERS)
def survey_list(request):
    surveys = NeedsSurvey.objects.annotate(responses_count=Count("responses"), head_count=Sum("responses__head_count"))
    plans = TrainingPlan.objects.annotate(lines_count=Count("lines"), target_classes=Sum("lines__target_classes"),
                                          target_trainees=Sum("lines__target_trainees"), budget=Sum("lines__budget"))
    if wants_xlsx(request):
        return tables.SURVEYS.response(request, surveys, extra_sheets=[tables.PLANS.sheet(plans, request.user)])
    return render(request, "training/survey_list.html", {
        "surveys": surveys, "plans": plans, "crumbs": _crumbs((_("Needs and plans"), None)),
    })


@role_required(*READERS)
def survey_detail(request, pk):
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    rows = selectors.needs_by_trade(survey)
    organizations = selectors.needs_by_organization(survey)
    if wants_xlsx(request):
        return tables.NEEDS_BY_TRADE.response(request, rows, pk=survey.pk, extra_sheets=[
            tables.NEEDS_BY_ORGANIZATION.sheet(organizations, request.user)])
    return render(request, "training/survey_detail.html", {
        "survey": survey, "rows": rows, "organizations": organizations, "by_organization": tables.NEEDS_BY_ORGANIZATION,
        "can_plan": has_role(request.user, Role.TRAINING_OFFICER),
        "crumbs": _crumbs((_("Needs and plans"), reverse("training:survey_list")), (survey.title, None)),
    })


def _posted(request):
    """The form's data on a POST, even an empty one (an empty QueryDict is false)."""
    return request.POST if request.method == "POST" else None


@role_required(*OFFICER)
def plan_from_needs(request, pk):
    """The chosen trades' summed head counts, to confirm (or change) as the year plan's target trainees."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    totals = needs.head_counts(survey)
    trades = Trade.objects.filter(pk__in=list(totals)).order_by("code")
    chosen = [int(v) for v in request.GET.getlist("trade") if v.isdigit() and int(v) in totals]
    form = PlanFromNeedsForm(_posted(request), trades=trades, totals=totals, initial={"trades": chosen})
    if request.method == "POST" and form.is_valid():
        with refusal_to(request):
            plan = needs.plan_lines_from_needs(survey=survey, targets=form.targets(), user=request.user)
            count = len(form.cleaned_data["trades"])
            messages.success(request, ngettext(
                "%(count)d trade of the plan “%(plan)s” now has its target trainees.",
                "%(count)d trades of the plan “%(plan)s” now have their target trainees.",
                count) % {"count": count, "plan": plan.title})
            return redirect("training:plan_detail", year=plan.year)
    ticked = request.POST.getlist("trades") if form.is_bound else [str(trade_pk) for trade_pk in chosen]
    planned = dict(PlanLine.objects.filter(plan__year=survey.year).values_list("trade", "target_trainees"))
    return render(request, "training/plan_from_needs.html", {
        "survey": survey, "form": form, "ticked": set(ticked), "planned": planned,
        "crumbs": _crumbs((_("Needs and plans"), reverse("training:survey_list")),
                          (survey.title, reverse("training:survey_detail", args=[survey.pk])),
                          (_("Plan from the answers"), None)),
    })


# Needs surveys answered online (workers for themselves, liaisons for their organization) ---------

def _respondent(request) -> dict:
    """Who answers: the worker of this login, or the liaison's organization."""
    if has_role(request.user, Role.WORKER):
        return {"worker": own_worker_or_404(request.user)}
    return {"organization": get_object_or_404(organizations_for(request.user))}


def _needs_crumbs(*more):
    return _crumbs((_("Training needs"), reverse("training:needs_surveys") if more else None), *more)


@role_required(*RESPONDENTS)
def needs_surveys(request):
    respondent = _respondent(request)
    mine = Q(**{f"responses__{key}": value for key, value in respondent.items()})
    surveys = NeedsSurvey.objects.open_now().annotate(answers=Count("responses", filter=mine)).order_by("ends_on", "pk")
    return render(request, "training/needs_surveys.html", {"surveys": surveys, "crumbs": _needs_crumbs()})


@role_required(*RESPONDENTS)
def needs_answer(request, pk):
    """A survey, the respondent's answers to it, and a new answer while it is open."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    respondent = _respondent(request)
    form = NeedsAnswerForm(_posted(request), for_worker="worker" in respondent)
    if request.method == "POST" and form.is_valid():
        with refusal_to(request):
            answer = needs.response_create(survey=survey, **respondent, **form.cleaned_data)
            messages.success(request, _("Your answer for %(trade)s is saved.") % {"trade": answer.trade})
            return redirect("training:needs_answer", pk=survey.pk)
    return render(request, "training/needs_answer.html", {
        "survey": survey, "form": form, "closed": needs.closed_message(survey),
        "answers": survey.responses.filter(**respondent).select_related("trade").order_by("trade__code", "pk"),
        "for_organization": "organization" in respondent,
        "crumbs": _needs_crumbs((survey.title, None)),
    })


def _answer_for(request, pk) -> NeedsResponse:
    """One of the respondent's own answers; anyone else's is not found."""
    return get_object_or_404(NeedsResponse.objects.filter(**_respondent(request)).select_related("survey", "trade"),
                             pk=pk)


@role_required(*RESPONDENTS)
def needs_answer_change(request, pk):
    answer = _answer_for(request, pk)
    survey = answer.survey
    form = NeedsAnswerForm(_posted(request), instance=answer, for_worker=bool(answer.worker_id))
    if request.method == "POST" and form.is_valid():
        with refusal_to(request):
            needs.response_change(response=answer, **form.cleaned_data)
            messages.success(request, _("Your answer for %(trade)s is changed.") % {"trade": answer.trade})
            return redirect("training:needs_answer", pk=survey.pk)
    return render(request, "training/needs_answer_change.html", {
        "survey": survey, "answer": answer, "form": form, "closed": needs.closed_message(survey),
        "crumbs": _needs_crumbs((survey.title, reverse("training:needs_answer", args=[survey.pk])),
                                (_("Change the answer"), None)),
    })


@require_POST
@role_required(*RESPONDENTS)
def needs_answer_withdraw(request, pk):
    answer = _answer_for(request, pk)
    with refusal_to(request):
        needs.response_withdraw(response=answer)
        messages.success(request, _("Your answer for %(trade)s is withdrawn.") % {"trade": answer.trade})
    return redirect("training:needs_answer", pk=answer.survey_id)


@role_required(*READERS)
def plan_detail(request, year):
    plan = get_object_or_404(TrainingPlan, year=year)
    rows = selectors.plan_against_actual(plan)
    if wants_xlsx(request):
        return tables.PLAN_AGAINST_ACTUAL.response(request, rows, year=plan.year)
    return render(request, "training/plan_detail.html", {
        "plan": plan, "rows": rows, "totals": selectors.year_totals(year),
        "crumbs": _crumbs((_("Needs and plans"), reverse("training:survey_list")), (plan.title, None)),
    })


@role_required(Role.LIAISON, *READERS)
def worker_training(request, pk):
    """A worker's classes and mentorships, for staff and for the worker's own liaison."""
    worker = get_worker_or_404(request.user, pk=pk)
    enrollments = list(worker.enrollments.select_related("training_class__course__trade").annotate_position()
                       .order_by("-training_class__starts_on", "-pk"))
    return render(request, "training/worker_training.html", {
        "worker": worker, "enrollments": enrollments, "attendance": selectors.attendance_summary(enrollments),
        **_mentorships(worker),
        "crumbs": _crumbs((_("Roster"), reverse("registry:roster")),
                          (worker.name, reverse("registry:worker_detail", args=[worker.pk])), (_("Training"), None)),
    })


from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import STAFF_ROLES, Role, has_role, is_district_staff
from zhangwan.accounts.scope import organizations_for, own_worker_or_404, workers_for
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.excel_in import RowError
from zhangwan.forms import flash_errors
from zhangwan.history import history_with_changes
from zhangwan.pagination import paginate
from zhangwan.picker import Picker
from zhangwan.prepared import Prepared
from zhangwan.query import year_param
from zhangwan.uploads import serve_stored_file

from . import importing, selectors, services, tables, tasks
from .forms import (
    CorrectionForm,
    EntryForm,
    ProjectDecisionForm,
    ProjectForm,
    PublishForm,
    RecordResultForm,
    ResultCorrectionForm,
    SheetForm,
    UploadForm,
    WithdrawResultsForm,
)
from .grid import bib_buttons
from .models import (
    Competition,
    Entry,
    Event,
    InnovationProject,
    JudgeAssignment,
    Mark,
    ProjectAttachment,
    Result,
    ScoreSheet,
)

OFFICER = (Role.COMPETITIONS_OFFICER,)
READERS = (Role.COMPETITIONS_OFFICER, Role.AUDITOR)



# Public -------------------------------------------------------------------------------------

def competition_list(request):
    competitions = (Competition.objects.annotate(n_events=Count("events", distinct=True))
                    .order_by("-year", "-starts_on", "pk"))
    if year := year_param(request):
        competitions = competitions.filter(year=year)
    level = request.GET.get("level", "")
    if level in Competition.Level.values:
        competitions = competitions.filter(level=level)
    if request.GET.get("leading") == "1":
        competitions = competitions.filter(leading=True)
    page, query = paginate(request, competitions)
    years = Competition.objects.order_by("-year").values_list("year", flat=True).distinct()
    return render(request, "competitions/competition_list.html", {
        "page": page, "query": query, "years": years, "levels": Competition.Level.choices,
        "year": year, "level": level, "crumbs": [(_("Competitions"), None)],
    })


def competition_detail(request, pk):
    competition = get_object_or_404(Competition.objects.prefetch_related("organizers"), pk=pk)
    events = competition.events.select_related("trade").prefetch_related("parts")
    if competition.results_published:
        events = events.prefetch_related(Prefetch("entries", Entry.objects.competing().filter(result__tier__gt="")
                                                  .select_related("result", "worker", "organization")
                                                  .order_by("result__rank", "bib"), to_attr="winners"))
    open_now = competition.registration_is_open() and not competition.results_published
    return render(request, "competitions/competition_detail.html", {
        # Once its results are out a competition takes no more entries, whatever its window said.
        "competition": competition, "events": events, "open_now": open_now,
        "closed_note": "" if open_now or competition.external else competition.entries_closed_note(),
        "is_liaison": has_role(request.user, Role.LIAISON), "is_worker": has_role(request.user, Role.WORKER),
        "crumbs": [(_("Competitions"), reverse("competitions:competition_list")), (competition.name, None)],
    })


# Worker and liaison -------------------------------------------------------------------------

def _entries_with_results(entries):
    return entries.select_related("event__competition", "worker", "organization", "result").order_by(
        "-event__competition__year", "-created_at")


@role_required(Role.WORKER)
def my_entries(request):
    worker = own_worker_or_404(request.user)
    entries = _entries_with_results(Entry.objects.filter(Q(worker=worker) | Q(members=worker)).distinct())
    return render(request, "competitions/my_entries.html", {
        "entries": entries, "crumbs": [(_("My competitions"), None)],
    })


@require_POST
@role_required(Role.WORKER)
def enter_self(request, pk):
    event = get_object_or_404(Event.objects.select_related("competition"), pk=pk)
    worker = own_worker_or_404(request.user)
    if not event.self_entry or event.team:
        messages.error(request, _("Workers cannot enter this event themselves; ask your organization's liaison."))
    elif worker.employer is None:
        messages.error(request, _("You are on no organization's roster; ask your liaison."))
    else:
        with refusal_to(request):
            entry = services.entry_create(event=event, organization=worker.employer, user=request.user, worker=worker)
            messages.success(request, _("You are entered. Your bib number is %(bib)d.") % {"bib": entry.bib})
    return redirect("competitions:competition_detail", pk=event.competition_id)


@role_required(Role.LIAISON)
def liaison_entries(request):
    entries = _entries_with_results(Entry.objects.filter(organization__in=organizations_for(request.user)))
    page, query = paginate(request, entries, 50)
    return render(request, "competitions/liaison_entries.html", {
        "page": page, "query": query, "crumbs": [(_("Our entries"), None)],
    })


@role_required(Role.LIAISON)
def liaison_enter(request, pk):
    event = get_object_or_404(Event.objects.select_related("competition", "trade"), pk=pk,
                              competition__external=False)
    organization = get_object_or_404(organizations_for(request.user), pk=request.user.organization_id)
    roster = workers_for(request.user).filter(trades__trade=event.trade)
    entered = event.entries.exclude(status=Entry.Status.WITHDRAWN).people()
    picker = Picker(roster, url=request.path, taken=roster.filter(pk__in=entered.values("pk")),
                    taken_label=_("Entered"), trade_filter=False)
    if (answer := picker.answer(request)) is not None:
        return answer
    form = EntryForm(request.POST or None, picker=picker, team=event.team)
    if request.method == "POST" and form.is_valid():
        workers = list(form.cleaned_data["workers"])
        with refusal_to(form):
            if event.team:
                entries = [services.entry_create(event=event, organization=organization, user=request.user,
                                                 team_name=form.cleaned_data["team_name"], members=workers)]
            else:
                entries = [services.entry_create(event=event, organization=organization, user=request.user, worker=w)
                           for w in workers]
            bibs = ", ".join(str(e.bib) for e in entries)
            messages.success(request, _("Entered: bib numbers %(bibs)s.") % {"bibs": bibs})
            return redirect("competitions:liaison_entries")
    open_now = event.competition.registration_is_open()
    return render(request, "competitions/liaison_enter.html", {
        "event": event, "form": form, "open_now": open_now,
        "closed_note": "" if open_now else event.competition.entries_closed_note(),
        "crumbs": [(_("Competitions"), reverse("competitions:competition_list")),
                   (event.competition.name, reverse("competitions:competition_detail", args=[event.competition_id])),
                   (event.name, None)],
    })


@require_POST
@role_required(Role.LIAISON, Role.COMPETITIONS_OFFICER)
def entry_withdraw(request, pk):
    entries = Entry.objects.all() if has_role(request.user, Role.COMPETITIONS_OFFICER) else \
        Entry.objects.filter(organization__in=organizations_for(request.user))
    entry = get_object_or_404(entries, pk=pk)
    with refusal_to(request):
        services.entry_withdraw(entry=entry, user=request.user)
        messages.success(request, _("Entry %(bib)d withdrawn.") % {"bib": entry.bib})
    return redirect("competitions:liaison_entries" if has_role(request.user, Role.LIAISON) else
                    "competitions:manage_list")


# Judge --------------------------------------------------------------------------------------

@role_required(Role.JUDGE)
def judge_home(request):
    events = (Event.objects.filter(judges__judge=request.user, competition__external=False)
              .select_related("competition", "trade").order_by("-competition__starts_on"))
    mine = dict(ScoreSheet.objects.filter(judge=request.user, submitted_at__isnull=False)
                .values("entry__event").annotate(n=Count("pk")).values_list("entry__event", "n"))
    todo = dict(services.judge_entries(request.user).values("event").annotate(n=Count("pk"))
                .values_list("event", "n"))
    rows = [{"event": e, "submitted": mine.get(e.pk, 0), "entries": todo.get(e.pk, 0),
             "closed": services.marking_refusal(e)} for e in events]
    return render(request, "competitions/judge_home.html", {"rows": rows, "crumbs": [(_("Judging"), None)]})


# A judge's pages: an event they judge, with its competition, its entries they may mark (by bib), their sheets
# of them and whether they are its chief; an entry they may mark, with its event and competition, the event's
# scoring parts, their sheet of the entry and its marks.
JUDGE_EVENT = Prepared(lambda pk, judge_id: Event.objects.filter(judges__judge=judge_id).select_related("competition")
                       .filter(pk=pk), "pk", "judge_id")
JUDGE_EVENT_ENTRIES = Prepared(lambda event_id, judge_id, organization_id: services.judge_entries_of(
    judge_id, organization_id).filter(event=event_id).order_by("bib"), "event_id", "judge_id", "organization_id")
MY_SHEETS = Prepared(lambda event_id, judge_id: ScoreSheet.objects.filter(entry__event=event_id, judge=judge_id),
                     "event_id", "judge_id")
CHIEF = Prepared(lambda event_id, judge_id: JudgeAssignment.objects.filter(event=event_id, judge=judge_id, chief=True),
                 "event_id", "judge_id")
SHEET = Prepared(lambda entry_id, judge_id: ScoreSheet.objects.filter(entry=entry_id, judge=judge_id), "entry_id",
                 "judge_id")


@role_required(Role.JUDGE)
def judge_event(request, pk):
    judge = request.user.pk
    event = JUDGE_EVENT.get_or_404(pk=pk, judge_id=judge)
    entries = JUDGE_EVENT_ENTRIES.list(event_id=event.pk, **services.judge_keys(request.user))
    sheets = {sheet.entry_id: sheet for sheet in MY_SHEETS.list(event_id=event.pk, judge_id=judge)}
    chief = CHIEF.first(event_id=event.pk, judge_id=judge) is not None
    judges, disagreements = selectors.judge_patterns(event) if chief else ([], [])
    return render(request, "competitions/judge_event.html", {
        "event": event, "entries": entries, "grid": bib_buttons(entries, sheets), "chief": chief, "judges": judges,
        "disagreements": disagreements[:30],
        "closed": services.marking_refusal(event),
        "crumbs": [(_("Judging"), reverse("competitions:judge_home")), (event.name, None)],
    })


@role_required(Role.JUDGE)
def judge_sheet(request, pk):
    entry = services.MARKABLE.get_or_404(pk=pk, **services.judge_keys(request.user))
    parts = services.PARTS.list(event_id=entry.event_id)
    sheet = SHEET.first(entry_id=entry.pk, judge_id=request.user.pk)
    marks = {m.part_id: m.value for m in services.MARKS.list(sheet_id=sheet.pk)} if sheet else {}
    form = SheetForm(request.POST or None, parts=parts, marks=marks)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        with refusal_to(form):
            services.sheet_save(entry=entry, judge=request.user, marks=form.marks(), submit=submit)
            messages.success(request, _("Marks for bib %(bib)d submitted and locked.") % {"bib": entry.bib} if submit
                             else _("Draft saved for bib %(bib)d.") % {"bib": entry.bib})
            return redirect("competitions:judge_event", pk=entry.event_id)
    return render(request, "competitions/judge_sheet.html", {
        "entry": entry, "form": form, "locked": bool(sheet and sheet.locked), "sheet": sheet,
        "closed": services.marking_refusal(entry.event),
        "crumbs": [(_("Judging"), reverse("competitions:judge_home")),
                   (entry.event.name, reverse("competitions:judge_event", args=[entry.event_id])),
                   (_("Bib %(bib)d") % {"bib": entry.bib}, None)],
    })


# Officer ------------------------------------------------------------------------------------

@role_required(*READERS)
def manage_list(request):
    competitions = Competition.objects.annotate(
        n_events=Count("events", distinct=True),
        n_entries=Count("events__entries", distinct=True, filter=~Q(events__entries__status="withdrawn")),
    ).order_by("-year", "-starts_on", "pk")
    if wants_xlsx(request):
        return tables.COMPETITIONS.response(request, competitions)
    page, query = paginate(request, competitions)
    return render(request, "competitions/manage_list.html", {
        "page": page, "query": query, "crumbs": [(_("Manage competitions"), None)],
    })


def _manage_crumbs(competition, *more):
    return [(_("Manage competitions"), reverse("competitions:manage_list")),
            (competition.name, reverse("competitions:manage_competition", args=[competition.pk]) if more else None),
            *more]


@role_required(*READERS)
def manage_competition(request, pk):
    competition = get_object_or_404(Competition, pk=pk)
    events = (competition.events.select_related("trade")
              .annotate(n_entries=Count("entries", filter=Q(entries__status="entered"), distinct=True),
                        n_judges=Count("judges", distinct=True),
                        n_submitted=Count("entries__sheets", filter=Q(entries__sheets__submitted_at__isnull=False),
                                          distinct=True),
                        n_results=Count("entries__result", distinct=True)))
    blockers, short = services.publish_check(competition)
    return render(request, "competitions/manage_competition.html", {
        "competition": competition, "events": events, "blockers": blockers, "short": short,
        "publish_form": PublishForm(), "withdraw_form": WithdrawResultsForm(),
        "history": history_with_changes(competition.history.select_related("history_user"), limit=10),
        "organizer_awards": competition.organizer_awards.select_related("organization"),
        "projects": competition.projects.select_related("organization"),
        "can_edit": has_role(request.user, Role.COMPETITIONS_OFFICER), "crumbs": _manage_crumbs(competition),
    })


@require_POST
@role_required(*OFFICER)
def results_run(request, pk):
    competition = get_object_or_404(Competition, pk=pk, external=False)
    with refusal_to(request):
        unmarked = services.results_computable(competition)
        tasks.compute_results.delay_on_commit(competition.pk, request.user.pk)
        messages.info(request, _("The results are being computed; this page shows them when they are ready."))
        for event in unmarked:
            messages.warning(request, _("%(event)s has no submitted score sheets; its results are not computed.")
                             % {"event": event.name})
    return redirect("competitions:manage_competition", pk=competition.pk)


@require_POST
@role_required(*OFFICER)
def results_publish(request, pk):
    competition = get_object_or_404(Competition, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("competitions:manage_competition", pk=pk)
    with refusal_to(request):
        services.results_publish(competition=competition, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Results published; the entrants have been told."))
    return redirect("competitions:manage_competition", pk=pk)


@require_POST
@role_required(*OFFICER)
def results_withdraw(request, pk):
    competition = get_object_or_404(Competition, pk=pk)
    form = WithdrawResultsForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("competitions:manage_competition", pk=pk)
    with refusal_to(request):
        services.results_withdraw(competition=competition, reason=form.cleaned_data["reason"], user=request.user)
        messages.success(request, _("Results withdrawn; the entrants have been told. Correct the marks, compute the "
                                    "results and publish them again."))
    return redirect("competitions:manage_competition", pk=pk)


@role_required(*OFFICER)
def result_correct(request, pk):
    result = get_object_or_404(Result.objects.select_related("entry__event__competition", "entry__worker"), pk=pk)
    event = result.entry.event
    form = ResultCorrectionForm(request.POST or None, initial={"rank": result.rank, "tier": result.tier,
                                                               "title": result.title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            services.result_correct(result=result, rank=data["rank"], tier=data["tier"], title=data["title"],
                                    reason=data["reason"], user=request.user)
            messages.success(request, _("Result corrected; the entrant has been told."))
            return redirect("competitions:manage_event", pk=event.pk)
    return render(request, "competitions/result_correct.html", {
        "result": result, "form": form, "history": history_with_changes(result.history.select_related("history_user")),
        "crumbs": _manage_crumbs(event.competition, (event.name, reverse("competitions:manage_event", args=[event.pk])),
                                 (_("Correct a result"), None)),
    })


@role_required(*READERS)
def manage_event(request, pk):
    event = get_object_or_404(Event.objects.select_related("competition", "trade"), pk=pk)
    parts = list(event.parts.all())
    entries = (event.entries.select_related("worker", "organization", "result")
               .order_by("result__rank", "bib"))
    if wants_xlsx(request):
        return tables.results(parts).response(request, entries, pk=event.pk)
    judges, disagreements = selectors.judge_patterns(event)
    page, query = paginate(request, entries, 50)
    return render(request, "competitions/manage_event.html", {
        "event": event, "parts": parts, "page": page, "query": query, "judges": judges,
        "disagreements": disagreements[:30], "can_edit": has_role(request.user, Role.COMPETITIONS_OFFICER),
        "crumbs": _manage_crumbs(event.competition, (event.name, None)),
    })


@role_required(*OFFICER)
def mark_correct(request, pk):
    mark = get_object_or_404(Mark.objects.select_related("part", "sheet__entry__event__competition", "sheet__judge"),
                             pk=pk)
    form = CorrectionForm(request.POST or None, initial={"value": mark.value})
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.mark_correct(mark=mark, value=form.cleaned_data["value"], reason=form.cleaned_data["reason"],
                                  user=request.user)
            messages.success(request, _("Mark corrected; compute the results again."))
            return redirect("competitions:manage_event", pk=mark.sheet.entry.event_id)
    event = mark.sheet.entry.event
    return render(request, "competitions/mark_correct.html", {
        "mark": mark, "form": form, "history": mark.history.select_related("history_user")[:20],
        "crumbs": _manage_crumbs(event.competition, (event.name, reverse("competitions:manage_event", args=[event.pk])),
                                 (_("Correct a mark"), None)),
    })


@role_required(*READERS)
def entry_marks(request, pk):
    entry = get_object_or_404(Entry.objects.select_related("event__competition", "worker"), pk=pk)
    sheets = entry.sheets.select_related("judge").prefetch_related(
        Prefetch("marks", Mark.objects.select_related("part")))
    return render(request, "competitions/entry_marks.html", {
        "entry": entry, "sheets": sheets, "can_edit": has_role(request.user, Role.COMPETITIONS_OFFICER),
        "crumbs": _manage_crumbs(entry.event.competition,
                                 (entry.event.name, reverse("competitions:manage_event", args=[entry.event_id])),
                                 (_("Bib %(bib)d") % {"bib": entry.bib}, None)),
    })


@role_required(*OFFICER)
def record_results(request, pk):
    event = get_object_or_404(Event.objects.select_related("competition"), pk=pk, competition__external=True)
    form = RecordResultForm(request.POST or None, prefix="one")
    upload = UploadForm(request.POST or None, request.FILES or None, prefix="file")
    errors: list[RowError] = []
    if request.method == "POST":
        rows = []
        if "file-file" in request.FILES and upload.is_valid():
            rows, errors = importing.read_results(upload.cleaned_data["file"])
        elif form.is_valid():
            rows, errors = importing.check_rows([{**form.cleaned_data, "row": 0}])
        if rows and not errors:
            count = services.results_record(event=event, rows=rows, user=request.user)
            messages.success(request, _("%(count)d results recorded.") % {"count": count})
            return redirect("competitions:manage_event", pk=event.pk)
    return render(request, "competitions/record_results.html", {
        "event": event, "form": form, "upload": upload, "errors": errors,
        "crumbs": _manage_crumbs(event.competition, (event.name, reverse("competitions:manage_event", args=[event.pk])),
                                 (_("Record results"), None)),
    })


@role_required(*READERS)
def compare_years(request):
    years = sorted(set(Competition.objects.values_list("year", flat=True)), reverse=True)[:3]
    return render(request, "competitions/compare.html", {
        "figures": selectors.year_figures(sorted(years)), "levels": Competition.Level.choices,
        "crumbs": [(_("Manage competitions"), reverse("competitions:manage_list")), (_("Year by year"), None)],
    })


# Innovation projects ------------------------------------------------------------------------

def _projects_for(user):
    projects = InnovationProject.objects.select_related("organization", "competition")
    if is_district_staff(user):
        return projects
    return projects.filter(organization__in=organizations_for(user))


@role_required(Role.LIAISON, *STAFF_ROLES)
def project_list(request):
    projects = _projects_for(request.user).order_by("-created_at", "-pk")
    if wants_xlsx(request):
        return tables.PROJECTS.response(request, projects.prefetch_related(tables.PROJECT_TEAMS))
    page, query = paginate(request, projects)
    return render(request, "competitions/project_list.html", {
        "page": page, "query": query, "can_submit": has_role(request.user, Role.LIAISON),
        "can_decide": has_role(request.user, Role.COMPETITIONS_OFFICER),
        "statuses": InnovationProject.Status.choices, "crumbs": [(_("Innovation projects"), None)],
    })


@role_required(Role.LIAISON)
def project_new(request):
    organization = get_object_or_404(organizations_for(request.user), pk=request.user.organization_id)
    picker = Picker(workers_for(request.user), url=request.path)
    if (answer := picker.answer(request)) is not None:
        return answer
    form = ProjectForm(request.POST or None, request.FILES or None, picker=picker)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_to(form):
            services.project_submit(title=data["title"], competition=data["competition"], organization=organization,
                                    team=list(data["team"]), summary=data["summary"],
                                    attachments=data["attachments"], user=request.user)
            messages.success(request, _("Project submitted."))
            return redirect("competitions:project_list")
    return render(request, "competitions/project_new.html", {
        "form": form, "crumbs": [(_("Innovation projects"), reverse("competitions:project_list")),
                                 (_("New project"), None)],
    })


@require_POST
@role_required(*OFFICER)
def project_decide(request, pk):
    project = get_object_or_404(InnovationProject, pk=pk)
    form = ProjectDecisionForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("competitions:project_list")
    with refusal_to(request):
        project = services.project_transition(project=project, to=form.cleaned_data["to"],
                                              award=form.cleaned_data["award"], user=request.user)
        messages.success(request, _("“%(title)s” is now: %(status)s.")
                         % {"title": project.title, "status": project.get_status_display()})
    return redirect("competitions:project_list")


@role_required(Role.LIAISON, *STAFF_ROLES)
def attachment_download(request, pk):
    attachment = get_object_or_404(ProjectAttachment.objects.filter(project__in=_projects_for(request.user)), pk=pk)
    return serve_stored_file(attachment.file, filename=attachment.file.name.rsplit("/", 1)[-1],
                             content_type=attachment.content_type, inline=True)



"""Every write of the competitions dimension that does more than save one form."""

import json
import math
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhangwan.accounts.notifications import notify_workers
from zhangwan.errors import ServiceError
from zhangwan.history import (
    bulk_create_with_history,
    bulk_update_with_history,
    record_history,
    save_with_history,
    stamp,
)
from zhangwan.registry.models import WorkerTrade
from zhangwan.transitions import Transitions

from .models import (
    TIER_ORDER,
    AwardRule,
    Competition,
    Entry,
    Event,
    InnovationProject,
    JudgeAssignment,
    Mark,
    Result,
    ScoreSheet,
    Tier,
)

PLACES = Decimal("0.001")


class CompetitionError(ServiceError):
    """A rule said no; the message is for the user."""


ENTRY_STATUS = Transitions(Entry, {
    Entry.Status.ENTERED: {Entry.Status.WITHDRAWN, Entry.Status.DISQUALIFIED},
    Entry.Status.WITHDRAWN: set(),
    Entry.Status.DISQUALIFIED: set(),
}, error=CompetitionError)
_P = InnovationProject.Status
PROJECT_STATUS = Transitions(InnovationProject, {
    _P.SUBMITTED: {_P.SHORTLISTED, _P.REJECTED},
    _P.SHORTLISTED: {_P.AWARDED, _P.REJECTED},
    _P.AWARDED: set(),
    _P.REJECTED: set(),
}, error=CompetitionError, message=gettext_lazy("A project that is “%(current)s” cannot become “%(target)s”."))


# Entries ------------------------------------------------------------------------------------

def _check_entry(event: Event, workers, organization, now):
    competition = event.competition
    if competition.external:
        raise CompetitionError(_("Results of this competition are recorded by the union; it takes no entries here."))
    if not competition.registration_is_open(now):
        raise CompetitionError(_("Entries for this competition are not open now."))
    for worker in workers:
        if worker.employer_id != organization.pk:
            raise CompetitionError(_("%(name)s does not work for %(organization)s.")
                                   % {"name": worker.name, "organization": organization})
    practising = set(WorkerTrade.objects.filter(worker__in=workers, trade=event.trade).values_list("worker", flat=True))
    for worker in workers:
        if worker.pk not in practising:
            raise CompetitionError(_("%(name)s does not practise %(trade)s, the trade of this event.")
                                   % {"name": worker.name, "trade": event.trade})


@transaction.atomic
def entry_create(*, event: Event, organization, user, worker=None, team_name: str = "", members=()) -> Entry:
    event = Event.objects.select_for_update().select_related("competition", "trade").get(pk=event.pk)
    members = list(members)
    if event.team:
        if not team_name.strip() or not members:
            raise CompetitionError(_("A team entry needs a team name and its members."))
        if len(members) > event.max_team_size:
            raise CompetitionError(_("A team has at most %(size)d members.") % {"size": event.max_team_size})
        workers = members
    else:
        if worker is None:
            raise CompetitionError(_("Choose the worker to enter."))
        workers = [worker]
    _check_entry(event, workers, organization, timezone.now())
    taken = Entry.objects.filter(event=event).exclude(status=Entry.Status.WITHDRAWN)
    if taken.filter(Q(worker__in=workers) | Q(members__in=workers)).exists():
        raise CompetitionError(_("Someone in this entry is already entered for this event."))
    bib = (Entry.objects.filter(event=event).aggregate(m=Max("bib"))["m"] or 0) + 1
    entry = Entry(event=event, worker=None if event.team else worker, team_name=team_name.strip(),
                  organization=organization, bib=bib, created_by=user)
    save_with_history(entry, user=user)
    if event.team:
        entry.members.set(members)
    return entry


@transaction.atomic
def entry_withdraw(*, entry: Entry, user) -> Entry:
    entry = Entry.objects.select_for_update().select_related("event__competition").get(pk=entry.pk)
    if entry.status != Entry.Status.ENTERED:
        raise CompetitionError(_("This entry is already withdrawn."))
    if entry.sheets.exists():
        raise CompetitionError(_("Judging has started; ask the competitions officer."))
    ENTRY_STATUS.move(entry, Entry.Status.WITHDRAWN, user=user, reason="entry.withdrawn")
    return entry


# Judging ------------------------------------------------------------------------------------

def judge_entries(judge):
    """The entries a judge may mark: their events' competing entries, except their own organization's."""
    entries = Entry.objects.competing().filter(event__judges__judge=judge, event__competition__external=False)
    if judge.organization_id:
        entries = entries.exclude(organization_id=judge.organization_id)
    return entries


def _sheet_for(entry, judge) -> ScoreSheet:
    sheet = ScoreSheet.objects.filter(entry=entry, judge=judge).first()
    if sheet is None:
        sheet = ScoreSheet(entry=entry, judge=judge)
        stamp(sheet, user=judge)
        try:
            with transaction.atomic():
                sheet.save()
        except IntegrityError:  # the same judge's other request created it a moment ago
            sheet = ScoreSheet.objects.get(entry=entry, judge=judge)
    return ScoreSheet.objects.select_for_update().get(pk=sheet.pk)


@transaction.atomic
def sheet_save(*, entry: Entry, judge, marks: dict, submit: bool) -> ScoreSheet:
    """Save a judge's marks for an entry (part id → Decimal); submitting locks them."""
    if not judge_entries(judge).filter(pk=entry.pk).exists():
        raise CompetitionError(_("You are not a judge of this entry."))
    if entry.event.competition.results_published:
        raise CompetitionError(_("The results are published; marks can no longer change."))
    sheet = _sheet_for(entry, judge)
    if sheet.locked:
        raise CompetitionError(_("You submitted these marks on %(date)s; they are locked. Ask the chief judge "
                                 "or the officer for a correction.")
                               % {"date": timezone.localtime(sheet.submitted_at).strftime("%Y-%m-%d %H:%M")})
    parts = {p.pk: p for p in entry.event.parts.all()}
    for part_id, value in marks.items():
        part = parts.get(part_id)
        if part is None:
            raise CompetitionError(_("Unknown scoring part."))
        if value is not None and not (0 <= value <= part.max_mark):
            raise CompetitionError(_("%(part)s: a mark between 0 and %(max)s.") % {"part": part.name,
                                                                                  "max": part.max_mark})
    existing = {m.part_id: m for m in sheet.marks.all()}
    given = {p for p, v in marks.items() if v is not None} | set(existing)
    if submit and set(parts) - given:
        raise CompetitionError(_("Give a mark for every part before submitting."))
    new, changed = [], []
    for part_id, value in marks.items():
        if value is None:
            continue
        mark = existing.get(part_id)
        if mark is None:
            new.append(Mark(sheet=sheet, part_id=part_id, value=value, max_mark=parts[part_id].max_mark))
        elif mark.value != value:
            mark.value = value
            changed.append(mark)
    history = {"user": judge, "reason": "mark.marked"}
    bulk_create_with_history(new, Mark, **history)
    bulk_update_with_history(changed, Mark, ["value"], **history)
    if submit:
        sheet.submitted_at = timezone.now()
        save_with_history(sheet, user=judge, reason="sheet.submitted", update_fields=["submitted_at"])
    return sheet


@transaction.atomic
def mark_correct(*, mark: Mark, value: Decimal, reason: str, user) -> Mark:
    """The officer's correction of a submitted mark, recorded with its reason."""
    mark = Mark.objects.select_for_update().select_related("part", "sheet__entry__event__competition").get(pk=mark.pk)
    if not reason.strip():
        raise CompetitionError(_("Give the reason for the correction."))
    if not (0 <= value <= mark.part.max_mark):
        raise CompetitionError(_("%(part)s: a mark between 0 and %(max)s.") % {"part": mark.part.name,
                                                                              "max": mark.part.max_mark})
    if mark.sheet.entry.event.competition.results_published:
        raise CompetitionError(_("The results are published; withdraw the publication first."))
    mark.value = value
    save_with_history(mark, user=user, reason="mark.corrected", detail=reason.strip(), update_fields=["value"])
    return mark


# Results ------------------------------------------------------------------------------------

def part_averages(event: Event) -> dict[int, dict[int, Decimal]]:
    """entry id → {part id → the judges' combined mark}, over submitted sheets of competing entries.

    One statement: window functions number each entry × part's marks both ways, so the highest and
    lowest can be dropped where there are the event's trim_from_judges or more, then the rest is averaged."""
    quote = connection.ops.quote_name
    sql = f"""
        WITH marks AS (
            SELECT s.entry_id, m.part_id, m.value,
                   COUNT(*) OVER w AS n,
                   ROW_NUMBER() OVER (w ORDER BY m.value, m.id) AS low,
                   ROW_NUMBER() OVER (w ORDER BY m.value DESC, m.id DESC) AS high
            FROM {quote(Mark._meta.db_table)} m
            JOIN {quote(ScoreSheet._meta.db_table)} s ON s.id = m.sheet_id
            JOIN {quote(Entry._meta.db_table)} e ON e.id = s.entry_id
            WHERE e.event_id = %s AND e.status = %s AND s.submitted_at IS NOT NULL
            WINDOW w AS (PARTITION BY s.entry_id, m.part_id)
        )
        SELECT entry_id, part_id, AVG(value) FROM marks
        WHERE NOT %s OR n < %s OR (low > 1 AND high > 1)
        GROUP BY entry_id, part_id"""
    trimmed = event.aggregation == Event.Aggregation.TRIMMED
    averages: dict[int, dict[int, Decimal]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, Entry.Status.ENTERED, trimmed, event.trim_from_judges])
        for entry_id, part_id, average in cursor.fetchall():
            averages.setdefault(entry_id, {})[part_id] = average
    return averages


def _final_score(scores: dict[int, Decimal], parts) -> Decimal | None:
    if set(scores) != {p.pk for p in parts}:
        return None  # not every part has been marked yet
    total = sum(p.weight * scores[p.pk] / p.max_mark for p in parts)
    return Decimal(total).quantize(PLACES, rounding=ROUND_HALF_UP)


def _sort_key(event, parts_by_code, entry, scores, final):
    key = [-final]
    for code in event.tie_breaks:
        if code == "time":
            key.append(entry.time_used.total_seconds() if entry.time_used else math.inf)
        elif code in parts_by_code:
            key.append(-scores.get(parts_by_code[code].pk, Decimal("0")))
    return tuple(key)


def _tier_sizes(event, rules, competitors: int) -> list[tuple[AwardRule, int]]:
    sizes = []
    for tier in TIER_ORDER:
        rule = rules.get(tier)
        if rule is None:
            continue
        if event.award_basis == Event.AwardBasis.PROPORTION:
            size = int((rule.quota * competitors / 100).to_integral_value(rounding=ROUND_HALF_UP))
        else:
            size = int(rule.quota)
        sizes.append((rule, size))
    return sizes


@transaction.atomic
def results_compute(*, event_id: int, user=None) -> int:
    """Final scores, ranks and awards of one event, from the submitted marks. A rerun on the same
    marks writes nothing; a rerun after a correction changes exactly what the correction changes.
    user: who asked for the computation, for the history."""
    event = Event.objects.select_for_update().select_related("competition").get(pk=event_id)
    if event.competition.external or event.competition.results_published:
        return 0  # recorded results are not computed; published ones no longer change
    parts = list(event.parts.all())
    parts_by_code = {p.code: p for p in parts}
    rules = {r.tier: r for r in event.award_rules.all()}
    averages = part_averages(event)
    entries = list(event.entries.competing().only("pk", "event_id", "time_used").order_by())
    scored = []
    for entry in entries:
        scores = averages.get(entry.pk, {})
        final = _final_score(scores, parts) if parts else None
        if final is not None:
            scored.append((_sort_key(event, parts_by_code, entry, scores, final), entry, scores, final))
    scored.sort(key=lambda item: item[0])
    outcome = {}
    tiers = _tier_sizes(event, rules, len(scored))
    previous_key, rank = None, 0
    for position, (key, entry, scores, final) in enumerate(scored, start=1):
        if key != previous_key:
            rank, previous_key = position, key
        outcome[entry.pk] = {"final_score": final, "rank": rank,
                             "part_scores": {str(p): str(v.quantize(PLACES)) for p, v in scores.items()}}
    _award(outcome, tiers, scored)
    for entry in entries:
        outcome.setdefault(entry.pk, {"final_score": None, "rank": None, "part_scores": {}})
        rule = rules.get(outcome[entry.pk].get("tier", ""))
        outcome[entry.pk].update({"tier": rule.tier if rule else "", "title": rule.title if rule else "",
                                  "upgrade": rule.upgrade if rule else ""})
    return _save_results(entries, outcome, user)


def _award(outcome, tiers, scored):
    """Tiers go down the ranking in order; entries tied with the last place of a tier join it."""
    ranked = [(outcome[e.pk]["rank"], e.pk) for _k, e, _s, _f in scored]
    start = 0
    for rule, size in tiers:
        if size <= 0 or start >= len(ranked):
            continue
        end = min(start + size, len(ranked))
        while end < len(ranked) and ranked[end][0] == ranked[end - 1][0]:
            end += 1
        for _rank, entry_id in ranked[start:end]:
            outcome[entry_id]["tier"] = rule.tier
        start = end


def _save_results(entries, outcome, user) -> int:
    """One upsert for the whole event: rows come in as arrays, new results are inserted, changed ones
    updated, unchanged ones left alone (so a rerun writes nothing); then one history statement each."""
    quote = connection.ops.quote_name
    table = quote(Result._meta.db_table)
    ids = [e.pk for e in entries]
    rows = [outcome[i] for i in ids]
    sql = f"""
        INSERT INTO {table} AS r (entry_id, final_score, rank, tier, title, upgrade, part_scores, computed_at,
                                  recorded)
        SELECT v.entry_id, v.final_score, v.rank, v.tier, v.title, v.upgrade, v.part_scores, %s, false
        FROM unnest(%s::bigint[], %s::numeric[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::jsonb[])
             AS v(entry_id, final_score, rank, tier, title, upgrade, part_scores)
        ON CONFLICT (entry_id) DO UPDATE SET
            final_score = EXCLUDED.final_score, rank = EXCLUDED.rank, tier = EXCLUDED.tier,
            title = EXCLUDED.title, upgrade = EXCLUDED.upgrade, part_scores = EXCLUDED.part_scores,
            computed_at = EXCLUDED.computed_at
        WHERE (r.final_score, r.rank, r.tier, r.title, r.upgrade, r.part_scores)
              IS DISTINCT FROM (EXCLUDED.final_score, EXCLUDED.rank, EXCLUDED.tier, EXCLUDED.title,
                                EXCLUDED.upgrade, EXCLUDED.part_scores)
        RETURNING r.id, (r.xmax = 0) AS inserted"""
    params = [timezone.now(), ids, [r["final_score"] for r in rows], [r["rank"] for r in rows],
              [r["tier"] for r in rows], [r["title"] for r in rows], [r["upgrade"] for r in rows],
              [json.dumps(r["part_scores"]) for r in rows]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    record_history(Result, [pk for pk, inserted in written if inserted], reason="result.computed", user=user,
                   history_type="+")
    record_history(Result, [pk for pk, inserted in written if not inserted], reason="result.computed", user=user,
                   history_type="~")
    return len(written)


@transaction.atomic
def results_publish(*, competition: Competition, user) -> Competition:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.results_published:
        raise CompetitionError(_("The results are already published."))
    if not competition.external and Entry.objects.competing().filter(event__competition=competition,
                                                                     result__isnull=True).exists():
        raise CompetitionError(_("Compute the results of every event before publishing."))
    competition.results_published = True
    save_with_history(competition, user=user, reason="competition.published", update_fields=["results_published"])
    _advance_winners(competition, user)
    _tell_entrants(competition)
    return competition


def _advance_winners(competition, user):
    """Entries for the next level's event of the same trade, once per winning entry: the next
    events locked (bibs are numbered under their lock), who is already entered there read once,
    the new entries and their team members written in bulk."""
    target = competition.advances_to
    if target is None:
        return
    events = {e.trade_id: e for e in target.events.all()}
    winners = (Entry.objects.filter(event__competition=competition, result__tier__in=Tier.values,
                                    advanced_entry__isnull=True, event__trade_id__in=list(events))
               .filter(event__award_rules__advances=True, event__award_rules__tier=F("result__tier"))
               .select_related("event").prefetch_related("members").order_by("pk"))
    winners = list(winners)
    if not winners:
        return
    next_ids = sorted({events[w.event.trade_id].pk for w in winners})
    list(Event.objects.select_for_update().filter(pk__in=next_ids).order_by("pk").values_list("pk", flat=True))
    entered = Entry.objects.filter(event_id__in=next_ids).exclude(status=Entry.Status.WITHDRAWN)
    taken = {pk: set() for pk in next_ids}
    for event_id, worker_id in entered.filter(worker__isnull=False).values_list("event_id", "worker_id"):
        taken[event_id].add(worker_id)
    for event_id, worker_id in entered.values_list("event_id", "members"):
        if worker_id:
            taken[event_id].add(worker_id)
    bibs = dict(Entry.objects.filter(event_id__in=next_ids).values("event").annotate(m=Max("bib"))
                .values_list("event", "m"))
    advanced, teams = [], []
    for entry in winners:
        next_event = events[entry.event.trade_id]
        members = [] if entry.worker_id else [m.pk for m in entry.members.all()]
        people = {entry.worker_id} if entry.worker_id else set(members)
        if people & taken[next_event.pk]:
            continue  # already entered there (nominated directly)
        taken[next_event.pk] |= people
        bibs[next_event.pk] = (bibs.get(next_event.pk) or 0) + 1
        advanced.append(Entry(event=next_event, worker_id=entry.worker_id, team_name=entry.team_name,
                              organization_id=entry.organization_id, bib=bibs[next_event.pk], source_entry=entry,
                              created_by=user))
        teams.append(members)
    bulk_create_with_history(advanced, Entry, user=user, reason="entry.advanced", detail=competition.name)
    Members = Entry.members.through
    Members.objects.bulk_create([Members(entry_id=new.pk, worker_id=member)
                                 for new, members in zip(advanced, teams, strict=True) for member in members])


def _tell_entrants(competition):
    entries = (Entry.objects.filter(event__competition=competition, worker__user__isnull=False)
               .select_related("worker__user", "result", "event"))

    def body(entry):
        result = getattr(entry, "result", None)
        award = result.get_tier_display() if result and result.tier else _("no award")
        return _("%(event)s: rank %(rank)s, %(award)s.") % {
            "event": entry.event.name, "rank": result.rank if result and result.rank else "—", "award": award}

    notify_workers(entries, title=lambda entry: _("Results published: %(name)s") % {"name": competition.name},
                   body=body, url=reverse("competitions:my_entries"))


def judges_assign(*, event: Event, judges, user) -> int:
    existing = set(JudgeAssignment.objects.filter(event=event).values_list("judge_id", flat=True))
    new = [JudgeAssignment(event=event, judge=j) for j in judges if j.pk not in existing]
    bulk_create_with_history(new, JudgeAssignment, user=user)
    return len(new)


@transaction.atomic
def results_record(*, event: Event, rows: list[dict], user) -> int:
    """Results of a competition held elsewhere: rows of {worker, rank, tier, title}. An entry per
    worker (created once), its result replaced by the new values."""
    event = Event.objects.select_for_update().select_related("competition").get(pk=event.pk)
    if not event.competition.external:
        raise CompetitionError(_("Results of district competitions come from the judges' marks."))
    latest = {row["worker"].pk: row for row in rows}  # a worker listed twice: the last row counts
    entries = {e.worker_id: e for e in Entry.objects.filter(event=event, worker__isnull=False)}
    bib = (Entry.objects.filter(event=event).aggregate(m=Max("bib"))["m"] or 0)
    history = {"user": user, "reason": "result.recorded"}
    new_entries = []
    for worker_id, row in latest.items():
        if worker_id not in entries:
            bib += 1
            entries[worker_id] = Entry(event=event, worker=row["worker"], organization=row["worker"].employer,
                                       bib=bib, created_by=user)
            new_entries.append(entries[worker_id])
    bulk_create_with_history(new_entries, Entry, **history)
    results = {r.entry_id: r for r in Result.objects.filter(entry__event=event)}
    now = timezone.now()
    created, updated = [], []
    for worker_id, row in latest.items():
        entry = entries[worker_id]
        result = results.get(entry.pk) or Result(entry=entry)
        (updated if result.pk else created).append(result)
        result.rank, result.tier, result.title = row.get("rank"), row.get("tier") or "", row.get("title") or ""
        result.recorded, result.computed_at = True, now
    bulk_create_with_history(created, Result, **history)
    bulk_update_with_history(updated, Result, ["rank", "tier", "title", "recorded", "computed_at"], **history)
    return len(rows)


def _check_takes_projects(competition: Competition):
    if Competition.objects.filter(Competition.taking_projects(), pk=competition.pk).exists():
        return
    name = {"name": competition.name}
    if competition.kind != Competition.Kind.INNOVATION:
        raise CompetitionError(_("“%(name)s” is not an innovation competition; it takes no projects.") % name)
    if competition.results_published or competition.ends_on < timezone.localdate():
        raise CompetitionError(_("“%(name)s” has finished; it takes no more projects.") % name)
    if competition.registration_opens and competition.registration_closes:
        raise CompetitionError(_("“%(name)s” takes projects from %(opens)s to %(closes)s, not now.") % {
            **name, "opens": f"{timezone.localtime(competition.registration_opens):%Y-%m-%d %H:%M}",
            "closes": f"{timezone.localtime(competition.registration_closes):%Y-%m-%d %H:%M}"})
    raise CompetitionError(_("“%(name)s” takes no projects now.") % name)


@transaction.atomic
def project_submit(*, title: str, competition, organization, team, summary: str, attachments, user):
    from .models import InnovationProject, ProjectAttachment

    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    _check_takes_projects(competition)
    foreign = [w for w in team if w.employer_id != organization.pk]
    if foreign:
        raise CompetitionError(_("%(name)s does not work for %(organization)s.")
                               % {"name": foreign[0].name, "organization": organization})
    project = InnovationProject(title=title, competition=competition, organization=organization, summary=summary)
    save_with_history(project, user=user)
    project.team.set(team)
    for upload in attachments:
        ProjectAttachment.objects.create(project=project, file=upload, content_type=upload.sniffed_type,
                                         size=upload.size)
    return project


@transaction.atomic
def project_transition(*, project, to: str, award: str = "", user):
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    if award:
        project.award = award
    PROJECT_STATUS.move(project, to, user=user, update_fields=["award"])
    return project

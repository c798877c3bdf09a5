"""Every write of the competitions dimension that does more than save one form."""

import json
import math
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhangwan.accounts.notifications import tell_each, tell_workers
from zhangwan.api import webhooks
from zhangwan.errors import ServiceError
from zhangwan.history import (
    bulk_create_with_history,
    bulk_update_with_history,
    delete_with_history,
    record_history,
    save_with_history,
    stamp,
)
from zhangwan.prepared import Prepared
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
    ScoringPart,
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
        raise CompetitionError(competition.entries_closed_note(now))
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
    """The entries a judge may mark: their events' competing entries, except their own organization's. One
    statement for every judge (a judge of no organization excludes organization 0, which no row has), so that
    the judges' pages can prepare it (zhangwan/prepared.py)."""
    return judge_entries_of(**judge_keys(judge))


def judge_keys(judge) -> dict[str, int]:
    """The judge and their organization as ``judge_entries_of`` takes them (0: no organization)."""
    return {"judge_id": judge.pk, "organization_id": judge.organization_id or 0}


def judge_entries_of(judge_id: int, organization_id: int):
    return (Entry.objects.competing().filter(event__judges__judge=judge_id, event__competition__external=False)
            .exclude(organization_id=organization_id))


# The entry a judge may mark, with its event and competition: a judge's sheet and sheet_save.
MARKABLE = Prepared(lambda pk, judge_id, organization_id: judge_entries_of(judge_id, organization_id)
                    .select_related("event__competition").filter(pk=pk), "pk", "judge_id", "organization_id")


# An event's scoring parts and a sheet's marks (the judge's sheet page, and saving it), and the judge's sheet of
# an entry locked: prepared statements (zhangwan.prepared).
PARTS = Prepared(lambda event_id: ScoringPart.objects.filter(event=event_id), "event_id")
MARKS = Prepared(lambda sheet_id: Mark.objects.filter(sheet=sheet_id), "sheet_id")
LOCKED_SHEET = Prepared(lambda entry_id, judge_id: ScoreSheet.objects.select_for_update()
                        .filter(entry=entry_id, judge=judge_id), "entry_id", "judge_id")


def _sheet_for(entry, judge) -> ScoreSheet:
    """The judge's sheet of the entry, locked; made if there is none yet."""
    sheet = LOCKED_SHEET.first(entry_id=entry.pk, judge_id=judge.pk)  # (one at most: unique entry and judge)
    if sheet is not None:
        return sheet
    sheet = ScoreSheet(entry=entry, judge=judge)
    stamp(sheet, user=judge)
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:  # the same judge's other request created it a moment ago
        sheet = ScoreSheet.objects.get(entry=entry, judge=judge)
    return ScoreSheet.objects.select_for_update().get(pk=sheet.pk)


def marking_refusal(event: Event, now=None) -> str:
    """Why judges cannot mark this event now ("" when they can): not before entries close, not
    before the competition's first day (or the event's marking window), not after the window's last
    day or the results' publication."""
    now = now or timezone.now()
    competition = event.competition
    if competition.results_published:
        return _("The results are published; marks can no longer change.")
    opens, closes = event.marking_window
    if competition.registration_closes and now < competition.registration_closes:
        return _("Entries are open until %(closes)s; marking opens on %(opens)s, once entries have closed.") % {
            "closes": f"{timezone.localtime(competition.registration_closes):%Y-%m-%d %H:%M}", "opens": opens}
    today = timezone.localdate(now)
    if today < opens:
        return _("Marking opens on %(opens)s.") % {"opens": opens}
    if closes and today > closes:
        return _("Marking closed on %(closes)s.") % {"closes": closes}
    return ""


@transaction.atomic
def sheet_save(*, entry: Entry, judge, marks: dict, submit: bool) -> ScoreSheet:
    """Save a judge's marks for an entry (part id → Decimal); submitting locks them. Only inside
    the event's marking window (marking_refusal)."""
    markable = MARKABLE.first(pk=entry.pk, **judge_keys(judge))
    if markable is None:
        raise CompetitionError(_("You are not a judge of this entry."))
    event = markable.event
    if refusal := marking_refusal(event):
        raise CompetitionError(refusal)
    sheet = _sheet_for(entry, judge)
    if sheet.locked:
        raise CompetitionError(_("You submitted these marks on %(date)s; they are locked. Ask the chief judge "
                                 "or the officer for a correction.")
                               % {"date": timezone.localtime(sheet.submitted_at).strftime("%Y-%m-%d %H:%M")})
    parts = {p.pk: p for p in PARTS.list(event_id=event.pk)}
    for part_id, value in marks.items():
        part = parts.get(part_id)
        if part is None:
            raise CompetitionError(_("Unknown scoring part."))
        if value is not None and not (0 <= value <= part.max_mark):
            raise CompetitionError(_("%(part)s: a mark between 0 and %(max)s.") % {"part": part.name,
                                                                                  "max": part.max_mark})
    existing = {m.part_id: m for m in MARKS.list(sheet_id=sheet.pk)}
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
    counted = submitted_sheets(event)
    if not counted:
        return 0  # results come from submitted score sheets only: with none, nothing is written
    panel = list(event.judges.values_list("judge__organization_id", flat=True))
    parts = list(event.parts.all())
    parts_by_code = {p.code: p for p in parts}
    rules = {r.tier: r for r in event.award_rules.all()}
    averages = part_averages(event)
    entries = list(event.entries.competing().only("pk", "event_id", "time_used", "organization_id").order_by())
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
                                  "upgrade": rule.upgrade if rule else "", "sheets_counted": counted.get(entry.pk, 0),
                                  "sheets_expected": sum(1 for org in panel if org != entry.organization_id)})
    return _save_results(entries, outcome, user)


def results_computable(competition: Competition) -> list[Event]:
    """Refuses computing a competition none of whose events has a submitted score sheet; returns
    the events with entries but no submitted sheet (their results are not computed)."""
    if competition.results_published:
        raise CompetitionError(_("The results are published; withdraw them before computing again."))
    events = list(competition.events.annotate(
        n_competing=Count("entries", filter=Q(entries__status=Entry.Status.ENTERED), distinct=True),
        n_submitted=Count("entries__sheets", filter=Q(entries__status=Entry.Status.ENTERED,
                                                      entries__sheets__submitted_at__isnull=False), distinct=True),
    ).order_by("name"))
    if not any(e.n_submitted for e in events):
        raise CompetitionError(_("No judge has submitted a score sheet yet; results come from submitted sheets only."))
    return [e for e in events if e.n_competing and not e.n_submitted]


def submitted_sheets(event: Event) -> dict[int, int]:
    """entry id → its submitted score sheets, for the event's competing entries."""
    return dict(ScoreSheet.objects.filter(entry__event=event, entry__status=Entry.Status.ENTERED,
                                          submitted_at__isnull=False)
                .values("entry").annotate(n=Count("pk")).values_list("entry", "n"))


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
        INSERT INTO {table} AS r (entry_id, final_score, rank, tier, title, upgrade, part_scores, sheets_counted,
                                  sheets_expected, computed_at, recorded)
        SELECT v.entry_id, v.final_score, v.rank, v.tier, v.title, v.upgrade, v.part_scores, v.sheets_counted,
               v.sheets_expected, %s, false
        FROM unnest(%s::bigint[], %s::numeric[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::jsonb[],
                    %s::integer[], %s::integer[])
             AS v(entry_id, final_score, rank, tier, title, upgrade, part_scores, sheets_counted, sheets_expected)
        ON CONFLICT (entry_id) DO UPDATE SET
            final_score = EXCLUDED.final_score, rank = EXCLUDED.rank, tier = EXCLUDED.tier,
            title = EXCLUDED.title, upgrade = EXCLUDED.upgrade, part_scores = EXCLUDED.part_scores,
            sheets_counted = EXCLUDED.sheets_counted, sheets_expected = EXCLUDED.sheets_expected,
            computed_at = EXCLUDED.computed_at
        WHERE (r.final_score, r.rank, r.tier, r.title, r.upgrade, r.part_scores, r.sheets_counted, r.sheets_expected)
              IS DISTINCT FROM (EXCLUDED.final_score, EXCLUDED.rank, EXCLUDED.tier, EXCLUDED.title,
                                EXCLUDED.upgrade, EXCLUDED.part_scores, EXCLUDED.sheets_counted,
                                EXCLUDED.sheets_expected)
        RETURNING r.id, (r.xmax = 0) AS inserted"""
    params = [timezone.now(), ids, [r["final_score"] for r in rows], [r["rank"] for r in rows],
              [r["tier"] for r in rows], [r["title"] for r in rows], [r["upgrade"] for r in rows],
              [json.dumps(r["part_scores"]) for r in rows], [r["sheets_counted"] for r in rows],
              [r["sheets_expected"] for r in rows]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    record_history(Result, [pk for pk, inserted in written if inserted], reason="result.computed", user=user,
                   history_type="+")
    record_history(Result, [pk for pk, inserted in written if not inserted], reason="result.computed", user=user,
                   history_type="~")
    return len(written)


def publish_check(competition: Competition) -> tuple[list[str], list[Result]]:
    """What stands in the way of publishing: blockers, which must be cleared, and the results of
    entries short of score sheets (counted fewer than their judges owe), which the officer may
    publish with a reason."""
    if competition.results_published:
        return [_("The results are already published.")], []
    if competition.external:
        return [], []
    competing = Q(entries__status=Entry.Status.ENTERED)
    events = competition.events.annotate(
        n_competing=Count("entries", filter=competing, distinct=True),
        n_scored=Count("entries", filter=competing & Q(entries__result__final_score__isnull=False), distinct=True),
        n_missing=Count("entries", filter=competing & Q(entries__result__isnull=True), distinct=True),
    ).order_by("name")
    blockers = []
    for event in events:
        if not event.n_competing:
            continue
        if not event.n_scored:
            blockers.append(_("%(event)s has no results from submitted score sheets: the judges submit their sheets, "
                              "then compute the results.") % {"event": event.name})
        elif event.n_missing:
            blockers.append(_("Compute the results of %(event)s before publishing.") % {"event": event.name})
    if not blockers and not any(e.n_competing for e in events):
        blockers.append(_("No event of this competition has entries; there are no results to publish."))
    live = (ScoreSheet.objects.filter(entry=OuterRef("entry"), submitted_at__isnull=False)
            .values("entry").annotate(n=Count("pk")).values("n"))
    stale = (Result.objects.filter(entry__event__competition=competition, entry__status=Entry.Status.ENTERED)
             .annotate(live=Coalesce(Subquery(live), 0)).exclude(live=F("sheets_counted"))
             .values_list("entry__event__name", flat=True).distinct())
    blockers += [_("Score sheets of %(event)s were submitted after its results were computed; compute them again.")
                 % {"event": name} for name in sorted(stale)]
    short = list(Result.objects.filter(entry__event__competition=competition, entry__status=Entry.Status.ENTERED,
                                       sheets_counted__lt=F("sheets_expected"))
                 .select_related("entry__event").order_by("entry__event__name", "entry__bib"))
    return blockers, short


def sheets_shortfall_text(short: list[Result]) -> str:
    """“焊工 bib 3: 2 of 5 sheets; …”, the first few of the entries short of score sheets."""
    shown = "; ".join(_("%(event)s bib %(bib)s: %(counted)s of %(expected)s sheets") % {
        "event": r.entry.event.name, "bib": r.entry.bib, "counted": r.sheets_counted, "expected": r.sheets_expected}
        for r in short[:5])
    return shown + ("; …" if len(short) > 5 else "")


@transaction.atomic
def results_publish(*, competition: Competition, user, reason: str = "") -> Competition:
    """Publish, tell the entrants and advance the winners. Refused while an event has no results
    from submitted sheets or stale ones; while an entry is short of score sheets, only with the
    officer's reason, kept in the competition's history."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    blockers, short = publish_check(competition)
    if blockers:
        raise CompetitionError(blockers[0])
    reason = reason.strip()
    if short and not reason:
        raise CompetitionError(ngettext(
            "%(count)d entry lacks score sheets (%(entries)s); give the reason for publishing without them.",
            "%(count)d entries lack score sheets (%(entries)s); give the reason for publishing without them.",
            len(short)) % {"count": len(short), "entries": sheets_shortfall_text(short)})
    competition.results_published = True
    key = "competition.published_short" if short else "competition.published"
    save_with_history(competition, user=user, reason=key, detail=reason if short else "",
                      update_fields=["results_published"])
    _advance_winners(competition, user)
    _tell_entrants(competition)
    results = (Result.objects.filter(entry__event__competition=competition)
               .select_related("entry__event__competition", "entry__worker").order_by("pk"))
    webhooks.emit_each("result.published", results, lambda r: r.entry.organization_id)
    return competition


# Withdrawing and correcting published results ------------------------------------------------

def _advancing(result: Result | None) -> bool:
    """Whether a result's tier sends its entry to the next level (the tier's award rule says so)."""
    if result is None or not result.tier:
        return False
    return AwardRule.objects.filter(event_id=result.entry.event_id, tier=result.tier, advances=True).exists()


def _undo_advancement(entries, user, detail: str):
    """Take back the entries that advanced from these: deleted with history while nobody has marked
    them; once judging has started there, refused (the next level's officer decides)."""
    advanced = list(Entry.objects.select_for_update().filter(source_entry__in=entries, status=Entry.Status.ENTERED)
                    .select_related("event__competition"))
    judged = [e for e in advanced if e.sheets.exists() or e.event.competition.results_published]
    if judged:
        raise CompetitionError(_("Bib %(bib)d already competes in %(competition)s and has been marked there; its "
                                 "officer must withdraw that entry first.")
                               % {"bib": judged[0].bib, "competition": judged[0].event.competition})
    for entry in advanced:
        entry.members.clear()
        delete_with_history(entry, user=user, reason="entry.advancement_undone", detail=detail)
    return advanced


def _undo_certification(results, user, detail: str) -> int:
    """Take back what these results gave through the competition route: a certificate issued on them
    is revoked (and unlinked, so a corrected result can earn one again); a right to apply one level
    up is deleted, with history."""
    from certification.models import Certificate, EligibilityGrant
    from certification.services import certificate_revoke

    undone = 0
    certificates = Certificate.objects.filter(competition_result__in=results).select_related("competition_result")
    for certificate in certificates:
        if certificate.is_valid:
            certificate_revoke(certificate=certificate, reason=detail, user=user)
            certificate.refresh_from_db()
        certificate.competition_result = None
        save_with_history(certificate, user=user, reason="certificate.competition_undone", detail=detail[:60],
                          update_fields=["competition_result"])
        undone += 1
    for grant in EligibilityGrant.objects.filter(competition_result__in=results):
        delete_with_history(grant, user=user, reason="grant.competition_undone", detail=detail[:60])
        undone += 1
    return undone


def _entrants(entries):
    """(entry, worker) for every worker behind these entries who has an account: the entrant or the
    team's members."""
    pairs = []
    for entry in entries:
        people = [entry.worker] if entry.worker_id else list(entry.members.all())
        pairs += [(entry, w) for w in people if w.user_id is not None]
    return pairs


def _notify_entrants(entries, key, params):
    """Tell the entrants the notice `key`; params is a function of the entry."""
    tell_each((worker.user, key, params(entry), reverse("competitions:my_entries"))
              for entry, worker in _entrants(entries))


@transaction.atomic
def results_withdraw(*, competition: Competition, reason: str, user) -> Competition:
    """Published results back to unpublished, with the reason in the competition's history. What
    publication gave follows: entries advanced to the next level are taken back (unless marked
    there), certificates and rights earned through the competition route are revoked, and the
    entrants are told. Marks may then be corrected and the results computed and published again."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    reason = reason.strip()
    if not competition.results_published:
        raise CompetitionError(_("The results are not published; there is nothing to withdraw."))
    if not reason:
        raise CompetitionError(_("Give the reason for withdrawing the results."))
    entries = list(Entry.objects.filter(event__competition=competition).select_related("event", "worker")
                   .prefetch_related("members"))
    _undo_advancement(entries, user, competition.name)
    _undo_certification(Result.objects.filter(entry__in=entries),
                        user, _("Results of %(name)s withdrawn: %(reason)s") % {"name": competition.name,
                                                                               "reason": reason})
    competition.results_published = False
    save_with_history(competition, user=user, reason="competition.withdrawn", detail=reason,
                      update_fields=["results_published"])
    _notify_entrants(entries, "results.withdrawn",
                     lambda e: {"name": competition.name, "event": e.event.name, "reason": reason})
    return competition


@transaction.atomic
def result_correct(*, result: Result, rank, tier: str, title: str, reason: str, user) -> Result:
    """The officer's correction of one published result (rank, award, title), with its reason in the
    result's history. The award's certification upgrade comes from the event's award rule; what the
    old award gave and the new one does not is taken back (advancement, certificate or right), what
    the new one gives follows (advancement now, certification at the next competition-route run),
    and the entrant is told."""
    result = (Result.objects.select_for_update(of=("self",)).select_related("entry__event__competition")
              .get(pk=result.pk))
    entry, competition = result.entry, result.entry.event.competition
    reason = reason.strip()
    if not competition.results_published:
        raise CompetitionError(_("These results are not published; correct the marks and compute them again."))
    if not reason:
        raise CompetitionError(_("Give the reason for the correction."))
    if tier and tier not in Tier.values:
        raise CompetitionError(_("Unknown award."))
    if rank is not None and rank < 1:
        raise CompetitionError(_("A rank is 1 or more."))
    rule = AwardRule.objects.filter(event_id=entry.event_id, tier=tier).first() if tier else None
    upgrade = rule.upgrade if rule else ""
    title = title.strip() or (rule.title if rule else "")
    before = (result.rank, result.tier, result.title, result.upgrade)
    if before == (rank, tier, title, upgrade):
        raise CompetitionError(_("Nothing changes: this is the result as published."))
    was_advancing, old_upgrade = _advancing(result), result.upgrade
    result.rank, result.tier, result.title, result.upgrade = rank, tier, title, upgrade
    save_with_history(result, user=user, reason="result.corrected", detail=reason,
                      update_fields=["rank", "tier", "title", "upgrade"])
    webhooks.emit("result.corrected", result, organization=entry.organization_id)
    if was_advancing and not _advancing(result):
        _undo_advancement([entry], user, competition.name)
    if old_upgrade != upgrade:
        _undo_certification([result], user, _("Result corrected: %(reason)s") % {"reason": reason})
    if _advancing(result):
        _advance_winners(competition, user)
    award = Tier(result.tier).label if result.tier else gettext_lazy("no award")
    _notify_entrants([entry], "result.corrected", lambda e: {
        "name": competition.name, "event": e.event.name, "rank": result.rank or "—", "award": award, "reason": reason})
    return result


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

    def params(entry):
        result = getattr(entry, "result", None)
        award = Tier(result.tier).label if result and result.tier else gettext_lazy("no award")
        return {"name": competition.name, "event": entry.event.name,
                "rank": result.rank if result and result.rank else "—", "award": award}

    tell_workers(entries, "results.published", params=params, url=reverse("competitions:my_entries"))


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

"""Competition results: results_compute on one big event, beside one hand-written SQL query.

    .venv/bin/python bench/results.py [--entries 5000] [--repeat 5] [--profile] [--keep-db]

Needs PostgreSQL (the server in $DATABASE_URL, as `make bench` sets it). Creates its own database
``zhangwan_bench_results``, migrates it, and drops it at the end, also on failure. No gunicorn:
everything runs in this process.

Seeds one individual event with ENTRIES entries (workers of one organization), 7 judges and 3
scoring parts (theory 20 % of 100, process 30 % of 100, practical 50 % of 50), aggregation
"trimmed" (with 7 judges the highest and lowest mark of each part are dropped), every score
sheet submitted: ENTRIES × 7 sheets and ENTRIES × 21 marks, in half-mark steps so that ties occur.
Award rules by count (first 5, second 10, third 15, excellence 10 % of the entries), tie-breaks
["practical", "time"], and a time used on every entry.

Then REPEAT times, one after the other:

    fresh   competitions.services.results_compute(event_id=…) on an empty results table (the
            Result rows and their history are deleted and vacuumed before each run)
    rerun   the same call again on unchanged marks: it must write nothing
    sql     one hand-written query (window functions) computing every entry's final score

Checks that the final scores stored by results_compute equal the query's for every entry (0
mismatches), prints min and median of each, the ratio fresh / sql (target ≤ 3×), and where the
time of results_compute goes (part_averages, Python ranking, bulk writes with history; cProfile
with --profile or when the target is missed). Exit status 1 if a check or the target failed.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402

DB_NAME = "zhangwan_bench_results"
RATIO_TARGET = 3.0
JUDGES = 7
# code, name, weight (%), maximum mark; the heaviest part breaks ties first.
PARTS = [("theory", "理论知识", Decimal("20"), Decimal("100")),
         ("process", "工艺流程", Decimal("30"), Decimal("100")),
         ("practical", "实际操作", Decimal("50"), Decimal("50"))]
TIE_BREAKS = ["practical", "time"]
PLACES = Decimal("0.001")
BATCH = 5000

# Every entry's final score in one statement: the trimmed mean of each entry × part (the highest
# and lowest mark dropped once a part has the event's trim_from_judges marks or more, like
# services.part_averages), then
# Σ weight × mean / maximum, rounded to 3 places (numeric ROUND: half away from zero, as
# ROUND_HALF_UP on these non-negative scores). Entries missing a part get no score, like
# _final_score. Same rows as part_averages: submitted sheets of competing entries.
FINAL_SCORES_SQL = """
WITH marks AS (
    SELECT s.entry_id, m.part_id, m.value,
           COUNT(*) OVER w AS n,
           ROW_NUMBER() OVER (w ORDER BY m.value ASC, m.id ASC) AS low,
           ROW_NUMBER() OVER (w ORDER BY m.value DESC, m.id DESC) AS high
    FROM competitions_mark m
    JOIN competitions_scoresheet s ON s.id = m.sheet_id
    JOIN competitions_entry e ON e.id = s.entry_id
    WHERE e.event_id = %(event)s AND e.status = 'entered' AND s.submitted_at IS NOT NULL
    WINDOW w AS (PARTITION BY s.entry_id, m.part_id)
), means AS (
    SELECT entry_id, part_id, AVG(value) AS mean
    FROM marks
    WHERE n < %(trim_from)s OR (low > 1 AND high > 1)
    GROUP BY entry_id, part_id
)
SELECT means.entry_id, ROUND(SUM(p.weight * means.mean / p.max_mark), 3) AS final_score
FROM means
JOIN competitions_scoringpart p ON p.id = means.part_id
GROUP BY means.entry_id
HAVING COUNT(*) = (SELECT COUNT(*) FROM competitions_scoringpart WHERE event_id = %(event)s)
"""


# --- database ---------------------------------------------------------------------------------

# --- seed -------------------------------------------------------------------------------------

def seed(entries: int):
    from django.utils import timezone

    from competitions.models import (
        AwardRule,
        Competition,
        Entry,
        Event,
        JudgeAssignment,
        Mark,
        ScoreSheet,
        ScoringPart,
        Tier,
    )
    from zhangwan.accounts.models import User
    from zhangwan.registry.models import Organization, Trade, Worker
    from zhangwan.registry.validators import credit_code_check_char

    rng = random.Random(20251125)
    code = "91420303BENCH0000"
    org = Organization.objects.create(name="压测参赛单位", credit_code=code + credit_code_check_char(code),
                                      kind=Organization.Kind.ENTERPRISE)
    workers = Worker.objects.bulk_create(
        [Worker(name=f"选手{n:05d}", id_number=number, birth_date=born, gender="M" if int(number[16]) % 2 else "F",
                mobile=f"166{n:08d}", employer=org) for n, (born, number) in enumerate(harness.id_numbers(entries))],
        batch_size=BATCH)
    competition = Competition.objects.create(name="压测职业技能大赛", year=2025, level=Competition.Level.DISTRICT,
                                             starts_on=datetime.date(2025, 10, 1), ends_on=datetime.date(2025, 10, 3))
    event = Event.objects.create(competition=competition, name="压测赛项", trade=Trade.objects.order_by("code").first(),
                                 aggregation=Event.Aggregation.TRIMMED, award_basis=Event.AwardBasis.COUNT,
                                 tie_breaks=TIE_BREAKS)
    parts = ScoringPart.objects.bulk_create(
        [ScoringPart(event=event, code=c, name=name, weight=w, max_mark=m, order=i)
         for i, (c, name, w, m) in enumerate(PARTS)])
    quotas = {Tier.FIRST.value: 5, Tier.SECOND.value: 10, Tier.THIRD.value: 15,
              Tier.EXCELLENCE.value: round(entries * 0.10)}  # by count; excellence: 10 % of the entries
    AwardRule.objects.bulk_create([AwardRule(event=event, tier=tier, quota=Decimal(q), title=f"压测{tier}")
                                   for tier, q in quotas.items()])
    judges = User.objects.bulk_create([User(username=f"bench-judge-{n}", full_name=f"裁判{n}") for n in range(JUDGES)])
    JudgeAssignment.objects.bulk_create([JudgeAssignment(event=event, judge=j, chief=n == 0)
                                         for n, j in enumerate(judges)])
    rows = Entry.objects.bulk_create(
        [Entry(event=event, worker=w, organization=org, bib=n + 1,
               time_used=datetime.timedelta(seconds=rng.randint(40 * 60, 120 * 60)))
         for n, w in enumerate(workers)], batch_size=BATCH)
    submitted = timezone.now()
    sheets = ScoreSheet.objects.bulk_create([ScoreSheet(entry=e, judge=j, submitted_at=submitted)
                                             for e in rows for j in judges], batch_size=BATCH)
    # Each entry has an ability; each judge marks around it, in half-mark steps.
    ability = {e.pk: rng.uniform(0.45, 0.95) for e in rows}
    marks = []
    for sheet in sheets:
        for part in parts:
            level = min(1.0, max(0.0, ability[sheet.entry_id] + rng.gauss(0, 0.05)))
            value = Decimal(round(float(part.max_mark) * level * 2)) / 2
            marks.append(Mark(sheet=sheet, part=part, value=value, max_mark=part.max_mark))
    Mark.objects.bulk_create(marks, batch_size=BATCH)
    harness.vacuum("competitions_entry", "competitions_scoresheet", "competitions_mark", "competitions_scoringpart")
    return event, quotas, len(rows), len(sheets), len(marks)


# --- measurements -----------------------------------------------------------------------------

def clear_results(event):
    from django.db import connection

    from competitions.models import Result

    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Result.history.model._meta.db_table}")
        cur.execute(f"DELETE FROM {Result._meta.db_table}")
    harness.vacuum(Result._meta.db_table, Result.history.model._meta.db_table)


def sql_final_scores(event_id):
    from django.db import connection

    from competitions.models import Event

    trim_from = Event.objects.values_list("trim_from_judges", flat=True).get(pk=event_id)
    with connection.cursor() as cur:
        cur.execute(FINAL_SCORES_SQL, {"event": event_id, "trim_from": trim_from})
        return cur.fetchall()


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def compare(event, sql_rows):
    """(mismatches, entries compared): stored final scores against the query's."""
    from competitions.models import Entry, Result

    stored = dict(Result.objects.filter(entry__event=event).values_list("entry_id", "final_score"))
    computed = dict(sql_rows)
    mismatches = 0
    for entry_id in Entry.objects.filter(event=event).values_list("pk", flat=True):
        a, b = stored.get(entry_id), computed.get(entry_id)
        if a is None or b is None or a.quantize(PLACES) != b.quantize(PLACES):
            mismatches += 1
            if mismatches <= 5:
                harness.say(f"  mismatch: entry {entry_id}: results_compute {a}, SQL {b}")
    return mismatches, len(stored)


@contextlib.contextmanager
def patched(module, name, seconds: Counter, label):
    """Add the time spent in module.name to seconds[label] while the block runs."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - started

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def breakdown(event):
    """One instrumented fresh run: seconds in each step of results_compute (queries counted too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from simple_history.manager import HistoryManager

    from competitions import services
    from competitions.models import Event

    clear_results(event)
    seconds = Counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(patched(services, "part_averages", seconds, "part_averages"))
        stack.enter_context(patched(services, "_save_results", seconds, "save"))
        stack.enter_context(patched(services, "bulk_create_with_history", seconds, "bulk_create_with_history"))
        stack.enter_context(patched(services, "bulk_update_with_history", seconds, "bulk_update_with_history"))
        stack.enter_context(patched(HistoryManager, "bulk_history_create", seconds, "history"))
        queries = stack.enter_context(CaptureQueriesContext(connection))
        total, written = timed(services.results_compute, event_id=event.pk)
    ev = Event.objects.get(pk=event.pk)
    alone = {}
    # The statement part_averages ran (the one averaging), again on its own, fetching its rows.
    sql = next(q["sql"] for q in queries.captured_queries if "AVG(" in q["sql"].upper())
    with connection.cursor() as cur:
        alone["part_averages_sql"] = min(timed(lambda: cur.execute(sql) or cur.fetchall())[0] for _ in range(3))
    # results_compute's entry query alone, with and without the workers it joins (best of 3 each).
    alone["entries"] = min(timed(lambda: list(ev.entries.competing().select_related("worker")))[0] for _ in range(3))
    alone["entries_bare"] = min(timed(lambda: list(ev.entries.competing()))[0] for _ in range(3))
    return total, written, seconds, len(queries), alone


def profile(event, top=20):
    from competitions import services

    clear_results(event)
    profiler = cProfile.Profile()
    profiler.enable()
    services.results_compute(event_id=event.pk)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(12)
    return out.getvalue()


def row(label, seconds, note=""):
    harness.say(f"  {label:<40} {seconds * 1000:6.0f} ms" + (f"   ({note})" if note else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one fresh run in any case")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    args = parser.parse_args()
    harness.setup(DB_NAME)

    from competitions import services
    from competitions.models import Result

    failures = []
    with harness.throwaway_database(DB_NAME, keep=args.keep_db):
        when = harness.stamp()
        started = time.perf_counter()
        event, quotas, entries, sheets, marks = seed(args.entries)
        harness.say(f"seeded 1 event: {entries} entries × {JUDGES} judges × {len(PARTS)} parts = {sheets} sheets, "
                    f"{marks} marks in {time.perf_counter() - started:.1f} s\n")

        fresh, rerun, sql = [], [], []
        with harness.CpuMeter(db_name=DB_NAME) as meter:
            harness.say(f"{'run':>3}  {'fresh':>8} {'written':>7}  {'rerun':>8} {'written':>7}  {'sql':>8} {'rows':>5}")
            for n in range(1, args.repeat + 1):
                clear_results(event)
                t_fresh, written = timed(services.results_compute, event_id=event.pk)
                t_rerun, rewritten = timed(services.results_compute, event_id=event.pk)
                t_sql, rows = timed(sql_final_scores, event.pk)
                fresh.append(t_fresh)
                rerun.append(t_rerun)
                sql.append(t_sql)
                harness.say(f"{n:>3}  {t_fresh * 1000:>5.0f} ms {written:>7}  {t_rerun * 1000:>5.0f} ms "
                            f"{rewritten:>7}  {t_sql * 1000:>5.0f} ms {len(rows):>5}")
                if written != entries:
                    failures.append(f"run {n}: the fresh run wrote {written} results, not {entries}")
                if rewritten:
                    failures.append(f"run {n}: the rerun on unchanged marks wrote {rewritten} results, not 0")
                if len(rows) != entries:
                    failures.append(f"run {n}: the SQL query gave {len(rows)} final scores, not {entries}")
                if n == 1:
                    mismatches, compared = compare(event, rows)

        tiers = Counter(Result.objects.filter(entry__event=event).values_list("tier", flat=True))
        ranks = Counter(Result.objects.filter(entry__event=event).values_list("rank", flat=True))
        tied = sum(c for c in ranks.values() if c > 1)
        finals = Counter(Result.objects.filter(entry__event=event).values_list("final_score", flat=True))
        tied_scores = sum(c for c in finals.values() if c > 1)
        harness.say(f"\nfinal scores, results_compute vs SQL: {compared} entries compared, {mismatches} mismatches")
        if mismatches:
            failures.append(f"{mismatches} final scores differ between results_compute and the SQL query")
        harness.say("awards: " + ", ".join(f"{t or 'none'} {c}" for t, c in sorted(tiers.items(), key=str))
                    + f"; {tied_scores} entries share their final score with another, {tied} still share a rank "
                    "after the tie-breaks")
        for tier, quota in quotas.items():
            # A tier takes exactly its places, more only when entries tie with its last place.
            if tiers[tier] < quota or (not tied and tiers[tier] != quota):
                failures.append(f"{tiers[tier]} {tier} awards for {quota} places")

        ratio = statistics.median(fresh) / statistics.median(sql)
        harness.say(f"\n{when}; {args.repeat} runs each\n{meter.line()}")
        harness.say(f"results_compute, fresh:  {harness.summary(fresh)}")
        harness.say(f"results_compute, rerun:  {harness.summary(rerun)}   (unchanged marks: writes nothing)")
        harness.say(f"SQL final scores:        {harness.summary(sql)}")
        verdict = harness.judge(failures, meter, ratio <= RATIO_TARGET, "results_compute / SQL",
                                f"{ratio:.1f}× the SQL query (target ≤ {RATIO_TARGET:.0f}×)")
        harness.say(f"ratio fresh / SQL (medians): {ratio:.1f}×, (mins): {min(fresh) / min(sql):.1f}×; "
                    f"target ≤ {RATIO_TARGET:.0f}×: {verdict}")

        total, written, seconds, queries, alone = breakdown(event)
        saved, history = seconds["save"], seconds["history"]
        rows_insert = seconds["bulk_create_with_history"] - history
        rest = total - seconds["part_averages"] - saved
        harness.say(f"\nwhere one fresh run's {total * 1000:.0f} ms go ({queries} queries, {written} results written):")
        row(f"part_averages, {entries * len(PARTS)} rows", seconds["part_averages"],
            f"its statement alone, with fetch: {alone['part_averages_sql'] * 1000:.0f} ms; "
            f"the whole SQL above: {min(sql) * 1000:.0f} ms")
        row("load entries, score, rank, award", rest,
            f"the entry query alone: {alone['entries'] * 1000:.0f} ms with select_related(\"worker\"), "
            f"{alone['entries_bare'] * 1000:.0f} ms without")
        row("_save_results", saved)
        row("  Result rows (bulk_create)", rows_insert)
        row("  history rows (bulk_history_create)", history)
        row("  load existing results, compare", saved - seconds["bulk_create_with_history"])
        if args.profile or ratio > RATIO_TARGET:
            harness.say("\ncProfile of one fresh run:\n" + profile(event))

    return harness.finish(failures)


if __name__ == "__main__":
    sys.exit(main())

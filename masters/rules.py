"""The round's rules as set-based SQL, beside the words for the reasons they write: eligibility (one
UPDATE for the whole round) and the ranking (one UPDATE of the reviewed nominations' figures).

Names come from the models and status values are parameters (zhangwan/sql.py); the statements are
run by services/ranking.eligibility_run and ranking_compute."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.models import Certificate
from competitions.models import Competition, Entry, Event, Result
from training.models import Mentorship
from zhangwan.registry.models import SkillLevel, Worker, WorkerTrade
from zhangwan.sql import statement

from .models import Assignment, Nomination, SelectionRound

S = Nomination.Status


class Reason(models.TextChoices):
    """Why a nomination is not eligible (written by ELIGIBILITY) or was set aside by an officer."""

    LEVEL = "level", _("No valid certificate at the level the round requires.")
    YEARS = "years", _("Fewer years in the trade than the round requires.")
    AWARD = "award", _("No competition award, which the round requires.")
    EMPLOYMENT = "employment", _("Not employed by an organization in the district.")
    NOT_SHORTLISTED = "not_shortlisted", _("Not among the shortlisted nominations.")
    OBJECTION_UPHELD = "objection_upheld", _("An objection during publicity was upheld.")


def reasons_in_words(codes) -> list[str]:
    return [str(Reason(code).label) if code in Reason.values else code for code in codes]


def conditions_in_words(round_) -> list[str]:
    """The round's conditions as ELIGIBILITY applies them, for the eligibility explanation."""
    level = {"level": SkillLevel(round_.max_level).label, "date": round_.nominations_close}
    conditions = [(_("A valid certificate at %(level)s or higher by %(date)s, or (the level-5 apprenticeship "
                     "route) a valid certificate of level 5 or higher and a completed apprenticeship in the "
                     "nominated trade by then.") if round_.apprenticeship_route
                   else _("A valid certificate at %(level)s or higher by %(date)s.")) % level,
                  _("At least %(n)d years in the nominated trade by %(year)d.")
                  % {"n": round_.min_years_in_trade, "year": round_.year}]
    if round_.award_required:
        conditions.append(str(_("A prize in a competition.")))
    if round_.district_employment_required:
        conditions.append(str(_("Employed by an organization in the district.")))
    return [str(c) for c in conditions]


# The codes of the rules a nominee ({n.nominee}, worker row {w}) fails in a trade ({n.trade}) by the
# round {r}:
# no valid certificate at the round's level by the close of nominations (unless the round keeps the
# level-5 apprenticeship route open and the nominee holds a valid certificate of level 5 or higher and
# completed an apprenticeship (师带徒, training.Mentorship) in the nominated trade by then); fewer years in the trade
# than required; no competition award (published, or recorded from outside) when the round requires
# one; not employed in the district when required. No code: eligible. The one copy of the rules:
# ELIGIBILITY decides a round's nominations with it, ELIGIBILITY_PREVIEW one worker before they start
# a nomination. Certification decides applications in Python instead (see docs/masters.md, "Three
# eligibility checks").
REASONS = """array_remove(ARRAY[
        CASE WHEN NOT EXISTS (
            SELECT 1 FROM {c}
            WHERE {c.holder} = {n.nominee} AND {c.status} = %(valid)s AND {c.level} <= {r.max_level}
              AND {c.issued_on} <= {r.nominations_close})
          AND NOT ({r.apprenticeship_route} AND EXISTS (
            SELECT 1 FROM {c}
            WHERE {c.holder} = {n.nominee} AND {c.status} = %(valid)s AND {c.level} <= %(junior)s
              AND {c.issued_on} <= {r.nominations_close}) AND EXISTS (
            SELECT 1 FROM {ms}
            WHERE {ms.apprentice} = {n.nominee} AND {ms.trade} = {n.trade} AND {ms.outcome} = %(completed)s
              AND {ms.ended_on} <= {r.nominations_close})) THEN %(level)s END,
        CASE WHEN coalesce((SELECT {r.year} - {wt.started_year} FROM {wt}
                            WHERE {wt.worker} = {n.nominee} AND {wt.trade} = {n.trade}), -1)
                  < {r.min_years_in_trade} THEN %(years)s END,
        CASE WHEN {r.award_required} AND NOT EXISTS (
            SELECT 1 FROM {res}
            JOIN {e} ON {e.id} = {res.entry}
            JOIN {ev} ON {ev.id} = {e.event}
            JOIN {comp} ON {comp.id} = {ev.competition}
            LEFT JOIN {m} ON {m.entry} = {e.id}
            WHERE {res.tier} <> '' AND ({comp.results_published} OR {res.recorded})
              AND ({e.worker} = {n.nominee} OR {m.worker} = {n.nominee})) THEN %(award)s END,
        CASE WHEN {r.district_employment_required} AND {w.employer} IS NULL THEN %(employment)s END
    ]::varchar[], NULL)"""
_NAMES = {"r": SelectionRound, "c": Certificate, "wt": WorkerTrade, "res": Result, "e": Entry,
          "m": Entry.members.through, "w": Worker, "ms": Mentorship, "ev": Event, "comp": Competition}
_RULE_CONSTANTS = {"junior": SkillLevel.JUNIOR, "completed": Mentorship.Outcome.COMPLETED,
                   "valid": Certificate.Status.VALID, "level": Reason.LEVEL, "years": Reason.YEARS,
                   "award": Reason.AWARD, "employment": Reason.EMPLOYMENT}

# Each submitted (or already decided) nomination of the round gets its codes; a rerun writes only the
# nominations whose outcome changed.
ELIGIBILITY = statement("masters.eligibility", """
UPDATE {n}
SET {n.status:name} = CASE WHEN cardinality(v.reasons) = 0 THEN %(eligible)s ELSE %(ineligible)s END,
    {n.reasons:name} = v.reasons
FROM (
    SELECT {n.id}, """ + REASONS + """ AS reasons
    FROM {n}
    JOIN {r} ON {r.id} = {n.round}
    JOIN {w} ON {w.id} = {n.nominee}
    WHERE {n.round} = %(round)s AND {n.status} IN (%(submitted)s, %(eligible)s, %(ineligible)s)
) v
WHERE {n.id} = v.id
  AND ({n.status}, {n.reasons}) IS DISTINCT FROM
      (CASE WHEN cardinality(v.reasons) = 0 THEN %(eligible)s ELSE %(ineligible)s END, v.reasons)
RETURNING {n.id}
""", n=Nomination, **_NAMES, constants={
        **_RULE_CONSTANTS, "submitted": S.SUBMITTED, "eligible": S.ELIGIBLE, "ineligible": S.INELIGIBLE})

# The same rules for one worker in one trade, before any nomination exists: what the nomination page
# previews (selectors.eligibility_preview). The nomination is a row of values named like its columns.
ELIGIBILITY_PREVIEW = statement("masters.eligibility_preview", """
SELECT """ + REASONS + """
FROM (VALUES (%(nominee)s::bigint, %(trade)s::bigint)) AS n({n.nominee:name}, {n.trade:name})
JOIN {r} ON {r.id} = %(round)s
JOIN {w} ON {w.id} = {n.nominee}
""", n=Nomination, **_NAMES, constants=_RULE_CONSTANTS)

# The reviewers' mean of the submitted reviews, blended with the nominee's best score in the round's
# competition by the round's weight, ranked (ties share a rank); a spread above the round's threshold
# flags the reviewers' disagreement. A rerun writes only the nominations whose figures changed.
RANKING = statement("masters.ranking", """
WITH reviewed AS (
    SELECT {a.nomination}, avg({a.total}) AS mean, max({a.total}) - min({a.total}) AS spread
    FROM {a} JOIN {n} ON {n.id} = {a.nomination}
    WHERE {n.round} = %(round)s AND {a.status} = %(review_submitted)s
    GROUP BY {a.nomination}
), competed AS (
    SELECT coalesce({m.worker}, {e.worker}) AS worker_id, max({res.final_score}) AS score
    FROM {res}
    JOIN {e} ON {e.id} = {res.entry}
    JOIN {ev} ON {ev.id} = {e.event}
    JOIN {r} ON {r.id} = %(round)s AND {ev.competition} = {r.competition}
    LEFT JOIN {m} ON {m.entry} = {e.id}
    GROUP BY 1
), scored AS (
    SELECT {n.id}, rv.mean, rv.spread, cp.score, {r.discrepancy_threshold},
           round(CASE WHEN {r.competition_weight} > 0 AND rv.mean IS NOT NULL
                      THEN rv.mean * (100 - {r.competition_weight}) / 100.0
                           + coalesce(cp.score, 0) * {r.competition_weight} / 100.0
                      ELSE rv.mean END, 2) AS final
    FROM {n}
    JOIN {r} ON {r.id} = {n.round}
    LEFT JOIN reviewed rv ON rv.{a.nomination:name} = {n.id}
    LEFT JOIN competed cp ON cp.worker_id = {n.nominee} AND {r.competition_weight} > 0
    WHERE {n.round} = %(round)s AND {n.status} IN (%(under_review)s, %(shortlisted)s, %(in_publicity)s, %(conferred)s)
), ranked AS (
    SELECT scored.*, CASE WHEN final IS NULL THEN NULL
                          ELSE rank() OVER (ORDER BY final DESC NULLS LAST, mean DESC NULLS LAST) END AS rk
    FROM scored
), computed AS (
    SELECT id, round(mean, 2) AS review_mean, spread AS review_spread, round(score, 2) AS competition_score,
           final AS final_score, rk AS rank, coalesce(spread > {r.discrepancy_threshold:name}, FALSE) AS discrepancy
    FROM ranked
)
UPDATE {n}
SET {n.review_mean:name} = c.review_mean, {n.review_spread:name} = c.review_spread,
    {n.competition_score:name} = c.competition_score, {n.final_score:name} = c.final_score,
    {n.rank:name} = c.rank, {n.discrepancy:name} = c.discrepancy
FROM computed c
WHERE {n.id} = c.id
  AND ({n.review_mean}, {n.review_spread}, {n.competition_score}, {n.final_score}, {n.rank}, {n.discrepancy})
      IS DISTINCT FROM (c.review_mean, c.review_spread, c.competition_score, c.final_score, c.rank, c.discrepancy)
RETURNING {n.id}
""", a=Assignment, n=Nomination, m=Entry.members.through, e=Entry, res=Result, ev=Event,
    r=SelectionRound, constants={
        "review_submitted": Assignment.Status.SUBMITTED, "under_review": S.UNDER_REVIEW,
        "shortlisted": S.SHORTLISTED, "in_publicity": S.IN_PUBLICITY, "conferred": S.CONFERRED})

"""Every write of the certification dimension that does more than save one form."""

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhangwan.accounts.models import User
from zhangwan.accounts.notifications import tell_each, tell_workers
from zhangwan.api import webhooks
from zhangwan.errors import ServiceError
from zhangwan.history import bulk_create_with_history, bulk_update_with_history, record_history, save_with_history
from zhangwan.jobs import step_pause
from zhangwan.registry.models import SkillLevel, Worker, WorkerTrade
from zhangwan.sql import array_literal, statement
from zhangwan.transitions import Transitions

from .models import (
    CERTIFICATE_PREFIX,
    Accreditation,
    Application,
    AssessmentBody,
    AssessmentSession,
    Certificate,
    CertificateCounter,
    EligibilityGrant,
    EligibilityRule,
)
from .signals import certificate_reinstated, certificate_revoked

EDUCATION_ORDER = [value for value, _label in Worker.Education.choices]


class CertificationError(ServiceError):
    """A rule said no; the message is for the user."""


_S = AssessmentSession.Status
SESSION_STATUS = Transitions(AssessmentSession, {
    _S.OPEN: {_S.CLOSED, _S.ASSESSED},
    _S.CLOSED: {_S.OPEN, _S.ASSESSED},
    _S.ASSESSED: set(),
}, error=CertificationError)
_A = Application.Status
_SCORED = {_A.ASSESSED, _A.PASSED, _A.FAILED}  # scores may be corrected until a certificate is issued
APPLICATION_STATUS = Transitions(Application, {
    _A.SUBMITTED: {_A.ELIGIBLE, _A.INELIGIBLE, _A.WITHDRAWN},
    _A.ELIGIBLE: {_A.ADMITTED, _A.WITHDRAWN},
    _A.INELIGIBLE: {_A.WITHDRAWN},
    _A.ADMITTED: _SCORED,
    _A.ASSESSED: _SCORED,
    _A.PASSED: _SCORED,
    _A.FAILED: _SCORED,
    _A.WITHDRAWN: set(),
}, error=CertificationError)
CERTIFICATE_STATUS = Transitions(Certificate, {
    Certificate.Status.VALID: {Certificate.Status.REVOKED},
    Certificate.Status.REVOKED: {Certificate.Status.VALID},  # reinstated with a reason (certificate_reinstate)
}, error=CertificationError)


def _tell(applications, key, params):
    tell_workers(applications, key, params=params, url=reverse("certification:my_certificates"))


# Applications -------------------------------------------------------------------------------

def applications_refusal(session: AssessmentSession, now: datetime.datetime | None = None) -> str:
    """Why the session takes no application now ("" when it does): applications close by the session's
    own closing date, or when the officer closes them (session_transition), never as a side effect."""
    now = now or timezone.now()
    if session.status != AssessmentSession.Status.OPEN:
        return _("Applications for this session have been closed.")
    if now < session.applications_open:
        return _("Applications for this session open on %(when)s.") % {
            "when": timezone.localtime(session.applications_open).strftime("%Y-%m-%d %H:%M")}
    if now >= session.applications_close:
        return _("Applications for this session closed on %(when)s.") % {
            "when": timezone.localtime(session.applications_close).strftime("%Y-%m-%d %H:%M")}
    return ""


@transaction.atomic
def application_submit(*, worker, session: AssessmentSession, user) -> Application:
    session = AssessmentSession.objects.select_for_update().select_related("body", "trade").get(pk=session.pk)
    if why := applications_refusal(session):
        raise CertificationError(why)
    if not Accreditation.objects.filter(body=session.body, trade=session.trade, level=session.level).exists():
        raise CertificationError(_("%(body)s is not accredited to assess %(trade)s at this level.")
                                 % {"body": session.body, "trade": session.trade})
    if Application.objects.filter(worker=worker, session=session).exclude(status=Application.Status.WITHDRAWN).exists():
        raise CertificationError(_("%(name)s has already applied for this session.") % {"name": worker.name})
    application = Application(worker=worker, session=session, applied_by=user)
    save_with_history(application, user=user)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if Application.Status.WITHDRAWN not in APPLICATION_STATUS.allowed(application.status):
        raise CertificationError(_("This application can no longer be withdrawn."))
    APPLICATION_STATUS.move(application, Application.Status.WITHDRAWN, user=user, reason="application.withdrawn")
    return application


# Eligibility --------------------------------------------------------------------------------

def years_between(start: datetime.date, end: datetime.date) -> int:
    """Whole years from start to end (a certificate of 2020-03-01 is held 2 years on 2022-03-01)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


@dataclass
class Facts:
    """What the eligibility job knows about one applicant in one trade."""

    trade_since: int | None
    certificates: dict  # level → earliest issue date of a valid certificate at that level
    granted: set  # levels granted by competition awards
    education: str


def _check_rule(rule: EligibilityRule, facts: Facts, on: datetime.date) -> list[dict]:
    """The reasons a rule fails (empty: it passes)."""
    failing = []
    if rule.min_trade_years is not None:
        have = on.year - facts.trade_since if facts.trade_since else 0
        if have < rule.min_trade_years:
            failing.append({"code": "trade_years", "params": {"need": rule.min_trade_years, "have": max(have, 0)}})
    if rule.previous_level is not None:
        held = facts.certificates.get(rule.previous_level)
        if held is None:
            failing.append({"code": "no_certificate", "params": {"level": rule.previous_level}})
        elif rule.previous_held_years and years_between(held, on) < rule.previous_held_years:
            failing.append({"code": "held_too_short", "params": {"level": rule.previous_level,
                                                                 "need": rule.previous_held_years,
                                                                 "since": held.isoformat()}})
    if rule.min_education and EDUCATION_ORDER.index(facts.education) < EDUCATION_ORDER.index(rule.min_education):
        failing.append({"code": "education", "params": {"need": rule.min_education}})
    return failing


def decide(level: int, rules: list[EligibilityRule], facts: Facts, on: datetime.date) -> tuple[bool, list[dict]]:
    if any(held <= level for held in facts.certificates):
        return False, [{"code": "already_held", "params": {"level": min(facts.certificates)}}]
    if level in facts.granted:
        return True, [{"code": "competition", "params": {"level": level}}]
    reasons = []
    for rule in rules:
        failing = _check_rule(rule, facts, on)
        if not failing:
            return True, [{"code": "rule", "params": {"rule": rule.name}}]
        reasons.append({"code": "rule_failed", "params": {"rule": rule.name}, "details": failing})
    if not rules:
        reasons.append({"code": "no_rule", "params": {"level": level}})
    return False, reasons


def _rules_by_level_and_trade():
    rules = {}
    for rule in EligibilityRule.objects.filter(active=True).order_by("pk"):
        rules.setdefault((rule.level, rule.trade_id), []).append(rule)
    return rules


@transaction.atomic
def eligibility_evaluate(*, session_id: int | None = None, user=None) -> int:
    """Decide every submitted application (of one session, or all): a few reads of plain rows for
    all applicants at once, decide() for each, one UPDATE … FROM for the decisions, one statement for
    their history. Safe to rerun: decided applications are not touched again. user: who asked, for
    the history."""
    pending = Application.objects.filter(status__in=APPLICATION_STATUS.sources(Application.Status.ELIGIBLE))
    if session_id is not None:
        pending = pending.filter(session_id=session_id)
    rows, facts = _eligibility_facts(pending)
    if not rows:
        return 0
    rules = _rules_by_level_and_trade()
    step_pause()
    ids, statuses, whys, told = [], [], [], []
    for pk, worker, trade, level, on, education, user_id in rows:
        eligible, why = decide(level, rules.get((level, trade)) or rules.get((level, None), []),
                               facts(worker, trade, education), on)
        status = Application.Status.ELIGIBLE if eligible else Application.Status.INELIGIBLE
        ids.append(pk)
        statuses.append(status)
        whys.append(why)
        if user_id:
            told.append((pk, user_id, status, why))
    _write_decisions(ids, statuses, whys)
    record_history(Application, ids, reason="application.eligibility", user=user)
    _tell_decisions(told)
    return len(ids)


def _eligibility_facts(pending):
    """The pending applications as plain rows (locked), and facts(worker, trade, education) → Facts,
    read for all applicants at once (the applicants as a subquery: no list of thousands of ids
    travels to the database and back)."""
    workers = pending.values("worker_id")
    rows = list(pending.select_for_update(of=("self",)).order_by("pk").values_list(
        "pk", "worker_id", "session__trade_id", "session__level", "session__date", "worker__education",
        "worker__user_id"))
    if not rows:
        return rows, None
    since = {(w, t): y for w, t, y in WorkerTrade.objects.filter(worker__in=workers)
             .values_list("worker", "trade", "started_year")}
    certificates: dict = {}
    for w, t, level, issued in (Certificate.objects.filter(holder__in=workers, status=Certificate.Status.VALID)
                                .values_list("holder", "trade", "level", "issued_on")):
        held = certificates.setdefault((w, t), {})
        held[level] = min(issued, held.get(level, issued))
    granted: dict = {}
    for w, t, level in EligibilityGrant.objects.filter(worker__in=workers).values_list("worker", "trade", "level"):
        granted.setdefault((w, t), set()).add(level)

    def facts(worker, trade, education):
        key = (worker, trade)
        return Facts(since.get(key), certificates.get(key, {}), granted.get(key, set()), education)

    return rows, facts


# Every decided application's status, reasons and evaluated_at in one UPDATE. Many applicants share
# their reasons, so each distinct reasons document travels (and is parsed as jsonb) once and the rows
# point at it by number.
WRITE_DECISIONS = statement("certification.eligibility", """
UPDATE {a}
SET {a.status:name} = v.status, {a.reasons:name} = d.reasons, {a.evaluated_at:name} = %(now)s
FROM unnest(%(ids)s::bigint[], %(statuses)s::text[], %(numbers)s::int[]) AS v(id, status, n)
JOIN unnest(%(documents)s::jsonb[]) WITH ORDINALITY AS d(reasons, n) ON d.n = v.n
WHERE {a.id} = v.id
""", a=Application)


def _write_decisions(ids, statuses, whys):
    """WRITE_DECISIONS. The id, status and number lists go as array literals, which PostgreSQL reads
    far faster than psycopg's 30,000-element ARRAY[…] expressions."""
    documents: dict = {}
    numbers = [documents.setdefault(json.dumps(why, ensure_ascii=False), len(documents) + 1) for why in whys]
    with connection.cursor() as cursor:
        cursor.execute(WRITE_DECISIONS.text, WRITE_DECISIONS.params(
            now=timezone.now(), ids=array_literal(ids), statuses=array_literal(statuses),
            numbers=array_literal(numbers), documents=list(documents)))


def _tell_decisions(told):
    if not told:
        return
    sessions = dict(Application.objects.filter(pk__in=[t[0] for t in told]).values_list("pk", "session"))
    by_pk = {s.pk: s for s in AssessmentSession.objects.filter(pk__in=set(sessions.values()))
             .select_related("trade")}
    users = {u.pk: u for u in User.objects.filter(pk__in=[t[1] for t in told])}
    tell_each((users[user_id], "application.decided",
               {"status": Application.Status(status).label, "session": by_pk[sessions[pk]], "reasons": why},
               reverse("certification:my_certificates"))
              for pk, user_id, status, why in told)


def decision_reasons(params: dict) -> str:
    """The body of an "application.decided" notice: its recorded reasons in the reader's language."""
    return "; ".join(reason_text(r) for r in params.get("reasons") or [])


def reason_text(reason: dict) -> str:
    """A recorded reason in the reader's language."""
    params = reason.get("params", {})
    code = reason.get("code")

    def level(value):
        return str(SkillLevel(value).label)

    if code == "trade_years":
        return _("%(have)d of the %(need)d years in the trade needed") % params
    if code == "no_certificate":
        return _("no certificate at %(level)s") % {"level": level(params["level"])}
    if code == "held_too_short":
        return _("the %(level)s certificate of %(since)s is held less than %(need)d years") % {
            **params, "level": level(params["level"])}
    if code == "education":
        return _("education below %(need)s") % {"need": Worker.Education(params["need"]).label}
    if code == "already_held":
        return _("already holds %(level)s") % {"level": level(params["level"])}
    if code == "competition":
        return _("eligible through a competition award")
    if code == "rule":
        return _("meets the rule “%(rule)s”") % params
    if code == "rule_failed":
        details = "; ".join(reason_text(d) for d in reason.get("details", []))
        return _("does not meet “%(rule)s”: %(details)s") % {"rule": params["rule"], "details": details}
    if code == "no_rule":
        return _("no eligibility rule for %(level)s") % {"level": level(params["level"])}
    return code or ""


# Admission and scores -----------------------------------------------------------------------

@transaction.atomic
def session_transition(*, session: AssessmentSession, to: str, user) -> AssessmentSession:
    """Close or reopen a session's applications (the admin's actions); "assessed" comes with the certificates."""
    session = AssessmentSession.objects.select_for_update().get(pk=session.pk)
    return SESSION_STATUS.move(session, to, user=user)


@transaction.atomic
def applications_admit(*, session: AssessmentSession, user) -> int:
    """Admit eligible applicants in the order they applied, up to the session's capacity."""
    session = AssessmentSession.objects.select_for_update().get(pk=session.pk)
    free = session.capacity - session.admitted_count
    if free <= 0:
        raise CertificationError(_("The session is full."))
    chosen = list(session.applications.filter(status=Application.Status.ELIGIBLE)
                  .select_related("worker__user").order_by("created_at", "pk")[:free])
    for application in chosen:
        APPLICATION_STATUS.assign(application, Application.Status.ADMITTED)
    bulk_update_with_history(chosen, Application, ["status"], user=user, reason="application.admitted")
    AssessmentSession.objects.filter(pk=session.pk).update(admitted_count=F("admitted_count") + len(chosen))
    _tell(chosen, "application.admitted", lambda a: {"session": a.session, "date": a.session.date,
                                                     "venue": a.session.venue})
    return len(chosen)


def scores_refusal(session: AssessmentSession, today: datetime.date | None = None) -> str:
    """Why scores cannot be admitted yet ("" when they can): only once the assessment has taken place."""
    if (today or timezone.localdate()) < session.date:
        return _("Scores can be admitted from the assessment date, %(date)s.") % {"date": session.date.isoformat()}
    return ""


def _require_scores_open(session: AssessmentSession) -> None:
    if why := scores_refusal(session):
        raise CertificationError(why)


@transaction.atomic
def scores_enter(*, application: Application, theory, practical, review=None, user) -> Application:
    application = Application.objects.select_for_update().select_related("session").get(pk=application.pk)
    _require_scores_open(application.session)
    if application.status not in APPLICATION_STATUS.sources(Application.Status.PASSED):
        raise CertificationError(_("Only admitted applicants get scores."))
    if hasattr(application, "certificate"):
        raise CertificationError(_("A certificate has been issued on these scores; they can no longer change."))
    for value in (theory, practical, review):
        if value is not None and not (0 <= value <= 100):
            raise CertificationError(_("Scores are between 0 and 100."))
    application.theory_score, application.practical_score, application.review_score = theory, practical, review
    APPLICATION_STATUS.move(application, _status_for_scores(application, theory, practical, review), user=user,
                            reason="application.scores",
                            update_fields=["theory_score", "practical_score", "review_score"])
    return application


# Certificates -------------------------------------------------------------------------------

def _next_numbers(prefix: str, year: int, count: int) -> list[str]:
    """count consecutive numbers of the prefix's series of a year: prefix + year + six digits. The
    series' counter row is locked until the transaction ends, so numbers are gapless and unique; a
    prefix is capital letters only (a check on the body), so two series never give the same number."""
    CertificateCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = CertificateCounter.objects.select_for_update().get(prefix=prefix, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{prefix}{year}{n:06d}" for n in range(first, first + count)]


def issue_refusal(session: AssessmentSession, on: datetime.date | None = None) -> str:
    """Why certificates cannot be issued now ("" when they can): after the assessment, never dated
    before it, with every admitted applicant scored."""
    if timezone.localdate() < session.date:
        return _("Certificates are issued after the assessment of %(date)s.") % {"date": session.date.isoformat()}
    if on is not None and on < session.date:
        return _("Certificates cannot be dated before the assessment of %(date)s.") % {
            "date": session.date.isoformat()}
    unscored = session.applications.filter(status__in=[Application.Status.ADMITTED, Application.Status.ASSESSED]
                                           ).count()
    if unscored:
        return _("%(count)d admitted applicants have no scores yet.") % {"count": unscored}
    return ""


@transaction.atomic
def certificates_issue(*, session: AssessmentSession, user, on: datetime.date | None = None) -> list[Certificate]:
    session = AssessmentSession.objects.select_for_update().select_related("body").get(pk=session.pk)
    if why := issue_refusal(session, on):
        raise CertificationError(why)
    on = on or timezone.localdate()
    passed = list(session.applications.filter(status=Application.Status.PASSED, certificate__isnull=True)
                  .select_for_update(of=("self",)).select_related("worker__user").order_by("pk"))
    if not passed:
        return []
    numbers = _next_numbers(session.body.certificate_prefix, on.year, len(passed))
    certificates = [Certificate(number=n, holder=a.worker, trade=session.trade, level=session.level, issued_on=on,
                                body=session.body, source=Certificate.Source.ASSESSMENT, application=a)
                    for n, a in zip(numbers, passed, strict=True)]
    bulk_create_with_history(certificates, Certificate, user=user, reason="certificate.issued")
    webhooks.emit_each("certificate.issued", certificates, lambda c: c.holder.employer_id)
    if not session.window_open():  # a session still taking applications stays open (closing is its own action)
        SESSION_STATUS.update(AssessmentSession.objects.filter(pk=session.pk), AssessmentSession.Status.ASSESSED,
                              user=user, reason="session.certificates_issued")
    _tell(passed, "certificate.issued", lambda a: {
        "session": a.session, "number": next(c.number for c in certificates if c.application_id == a.pk)})
    return certificates


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, user) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificationError(_("This certificate is already revoked."))
    if not reason.strip():
        raise CertificationError(_("Give the reason for the revocation."))
    certificate.revoked_reason, certificate.revoked_at = reason.strip()[:300], timezone.now()
    CERTIFICATE_STATUS.move(certificate, Certificate.Status.REVOKED, user=user, reason="certificate.revoked",
                            update_fields=["revoked_reason", "revoked_at"])
    webhooks.emit("certificate.revoked", certificate, organization=certificate.holder.employer_id)
    # A subsidy paid for it is to be recovered: training's subsidies reverse its claims in this same
    # transaction (training.subsidies.receivers), or refuse the revocation.
    try:
        certificate_revoked.send(sender=Certificate, certificate=certificate, user=user,
                                 reason=_("Certificate %(number)s revoked: %(reason)s")
                                 % {"number": certificate.number, "reason": certificate.revoked_reason})
    except ServiceError as error:
        raise CertificationError(error.message) from None
    return certificate


@transaction.atomic
def certificate_reinstate(*, certificate: Certificate, reason: str, user) -> Certificate:
    """Take back a revocation with a reason (history "certificate.reinstated"): the certificate is
    valid again, the recovery its revocation opened is undone where nothing was recovered yet
    (training.subsidies.receivers), and the holder is told."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Give the reason for reinstating the certificate."))
    certificate = (Certificate.objects.select_for_update(of=("self",)).select_related("holder__user")
                   .get(pk=certificate.pk))
    if certificate.status != Certificate.Status.REVOKED:
        raise CertificationError(_("This certificate is valid; there is no revocation to take back."))
    certificate.revoked_reason, certificate.revoked_at = "", None
    CERTIFICATE_STATUS.move(certificate, Certificate.Status.VALID, user=user, reason="certificate.reinstated",
                            detail=reason, update_fields=["revoked_reason", "revoked_at"])
    try:
        certificate_reinstated.send(sender=Certificate, certificate=certificate, user=user,
                                    reason=_("Certificate %(number)s reinstated: %(reason)s")
                                    % {"number": certificate.number, "reason": reason})
    except ServiceError as error:
        raise CertificationError(error.message) from None
    tell_each([(certificate.holder.user, "certificate.reinstated", {"number": certificate.number, "reason": reason},
                reverse("certification:my_certificates"))])
    return certificate


def own_number_pattern() -> re.Pattern:
    """The form of the numbers this platform gives: any issuer's prefix (an assessment body's, a
    competition's, or the district's own) + year + six digits."""
    from competitions.models import Competition

    prefixes = {CERTIFICATE_PREFIX, *AssessmentBody.objects.values_list("certificate_prefix", flat=True),
                *Competition.objects.values_list("certificate_prefix", flat=True)}
    return re.compile(rf"^({'|'.join(sorted(map(re.escape, prefixes)))})\d{{10}}$")


@transaction.atomic
def certificates_import(*, rows: list[dict], user) -> int:
    own = own_number_pattern()
    ours = [r["number"] for r in rows if own.match(r["number"])]
    if ours:
        raise CertificationError(_("Numbers of the form prefix + year + 6 digits are given by this platform "
                                   "and cannot be imported: %(numbers)s") % {"numbers": ", ".join(ours[:10])})
    existing = set(Certificate.objects.filter(number__in=[r["number"] for r in rows]).values_list("number", flat=True))
    if existing:
        raise CertificationError(_("These certificate numbers are already recorded: %(numbers)s")
                                 % {"numbers": ", ".join(sorted(existing)[:10])})
    certificates = [Certificate(number=r["number"], holder=r["worker"], trade=r["trade"], level=r["level"],
                                issued_on=r["issued_on"], issuer_name=r.get("issuer", ""),
                                source=Certificate.Source.IMPORTED) for r in rows]
    bulk_create_with_history(certificates, Certificate, user=user, reason="certificate.imported")
    return len(certificates)


# The competition route ----------------------------------------------------------------------

def upgrade_target(highest: int | None) -> int | None:
    """One level above the highest level held (certificate or right); with none, level 4 (an award
    at a district competition shows more than the junior level); None above level 1."""
    if highest is None:
        return SkillLevel.INTERMEDIATE
    if highest <= SkillLevel.SENIOR_TECHNICIAN:
        return None
    return highest - 1


@transaction.atomic
def competition_route_apply(*, user, on: datetime.date | None = None) -> tuple[int, int]:
    """Turn published competition awards that earn an upgrade into certificates or eligibility
    rights, once per result. Returns (certificates issued, rights granted)."""
    from competitions.models import Result, Upgrade

    on = on or timezone.localdate()
    results = list(Result.objects.select_for_update(of=("self",))
                   .filter(entry__event__competition__results_published=True, entry__worker__isnull=False,
                           upgrade__in=[Upgrade.APPLY_UP, Upgrade.CERTIFY_UP],
                           certificate__isnull=True, eligibility_grant__isnull=True)
                   .select_related("entry__event__competition", "entry__worker").order_by("pk"))
    # The highest level each (worker, trade) holds, kept up to date as this call gives levels,
    # so two awards of one person never give the same level twice.
    keys = {(r.entry.worker_id, r.entry.event.trade_id) for r in results}
    highest: dict = {}
    for worker, trade, level in (Certificate.objects.filter(holder__in={k[0] for k in keys},
                                                            status=Certificate.Status.VALID)
                                 .values_list("holder", "trade", "level")):
        highest[(worker, trade)] = min(level, highest.get((worker, trade), level))
    granted = set(EligibilityGrant.objects.filter(worker__in={k[0] for k in keys})
                  .values_list("worker", "trade", "level"))
    to_certify, grants = [], []
    for r in results:
        key = (r.entry.worker_id, r.entry.event.trade_id)
        level = upgrade_target(highest.get(key))
        if level is None:
            continue
        if r.upgrade == Upgrade.CERTIFY_UP:
            to_certify.append((r, level))
            highest[key] = level
        elif (*key, level) not in granted:
            grants.append(EligibilityGrant(worker=r.entry.worker, trade=r.entry.event.trade, competition_result=r,
                                           level=level, granted_on=on))
            granted.add((*key, level))
    # A competition route certificate is numbered in its competition's series (its prefix).
    by_prefix = defaultdict(list)
    for r, level in to_certify:
        by_prefix[r.entry.event.competition.certificate_prefix].append((r, level))
    certificates = [Certificate(number=n, holder=r.entry.worker, trade=r.entry.event.trade, level=level,
                                issued_on=on, source=Certificate.Source.COMPETITION, competition_result=r,
                                issuer_name=str(r.entry.event.competition))
                    for prefix, awards in sorted(by_prefix.items())
                    for n, (r, level) in zip(_next_numbers(prefix, on.year, len(awards)), awards, strict=True)]
    bulk_create_with_history(certificates, Certificate, user=user, reason="competition.award")
    bulk_create_with_history(grants, EligibilityGrant, user=user, reason="competition.award")
    return len(certificates), len(grants)


def _status_for_scores(application, theory, practical, review):
    needed = [theory, practical] + ([review] if application.session.needs_review else [])
    if any(v is None for v in needed):
        return Application.Status.ASSESSED
    mark = application.session.pass_mark
    return Application.Status.PASSED if all(v >= mark for v in needed) else Application.Status.FAILED


@transaction.atomic
def scores_import(*, session: AssessmentSession, rows: list[dict], user) -> int:
    """Scores of many admitted applicants at once (rows: application, theory, practical, review)."""
    _require_scores_open(session)
    ids = [r["application"].pk for r in rows]
    applications = {a.pk: a for a in Application.objects.select_for_update(of=("self",))
                    .filter(pk__in=ids, session=session).select_related("session")}
    for row in rows:
        application = applications[row["application"].pk]
        application.theory_score, application.practical_score = row["theory"], row["practical"]
        application.review_score = row["review"]
        APPLICATION_STATUS.assign(application, _status_for_scores(application, row["theory"], row["practical"],
                                                                    row["review"]))
    bulk_update_with_history(list(applications.values()), Application,
                             ["theory_score", "practical_score", "review_score", "status"], user=user,
                             reason="application.scores_imported")
    return len(applications)

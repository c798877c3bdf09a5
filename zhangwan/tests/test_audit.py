"""Audit: every change to money, scores, statuses and certificates has its history entry.

AUDITED names each model and field that holds money, a score, a status or a certificate. One walk
per app drives every write service in turn (the jobs through the page that queues them, as in
production). Around each step `audited` snapshots those fields and then checks, for every row that
changed, appeared or went: history records were made during the step, the newest equals the row
as it is now, the one before the step equals the row as it was, each names the acting user, and
each change of an existing row gives its reason.

A forgotten history fails here three ways: a service that writes without it (the walk), a service
the walk does not drive (`walking` wraps each service module and fails on a write service never
called), and a model with a money, score or status field that is not in AUDITED or has no history
(`test_every_money_score_or_status_field_is_audited`).
"""

import contextlib
import datetime
import functools
import inspect
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from certification import services as certification_services
from certification.models import Application, AssessmentSession, Certificate, EligibilityGrant, EligibilityRule
from certification.tests.factories import hold as hold_session
from certification.tests.factories import session as assessment_session
from competitions import services as competitions_services
from competitions.models import (
    AwardRule,
    Competition,
    Entry,
    Event,
    InnovationProject,
    Mark,
    OrganizerAward,
    Result,
    ScoreSheet,
    ScoringPart,
    Tier,
    Upgrade,
)
from competitions.tests.factories import close_entries, competition, event, welder
from masters.models import (
    Assignment,
    Criterion,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    Objection,
    Score,
    SelectionRound,
    TalkOrder,
    TalkTopic,
)
from masters.services import incentives as masters_incentives
from masters.services import lifecycle as masters_lifecycle
from masters.services import nominations as masters_nominations
from masters.services import publicity as masters_publicity
from masters.services import ranking as masters_ranking
from masters.services import review as masters_review
from masters.tests.factories import NOMINATING, REVIEWING, YEAR, qualified_worker, reviewer, selection_round
from training import needs as training_needs
from training import services as training_services
from training.models import (
    Attendance,
    ClassSession,
    Course,
    Enrollment,
    Mentorship,
    NeedsSurvey,
    PlanLine,
    TrainingBase,
    TrainingClass,
)
from training.subsidies import engine
from training.subsidies import services as subsidy_services
from training.subsidies.models import Batch, Claim, Payment, Policy, Rate
from training.subsidies.tests.factories import policy as subsidy_policy
from training.tests.factories import hold as hold_class
from training.tests.factories import open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import REASONS, record_history
from zhangwan.registry.models import TransferRequest, Worker
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db

# Model → the fields whose every change must be in its history.
AUDITED = {
    # registry
    Worker: ["bank_name", "bank_account"],
    TransferRequest: ["status", "decided_by"],
    # training
    TrainingBase: ["funding"],
    PlanLine: ["budget"],
    Course: ["hours"],
    TrainingClass: ["status"],
    ClassSession: ["hours"],
    Enrollment: ["status", "exam_passed", "attended_hours", "required_hours"],
    Attendance: ["status"],
    Mentorship: ["outcome"],
    # subsidies
    Policy: ["budget", "committed", "paid"],
    Rate: ["amount"],
    Claim: ["amount", "status", "reasons", "batch", "reverses", "reviewed_by", "review_note", "recovered_on",
            "recovery_reference"],
    Batch: ["status", "kind", "total", "claim_count", "approved_by", "sent_back_reason"],
    Payment: ["batch", "amount", "paid_on", "reference"],
    # competitions
    Competition: ["results_published"],
    Event: ["trim_from_judges", "disagreement_points"],  # scoring policy (docs/competitions.md)
    ScoringPart: ["weight", "max_mark"],
    AwardRule: ["tier", "quota", "upgrade"],
    Entry: ["status"],
    ScoreSheet: ["submitted_at"],
    Mark: ["value", "max_mark"],
    Result: ["final_score", "rank", "tier", "title", "upgrade", "part_scores"],
    OrganizerAward: ["funding"],
    InnovationProject: ["status", "award"],
    # certification
    AssessmentSession: ["status"],
    Application: ["status", "reasons", "theory_score", "practical_score", "review_score"],
    Certificate: ["number", "holder", "trade", "level", "issued_on", "status", "revoked_reason"],
    EligibilityGrant: ["worker", "trade", "level"],
    # masters
    SelectionRound: ["discrepancy_threshold", "publicity_starts", "publicity_ends", "conferred_on"],
    Criterion: ["weight", "max_score"],
    Nomination: ["status", "reasons", "review_mean", "review_spread", "competition_score", "final_score", "rank",
                 "discrepancy"],
    Assignment: ["status", "total"],
    Score: ["value", "max_score"],
    Objection: ["upheld"],
    MasterTitle: ["number", "worker", "trade", "year", "title"],
    IncentiveGrant: ["amount"],
    MasterStudio: ["funding"],
    TalkOrder: ["status", "attendance"],
}

# Fields that look like money, scores or statuses but are not audited, and why.
NOT_AUDITED = {
    ("subsidies.Run", "status"): "progress of a claim computation; the claims it makes are audited",
    ("reports.AnnualReport", "status"): "progress of a report build",
    ("jobs.ExportJob", "status"): "progress of an export; the file is for its requester only",
}

STATUS_NAMES = {"status", "outcome", "rank", "tier", "upgrade", "upheld", "results_published", "exam_passed"}
PROJECT_APPS = {"registry", "accounts", "reports", "jobs", "training", "subsidies", "competitions",
                "certification", "masters"}

# Public functions of the service modules that write nothing (every other one must be walked).
READERS = {
    training_needs: {"closed_message", "head_counts"},
    training_services: {"waiting_positions", "not_started_message", "finishing_early_message", "late_reason_message",
                        "move_targets"},
    subsidy_services: {"payable_claims", "recoverable_reversals", "revocation_effect", "policy_totals", "as_money",
                       "reopen_refusal"},
    engine: {"months", "run_steps", "granted", "decided"},
    competitions_services: {"judge_entries", "judge_entries_of", "judge_keys", "part_averages", "marking_refusal",
                            "results_computable", "submitted_sheets", "publish_check", "sheets_shortfall_text"},
    certification_services: {"years_between", "decide", "reason_text", "decision_reasons", "upgrade_target",
                             "applications_refusal", "scores_refusal", "issue_refusal"},
    masters_lifecycle: {"local_today"},
    masters_nominations: set(),
    masters_review: {"assign_refusal", "review_refusal"},
    masters_ranking: {"eligibility_refusal", "shortlist_refusal"},
    masters_publicity: {"publicity_end", "publicity_refusal", "confer_refusal"},
    masters_incentives: {"grant_check"},
}


def looks_audited(f) -> bool:
    return isinstance(f, models.DecimalField) or f.name in STATUS_NAMES or "score" in f.name


def test_every_money_score_or_status_field_is_audited():
    """A new model (or field) holding money, a score or a status must join AUDITED, with history."""
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model.__name__.startswith("Historical"):
            continue
        for f in model._meta.concrete_fields:
            if looks_audited(f) and f.name not in AUDITED.get(model, []) \
                    and (model._meta.label, f.name) not in NOT_AUDITED:
                problems.append(f"{model._meta.label}.{f.name} is not in AUDITED")
    for model, names in AUDITED.items():
        history = getattr(model, "history", None)
        if history is None or not hasattr(history, "model"):
            problems.append(f"{model._meta.label} has no HistoricalRecords")
            continue
        tracked = {f.name for f in history.model._meta.fields}
        problems += [f"{model._meta.label}.{name} is left out of its history" for name in names if name not in tracked]
    assert problems == []


# The mechanism -------------------------------------------------------------------------------

def _attnames(model):
    return [model._meta.get_field(name).attname for name in AUDITED[model]]


def _snapshot() -> dict:
    return {model: {row[0]: row[1:] for row in model._base_manager.values_list("pk", *_attnames(model))}
            for model in AUDITED}


def _marks() -> dict:
    return {model: model.history.model.objects.aggregate(m=Max("history_id"))["m"] or 0 for model in AUDITED}


def baseline() -> None:
    """The rows the test set up (some by plain updates) as they are, so every step has a 'before'."""
    for model in AUDITED:
        record_history(model, model._base_manager.values_list("pk", flat=True), reason="audit baseline")


@dataclass
class Step:
    user: object
    deferred: tuple = ()
    changes: dict = field(default_factory=dict)  # model → {pk: (before, after)}; None where there is no row
    records: dict = field(default_factory=dict)  # model → the history records made during the step
    problems: list = field(default_factory=list)

    def changed(self, model) -> set:
        return set(self.changes.get(model, {}))

    def created(self, model) -> set:
        return {pk for pk, (before, _after) in self.changes.get(model, {}).items() if before is None}

    def reasons(self, model) -> set:
        changed = self.changed(model)
        return {r["history_change_reason"] for r in self.records.get(model, []) if r["pk"] in changed}

    def check(self, model, before: dict, after: dict, mark: int) -> None:
        changes = {pk: (before.get(pk), after.get(pk)) for pk in before.keys() | after.keys()
                   if before.get(pk) != after.get(pk)}
        if not changes:
            return
        self.changes[model] = changes
        attnames, pk_name = _attnames(model), model._meta.pk.attname
        records = {}
        for row in (model.history.model.objects.filter(**{f"{pk_name}__in": changes}).order_by("history_id")
                    .values("history_id", "history_type", "history_user_id", "history_change_reason", pk_name,
                            *attnames)):
            row["pk"], row["values"] = row[pk_name], tuple(row[a] for a in attnames)
            records.setdefault(row["pk"], []).append(row)
        self.records[model] = [r for rs in records.values() for r in rs if r["history_id"] > mark]
        for pk, (was, now) in sorted(changes.items()):
            self._check_row(f"{model._meta.label} #{pk}", model, attnames, was, now, records.get(pk, []), mark)

    def _check_row(self, label, model, attnames, was, now, records, mark):
        made = [r for r in records if r["history_id"] > mark]
        earlier = [r for r in records if r["history_id"] <= mark]
        if was is None and model in self.deferred:
            return  # created set-based and recorded at its first change (subsidies: record_creation)
        if not made:
            changed = [a for a, b, c in zip(attnames, was or [None] * len(attnames), now or [None] * len(attnames),
                                            strict=True) if b != c]
            self.problems.append(f"{label}: {', '.join(changed)} changed without a history record")
            return
        if now is None:
            if made[-1]["history_type"] != "-":
                self.problems.append(f"{label}: deleted, but its last history record is not a deletion")
        elif made[-1]["values"] != now:
            self.problems.append(f"{label}: the newest history record {made[-1]['values']} is not the row {now}")
        if was is not None:
            # Before the step: the record before it, or a creation recorded during it (record_creation).
            previous = earlier[-1] if earlier else made[0] if made[0]["history_type"] == "+" and len(made) > 1 else None
            if previous is None or previous["values"] != was:
                self.problems.append(f"{label}: the state before the step {was} is not in its history")
            if previous is made[0]:
                made = made[1:]
        for record in made:
            if self.user is not None and record["history_user_id"] != self.user.pk:
                self.problems.append(f"{label}: history record by user #{record['history_user_id']}, "
                                     f"not by #{self.user.pk} who acted")
            if was is not None and record["history_type"] == "~" and not record["history_change_reason"]:
                self.problems.append(f"{label}: changed without a reason in its history")


@contextlib.contextmanager
def audited(user, *, deferred=()):
    """Check the history of everything the block changes; user: who acts (None: nobody logged in)."""
    step = Step(user=user, deferred=tuple(deferred))
    before, marks = _snapshot(), _marks()
    yield step
    after = _snapshot()
    for model in AUDITED:
        step.check(model, before[model], after[model], marks[model])
    assert not step.problems, "\n".join(step.problems)


@contextlib.contextmanager
def walking(*modules):
    """Record the service functions called in the block; fail on a write service never called."""
    called = set()

    def spy(function, name):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            called.add(name)
            return function(*args, **kwargs)
        return wrapper

    writers = set()
    with pytest.MonkeyPatch.context() as patch:
        for module in modules:
            for name, function in list(vars(module).items()):
                if inspect.isfunction(function) and function.__module__ == module.__name__ \
                        and not name.startswith("_"):
                    patch.setattr(module, name, spy(function, f"{module.__name__}.{name}"))
                    if name not in READERS[module]:
                        writers.add(f"{module.__name__}.{name}")
        yield called
    missing = sorted(writers - called)
    assert not missing, f"write services the walk does not drive: {', '.join(missing)}"


def test_the_check_fails_on_a_change_without_history(role_users):
    """The mechanism itself: a status written by a plain UPDATE is caught, with the row named."""
    cls = open_class()
    baseline()
    officer = role_users[Role.TRAINING_OFFICER]
    changed_by_hand = rf"training.TrainingClass #{cls.pk}: status changed without a history record"
    with pytest.raises(AssertionError, match=changed_by_hand), audited(officer):
        TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.CLOSED)


def test_the_check_fails_on_history_without_the_user_or_the_reason(role_users):
    cls = open_class()
    baseline()
    officer = role_users[Role.TRAINING_OFFICER]
    with pytest.raises(AssertionError, match="not by .* who acted") as caught, audited(officer):
        TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.CLOSED)
        record_history(TrainingClass, [cls.pk], reason="")
    assert "changed without a reason" in str(caught.value)


def test_the_check_fails_when_the_state_before_is_lost(role_users):
    cls = open_class()
    officer = role_users[Role.TRAINING_OFFICER]  # no baseline: the class was opened by a plain UPDATE
    with pytest.raises(AssertionError, match="the state before the step"), audited(officer):
        training_services.class_transition(training_class=cls, to=TrainingClass.Status.CLOSED, user=officer)


def test_a_write_service_the_walk_misses_fails_it():
    with pytest.raises(AssertionError, match="training.services.enrollment_cancel"), walking(training_services):
        training_services.waiting_positions(open_class())


# Training -------------------------------------------------------------------------------------

def test_training_walk(role_users, organization, django_capture_on_commit_callbacks):
    officer, liaison = role_users[Role.TRAINING_OFFICER], role_users[Role.LIAISON]
    me = Worker.objects.get(user=role_users[Role.WORKER])
    first, second, third, fourth = (WorkerFactory(employer=organization) for _ in range(4))
    cls = open_class(capacity=1, sessions=2, has_exam=True)
    other = open_class(capacity=5, title="2026年电工培训班")
    s1, s2 = cls.sessions.order_by("starts_at")
    baseline()
    with walking(training_services):
        with audited(liaison) as step:
            training_services.enrollments_register(workers=[first, second], training_class=cls, user=liaison,
                                                   channel="liaison")
        e1, e2 = (Enrollment.objects.get(worker=w, training_class=cls) for w in (first, second))
        assert step.created(Enrollment) == {e1.pk, e2.pk}
        assert (e1.status, e2.status) == ("confirmed", "waitlisted")
        with audited(me.user):
            mine = training_services.enrollment_register(worker=me, training_class=cls, user=me.user, channel="self")
        with audited(liaison) as step:
            training_services.enrollment_cancel(enrollment=e1, user=liaison)
        assert step.changed(Enrollment) == {e1.pk, e2.pk}  # cancelled, and the first waiting promoted
        assert step.reasons(Enrollment) == {"enrollment.cancelled", "enrollment.promoted"}
        with audited(officer) as step:
            training_services.class_set_capacity(training_class=cls, capacity=2, user=officer)
        assert step.changed(Enrollment) == {mine.pk}
        e2.refresh_from_db()
        mine.refresh_from_db()
        for to in (TrainingClass.Status.CLOSED, TrainingClass.Status.RUNNING):
            with audited(officer) as step:
                training_services.class_transition(training_class=cls, to=to, user=officer)
            assert step.reasons(TrainingClass) == {"status"}
        hold_class(cls)  # its sessions are over: attendance can be taken
        s1, s2 = cls.sessions.order_by("starts_at")
        with audited(officer) as step:
            training_services.attendance_mark(session=s1, enrollment=e2, status="present", user=officer)
        assert step.created(Attendance)
        with audited(officer) as step:
            training_services.attendance_mark(session=s1, enrollment=e2, status="late", user=officer)
        assert step.changed(Attendance)
        with audited(officer) as step:
            training_services.attendance_save_many(training_class=cls, user=officer,
                                                   marks={(e2.pk, s2.pk): "present", (mine.pk, s1.pk): "absent",
                                                          (e2.pk, s1.pk): "present"},
                                                   exams={e2.pk: True, mine.pk: False})
        assert len(step.changed(Attendance)) == 3 and step.changed(Enrollment) == {e2.pk, mine.pk}
        with audited(officer):
            training_services.enrollment_set_exam(enrollment=mine, passed=True, user=officer)
        with audited(officer) as step, django_capture_on_commit_callbacks(execute=True):
            training_services.class_transition(training_class=cls, to=TrainingClass.Status.FINISHED, user=officer)
        # The completion job decided both seats: completed, and absent all along (a no-show).
        assert step.changed(Enrollment) == {e2.pk, mine.pk}
        assert step.reasons(Enrollment) == {"class.finished"}
        with audited(liaison):
            training_services.enrollments_register(workers=[third, fourth], training_class=other, user=liaison,
                                                   channel="liaison")
        hold_class(other, days_ago=1)
        with audited(officer) as step:
            training_services.enrollment_withdraw(enrollment=Enrollment.objects.get(worker=fourth), user=officer,
                                                  reason="工作调动")
        assert step.reasons(Enrollment) == {"enrollment.withdrawn:工作调动"}
        walk_in, later = WorkerFactory(), open_class(capacity=5, title="2026年焊工培训班（二期）")
        with audited(officer) as step:
            seat = training_services.enrollment_register_by_staff(worker=walk_in, training_class=other, user=officer,
                                                                  reason="补报名")
        assert step.created(Enrollment) == {seat.pk}
        with audited(officer) as step:
            moved = training_services.enrollment_move(enrollment=seat, to_class=later, user=officer, reason="调班")
        assert step.created(Enrollment) == {moved.pk} and step.changed(Enrollment) - {moved.pk} == {seat.pk}
        with audited(officer) as step:
            training_services.class_transition(training_class=other, to=TrainingClass.Status.CANCELLED, user=officer)
        assert step.reasons(Enrollment) == {"class.cancelled"}
        # The provider's liaison and the workers take a session's attendance; results for the whole class.
        taught = open_class(capacity=5, title="2026年钳工培训班", provider=organization, has_exam=True)
        seats = [training_services.enrollment_register(worker=w, training_class=taught, user=None, channel="staff")
                 for w in (me, WorkerFactory(employer=organization))]
        session = taught.sessions.order_by("starts_at").first()
        ClassSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
        session.refresh_from_db()
        with audited(me.user) as step:
            training_services.attendance_check_in(session=session, worker=me, user=me.user)
        assert step.reasons(Attendance) == {"attendance.checked_in"}
        with audited(liaison) as step:
            training_services.attendance_all_present(session=session, user=liaison)
        assert step.reasons(Attendance) == {"attendance.all_present"}
        with audited(officer) as step:
            training_services.exam_results_save(training_class=taught, results={seats[0].pk: True, seats[1].pk: False},
                                                user=officer)
        assert step.reasons(Enrollment) == {"enrollment.exam"}


def test_needs_walk(role_users, organization):
    """Answers carry no money, score or status; the plan lines made from them do (their budget)."""
    officer, liaison = role_users[Role.TRAINING_OFFICER], role_users[Role.LIAISON]
    me = Worker.objects.get(user=role_users[Role.WORKER])
    today = timezone.localdate()
    survey = NeedsSurvey.objects.create(title="需求调研", year=today.year + 1, starts_on=today,
                                        ends_on=today + datetime.timedelta(days=9))
    baseline()
    with walking(training_needs):
        with audited(me.user):
            mine = training_needs.response_create(survey=survey, worker=me, trade=trade())
        with audited(me.user):
            training_needs.response_change(response=mine, remark="周末")
        with audited(me.user):
            training_needs.response_withdraw(response=mine)
        with audited(liaison):
            training_needs.response_create(survey=survey, organization=organization, trade=trade(), head_count=9)
        with audited(officer) as step:
            training_needs.plan_lines_from_needs(survey=survey, targets={trade(): 9}, user=officer)
        assert step.reasons(PlanLine) == {f"plan.from_needs:{survey.title}"}


# Subsidies ------------------------------------------------------------------------------------

SUBSIDY_YEAR = 2024
numbers = itertools.count(1)


def banked_certified_worker():
    from training.subsidies.models import InsuredPeriod

    worker = WorkerFactory(bank_name="中国工商银行", bank_account="6217000011112222333")
    InsuredPeriod.objects.create(worker=worker, start=datetime.date(SUBSIDY_YEAR - 2, 1, 1))
    Certificate.objects.create(number=f"A{SUBSIDY_YEAR}{next(numbers):06d}", holder=worker, trade=trade(), level=4,
                               issued_on=datetime.date(SUBSIDY_YEAR, 6, 15), source="imported")
    return worker


def test_subsidies_walk(django_capture_on_commit_callbacks):
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    maker, checker = UserFactory(role=Role.FINANCE_OFFICER), UserFactory(role=Role.FINANCE_OFFICER)
    skill = subsidy_policy()
    for _ in range(4):
        banked_certified_worker()
    baseline()
    with walking(subsidy_services, engine):
        # The engine inserts claims set-based without history rows (docs/subsidies.md): who made
        # them is the run's starter, and each claim's creation is recorded at its first change.
        with audited(officer, deferred=[Claim]) as step, django_capture_on_commit_callbacks(execute=True):
            run = subsidy_services.run_start(period_start=datetime.date(SUBSIDY_YEAR, 1, 1),
                                             period_end=datetime.date(SUBSIDY_YEAR, 12, 31),
                                             claimed_on=datetime.date(SUBSIDY_YEAR, 12, 31), user=officer)
        claims = list(Claim.objects.order_by("pk"))
        assert step.created(Claim) == {c.pk for c in claims} and len(claims) == 4
        assert {(c.status, c.run_id, c.amount) for c in claims} == {("pending", run.pk, Decimal("1500.00"))}
        assert run.started_by == officer
        with audited(officer) as step:
            subsidy_services.claims_approve(claims=Claim.objects.filter(pk__in=[c.pk for c in claims[:3]]),
                                            user=officer)
        assert step.reasons(Claim) == {"claim.computed", "claim.approved"}
        with audited(officer) as step:
            subsidy_services.claims_refuse(claims=Claim.objects.filter(pk=claims[3].pk), user=officer,
                                           reason="证书存疑")
        assert step.changed(Claim) == {claims[3].pk}
        with audited(officer) as step:
            subsidy_services.claim_reopen(claim=claims[3], user=officer, reason="补交材料")
        assert step.reasons(Claim) == {"claim.reopened:补交材料"}
        with audited(maker) as step:
            batch = subsidy_services.batch_create(policy=skill, user=maker)
        assert step.created(Batch) == {batch.pk} and len(step.changed(Claim)) == 3
        with audited(maker) as step:
            subsidy_services.batch_delete(batch=batch, user=maker)
        assert step.changed(Batch) == {batch.pk} and step.reasons(Claim) == {"claim.unbatched"}
        with audited(maker):
            batch = subsidy_services.batch_create(policy=skill, user=maker, note="2024年第一批")
        with audited(checker) as step:
            subsidy_services.batch_approve(batch=batch, user=checker)
        assert step.changed(Policy) == {skill.pk} and step.changed(Batch) == {batch.pk}
        with audited(checker) as step:
            payment = subsidy_services.payment_record(batch=batch, user=checker, paid_on=timezone.localdate(),
                                                      reference="ICBC20250120001")
        assert step.created(Payment) == {payment.pk} and step.changed(Policy) == {skill.pk}
        with audited(officer) as step:
            reversal = subsidy_services.claim_reverse(claim=claims[0], user=officer, reason="重复领取")
        assert step.created(Claim) == {reversal.pk} and step.reasons(Claim) == {"claim.reversal"}
        assert step.changed(Policy) == {skill.pk}  # the paid money netted
        with audited(officer) as step:
            subsidy_services.policy_budget_change(policy=skill, budget=Decimal("900000"), user=officer)
        assert step.changed(Policy) == {skill.pk}
        with audited(maker) as step:
            recovery = subsidy_services.batch_create(policy=skill, user=maker, kind=Batch.Kind.RECOVERY)
        assert step.created(Batch) == {recovery.pk} and step.changed(Claim) == {reversal.pk}
        with audited(checker):
            subsidy_services.batch_approve(batch=recovery, user=checker)
        with audited(checker) as step:
            subsidy_services.batch_send_back(batch=recovery, user=checker, reason="凭证不全")
        assert step.reasons(Batch) == {"batch.sent_back:凭证不全"}
        with audited(maker):
            subsidy_services.batch_delete(batch=recovery, user=maker)
        with audited(maker) as step:
            subsidy_services.recovery_mark(claim=reversal, user=maker, recovered_on=timezone.localdate(),
                                           reference="HK-001", reason="本人柜台退回")
        assert step.reasons(Claim) == {"claim.recovered:HK-001"}
        with audited(officer) as step:
            reversed_ = subsidy_services.claims_reverse_for_certificate(certificate=claims[1].certificate,
                                                                         user=officer, reason="证书撤销")
        assert step.created(Claim) == {r.pk for r in reversed_} and len(reversed_) == 1
        with audited(officer) as step:
            undone = subsidy_services.reversals_undo_for_certificate(certificate=claims[1].certificate, user=officer,
                                                                     reason="撤销已撤回")
        assert undone == 1 and not Claim.objects.filter(pk=reversed_[0].pk).exists()
        with audited(officer):
            subsidy_services.claims_approve(claims=Claim.objects.filter(pk=claims[3].pk), user=officer)
        Worker.objects.filter(pk=claims[3].worker_id).update(bank_name="", bank_account="")  # details lost
        with audited(officer):
            assert subsidy_services.bank_reminders_send(claims=Claim.objects.all(), user=officer) == 1
        payee = claims[1].worker
        payee.user = UserFactory(role=Role.WORKER)
        payee.save(update_fields=["user"])
        with audited(payee.user) as step:
            subsidy_services.bank_details_change(worker=payee, user=payee.user, bank_name="中国建设银行",
                                                 bank_account="6227000011112222444")
        assert step.changed(Worker) == {payee.pk}
        from training.subsidies.models import Application, ShortageOccupation

        held = banked_certified_worker()
        with audited(officer):
            made = subsidy_services.applications_create(certificates=held.certificates.all(), user=officer,
                                                        channel=Application.Channel.STAFF)
        assert [a.history.get().history_user for a in made] == [officer]
        with audited(officer):
            subsidy_services.shortage_save(
                ShortageOccupation(trade=trade(), level=4, valid_from=datetime.date(SUBSIDY_YEAR, 1, 1),
                                   valid_to=datetime.date(SUBSIDY_YEAR, 12, 31), source="紧缺职业目录"), user=officer)


# Competitions ---------------------------------------------------------------------------------

def test_competitions_walk(client, role_users, organization, django_capture_on_commit_callbacks):
    officer, liaison = role_users[Role.COMPETITIONS_OFFICER], role_users[Role.LIAISON]
    city = competition(name="2026年十堰市焊工职业技能竞赛", level=Competition.Level.CITY)
    city_event = event(comp=city)
    district = competition(advances_to=city)
    welding = event(comp=district, rules={Tier.FIRST: 1, Tier.SECOND: 1})
    AwardRule.objects.filter(event=welding, tier=Tier.FIRST).update(advances=True)
    provincial = competition(name="2026年湖北省焊工职业技能竞赛", level=Competition.Level.PROVINCIAL, external=True)
    recorded = event(comp=provincial, parts=())
    innovation = competition(name="十堰市双创大赛", kind=Competition.Kind.INNOVATION, external=True)
    judges = [UserFactory(role=Role.JUDGE) for _ in range(3)]
    workers = [welder(organization) for _ in range(3)]
    theory, practical = welding.parts.order_by("order")
    baseline()
    with walking(competitions_services):
        with audited(officer):
            competitions_services.judges_assign(event=welding, judges=judges, user=officer)
        entries = []
        for worker in workers:
            with audited(liaison) as step:
                entries.append(competitions_services.entry_create(event=welding, organization=organization,
                                                                  user=liaison, worker=worker))
            assert step.created(Entry) == {entries[-1].pk}
        with audited(liaison) as step:
            competitions_services.entry_withdraw(entry=entries[2], user=liaison)
        assert step.reasons(Entry) == {"entry.withdrawn"}
        close_entries(district)  # the competition is under way: judges mark
        for n, judge in enumerate(judges):
            for entry, base in zip(entries[:2], (Decimal("90"), Decimal("70")), strict=True):
                with audited(judge) as step:
                    competitions_services.sheet_save(entry=entry, judge=judge, submit=False,
                                                     marks={theory.pk: base - 10, practical.pk: base})
                assert len(step.created(Mark)) == 2 and len(step.created(ScoreSheet)) == 1
                with audited(judge) as step:
                    competitions_services.sheet_save(entry=entry, judge=judge, submit=True,
                                                     marks={theory.pk: base + n, practical.pk: base})
                assert len(step.changed(Mark)) == 1 and len(step.changed(ScoreSheet)) == 1
        client.force_login(officer)
        with audited(officer) as step, django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("competitions:results_run", args=[district.pk]))
        assert len(step.created(Result)) == 2 and step.reasons(Result) == {"result.computed"}
        mark = Mark.objects.get(sheet__entry=entries[1], sheet__judge=judges[0], part=practical)
        with audited(officer) as step:
            competitions_services.mark_correct(mark=mark, value=Decimal("99"), reason="计分错误", user=officer)
        assert step.reasons(Mark) == {"mark.corrected:计分错误"}
        with audited(officer) as step, django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("competitions:results_run", args=[district.pk]))
        assert step.changed(Result)  # the correction moved the final score
        with audited(officer) as step:
            competitions_services.results_publish(competition=district, user=officer)
        assert step.changed(Competition) == {district.pk}
        assert Entry.objects.filter(event=city_event, pk__in=step.created(Entry)).count() == 1  # the winner went up
        winner = Result.objects.get(entry__event=welding, tier=Tier.FIRST)
        with audited(officer) as step:
            competitions_services.result_correct(result=winner, rank=2, tier=Tier.SECOND, title="", reason="名次录错",
                                                 user=officer)
        assert step.reasons(Result) == {"result.corrected:名次录错"}
        assert step.reasons(Entry) == {f"entry.advancement_undone:{district.name}"}  # no longer goes up
        with audited(officer) as step:
            competitions_services.results_withdraw(competition=district, reason="复核", user=officer)
        assert step.changed(Competition) == {district.pk}
        assert step.reasons(Competition) == {"competition.withdrawn:复核"}
        with audited(officer) as step:
            competitions_services.results_publish(competition=district, user=officer)
        assert step.reasons(Competition) == {"competition.published"}
        with audited(officer) as step:
            competitions_services.results_record(event=recorded, user=officer, rows=[
                {"worker": workers[0], "rank": 3, "tier": Tier.THIRD, "title": ""}])
        assert len(step.created(Entry)) == 1 and len(step.created(Result)) == 1
        with audited(officer) as step:
            competitions_services.results_record(event=recorded, user=officer, rows=[
                {"worker": workers[0], "rank": 2, "tier": Tier.SECOND, "title": "湖北省技术能手"}])
        assert len(step.changed(Result)) == 1
        with audited(liaison) as step:
            project = competitions_services.project_submit(title="焊缝自动跟踪装置", competition=innovation,
                                                           organization=organization, team=workers[:2],
                                                           summary="革新", attachments=[], user=liaison)
        for to, award in (("shortlisted", ""), ("awarded", "二等奖")):
            with audited(officer) as step:
                competitions_services.project_transition(project=project, to=to, award=award, user=officer)
            assert step.changed(InnovationProject) == {project.pk}


# Certification --------------------------------------------------------------------------------

def test_certification_walk(client, role_users, organization, django_capture_on_commit_callbacks):
    officer, liaison = role_users[Role.CERTIFICATION_OFFICER], role_users[Role.LIAISON]
    s = assessment_session(level=5, capacity=2)
    EligibilityRule.objects.create(level=5, name="从事本职业1年以上", min_trade_years=1)
    practised = [welder(organization) for _ in range(3)]
    newcomer = WorkerFactory(employer=organization)  # no years in the trade
    upgraded = welder(organization)
    award = competition(name="2026年张湾区电工竞赛", results_published=True)
    contest = event(comp=award)
    for bib, (worker, upgrade) in enumerate(((upgraded, Upgrade.CERTIFY_UP), (practised[1], Upgrade.APPLY_UP)), 1):
        entry = Entry.objects.create(event=contest, worker=worker, organization=organization, bib=bib)
        Result.objects.create(entry=entry, rank=bib, tier=Tier.FIRST, upgrade=upgrade)
    baseline()
    with walking(certification_services):
        applications = []
        for worker in [*practised, newcomer]:
            with audited(liaison) as step:
                applications.append(certification_services.application_submit(worker=worker, session=s,
                                                                               user=liaison))
            assert step.created(Application) == {applications[-1].pk}
        with audited(liaison) as step:
            certification_services.application_withdraw(application=applications[2], user=liaison)
        assert step.reasons(Application) == {"application.withdrawn"}
        client.force_login(officer)
        with audited(officer) as step, django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("certification:eligibility_run"))
        assert len(step.changed(Application)) == 3 and step.reasons(Application) == {"application.eligibility"}
        with audited(officer) as step:
            certification_services.applications_admit(session=s, user=officer)
        assert step.reasons(Application) == {"application.admitted"}
        with audited(officer) as step:
            certification_services.session_transition(session=s, to=AssessmentSession.Status.CLOSED, user=officer)
        assert step.changed(AssessmentSession) == {s.pk} and step.reasons(AssessmentSession) == {"status"}
        hold_session(s)  # the assessment has taken place
        with audited(officer):
            certification_services.scores_enter(application=applications[0], theory=Decimal("82"),
                                                practical=Decimal("75"), user=officer)
        with audited(officer) as step:
            certification_services.scores_import(session=s, user=officer, rows=[
                {"application": applications[1], "theory": Decimal("55"), "practical": Decimal("70"),
                 "review": None}])
        assert step.reasons(Application) == {"application.scores_imported"}
        with audited(officer) as step:
            [certificate] = certification_services.certificates_issue(session=s, user=officer)
        assert step.created(Certificate) == {certificate.pk} and step.changed(AssessmentSession) == {s.pk}
        with audited(officer) as step:
            certification_services.certificate_revoke(certificate=certificate, reason="材料不实", user=officer)
        assert step.reasons(Certificate) == {"certificate.revoked"}
        with audited(officer) as step:
            certification_services.certificate_reinstate(certificate=certificate, reason="复核无误", user=officer)
        assert step.reasons(Certificate) == {"certificate.reinstated:复核无误"}
        with audited(officer) as step:
            certification_services.certificates_import(user=officer, rows=[
                {"number": "HB2020000123", "worker": practised[1], "trade": trade(), "level": 4,
                 "issued_on": datetime.date(2020, 5, 1), "issuer": "湖北省职业技能鉴定指导中心"}])
        assert len(step.created(Certificate)) == 1
        with audited(officer) as step:
            certification_services.competition_route_apply(user=officer)
        assert len(step.created(Certificate)) == 1 and len(step.created(EligibilityGrant)) == 1


# Masters --------------------------------------------------------------------------------------

def pdf(name="事迹材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
                              content_type="application/pdf")


def test_masters_walk(client, role_users, organization, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    officer, liaison = role_users[Role.MASTERS_OFFICER], role_users[Role.LIAISON]
    round_ = selection_round(quota=1)
    nominees = [qualified_worker() for _ in range(3)]
    pool = [reviewer() for _ in range(5)]
    colleague = reviewer(organization=nominees[0].employer)  # a same-organization conflict, dismissed
    money = IncentivePolicy.objects.create(number=5, name="技能大师工作室资助", involves_money=True)
    topic = TalkTopic.objects.create(title="工匠精神", category=TalkTopic.Category.CRAFTSMANSHIP)
    order = TalkOrder.objects.create(topic=topic, organization=organization, preferred_date=datetime.date(YEAR, 9, 1),
                                     expected_audience=200, ordered_by=liaison)
    baseline()
    with walking(masters_lifecycle, masters_nominations, masters_review, masters_ranking, masters_publicity,
                 masters_incentives):
        nominations = []
        for worker in nominees:
            with audited(officer) as step:
                nominations.append(masters_nominations.nomination_create(
                    round_=round_, nominee=worker, trade=trade(), source="union", statement="技术精湛",
                    achievements="多项革新", user=officer, today=NOMINATING))
            assert step.created(Nomination) == {nominations[-1].pk}
        first, second, third = nominations
        with audited(None):  # a draft's text: nothing audited
            masters_nominations.nomination_update(nomination=first, user=officer, statement="技术精湛，带徒20人")
            attachment = masters_nominations.attachment_add(nomination=first, upload=pdf(), user=officer)
            masters_nominations.attachment_delete(attachment=attachment, user=officer)
        for nomination in nominations:
            with audited(officer) as step:
                masters_nominations.nomination_submit(nomination=nomination, user=officer, today=NOMINATING)
            assert step.reasons(Nomination) == {"nomination.submitted"}
        client.force_login(officer)
        with audited(officer) as step, django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("masters:round_eligibility", args=[round_.pk]))
        assert step.changed(Nomination) == {n.pk for n in nominations}
        with audited(None):
            masters_review.conflict_waive(nomination=first, reviewer=colleague, reason="不同车间，无利害关系",
                                            user=officer)
        with audited(officer) as step:
            masters_review.reviewers_assign(round_=round_, user=officer, today=REVIEWING)
        assert len(step.created(Assignment)) == 9 and len(step.changed(Nomination)) == 3
        with audited(officer) as step:
            masters_nominations.nomination_withdraw(nomination=third, user=officer)
        assert len(step.changed(Assignment)) == 3  # its reviewers are released
        spare = next(r for r in [*pool, colleague] if not first.assignments.filter(reviewer=r).exists())
        with audited(officer) as step:
            added = masters_review.assignment_add(nomination=first, reviewer=spare, user=officer)
        with audited(officer) as step:
            masters_review.assignment_remove(assignment=added, user=officer)
        assert step.reasons(Assignment) == {"assignment.removed"}
        criteria = list(round_.criteria.order_by("order"))
        stepping_back = second.assignments.filter(status=Assignment.Status.ASSIGNED).first()
        with audited(stepping_back.reviewer.user) as step:
            masters_review.review_save(assignment=stepping_back, user=stepping_back.reviewer.user,
                                         scores={criteria[0].pk: Decimal("80")}, comments={}, comment="",
                                         submit=False, today=REVIEWING)
        assert len(step.created(Score)) == 1
        with audited(stepping_back.reviewer.user) as step:
            masters_review.conflict_declare(assignment=stepping_back, user=stepping_back.reviewer.user,
                                              reason="曾是其师傅")
        assert len(step.changed(Score)) == 1 and len(step.created(Assignment)) == 1  # draft gone, a stand-in
        for nomination, mean in ((first, Decimal("90")), (second, Decimal("70"))):
            for n, assignment in enumerate(nomination.assignments.filter(status=Assignment.Status.ASSIGNED)):
                user = assignment.reviewer.user
                with audited(user) as step:
                    masters_review.review_save(assignment=assignment, user=user, comments={}, comment="",
                                                 scores={criteria[0].pk: mean - 20, criteria[1].pk: Decimal("30")},
                                                 submit=False, today=REVIEWING)
                with audited(user) as step:
                    masters_review.review_save(assignment=assignment, user=user, comments={}, comment="好",
                                                 submit=True, scores={criteria[0].pk: mean + n}, today=REVIEWING)
                assert step.changed(Score) and step.reasons(Assignment) == {"assignment.submitted"}
        with audited(officer) as step:
            masters_ranking.ranking_compute(round_=round_, user=officer)
        assert step.changed(Nomination) == {first.pk, second.pk}
        with audited(officer) as step:
            masters_ranking.shortlist_make(round_=round_, user=officer)
        assert step.changed(Nomination) == {first.pk}
        for include in (False, True):
            with audited(officer) as step:
                masters_ranking.shortlist_change(nomination=first, include=include, reason="复核", user=officer)
            assert step.reasons(Nomination) == {"nomination.shortlist_changed:复核"}
        # Equal scores at the quota line: the officer decides, with the reason, who is in.
        Nomination.objects.filter(pk=second.pk).update(rank=1)
        record_history(Nomination, [second.pk], reason="nomination.ranked", user=officer)
        for chosen, reason in ((second, "同分，革新成果更多"), (first, "复议：带徒成效更突出")):
            with audited(officer) as step:
                masters_ranking.tie_decide(round_=round_, chosen=[chosen.pk], reason=reason, user=officer)
            assert step.changed(Nomination) == {first.pk, second.pk}
            assert step.reasons(Nomination) == {f"nomination.tie_decided:{reason}"}
        with audited(officer) as step:
            masters_publicity.publicity_open(round_=round_, user=officer, starts=datetime.date(YEAR, 7, 1))
        assert step.changed(SelectionRound) == {round_.pk} and step.changed(Nomination) == {first.pk, second.pk}
        with audited(None) as step:  # anyone may object: nobody is logged in
            objection = masters_publicity.objection_file(nomination=first, name="王某", contact="13900000000",
                                                        text="业绩不实",
                                                        today=datetime.date(YEAR, 7, 4))
        assert step.created(Objection) == {objection.pk}
        with audited(officer) as step:
            masters_publicity.objection_resolve(objection=objection, answer="经核实，业绩属实", upheld=False,
                                               user=officer)
        assert step.changed(Objection) == {objection.pk}
        with audited(officer) as step:
            masters_publicity.round_confer(round_=round_, user=officer, today=datetime.date(YEAR, 7, 20))
        [title] = MasterTitle.objects.filter(pk__in=step.created(MasterTitle))
        assert step.changed(Nomination) == {first.pk} and step.changed(SelectionRound) == {round_.pk}
        with audited(officer) as step:
            masters_incentives.grant_record(user=officer, grant=IncentiveGrant(
                policy=money, master=title, granted_on=datetime.date(YEAR, 8, 1), amount=Decimal("50000.00")))
        assert len(step.created(IncentiveGrant)) == 1
        with audited(officer) as step:
            masters_incentives.talk_schedule(order=order, held_on=datetime.date(YEAR, 9, 3), speaker=title.worker.name,
                                           venue="职工之家", user=officer)
        with audited(officer) as step:
            masters_incentives.talk_record(order=order, attendance=180, user=officer)
        assert step.reasons(TalkOrder) == {"talk.held"}
        later = TalkOrder.objects.create(topic=topic, organization=organization, expected_audience=50,
                                         preferred_date=datetime.date(YEAR, 10, 1), ordered_by=liaison)
        with audited(officer) as step:
            masters_incentives.talk_cancel(order=later, user=officer)
        assert step.reasons(TalkOrder) == {"talk.cancelled"}
    # Every reason the walk wrote is a key of REASONS (read in the reader's language), none free text.
    written = {reason for model in apps.get_app_config("masters").get_models() if hasattr(model, "history")
               for reason in model.history.values_list("history_change_reason", flat=True)
               if reason and reason != "audit baseline"}
    assert written and {reason.partition(":")[0] for reason in written} <= set(REASONS)

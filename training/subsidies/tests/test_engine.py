"""The claim engine's rules, each at its boundary, and its idempotence."""

import datetime
import itertools
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from certification.models import Certificate
from training.models import Attendance, Enrollment, TrainingClass
from training.tests.factories import CourseFactory, open_class
from zhangwan.registry.tests.factories import WorkerFactory, trade

from .. import engine, services
from ..models import Application, Claim, InsuredPeriod, Kind, Run, ShortageOccupation
from .factories import YEAR, policy

D = datetime.date
MID_YEAR, YEAR_START, YEAR_END = D(YEAR, 6, 15), D(YEAR, 1, 1), D(YEAR, 12, 31)
MAY_20 = D(YEAR, 5, 20)
numbers = itertools.count(1)


def certificate(worker, *, level=4, issued_on=MID_YEAR, code="6-18-02-04") -> Certificate:
    return Certificate.objects.create(number=f"T{YEAR}{next(numbers):06d}", holder=worker, trade=trade(code),
                                      level=level, issued_on=issued_on, source="imported")


def insured(months_before=24, day=MID_YEAR, **fields):
    year, month = divmod(day.month - 1 - months_before, 12)
    return insured_in(WorkerFactory(**fields), (day.replace(year=day.year + year, month=month + 1), None))


def insured_in(worker, *periods):
    """The worker insured in these (start, end) periods, as the social-insurance office lists them."""
    InsuredPeriod.objects.bulk_create([InsuredPeriod(worker=worker, start=start, end=end) for start, end in periods])
    return worker


def run(start=YEAR_START, end=YEAR_END, claimed_on=YEAR_END) -> Run:
    created = Run.objects.create(period_start=start, period_end=end, claimed_on=claimed_on)
    return engine.run_execute(created.pk)


def claim_for(cert) -> Claim:
    return Claim.objects.get(certificate=cert, enrollment__isnull=True)


def snapshot():
    return sorted(Claim.objects.values_list("policy_id", "certificate_id", "enrollment_id", "status", "amount",
                                            "reasons", "quantity"), key=str)


@pytest.fixture
def skill(db):
    return policy(Kind.SKILL)


def test_twelve_months_insured_is_enough(skill):
    cert = certificate(insured(12))
    run()
    assert (claim_for(cert).status, claim_for(cert).amount) == ("pending", Decimal("1500.00"))


def test_eleven_months_insured_is_refused_with_the_reason(skill):
    cert = certificate(insured_in(WorkerFactory(), (D(YEAR - 1, 6, 16), None)))
    run()
    assert (claim_for(cert).status, claim_for(cert).reasons, claim_for(cert).amount) == (
        "ineligible", ["insured_short"], Decimal("0.00"))


def test_a_worker_who_paid_five_months_years_ago_is_refused(skill):
    cert = certificate(insured_in(WorkerFactory(), (D(YEAR - 6, 1, 1), D(YEAR - 6, 5, 31))))
    run()
    assert claim_for(cert).reasons == ["insured_short"]


def test_cumulative_months_add_up_across_breaks_and_stop_at_the_issue_date(skill):
    # Issued on 1 July: the 12 months before it are 366 days; 181 days in the first half of YEAR - 3,
    # then 185 days from 29 December (to 30 June) make them, 184 from 30 December do not.
    enough = certificate(insured_in(WorkerFactory(), (D(YEAR - 3, 1, 1), D(YEAR - 3, 6, 30)),
                                    (D(YEAR - 1, 12, 29), None)), issued_on=D(YEAR, 7, 1))
    short = certificate(insured_in(WorkerFactory(), (D(YEAR - 3, 1, 1), D(YEAR - 3, 6, 30)),
                                   (D(YEAR - 1, 12, 30), None)), issued_on=D(YEAR, 7, 1))
    run()
    assert (claim_for(enough).reasons, claim_for(short).reasons) == ([], ["insured_short"])


def test_a_policy_that_asks_for_months_without_a_break_refuses_periods_with_a_gap(db):
    policy(Kind.SKILL, insured_continuously=True)
    gap = certificate(insured_in(WorkerFactory(), (D(YEAR - 3, 1, 1), D(YEAR - 1, 12, 31)),
                                 (D(YEAR, 2, 1), None)))
    adjacent = certificate(insured_in(WorkerFactory(), (D(YEAR - 2, 1, 1), D(YEAR - 1, 3, 31)),
                                      (D(YEAR - 1, 4, 1), None)))
    run()
    assert (claim_for(gap).reasons, claim_for(adjacent).reasons) == (["insured_short"], [])


def test_a_workers_insured_periods_never_overlap(db):
    worker = insured_in(WorkerFactory(), (D(YEAR - 3, 1, 1), D(YEAR - 1, 12, 31)))
    with pytest.raises(IntegrityError), transaction.atomic():
        insured_in(worker, (D(YEAR - 1, 12, 31), None))
    with pytest.raises(IntegrityError), transaction.atomic():
        insured_in(worker, (D(YEAR, 5, 1), D(YEAR, 4, 30)))


def shortage(code, level=4, *, valid_from=YEAR_START, valid_to=YEAR_END):
    return ShortageOccupation.objects.create(trade=trade(code), level=level, valid_from=valid_from,
                                             valid_to=valid_to, source="人社厅函〔2024〕1号")


def test_one_ordinary_certificate_a_year_is_paid_the_others_are_over_the_limit(skill):
    worker = insured(36)
    certs = [certificate(worker, issued_on=D(YEAR, month, 1), code=code)
             for month, code in [(2, "6-18-02-04"), (3, "6-31-01-03"), (4, "6-18-01-01")]]
    run()
    assert [claim_for(c).reasons for c in certs] == [[], ["yearly_limit"], ["yearly_limit"]]


def test_shortage_occupations_pay_up_to_two_more_a_year(skill):
    worker = insured(36)
    for code in ["6-31-01-03", "6-18-01-01", "6-20-03-01"]:
        shortage(code)
    certs = [certificate(worker, issued_on=D(YEAR, month, 1), code=code)
             for month, code in [(2, "6-31-01-03"), (3, "6-18-02-04"), (4, "6-18-01-01"), (5, "6-20-03-01"),
                                 (6, "6-30-99-00")]]
    run()
    # The first shortage one, the ordinary one and a second shortage one: three; then the limit.
    assert [claim_for(c).reasons for c in certs] == [[], [], [], ["yearly_limit"], ["yearly_limit"]]


def test_a_shortage_entry_counts_only_for_its_level_and_period(skill):
    worker = insured(36)
    shortage("6-31-01-03", level=3)
    shortage("6-18-01-01", valid_to=D(YEAR, 3, 31))
    certs = [certificate(worker, issued_on=D(YEAR, 2, 1)),
             certificate(worker, issued_on=D(YEAR, 3, 1), code="6-31-01-03"),
             certificate(worker, issued_on=D(YEAR, 4, 1), code="6-18-01-01")]
    run()
    assert [claim_for(c).reasons for c in certs] == [[], ["yearly_limit"], ["yearly_limit"]]


def test_earlier_claims_of_the_year_count_towards_the_limit(skill):
    worker = insured(36)
    shortage("6-31-01-03")
    certificate(worker, issued_on=D(YEAR, 2, 1))
    run(end=D(YEAR, 2, 28))
    ordinary = certificate(worker, issued_on=D(YEAR, 3, 1), code="6-18-01-01")
    on_list = certificate(worker, issued_on=D(YEAR, 4, 1), code="6-31-01-03")
    run(start=D(YEAR, 3, 1))
    assert (claim_for(ordinary).reasons, claim_for(on_list).reasons) == (["yearly_limit"], [])


def test_the_shortage_list_refuses_a_period_ending_before_it_starts_and_a_second_entry_on_one_day(db):
    shortage("6-31-01-03")
    with pytest.raises(IntegrityError), transaction.atomic():
        shortage("6-31-01-03")
    with pytest.raises(IntegrityError), transaction.atomic():
        shortage("6-18-01-01", valid_from=D(YEAR, 5, 1), valid_to=D(YEAR, 4, 30))


def test_the_same_trade_and_level_is_paid_once(skill):
    worker = insured(36)
    first, second = certificate(worker, issued_on=D(YEAR, 3, 1)), certificate(worker, issued_on=D(YEAR, 9, 1))
    run()
    assert claim_for(first).status == "pending"
    assert claim_for(second).reasons == ["trade_level_subsidised"]


def test_the_same_trade_and_level_is_refused_in_a_later_run_too(skill):
    worker = insured(36)
    certificate(worker, issued_on=D(YEAR, 3, 1))
    run(end=D(YEAR, 6, 30))
    later = certificate(worker, issued_on=D(YEAR, 9, 1))
    run(start=D(YEAR, 7, 1))
    assert claim_for(later).reasons == ["trade_level_subsidised"]


def test_a_claim_one_day_past_twelve_months_is_late(skill):
    on_time, late = certificate(insured(24)), certificate(insured(24))
    Certificate.objects.filter(pk=late.pk).update(issued_on=D(YEAR, 6, 14))
    # Claimed on 15 June next year: exactly 12 months after one, 12 months and a day after the other.
    run(end=D(YEAR, 6, 30), claimed_on=D(YEAR + 1, 6, 15))
    assert claim_for(on_time).status == "pending"
    assert claim_for(late).reasons == ["claimed_late"]


def test_the_claim_window_is_measured_to_the_application_date_not_to_the_run(skill, role_users):
    applied, not_applied = certificate(insured(24)), certificate(insured(24))
    Application.objects.create(certificate=applied, worker=applied.holder, applied_on=D(YEAR + 1, 6, 15),
                               channel="worker", applied_by=role_users["worker"])
    # The office computes in September, three months after the worker applied on the last day.
    run(end=D(YEAR, 6, 30), claimed_on=D(YEAR + 1, 9, 1))
    assert (claim_for(applied).status, claim_for(applied).claimed_on) == ("pending", D(YEAR + 1, 6, 15))
    assert claim_for(not_applied).reasons == ["claimed_late"]


def test_a_lower_level_after_a_higher_one_is_refused(skill):
    worker = insured(36)
    certificate(worker, level=3, issued_on=D(YEAR - 2, 5, 1))
    lower = certificate(worker, level=4)
    run()
    assert claim_for(lower).reasons == ["higher_level_held"]


def test_every_refusing_rule_is_recorded(skill):
    cert = certificate(WorkerFactory(), level=2)
    run(claimed_on=D(YEAR + 2, 1, 1))
    assert claim_for(cert).reasons == ["insured_short", "claimed_late", "no_rate"]


def test_a_shortage_trade_rate_beats_the_level_rate(db):
    robot = trade("6-30-99-00")
    policy(Kind.SKILL, rates=[(4, 1500)]).rates.create(level=4, trade=robot, amount=Decimal("1800"))
    cert = certificate(insured(24), code="6-30-99-00")
    run()
    assert claim_for(cert).amount == Decimal("1800.00")


def finished_class(*, has_exam=False, sessions=3, ends_on=MAY_20):
    cls = open_class(sessions=sessions, course=CourseFactory(level=4), has_exam=has_exam)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished", starts_on=ends_on - datetime.timedelta(days=2),
                                                   ends_on=ends_on)
    cls.refresh_from_db()
    return cls


def enrolled(cls, worker=None, *, status="completed", attended="80", required="100", exam_passed=None):
    return Enrollment.objects.create(worker=worker or WorkerFactory(), training_class=cls, status=status,
                                     channel="staff", attended_hours=Decimal(attended),
                                     required_hours=Decimal(required), exam_passed=exam_passed)


def test_a_trainee_at_80_percent_gets_the_training_subsidy_and_79_percent_does_not(db):
    policy(Kind.TRAINING)
    cls = finished_class()
    enough, short = enrolled(cls), enrolled(cls, status="failed", attended="79")
    run()
    assert Claim.objects.get(enrollment=enough).status == "pending"
    assert Claim.objects.get(enrollment=enough).amount == Decimal("500.00")
    assert Claim.objects.get(enrollment=short).reasons == ["attendance_short"]


def test_a_failed_exam_refuses_the_training_subsidy(db):
    policy(Kind.TRAINING)
    trainee = enrolled(finished_class(has_exam=True), status="failed", attended="100", exam_passed=False)
    run()
    assert Claim.objects.get(enrollment=trainee).reasons == ["exam_not_passed"]


def test_a_policy_that_requires_a_certificate_pays_only_the_certified_and_only_once(db):
    policy(Kind.TRAINING, requires_certificate=True)
    skill = policy(Kind.SKILL)
    cls = finished_class()
    certified, uncertified = enrolled(cls, insured(36)), enrolled(cls)
    cert = certificate(certified.worker, issued_on=D(YEAR, 6, 15))
    run()
    training = Claim.objects.get(enrollment=certified)
    assert (training.status, training.certificate) == ("pending", cert)
    assert Claim.objects.get(enrollment=uncertified).reasons == ["no_certificate"]
    # Not stacked: the skill-improvement subsidy is refused for the certificate the training paid.
    assert Claim.objects.get(policy=skill, certificate=cert).reasons == ["training_subsidised"]


def test_living_expenses_are_paid_per_attended_day_to_registered_labourers_only(db):
    policy(Kind.LIVING)
    cls = finished_class(sessions=3)
    poor, other = enrolled(cls, WorkerFactory(poverty_registered=True)), enrolled(cls)
    absent = enrolled(cls, WorkerFactory(poverty_registered=True), status="no_show", attended="0")
    sessions = list(cls.sessions.order_by("starts_at"))
    for session, status in zip(sessions, ["present", "late", "absent"], strict=True):
        Attendance.objects.create(enrollment=poor, session=session, status=status)
    run()
    assert Claim.objects.get(enrollment=poor).quantity == 2
    assert Claim.objects.get(enrollment=poor).amount == Decimal("200.00")
    assert not Claim.objects.filter(enrollment=other).exists()
    assert Claim.objects.get(enrollment=absent).reasons == ["no_attended_day"]


def test_a_run_shows_its_steps_and_a_second_run_changes_nothing(skill):
    for _ in range(3):
        certificate(insured(24))
    first = run()
    before = snapshot()
    second = run()
    assert (first.status, first.steps_done, first.steps_total, first.claims_created) == ("done", 12, 12, 3)
    assert (second.claims_created, snapshot()) == (0, before)


def test_claims_already_reviewed_are_left_alone_by_a_rerun(skill):
    cert = certificate(insured(24))
    run()
    services.claims_approve(claims=Claim.objects.all(), user=None)
    run()
    assert list(Claim.objects.values_list("certificate", "status")) == [(cert.pk, "approved")]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_the_claims_of_one(django_db_blocker):
    policy(Kind.SKILL)
    policy(Kind.TRAINING)
    workers = [insured(24) for _ in range(20)]
    for index, worker in enumerate(workers):
        certificate(worker, issued_on=D(YEAR, 1 + index % 12, 10))
    cls = finished_class()
    for worker in workers:
        enrolled(cls, worker)
    run()
    expected = snapshot()
    Claim.objects.all().delete()
    runs = [Run.objects.create(period_start=D(YEAR, 1, 1), period_end=D(YEAR, 12, 31), claimed_on=D(YEAR, 12, 31))
            for _ in range(2)]
    barrier, errors = threading.Barrier(2), []

    def execute(run_id):
        try:
            barrier.wait()
            engine.run_execute(run_id)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=execute, args=[r.pk]) for r in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert snapshot() == expected
    assert Claim.objects.count() == 40

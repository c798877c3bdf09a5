"""The selection pipeline through its services: eligibility, assignment, review, ranking,
shortlist, publicity, objections, conferral."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from competitions.models import Result, Tier
from competitions.tests.factories import competition, event
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import OrganizationFactory

from ..models import Assignment, Conflict, Holiday, MasterTitle, Nomination, Objection, Score
from ..services.lifecycle import MastersError
from ..services.nominations import nomination_create, nomination_submit, nomination_update, nomination_withdraw
from ..services.publicity import objection_file, objection_resolve, publicity_end, publicity_open, round_confer
from ..services.ranking import eligibility_run, ranking_compute, shortlist_change, shortlist_make
from ..services.review import conflict_declare, conflict_waive, review_save, reviewers_assign
from .factories import NOMINATING, REVIEWING, YEAR, nomination, pool, qualified_worker, reviewer, selection_round

S = Nomination.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the catalogue would answer in Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer():
    return UserFactory(role=Role.MASTERS_OFFICER)


@pytest.fixture
def round_():
    return selection_round()


# Nominations ------------------------------------------------------------------------------

def test_nominating_someone_twice_in_a_round_is_refused(round_, officer):
    worker = qualified_worker()
    nomination_create(round_=round_, nominee=worker, trade=worker.trades.get().trade, source="union",
                               statement="a", achievements="b", user=officer, today=NOMINATING)
    with pytest.raises(MastersError, match="already nominated"):
        nomination_create(round_=round_, nominee=worker, trade=worker.trades.get().trade, source="union",
                                   statement="a", achievements="b", user=officer, today=NOMINATING)
    assert Nomination.objects.count() == 1


def test_a_withdrawn_nomination_makes_room_for_a_new_one(round_, officer):
    first = nomination(round_, status=S.DRAFT, created_by=officer)
    nomination_withdraw(nomination=first, user=officer)
    nomination_create(round_=round_, nominee=first.nominee, trade=first.trade, source="union",
                               statement="a", achievements="b", user=officer, today=NOMINATING)
    assert Nomination.objects.filter(nominee=first.nominee).count() == 2


def test_submission_after_the_window_is_refused(round_, officer):
    draft = nomination(round_, status=S.DRAFT, created_by=officer)
    with pytest.raises(MastersError, match="closed"):
        nomination_submit(nomination=draft, user=officer, today=datetime.date(YEAR, 6, 1))
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_submitting_records_history_and_tells_the_nominee(round_, officer):
    worker = qualified_worker(user=UserFactory(role=Role.WORKER))
    draft = nomination(round_, worker=worker, status=S.DRAFT, created_by=officer)
    nomination_submit(nomination=draft, user=officer, today=NOMINATING)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED and draft.submitted_at is not None
    assert draft.history.first().history_user == officer
    assert Notification.objects.filter(user=worker.user).exists()


def test_a_submitted_nomination_cannot_be_edited(round_, officer):
    submitted = nomination(round_, created_by=officer)
    with pytest.raises(MastersError, match="draft"):
        nomination_update(nomination=submitted, user=officer, statement="changed")
    submitted.refresh_from_db()
    assert submitted.statement == "技术精湛"


# Eligibility ------------------------------------------------------------------------------

def test_eligibility_records_each_reason(round_):
    good = nomination(round_)
    low = nomination(round_, worker=qualified_worker(level=4))
    young = nomination(round_, worker=qualified_worker(started_year=2015))
    jobless = nomination(round_, worker=qualified_worker())
    type(jobless.nominee).objects.filter(pk=jobless.nominee_id).update(employer=None)
    result = eligibility_run(round_id=round_.pk)
    assert result == {"changed": 4, "eligible": 1, "ineligible": 3}
    for n, reasons in [(good, []), (low, ["level"]), (young, ["years"]), (jobless, ["employment"])]:
        n.refresh_from_db()
        assert n.reasons == reasons
        assert n.status == (S.ELIGIBLE if not reasons else S.INELIGIBLE)


def test_years_in_the_trade_at_the_boundary(round_):
    exactly = nomination(round_, worker=qualified_worker(started_year=YEAR - 8))
    one_short = nomination(round_, worker=qualified_worker(started_year=YEAR - 7))
    eligibility_run(round_id=round_.pk)
    exactly.refresh_from_db()
    one_short.refresh_from_db()
    assert (exactly.status, one_short.status) == (S.ELIGIBLE, S.INELIGIBLE)


def test_an_award_counts_when_the_round_requires_one(officer):
    round_ = selection_round(award_required=True)
    winner, other = qualified_worker(), qualified_worker()
    welding = event(comp=competition(results_published=True), rules=None)
    from competitions.models import Competition, Entry

    entry = Entry.objects.create(event=welding, worker=winner, organization=winner.employer, bib=1)
    Result.objects.create(entry=entry, final_score=Decimal("91"), rank=1, tier=Tier.FIRST)
    a, b = nomination(round_, worker=winner), nomination(round_, worker=other)
    eligibility_run(round_id=round_.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.reasons) == (S.ELIGIBLE, ["award"])
    # Results withdrawn (docs/competitions.md): the award no longer counts on the next run.
    Competition.objects.filter(pk=welding.competition_id).update(results_published=False)
    eligibility_run(round_id=round_.pk)
    a.refresh_from_db()
    assert (a.status, a.reasons) == (S.INELIGIBLE, ["award"])


def test_eligibility_rerun_changes_nothing_and_writes_no_history(round_):
    n = nomination(round_)
    eligibility_run(round_id=round_.pk)
    versions = n.history.count()
    assert eligibility_run(round_id=round_.pk)["changed"] == 0
    assert n.history.count() == versions


def test_eligibility_follows_the_data_on_a_rerun(round_):
    n = nomination(round_, worker=qualified_worker(level=4))
    eligibility_run(round_id=round_.pk)
    n.nominee.certificates.update(level=3)
    eligibility_run(round_id=round_.pk)
    n.refresh_from_db()
    assert (n.status, n.reasons) == (S.ELIGIBLE, [])


# Assignment -------------------------------------------------------------------------------

def _eligible(round_, count=6, **fields):
    nominations = [nomination(round_, status=S.ELIGIBLE, **fields) for _ in range(count)]
    return nominations


def test_every_nomination_gets_three_reviewers_none_from_its_organization(round_, officer):
    shared = OrganizationFactory()
    inside = nomination(round_, worker=qualified_worker(employer=shared), status=S.ELIGIBLE)
    others = _eligible(round_, 5)
    pool(4)
    colleague = reviewer(organization=shared)
    result = reviewers_assign(round_=round_, user=officer)
    assert result["short"] == []
    for n in [inside, *others]:
        n.refresh_from_db()
        assert n.status == S.UNDER_REVIEW
        assert n.assignments.count() == 3
    assert not inside.assignments.filter(reviewer=colleague).exists()
    loads = [r.assignments.count() for r in colleague.__class__.objects.all()]
    assert max(loads) - min(loads) <= 1


def test_a_dismissed_conflict_lets_the_colleague_review(round_, officer):
    shared = OrganizationFactory()
    inside = nomination(round_, worker=qualified_worker(employer=shared), status=S.ELIGIBLE)
    colleagues = pool(3, organization=shared)
    with pytest.raises(MastersError):
        conflict_waive(nomination=inside, reviewer=colleagues[0], reason="  ", user=officer)
    for r in colleagues:
        conflict_waive(nomination=inside, reviewer=r, reason="不同车间，无利害关系", user=officer)
    reviewers_assign(round_=round_, user=officer)
    assert inside.assignments.count() == 3


def test_assignment_rerun_keeps_what_is_there(round_, officer):
    _eligible(round_, 4)
    pool(4)
    reviewers_assign(round_=round_, user=officer)
    before = set(Assignment.objects.values_list("nomination", "reviewer"))
    reviewers_assign(round_=round_, user=officer)
    assert set(Assignment.objects.values_list("nomination", "reviewer")) == before


def test_too_small_a_pool_is_refused(round_, officer):
    _eligible(round_, 2)
    pool(2)
    with pytest.raises(MastersError, match="needs 3"):
        reviewers_assign(round_=round_, user=officer)
    assert not Assignment.objects.exists()


def test_a_declared_conflict_reassigns_the_nomination(round_, officer):
    n = _eligible(round_, 1)[0]
    experts = pool(4)
    reviewers_assign(round_=round_, user=officer)
    assignment = n.assignments.first()
    stand_in = conflict_declare(assignment=assignment, user=assignment.reviewer.user, reason="亲属")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.WITHDRAWN
    assert stand_in.reviewer != assignment.reviewer and stand_in.reviewer in experts
    assert n.assignments.exclude(status="withdrawn").count() == 3
    assert Conflict.objects.filter(reviewer=assignment.reviewer, worker=n.nominee).exists()


# Review -----------------------------------------------------------------------------------

def _scores(round_, *values):
    return dict(zip(round_.criteria.values_list("pk", flat=True), map(Decimal, values), strict=True))


def _assigned(round_, officer, nominations=1, reviewers=3):
    made = _eligible(round_, nominations)
    pool(reviewers)
    reviewers_assign(round_=round_, user=officer)
    return made


def test_a_score_out_of_bounds_is_refused(round_, officer):
    n = _assigned(round_, officer)[0]
    a = n.assignments.first()
    with pytest.raises(MastersError, match="between 0 and 50"):
        review_save(assignment=a, user=a.reviewer.user, scores=_scores(round_, 90, 51), comments={},
                             comment="", submit=False, today=REVIEWING)
    assert not Score.objects.exists()


def test_submitted_scores_are_locked(round_, officer):
    n = _assigned(round_, officer)[0]
    a = n.assignments.first()
    review_save(assignment=a, user=a.reviewer.user, scores=_scores(round_, 90, 40), comments={},
                         comment="好", submit=True, today=REVIEWING)
    a.refresh_from_db()
    assert a.total == Decimal("86.00")  # 90/100·60 + 40/50·40
    with pytest.raises(MastersError, match="locked"):
        review_save(assignment=a, user=a.reviewer.user, scores=_scores(round_, 10, 10), comments={},
                             comment="", submit=False, today=REVIEWING)
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal("40"), Decimal("90")]


def test_a_review_must_score_every_criterion_to_submit(round_, officer):
    a = _assigned(round_, officer)[0].assignments.first()
    scores = _scores(round_, 90, 40)
    scores[max(scores)] = None
    with pytest.raises(MastersError, match="every criterion"):
        review_save(assignment=a, user=a.reviewer.user, scores=scores, comments={}, comment="",
                             submit=True, today=REVIEWING)
    a.refresh_from_db()
    assert a.status == Assignment.Status.ASSIGNED and not a.scores.exists()


def test_review_outside_the_window_is_refused(round_, officer):
    a = _assigned(round_, officer)[0].assignments.first()
    with pytest.raises(MastersError, match="open from"):
        review_save(assignment=a, user=a.reviewer.user, scores=_scores(round_, 90, 40), comments={},
                             comment="", submit=True, today=datetime.date(YEAR, 7, 1))


def test_a_reviewer_cannot_score_another_reviewers_assignment(round_, officer):
    n = _assigned(round_, officer)[0]
    mine, theirs = n.assignments.all()[:2]
    with pytest.raises(Assignment.DoesNotExist):
        review_save(assignment=theirs, user=mine.reviewer.user, scores=_scores(round_, 1, 1), comments={},
                             comment="", submit=False, today=REVIEWING)


# Ranking, shortlist, publicity, conferral -------------------------------------------------

def _score_all(round_, totals_by_nomination):
    """Submit every assignment; totals_by_nomination: nomination → list of (skill, contribution)."""
    for n, marks in totals_by_nomination.items():
        for a, (skill, contribution) in zip(n.assignments.order_by("pk"), marks, strict=True):
            review_save(assignment=a, user=a.reviewer.user, scores=_scores(round_, skill, contribution),
                                 comments={}, comment="", submit=True, today=REVIEWING)


def test_ranking_is_the_mean_of_totals_with_a_discrepancy_flag(round_, officer):
    a, b = _assigned(round_, officer, nominations=2)
    _score_all(round_, {a: [(100, 50)] * 3, b: [(100, 50), (50, 25), (100, 50)]})
    ranking_compute(round_=round_)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.final_score, a.rank, a.discrepancy) == (Decimal("100.00"), 1, False)
    assert (b.review_mean, b.review_spread, b.rank, b.discrepancy) == (Decimal("83.33"), Decimal("50.00"), 2, True)


def test_the_competition_score_counts_with_its_weight(officer):
    contest = competition()
    round_ = selection_round(competition=contest, competition_weight=40)
    a, b = _assigned(round_, officer, nominations=2)
    from competitions.models import Entry

    entry = Entry.objects.create(event=event(comp=contest), worker=b.nominee, organization=b.nominee.employer, bib=1)
    Result.objects.create(entry=entry, final_score=Decimal("100"), rank=1)
    _score_all(round_, {a: [(90, 45)] * 3, b: [(80, 40)] * 3})
    ranking_compute(round_=round_)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.final_score, b.final_score) == (Decimal("54.00"), Decimal("88.00"))  # 90·.6 + 0; 80·.6 + 100·.4
    assert (b.rank, a.rank) == (1, 2)


def test_ranking_again_writes_nothing_when_nothing_changed(officer):
    contest = competition()
    round_ = selection_round(competition=contest, competition_weight=40)
    a, b = _assigned(round_, officer, nominations=2)
    from competitions.models import Entry

    entry = Entry.objects.create(event=event(comp=contest), worker=b.nominee, organization=b.nominee.employer, bib=1)
    Result.objects.create(entry=entry, final_score=Decimal("87.125"), rank=1)  # results keep three places
    _score_all(round_, {a: [(90, 45)] * 3, b: [(80, 40)] * 3})
    assert ranking_compute(round_=round_, user=officer) == 2
    b.refresh_from_db()
    assert b.competition_score == Decimal("87.13")
    records = b.history.count()
    assert ranking_compute(round_=round_, user=officer) == 0
    assert b.history.count() == records


def test_the_shortlist_waits_for_every_review(round_, officer):
    _assigned(round_, officer, nominations=2)
    with pytest.raises(MastersError, match="6 reviews"):
        shortlist_make(round_=round_, user=officer)
    assert not Nomination.objects.filter(status=S.SHORTLISTED).exists()


def _ranked(officer, quota=2, nominations=3):
    round_ = selection_round(quota=quota)
    made = _assigned(round_, officer, nominations=nominations)
    _score_all(round_, {n: [(100 - 10 * i, 50)] * 3 for i, n in enumerate(made)})
    return round_, made


def test_the_shortlist_is_the_top_within_the_quota_and_the_officer_may_change_it(officer):
    round_, (first, second, third) = _ranked(officer)
    assert shortlist_make(round_=round_, user=officer) == 2
    assert set(Nomination.objects.filter(status=S.SHORTLISTED)) == {first, second}
    with pytest.raises(MastersError, match="full"):
        shortlist_change(nomination=third, include=True, reason="革新成果突出", user=officer)
    with pytest.raises(MastersError, match="reason"):
        shortlist_change(nomination=second, include=False, reason=" ", user=officer)
    shortlist_change(nomination=second, include=False, reason="存在争议", user=officer)
    shortlist_change(nomination=third, include=True, reason="革新成果突出", user=officer)
    third.refresh_from_db()
    assert third.status == S.SHORTLISTED and third.shortlist_note == "革新成果突出"
    assert third.history.first().history_change_reason == reason_key("nomination.shortlist_changed", "革新成果突出")


def test_publicity_lasts_working_days_across_weekends_and_holidays(officer):
    Holiday.objects.create(date=datetime.date(2022, 10, 3), name="国庆节")
    Holiday.objects.create(date=datetime.date(2022, 10, 4), name="国庆节")
    Holiday.objects.create(date=datetime.date(2022, 10, 8), name="调休", working_day=True)
    # From Thursday 29 Sep: 29, 30 | weekend | 3, 4 holidays | 5, 6, 7 | Saturday 8 worked | Sunday | 10.
    assert publicity_end(datetime.date(2022, 9, 29), 5) == datetime.date(2022, 10, 7)
    assert publicity_end(datetime.date(2022, 9, 29), 6) == datetime.date(2022, 10, 8)
    assert publicity_end(datetime.date(2022, 9, 29), 7) == datetime.date(2022, 10, 10)
    # Starting on a Saturday: the window begins on Monday.
    assert publicity_end(datetime.date(2022, 11, 5), 5) == datetime.date(2022, 11, 11)


def _in_publicity(officer, starts=datetime.date(2022, 11, 7)):
    round_, made = _ranked(officer)
    shortlist_make(round_=round_, user=officer)
    round_ = publicity_open(round_=round_, user=officer, starts=starts)
    return round_, made


def test_publicity_puts_the_shortlist_on_show_and_rejects_the_rest(officer):
    round_, (first, second, third) = _in_publicity(officer)
    assert round_.publicity_ends == datetime.date(2022, 11, 11)
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert [statuses[n.pk] for n in (first, second, third)] == [S.IN_PUBLICITY, S.IN_PUBLICITY, S.REJECTED]
    third.refresh_from_db()
    assert third.reasons == ["not_shortlisted"]
    with pytest.raises(MastersError, match="can no longer change"):
        shortlist_make(round_=round_, user=officer)


def test_objections_with_script_are_refused(officer):
    round_, (first, *_rest) = _in_publicity(officer)
    with pytest.raises(MastersError, match="plain text"):
        objection_file(nomination=first, name="张三", contact="13900000000",
                                text="<script>alert(1)</script>", today=datetime.date(2022, 11, 8))
    assert not Objection.objects.exists()


def test_objections_outside_publicity_are_refused(officer):
    round_, (first, *_rest) = _in_publicity(officer)
    with pytest.raises(MastersError, match="only while"):
        objection_file(nomination=first, name="张三", contact="139", text="有异议",
                                today=datetime.date(2022, 11, 14))


def test_an_open_objection_blocks_conferral_until_answered(officer):
    round_, (first, second, _third) = _in_publicity(officer)
    objection = objection_file(nomination=second, name="张三", contact="139", text="成果不实",
                                        today=datetime.date(2022, 11, 8))
    with pytest.raises(MastersError, match="Publicity runs until"):
        round_confer(round_=round_, user=officer, today=datetime.date(2022, 11, 11))
    with pytest.raises(MastersError, match="1 objections"):
        round_confer(round_=round_, user=officer, today=datetime.date(2022, 11, 14))
    assert not MasterTitle.objects.exists()
    objection_resolve(objection=objection, answer="经核实，成果属实", upheld=False, user=officer)
    assert round_confer(round_=round_, user=officer, today=datetime.date(2022, 11, 14)) == 2
    titles = MasterTitle.objects.order_by("number")
    assert [t.worker for t in titles] == [first.nominee, second.nominee]
    assert titles[0].number == f"ZWJN{YEAR}001"
    assert set(Nomination.objects.filter(status=S.CONFERRED)) == {first, second}


def test_an_upheld_objection_rejects_the_nomination(officer):
    round_, (first, second, _third) = _in_publicity(officer)
    objection = objection_file(nomination=second, name="张三", contact="139", text="成果不实",
                                        today=datetime.date(2022, 11, 8))
    objection_resolve(objection=objection, answer="经核实，部分成果不实", upheld=True, user=officer)
    second.refresh_from_db()
    assert (second.status, second.reasons) == (S.REJECTED, ["objection_upheld"])
    assert round_confer(round_=round_, user=officer, today=datetime.date(2022, 11, 14)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_nominations_of_the_same_person_at_once_make_one():
    round_ = selection_round()
    officer = UserFactory(role=Role.MASTERS_OFFICER)
    worker = qualified_worker()
    outcomes, barrier = [], threading.Barrier(4)

    def nominate():
        try:
            barrier.wait()
            nomination_create(round_=round_, nominee=worker, trade=worker.trades.get().trade,
                                       source="union", statement="a", achievements="b", user=officer,
                                       today=NOMINATING)
            outcomes.append("made")
        except MastersError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=nominate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["made", "refused", "refused", "refused"]
    assert Nomination.objects.filter(nominee=worker).count() == 1


def test_a_score_outside_its_bounds_is_refused_by_the_database_too(round_, officer):
    a = _assigned(round_, officer)[0].assignments.first()
    criterion = round_.criteria.first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(assignment=a, criterion=criterion, value=criterion.max_score + 1,
                             max_score=criterion.max_score)



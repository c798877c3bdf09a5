"""Issue 18: each step of a round only in its window, the ranking kept current by the reviews, a tie at
the quota line left to the officer, and the level-5 apprenticeship route."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from training.models import Mentorship
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory, trade

from ..models import Nomination
from ..rules import Reason
from ..selectors import eligibility_preview
from ..services.lifecycle import MastersError
from ..services.publicity import publicity_open
from ..services.ranking import eligibility_run, ranking_compute, shortlist_make, tie_decide
from ..services.review import assignment_remove, review_save, reviewers_assign
from .factories import NOMINATING, REVIEWING, YEAR, nomination, pool, qualified_worker, selection_round

S = Nomination.Status
pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer():
    return UserFactory(role=Role.MASTERS_OFFICER)


def _scores(round_, *values):
    return dict(zip(round_.criteria.values_list("pk", flat=True), map(Decimal, values), strict=True))


def _submit(assignment, *values):
    round_ = assignment.nomination.round
    return review_save(assignment=assignment, user=assignment.reviewer.user, scores=_scores(round_, *values),
                       comments={}, comment="", submit=True, today=REVIEWING)


# 1. Each step in its window ---------------------------------------------------------------

def test_eligibility_is_refused_while_nominations_are_open():
    round_ = selection_round()
    n = nomination(round_)
    with pytest.raises(MastersError, match="open until 2022-05-31"):
        eligibility_run(round_id=round_.pk, today=NOMINATING)
    n.refresh_from_db()
    assert n.status == S.SUBMITTED
    assert eligibility_run(round_id=round_.pk, today=datetime.date(YEAR, 6, 1))["eligible"] == 1


def test_reviewers_are_not_assigned_nor_nominations_put_under_review_while_nominations_are_open(officer):
    round_ = selection_round()
    n = nomination(round_, status=S.ELIGIBLE)
    pool(3)
    with pytest.raises(MastersError, match="open until 2022-05-31"):
        reviewers_assign(round_=round_, user=officer, today=NOMINATING)
    n.refresh_from_db()
    assert n.status == S.ELIGIBLE and not n.assignments.exists()
    reviewers_assign(round_=round_, user=officer, today=datetime.date(YEAR, 6, 1))
    n.refresh_from_db()
    assert n.status == S.UNDER_REVIEW


def test_the_round_page_disables_the_steps_with_their_reason(client, role_users):
    today = timezone.localdate()
    round_ = selection_round(year=today.year, nominations_open=today - 5 * DAY, nominations_close=today + 5 * DAY,
                             review_opens=today + 6 * DAY, review_closes=today + 30 * DAY)
    n = nomination(round_)
    client.force_login(role_users["masters_officer"])
    page = client.get(reverse("masters:round_detail", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'id="run-eligibility" disabled' in html and 'id="assign-reviewers" disabled' in html
    assert "the eligibility check runs after they close" in html
    response = client.post(reverse("masters:round_eligibility", args=[round_.pk]))
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == S.SUBMITTED
    response = client.post(reverse("masters:round_assign", args=[round_.pk]))
    assert response.status_code == 302


def test_publicity_is_refused_while_a_review_is_pending(officer):
    round_ = selection_round(quota=1)
    a, b = [nomination(round_, status=S.ELIGIBLE) for _ in range(2)]
    experts = pool(4)
    reviewers_assign(round_=round_, user=officer)
    for x in a.assignments.all():
        _submit(x, 90, 40)
    for x in b.assignments.all():
        _submit(x, 80, 40)
    shortlist_make(round_=round_, user=officer)
    # A reviewer added afterwards: the ranking is no longer final.
    from ..services.review import assignment_add

    spare = next(e for e in experts if not b.assignments.filter(reviewer=e).exists())
    assignment_add(nomination=b, reviewer=spare, user=officer)
    with pytest.raises(MastersError, match="1 reviews are not submitted"):
        publicity_open(round_=round_, user=officer, starts=datetime.date(YEAR, 7, 4))


def test_the_review_sheet_disables_saving_outside_the_review_window(client, role_users):
    today = timezone.localdate()
    round_ = selection_round(year=today.year, nominations_open=today - 60 * DAY, nominations_close=today - 40 * DAY,
                             review_opens=today - 30 * DAY, review_closes=today - DAY)
    n = nomination(round_, status=S.ELIGIBLE)
    me = pool(3)[0]
    me.user = role_users["reviewer"]
    me.save()
    reviewers_assign(round_=round_, user=role_users["masters_officer"])
    assignment = n.assignments.get(reviewer=me)
    client.force_login(role_users["reviewer"])
    html = client.get(reverse("masters:review_sheet", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="submit-review" disabled' in html and "is open from" in html


# 2. The ranking follows the reviews -------------------------------------------------------

def test_the_ranking_updates_itself_when_the_last_review_of_a_nomination_is_in(officer,
                                                                               django_capture_on_commit_callbacks):
    round_ = selection_round()
    a, b = [nomination(round_, status=S.ELIGIBLE) for _ in range(2)]
    pool(3)
    reviewers_assign(round_=round_, user=officer)
    first, *rest = a.assignments.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        _submit(first, 100, 50)
    a.refresh_from_db()
    assert a.rank is None  # two reviews still out
    with django_capture_on_commit_callbacks(execute=True):
        for x in rest:
            _submit(x, 100, 50)
    a.refresh_from_db()
    assert (a.final_score, a.rank) == (Decimal("100.00"), 1)
    assert a.history.filter(history_change_reason=reason_key("nomination.ranked")).exists()
    # The officer's recompute still works and writes nothing new when nothing changed.
    assert ranking_compute(round_=round_, user=officer) == 0


def test_removing_the_last_open_assignment_completes_the_ranking(officer, django_capture_on_commit_callbacks):
    round_ = selection_round()
    n = nomination(round_, status=S.ELIGIBLE)
    pool(4)
    reviewers_assign(round_=round_, user=officer)
    *done, last = n.assignments.order_by("pk")
    for x in done:
        _submit(x, 80, 40)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remove(assignment=last, user=officer)
    n.refresh_from_db()
    assert n.final_score == Decimal("80.00") and n.rank == 1


# 3. A tie at the quota line ---------------------------------------------------------------

def _tied_round(officer, quota=2):
    """Three reviewed nominations for two places: the second and third score the same."""
    round_ = selection_round(quota=quota)
    made = [nomination(round_, status=S.ELIGIBLE) for _ in range(3)]
    pool(3)
    reviewers_assign(round_=round_, user=officer)
    for n, marks in zip(made, [(100, 50), (80, 40), (80, 40)], strict=True):
        for x in n.assignments.all():
            _submit(x, *marks)
    return round_, made


def test_a_tie_at_the_quota_line_is_not_cut_by_record_id(officer):
    round_, (first, second, third) = _tied_round(officer)
    assert shortlist_make(round_=round_, user=officer) == 1
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses[first.pk] == S.SHORTLISTED
    assert statuses[second.pk] == statuses[third.pk] == S.UNDER_REVIEW
    with pytest.raises(MastersError, match="tie at the quota line") as refusal:
        publicity_open(round_=round_, user=officer, starts=datetime.date(YEAR, 7, 4))
    assert second.nominee.name in str(refusal.value) and third.nominee.name in str(refusal.value)
    assert not Nomination.objects.filter(status=S.IN_PUBLICITY).exists()


def test_the_officer_decides_the_tie_with_a_reason(officer):
    round_, (first, second, third) = _tied_round(officer)
    shortlist_make(round_=round_, user=officer)
    with pytest.raises(MastersError, match="reason"):
        tie_decide(round_=round_, chosen=[third.pk], reason="  ", user=officer)
    with pytest.raises(MastersError, match="Choose 1"):
        tie_decide(round_=round_, chosen=[second.pk, third.pk], reason="带徒成效", user=officer)
    with pytest.raises(MastersError, match="Choose 1"):
        tie_decide(round_=round_, chosen=[first.pk], reason="带徒成效", user=officer)
    tie_decide(round_=round_, chosen=[third.pk], reason="带徒成效更突出", user=officer)
    third.refresh_from_db()
    second.refresh_from_db()
    assert (third.status, second.status) == (S.SHORTLISTED, S.UNDER_REVIEW)
    assert third.history.first().history_change_reason == reason_key("nomination.tie_decided", "带徒成效更突出")
    assert second.shortlist_note == "带徒成效更突出"
    round_ = publicity_open(round_=round_, user=officer, starts=datetime.date(YEAR, 7, 4))
    assert set(Nomination.objects.filter(status=S.IN_PUBLICITY)) == {first, third}


def test_the_ranking_page_shows_the_tie_and_the_officer_decides_it(client, role_users):
    officer = role_users["masters_officer"]
    round_, (_first, second, third) = _tied_round(officer)
    shortlist_make(round_=round_, user=officer)
    client.force_login(officer)
    html = client.get(reverse("masters:round_ranking", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="quota-tie"' in html and second.nominee.name in html
    detail = client.get(reverse("masters:round_detail", args=[round_.pk])).content.decode()
    assert 'id="open-publicity" disabled' in detail
    url = reverse("masters:tie_decide", args=[round_.pk])
    assert client.post(url, {"chosen": ["x"], "reason": "r"}).status_code == 302  # bad input: a message, no 500
    client.post(url, {"chosen": [second.pk], "reason": "综合表现"})
    second.refresh_from_db()
    assert second.status == S.SHORTLISTED and second.shortlist_note == "综合表现"


# 4. The level-5 apprenticeship route ------------------------------------------------------

def _apprentice(level=5, outcome=Mentorship.Outcome.COMPLETED, ended=datetime.date(2020, 6, 30)):
    worker = qualified_worker(level=level)
    Mentorship.objects.create(mentor=WorkerFactory(), apprentice=worker, trade=trade(),
                              started_on=datetime.date(2018, 7, 1), ended_on=ended, outcome=outcome)
    return worker


def test_a_level5_holder_who_completed_an_apprenticeship_is_eligible():
    round_ = selection_round()
    route = nomination(round_, worker=_apprentice())
    ongoing = nomination(round_, worker=_apprentice(outcome=Mentorship.Outcome.ONGOING, ended=None))
    late = nomination(round_, worker=_apprentice(ended=datetime.date(YEAR, 7, 1)))
    alone = nomination(round_, worker=qualified_worker(level=5))
    eligibility_run(round_id=round_.pk)
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses[route.pk] == S.ELIGIBLE
    assert statuses[ongoing.pk] == statuses[late.pk] == statuses[alone.pk] == S.INELIGIBLE
    alone.refresh_from_db()
    assert alone.reasons == ["level"]


def test_the_route_can_be_closed_for_a_round():
    round_ = selection_round(apprenticeship_route=False)
    n = nomination(round_, worker=_apprentice())
    eligibility_run(round_id=round_.pk)
    n.refresh_from_db()
    assert n.status == S.INELIGIBLE


def test_the_nomination_page_explains_the_route(client, role_users):
    round_ = selection_round()
    n = nomination(round_, worker=_apprentice())
    refused = nomination(round_, worker=qualified_worker(level=5))
    eligibility_run(round_id=round_.pk)
    client.force_login(role_users["masters_officer"])
    html = client.get(reverse("masters:nomination_detail", args=[n.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "level-5 apprenticeship route" in html
    html = client.get(reverse("masters:nomination_detail", args=[refused.pk]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "completed apprenticeship" in html


def _nomination_page(client, role_users):
    client.force_login(role_users[Role.WORKER])
    return client.get(reverse("masters:nomination_list")).content.decode()


def test_a_closed_window_says_so_with_the_next_rounds_dates(client, role_users):
    today = timezone.localdate()
    selection_round(year=today.year + 1, nominations_open=today + 10 * DAY, nominations_close=today + 40 * DAY,
                    review_opens=today + 41 * DAY, review_closes=today + 60 * DAY)
    page = _nomination_page(client, role_users)
    assert "现在不接受推荐" in page and (today + 10 * DAY).isoformat() in page
    assert 'disabled aria-describedby="nominations-closed"' in page
    response = client.get(reverse("masters:nomination_new"), follow=True)
    assert (today + 40 * DAY).isoformat() in response.content.decode()


def test_after_the_last_round_the_page_says_when_it_closed(client, role_users):
    today = timezone.localdate()
    selection_round(year=today.year - 1, nominations_open=today - 90 * DAY, nominations_close=today - 60 * DAY,
                    review_opens=today - 59 * DAY, review_closes=today - 30 * DAY)
    page = _nomination_page(client, role_users)
    assert (today - 60 * DAY).isoformat() in page and "尚未公布" in page, page[page.find("alert"):][:600]


def test_an_open_window_shows_the_button_and_no_closed_note(client, role_users):
    today = timezone.localdate()
    selection_round(year=today.year, nominations_open=today - DAY, nominations_close=today + DAY,
                    review_opens=today + 2 * DAY, review_closes=today + 20 * DAY)
    page = _nomination_page(client, role_users)
    assert 'id="nominations-closed"' not in page and reverse("masters:nomination_new") in page


def test_a_worker_nominating_themself_starts_from_their_own_trade(client, role_users):
    from zhangwan.registry.models import Trade, WorkerTrade

    today = timezone.localdate()
    selection_round(year=today.year, nominations_open=today - DAY, nominations_close=today + DAY,
                    review_opens=today + 2 * DAY, review_closes=today + 20 * DAY)
    worker = role_users[Role.WORKER].worker
    electrician = Trade.objects.exclude(code="6-18-02-04").order_by("code").first()
    WorkerTrade.objects.create(worker=worker, trade=electrician, started_year=2008)
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2015)
    client.force_login(role_users[Role.WORKER])
    page = client.get(reverse("masters:nomination_new")).content.decode()
    assert f'<option value="{electrician.pk}" selected>' in page


def _open_round(**fields):
    today = timezone.localdate()
    return selection_round(year=today.year, nominations_open=today - DAY, nominations_close=today + DAY,
                           review_opens=today + 2 * DAY, review_closes=today + 20 * DAY, **fields)


def _preview(client, user, **query):
    client.force_login(user)
    page = client.get(reverse("masters:nomination_new"), query, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="eligibility-preview"' in page
    return page[page.find('id="eligibility-preview"'):][:3000]


def test_a_worker_who_meets_the_rules_sees_that_they_look_eligible_before_starting(client, role_users):
    from certification.models import Certificate
    from zhangwan.registry.models import WorkerTrade

    _open_round()
    worker = role_users[Role.WORKER].worker
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2005)
    Certificate.objects.create(number="M90000001", holder=worker, trade=trade(), level=3,
                               issued_on=datetime.date(2018, 5, 1), source="imported")
    preview = _preview(client, role_users[Role.WORKER])
    assert "看起来符合条件" in preview and 'id="eligibility-reasons"' not in preview


def test_a_worker_short_of_the_rules_sees_which_ones_fail_before_starting(client, role_users):
    from zhangwan.registry.models import Trade, WorkerTrade

    _open_round()
    worker = role_users[Role.WORKER].worker
    other = Trade.objects.exclude(pk=trade().pk).order_by("code").first()
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=timezone.localdate().year - 2)
    WorkerTrade.objects.create(worker=worker, trade=other, started_year=timezone.localdate().year - 1)
    preview = _preview(client, role_users[Role.WORKER])
    reasons = preview[preview.find('id="eligibility-reasons"'):preview.find("</ul>")]
    with translation.override("zh-hans"):
        assert str(Reason.YEARS.label) in reasons and str(Reason.LEVEL.label) in reasons
        assert str(Reason.AWARD.label) not in reasons
    assert f'href="?trade={other.pk}"' in preview      # another of their trades can be checked
    assert other.name in _preview(client, role_users[Role.WORKER], trade=other.pk)[:400]
    assert trade().name in _preview(client, role_users[Role.WORKER], trade="x' or 1=1")[:400]


def test_the_preview_decides_as_the_eligibility_check_does():
    """One copy of the rules: for each worker the preview's codes are the ones the round's check writes."""
    from zhangwan.registry.models import WorkerTrade

    round_ = selection_round(award_required=True)
    workers = [qualified_worker(), qualified_worker(started_year=YEAR - 3), qualified_worker(level=4)]
    WorkerTrade.objects.filter(worker=workers[2]).update(started_year=YEAR - 1)
    nominations = [nomination(round_, worker=w) for w in workers]
    eligibility_run(round_id=round_.pk, today=REVIEWING)
    for n in nominations:
        n.refresh_from_db()
        assert sorted(eligibility_preview(round_, n.nominee_id, n.trade_id)) == sorted(n.reasons)
    assert [len(n.reasons) for n in nominations] == [1, 2, 3]

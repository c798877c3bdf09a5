"""Needs surveys answered online: workers for themselves, liaisons for their organization, while the survey
is open; the training officer reads the answers by trade and by organization and turns them into plan lines."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from training import needs
from training.models import NeedsResponse, NeedsSurvey, PlanLine, TrainingPlan
from training.services import TrainingError
from zhangwan.history import reason_key
from zhangwan.registry.models import Trade
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db


def survey(*, days_open=(-5, 20), **fields) -> NeedsSurvey:
    today = timezone.localdate()
    start, end = (today + datetime.timedelta(days=d) for d in days_open)
    return NeedsSurvey.objects.create(**{"title": "2027年培训需求调研", "year": today.year + 1, "starts_on": start,
                                         "ends_on": end, **fields})


@pytest.fixture
def trades():
    return list(Trade.objects.order_by("code")[:3])


@pytest.fixture
def as_role(client, role_users):
    def log_in(role):
        client.force_login(role_users[role])
        return client
    return log_in


def answer(trade, **fields):
    return {"trade": trade.pk, "level": "", "format": "in_person", "remark": "", **fields}


# Workers ---------------------------------------------------------------------------------------------

def test_it_lists_open_surveys_for_a_worker(as_role):
    open_one, closed = survey(title="开放的调研"), survey(title="已结束的调研", days_open=(-30, -1))
    page = as_role("worker").get(reverse("training:needs_surveys")).content.decode()
    assert open_one.title in page and closed.title not in page


def test_worker_answers_for_themself(as_role, role_users, trades):
    s = survey()
    response = as_role("worker").post(reverse("training:needs_answer", args=[s.pk]),
                                      answer(trades[0], level="4", remark="想学数控", head_count="50"))
    assert response.status_code == 302
    saved = NeedsResponse.objects.get(survey=s)
    assert (saved.worker, saved.organization, saved.trade, saved.level, saved.head_count, saved.remark) == (
        role_users["worker"].worker, None, trades[0], 4, 1, "想学数控")


def test_worker_changes_their_answer(as_role, role_users, trades):
    s = survey()
    mine = NeedsResponse.objects.create(survey=s, worker=role_users["worker"].worker, trade=trades[0])
    response = as_role("worker").post(reverse("training:needs_answer_change", args=[mine.pk]),
                                      answer(trades[1], format="online", remark="晚上有空"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.trade, mine.format, mine.remark, mine.head_count) == (trades[1], "online", "晚上有空", 1)


def test_worker_withdraws_their_answer(as_role, role_users, trades):
    s = survey()
    mine = NeedsResponse.objects.create(survey=s, worker=role_users["worker"].worker, trade=trades[0])
    as_role("worker").post(reverse("training:needs_answer_withdraw", args=[mine.pk]))
    assert not NeedsResponse.objects.filter(pk=mine.pk).exists()


def test_closed_survey_refuses_an_answer_naming_its_dates_and_writes_nothing(as_role, trades):
    s = survey(days_open=(-30, -2))
    client = as_role("worker")
    page = client.get(reverse("training:needs_answer", args=[s.pk])).content.decode()
    assert 'id="answer" disabled' in page and f"{s.ends_on:%Y-%m-%d}" in page
    response = client.post(reverse("training:needs_answer", args=[s.pk]), answer(trades[0]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"本调研只在 {s.starts_on:%Y-%m-%d} 至 {s.ends_on:%Y-%m-%d} 期间接受回答。"]
    assert not NeedsResponse.objects.exists()


def test_survey_not_yet_open_refuses_changes_and_withdrawals(role_users, trades):
    s = survey(days_open=(3, 20))
    mine = NeedsResponse.objects.create(survey=s, worker=role_users["worker"].worker, trade=trades[0])
    with pytest.raises(TrainingError):
        needs.response_change(response=mine, trade=trades[1])
    with pytest.raises(TrainingError):
        needs.response_withdraw(response=mine)
    mine.refresh_from_db()
    assert mine.trade == trades[0]


def test_worker_cannot_answer_twice_for_one_trade(as_role, trades):
    s = survey()
    client = as_role("worker")
    client.post(reverse("training:needs_answer", args=[s.pk]), answer(trades[0]))
    response = client.post(reverse("training:needs_answer", args=[s.pk]), answer(trades[0], level="3"), follow=True)
    assert "请修改那条回答" in response.content.decode()
    assert NeedsResponse.objects.count() == 1


def test_database_keeps_one_answer_per_worker_survey_and_trade(role_users, trades):
    s, worker = survey(), role_users["worker"].worker
    NeedsResponse.objects.create(survey=s, worker=worker, trade=trades[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        NeedsResponse.objects.create(survey=s, worker=worker, trade=trades[0], level=3)
    # Organizations are not bound by it, and another trade is another answer.
    NeedsResponse.objects.create(survey=s, worker=worker, trade=trades[1])
    NeedsResponse.objects.create(survey=s, organization=worker.employer, trade=trades[0])


def test_worker_cannot_touch_another_workers_answer(as_role, organization, trades):
    theirs = NeedsResponse.objects.create(survey=survey(), worker=WorkerFactory(employer=organization),
                                          trade=trades[0])
    client = as_role("worker")
    assert client.get(reverse("training:needs_answer_change", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("training:needs_answer_withdraw", args=[theirs.pk])).status_code == 404
    assert NeedsResponse.objects.filter(pk=theirs.pk).exists()


# Liaisons --------------------------------------------------------------------------------------------

def test_liaison_answers_for_their_organization(as_role, organization, trades):
    s = survey()
    as_role("liaison").post(reverse("training:needs_answer", args=[s.pk]), answer(trades[0], head_count="25"))
    saved = NeedsResponse.objects.get(survey=s)
    assert (saved.organization, saved.worker, saved.head_count) == (organization, None, 25)


def test_liaison_head_count_must_be_at_least_one(as_role, trades):
    s = survey()
    response = as_role("liaison").post(reverse("training:needs_answer", args=[s.pk]), answer(trades[0], head_count="0"))
    assert response.status_code == 200 and response.context["form"].errors["head_count"]
    assert not NeedsResponse.objects.exists()


def test_liaison_changes_their_organizations_head_count(as_role, organization, trades):
    ours = NeedsResponse.objects.create(survey=survey(), organization=organization, trade=trades[0], head_count=5)
    as_role("liaison").post(reverse("training:needs_answer_change", args=[ours.pk]), answer(trades[0], head_count="8"))
    ours.refresh_from_db()
    assert ours.head_count == 8


def test_another_organizations_answer_is_not_found(as_role, other_organization, trades):
    theirs = NeedsResponse.objects.create(survey=survey(), organization=other_organization, trade=trades[0],
                                          head_count=5)
    client = as_role("liaison")
    assert client.get(reverse("training:needs_answer_change", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("training:needs_answer_change", args=[theirs.pk]),
                       answer(trades[0], head_count="9")).status_code == 404
    assert client.post(reverse("training:needs_answer_withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.head_count == 5


# The training officer --------------------------------------------------------------------------------

def answered(s, organization, other_organization, trades):
    NeedsResponse.objects.create(survey=s, organization=organization, trade=trades[0], head_count=20)
    NeedsResponse.objects.create(survey=s, worker=WorkerFactory(employer=organization), trade=trades[0])
    NeedsResponse.objects.create(survey=s, worker=WorkerFactory(employer=organization), trade=trades[1], level=4)
    NeedsResponse.objects.create(survey=s, organization=other_organization, trade=trades[1], head_count=7)


def test_officer_sees_needs_by_organization(as_role, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    response = as_role("training_officer").get(reverse("training:survey_detail", args=[s.pk]))
    rows = [(r["name"], r["head_count"], r["responses"], r["trades"], r["workers"])
            for r in response.context["organizations"]]
    assert rows == [(organization.name, 22, 3, 2, 2), (other_organization.name, 7, 1, 1, 0)]
    assert "按单位" in response.content.decode()


def test_export_has_a_sheet_by_organization(as_role, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    response = as_role("training_officer").get(reverse("training:survey_detail", args=[s.pk]), {"format": "xlsx"})
    assert exported_rows(response, sheet=1) == [
        ("单位", "需求人数", "反馈数", "工种", "回答的职工数"),
        (organization.name, 22, 3, 2, 2), (other_organization.name, 7, 1, 1, 0)]


def test_survey_page_costs_the_same_queries_for_2_or_20_answers(as_role, organization, other_organization,
                                                                 django_assert_max_num_queries, trades):
    s = survey()
    client = as_role("training_officer")
    url = reverse("training:survey_detail", args=[s.pk])
    for trade in trades[:2]:
        NeedsResponse.objects.create(survey=s, organization=organization, trade=trade, head_count=3)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    for i in range(18):
        NeedsResponse.objects.create(survey=s, worker=WorkerFactory(employer=[organization, other_organization][i % 2]),
                                     trade=trades[i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_confirm_page_offers_the_summed_head_count(as_role, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    response = as_role("training_officer").get(reverse("training:plan_from_needs", args=[s.pk]),
                                               {"trade": [trades[1].pk]})
    form = response.context["form"]
    assert form[f"target_{trades[1].pk}"].value() == 8 and form[f"target_{trades[0].pk}"].value() == 21
    assert response.context["ticked"] == {str(trades[1].pk)}


def test_officer_turns_trades_into_plan_lines(as_role, role_users, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    plan = TrainingPlan.objects.create(year=s.year, title="计划")
    kept = PlanLine.objects.create(plan=plan, trade=trades[0], target_classes=2, target_trainees=60)
    response = as_role("training_officer").post(reverse("training:plan_from_needs", args=[s.pk]), {
        "trades": [trades[0].pk, trades[1].pk], f"target_{trades[0].pk}": "21", f"target_{trades[1].pk}": "10"},
        follow=True)
    assert response.redirect_chain[-1][0] == reverse("training:plan_detail", args=[s.year])
    assert dict(PlanLine.objects.filter(plan=plan).values_list("trade", "target_trainees")) == {
        trades[0].pk: 21, trades[1].pk: 10}
    kept.refresh_from_db()
    assert kept.target_classes == 2
    latest = kept.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        role_users["training_officer"], reason_key("plan.from_needs", s.title))
    assert PlanLine.objects.get(trade=trades[1]).history.get().history_type == "+"
    assert any(m.level_tag == "success" for m in response.context["messages"])


def test_plan_is_created_when_the_year_has_none(role_users, trades):
    s = survey()
    plan = needs.plan_lines_from_needs(survey=s, targets={trades[0]: 12}, user=role_users["training_officer"])
    assert (plan.year, list(plan.lines.values_list("trade", "target_trainees", "target_classes"))) == (
        s.year, [(trades[0].pk, 12, 0)])
    assert plan.history.get().history_change_reason == reason_key("plan.from_needs", s.title)


def test_no_trade_chosen_writes_nothing(as_role, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    response = as_role("training_officer").post(reverse("training:plan_from_needs", args=[s.pk]), {})
    assert response.status_code == 200 and response.context["form"].errors["trades"]
    assert not TrainingPlan.objects.exists()


def test_auditor_reads_but_cannot_plan(as_role, organization, other_organization, trades):
    s = survey()
    answered(s, organization, other_organization, trades)
    client = as_role("auditor")
    assert 'id="plan-trades"' not in client.get(reverse("training:survey_detail", args=[s.pk])).content.decode()
    assert client.post(reverse("training:plan_from_needs", args=[s.pk]), {"trades": [trades[0].pk]}).status_code == 403

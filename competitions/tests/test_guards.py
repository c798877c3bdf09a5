"""Issue 18, competitions: results only from submitted sheets (counted), publication refused while
entries lack sheets unless the officer says why, marking only in its window, and published results
withdrawn or corrected with a reason, advancement, certification and notifications following."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.models import Certificate, EligibilityGrant
from certification.services import competition_route_apply
from competitions import services
from competitions.models import AwardRule, Competition, Entry, Event, Result, Upgrade
from competitions.tests.factories import close_entries, competition, event, welder
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key

pytestmark = pytest.mark.django_db


def marks(ev, *values):
    return {p.pk: Decimal(v) for p, v in zip(ev.parts.order_by("order"), values, strict=True)}


def judges_of(ev):
    return [a.judge for a in ev.judges.order_by("pk")]


def enter(ev, organization, n, **worker_fields):
    entries = [services.entry_create(event=ev, organization=organization, user=None,
                                     worker=welder(organization, **worker_fields)) for _ in range(n)]
    close_entries(ev.competition)
    return entries


# 1. Results only from submitted sheets, counted ---------------------------------------------------

def test_results_count_the_submitted_sheets_of_each_entry(client, organization, role_users):
    ev = event(judges=3, aggregation="mean", rules={"first": 1})
    a, b = enter(ev, organization, 2)
    first, second, third = judges_of(ev)
    for judge in (first, second):
        services.sheet_save(entry=a, judge=judge, marks=marks(ev, "80", "80"), submit=True)
    services.sheet_save(entry=a, judge=third, marks=marks(ev, "10", "10"), submit=False)  # a draft: not counted
    for judge in (first, second, third):
        services.sheet_save(entry=b, judge=judge, marks=marks(ev, "70", "70"), submit=True)
    services.results_compute(event_id=ev.pk)
    result_a, result_b = Result.objects.get(entry=a), Result.objects.get(entry=b)
    assert (result_a.final_score, result_a.sheets_counted, result_a.sheets_expected) == (Decimal("80.000"), 2, 3)
    assert (result_b.sheets_counted, result_b.sheets_expected) == (3, 3)
    client.force_login(role_users["competitions_officer"])
    html = client.get(reverse("competitions:manage_event", args=[ev.pk])).content.decode()
    assert "评分表 2/3 份" in html and "评分表 3/3 份" in html
    export = client.get(reverse("competitions:manage_event", args=[ev.pk]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = next(i for i, row in enumerate(rows) if "计入评分表" in row)
    header = rows[column].index("计入评分表")
    assert sorted(row[header] for row in rows[column + 1:] if row[header]) == ["2/3", "3/3"]


def test_a_judge_of_the_entrys_own_organization_owes_no_sheet(organization):
    ev = event(judges=2)
    (entry,) = enter(ev, organization, 1)
    own, other = judges_of(ev)
    own.organization = organization
    own.save()
    services.sheet_save(entry=entry, judge=other, marks=marks(ev, "60", "60"), submit=True)
    services.results_compute(event_id=ev.pk)
    result = Result.objects.get(entry=entry)
    assert (result.sheets_counted, result.sheets_expected, result.lacks_sheets) == (1, 1, False)


def test_computing_without_submitted_sheets_is_refused_and_writes_nothing(client, organization, role_users):
    ev = event(judges=1, rules={"first": 1})
    (entry,) = enter(ev, organization, 1)
    services.sheet_save(entry=entry, judge=judges_of(ev)[0], marks=marks(ev, "50", "50"), submit=False)
    client.force_login(role_users["competitions_officer"])
    url = reverse("competitions:manage_competition", args=[ev.competition_id])
    response = client.post(reverse("competitions:results_run", args=[ev.competition_id]), follow=True)
    assert "尚无裁判提交评分表" in response.content.decode()
    assert services.results_compute(event_id=ev.pk) == 0  # the job itself writes nothing either
    assert not Result.objects.exists()
    page = client.get(url)
    assert 'id="publish" disabled' in page.content.decode() and page.context["blockers"]
    with pytest.raises(services.CompetitionError, match="没有依据已提交评分表计算的成绩"):
        services.results_publish(competition=ev.competition, user=role_users["competitions_officer"])
    assert not Competition.objects.get(pk=ev.competition_id).results_published


def test_an_event_without_sheets_is_left_out_of_the_run_with_a_warning(client, organization, role_users,
                                                                       django_capture_on_commit_callbacks):
    contest = competition()
    marked, unmarked = event(comp=contest, name="甲", judges=1), event(comp=contest, name="乙", judges=1)
    entry = services.entry_create(event=marked, organization=organization, user=None, worker=welder(organization))
    enter(unmarked, organization, 1)  # then entries close
    services.sheet_save(entry=entry, judge=judges_of(marked)[0], marks=marks(marked, "50", "50"), submit=True)
    client.force_login(role_users["competitions_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("competitions:results_run", args=[contest.pk]), follow=True)
    assert "乙 没有已提交的评分表" in response.content.decode()
    assert set(Result.objects.values_list("entry__event", flat=True)) == {marked.pk}


# 2. Publication refused while entries lack sheets, unless the officer says why --------------------

def test_publishing_with_entries_short_of_sheets_needs_a_reason(client, organization, role_users):
    officer = role_users["competitions_officer"]
    ev = event(judges=2, rules={"first": 1})
    a, b = enter(ev, organization, 2)
    first, second = judges_of(ev)
    for judge in (first, second):
        services.sheet_save(entry=a, judge=judge, marks=marks(ev, "90", "90"), submit=True)
    services.sheet_save(entry=b, judge=first, marks=marks(ev, "70", "70"), submit=True)
    services.results_compute(event_id=ev.pk)
    with pytest.raises(services.CompetitionError, match="1 个报名评分表不足"):
        services.results_publish(competition=ev.competition, user=officer)
    client.force_login(officer)
    page = client.get(reverse("competitions:manage_competition", args=[ev.competition_id])).content.decode()
    assert 'id="publish-short"' in page and f"{ev.name} {b.bib} 号：评分表 1/2 份" in page
    client.post(reverse("competitions:results_publish", args=[ev.competition_id]), {"reason": ""})
    assert not Competition.objects.get(pk=ev.competition_id).results_published
    client.post(reverse("competitions:results_publish", args=[ev.competition_id]), {"reason": "2号裁判因病缺席"})
    contest = Competition.objects.get(pk=ev.competition_id)
    assert contest.results_published
    published = contest.history.latest()
    assert published.history_change_reason == reason_key("competition.published_short", "2号裁判因病缺席")


def test_sheets_submitted_after_the_computation_block_publication(organization, role_users):
    ev = event(judges=2)
    (entry,) = enter(ev, organization, 1)
    first, second = judges_of(ev)
    services.sheet_save(entry=entry, judge=first, marks=marks(ev, "90", "90"), submit=True)
    services.results_compute(event_id=ev.pk)
    services.sheet_save(entry=entry, judge=second, marks=marks(ev, "50", "50"), submit=True)
    with pytest.raises(services.CompetitionError, match="请重新计算成绩"):
        services.results_publish(competition=ev.competition, user=role_users["competitions_officer"], reason="x")
    services.results_compute(event_id=ev.pk)
    services.results_publish(competition=ev.competition, user=role_users["competitions_officer"])
    assert Competition.objects.get(pk=ev.competition_id).results_published


# 3. Marking only in its window --------------------------------------------------------------------

def test_marking_waits_for_entries_to_close_and_the_event_date(client, organization):
    ev = event(judges=1)  # entries open; the competition starts in 30 days
    entry = services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
    judge = judges_of(ev)[0]
    with pytest.raises(services.CompetitionError, match="报名截止于"):
        services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "50", "50"), submit=True)
    Competition.objects.filter(pk=ev.competition_id).update(registration_closes=timezone.now()
                                                            - datetime.timedelta(minutes=1))
    starts = ev.competition.starts_on
    with pytest.raises(services.CompetitionError, match=f"评分自 {starts} 开始"):
        services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "50", "50"), submit=False)
    client.force_login(judge)
    page = client.get(reverse("competitions:judge_sheet", args=[entry.pk])).content.decode()
    assert 'id="marking-closed"' in page and f"评分自 {starts} 开始" in page and 'id="submit-sheet" disabled' in page
    assert f"评分自 {starts} 开始" in client.get(reverse("competitions:judge_home")).content.decode()
    client.post(reverse("competitions:judge_sheet", args=[entry.pk]), {
        **{f"part_{pk}": "50" for pk in marks(ev, "0", "0")}, "submit": "1"})
    assert not entry.sheets.exists()

    # A marking window on the event: from today, until yesterday (refused), until today (marked).
    today = timezone.localdate()
    Event.objects.filter(pk=ev.pk).update(marking_opens=today - datetime.timedelta(days=3),
                                          marking_closes=today - datetime.timedelta(days=1))
    with pytest.raises(services.CompetitionError, match="评分已于"):
        services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "50", "50"), submit=False)
    Event.objects.filter(pk=ev.pk).update(marking_closes=today)
    services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "50", "50"), submit=True)
    assert entry.sheets.get().locked


def test_the_database_refuses_a_window_closing_before_it_opens():
    from django.db import IntegrityError

    ev = event()
    today = timezone.localdate()
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=ev.pk).update(marking_opens=today, marking_closes=today - datetime.timedelta(days=1))


# 4. Withdrawing and correcting published results --------------------------------------------------

@pytest.fixture
def published(organization, role_users):
    """A district competition whose first prize goes up to the city with the right to apply one
    level up, and whose second prize is certified one level up; published, the route applied."""
    officer = role_users["competitions_officer"]
    city = competition(name="十堰市焊工大赛", level="city")
    city_event = event(comp=city, name="焊工")
    ev = event(judges=1, rules={"first": 1, "second": 1}, comp=competition(advances_to=city))
    AwardRule.objects.filter(event=ev, tier="first").update(advances=True, upgrade=Upgrade.APPLY_UP)
    AwardRule.objects.filter(event=ev, tier="second").update(upgrade=Upgrade.CERTIFY_UP)
    winner, runner_up = (welder(organization, user=UserFactory(role=Role.WORKER)) for _ in range(2))
    entries = [services.entry_create(event=ev, organization=organization, user=None, worker=w)
               for w in (winner, runner_up)]
    close_entries(ev.competition)
    for entry, value in zip(entries, ("90", "80"), strict=True):
        services.sheet_save(entry=entry, judge=judges_of(ev)[0], marks=marks(ev, value, value), submit=True)
    services.results_compute(event_id=ev.pk)
    services.results_publish(competition=ev.competition, user=officer)
    assert competition_route_apply(user=role_users["certification_officer"]) == (1, 1)
    return {"event": ev, "city_event": city_event, "entries": entries, "workers": (winner, runner_up),
            "officer": officer}


def test_withdrawing_published_results_takes_back_what_they_gave(client, published):
    ev, officer = published["event"], published["officer"]
    winner_entry, runner_entry = published["entries"]
    assert Entry.objects.filter(source_entry=winner_entry).exists()
    client.force_login(officer)
    page = client.get(reverse("competitions:manage_competition", args=[ev.competition_id])).content.decode()
    assert 'id="withdraw"' in page
    url = reverse("competitions:results_withdraw", args=[ev.competition_id])
    client.post(url, {"reason": ""})
    assert Competition.objects.get(pk=ev.competition_id).results_published
    client.post(url, {"reason": "计分程序有误"})

    contest = Competition.objects.get(pk=ev.competition_id)
    assert not contest.results_published
    assert contest.history.latest().history_change_reason == reason_key("competition.withdrawn", "计分程序有误")
    assert not Entry.objects.filter(event=published["city_event"]).exists()  # advancement taken back
    assert not EligibilityGrant.objects.exists()
    certificate = Certificate.objects.get()
    assert certificate.is_revoked and certificate.competition_result is None
    assert "计分程序有误" in certificate.revoked_reason
    for worker in published["workers"]:
        assert any(n.title.startswith("成绩已撤回") for n in Notification.objects.filter(user=worker.user))

    # Computed and published again, the same awards give the same things again.
    services.results_compute(event_id=ev.pk)
    services.results_publish(competition=contest, user=officer)
    assert Entry.objects.filter(source_entry=winner_entry, event=published["city_event"]).exists()
    assert competition_route_apply(user=officer) == (1, 1)
    assert Certificate.objects.filter(status="valid", competition_result__entry=runner_entry).exists()


def test_withdrawal_is_refused_once_the_advanced_entry_is_marked(published):
    city_event, winner_entry = published["city_event"], published["entries"][0]
    advanced = Entry.objects.get(source_entry=winner_entry)
    judge = UserFactory(role=Role.JUDGE)
    from competitions.models import ScoreSheet

    ScoreSheet.objects.create(entry=advanced, judge=judge)
    with pytest.raises(services.CompetitionError, match="已有评分"):
        services.results_withdraw(competition=city_event.competition.fed_by.get(), reason="复核",
                                  user=published["officer"])
    assert Competition.objects.get(pk=published["event"].competition_id).results_published


def test_correcting_a_published_result_moves_advancement_certification_and_tells_the_worker(client, published):
    ev, officer = published["event"], published["officer"]
    winner_entry, runner_entry = published["entries"]
    winner, runner_up = published["workers"]
    client.force_login(officer)
    page = client.get(reverse("competitions:manage_event", args=[ev.pk])).content.decode()
    url = reverse("competitions:result_correct", args=[winner_entry.result.pk])
    assert url in page
    client.post(url, {"rank": "2", "tier": "second", "title": "", "reason": ""})
    assert Result.objects.get(entry=winner_entry).tier == "first"  # no reason, no correction
    client.post(url, {"rank": "2", "tier": "second", "title": "", "reason": "理论成绩录入错误"})

    corrected = Result.objects.get(entry=winner_entry)
    assert (corrected.rank, corrected.tier, corrected.upgrade) == (2, "second", Upgrade.CERTIFY_UP)
    latest = corrected.history.latest()
    assert latest.history_user == officer
    assert latest.history_change_reason == reason_key("result.corrected", "理论成绩录入错误")
    assert latest.prev_record.tier == "first"
    assert not Entry.objects.filter(source_entry=winner_entry).exists()  # no longer advances
    assert not EligibilityGrant.objects.filter(worker=winner).exists()  # the right of the first prize is gone
    assert any(n.title.startswith("成绩已更正") and "理论成绩录入错误" in n.body
               for n in Notification.objects.filter(user=winner.user))

    # The runner-up corrected up to the first prize goes to the city now; the certificate of the
    # second prize is revoked, the right of the first comes with the next route run.
    services.result_correct(result=runner_entry.result, rank=1, tier="first", title="", reason="名次互换", user=officer)
    assert Entry.objects.filter(source_entry=runner_entry, event=published["city_event"]).exists()
    assert Certificate.objects.get(holder=runner_up).is_revoked
    competition_route_apply(user=officer)
    assert EligibilityGrant.objects.filter(worker=runner_up).exists()
    assert Certificate.objects.filter(holder=winner, status="valid").exists()


def test_a_result_is_corrected_only_once_published_and_with_a_change(organization, role_users, published):
    officer = published["officer"]
    result = published["entries"][0].result
    with pytest.raises(services.CompetitionError, match="没有变化"):
        services.result_correct(result=result, rank=result.rank, tier=result.tier, title=result.title,
                                reason="x", user=officer)
    ev = event(judges=1, comp=competition(name="2026年张湾区电工职业技能竞赛"))
    (entry,) = enter(ev, organization, 1)
    services.sheet_save(entry=entry, judge=judges_of(ev)[0], marks=marks(ev, "50", "50"), submit=True)
    services.results_compute(event_id=ev.pk)
    with pytest.raises(services.CompetitionError, match="成绩尚未公布"):
        services.result_correct(result=Result.objects.get(entry=entry), rank=1, tier="first", title="",
                                reason="x", user=officer)

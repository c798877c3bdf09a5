import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competitions import services, views
from competitions.models import Competition, Entry, Mark, ScoreSheet
from competitions.tests.factories import close_entries, event, welder
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.orm_answer import same_as_the_orm


@pytest.fixture
def judged(db, organization):
    ev = event(judges=2)
    entry = services.entry_create(event=ev, organization=organization, user=None,
                                  worker=welder(organization, name="张大力"))
    close_entries(ev.competition)
    return ev, entry, [a.judge for a in ev.judges.order_by("pk")]


def marks(ev, *values):
    return {p.pk: Decimal(v) for p, v in zip(ev.parts.order_by("order"), values, strict=True)}


def test_judge_saves_a_draft_then_submits_and_the_marks_lock(client, judged):
    ev, entry, (judge, _other) = judged
    client.force_login(judge)
    url = reverse("competitions:judge_sheet", args=[entry.pk])
    parts = list(ev.parts.order_by("order"))
    client.post(url, {f"part_{parts[0].pk}": "70", "save": "1"})
    assert ScoreSheet.objects.get().submitted_at is None
    client.post(url, {f"part_{parts[0].pk}": "75", f"part_{parts[1].pk}": "88", "submit": "1"})
    assert ScoreSheet.objects.get().submitted_at is not None
    response = client.post(url, {f"part_{parts[0].pk}": "10", f"part_{parts[1].pk}": "10", "submit": "1"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert sorted(Mark.objects.values_list("value", flat=True)) == [Decimal("75.00"), Decimal("88.00")]


def test_saving_marks_reads_by_prepared_statements_only(client, judged):
    ev, entry, (judge, _other) = judged
    client.force_login(judge)
    url = reverse("competitions:judge_sheet", args=[entry.pk])
    part = ev.parts.order_by("order").first()
    client.post(url, {f"part_{part.pk}": "70", "save": "1"})  # the sheet made
    with CaptureQueriesContext(connection) as seen:
        assert client.post(url, {f"part_{part.pk}": "71", "save": "1"}).status_code == 302
    # the session, the user, the entry the judge may mark (the judge checked), the event's parts; in the save the
    # entry again, the sheet locked, the parts and the sheet's marks: each EXECUTE of a prepared statement
    assert [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")] == []
    assert Mark.objects.get().value == Decimal("71.00")


def test_a_judges_pages_read_what_the_orm_reads(judged, organization):
    ev, entry, (judge, other) = judged
    services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "70", "80"), submit=False)
    ScoringPart = ev.parts.model
    ids = {"judge_id": judge.pk}
    assert [e.pk for e in same_as_the_orm(views.JUDGE_EVENT_ENTRIES, event_id=ev.pk, organization_id=0, **ids)] \
        == [entry.pk]
    assert same_as_the_orm(views.JUDGE_EVENT_ENTRIES, event_id=ev.pk, organization_id=organization.pk, **ids) == []
    same_as_the_orm(views.JUDGE_EVENT, pk=ev.pk, **ids)
    assert len(same_as_the_orm(views.MY_SHEETS, event_id=ev.pk, **ids)) == 1
    assert same_as_the_orm(views.MY_SHEETS, event_id=ev.pk, judge_id=other.pk) == []
    assert len(same_as_the_orm(views.CHIEF, event_id=ev.pk, **ids)) == ev.judges.filter(judge=judge, chief=True).count()
    same_as_the_orm(services.MARKABLE, pk=entry.pk, organization_id=0, **ids)
    assert same_as_the_orm(services.MARKABLE, pk=entry.pk, organization_id=organization.pk, **ids) == []
    assert len(same_as_the_orm(services.PARTS, event_id=ev.pk)) == ScoringPart.objects.filter(event=ev).count() == 2
    sheet = same_as_the_orm(views.SHEET, entry_id=entry.pk, **ids)[0]
    assert len(same_as_the_orm(services.MARKS, sheet_id=sheet.pk)) == 2


@pytest.mark.parametrize("value", ["101", "-1", "abc", "1e9"])
def test_marks_out_of_bounds_or_not_numbers_change_nothing(client, judged, value):
    ev, entry, (judge, _other) = judged
    client.force_login(judge)
    part = ev.parts.order_by("order").first()
    response = client.post(reverse("competitions:judge_sheet", args=[entry.pk]),
                           {f"part_{part.pk}": value, "save": "1"})
    assert response.status_code == 200
    assert not Mark.objects.exists()


def test_submitting_needs_every_part(judged):
    ev, entry, (judge, _other) = judged
    part = ev.parts.order_by("order").first()
    with pytest.raises(services.CompetitionError):
        services.sheet_save(entry=entry, judge=judge, marks={part.pk: Decimal("50")}, submit=True)
    assert not ScoreSheet.objects.filter(submitted_at__isnull=False).exists()


def test_the_database_refuses_a_mark_above_the_maximum(judged):
    from django.db import IntegrityError, transaction

    ev, entry, (judge, _other) = judged
    sheet = ScoreSheet.objects.create(entry=entry, judge=judge)
    part = ev.parts.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(sheet=sheet, part=part, value=Decimal("150"), max_mark=part.max_mark)


def test_a_judge_of_another_event_gets_404(client, judged, organization):
    _ev, entry, _judges = judged
    stranger = event(judges=1, name="另一个项目", comp=Competition.objects.get()).judges.get().judge
    client.force_login(stranger)
    assert client.get(reverse("competitions:judge_sheet", args=[entry.pk])).status_code == 404
    assert client.get(reverse("competitions:judge_event", args=[entry.event_id])).status_code == 404
    with pytest.raises(services.CompetitionError):
        services.sheet_save(entry=entry, judge=stranger, marks=marks(entry.event, "1", "1"), submit=False)


def test_a_judge_never_marks_their_own_organizations_entry(client, judged, organization):
    ev, entry, (judge, _other) = judged
    judge.organization = organization
    judge.save()
    client.force_login(judge)
    assert client.get(reverse("competitions:judge_sheet", args=[entry.pk])).status_code == 404
    assert entry.bib not in [e.bib for e in client.get(reverse("competitions:judge_event",
                                                               args=[ev.pk])).context["entries"]]


def test_names_and_organizations_never_reach_the_judge(client, judged, organization):
    ev, entry, (judge, _other) = judged
    client.force_login(judge)
    pages = [client.get(reverse("competitions:judge_home")),
             client.get(reverse("competitions:judge_event", args=[ev.pk])),
             client.get(reverse("competitions:judge_sheet", args=[entry.pk]))]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "张大力" not in html and organization.name not in html


def test_the_officer_corrects_a_locked_mark_with_a_reason(client, judged, role_users):
    ev, entry, (judge, _other) = judged
    services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "60", "70"), submit=True)
    mark = Mark.objects.order_by("part__order").first()
    client.force_login(role_users["competitions_officer"])
    url = reverse("competitions:mark_correct", args=[mark.pk])
    assert client.post(url, {"value": "65", "reason": ""}).status_code == 200
    client.post(url, {"value": "65", "reason": "计分错误"})
    mark.refresh_from_db()
    assert mark.value == Decimal("65.00")
    latest = mark.history.latest()
    assert latest.history_user == role_users["competitions_officer"] and "计分错误" in latest.history_change_reason


@pytest.mark.django_db(transaction=True)
def test_two_judges_submitting_at_once_lose_nothing(organization):
    ev = event(judges=2)
    entry = services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
    close_entries(ev.competition)
    judges = [a.judge for a in ev.judges.order_by("pk")]
    barrier = Barrier(4)

    def submit(judge, value):
        try:
            barrier.wait(timeout=10)
            services.sheet_save(entry=entry, judge=judge, marks=marks(ev, value, value), submit=True)
            return None
        except services.CompetitionError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        # each judge twice at once: one of their two requests wins, the other finds the sheet locked
        outcomes = list(pool.map(lambda args: submit(*args), [(judges[0], "50"), (judges[0], "51"),
                                                              (judges[1], "60"), (judges[1], "61")]))
    assert sum(o is None for o in outcomes) == 2
    assert ScoreSheet.objects.filter(submitted_at__isnull=False).count() == 2
    assert Mark.objects.count() == 4


def test_entries_only_inside_the_window(organization):
    ev = event(comp=None)
    Competition.objects.filter(pk=ev.competition_id).update(registration_closes=timezone.now() - datetime.timedelta(1),
                                                            registration_opens=timezone.now() - datetime.timedelta(9))
    ev.refresh_from_db()
    with pytest.raises(services.CompetitionError):
        services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
    assert not Entry.objects.exists()


def test_an_entry_for_the_wrong_trade_is_refused(organization):
    ev = event()
    with pytest.raises(services.CompetitionError):
        services.entry_create(event=ev, organization=organization, user=None,
                              worker=WorkerFactory(employer=organization))
    assert not Entry.objects.exists()


def test_a_team_with_a_worker_of_another_organization_is_refused(organization, other_organization):
    ev = event(team=True, max_team_size=3)
    with pytest.raises(services.CompetitionError):
        services.entry_create(event=ev, organization=organization, user=None, team_name="焊花队",
                              members=[welder(organization), welder(other_organization)])
    assert not Entry.objects.exists()


def test_bibs_are_numbered_in_order(organization):
    ev = event()
    bibs = [services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization)).bib
            for _ in range(3)]
    assert bibs == [1, 2, 3]


def test_entering_the_same_worker_twice_is_refused(organization):
    ev = event()
    worker = welder(organization)
    services.entry_create(event=ev, organization=organization, user=None, worker=worker)
    with pytest.raises(services.CompetitionError):
        services.entry_create(event=ev, organization=organization, user=None, worker=worker)


def test_liaison_enters_workers_and_sees_their_bibs(client, liaison, organization):
    ev = event()
    ours = [welder(organization) for _ in range(2)]
    client.force_login(liaison)
    response = client.post(reverse("competitions:liaison_enter", args=[ev.pk]), {"workers": [w.pk for w in ours]})
    assert response.status_code == 302
    assert sorted(Entry.objects.values_list("bib", flat=True)) == [1, 2]
    page = client.get(reverse("competitions:liaison_entries")).content.decode()
    assert ours[0].name in page


def test_liaison_cannot_enter_another_organizations_worker(client, liaison, other_organization):
    ev = event()
    theirs = welder(other_organization)
    client.force_login(liaison)
    response = client.post(reverse("competitions:liaison_enter", args=[ev.pk]), {"workers": [theirs.pk]})
    assert response.status_code == 200 and not Entry.objects.exists()


def test_results_publication_tells_the_worker_and_advances_winners(organization, role_users):
    from competitions.models import AwardRule
    from competitions.tests.factories import competition
    from zhangwan.accounts.models import Notification

    city = competition(name="十堰市焊工大赛", level="city")
    event(comp=city, name="焊工")
    ev = event(judges=1, rules={"first": 1}, comp=competition(advances_to=city))
    AwardRule.objects.filter(event=ev).update(advances=True, title="张湾区技术能手")
    worker = welder(organization, user=UserFactory(role=Role.WORKER))
    entry = services.entry_create(event=ev, organization=organization, user=None, worker=worker)
    close_entries(ev.competition)
    services.sheet_save(entry=entry, judge=ev.judges.get().judge, marks=marks(ev, "90", "90"), submit=True)
    services.results_compute(event_id=ev.pk)
    services.results_publish(competition=ev.competition, user=role_users["competitions_officer"])
    assert Entry.objects.get(source_entry=entry).event.competition == city
    assert Notification.objects.filter(user=worker.user).exists()
    with pytest.raises(services.CompetitionError):
        services.sheet_save(entry=entry, judge=ev.judges.get().judge, marks=marks(ev, "1", "1"), submit=False)


def test_the_chief_judge_sees_marking_patterns_and_disagreements(client, judged):
    from competitions.models import JudgeAssignment

    ev, entry, (judge, other) = judged
    services.sheet_save(entry=entry, judge=judge, marks=marks(ev, "90", "90"), submit=True)
    services.sheet_save(entry=entry, judge=other, marks=marks(ev, "40", "40"), submit=True)
    JudgeAssignment.objects.filter(event=ev, judge=judge).update(chief=True)
    client.force_login(judge)
    response = client.get(reverse("competitions:judge_event", args=[ev.pk]))
    assert response.context["disagreements"][0]["bib"] == entry.bib
    client.force_login(other)
    assert client.get(reverse("competitions:judge_event", args=[ev.pk])).context["disagreements"] == []


def test_recording_external_results_from_excel_is_all_or_nothing(client, role_users, organization):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from competitions.models import Result
    from competitions.tests.factories import competition

    ev = event(comp=competition(name="十堰市技能大赛", level="city", external=True))
    worker = WorkerFactory(employer=organization)

    def upload(rows):
        book = Workbook()
        book.active.append(["身份证号", "名次", "奖项", "称号"])
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile("r.xlsx", buffer.getvalue())

    client.force_login(role_users["competitions_officer"])
    url = reverse("competitions:record_results", args=[ev.pk])
    response = client.post(url, {"file-file": upload([[worker.id_number, 2, "二等奖", "十堰市技术能手"],
                                                      [worker.id_number[:-1] + "0", "x", "金奖", ""]])})
    assert [e.row for e in response.context["errors"]] == [3]
    assert not Result.objects.exists()
    good = upload([[worker.id_number, 2, "二等奖", "十堰市技术能手"]])
    assert client.post(url, {"file-file": good}).status_code == 302
    result = Result.objects.get()
    assert (result.rank, result.tier, result.recorded) == (2, "second", True)


@pytest.mark.parametrize("name, content, ok", [
    ("plan.pdf", b"%PDF-1.7 real pdf", True),
    ("photo.png", b"\x89PNG\r\n\x1a\n....", True),
    ("virus.pdf", b"MZ\x90\x00 an exe renamed", False),
    ("notes.txt", b"plain text", False),
])
def test_project_attachments_are_checked_by_content(client, liaison, organization, name, content, ok):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competitions.models import InnovationProject
    from competitions.tests.factories import competition

    contest = competition(name="十堰市双创大赛", kind="innovation", external=True)
    member = WorkerFactory(employer=organization)
    client.force_login(liaison)
    response = client.post(reverse("competitions:project_new"), {
        "title": "焊接机器人夹具改进", "competition": contest.pk, "team": [member.pk], "summary": "",
        "attachments": [SimpleUploadedFile(name, content)]})
    assert (response.status_code == 302) is ok
    assert InnovationProject.objects.exists() is ok


def test_an_oversized_attachment_is_refused(client, liaison, organization, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competitions.models import InnovationProject
    from competitions.tests.factories import competition

    contest = competition(name="十堰市双创大赛", kind="innovation", external=True)
    client.force_login(liaison)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
    response = client.post(reverse("competitions:project_new"), {
        "title": "大文件", "competition": contest.pk, "team": [WorkerFactory(employer=organization).pk],
        "attachments": [big]})
    assert response.status_code == 200 and response.context["form"].errors["attachments"]
    assert not InnovationProject.objects.exists()


def test_a_project_team_member_from_another_organization_is_refused(client, liaison, other_organization):
    from competitions.models import InnovationProject
    from competitions.tests.factories import competition

    contest = competition(name="十堰市双创大赛", kind="innovation", external=True)
    client.force_login(liaison)
    response = client.post(reverse("competitions:project_new"), {
        "title": "越权", "competition": contest.pk, "team": [WorkerFactory(employer=other_organization).pk]})
    assert response.status_code == 200 and not InnovationProject.objects.exists()


def test_publishing_advances_every_winner_once_in_a_constant_number_of_queries(organization, role_users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from competitions.models import AwardRule
    from competitions.tests.factories import competition

    def contest(n, *, team=False):
        city = competition(name=f"十堰市大赛{n}", level="city")
        city_event = event(comp=city, name="焊工", team=team, max_team_size=3)
        ev = event(judges=1, rules={"first": 10}, comp=competition(name=f"张湾区大赛{n}", advances_to=city),
                   team=team, max_team_size=3)
        AwardRule.objects.filter(event=ev).update(advances=True)
        return ev, city_event

    def publish(ev, entries):
        close_entries(ev.competition)
        for entry in entries:
            services.sheet_save(entry=entry, judge=ev.judges.get().judge, marks=marks(ev, "90", "90"), submit=True)
        services.results_compute(event_id=ev.pk)
        with CaptureQueriesContext(connection) as queries:
            services.results_publish(competition=ev.competition, user=role_users["competitions_officer"])
        return len(queries)

    # Two winners, and a third whose worker the city had already entered directly.
    ev, city_event = contest(1)
    workers = [welder(organization) for _ in range(3)]
    entries = [services.entry_create(event=ev, organization=organization, user=None, worker=w) for w in workers]
    direct = services.entry_create(event=city_event, organization=organization, user=None, worker=workers[2])
    queries_for_three = publish(ev, entries)
    advanced = Entry.objects.filter(event=city_event, source_entry__isnull=False).order_by("bib")
    assert [(e.worker, e.source_entry) for e in advanced] == [(workers[0], entries[0]), (workers[1], entries[1])]
    assert [e.bib for e in advanced] == [direct.bib + 1, direct.bib + 2]
    assert {e.history.get().history_user for e in advanced} == {role_users["competitions_officer"]}

    # Eight winners cost no more queries than three.
    ev, city_event = contest(2)
    entries = [services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
               for _ in range(8)]
    assert publish(ev, entries) <= queries_for_three
    assert Entry.objects.filter(event=city_event).count() == 8

    # A team goes on with its members.
    ev, city_event = contest(3, team=True)
    team = [welder(organization) for _ in range(3)]
    entry = services.entry_create(event=ev, organization=organization, user=None, team_name="焊花队", members=team)
    publish(ev, [entry])
    advanced = Entry.objects.get(event=city_event)
    assert (advanced.team_name, set(advanced.members.all())) == ("焊花队", set(team))


def test_the_marking_form_shows_each_parts_weight(client, judged):
    ev, entry, (judge, _other) = judged
    client.force_login(judge)
    page = client.get(reverse("competitions:judge_sheet", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "占总成绩 30%" in text and "占总成绩 70%" in text

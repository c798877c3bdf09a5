"""Every list page staff use exports to Excel: the rows of the page's filter, within the user's scope,
identity numbers masked for whoever may not see them whole.

Each case makes rows the filter keeps and rows it drops, then compares the workbook's first column
(or the column named) with what the filter should keep.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.models import Application, Certificate
from certification.tests.factories import session
from competitions.models import Entry, InnovationProject, Result
from competitions.tests.factories import competition, event, welder
from masters.models import (
    Conflict,
    IncentiveGrant,
    IncentivePolicy,
    MasterStudio,
    MasterTitle,
    Nomination,
    TalkOrder,
    TalkTopic,
)
from masters.tests.factories import nomination, reviewer, selection_round
from training.models import Enrollment, NeedsResponse, NeedsSurvey, PlanLine, TrainingPlan
from training.subsidies.models import Kind, Policy, Run
from training.subsidies.tests.factories import approved_batch, claim, draft_batch, policy
from training.tests.factories import open_class
from zhangwan.excel import XLSX_CONTENT_TYPE
from zhangwan.registry.tests.factories import WorkerFactory, trade


@dataclass
class Case:
    url: str
    role: str
    expected: list
    column: int = 0
    sheet: int = 0


def rows_of(response, sheet=0):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[sheet].values)[1:]  # below the title row
    assert rows and all(isinstance(h, str) and h for h in rows[0]), "a header row of labels"
    return rows[1:]


# One builder per staff list page: (users, organization, other organization) → Case ----------

def roster(users, org, other):
    kept = WorkerFactory(employer=org, name="王焊工")
    WorkerFactory(employer=org, name="李钳工")
    return Case(reverse("registry:roster_export") + "?q=焊", "training_officer", [kept.name])


def roster_in_scope(users, org, other):
    own = WorkerFactory(employer=org, name="本厂职工")
    WorkerFactory(employer=other, name="外厂职工")
    return Case(reverse("registry:roster_export"), "liaison", sorted([own.name, users["worker"].worker.name]))


def classes(users, org, other):
    kept = open_class(title="焊工开班")
    open_class(title="焊工草稿", status="draft")
    return Case(reverse("training:class_list") + "?status=open&format=xlsx", "training_officer", [kept.title])


def class_attendance(users, org, other):
    cls = open_class()
    for name in ("甲", "乙"):
        Enrollment.objects.create(worker=WorkerFactory(name=name), training_class=cls, status="confirmed",
                                  channel="staff")
    Enrollment.objects.create(worker=WorkerFactory(name="退出者"), training_class=cls, status="cancelled",
                              channel="staff")
    return Case(reverse("training:class_export", args=[cls.pk]), "auditor", ["乙", "甲"], column=1)


def surveys(users, org, other):
    NeedsSurvey.objects.create(title="2025需求调研", year=2025, starts_on="2025-03-01", ends_on="2025-04-01")
    NeedsSurvey.objects.create(title="2026需求调研", year=2026, starts_on="2026-03-01", ends_on="2026-04-01")
    return Case(reverse("training:survey_list") + "?format=xlsx", "training_officer", ["2025需求调研", "2026需求调研"])


def plans(users, org, other):
    TrainingPlan.objects.create(year=2025, title="2025年培训计划")
    TrainingPlan.objects.create(year=2026, title="2026年培训计划")
    return Case(reverse("training:survey_list") + "?format=xlsx", "auditor", ["2025年培训计划", "2026年培训计划"],
                sheet=1)


def survey_needs(users, org, other):
    survey = NeedsSurvey.objects.create(title="需求调研", year=2026, starts_on="2026-03-01", ends_on="2026-04-01")
    NeedsResponse.objects.create(survey=survey, organization=org, trade=trade(), head_count=12)
    NeedsResponse.objects.create(survey=survey, organization=other, trade=trade(), head_count=8)
    elsewhere = NeedsSurvey.objects.create(title="别的调研", year=2025, starts_on="2025-03-01", ends_on="2025-04-01")
    NeedsResponse.objects.create(survey=elsewhere, organization=org, trade=trade(), head_count=99)
    return Case(reverse("training:survey_detail", args=[survey.pk]) + "?format=xlsx", "training_officer", [20],
                column=3)


def plan_lines(users, org, other):
    plan = TrainingPlan.objects.create(year=2026, title="2026年培训计划")
    PlanLine.objects.create(plan=plan, trade=trade(), target_classes=2, target_trainees=60, budget=Decimal("9000"))
    return Case(reverse("training:plan_detail", args=[2026]) + "?format=xlsx", "auditor", [60], column=4)


def competitions(users, org, other):
    competition(name="焊工大赛")
    competition(name="车工大赛", year=2025)
    return Case(reverse("competitions:manage_list") + "?format=xlsx", "competitions_officer", ["焊工大赛", "车工大赛"])


def projects_in_scope(users, org, other):
    contest = competition(name="双创大赛", kind="innovation")
    InnovationProject.objects.create(title="本厂项目", competition=contest, organization=org)
    InnovationProject.objects.create(title="外厂项目", competition=contest, organization=other)
    return Case(reverse("competitions:project_list") + "?format=xlsx", "liaison", ["本厂项目"])


def projects(users, org, other):
    contest = competition(name="双创大赛", kind="innovation")
    InnovationProject.objects.create(title="本厂项目", competition=contest, organization=org)
    InnovationProject.objects.create(title="外厂项目", competition=contest, organization=other)
    return Case(reverse("competitions:project_list") + "?format=xlsx", "finance_officer", ["外厂项目", "本厂项目"])


def event_results(users, org, other):
    ev = event()
    for bib in (1, 2):
        entry = Entry.objects.create(event=ev, worker=welder(org), organization=org, bib=bib)
        Result.objects.create(entry=entry, rank=bib, final_score=Decimal(90 - bib))
    Entry.objects.create(event=event(name="另一项目", comp=ev.competition), worker=welder(org), organization=org, bib=9)
    return Case(reverse("competitions:manage_event", args=[ev.pk]) + "?format=xlsx", "auditor", [1, 2], column=1)


def assessment_sessions(users, org, other):
    session(level=5, date=datetime.date(2026, 12, 1))
    session(level=4, date=datetime.date(2026, 11, 1))
    return Case(reverse("certification:manage_sessions") + "?format=xlsx", "certification_officer",
                [datetime.datetime(2026, 12, 1), datetime.datetime(2026, 11, 1)], column=2)


def certificates(users, org, other):
    for number, level in (("C1", 3), ("C2", 4), ("C3", 3)):
        Certificate.objects.create(number=number, holder=WorkerFactory(), trade=trade(), level=level,
                                   issued_on="2026-01-10", source="imported")
    return Case(reverse("certification:certificate_list") + "?level=3&format=xlsx", "auditor", ["C3", "C1"])


def applications(users, org, other):
    s = session()
    for name in ("申请甲", "申请乙"):
        Application.objects.create(worker=WorkerFactory(name=name), session=s)
    Application.objects.create(worker=WorkerFactory(name="已撤回"), session=s, status="withdrawn")
    return Case(reverse("certification:manage_session", args=[s.pk]) + "?format=xlsx", "certification_officer",
                ["申请甲", "申请乙"])


def subsidy_policies(users, org, other):
    policy(Kind.SKILL)
    policy(Kind.TRAINING)
    return Case(reverse("subsidies:policy_list") + "?format=xlsx", "finance_officer",
                list(Policy.objects.values_list("name", flat=True)))


def runs(users, org, other):
    made = [Run.objects.create(period_start="2026-01-01", period_end=f"2026-0{m}-28",
                               started_by=users["training_officer"]) for m in (1, 2)]
    return Case(reverse("subsidies:run_list") + "?format=xlsx", "auditor", sorted(r.pk for r in made))


def claims(users, org, other):
    skill = policy(Kind.SKILL)
    waiting = claim(policy=skill, status="pending")
    claim(policy=skill)
    return Case(reverse("subsidies:claim_list") + "?status=pending&format=xlsx", "training_officer", [waiting.pk])


def batches(users, org, other):
    skill = policy(Kind.SKILL)
    paid = approved_batch([claim(policy=skill)], made_by=users["finance_officer"], approved_by=users["auditor"],
                          paid=True)
    draft_batch([claim(policy=skill)], made_by=users["finance_officer"])
    return Case(reverse("subsidies:batch_list") + "?status=paid&format=xlsx", "training_officer", [paid.number])


def batch_claims(users, org, other):
    skill = policy(Kind.SKILL)
    inside = [claim(policy=skill, worker=WorkerFactory(name=n)) for n in ("付甲", "付乙")]
    batch = draft_batch(inside, made_by=users["finance_officer"])
    claim(policy=skill)
    return Case(reverse("subsidies:batch_detail", args=[batch.pk]) + "?format=xlsx", "auditor",
                [c.pk for c in inside])


def nominations(users, org, other):
    round_ = selection_round()
    kept = nomination(round_, status="submitted")
    nomination(round_, status="ineligible")
    return Case(reverse("masters:nomination_list") + "?status=submitted&format=xlsx", "masters_officer",
                [kept.nominee.name], column=1)


def rounds(users, org, other):
    selection_round(year=2022)
    selection_round(year=2023)
    return Case(reverse("masters:round_list") + "?format=xlsx", "auditor", [2022, 2023], column=1)


def ranking(users, org, other):
    round_ = selection_round()
    ranked = []
    for rank in (1, 2):
        made = nomination(round_, status="under_review")
        Nomination.objects.filter(pk=made.pk).update(final_score=Decimal(90 - rank), rank=rank)
        ranked.append(rank)
    nomination(round_, status="submitted")
    return Case(reverse("masters:round_ranking", args=[round_.pk]) + "?format=xlsx", "masters_officer", ranked)


def conflicts(users, org, other):
    round_ = selection_round()
    same = nomination(round_, status="eligible")
    same_org = reviewer(organization=same.organization)
    declared = nomination(round_, status="under_review")
    declaring = reviewer()
    Conflict.objects.create(reviewer=declaring, worker=declared.nominee, reason="师徒关系")
    nomination(round_, status="draft")
    return Case(reverse("masters:round_conflicts", args=[round_.pk]) + "?format=xlsx", "auditor",
                sorted([str(same_org), str(declaring)]), column=2)


def _title(year, name):
    made = nomination(selection_round(year=year), status="conferred")
    return MasterTitle.objects.create(nomination=made, worker=made.nominee, trade=trade(), year=year, title=name,
                                      number=f"ZW{year}", conferred_on=f"{year}-11-18")


def incentives(users, org, other):
    incentive = IncentivePolicy.objects.create(number=1, name="外出疗休养", involves_money=True)
    title = _title(2022, "张湾区技能大师")
    IncentiveGrant.objects.create(policy=incentive, master=title, granted_on="2023-05-16", amount=3000, note="当年")
    IncentiveGrant.objects.create(policy=incentive, master=title, granted_on="2024-05-16", amount=3000, note="次年")
    return Case(reverse("masters:incentives") + "?year=2023&format=xlsx", "finance_officer", ["当年"], column=5)


def studios(users, org, other):
    title = _title(2022, "张湾区技能大师")
    for name in ("焊接大师工作室", "数控大师工作室"):
        MasterStudio.objects.create(name=name, master=title, host=org, established_on="2023-03-01")
    return Case(reverse("masters:studios") + "?format=xlsx", "masters_officer", ["数控大师工作室", "焊接大师工作室"])


def talk_orders(users, org, other):
    topic = TalkTopic.objects.create(title="工匠精神", category="craftsmanship")
    TalkOrder.objects.create(topic=topic, organization=org, preferred_date=timezone.localdate(),
                             expected_audience=100, ordered_by=users["liaison"])
    TalkOrder.objects.create(topic=topic, organization=other, preferred_date=timezone.localdate(),
                             expected_audience=50, ordered_by=users["liaison"], status="cancelled")
    return Case(reverse("masters:talk_orders") + "?status=requested&format=xlsx", "auditor", [100], column=4)


def talk_menu(users, org, other):
    TalkTopic.objects.create(title="工匠精神", category="craftsmanship")
    TalkTopic.objects.create(title="安全生产", category="safety")
    TalkTopic.objects.create(title="已下架", category="safety", active=False)
    return Case(reverse("masters:talk_menu") + "?format=xlsx", "masters_officer", ["安全生产", "工匠精神"])


PAGES = [roster, roster_in_scope, classes, class_attendance, surveys, plans, survey_needs, plan_lines,
         competitions, projects_in_scope, projects, event_results, assessment_sessions, certificates, applications,
         subsidy_policies, runs, claims, batches, batch_claims, nominations, rounds, ranking, conflicts, incentives,
         studios, talk_orders, talk_menu]


@pytest.mark.parametrize("page", PAGES, ids=[p.__name__ for p in PAGES])
def test_the_export_holds_the_rows_of_the_pages_filter(client, role_users, organization, other_organization, page):
    case = page(role_users, organization, other_organization)
    client.force_login(role_users[case.role])
    values = [row[case.column] for row in rows_of(client.get(case.url), case.sheet)]
    assert sorted(values, key=str) == sorted(case.expected, key=str)


# Identity numbers: whole only for whoever may see them ----------------------------------------

# The liaison's export of their own workers is the import template filled in: whole numbers, so that
# it can be uploaded back (issue 20's round trip).
@pytest.mark.parametrize("role, whole", [("competitions_officer", False), ("training_officer", True),
                                         ("liaison", True)])
def test_the_roster_export_masks_identity_numbers(client, role_users, organization, role, whole):
    worker = WorkerFactory(employer=organization, name="王焊工")
    client.force_login(role_users[role])
    rows = rows_of(client.get(reverse("registry:roster_export") + "?q=王焊工"))
    assert rows[0][1] == (worker.id_number if whole else worker.masked_id_number)


@pytest.mark.parametrize("role, whole", [("training_officer", False), ("finance_officer", True), ("auditor", True)])
def test_the_batch_claims_export_masks_identity_numbers_except_for_finance_and_audit(client, role_users, role,
                                                                                     whole):
    made = claim(policy=policy(Kind.SKILL))
    batch = draft_batch([made], made_by=role_users["finance_officer"])
    client.force_login(role_users[role])
    rows = rows_of(client.get(reverse("subsidies:batch_detail", args=[batch.pk]) + "?format=xlsx"))
    assert rows[0][2] == (made.worker.id_number if whole else made.worker.masked_id_number)


def test_a_paid_batch_exports_its_payment(client, role_users):
    batch = approved_batch([claim(policy=policy(Kind.SKILL))], made_by=role_users["finance_officer"],
                           approved_by=role_users["auditor"], paid=True)
    client.force_login(role_users["auditor"])
    [row] = rows_of(client.get(reverse("subsidies:batch_list") + "?format=xlsx"))
    assert row[0] == batch.number and row[4] == 1500
    assert row[10] == datetime.datetime(2025, 1, 20) and row[11] == f"REF{batch.pk}"


@pytest.mark.parametrize("name", ["training:survey_list", "competitions:manage_list", "competitions:project_list",
                                  "certification:manage_sessions", "subsidies:run_list", "subsidies:batch_list",
                                  "masters:round_list", "masters:talk_menu"])
def test_the_page_offers_the_export(client, role_users, name):
    client.force_login(role_users["auditor"])
    page = client.get(reverse(name)).content.decode()
    assert "format=xlsx" in page

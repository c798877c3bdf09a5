"""The world the matrix walks (test_url_matrix, test_post_matrix, test_bad_queries, test_bad_input,
test_masked_id_numbers) open every page on: the two organizations, a user per role, and one object of
each kind for `organization` and `other_organization`; and the logged-in clients they open them with.

The world is built once per module (per xdist worker) inside a transaction rolled back after the
module's last test; each test runs in a savepoint within it (pytest-django's `db`) and gets its own
copy of the Python objects, as Django's `TestCase.setUpTestData` does. So no test here may commit
(`transactional_db`, `live_server`): those belong in zhangwan/tests."""

import copy
import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import one_user_per_role
from zhangwan.registry.models import Employment, TransferRequest, WorkerTrade
from zhangwan.registry.tests.factories import (
    OTHER_ORGANIZATION,
    OWN_ORGANIZATION,
    OrganizationFactory,
    WorkerFactory,
    trade,
)


class RoleClients:
    """A test client per role, logged in once and reused across the walk's requests. Each request
    starts as just after the login: only the session cookie, the session as the login left it. A
    request that logged its client in or out, or changed or rolled back its session, gets the client
    logged in again (a login costs more queries than the pages the walk opens)."""

    def __init__(self, role_users):
        self.role_users, self.clients = role_users, {}

    def __call__(self, role: str) -> Client:
        """The client of `role`; any other name (the walks' "anonymous") is a fresh anonymous client."""
        if role not in self.role_users:
            return Client()
        client, session = self.clients.get(role, (None, None))
        if client is None or self._session(client) != session:
            client = Client()
            client.force_login(self.role_users[role])
            self.clients[role] = client, self._session(client)
        for name in [name for name in client.cookies if name != settings.SESSION_COOKIE_NAME]:
            del client.cookies[name]
        return client

    @staticmethod
    def _session(client):
        """The session as the database holds it now, read as the application reads it (one plain statement:
        zhangwan/accounts/sessions.py) before each of the walks' requests."""
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        key = cookie.value if cookie else ""
        return key, import_module(settings.SESSION_ENGINE).SessionStore(key).load()


@pytest.fixture
def role_clients(role_users):
    return RoleClients(role_users)


@pytest.fixture(autouse=True)
def untraced_templates(request, monkeypatch):
    """The walks read what a page shows, never the test client's record of the templates it rendered: Django's
    test set-up has every template render send a signal on which the client keeps a copy of the context, and
    an admin change form renders about 370 templates (its widgets'): a tenth of the page's time. A test that
    reads ``response.context`` is marked ``template_contexts`` and keeps the record."""
    if request.node.get_closest_marker("template_contexts") is None:
        from django.template import Template
        from django.test.utils import _TestState

        monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


def world_transaction():
    """The module's transaction, marked as Django's TestCase marks the one around setUpTestData: it stands
    for the committed database, so what its world wrote (users put in their groups) does not keep
    zhangwan/accounts/access_cache.py from caching roles and permissions, as a transaction of the
    application's that changed who holds what would."""
    atomic = transaction.atomic()
    atomic._from_testcase = True  # noqa: SLF001 - Django's own mark (django.test.TestCase._enter_atomics)
    return atomic


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_transaction():
        organization = OrganizationFactory(name=OWN_ORGANIZATION)
        other_organization = OrganizationFactory(name=OTHER_ORGANIZATION)
        role_users = one_user_per_role(organization)
        yield {"organization": organization, "other_organization": other_organization, "role_users": role_users,
               "objects": build_objects(role_users, organization, other_organization)}
        transaction.set_rollback(True)


@pytest.fixture
def test_world(world, db):
    """This test's copy of the world (its rows are the module's; what the test writes is rolled back)."""
    return copy.deepcopy(world)


@pytest.fixture
def organization(test_world):
    return test_world["organization"]


@pytest.fixture
def other_organization(test_world):
    return test_world["other_organization"]


@pytest.fixture
def role_users(test_world):
    return test_world["role_users"]


@pytest.fixture
def objects(test_world):
    return test_world["objects"]


def account_objects(role_users, organization):
    """An open invitation of the training officer's (its link's token too), and a notification of the worker's."""
    from zhangwan.accounts.managing import token_hash
    from zhangwan.accounts.models import Invitation
    from zhangwan.accounts.notifications import tell

    now = timezone.now()
    invitation = Invitation.objects.create(
        role=Role.LIAISON, organization=organization, full_name="新联络员", email="new-liaison@example.cn",
        token_hash=token_hash("matrix-invitation-token"), created_by=role_users[Role.TRAINING_OFFICER],
        expires_at=now + datetime.timedelta(days=7))
    (notification,) = tell([role_users[Role.WORKER]], "class.cancelled", title="焊工培训", url="/")
    return {"invitation": invitation, "invitation_token": "matrix-invitation-token", "notification": notification,
            "liaison_user": role_users[Role.LIAISON].pk}


def build_objects(role_users, organization, other_organization):
    own = WorkerFactory(employer=organization)
    Employment.objects.create(worker=own, organization=organization, started_on="2020-01-01")
    WorkerTrade.objects.create(worker=own, trade=trade(), started_year=2015)
    from django.contrib.contenttypes.models import ContentType

    from training.models import Mentorship, NeedsResponse, NeedsSurvey, PlanLine, TrainingBase, TrainingPlan
    from training.services import enrollment_register
    from training.tests.factories import open_class

    other = WorkerFactory(employer=other_organization)
    TransferRequest.objects.create(worker=other, from_organization=other_organization, to_organization=organization,
                                   requested_by=role_users["liaison"])
    cls = open_class(provider=organization)
    enrollment = enrollment_register(worker=own, training_class=cls, user=None, channel="staff")
    # The worker role's own registration, so "My classes" shows a row (and its cancel button).
    enrollment_register(worker=role_users["worker"].worker, training_class=cls, user=None, channel="self")
    survey = NeedsSurvey.objects.create(title="2026需求调研", year=2026, starts_on="2026-03-01", ends_on="2026-04-01")
    NeedsResponse.objects.create(survey=survey, organization=organization, trade=trade(), head_count=12)
    # A survey open today, with the worker role's answer, the liaison's organization's and another's.
    today = timezone.localdate()
    open_survey = NeedsSurvey.objects.create(title="明年需求调研", year=today.year + 1,
                                             starts_on=today - datetime.timedelta(days=3),
                                             ends_on=today + datetime.timedelta(days=30))
    worker_answer = NeedsResponse.objects.create(survey=open_survey, worker=role_users["worker"].worker,
                                                 trade=trade())
    organization_answer = NeedsResponse.objects.create(survey=open_survey, organization=organization, trade=trade(),
                                                       head_count=8)
    other_answer = NeedsResponse.objects.create(survey=open_survey, organization=other_organization, trade=trade(),
                                                head_count=5)
    plan = TrainingPlan.objects.create(year=2026, title="2026年培训计划")
    PlanLine.objects.create(plan=plan, trade=trade(), target_classes=2, target_trainees=60)
    TrainingBase.objects.create(name="产业工人培训基地", kind="worker_base", host=organization,
                                designated_on="2022-05-01")
    Mentorship.objects.create(mentor=own, apprentice=WorkerFactory(employer=organization), trade=trade(),
                              started_on="2022-01-01")
    session = cls.sessions.first()
    session.starts_at = timezone.now() - datetime.timedelta(hours=1)  # under way: attendance can be taken
    session.ends_at = session.starts_at + datetime.timedelta(hours=9)
    session.save()
    from training.services import attendance_mark

    attendance_mark(session=session, enrollment=enrollment, status="present", user=None)
    contests = competition_objects(role_users, organization, other_organization)
    certificates = certification_objects(role_users, own, other)
    subsidies = subsidy_objects(role_users, other, certificates)
    masters = masters_objects(role_users, organization, other, contests)
    accounts = account_objects(role_users, organization)
    names = [*contests, *certificates, *subsidies, *masters, *accounts]
    assert len(names) == len(set(names)), "two apps' objects share a name"
    from zhangwan.api.models import Subscription
    from zhangwan.api.tokens import token_create

    # A class with an exam, for the whole-class results page: one seat in it.
    second_class = open_class(provider=organization, title="2026年焊工（中级）二班", has_exam=True)
    exam_seat = enrollment_register(worker=WorkerFactory(employer=organization), training_class=second_class,
                                    user=None, channel="staff")
    api_token, _secret = token_create(user=role_users["liaison"], name="HR", scopes=["roster.read"])
    # Made directly: subscription_create would look the (made-up) host up.
    webhook = Subscription.objects.create(organization=organization, created_by=role_users["liaison"],
                                          url="https://hr.example.com/zhangwan", events=["enrollment.confirmed"],
                                          secret="whsec_matrix")
    return {**contests, **certificates, **subsidies, **masters, **accounts, "api_token": api_token,
            "webhook": webhook,
            "own_worker": own, "other_worker": other, "class": cls, "enrollment": enrollment,
            "draft_class": open_class(status="draft", provider=organization), "session": session,
            "second_class": second_class, "exam_seat": exam_seat,
            "survey": survey, "plan": plan, "open_survey": open_survey, "worker_answer": worker_answer,
            "organization_answer": organization_answer, "other_answer": other_answer,
            "worker_type": ContentType.objects.get_for_model(own).pk, "a_user": role_users["worker"].pk}


def competition_objects(role_users, organization, other_organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competitions import services as contests
    from competitions.models import InnovationProject, JudgeAssignment, Mark, OrganizerAward, ProjectAttachment
    from competitions.tests.factories import competition, event, marking, welder

    ev = event()
    JudgeAssignment.objects.create(event=ev, judge=role_users["judge"])
    entry = contests.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
    other_event = event(name="另一个项目", comp=ev.competition)
    other_entry = contests.entry_create(event=other_event, organization=organization, user=None,
                                        worker=welder(organization))
    with marking(ev.competition):
        contests.sheet_save(entry=entry, judge=role_users["judge"], submit=True,
                            marks={p.pk: 50 for p in ev.parts.all()})
    contests.results_compute(event_id=ev.pk)
    external = event(name="市赛焊工", comp=competition(name="十堰市职业技能大赛", level="city", external=True))
    innovation = competition(name="十堰市双创大赛", kind="innovation", external=True)

    def project(org):
        item = InnovationProject.objects.create(title=f"{org.name}的项目", competition=innovation, organization=org)
        attachment = ProjectAttachment.objects.create(project=item, content_type="application/pdf", size=9,
                                                      file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x"))
        return item, attachment

    own_project, attachment = project(organization)
    OrganizerAward.objects.create(competition=ev.competition, organization=organization, funding=5000)
    _theirs, other_attachment = project(other_organization)
    return {"competition": ev.competition, "event": ev, "entry": entry, "other_event": other_event,
            "other_entry": other_entry, "external_event": external, "mark": Mark.objects.first(),
            "competition_result": entry.result,
            "project": own_project, "attachment": attachment, "other_attachment": other_attachment}


def certification_objects(role_users, own, other):
    from certification import services as certs
    from certification import verification
    from certification.models import Application, Certificate, EligibilityGrant
    from certification.tests.factories import session

    s = session()
    application = certs.application_submit(worker=own, session=s, user=None)
    # The worker role's own certificate, and one of another organization's worker.
    certificate = Certificate.objects.create(number="ZW2026000001", holder=role_users["worker"].worker,
                                             trade=trade(), level=4, issued_on="2026-01-10", source="imported")
    other_certificate = Certificate.objects.create(number="ZW2026000002", holder=other, trade=trade(), level=4,
                                                   issued_on="2026-01-10", source="imported")
    result = competition_objects_result()
    EligibilityGrant.objects.create(worker=own, trade=trade(), level=3, competition_result=result)
    Application.objects.filter(pk=application.pk).update(reasons=[])
    return {"cert_session": s, "application": application, "certificate": certificate,
            "other_certificate": other_certificate, "token": verification.token_for(certificate)}


def subsidy_objects(role_users, other, certificates):
    from training.subsidies.tests.factories import approved_batch, claim, policy

    run_by = role_users[Role.TRAINING_OFFICER.value]
    skill = policy()
    own_claim = claim(policy=skill, worker=role_users[Role.WORKER.value].worker,
                      certificate=certificates["certificate"])
    other_claim = claim(policy=skill, worker=other, certificate=certificates["other_certificate"])
    batch = approved_batch([own_claim], made_by=role_users[Role.FINANCE_OFFICER.value], approved_by=run_by, paid=True)
    from training.subsidies.models import InsuredPeriod, Run, ShortageOccupation

    run = Run.objects.create(period_start="2026-01-01", period_end="2026-03-31", started_by=run_by)
    shortage = ShortageOccupation.objects.create(trade=certificates["certificate"].trade, level=4,
                                                 valid_from="2026-01-01", valid_to="2026-12-31", source="紧缺职业目录")
    InsuredPeriod.objects.create(worker=role_users[Role.WORKER.value].worker, start="2015-01-01")
    from django.core.files.base import ContentFile

    from zhangwan.jobs.models import ExportJob

    export = ExportJob(export="subsidy-claims", language="zh-hans", status=ExportJob.Status.DONE,
                       requested_by=role_users[Role.FINANCE_OFFICER.value])
    export.file.save("claims.xlsx", ContentFile(b"PK"), save=True)
    return {"policy": skill, "claim": own_claim, "other_claim": other_claim, "batch": batch, "run": run,
            "export": export, "shortage": shortage}


def masters_objects(role_users, organization, other, contests):
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from masters.models import (
        Assignment,
        Attachment,
        ConflictWaiver,
        Holiday,
        IncentiveGrant,
        IncentivePolicy,
        MasterStudio,
        MasterTitle,
        Objection,
        TalkOrder,
        TalkTopic,
    )
    from masters.tests.factories import nomination, reviewer, selection_round
    from training.models import TrainingBase

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    round_ = selection_round(year=today.year, nominations_open=today - 5 * day, nominations_close=today + 5 * day,
                             review_opens=today + 6 * day, review_closes=today + 30 * day)
    liaison = role_users[Role.LIAISON.value]
    own = nomination(round_, worker=role_users[Role.WORKER.value].worker, status="draft", created_by=liaison,
                     source="organization")
    reviewed = nomination(round_, worker=other, status="under_review")
    public = nomination(round_, status="in_publicity")

    def attach(n):
        return Attachment.objects.create(nomination=n, name="推荐表.pdf", content_type="application/pdf", size=9,
                                         file=SimpleUploadedFile("form.pdf", b"%PDF-1.4 x"))

    mine = reviewer()
    mine.user = role_users[Role.REVIEWER.value]
    mine.save()
    assignment = Assignment.objects.create(nomination=reviewed, reviewer=mine)
    other_assignment = Assignment.objects.create(nomination=reviewed, reviewer=reviewer())
    ConflictWaiver.objects.create(nomination=reviewed, reviewer=mine, reason="不同车间",
                                  waived_by=role_users[Role.MASTERS_OFFICER.value])
    objection = Objection.objects.create(nomination=public, name="张三", contact="139", text="异议")
    title = MasterTitle.objects.create(nomination=public, worker=public.nominee, trade=trade(), year=2022,
                                       title="张湾区技能大师", number="ZWJN2022001", conferred_on="2022-11-18")
    policy = IncentivePolicy.objects.create(number=1, name="外出疗休养", involves_money=True)
    IncentiveGrant.objects.create(policy=policy, master=title, granted_on="2023-05-16", amount=3000)
    base = TrainingBase.objects.create(name="大师工作室", kind="master_studio", host=organization,
                                       designated_on="2023-03-01")
    MasterStudio.objects.create(name="大师工作室", master=title, host=organization, training_base=base,
                                established_on="2023-03-01")
    Holiday.objects.create(date="2026-10-01", name="国庆节")
    topic = TalkTopic.objects.create(title="工匠精神", category="craftsmanship")
    order = TalkOrder.objects.create(topic=topic, organization=organization, preferred_date=today,
                                     expected_audience=100, ordered_by=liaison)
    from zhangwan.reports.models import AnnualReport

    report = AnnualReport.objects.create(year=2022, language="zh-hans", status="done", requested_by=liaison,
                                         file=SimpleUploadedFile("r.xlsx", b"PK\x03\x04 x"),
                                         document=SimpleUploadedFile("r.docx", b"PK\x03\x04 x"),
                                         summary_pdf=SimpleUploadedFile("r.pdf", b"%PDF-1.4 x"))
    return {"report": report, "selection_round": round_, "nomination": own, "reviewed_nomination": reviewed,
            "public_nomination": public, "masters_attachment": attach(own), "reviewed_attachment": attach(reviewed),
            "assignment": assignment, "other_assignment": other_assignment, "objection": objection,
            "talk_topic": topic, "talk_order": order}


def competition_objects_result():
    from competitions.models import Result

    return Result.objects.order_by("pk").first()

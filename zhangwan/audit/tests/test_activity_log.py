import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import save_with_history
from zhangwan.registry.tests.factories import (
    OTHER_ORGANIZATION,
    OWN_ORGANIZATION,
    OrganizationFactory,
    WorkerFactory,
    trade,
)

pytestmark = pytest.mark.django_db

URL = reverse("audit:activity_log")


@pytest.fixture
def auditor(role_users, client):
    client.force_login(role_users["auditor"])
    return client


def _history(count, organization, user, *, name="王建国"):
    """count history records: workers created, renamed (with a reason) and a trade changed."""
    workers = []
    for n in range(count // 2):
        worker = WorkerFactory(employer=organization, name=f"{name}{n}")
        workers.append(worker)
    for worker in workers:
        worker.mobile = "13900000000"
        save_with_history(worker, user=user, reason="roster.import")
    return workers


def test_only_the_auditor_and_the_superuser_open_the_log(role_users, client):
    for role in ("training_officer", "finance_officer", "liaison", "worker"):
        client.force_login(role_users[role])
        assert client.get(URL).status_code == 403
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200
    client.force_login(role_users["auditor"])
    assert client.get(URL).status_code == 200


def test_the_log_shows_who_when_which_record_what_changed_and_why(auditor, role_users, organization):
    officer = role_users["training_officer"]
    officer.full_name = "李培训"
    officer.save()
    worker = WorkerFactory(employer=organization, name="张三", mobile="13800000000")
    worker.mobile = "13900000001"
    save_with_history(worker, user=officer, reason="roster.import")
    with translation.override("zh-hans"):
        page = auditor.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "李培训" in page
    assert "13800000000 → 13900000001" in page
    assert "花名册导入" in page
    assert reverse("registry:worker_detail", args=[worker.pk]) in page
    local = timezone.localtime(worker.history.first().history_date)
    assert f"{local:%Y-%m-%d} <span class=\"d-block d-md-inline\">{local:%H:%M}</span>" in page
    entry = next(e for e in auditor.get(URL).context["entries"] if e.kind == "~")
    assert [name for name, _b, _a in entry.changes] == [str(worker._meta.get_field("mobile").verbose_name)]


def test_the_log_shows_choices_and_related_objects_in_words(auditor, role_users, organization, other_organization):
    worker = WorkerFactory(employer=organization)
    worker.employer = other_organization
    save_with_history(worker, user=role_users["training_officer"], reason="status")
    page = auditor.get(URL).content.decode()
    assert f"{organization.name} → {other_organization.name}" in page


# The UNION's count and page, then per model on the page (workers, organizations): the records with the
# records before them (one query), the objects, the related objects named in the changes; the users; the session, the
# user and the page's furniture (the reader's roles and permissions, for the masking, are kept in the cache
# since the first request: zhangwan/accounts/access_cache.py). The same for 20 records as for 200.
QUERIES = 11


@pytest.mark.parametrize("count", [20, 200])
def test_a_constant_number_of_queries(auditor, role_users, organization, other_organization,
                                      django_assert_max_num_queries, count):
    """Every kind of query the page makes, for both models on it: changed records with the records
    before them, a related object named in a change (the employer, the parent organization). Filtered
    to the officer who made them, so what earlier tests of this process left in the tables (other
    organizations' records) cannot change the count."""
    officer = role_users["training_officer"]
    assert auditor.get(URL).status_code == 200  # the auditor's roles and permissions, kept as on any later request
    for worker in _history(count - 2, organization, officer)[:3]:
        worker.employer = other_organization
        save_with_history(worker, user=officer, reason="status")
    branch = OrganizationFactory()
    branch.parent = organization
    save_with_history(branch, user=officer, reason="status")
    with django_assert_max_num_queries(QUERIES) as captured:
        response = auditor.get(URL, {"user": officer.username})
    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) == min((count - 2) // 2 + 3 + 1, 50)  # changed workers, moved workers, the branch
    assert {e.model_label for e in entries} == {"registry.Worker", "registry.Organization"}
    assert f"{OWN_ORGANIZATION} → {OTHER_ORGANIZATION}" in response.content.decode()
    assert len(captured) == QUERIES


def test_the_filters(auditor, role_users, organization, other_organization):
    officer, liaison = role_users["training_officer"], role_users["liaison"]
    since = timezone.now()
    ours = WorkerFactory(employer=organization, name="本厂工人")
    theirs = WorkerFactory(employer=other_organization, name="外厂工人")
    theirs.mobile = "13700000000"
    save_with_history(theirs, user=officer, reason="roster.import")
    ours.mobile = "13700000001"
    save_with_history(ours, user=liaison, reason="status")

    def records(**params):
        response = auditor.get(URL, params)
        assert response.status_code == 200
        return [(e.record.split(" ")[0].rstrip("0123456789"), e.kind) for e in response.context["entries"]
                if e.when >= since]

    # Ours: its creation, its change by the liaison (a user of the organization too).
    assert {r for r, _k in records(organization=organization.pk)} == {"本厂工人"}
    assert ("外厂工人", "~") in records(user=officer.username)
    assert all(r == "外厂工人" for r, _k in records(user=officer.username))
    assert all(k == "+" for _r, k in records(kind="+"))
    assert {r for r, _k in records(q="Roster import")} == {"外厂工人"}
    assert {r for r, _k in records(q="roster.import")} == {"外厂工人"}
    assert len(records(model="registry.Worker")) == 4
    assert records(model="registry.Organization") == []
    today = timezone.localdate()
    assert len(records(date_from=today.isoformat(), date_to=today.isoformat())) == 4
    assert records(date_to=(today - datetime.timedelta(days=1)).isoformat()) == []
    # Bad values are left out, never an error.
    assert len(records(date_from="2022-02-30", model="nope", organization="x", kind="?")) == 4


def test_the_organization_of_a_record_naming_a_worker_and_of_the_user(auditor, role_users, organization):
    other = OrganizationFactory(name="某某公司")
    worker = WorkerFactory(employer=organization)
    from zhangwan.registry.models import WorkerTrade

    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2020)
    response = auditor.get(URL, {"organization": organization.pk, "model": "registry.WorkerTrade"})
    assert len(response.context["entries"]) == 1
    assert auditor.get(URL, {"organization": other.pk, "model": "registry.WorkerTrade"}).context["entries"] == []


def test_every_way_a_record_belongs_to_an_organization(auditor, role_users, organization, other_organization):
    """Per table, for the organization and for another: a record two steps from one of its workers (an
    attendance, through the enrollment), a record naming it (a training base it hosts), one naming its worker
    (the enrollment), and a record of any kind written by one of its users (the liaison, naming a trade)."""
    from training.models import TrainingBase
    from training.services import attendance_mark, enrollment_register
    from training.tests.factories import open_class

    cls = open_class(provider=OrganizationFactory(name="培训机构"))
    session = cls.sessions.first()
    session.starts_at = timezone.now() - datetime.timedelta(hours=1)
    session.ends_at = session.starts_at + datetime.timedelta(hours=8)
    session.save()
    enrollments = {org: enrollment_register(worker=WorkerFactory(employer=org), training_class=cls, user=None,
                                            channel="staff") for org in (organization, other_organization)}
    for enrollment in enrollments.values():
        attendance_mark(session=session, enrollment=enrollment, status="present", user=None)
    TrainingBase.objects.create(name="本厂基地", kind="worker_base", host=organization, designated_on="2022-05-01")
    named = trade()
    named.name_en = "Renamed by the liaison"
    save_with_history(named, user=role_users["liaison"], reason="status")

    def records(org, model):
        response = auditor.get(URL, {"organization": org.pk, "model": model})
        assert response.status_code == 200
        return [(e.object_id, e.kind) for e in response.context["entries"]]

    for org in (organization, other_organization):
        enrollment = enrollments[org]
        assert records(org, "training.Attendance") == [(enrollment.attendances.get().pk, "+")]
        assert {pk for pk, _kind in records(org, "training.Enrollment")} == {enrollment.pk}
    assert len(records(organization, "training.TrainingBase")) == 1
    assert records(other_organization, "training.TrainingBase") == []
    assert records(organization, "registry.Trade") == [(named.pk, "~")]
    assert records(other_organization, "registry.Trade") == []


def test_the_excel_export(auditor, role_users, organization):
    _history(4, organization, role_users["training_officer"])
    response = auditor.get(URL, {"format": "xlsx", "user": role_users["training_officer"].username})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                     else response.content)).active
    rows = list(sheet.values)[1:]  # below the title row
    assert len(rows) == 3
    assert all("→ 13900000000" in (row[5] or "") for row in rows[1:]), rows


def test_bank_account_and_identity_numbers_are_masked_for_a_reader_without_the_permission(role_users, organization):
    from zhangwan.audit import log

    worker = WorkerFactory(employer=organization)
    worker.bank_name, worker.bank_account = "中国工商银行", "6222020200112233445"
    save_with_history(worker, user=role_users["worker"], reason="worker.bank_details")
    rows = log.entries(log.Filters(model="registry.Worker", kind="~"))

    def shown(user):
        (entry,) = log.decorate(rows, user)
        return entry.changes_text

    assert "6222020200112233445" in shown(role_users["auditor"])
    masked = shown(role_users["competitions_officer"])
    assert "6222020200112233445" not in masked and "3445" in masked


def test_a_long_export_is_a_job_read_a_chunk_at_a_time(auditor, role_users, organization, settings, monkeypatch):
    from zhangwan.audit import exports
    from zhangwan.jobs.exports import export_make
    from zhangwan.jobs.models import ExportJob

    monkeypatch.setattr(exports, "CHUNK", 3)
    settings.EXPORT_DIRECT_ROWS = 2
    _history(8, organization, role_users["training_officer"])
    response = auditor.get(URL, {"format": "xlsx", "user": role_users["training_officer"].username})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:export_detail", args=[job.pk])
    job = export_make(job.pk)  # the worker (queued on commit, which a test never reaches)
    assert (job.export, job.status, job.rows_done) == ("activity-log", ExportJob.Status.DONE, 4)
    rows = list(load_workbook(job.file.open("rb")).active.values)[1:]
    assert len(rows) == 5 and all("→ 13900000000" in row[5] for row in rows[1:])


def test_a_search_by_reason_translates_the_reasons_once_not_once_per_table(monkeypatch):
    """The search matched each of ~110 reasons' labels in two languages once per tracked table (57):
    an auditor's search cost 145 ms of processor time, 90 % of it here."""
    from zhangwan.audit import log

    calls = []
    real = log._reason_match
    monkeypatch.setattr(log, "_reason_match", lambda text: calls.append(text) or real(text))

    assert log.entries(log.Filters(reason="导入")) is not None
    assert calls == ["导入"]
    assert len(log.tracked_models()) > 40


def test_the_log_is_put_together_from_statements_kept_per_table(monkeypatch):
    """The ORM compiled the UNION of the ~57 history tables twice a request (its count and its page), most of
    the page's time; the statement is now composed from texts kept per table and the filters' conditions."""
    from django.db.models.sql.compiler import SQLCompiler

    from zhangwan.audit import log

    compiled, real = [], SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *args, **kwargs: compiled.append(self.query.model)
                        or real(self, *args, **kwargs))
    rows = log.entries(log.Filters(kind="~", reason="导入", date_from=datetime.date(2022, 1, 1)))
    assert rows.count() == len(rows[0:50]) == 0
    assert compiled == []

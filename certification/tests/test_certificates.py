import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from certification import services, verification
from certification.models import Application, AssessmentSession, Certificate
from certification.tests.factories import hold, session
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade


def passed(s, worker=None):
    worker = worker or WorkerFactory()
    WorkerTrade.objects.get_or_create(worker=worker, trade=trade(), defaults={"started_year": 2010})
    hold(s)
    application = Application.objects.create(worker=worker, session=s, status="admitted",
                                             created_at=s.applications_open)
    return services.scores_enter(application=application, theory=Decimal("80"), practical=Decimal("75"), user=None)


@pytest.mark.django_db
def test_applying_twice_outside_the_window_or_unaccredited_is_refused():
    s = session()
    worker = WorkerFactory()
    services.application_submit(worker=worker, session=s, user=None)
    with pytest.raises(services.CertificationError):
        services.application_submit(worker=worker, session=s, user=None)
    closed = session(applications_open=s.applications_open - datetime.timedelta(days=30),
                     applications_close=s.applications_open - datetime.timedelta(days=20))
    with pytest.raises(services.CertificationError):
        services.application_submit(worker=worker, session=closed, user=None)
    with pytest.raises(services.CertificationError):
        services.application_submit(worker=worker, session=session(level=2, accredited=False), user=None)
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_admission_never_exceeds_capacity_and_keeps_application_order():
    s = session(capacity=2)
    workers = [WorkerFactory() for _ in range(3)]
    for w in workers:
        services.application_submit(worker=w, session=s, user=None)
    Application.objects.update(status="eligible")
    assert services.applications_admit(session=s, user=None) == 2
    admitted = set(Application.objects.filter(status="admitted").values_list("worker_id", flat=True))
    assert admitted == {workers[0].pk, workers[1].pk}
    with pytest.raises(services.CertificationError):
        services.applications_admit(session=s, user=None)


@pytest.mark.django_db
@pytest.mark.parametrize("theory, practical, status",
                         [(60, 60, "passed"), (59.5, 90, "failed"), (90, None, "assessed")])
def test_scores_decide_pass_or_fail(theory, practical, status):
    s = session()
    application = services.application_submit(worker=WorkerFactory(), session=s, user=None)
    Application.objects.filter(pk=application.pk).update(status="admitted")
    hold(s)
    result = services.scores_enter(application=application, theory=Decimal(str(theory)),
                                   practical=None if practical is None else Decimal(str(practical)), user=None)
    assert result.status == status


@pytest.mark.django_db
def test_technician_levels_need_a_review_score():
    s = session(level=2)
    application = services.application_submit(worker=WorkerFactory(), session=s, user=None)
    Application.objects.filter(pk=application.pk).update(status="admitted")
    hold(s)
    assert services.scores_enter(application=application, theory=Decimal(70), practical=Decimal(70),
                                 user=None).status == "assessed"
    assert services.scores_enter(application=application, theory=Decimal(70), practical=Decimal(70),
                                 review=Decimal(65), user=None).status == "passed"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_scores_out_of_range_change_nothing(client, role_users, value):
    s = session()
    application = services.application_submit(worker=WorkerFactory(), session=s, user=None)
    Application.objects.filter(pk=application.pk).update(status="admitted")
    hold(s)
    client.force_login(role_users["certification_officer"])
    client.post(reverse("certification:scores", args=[application.pk]), {"theory": value, "practical": "70"})
    application.refresh_from_db()
    assert application.theory_score is None and application.status == "admitted"


@pytest.mark.django_db
def test_certificates_are_issued_once_with_consecutive_numbers():
    s = session()
    for _ in range(3):
        passed(s)
    issued = services.certificates_issue(session=s, user=None, on=datetime.date(2026, 12, 25))
    assert [c.number for c in issued] == ["ZW2026000001", "ZW2026000002", "ZW2026000003"]
    assert services.certificates_issue(session=s, user=None) == []
    assert AssessmentSession.objects.get(pk=s.pk).status == "assessed"


@pytest.mark.django_db(transaction=True)
def test_numbering_under_50_concurrent_issues_is_unique_and_gapless():
    sessions = []
    for n in range(50):
        s = session(venue=f"考场{n}")
        passed(s)
        sessions.append(s)

    def issue(s):
        try:
            return services.certificates_issue(session=s, user=None, on=datetime.date(2026, 12, 25))[0].number
        finally:
            connection.close()

    with ThreadPoolExecutor(25) as pool:
        numbers = sorted(pool.map(issue, sessions))
    assert numbers == [f"ZW2026{n:06d}" for n in range(1, 51)]


@pytest.mark.django_db
def test_revoking_needs_a_reason_and_happens_once():
    s = session()
    passed(s)
    (certificate,) = services.certificates_issue(session=s, user=None)
    with pytest.raises(services.CertificationError):
        services.certificate_revoke(certificate=certificate, reason=" ", user=None)
    services.certificate_revoke(certificate=certificate, reason="证书信息造假", user=None)
    with pytest.raises(services.CertificationError):
        services.certificate_revoke(certificate=certificate, reason="再次", user=None)
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "证书信息造假" and certificate.history.count() == 2


@pytest.fixture
def issued(db):
    s = session()
    worker = WorkerFactory(name="赵铁柱")
    passed(s, worker)
    return services.certificates_issue(session=s, user=None)[0]


def verify(client, number, name, **extra):
    return client.get(reverse("certification:verify"), {"number": number, "name": name}, **extra)


def test_verification_answers_valid_only_on_a_match(client, issued):
    page = verify(client, issued.number, "赵铁柱").content.decode()
    assert 'id="verdict"' in page and issued.trade.name_zh in page
    wrong = verify(client, issued.number, "赵铁").content.decode()
    assert issued.trade.name_zh not in wrong and "赵铁柱" not in wrong


def test_verification_shows_revoked(client, issued):
    services.certificate_revoke(certificate=issued, reason="造假", user=None)
    assert verify(client, issued.number, "赵铁柱").context["outcome"]["state"] == "revoked"


@pytest.mark.parametrize("number, name", [("'; DROP TABLE x;--", "<script>"), ("Z" * 5000, "名" * 5000),
                                          ("\x00", "\u202e"), ("", "")])
def test_verification_survives_odd_input(client, db, number, name):
    response = verify(client, number, name)
    assert response.status_code == 200


def test_verification_is_rate_limited(client, issued):
    for _ in range(verification.CHECKS.limit):
        assert verify(client, "ZW0", "某").status_code == 200
    assert verify(client, issued.number, "赵铁柱").status_code == 429


PROXY = "10.0.0.254"


def test_behind_the_proxy_one_visitors_checks_do_not_use_up_anothers(client, issued, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(verification.CHECKS.limit):
        verify(client, "ZW0", "某", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert verify(client, issued.number, "赵铁柱", REMOTE_ADDR=PROXY,
                  HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    other = verify(client, issued.number, "赵铁柱", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 200 and other.context["outcome"]["state"] == "valid"


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_check_limit(client, issued, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(verification.CHECKS.limit):
        verify(client, "ZW0", "某", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert verify(client, issued.number, "赵铁柱", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_qr_link_verifies_without_the_name_and_cannot_be_forged(client, issued):
    url = reverse("certification:verify_signed", args=[issued.number, verification.token_for(issued)])
    assert client.get(url).context["outcome"]["state"] == "valid"
    forged = reverse("certification:verify_signed", args=[issued.number, "x" * 27])
    assert client.get(forged).context["outcome"]["state"] == "not_found"


def test_the_printable_certificate_carries_the_qr_code(client, issued, role_users):
    client.force_login(role_users["certification_officer"])
    page = client.get(reverse("certification:certificate_print", args=[issued.pk])).content.decode()
    assert "<svg" in page and verification.token_for(issued) in page


def test_another_organizations_certificate_is_404_for_a_liaison(client, issued, liaison):
    client.force_login(liaison)
    assert client.get(reverse("certification:certificate_print", args=[issued.pk])).status_code == 404


def test_certificates_import_with_row_errors_imports_nothing(client, role_users, db):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    worker = WorkerFactory()
    book = Workbook()
    sheet = book.active
    sheet.append(["证书编号", "身份证号", "工种代码", "等级", "发证日期", "发证机构"])
    sheet.append(["S2020000001", worker.id_number, "6-18-02-04", "4", "2020-06-01", "某市认定中心"])
    sheet.append(["S2020000002", worker.id_number, "9-99", "4", "2020-06-01", "某市认定中心"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(role_users["certification_officer"])
    response = client.post(reverse("certification:certificates_import"),
                           {"file": SimpleUploadedFile("c.xlsx", buffer.getvalue())})
    assert [e.row for e in response.context["errors"]] == [3]
    assert not Certificate.objects.exists()


def _scores_file(rows):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["身份证号", "理论", "实操"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("scores.xlsx", buffer.getvalue())


@pytest.mark.django_db
def test_scores_import_decides_pass_or_fail_for_all_rows_or_none(client, role_users):
    s = session()
    admitted = []
    for _ in range(2):
        application = services.application_submit(worker=WorkerFactory(), session=s, user=None)
        admitted.append(application)
    Application.objects.update(status="admitted")
    hold(s)
    client.force_login(role_users["certification_officer"])
    url = reverse("certification:scores_import", args=[s.pk])
    bad = _scores_file([[admitted[0].worker.id_number, "80", "nan"], [admitted[1].worker.id_number, "120", "70"],
                        ["420303199001011233", "60", "60"]])
    response = client.post(url, {"file": bad})
    assert [e.row for e in response.context["errors"]] == [2, 3, 4]
    assert set(Application.objects.values_list("status", flat=True)) == {"admitted"}
    good = _scores_file([[admitted[0].worker.id_number, "80", "70"], [admitted[1].worker.id_number, "50", "70"]])
    assert client.post(url, {"file": good}).status_code == 302
    assert dict(Application.objects.values_list("pk", "status")) == {admitted[0].pk: "passed",
                                                                     admitted[1].pk: "failed"}


@pytest.mark.django_db
def test_the_sessions_own_pass_mark_decides_pass_or_fail():
    s = hold(session(pass_mark=50))
    application = Application.objects.create(worker=WorkerFactory(), session=s, status="admitted",
                                             created_at=s.applications_open)
    assert services.scores_enter(application=application, theory=Decimal(55), practical=Decimal(50),
                                 user=None).status == "passed"
    assert services.scores_enter(application=application, theory=Decimal(55), practical=Decimal("49.5"),
                                 user=None).status == "failed"

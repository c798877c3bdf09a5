"""Each rule and route against hand-built workers, with the boundaries."""

import datetime

import pytest

from certification import services
from certification.models import Application, Certificate, EligibilityGrant, EligibilityRule
from certification.tests.factories import session
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 12, 20)


def applicant(*, since=None, certificates=(), education="senior"):
    worker = WorkerFactory(education=education)
    if since:
        WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=since)
    for n, (level, issued) in enumerate(certificates):
        Certificate.objects.create(number=f"OLD{worker.pk}{n:04d}", holder=worker, trade=trade(), level=level,
                                   issued_on=issued, source="imported")
    return worker


def decide(worker, level):
    s = session(level=level, date=ON)
    application = services.application_submit(worker=worker, session=s, user=None)
    services.eligibility_evaluate(session_id=s.pk)
    application.refresh_from_db()
    return application.status, [r["code"] for r in application.reasons]


@pytest.mark.parametrize("since, status", [(2025, "eligible"), (2026, "ineligible"), (None, "ineligible")])
def test_level_5_needs_one_year_in_the_trade(since, status):
    assert decide(applicant(since=since), 5)[0] == status


@pytest.mark.parametrize("issued, status", [
    (datetime.date(2024, 12, 20), "eligible"),      # exactly 2 years on the assessment date
    (datetime.date(2024, 12, 21), "ineligible"),    # one day too short
])
def test_level_4_needs_level_5_held_two_years(issued, status):
    assert decide(applicant(since=2024, certificates=[(5, issued)]), 4)[0] == status


def test_level_4_also_after_six_years_in_the_trade():
    assert decide(applicant(since=2020), 4)[0] == "eligible"
    assert decide(applicant(since=2021), 4)[0] == "ineligible"


@pytest.mark.parametrize("education, issued, status", [
    ("senior", datetime.date(2022, 12, 20), "eligible"),     # level 4 held 4 years
    ("senior", datetime.date(2023, 12, 20), "ineligible"),   # 3 years, no diploma
    ("college", datetime.date(2024, 12, 20), "eligible"),    # diploma route: 2 years
    ("college", datetime.date(2024, 12, 21), "ineligible"),  # diploma route, a day short
])
def test_level_3_by_years_or_by_diploma(education, issued, status):
    worker = applicant(since=2010, certificates=[(4, issued)], education=education)
    assert decide(worker, 3)[0] == status


def test_levels_2_and_1_need_the_level_below_for_four_years():
    assert decide(applicant(since=2000, certificates=[(3, datetime.date(2022, 12, 20))]), 2)[0] == "eligible"
    assert decide(applicant(since=2000, certificates=[(2, datetime.date(2023, 1, 1))]), 1)[0] == "ineligible"


def test_a_revoked_certificate_does_not_count():
    worker = applicant(since=2024, certificates=[(5, datetime.date(2020, 1, 1))])
    Certificate.objects.filter(holder=worker).update(status="revoked", revoked_reason="造假")
    assert decide(worker, 4)[0] == "ineligible"


def test_holding_the_level_already_is_not_eligible():
    worker = applicant(since=2000, certificates=[(3, datetime.date(2020, 1, 1))])
    assert decide(worker, 4) == ("ineligible", ["already_held"])


def test_a_competition_award_grants_eligibility_one_level_up():
    from competitions.models import Result

    worker = applicant(since=2026)
    result = _published_result(worker)
    EligibilityGrant.objects.create(worker=worker, trade=trade(), level=4, competition_result=result)
    assert decide(worker, 4) == ("eligible", ["competition"])
    assert Result.objects.count() == 1


def test_a_rule_for_the_trade_replaces_the_general_one():
    EligibilityRule.objects.create(level=5, trade=trade(), name="本工种需满3年", min_trade_years=3)
    assert decide(applicant(since=2024), 5)[0] == "ineligible"
    assert decide(applicant(since=2023), 5)[0] == "eligible"


def test_reasons_are_given_in_words():
    _status, _codes = decide(applicant(since=2026), 5)
    application = Application.objects.get()
    text = " ".join(services.reason_text(r) for r in application.reasons)
    assert "0" in text and "1" in text


def test_rerunning_the_job_changes_nothing():
    s = session(level=5, date=ON)
    services.application_submit(worker=applicant(since=2020), session=s, user=None)
    assert services.eligibility_evaluate() == 1
    history = Application.history.count()
    assert services.eligibility_evaluate() == 0
    assert Application.history.count() == history


def _published_result(worker, name="区焊工大赛"):
    from competitions.models import Competition, Entry, Event, Result

    competition = Competition.objects.create(name=name, year=2026, level="district",
                                             starts_on=ON, ends_on=ON, results_published=True)
    event = Event.objects.create(competition=competition, name="焊工", trade=trade())
    entry = Entry.objects.create(event=event, worker=worker, organization=worker.employer, bib=1)
    return Result.objects.create(entry=entry, rank=1, tier="first", upgrade="apply_up")


@pytest.mark.parametrize("upgrade, certificates, grants", [("certify_up", 1, 0), ("apply_up", 0, 1)])
def test_the_competition_route_turns_awards_into_certificates_or_rights_once(upgrade, certificates, grants):
    worker = applicant(since=2020)
    result = _published_result(worker)
    result.upgrade = upgrade
    result.save()
    assert services.competition_route_apply(user=None, on=ON) == (certificates, grants)
    assert services.competition_route_apply(user=None, on=ON) == (0, 0)
    if certificates:
        certificate = Certificate.objects.get(holder=worker, source="competition")
        assert certificate.level == 4 and certificate.number == "ZW2026000001"


def test_a_competition_route_certificate_is_numbered_in_its_competitions_series():
    worker, other = applicant(since=2020), applicant(since=2020)
    for person, prefix in ((worker, "SY"), (other, "ZW")):
        result = _published_result(person, name=f"{prefix}焊工大赛")
        type(result).objects.filter(pk=result.pk).update(upgrade="certify_up")
        type(result.entry.event.competition).objects.filter(pk=result.entry.event.competition_id) \
            .update(certificate_prefix=prefix)
    assert services.competition_route_apply(user=None, on=ON) == (2, 0)
    assert Certificate.objects.get(holder=worker).number == "SY2026000001"
    assert Certificate.objects.get(holder=other).number == "ZW2026000001"
    assert services.own_number_pattern().match("SY2026000002")


def test_the_database_refuses_a_competition_prefix_that_could_run_into_the_digits():
    from django.db import IntegrityError, transaction

    competition = _published_result(applicant(since=2020)).entry.event.competition
    competition.certificate_prefix = "S1"
    with pytest.raises(IntegrityError), transaction.atomic():
        competition.save(update_fields=["certificate_prefix"])

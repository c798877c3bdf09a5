"""The talent profile: what it shows equals the database, who may open it, and what it costs."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from competitions.models import Entry, Result
from competitions.tests.factories import competition, event
from masters.models import IncentiveGrant, IncentivePolicy, MasterTitle
from masters.tests.factories import nomination, selection_round
from training.models import Attendance, Enrollment
from training.subsidies.models import Claim, Kind
from training.subsidies.tests.factories import approved_batch, claim, policy
from training.tests.factories import open_class
from zhangwan.registry.tests.factories import WorkerFactory, trade
from zhangwan.reports.profile import journey

NUMBERS = itertools.count(1)


def past_class(worker, *, status=Enrollment.Status.COMPLETED, present=1):
    """A class that has taken place (two 8-hour sessions), the worker present at `present` of them."""
    cls = open_class(days_ahead=-10, sessions=2, title=f"往期焊工培训班{next(NUMBERS)}")
    enrollment = Enrollment.objects.create(worker=worker, training_class=cls, status=status, channel="staff",
                                           confirmed_at=timezone.now() - datetime.timedelta(days=30))
    for session in list(cls.sessions.order_by("starts_at"))[:present]:
        Attendance.objects.create(enrollment=enrollment, session=session, status=Attendance.Status.PRESENT)
    return enrollment


def certificate(worker, *, level=4):
    return Certificate.objects.create(number=f"ZP{next(NUMBERS):08d}", holder=worker, trade=trade(), level=level,
                                      issued_on=datetime.date(2023, 3, 1), source="imported")


def result(worker, *, published=True, tier="first", team=False):
    contest = competition(name=f"张湾区焊工大赛{next(NUMBERS)}", results_published=published)
    if team:
        entry = Entry.objects.create(event=event(comp=contest, team=True, max_team_size=3), team_name="焊花队",
                                     organization=worker.employer, bib=1)
        entry.members.add(worker, WorkerFactory(employer=worker.employer))
    else:
        entry = Entry.objects.create(event=event(comp=contest), worker=worker, organization=worker.employer, bib=1)
    return Result.objects.create(entry=entry, rank=1, final_score=Decimal("91.25"), tier=tier, title="区技术能手")


def paid_claim(worker, users, skill, amount=Decimal("1500.00")):
    made = claim(policy=skill, worker=worker, amount=amount)
    approved_batch([made], made_by=users["finance_officer"], approved_by=users["auditor"], paid=True)
    return made


def master(worker):
    conferred = nomination(selection_round(year=2022 + next(NUMBERS)), worker=worker, status="conferred")
    title = MasterTitle.objects.create(nomination=conferred, worker=worker, trade=trade(), year=conferred.round.year,
                                       title="张湾区技能大师", number=f"ZWJN{next(NUMBERS):04d}",
                                       conferred_on=datetime.date(2022, 11, 18))
    incentive = IncentivePolicy.objects.create(number=next(NUMBERS), name="外出疗休养", involves_money=True)
    IncentiveGrant.objects.create(policy=incentive, master=title, granted_on="2023-05-16", amount=Decimal("3000"))
    return title


@pytest.fixture
def skill(db):
    return policy(Kind.SKILL)


@pytest.fixture
def worker(organization):
    return WorkerFactory(employer=organization, bank_name="中国工商银行", bank_account="6217000011112222333")


def page_of(client, user, worker):
    client.force_login(user)
    response = client.get(reverse("reports:talent_profile", args=[worker.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_every_dimension_as_recorded(client, role_users, worker, skill):
    enrollment = past_class(worker)
    held = certificate(worker, level=3)
    award = result(worker)
    team = result(worker, team=True, tier="second")
    title = master(worker)
    paid = paid_claim(worker, role_users, skill)
    page = page_of(client, role_users["training_officer"], worker)
    assert enrollment.training_class.title in page and "50% <span class=\"text-muted\">(8.0/16.0" in page
    assert held.number in page and held.get_level_display() in page
    assert award.entry.event.competition.name in page and "91.25" in page and award.get_tier_display() in page
    assert team.entry.event.competition.name in page and "焊花队" in page and team.get_tier_display() in page
    assert title.number in page and "¥3,000.00" in page
    assert paid.certificate.number in page and paid.policy.name in page
    assert 'id="summary-received">¥1,500.00<' in page


def test_the_summary_counts_equal_the_database(client, role_users, worker, skill):
    past_class(worker)
    past_class(worker, status=Enrollment.Status.FAILED)
    certificate(worker, level=5)
    certificate(worker, level=3)
    result(worker)
    result(worker, tier="")
    paid_claim(worker, role_users, skill, amount=Decimal("1000.00"))
    paid_claim(worker, role_users, skill, amount=Decimal("2000.00"))
    claim(policy=skill, worker=worker, status=Claim.Status.PENDING, amount=Decimal("700.00"))
    page = page_of(client, role_users["auditor"], worker)
    completed = Enrollment.objects.filter(worker=worker, status="completed").count()
    assert f'id="summary-classes">{completed} <small class="text-muted fs-6">/ 2</small>' in page
    assert f'id="summary-certificates">{Certificate.objects.filter(holder=worker).count()}<' in page
    awarded = Result.objects.filter(entry__worker=worker).exclude(tier="").count()
    assert f'id="summary-awards">{awarded}<' in page
    received = sum(c.amount for c in Claim.objects.filter(worker=worker, batch__status="paid"))
    assert received == Decimal("3000.00")
    assert 'id="summary-received">¥3,000.00<' in page
    assert "¥700.00" in page  # awaiting review: listed, not received


def test_unpublished_results_are_not_shown(client, role_users, worker):
    hidden = result(worker, published=False)
    page = page_of(client, role_users["competitions_officer"], worker)
    assert hidden.entry.event.competition.name in page and "91.25" not in page


def test_what_is_not_part_of_the_journey_is_left_out(client, role_users, worker, skill):
    cancelled = past_class(worker, status=Enrollment.Status.CANCELLED)
    refused = claim(policy=skill, worker=worker, amount=Decimal("1234.00"))
    Claim.objects.filter(pk=refused.pk).update(status="rejected", review_note="材料不全")
    page = page_of(client, role_users["training_officer"], worker)
    assert cancelled.training_class.title not in page and "¥1,234.00" not in page


def test_identity_and_bank_numbers_are_masked_unless_the_user_may_see_them(client, role_users, worker):
    officer = page_of(client, role_users["competitions_officer"], worker)
    assert worker.masked_id_number in officer and worker.id_number not in officer
    assert worker.masked_bank_account in officer and worker.bank_account not in officer
    finance = page_of(client, role_users["finance_officer"], worker)
    assert worker.id_number in finance and worker.bank_account in finance


def test_the_liaison_sees_their_organizations_worker(client, role_users, worker):
    assert worker.name in page_of(client, role_users["liaison"], worker)


def test_another_organizations_worker_is_not_found_for_the_liaison(client, liaison, other_organization):
    stranger = WorkerFactory(employer=other_organization)
    client.force_login(liaison)
    assert client.get(reverse("reports:talent_profile", args=[stranger.pk])).status_code == 404


def test_a_worker_sees_only_themself(client, role_users, worker):
    own = role_users["worker"].worker
    client.force_login(role_users["worker"])
    assert client.get(reverse("reports:talent_profile", args=[worker.pk])).status_code == 404
    assert client.get(reverse("reports:talent_profile", args=[own.pk])).status_code == 200
    mine = client.get(reverse("reports:my_profile")).content.decode()
    assert own.name in mine and worker.name not in mine and own.masked_id_number in mine


def test_my_profile_without_a_worker_record_is_not_found(client, role_users):
    role_users["worker"].worker.delete()
    client.force_login(role_users["worker"])
    assert client.get(reverse("reports:my_profile")).status_code == 404


def test_the_roster_page_and_my_record_link_to_the_profile(client, role_users, worker):
    client.force_login(role_users["liaison"])
    roster = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert reverse("reports:talent_profile", args=[worker.pk]) in roster
    client.force_login(role_users["worker"])
    assert reverse("reports:my_profile") in client.get(reverse("accounts:profile")).content.decode()


def test_it_prints_without_inline_script(client, role_users, worker):
    page = page_of(client, role_users["auditor"], worker)
    assert "data-print" in page and "css/profile.css" in page
    assert "<script>" not in page and "onclick" not in page


def test_the_journey_reads_each_section_once(worker, role_users, skill, django_assert_max_num_queries):
    past_class(worker)
    with django_assert_max_num_queries(10):
        journey(worker)


def test_it_costs_a_constant_number_of_queries(client, role_users, worker, skill, django_assert_max_num_queries):
    def grow():
        past_class(worker)
        certificate(worker)
        result(worker)
        result(worker, team=True)
        paid_claim(worker, role_users, skill)

    grow()
    client.force_login(role_users["training_officer"])
    url = reverse("reports:talent_profile", args=[worker.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(4):
        grow()
    master(worker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

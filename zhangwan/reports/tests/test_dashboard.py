"""The staff dashboard: its figures are the database's, a liaison sees their organization only,
bad filters never break it, and it costs the same number of queries however much the year holds."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from certification.models import Certificate
from competitions.models import Competition, Entry, Result
from competitions.tests.factories import competition, event
from masters.models import IncentiveGrant, IncentivePolicy, MasterTitle, TalkOrder, TalkTopic
from masters.tests.factories import nomination, selection_round
from training.models import Enrollment
from training.subsidies.models import Kind, Policy
from training.subsidies.tests.factories import approved_batch, claim, policy
from training.tests.factories import CourseFactory, open_class
from zhangwan.registry.tests.factories import WorkerFactory, trade

from .. import figures
from ..dashboard import default_year

pytestmark = pytest.mark.django_db

YEAR = 2024
URL = reverse("reports:dashboard")
NUMBERS = itertools.count(1)
WELDER, ELECTRICIAN = "6-18-02-04", "6-31-01-03"


def enrol(worker, *, month=3, code=WELDER, status=Enrollment.Status.CONFIRMED, year=YEAR):
    start = datetime.date(year, month, 10)
    cls = open_class(course=CourseFactory(trade=trade(code)), starts_on=start, ends_on=start, sessions=0)
    return Enrollment.objects.create(worker=worker, training_class=cls, status=status, channel="staff")


def paid(worker, amount, kind=Kind.SKILL, *, finance, approver):
    # One policy of a kind a year: their periods may not overlap.
    year_policy = Policy.objects.filter(kind=kind, valid_from__year=YEAR).first() or policy(kind, year=YEAR)
    made = claim(policy=year_policy, worker=worker, amount=Decimal(amount))
    approved_batch([made], made_by=finance, approved_by=approver, paid=True)
    return made


def en(label):
    """A label as the page shows it in English (the tests ask for English, whatever the catalogue holds)."""
    with translation.override("en"):
        return str(label)


def entry(worker, *, year=YEAR, level=Competition.Level.DISTRICT, tier=""):
    ev = event(comp=competition(name=f"竞赛{next(NUMBERS)}", year=year, level=level))
    made = Entry.objects.create(event=ev, worker=worker, organization=worker.employer, bib=next(NUMBERS))
    Result.objects.create(entry=made, tier=tier)
    return made


def certificate(worker, level=4, year=YEAR):
    return Certificate.objects.create(number=f"D{next(NUMBERS):08d}", holder=worker, trade=trade(), level=level,
                                      issued_on=datetime.date(year, 5, 1), source="assessment")


def master(worker, round_):
    made = nomination(round_, worker=worker)
    return MasterTitle.objects.create(nomination=made, worker=worker, trade=trade(), year=YEAR, title="张湾区技能大师",
                                      number=f"DS{next(NUMBERS):06d}", conferred_on=datetime.date(YEAR, 10, 1))


def talk(organization, attendance, *, user, category=TalkTopic.Category.SAFETY):
    topic = TalkTopic.objects.create(title=f"讲座{next(NUMBERS)}", category=category)
    return TalkOrder.objects.create(topic=topic, organization=organization, preferred_date=datetime.date(YEAR, 6, 1),
                                    expected_audience=attendance, ordered_by=user, status=TalkOrder.Status.HELD,
                                    held_on=datetime.date(YEAR, 6, 1), attendance=attendance)


@pytest.fixture
def year_data(role_users, organization, other_organization):
    """Our organization's year (numbers ending in 1 or 3) and another's (numbers no one else has)."""
    finance, officer = role_users["finance_officer"], role_users["masters_officer"]
    money = {"finance": finance, "approver": role_users["auditor"]}
    ours = [WorkerFactory(employer=organization) for _ in range(3)]
    theirs = WorkerFactory(employer=other_organization)
    enrol(ours[0], month=3)
    enrol(ours[0], month=5, code=ELECTRICIAN)  # one trainee in two classes
    enrol(ours[1], month=5)
    enrol(ours[2], month=5, status=Enrollment.Status.CANCELLED)  # not a trainee
    enrol(theirs, month=11, code=ELECTRICIAN)
    paid(ours[0], "1521.00", **money)
    paid(ours[1], "331.00", Kind.LIVING, **money)
    paid(theirs, "7777.00", Kind.TRAINING, **money)
    entry(ours[0], tier="first")
    entry(ours[1])
    entry(ours[1], year=YEAR - 1, level=Competition.Level.CITY, tier="second")
    entry(theirs, level=Competition.Level.PROVINCIAL, tier="third")
    certificate(ours[0], level=4)
    certificate(ours[1], level=3)
    certificate(ours[1], level=5, year=YEAR - 1)
    certificate(theirs, level=1)
    round_ = selection_round(year=YEAR)
    title = master(ours[0], round_)
    master(theirs, round_)
    grants = IncentivePolicy.objects.create(number=5, name="支持创建技能大师工作室", involves_money=True)
    IncentiveGrant.objects.create(policy=grants, master=title, granted_on=datetime.date(YEAR, 11, 1),
                                  amount=Decimal("50001"))
    IncentiveGrant.objects.create(policy=grants, organization=other_organization,
                                  granted_on=datetime.date(YEAR, 11, 1), amount=Decimal("88888"))
    talk(organization, 213, user=role_users["liaison"])
    talk(other_organization, 9191, user=officer, category=TalkTopic.Category.THEORY)
    return ours, theirs


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def panel(response, key):
    return next(p for p in response.context["panels"] if p.key == key)


def table(response, key):
    """label → the row's numbers, and "total" → the footer's, as the table shows them."""
    shown = panel(response, key)
    rows = {label: [str(c) for c in cells] for label, cells in shown.rows}
    return {**rows, "total": [str(c) for c in shown.foot or []]}


def test_it_shows_the_headline_figures_of_the_annual_report(client, role_users, year_data):
    response = page(client, role_users["auditor"], year=YEAR)
    headline = {f.key: f.value for f in figures.headline(YEAR)}
    cards = {key: value for key, _label, value in response.context["cards"]}
    assert headline["trainees"] == 3 and cards["trainees"] == "3"
    assert cards["skill_subsidies"] == "¥9,298" and headline["skill_subsidies"] == Decimal("9298.00")
    assert cards["masters"] == "2" and cards["attendees"] == "9,404"
    html = response.content.decode()
    assert 'data-figure="attendees">9,404<' in html and "¥9,298.00" in html  # the figures table keeps cents


def test_it_counts_trainees_by_trade_and_month_once_each(client, role_users, year_data):
    response = page(client, role_users["training_officer"], year=YEAR)
    rows = table(response, "trainees")
    welder, electrician = trade(WELDER).name_en, trade(ELECTRICIAN).name_en
    assert rows[welder] == ["0", "0", "1", "0", "1", *["0"] * 7, "2"]
    assert rows[electrician] == ["0", "0", "0", "0", "1", *["0"] * 5, "1", "0", "2"]
    # Three people: the one who took two classes counts once in May's and the year's totals.
    assert rows["total"] == ["0", "0", "1", "0", "2", *["0"] * 5, "1", "0", "3"]
    assert response.context["data"]["trainees"]["series"][0]["data"][4] == 1.0
    counts = figures.trainee_counts(YEAR)
    assert {type(month) for month in counts["by_month"]} == {int}  # a month is an integer, not a numeric
    assert sorted(counts["by_month"]) == [3, 5, 11]


def test_subsidies_are_the_paid_claims_by_kind(client, role_users, year_data):
    rows = table(page(client, role_users["finance_officer"], year=YEAR), "subsidies")
    assert rows[en(Kind.SKILL.label)] == ["1", "¥1,521.00"]
    assert rows[en(Kind.TRAINING.label)] == ["1", "¥7,777.00"]
    assert rows[en(Kind.LIVING.label)] == ["1", "¥331.00"]
    assert rows["total"] == ["3", "¥9,629.00"]


def test_competitions_by_level_stand_beside_the_year_before(client, role_users, year_data):
    response = page(client, role_users["competitions_officer"], year=YEAR)
    rows = table(response, "competitions")
    assert panel(response, "competitions").head[1:] == [f"Participants {YEAR - 1}", f"Participants {YEAR}",
                                                        f"Winners {YEAR - 1}", f"Winners {YEAR}"]
    assert rows[en(Competition.Level.DISTRICT.label)] == ["0", "2", "0", "1"]
    assert rows[en(Competition.Level.CITY.label)] == ["1", "0", "1", "0"]
    assert rows[en(Competition.Level.PROVINCIAL.label)] == ["0", "1", "0", "1"]
    assert rows["total"] == ["1", "3", "1", "2"]


def test_certificates_masters_grants_and_talks_match_the_database(client, role_users, year_data):
    response = page(client, role_users["masters_officer"], year=YEAR)
    certificates = table(response, "certificates")
    assert certificates["total"] == ["1", "3"]
    assert [int(c.value) for c in panel(response, "certificates").foot] == [
        sum(figures.certificates_by_level(YEAR - 1).values()), sum(figures.certificates_by_level(YEAR).values())]
    assert table(response, "masters")["total"] == [str(MasterTitle.objects.filter(year=YEAR).count())]
    assert table(response, "incentives")["5. 支持创建技能大师工作室"] == ["2", "¥138,889.00"]
    assert table(response, "outreach")["total"] == ["2", "9,404"]


def test_a_liaison_sees_only_their_organization_even_when_asking_for_another(client, role_users, year_data,
                                                                              other_organization):
    response = page(client, role_users["liaison"], year=YEAR, organization=other_organization.pk)
    html = response.content.decode()
    assert response.context["organization"] == role_users["liaison"].organization
    assert response.context["organizations"] == []  # no organization to choose
    for theirs in ["7,777", "9,191", "88,888", other_organization.name]:
        assert theirs not in html
    assert table(response, "subsidies")["total"] == ["2", "¥1,852.00"]
    assert table(response, "incentives")["5. 支持创建技能大师工作室"] == ["1", "¥50,001.00"]
    assert table(response, "trainees")["total"][-1] == "2"
    assert table(response, "competitions")["total"] == ["1", "2", "1", "1"]


def test_staff_narrow_it_to_one_organization(client, role_users, year_data, other_organization):
    response = page(client, role_users["training_officer"], year=YEAR, organization=other_organization.pk)
    assert table(response, "subsidies")["total"] == ["1", "¥7,777.00"]
    assert table(response, "outreach")["total"] == ["1", "9,191"]
    assert "1,521" not in response.content.decode()


def test_a_liaison_of_no_organization_is_refused(client, role_users):
    liaison = role_users["liaison"]
    liaison.organization = None
    liaison.save(update_fields=["organization"])
    client.force_login(liaison)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("bad", ["abc", "2024.5", "99999", "1066", "-1", "9" * 5000, "<script>"])
def test_a_bad_year_shows_the_default_year_with_a_message(client, role_users, year_data, bad):
    response = page(client, role_users["training_officer"], year=bad)
    assert response.context["year"] == default_year([YEAR, YEAR - 1])
    html = response.content.decode()
    assert "is not a year" in html and "<script>" not in html  # the message shows what was asked, escaped


def test_a_year_with_no_data_shows_zeros(client, role_users, year_data):
    response = page(client, role_users["training_officer"], year=2010)
    assert response.context["year"] == 2010
    assert all(p.empty for p in response.context["panels"])
    assert table(response, "subsidies")["total"] == ["0", "¥0.00"]
    assert "is not a year" not in response.content.decode()


def test_an_unknown_organization_shows_the_whole_district_with_a_message(client, role_users, year_data):
    response = page(client, role_users["auditor"], year=YEAR, organization="x1")
    assert response.context["organization"] is None
    assert "No such organization" in response.content.decode()
    assert table(response, "subsidies")["total"] == ["3", "¥9,629.00"]


def test_the_default_year_is_the_last_finished_year_with_data():
    this_year = timezone.localdate().year
    assert default_year([this_year + 1, this_year, 2022, 2021]) == 2022
    assert default_year([this_year]) == this_year
    assert default_year([]) == this_year - 1


def test_the_year_chosen_by_default_has_the_data(client, role_users, year_data):
    response = page(client, role_users["training_officer"])
    assert response.context["year"] == YEAR
    assert f'<option value="{YEAR}" selected>' in response.content.decode()


def test_staff_and_liaisons_land_on_the_dashboard_others_on_the_start_page(client, role_users):
    for role in ["training_officer", "finance_officer", "auditor", "liaison"]:
        client.force_login(role_users[role])
        assert client.get(reverse("home"))["Location"] == URL
    client.force_login(role_users["worker"])
    assert client.get(reverse("home")).status_code == 200


def test_the_page_carries_its_charts_data_without_inline_script(client, role_users, year_data):
    html = page(client, role_users["training_officer"], year=YEAR).content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert html.count("<script>") == 0 and "onclick" not in html
    assert html.count('class="dashboard-chart"') == 7 and "echarts.common.min.js" in html


def test_a_panel_with_nothing_to_draw_shows_its_table_only(client, role_users, year_data):
    html = page(client, role_users["training_officer"], year=2010).content.decode()
    assert 'class="dashboard-chart"' not in html and html.count("Nothing recorded for this year.") == 7
    assert html.count("<details open>") == 7


def test_it_costs_a_constant_number_of_queries(client, role_users, organization, django_assert_max_num_queries):
    money, round_ = {"finance": role_users["finance_officer"], "approver": role_users["auditor"]}, selection_round(
        year=YEAR)

    def add(n):
        for _ in range(n):
            worker = WorkerFactory(employer=organization)
            enrol(worker, month=next(NUMBERS) % 12 + 1, code=ELECTRICIAN if n % 2 else WELDER)
            paid(worker, "100", **money)
            entry(worker, tier="first")
            certificate(worker)
            master(worker, round_)
            talk(organization, 10, user=money["finance"])

    client.force_login(role_users["training_officer"])
    add(1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(URL, {"year": YEAR}).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"year": YEAR})
    client.force_login(role_users["liaison"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"year": YEAR})

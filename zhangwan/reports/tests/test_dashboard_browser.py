"""The dashboard in headless Chromium on a phone: staff land on it and its charts draw (the
`phones` fixture fails the test on any console error or CSP violation); a liaison sees their own."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from competitions.models import Competition
from masters.models import IncentiveGrant, IncentivePolicy, TalkTopic
from masters.tests.factories import selection_round
from training.subsidies.models import Kind
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.browser import log_in, shot

from .test_dashboard import YEAR, certificate, enrol, entry, master, paid, talk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TRADES = ["6-18-02-04", "6-31-01-03", "6-22-02-01"]
LEVELS = [Competition.Level.DISTRICT, Competition.Level.CITY, Competition.Level.PROVINCIAL]


@pytest.fixture
def a_year(role_users, organization, other_organization):
    money = {"finance": role_users["finance_officer"], "approver": role_users["auditor"]}
    round_ = selection_round(year=YEAR)
    for i in range(24):
        worker = WorkerFactory(employer=organization if i % 3 else other_organization)
        enrol(worker, month=3 + i % 8, code=TRADES[i % 3])
        paid(worker, 1000 + 100 * i, [Kind.SKILL, Kind.TRAINING, Kind.LIVING][i % 3], **money)
        entry(worker, year=YEAR - i % 2, level=LEVELS[i % 3], tier="first" if i % 4 == 0 else "")
        certificate(worker, level=5 - i % 4, year=YEAR - i % 2)
        if i % 5 == 0:
            master(worker, round_)
        talk(worker.employer, 50 + 10 * i, user=role_users["liaison"], category=TalkTopic.Category.values[i % 6])
    for number, name in enumerate(["优先推荐参加职称评审", "外出疗休养", "支持创建技能大师工作室"], start=1):
        policy = IncentivePolicy.objects.create(number=number, name=name)
        IncentiveGrant.objects.create(policy=policy, organization=organization, amount=None,
                                      granted_on=datetime.date(YEAR, 11, number))


# Each chart as ECharts holds it: its legend and tooltip (the vendored build has them) and whether it animates.
CHARTS = """() => [...document.querySelectorAll("[data-chart]")].map(el => {
  const chart = echarts.getInstanceByDom(el), model = chart.getModel();
  return {legend: !!model.getComponent("legend"), tooltip: !!model.getComponent("tooltip"),
          animation: chart.getOption().animation};
})"""


def charts_drawn(page, count=7, animated=True):
    expect(page.locator("[data-chart]")).to_have_count(count)
    expect(page.locator("[data-chart]:has(canvas)")).to_have_count(count)
    assert page.evaluate(CHARTS) == [{"legend": True, "tooltip": True, "animation": animated}] * count


def test_staff_land_on_the_dashboard_and_narrow_it_to_an_organization(phones, live_server, a_year,
                                                                      other_organization):
    page = phones()
    log_in(page, live_server, "training_officer")
    expect(page).to_have_url(re.compile(r"/reports/dashboard/$"))
    charts_drawn(page)
    expect(page.locator("#id_year")).to_have_value(str(YEAR))
    expect(page.locator('[data-figure="trainees"]')).to_have_text("24")
    page.wait_for_timeout(600)  # the bars grow for 0.4 s
    shot(page, "dashboard")

    page.click("#panel-subsidies summary")
    expect(page.locator("#table-subsidies tfoot")).to_contain_text("¥51,600.00")

    page.select_option("#id_organization", str(other_organization.pk))  # the form submits itself
    expect(page).to_have_url(re.compile(rf"organization={other_organization.pk}"))
    expect(page.locator("#dashboard-scope")).to_contain_text(other_organization.name)
    expect(page.locator('[data-figure="trainees"]')).to_have_text("8")
    charts_drawn(page, 6)  # no incentive grant: that panel has its table only


def test_a_liaison_sees_their_organizations_dashboard(phones, live_server, a_year, organization):
    """On a phone set to reduce motion: the bars are drawn at once."""
    page = phones(reduced_motion="reduce")
    log_in(page, live_server, "liaison")
    expect(page).to_have_url(re.compile(r"/reports/dashboard/$"))
    expect(page.locator("#dashboard-scope")).to_contain_text(organization.name)
    expect(page.locator("#id_organization")).to_have_count(0)
    expect(page.locator('[data-figure="trainees"]')).to_have_text("16")
    charts_drawn(page, animated=False)
    shot(page, "dashboard-liaison")

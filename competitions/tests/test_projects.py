"""Innovation projects are taken only while their competition takes them: within its submission
window if it has one, and never once it has ended or published its results."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions import services
from competitions.models import InnovationProject
from competitions.tests.factories import competition
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def closed(kind):
    """An innovation competition that no longer (or not yet) takes projects, and why."""
    today, now = timezone.localdate(), timezone.now()
    return competition(name=f"十堰市双创大赛（{kind}）", kind="innovation", external=True, **{
        "results published": {"results_published": True},
        "ended": {"starts_on": today - 60 * DAY, "ends_on": today - DAY,
                  "registration_opens": None, "registration_closes": None},
        "window closed": {"registration_opens": now - 20 * DAY, "registration_closes": now - DAY},
        "window not open yet": {"registration_opens": now + DAY, "registration_closes": now + 20 * DAY},
    }[kind])


CLOSED = ["results published", "ended", "window closed", "window not open yet"]


def submit(contest, organization, liaison):
    return services.project_submit(title="焊缝自动跟踪装置", competition=contest, organization=organization,
                                   team=[WorkerFactory(employer=organization)], summary="", attachments=[],
                                   user=liaison)


@pytest.mark.parametrize("kind", CLOSED)
def test_a_project_for_a_competition_that_takes_none_now_is_refused_with_the_reason(organization, liaison, kind):
    contest = closed(kind)
    with pytest.raises(services.CompetitionError) as refused:
        submit(contest, organization, liaison)
    assert contest.name in str(refused.value)
    assert not InnovationProject.objects.exists()


@pytest.mark.parametrize("window", [True, False])
def test_a_project_for_a_competition_taking_projects_is_accepted(organization, liaison, window):
    fields = {} if window else {"registration_opens": None, "registration_closes": None}
    contest = competition(name="十堰市双创大赛", kind="innovation", external=True, **fields)
    project = submit(contest, organization, liaison)
    assert InnovationProject.objects.get() == project


def test_the_page_offers_only_competitions_taking_projects_and_refuses_a_closed_one(client, liaison,
                                                                                     organization):
    open_contest = competition(name="十堰市双创大赛", kind="innovation", external=True)
    finished = closed("results published")
    client.force_login(liaison)
    page = client.get(reverse("competitions:project_new"), HTTP_ACCEPT_LANGUAGE="en")
    choices = list(page.context["form"].fields["competition"].queryset)
    assert choices == [open_contest]
    response = client.post(reverse("competitions:project_new"), {
        "title": "焊接机器人夹具改进", "competition": finished.pk,
        "team": [WorkerFactory(employer=organization).pk], "summary": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["form"].errors["competition"]
    assert not InnovationProject.objects.exists()

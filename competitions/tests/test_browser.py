"""Competitions in headless Chromium: a judge marks on a phone; the officer computes the results."""

import pytest
from playwright.sync_api import expect

from competitions import services
from competitions.models import JudgeAssignment, Result, ScoreSheet
from competitions.tests.factories import close_entries, event, welder
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_judge_marks_on_a_phone_and_the_officer_sees_the_ranking(phones, live_server, role_users, organization):
    ev = event(judges=0, rules={"first": 1, "second": 1})
    JudgeAssignment.objects.create(event=ev, judge=role_users["judge"])
    entries = [services.entry_create(event=ev, organization=organization, user=None,
                                     worker=welder(organization, name=name)) for name in ("李焊", "王焊")]
    close_entries(ev.competition)
    theory, practical = ev.parts.order_by("order")

    judge = phones()
    judge.on("dialog", lambda dialog: dialog.accept())
    log_in(judge, live_server, "judge")
    judge.goto(f"{live_server.url}/competitions/judging/")
    judge.click(f"text={ev.name}")
    shot(judge, "judge-event")
    for entry, (t, p) in zip(entries, [("80", "90"), ("70", "60")], strict=True):
        judge.click(f"#bib-{entry.bib}")
        judge.fill(f"#id_part_{theory.pk}", t)
        judge.fill(f"#id_part_{practical.pk}", "101")
        judge.click("#submit-sheet")
        expect(judge.locator(".invalid-feedback")).to_be_visible()
        judge.fill(f"#id_part_{practical.pk}", p)
        shot(judge, f"judge-sheet-{entry.bib}")
        judge.click("#submit-sheet")
        expect(judge.locator(".alert-success")).to_be_visible()
    page_html = judge.content()
    assert "李焊" not in page_html and organization.name not in page_html
    assert ScoreSheet.objects.filter(submitted_at__isnull=False).count() == 2

    officer = phones()
    log_in(officer, live_server, "competitions_officer")
    officer.goto(f"{live_server.url}/competitions/manage/{ev.competition_id}/")
    officer.click("#compute")
    expect(officer.locator(".alert-info")).to_be_visible()
    assert Result.objects.filter(rank=1).get().entry == entries[0]
    officer.goto(f"{live_server.url}/competitions/manage/events/{ev.pk}/")
    expect(officer.locator("#ranking tbody tr").first).to_contain_text("李焊")
    expect(officer.locator("#ranking tbody tr").first).to_contain_text("一等奖")
    shot(officer, "competition-ranking")

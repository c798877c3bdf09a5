"""Skills Masters in headless Chromium: a reviewer scores on a phone, a visitor objects during
publicity, the officer answers and confers."""

import base64
import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from zhangwan.tests.browser import log_in, shot

from ..models import Attachment, MasterTitle, Nomination, Objection, SelectionRound
from ..services.review import reviewers_assign
from .factories import nomination, pool, reviewer, selection_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = datetime.timedelta(days=1)
# A 1×1 PNG.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                         "AAAABJRU5ErkJggg==")


def test_a_reviewer_scores_and_submits_on_a_phone(phones, live_server, role_users):
    today = timezone.localdate()
    round_ = selection_round(year=today.year, nominations_open=today - 30 * DAY, nominations_close=today - 10 * DAY,
                             review_opens=today - 9 * DAY, review_closes=today + 10 * DAY)
    made = nomination(round_, status=Nomination.Status.ELIGIBLE)
    Attachment.objects.create(nomination=made, name="获奖证书.png", content_type="image/png", size=len(PIXEL),
                              file=ContentFile(PIXEL, name="award.png"))
    me = reviewer()
    me.user = role_users["reviewer"]
    me.save()
    pool(2)
    reviewers_assign(round_=round_, user=role_users["masters_officer"])

    page = phones()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/masters/review/")
    page.click(f"text={made.nominee.name}")
    expect(page.locator("img[alt='获奖证书.png']")).to_be_visible()
    criteria = list(round_.criteria.all())
    page.fill(f"#id_score_{criteria[0].pk}", "88")
    page.click("button[name=draft]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.fill(f"#id_score_{criteria[1].pk}", "60")  # the maximum is 50
    page.click("#submit-review")
    assert made.assignments.get(reviewer=me).status == "assigned"
    page.fill(f"#id_score_{criteria[1].pk}", "45")
    shot(page, "masters-review-phone")
    page.click("#submit-review")
    expect(page.locator(".alert-success")).to_be_visible()
    assignment = made.assignments.get(reviewer=me)
    assert assignment.status == "submitted" and str(assignment.total) == "88.80"  # 88·.6 + 45/50·40
    page.goto(f"{live_server.url}/masters/review/{assignment.pk}/")
    expect(page.locator("#review-form")).to_have_count(0)  # locked


def test_a_visitor_objects_and_the_officer_answers_then_confers(phones, live_server, role_users):
    today = timezone.localdate()
    round_ = selection_round(year=today.year)
    SelectionRound.objects.filter(pk=round_.pk).update(publicity_starts=today - 2 * DAY,
                                                       publicity_ends=today + 3 * DAY)
    shown = nomination(round_, status=Nomination.Status.IN_PUBLICITY, rank=1)

    visitor = phones()
    visitor.goto(f"{live_server.url}/masters/publicity/")
    expect(visitor.locator("main")).to_contain_text(shown.nominee.name)
    visitor.click(f"a[href$='/masters/publicity/{shown.pk}/object/']")
    visitor.fill("#id_name", "张三")
    visitor.fill("#id_contact", "13900001111")
    visitor.fill("#id_text", "<b>成果</b>不实")
    visitor.click("main button[type=submit]")
    expect(visitor.locator(".alert-danger")).to_be_visible()  # no HTML
    visitor.fill("#id_text", "所报革新成果为集体成果。")
    visitor.click("main button[type=submit]")
    expect(visitor.locator(".alert-success")).to_be_visible()
    shot(visitor, "masters-publicity")
    objection = Objection.objects.get()

    # Time passes: publicity is over.
    SelectionRound.objects.filter(pk=round_.pk).update(publicity_ends=today - DAY)
    officer = phones()
    officer.on("dialog", lambda dialog: dialog.accept())
    log_in(officer, live_server, "masters_officer")
    officer.goto(f"{live_server.url}/masters/manage/{round_.pk}/")
    expect(officer.locator("#confer-titles")).to_be_disabled()  # the open objection: the reason is shown
    expect(officer.locator("#confer-why")).to_contain_text("1")
    assert not MasterTitle.objects.exists()
    officer.fill(f"#answer-{objection.pk}", "经核实，该同志为第一完成人，异议不成立。")
    officer.click(f"#answer-{objection.pk} >> xpath=ancestor::form//button")
    expect(officer.locator(".alert-success")).to_be_visible()
    officer.click("#confer-titles")
    expect(officer.locator(".alert-success")).to_be_visible()
    assert MasterTitle.objects.get().worker == shown.nominee

    officer.goto(f"{live_server.url}/masters/")
    expect(officer.locator("main")).to_contain_text(shown.nominee.name)
    shot(officer, "masters-honour-roll")

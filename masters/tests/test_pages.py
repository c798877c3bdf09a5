"""The masters pages: what each role can do through them, bad input, blind review, scope, exports."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import trade
from zhangwan.tests.orm_answer import same_as_the_orm

from .. import selectors
from ..models import (
    Assignment,
    Attachment,
    IncentiveGrant,
    IncentivePolicy,
    MasterTitle,
    Nomination,
    Objection,
    Score,
    SelectionRound,
    TalkOrder,
    TalkTopic,
)
from ..services.review import review_save, reviewers_assign
from ..views import review
from ..views.publicity import OBJECTIONS
from .factories import nomination, pool, qualified_worker, reviewer, selection_round

pytestmark = pytest.mark.django_db
S = Nomination.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DAY = datetime.timedelta(days=1)


def levels(response):
    return [m.level_tag for m in get_messages(response.wsgi_request)]


@pytest.fixture
def open_round():
    today = timezone.localdate()
    return selection_round(year=today.year, nominations_open=today - 5 * DAY, nominations_close=today + 5 * DAY,
                           review_opens=today + 6 * DAY, review_closes=today + 30 * DAY)


@pytest.fixture
def reviewing_round():
    today = timezone.localdate()
    return selection_round(year=today.year, nominations_open=today - 30 * DAY, nominations_close=today - 10 * DAY,
                           review_opens=today - 9 * DAY, review_closes=today + 10 * DAY)


@pytest.fixture
def draft(open_round, liaison, organization):
    return nomination(open_round, worker=qualified_worker(employer=organization), status=S.DRAFT,
                      created_by=liaison, source="organization")


# Nominations ------------------------------------------------------------------------------

def test_a_liaison_nominates_a_worker_of_their_organization(client, liaison, organization, open_round):
    worker = qualified_worker(employer=organization)
    client.force_login(liaison)
    response = client.post(reverse("masters:nomination_new"), {
        "nominee": worker.pk, "trade": trade().pk, "statement": "扎根一线二十年", "achievements": "革新十项"})
    made = Nomination.objects.get()
    assert response.status_code == 302 and made.status == S.DRAFT
    assert (made.source, made.organization, made.created_by) == ("organization", organization, liaison)


def test_a_liaison_cannot_nominate_another_organizations_worker(client, liaison, open_round, other_organization):
    stranger = qualified_worker(employer=other_organization)
    client.force_login(liaison)
    response = client.post(reverse("masters:nomination_new"), {
        "nominee": stranger.pk, "trade": trade().pk, "statement": "s", "achievements": "a"})
    assert response.status_code == 200 and "nominee" in response.context["form"].errors
    assert not Nomination.objects.exists()


def test_nominating_twice_through_the_page_says_why(client, liaison, draft):
    client.force_login(liaison)
    response = client.post(reverse("masters:nomination_new"), {
        "nominee": draft.nominee.pk, "trade": trade().pk, "statement": "s", "achievements": "a"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Nomination.objects.count() == 1


def test_a_worker_nominates_themself(client, role_users, open_round):
    worker = role_users["worker"].worker
    client.force_login(role_users["worker"])
    client.post(reverse("masters:nomination_new"), {"trade": trade().pk, "statement": "s", "achievements": "a"})
    assert Nomination.objects.get().nominee == worker and Nomination.objects.get().source == "self"


def test_nominations_are_refused_when_no_round_is_open(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("masters:nomination_new"))
    assert response.status_code == 302 and levels(response) == ["error"]


@pytest.mark.parametrize(("name", "content", "size"), [
    ("setup.pdf", b"MZ\x90\x00" + b"\0" * 100, None),  # a renamed executable
    ("notes.png", b"just text", None),
    ("big.png", PNG, 11 * 1024 * 1024),
])
def test_bad_attachments_are_refused(client, liaison, draft, name, content, size):
    upload = SimpleUploadedFile(name, content + (b"\0" * (size - len(content)) if size else b""))
    client.force_login(liaison)
    response = client.post(reverse("masters:attachment_upload", args=[draft.pk]), {"file": upload})
    assert response.status_code == 302 and levels(response) == ["error"]
    assert not Attachment.objects.exists()


def test_an_image_is_attached_and_shown_with_its_real_type(client, liaison, draft):
    client.force_login(liaison)
    client.post(reverse("masters:attachment_upload", args=[draft.pk]),
                {"file": SimpleUploadedFile("photo.jpg", PNG)})
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    response = client.get(reverse("masters:attachment_file", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"]


def test_submitting_locks_the_draft(client, liaison, draft):
    client.force_login(liaison)
    client.post(reverse("masters:nomination_submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert client.get(reverse("masters:nomination_edit", args=[draft.pk])).status_code == 404
    client.post(reverse("masters:nomination_edit", args=[draft.pk]), {"trade": trade().pk, "statement": "x",
                                                                     "achievements": "y"})
    draft.refresh_from_db()
    assert draft.statement == "技术精湛"


def test_the_liaisons_export_holds_only_their_organization(client, liaison, draft, open_round):
    nomination(open_round)  # someone else's
    client.force_login(liaison)
    response = client.get(reverse("masters:nomination_list"), {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[2:]] == [draft.nominee.name]


@pytest.mark.parametrize(("name", "role"), [("masters:nomination_list", Role.MASTERS_OFFICER),
                                            ("masters:honour_roll", None), ("masters:talk_orders", Role.AUDITOR)])
def test_lists_cost_a_constant_number_of_queries(client, role_users, open_round, name, role,
                                                 django_assert_max_num_queries):
    topic = TalkTopic.objects.create(title="工匠精神", category="craftsmanship")

    def add(n):
        for _ in range(n):
            made = nomination(open_round, status=S.CONFERRED)
            MasterTitle.objects.create(nomination=made, worker=made.nominee, trade=made.trade, year=2022,
                                       title="张湾区技能大师", number=f"N{made.pk}", conferred_on="2022-11-18")
            TalkOrder.objects.create(topic=topic, organization=made.nominee.employer, preferred_date="2026-01-01",
                                     expected_audience=10, ordered_by=role_users["liaison"])

    if role:
        client.force_login(role_users[role])
    add(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse(name)).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))


# Review -----------------------------------------------------------------------------------

@pytest.fixture
def assigned(reviewing_round, role_users):
    n = nomination(reviewing_round, status=S.ELIGIBLE)
    me = reviewer()
    me.user = role_users["reviewer"]
    me.save()
    pool(3)
    reviewers_assign(round_=reviewing_round, user=role_users["masters_officer"])
    return n.assignments.get(reviewer=me)


def test_a_review_sheets_rows_are_the_orms(assigned):
    same_as_the_orm(review.MY_ASSIGNMENTS, user_id=assigned.reviewer.user_id)
    same_as_the_orm(review.SHEET, pk=assigned.pk, user_id=assigned.reviewer.user_id)
    assert review.SHEET.list(pk=assigned.pk, user_id=assigned.reviewer.user_id + 10_000) == []
    assert len(same_as_the_orm(selectors.CRITERIA, round_id=assigned.nomination.round_id)) == 2
    same_as_the_orm(selectors.SCORES, assignment_id=assigned.pk)
    same_as_the_orm(review.ATTACHMENTS, nomination_id=assigned.nomination_id)


def _post_scores(client, assignment, values, submit=False):
    data = {f"score_{c.pk}": v for c, v in zip(assignment.nomination.round.criteria.all(), values, strict=True)}
    if submit:
        data["submit"] = "1"
    return client.post(reverse("masters:review_sheet", args=[assignment.pk]), data)


def test_a_reviewer_saves_a_draft_then_submits(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    _post_scores(client, assigned, ["80", ""])
    assigned.refresh_from_db()
    assert assigned.status == "assigned" and Score.objects.count() == 1
    _post_scores(client, assigned, ["80", "45"], submit=True)
    assigned.refresh_from_db()
    assert assigned.status == "submitted" and str(assigned.total) == "84.00"


def test_saving_a_draft_reads_by_prepared_statements_only(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    client.get(reverse("masters:review_sheet", args=[assigned.pk]))  # (their roles: read once, then kept)
    _post_scores(client, assigned, ["80", ""])
    criteria = list(assigned.nomination.round.criteria.all())
    with CaptureQueriesContext(connection) as seen:
        client.post(reverse("masters:review_sheet", args=[assigned.pk]),
                    {f"score_{criteria[0].pk}": "70", f"score_{criteria[1].pk}": "40"})
    # the session, the user, the sheet, its criteria and scores; locked again, with them, to save
    assert [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")] == []
    assert sorted(str(v) for v in Score.objects.filter(assignment=assigned).values_list("value", flat=True)) == [
        "40.00", "70.00"]
    assigned.refresh_from_db()
    assert assigned.status == "assigned"


def test_a_score_out_of_bounds_is_a_form_error(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    response = _post_scores(client, assigned, ["101", "abc"], submit=True)
    assert response.status_code == 200 and len(response.context["form"].errors) == 2
    assigned.refresh_from_db()
    assert assigned.status == "assigned" and not Score.objects.exists()


def test_submitted_scores_do_not_change_through_the_page(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    _post_scores(client, assigned, ["80", "45"], submit=True)
    _post_scores(client, assigned, ["10", "10"], submit=True)
    assert sorted(str(v) for v in Score.objects.values_list("value", flat=True)) == ["45.00", "80.00"]


def test_no_reviewer_sees_another_reviewers_scores(client, role_users, assigned):
    other = assigned.nomination.assignments.exclude(pk=assigned.pk).select_related("reviewer__user").first()
    review_save(assignment=other, user=other.reviewer.user, scores={
        c.pk: c.max_score - 3 for c in assigned.nomination.round.criteria.all()}, comments={}, comment="独到见解",
        submit=True)
    client.force_login(role_users["reviewer"])
    page = client.get(reverse("masters:review_sheet", args=[assigned.pk])).content.decode()
    # The other's scores (97 of 100) appear neither as a field's value nor as text (ids may contain 97).
    assert "独到见解" not in page and not re.search(r'value="97|>\s*97(\.0+)?\s*<', page)
    assert str(other.reviewer) not in page
    assert client.get(reverse("masters:review_sheet", args=[other.pk])).status_code == 404
    assert "独到见解" not in client.get(reverse("masters:review_home")).content.decode()
    # Reviewers are not staff: no admin view of assignments either.
    assert client.get(reverse("admin:masters_assignment_changelist")).status_code == 302


def test_declaring_a_conflict_hands_the_nomination_on(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    response = client.post(reverse("masters:review_conflict", args=[assigned.pk]), {"reason": "同一车间"})
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == Assignment.Status.WITHDRAWN
    assert assigned.nomination.assignments.exclude(status="withdrawn").count() == 3
    assert client.get(reverse("masters:review_sheet", args=[assigned.pk])).status_code == 404


# Publicity --------------------------------------------------------------------------------

@pytest.fixture
def in_publicity():
    today = timezone.localdate()
    round_ = selection_round(year=today.year)
    type(round_).objects.filter(pk=round_.pk).update(publicity_starts=today - DAY, publicity_ends=today + 5 * DAY)
    return nomination(round_, status=S.IN_PUBLICITY)


def test_a_visitor_files_an_objection(client, in_publicity):
    response = client.post(reverse("masters:objection_new", args=[in_publicity.pk]),
                           {"name": "张三", "contact": "13900000000", "text": "该同志成果不实"})
    assert response.status_code == 302 and levels(response) == ["success"]
    assert Objection.objects.get().text == "该同志成果不实"


def object_from(client, nomination, remote="10.0.0.1", forwarded=None, name="张三"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(reverse("masters:objection_new", args=[nomination.pk]),
                       {"name": name, "contact": "139", "text": "有异议"}, REMOTE_ADDR=remote, **extra)


def test_objections_are_rate_limited_per_address(client, in_publicity):
    for _i in range(OBJECTIONS.limit):
        assert object_from(client, in_publicity, "10.0.0.1").status_code == 302
    refused = object_from(client, in_publicity, "10.0.0.1")
    assert refused.status_code == 429 and refused.context["form"].non_field_errors()
    assert object_from(client, in_publicity, "10.0.0.2", name="李四").status_code == 302
    assert Objection.objects.count() == OBJECTIONS.limit + 1


PROXY = "10.0.0.254"


def test_behind_the_proxy_one_visitors_objections_do_not_use_up_anothers(client, in_publicity, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _i in range(OBJECTIONS.limit):
        object_from(client, in_publicity, PROXY, "198.51.100.1")
    assert object_from(client, in_publicity, PROXY, "198.51.100.1").status_code == 429
    assert object_from(client, in_publicity, PROXY, "198.51.100.2", name="李四").status_code == 302
    assert Objection.objects.filter(name="李四").exists()


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_objection_limit(client, in_publicity,
                                                                                          settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(OBJECTIONS.limit):
        object_from(client, in_publicity, "203.0.113.7", f"198.51.100.{n}")
    assert object_from(client, in_publicity, "203.0.113.7", "198.51.100.99").status_code == 429
    assert Objection.objects.count() == OBJECTIONS.limit


def test_an_objection_with_script_is_refused(client, in_publicity):
    response = client.post(reverse("masters:objection_new", args=[in_publicity.pk]),
                           {"name": "张三", "contact": "139", "text": "<script>alert(1)</script>"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Objection.objects.exists()


def test_the_publicity_page_lists_the_shortlist(client, in_publicity):
    page = client.get(reverse("masters:publicity")).content.decode()
    assert in_publicity.nominee.name in page and reverse("masters:objection_new", args=[in_publicity.pk]) in page


def test_the_officer_answers_an_objection_and_conferral_waits_for_it(client, role_users, in_publicity):
    objection = Objection.objects.create(nomination=in_publicity, name="张三", contact="139", text="异议")
    client.force_login(role_users["masters_officer"])
    round_ = in_publicity.round
    response = client.post(reverse("masters:round_confer", args=[round_.pk]))
    assert levels(response) == ["error"] and not MasterTitle.objects.exists()
    client.post(reverse("masters:objection_resolve", args=[objection.pk]), {"answer": "", "upheld": "no"})
    objection.refresh_from_db()
    assert objection.is_open
    client.post(reverse("masters:objection_resolve", args=[objection.pk]), {"answer": "经核实属实", "upheld": "no"})
    objection.refresh_from_db()
    assert objection.answer == "经核实属实" and objection.upheld is False


# Officer pages ----------------------------------------------------------------------------

def test_the_ranking_export_holds_the_scores(client, role_users, reviewing_round):
    n = nomination(reviewing_round, status=S.UNDER_REVIEW)
    Nomination.objects.filter(pk=n.pk).update(final_score=88, review_mean=88, review_spread=4, rank=1)
    client.force_login(role_users["masters_officer"])
    response = client.get(reverse("masters:round_ranking", args=[reviewing_round.pk]), {"format": "xlsx"})
    row = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[2]
    assert row[:2] == (1, n.nominee.name) and row[7] == 88


def test_the_eligibility_job_runs_from_the_page(client, role_users, reviewing_round,
                                               django_capture_on_commit_callbacks):
    n = nomination(reviewing_round)
    client.force_login(role_users["masters_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("masters:round_eligibility", args=[reviewing_round.pk]))
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == S.ELIGIBLE


def test_the_auditor_cannot_act(client, role_users, open_round):
    n = nomination(open_round)
    client.force_login(role_users["auditor"])
    assert client.post(reverse("masters:round_eligibility", args=[open_round.pk])).status_code == 403
    n.refresh_from_db()
    assert n.status == S.SUBMITTED


def test_a_grant_without_its_amount_is_refused_in_the_admin(client, role_users):
    policy = IncentivePolicy.objects.create(number=2, name="外出疗休养", involves_money=True,
                                            beneficiary="organization")
    client.force_login(role_users["masters_officer"])
    response = client.post(reverse("admin:masters_incentivegrant_add"), {
        "policy": policy.pk, "organization": "", "granted_on": "2023-05-16", "amount": "-5", "note": ""})
    assert response.status_code == 200 and not IncentiveGrant.objects.exists()


def test_criteria_weights_must_add_up_to_100(client, role_users):
    client.force_login(role_users["masters_officer"])
    data = {"name": "评选", "year": 2030, "title": "张湾区技能大师", "quota": 30,
            "nominations_open": "2030-04-01", "nominations_close": "2030-05-01", "review_opens": "2030-05-02",
            "review_closes": "2030-06-01", "publicity_days": 5, "max_level": 3, "min_years_in_trade": 8,
            "district_employment_required": "on", "reviewers_per_nomination": 3, "discrepancy_threshold": 15,
            "competition_weight": 0,
            "criteria-TOTAL_FORMS": 2, "criteria-INITIAL_FORMS": 0, "criteria-MIN_NUM_FORMS": 0,
            "criteria-MAX_NUM_FORMS": 1000,
            "criteria-0-name": "技能", "criteria-0-weight": 60, "criteria-0-max_score": 100, "criteria-0-order": 0,
            "criteria-1-name": "贡献", "criteria-1-weight": 30, "criteria-1-max_score": 100, "criteria-1-order": 1}
    response = client.post(reverse("admin:masters_selectionround_add"), data)
    assert response.status_code == 200
    assert not SelectionRound.objects.filter(year=2030).exists()
    data["criteria-1-weight"] = 40
    assert client.post(reverse("admin:masters_selectionround_add"), data).status_code == 302
    assert SelectionRound.objects.get(year=2030).criteria.count() == 2


# Talks ------------------------------------------------------------------------------------

def test_a_liaison_orders_a_talk_and_the_officer_schedules_and_records_it(client, role_users, liaison):
    topic = TalkTopic.objects.create(title="安全生产第一课", category="safety")
    client.force_login(liaison)
    bad = client.post(reverse("masters:talk_order", args=[topic.pk]), {
        "preferred_date": "2020-01-01", "expected_audience": 0})
    assert len(bad.context["form"].errors) == 2 and not TalkOrder.objects.exists()
    client.post(reverse("masters:talk_order", args=[topic.pk]), {
        "preferred_date": str(timezone.localdate() + 10 * DAY), "expected_audience": 150})
    order = TalkOrder.objects.get()
    assert order.organization == liaison.organization
    client.force_login(role_users["masters_officer"])
    url = reverse("masters:talk_manage", args=[order.pk])
    client.post(url, {"action": "held", "attendance": 140})
    order.refresh_from_db()
    assert order.status == "requested"  # not scheduled yet: nothing recorded
    client.post(url, {"action": "schedule", "held_on": str(timezone.localdate() + 12 * DAY), "speaker": "王师傅",
                      "venue": "职工之家"})
    client.post(url, {"action": "held", "attendance": 140})
    order.refresh_from_db()
    assert (order.status, order.speaker, order.attendance) == ("held", "王师傅", 140)
    page = client.get(reverse("masters:talk_orders")).content.decode()
    assert "140" in page


def test_a_liaison_sees_only_their_orders(client, liaison, other_organization):
    topic = TalkTopic.objects.create(title="工匠精神", category="craftsmanship")
    TalkOrder.objects.create(topic=topic, organization=other_organization, preferred_date="2026-01-01",
                             expected_audience=10, ordered_by=UserFactory())
    client.force_login(liaison)
    assert list(client.get(reverse("masters:talk_menu")).context["mine"]) == []


def test_the_review_sheets_csp_lets_exactly_its_pdf_attachments_show_inline(client, role_users, assigned):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from masters.models import Attachment

    pdf = Attachment.objects.create(nomination=assigned.nomination, name="推荐表.pdf", content_type="application/pdf",
                                    size=9, file=SimpleUploadedFile("form.pdf", b"%PDF-1.4 x"))
    client.force_login(role_users["reviewer"])
    response = client.get(reverse("masters:review_sheet", args=[assigned.pk]))
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    url = reverse("masters:attachment_file", args=[pdf.pk])
    assert policy["object-src"] == f"http://testserver{url}"
    served = client.get(url)
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Frame-Options"] == "SAMEORIGIN"  # an <object> obeys it as a frame does


def test_the_reviewers_list_gives_the_deadline(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    page = client.get(reverse("masters:review_home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    closes = assigned.nomination.round.review_closes
    assert f"评审截止 {closes:%Y-%m-%d}" in page


def test_submitting_with_a_blank_criterion_marks_that_field(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    response = _post_scores(client, assigned, ["80", ""], submit=True)
    blank = assigned.nomination.round.criteria.all()[1]
    assert list(response.context["form"].errors) == [f"score_{blank.pk}"]
    assert 'is-invalid' in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.status == "assigned"


def test_the_overall_comment_stays_visible_after_submitting(client, role_users, assigned):
    client.force_login(role_users["reviewer"])
    url = reverse("masters:review_sheet", args=[assigned.pk])
    data = {f"score_{c.pk}": "40" for c in assigned.nomination.round.criteria.all()}
    client.post(url, {**data, "comment": "技艺扎实，带徒成效显著", "submit": "1"})
    assert "技艺扎实，带徒成效显著" in client.get(url).content.decode()
